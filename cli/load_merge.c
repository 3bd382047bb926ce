/* cli/load_merge.c: `leakcheck load --merge FILE...`: the figures of the
 * segments of one load, added up exactly (histograms bucket by bucket). */
#include "cli/load_merge.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/load_output.h"

#define MAX_FILE (256u << 20) /* a segment output with every bucket is ~1 MB */

/* One segment output, read. */
struct seg {
    const char *path;
    json_t *root;
    unsigned index, count;
};

uint64_t load_segment_share(uint64_t total, unsigned index, unsigned count)
{
    return total / count + ((uint64_t)(index - 1) < total % count ? 1 : 0);
}

static int get_count(const json_t *o, const char *key, uint64_t *v, struct lc_error *err)
{
    const json_t *j = json_object_get(o, key);
    if (!json_is_integer(j) || json_integer_value(j) < 0) {
        lc_error_set(err, "\"%s\" is %s", key, j ? "not a whole number >= 0" : "missing");
        return -1;
    }
    *v = (uint64_t)json_integer_value(j);
    return 0;
}

/* Adds the counts of o's object field key (name: count) with add_cb. */
static int add_map(const json_t *o, const char *key, struct loadgen_stats *st,
                   int (*add_cb)(struct loadgen_stats *st, const char *k, uint64_t n),
                   struct lc_error *err)
{
    const json_t *m = json_object_get(o, key), *v;
    const char *k;
    if (!json_is_object(m)) {
        lc_error_set(err, "\"%s\" is %s", key, m ? "not an object" : "missing");
        return -1;
    }
    json_object_foreach((json_t *)m, k, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            add_cb(st, k, (uint64_t)json_integer_value(v)) != 0) {
            lc_error_set(err, "\"%s\": \"%s\" is not a count this leakcheck knows", key, k);
            return -1;
        }
    }
    return 0;
}

static int add_status_cb(struct loadgen_stats *st, const char *k, uint64_t n)
{
    char *end = NULL;
    long code = strtol(k, &end, 10);
    if (end == k || *end || code < 100 || code > 599)
        return -1;
    st->status[code] += n;
    return 0;
}

static int add_kind_cb(struct loadgen_stats *st, const char *k, uint64_t n)
{
    for (int i = 0; i < LOADGEN_ERR__COUNT; i++)
        if (!strcmp(k, loadgen_err_name((enum loadgen_err)i))) {
            st->by_kind[i] += n;
            return 0;
        }
    return -1;
}

static int add_msg_cb(struct loadgen_stats *st, const char *k, uint64_t n)
{
    if (!strcmp(k, "(other errors)")) {
        st->msgs_other += n;
        return 0;
    }
    for (size_t i = 0; i < st->nmsgs; i++)
        if (!strcmp(st->msgs[i].text, k)) {
            st->msgs[i].n += n;
            return 0;
        }
    if (st->nmsgs == LOADGEN_MAX_MSGS) {
        st->msgs_other += n;
        return 0;
    }
    snprintf(st->msgs[st->nmsgs].text, LOADGEN_MSG_LEN, "%s", k);
    st->msgs[st->nmsgs++].n = n;
    return 0;
}

static int add_grpc_cb(struct loadgen_stats *st, const char *k, uint64_t n)
{
    for (int c = 0; c < LOADGEN_GRPC_CODES; c++)
        if (!strcmp(k, loadgen_grpc_code_name(c))) {
            st->grpc_status[c] += n;
            return 0;
        }
    return -1;
}

/* Adds the figures of one segment output o into st; -1 with err. */
static int add_figures(struct loadgen_stats *st, const json_t *o, struct lc_error *err)
{
    static const char *const keys[] = {"requests",   "errors",     "responses",
                                       "late_sends", "bytes_read", "body_bytes"};
    uint64_t *dst[] = {&st->requests,   &st->errors,     &st->responses,
                       &st->late_sends, &st->bytes_read, &st->body_bytes};
    uint64_t v;
    for (size_t i = 0; i < LC_ARRAY_LEN(keys); i++) {
        if (get_count(o, keys[i], &v, err) != 0)
            return -1;
        *dst[i] += v;
    }
    const json_t *d = json_object_get(o, "duration_s"), *tls = json_object_get(o, "tls");
    if (!json_is_number(d) || !isfinite(json_number_value(d)) || json_number_value(d) < 0) {
        lc_error_set(err, "\"duration_s\" is %s", d ? "not a number >= 0" : "missing");
        return -1;
    }
    st->elapsed_s = fmax(st->elapsed_s, json_number_value(d));
    if (get_count(tls, "handshakes", &v, err) != 0)
        return lc_error_prefix(err, "tls"), -1;
    st->tls_handshakes += v;
    if (get_count(tls, "resumed", &v, err) != 0)
        return lc_error_prefix(err, "tls"), -1;
    st->tls_resumed += v;
    if (add_map(o, "status", st, add_status_cb, err) != 0 ||
        add_map(o, "errors_by_kind", st, add_kind_cb, err) != 0 ||
        add_map(o, "error_messages", st, add_msg_cb, err) != 0 ||
        add_map(o, "grpc_status", st, add_grpc_cb, err) != 0)
        return -1;
    return 0;
}

