/* cli/load_output.c: hey-shaped text and JSON for `leakcheck load`. */
#include "cli/load_output.h"

#include <jansson.h>
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
    fprintf(out, "\n  Total data:\t%llu bytes (headers included)\n", (unsigned long long)st->bytes_read);
    uint64_t ok = st->requests - st->by_kind[LOADGEN_ERR_CONNECT] -
                  st->by_kind[LOADGEN_ERR_RESET] - st->by_kind[LOADGEN_ERR_TIMEOUT] -
                  st->by_kind[LOADGEN_ERR_MALFORMED] - st->by_kind[LOADGEN_ERR_TRUNCATED];
    if (ok > 0)
        fprintf(out, "  Size/request:\t%llu bytes\n", (unsigned long long)(st->bytes_read / ok));
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
    fprintf(out, "\nResponse time histogram:\n");
    for (int i = 0; i < HIST_ROWS; i++) {
        int bar = (int)(counts[i] * BAR_WIDTH / most);
        fprintf(out, "  %.3f [%llu]\t|", (double)marks[i] / 1e6, (unsigned long long)counts[i]);
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

void load_output_text(FILE *out, const struct loadgen_stats *st, const struct hist *lat)
{
    summary(out, st, lat);
    histogram(out, lat);
    distribution(out, lat);
    fprintf(out, "\nStatus code distribution:\n");
    for (int code = 0; code < 600; code++)
        if (st->status[code])
            fprintf(out, "  [%d]\t%llu responses\n", code, (unsigned long long)st->status[code]);
    int any = 0;
    for (int k = 0; k < LOADGEN_ERR__COUNT; k++) {
        if (!st->by_kind[k] || k == LOADGEN_ERR_STATUS)
            continue;
        if (!any++)
            fprintf(out, "\nError distribution:\n");
        fprintf(out, "  [%llu]\t%s\n", (unsigned long long)st->by_kind[k],
                loadgen_err_name((enum loadgen_err)k));
    }
    fputc('\n', out);
}

int load_output_json(FILE *out, const struct loadgen_stats *st)
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
    for (int k = 0; k < LOADGEN_ERR__COUNT; k++)
        json_object_set_new(kinds, loadgen_err_name((enum loadgen_err)k),
                            json_integer((json_int_t)st->by_kind[k]));
    json_object_set_new(o, "errors_by_kind", kinds);
    json_object_set_new(o, "late_sends", json_integer((json_int_t)st->late_sends));
    json_object_set_new(o, "bytes_read", json_integer((json_int_t)st->bytes_read));
    int rc = json_dumpf(o, out, JSON_REAL_PRECISION(10)) == 0 && fputc('\n', out) != EOF ? 0 : -1;
    json_decref(o);
    return rc;
}
