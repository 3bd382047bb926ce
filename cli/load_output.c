/* cli/load_output.c: hey-shaped text, CSV and JSON for `leakcheck load`. */
#include "cli/load_output.h"

#include "cli/load_merge.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BAR_WIDTH 40
#define HIST_ROWS 11

static void summary(FILE *out, const struct loadgen_stats *st, const struct hist *lat)
{
    fprintf(out, "\nSummary:\n");
    fprintf(out, "  Total:\t%.4f secs\n", st->elapsed_s);
    fprintf(out, "  Slowest:\t%.4f secs\n", st->max);
    fprintf(out, "  Fastest:\t%.4f secs\n", (double)hist_min(lat) / 1e6);
    fprintf(out, "  Average:\t%.4f secs\n", st->mean);
    fprintf(out, "  Requests/sec:\t%.4f\n", st->rps);
    if (st->late_sends)
        fprintf(out, "  Late sends:\t%llu\n", (unsigned long long)st->late_sends);
    /* as hey: response bodies only, over complete responses */
    if (st->body_bytes > 0 && st->responses > 0) {
        fprintf(out, "\n  Total data:\t%llu bytes\n", (unsigned long long)st->body_bytes);
        fprintf(out, "  Size/request:\t%llu bytes\n",
                (unsigned long long)(st->body_bytes / st->responses));
    }
    if (st->tls_handshakes)
        fprintf(out, "  TLS handshakes:\t%llu (%llu resumed)\n",
                (unsigned long long)st->tls_handshakes, (unsigned long long)st->tls_resumed);
}

int load_label_digits(double step_s)
{
    int d = 3;
    while (d < 6 && step_s > 0 && step_s * pow(10, d) < 1)
        d++;
    return d;
}

/* Eleven evenly spaced buckets from the fastest to the slowest, as hey. */
static void histogram(FILE *out, const struct hist *lat)
{
    uint64_t lo = hist_min(lat), hi = hist_max(lat), n = hist_count(lat);
    if (n == 0)
        return;
    uint64_t counts[HIST_ROWS], marks[HIST_ROWS], prev = 0, most = 1;
    for (int i = 0; i < HIST_ROWS; i++) {
        marks[i] = lo + (hi - lo) * (uint64_t)i / (HIST_ROWS - 1);
        uint64_t upto = i == HIST_ROWS - 1 ? n : hist_count_upto(lat, marks[i]);
        counts[i] = upto - prev;
        prev = upto;
        most = counts[i] > most ? counts[i] : most;
    }
    /* seconds as hey, with the decimals that tell the rows apart */
    int digits = load_label_digits((double)(hi - lo) / 1e6 / (HIST_ROWS - 1));
    fprintf(out, "\nResponse time histogram:\n");
    for (int i = 0; i < HIST_ROWS; i++) {
        int bar = (int)(counts[i] * BAR_WIDTH / most);
        fprintf(out, "  %.*f [%llu]\t|", digits, (double)marks[i] / 1e6,
                (unsigned long long)counts[i]);
        for (int k = 0; k < bar; k++)
            fputs("\xe2\x96\xa0", out); /* U+25A0, as hey draws it */
        fputc('\n', out);
    }
}

static void distribution(FILE *out, const struct hist *lat)
{
    static const double qs[] = {10, 25, 50, 75, 90, 95, 99, 99.9};
    if (hist_count(lat) == 0)
        return;
    fprintf(out, "\nLatency distribution:\n");
    for (size_t i = 0; i < LC_ARRAY_LEN(qs); i++)
        fprintf(out, "  %g%% in %.4f secs\n", qs[i], (double)hist_percentile(lat, qs[i]) / 1e6);
}

/* hey's Details: each phase's average, fastest and slowest. The name is
 * resolved once before the run, so DNS+dialup is the connect (and TLS
 * handshake) alone; reused connections count 0, as in hey. */
static void details(FILE *out, const struct loadgen_stats *st)
{
    static const char *const names[LOADGEN_PHASES] = {"DNS+dialup", "req write", "resp wait",
                                                      "resp read"};
    if (!st->responses)
        return;
    fprintf(out, "\nDetails (average, fastest, slowest):\n");
    for (int i = 0; i < LOADGEN_PHASES; i++)
        fprintf(out, "  %s:\t%.4f secs, %.4f secs, %.4f secs\n", names[i], st->ph_mean[i],
                st->ph_min[i], st->ph_max[i]);
}

/* gRPC calls by grpc-status, named; nothing for plain HTTP. */
static void grpc_distribution(FILE *out, const struct loadgen_stats *st)
{
    int any = 0;
    for (int code = 0; code < LOADGEN_GRPC_CODES; code++) {
        if (!st->grpc_status[code])
            continue;
        if (!any++)
            fprintf(out, "\ngRPC status distribution:\n");
        fprintf(out, "  [%s]\t%llu calls\n", loadgen_grpc_code_name(code),
                (unsigned long long)st->grpc_status[code]);
    }
}

void load_output_text(FILE *out, const struct loadgen_stats *st, const struct hist *lat)
{
    summary(out, st, lat);
    histogram(out, lat);
    distribution(out, lat);
    details(out, st);
    fprintf(out, "\nStatus code distribution:\n");
    for (int code = 0; code < 600; code++)
        if (st->status[code])
            fprintf(out, "  [%d]\t%llu responses\n", code, (unsigned long long)st->status[code]);
    grpc_distribution(out, st);
    if (st->nmsgs || st->msgs_other)
        fprintf(out, "\nError distribution:\n");
    for (size_t i = 0; i < st->nmsgs; i++)
        fprintf(out, "  [%llu]\t%s\n", (unsigned long long)st->msgs[i].n, st->msgs[i].text);
    if (st->msgs_other)
        fprintf(out, "  [%llu]\t(other errors)\n", (unsigned long long)st->msgs_other);
    fputc('\n', out);
}