/* Reads path into s (its index and count); prints why not and returns -1. */
static int read_seg(const char *path, struct seg *s)
{
    struct lc_error err = {0};
    json_error_t jerr;
    char *text = lc_read_file(path, MAX_FILE, NULL, &err);
    s->path = path;
    if (!text) {
        cli_error("load --merge: %s", err.msg);
        return -1;
    }
    s->root = json_loads(text, 0, &jerr);
    free(text);
    if (!s->root) {
        cli_error("load --merge: %s: not JSON (line %d: %s)", path, jerr.line, jerr.text);
        return -1;
    }
    json_int_t i = 0, n = 0;
    if (json_unpack(s->root, "{s:{s:I,s:I}}", "segment", "index", &i, "count", &n) != 0 || n < 1 ||
        i < 1 || i > n || n > LC_MAX_CONCURRENCY) {
        cli_error("load --merge: %s: not a segment output of leakcheck load (no \"segment\" "
                  "{\"index\": I, \"count\": N}; write one with --segment I/N -o json)",
                  path);
        return -1;
    }
    s->index = (unsigned)i;
    s->count = (unsigned)n;
    return 0;
}

/* 1 when a and b are equal, numbers by value (a rewritten 100.0 is 100). */
static int same_value(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    return json_equal(a, b);
}

/* 0 when segs are each segment of one load once; else prints and -1. */
static int check_set(const struct seg *segs, size_t n)
{
    static const char *const same[] = {"url", "of_requests", "of_connections", "of_rate"};
    unsigned count = segs[0].count;
    for (size_t i = 0; i < n; i++) {
        const json_t *sg = json_object_get(segs[i].root, "segment");
        const json_t *s0 = json_object_get(segs[0].root, "segment");
        if (segs[i].count != count) {
            cli_error("load --merge: %s is segment %u/%u, %s is of %u segments", segs[i].path,
                      segs[i].index, segs[i].count, segs[0].path, count);
            return -1;
        }
        for (size_t k = 0; k < LC_ARRAY_LEN(same); k++)
            if (!same_value(json_object_get(k ? sg : segs[i].root, same[k]),
                            json_object_get(k ? s0 : segs[0].root, same[k]))) {
                cli_error("load --merge: %s and %s are segments of different loads (their "
                          "\"%s\" differ)",
                          segs[0].path, segs[i].path, same[k]);
                return -1;
            }
        for (size_t k = 0; k < i; k++)
            if (segs[k].index == segs[i].index) {
                cli_error("load --merge: segment %u/%u twice: %s and %s", segs[i].index, count,
                          segs[k].path, segs[i].path);
                return -1;
            }
    }
    if (n != count) {
        for (unsigned want = 1; want <= count; want++) {
            size_t k = 0;
            while (k < n && segs[k].index != want)
                k++;
            if (k == n) {
                cli_error("load --merge: segment %u/%u is missing (%zu of %u given)", want, count,
                          n, count);
                return -1;
            }
        }
    }
    return 0;
}

/* Adds up every segment into st and lat; prints why not and returns -1. */
static int merge_all(const struct seg *segs, size_t n, struct loadgen_stats *st, struct hist *lat)
{
    for (size_t i = 0; i < n; i++) {
        struct lc_error err = {0};
        struct hist *h = NULL;
        if (add_figures(st, segs[i].root, &err) != 0 ||
            !(h = load_hist_read(json_object_get(segs[i].root, "histogram"), &err))) {
            cli_error("load --merge: %s: %s", segs[i].path, err.msg);
            return -1;
        }
        hist_merge(lat, h);
        hist_free(h);
    }
    st->rps = st->elapsed_s > 0 ? (double)st->requests / st->elapsed_s : 0;
    const double qs[] = {50, 75, 90, 95, 99, 99.9};
    double *ps[] = {&st->p50, &st->p75, &st->p90, &st->p95, &st->p99, &st->p999};
    for (size_t i = 0; i < LC_ARRAY_LEN(qs); i++)
        *ps[i] = (double)hist_percentile(lat, qs[i]) / 1e6;
    st->max = (double)hist_max(lat) / 1e6;
    st->mean = hist_mean(lat) / 1e6;
    return 0;
}

int load_merge_main(int argc, char **argv)
{
    struct seg *segs = lc_calloc((size_t)argc + 1, sizeof(*segs));
    struct loadgen_stats *st = lc_calloc(1, sizeof(*st));
    struct hist *lat = hist_new();
    size_t n = 0;
    int rc = CLI_USAGE;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc && !strcmp(argv[i + 1], "json")) {
            i++;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            cli_error("load --merge: %s: unknown flag (usage: leakcheck load --merge [-o json] "
                      "SEGMENT.json...)",
                      argv[i]);
            goto cleanup;
        }
        if (read_seg(argv[i], &segs[n++]) != 0)
            goto cleanup;
    }
    if (n == 0) {
        cli_error("load --merge: no files (usage: leakcheck load --merge SEGMENT.json...)");
        goto cleanup;
    }
    rc = CLI_INFRA;
    if (check_set(segs, n) != 0)
        goto cleanup;
    rc = CLI_USAGE;
    if (merge_all(segs, n, st, lat) != 0)
        goto cleanup;
    json_t *extra = json_object(), *from = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(from, json_string(segs[i].path));
    json_object_set_new(extra, "segments", json_integer((json_int_t)n));
    json_object_set_new(extra, "merged_from", from);
    json_object_set(extra, "url", json_object_get(segs[0].root, "url"));
    rc = load_output_json(stdout, st, lat, extra) == 0 && fflush(stdout) == 0 ? CLI_OK : CLI_INFRA;
    if (rc != CLI_OK)
        cli_error("load --merge: cannot write the output");
cleanup:
    for (size_t i = 0; i < n; i++)
        json_decref(segs[i].root);
    hist_free(lat);
    free(st);
    free(segs);
    return rc;
}