struct csv_rows {
    struct loadgen_record *r;
    size_t n;
};

static void csv_collect_cb(const struct loadgen_record *r, void *arg)
{
    struct csv_rows *rows = arg;
    rows->r[rows->n++] = *r;
}

static int by_offset(const void *a, const void *b)
{
    const struct loadgen_record *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

int load_output_csv(FILE *out, const struct loadgen *lg)
{
    struct csv_rows rows = {0};
    size_t n = loadgen_records(lg, NULL, NULL);
    rows.r = lc_calloc(n ? n : 1, sizeof *rows.r);
    loadgen_records(lg, csv_collect_cb, &rows);
    qsort(rows.r, rows.n, sizeof *rows.r, by_offset);
    /* hey's columns; gRPC calls add their grpc-status's name last */
    int grpc = rows.n > 0 && rows.r[0].grpc_status >= 0;
    fputs("response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,"
          "offset",
          out);
    fputs(grpc ? ",grpc-status\n" : "\n", out);
    for (size_t i = 0; i < rows.n; i++) {
        const struct loadgen_record *r = &rows.r[i];
        fprintf(out, "%4.4f,%4.4f,%4.4f,%4.4f,%4.4f,%4.4f,%u,%4.4f", r->total, r->dial, 0.0,
                r->write, r->wait, r->read, (unsigned)r->status, r->offset);
        const char *name = grpc ? loadgen_grpc_code_name(r->grpc_status) : NULL;
        if (grpc)
            fprintf(out, ",%s\n", name ? name : "");
        else
            fputc('\n', out);
    }
    free(rows.r);
    return ferror(out) ? -1 : 0;
}

int load_output_json(FILE *out, const struct loadgen_stats *st, const struct hist *lat_hist,
                     json_t *extra)
{
    json_t *o = json_object(), *lat = json_object(), *status = json_object();
    json_t *kinds = json_object();
    json_object_set_new(o, "requests", json_integer((json_int_t)st->requests));
    json_object_set_new(o, "errors", json_integer((json_int_t)st->errors));
    json_object_set_new(o, "duration_s", json_real(st->elapsed_s));
    json_object_set_new(o, "rps", json_real(st->rps));
    const struct {
        const char *k;
        double v;
    } ls[] = {{"p50", st->p50}, {"p75", st->p75}, {"p90", st->p90},   {"p95", st->p95},
              {"p99", st->p99}, {"p999", st->p999}, {"max", st->max}, {"mean", st->mean}};
    for (size_t i = 0; i < LC_ARRAY_LEN(ls); i++)
        json_object_set_new(lat, ls[i].k, json_real(ls[i].v * 1e3));
    json_object_set_new(o, "latency_ms", lat);
    for (int code = 0; code < 600; code++) {
        if (!st->status[code])
            continue;
        char key[8];
        snprintf(key, sizeof(key), "%d", code);
        json_object_set_new(status, key, json_integer((json_int_t)st->status[code]));
    }
    json_object_set_new(o, "status", status);
    json_t *grpc = json_object();
    for (int code = 0; code < LOADGEN_GRPC_CODES; code++)
        if (st->grpc_status[code])
            json_object_set_new(grpc, loadgen_grpc_code_name(code),
                                json_integer((json_int_t)st->grpc_status[code]));
    json_object_set_new(o, "grpc_status", grpc);
    for (int k = 0; k < LOADGEN_ERR__COUNT; k++)
        json_object_set_new(kinds, loadgen_err_name((enum loadgen_err)k),
                            json_integer((json_int_t)st->by_kind[k]));
    json_object_set_new(o, "errors_by_kind", kinds);
    json_object_set_new(o, "late_sends", json_integer((json_int_t)st->late_sends));
    json_object_set_new(o, "bytes_read", json_integer((json_int_t)st->bytes_read));
    json_object_set_new(o, "body_bytes", json_integer((json_int_t)st->body_bytes));
    json_object_set_new(o, "responses", json_integer((json_int_t)st->responses));
    json_t *tls = json_object(), *msgs = json_object();
    json_object_set_new(tls, "handshakes", json_integer((json_int_t)st->tls_handshakes));
    json_object_set_new(tls, "resumed", json_integer((json_int_t)st->tls_resumed));
    json_object_set_new(o, "tls", tls);
    for (size_t i = 0; i < st->nmsgs; i++)
        json_object_set_new(msgs, st->msgs[i].text, json_integer((json_int_t)st->msgs[i].n));
    if (st->msgs_other)
        json_object_set_new(msgs, "(other errors)", json_integer((json_int_t)st->msgs_other));
    json_object_set_new(o, "error_messages", msgs);
    json_object_set_new(o, "histogram", load_hist_json(lat_hist));
    if (extra)
        json_object_update(o, extra);
    json_decref(extra);
    int rc = json_dumpf(o, out, JSON_REAL_PRECISION(10)) == 0 && fputc('\n', out) != EOF ? 0 : -1;
    json_decref(o);
    return rc;
}
