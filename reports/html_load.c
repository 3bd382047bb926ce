/* reports/html_load.c: the load panel of report.html: what the load
 * generator did (figures, requests/s and latency over time, status codes,
 * errors by kind). */
#include "reports/html_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/text.h"

/* The series of t named name (borrowed), or NULL. */
const struct report_series *html_series(const struct report_test *t, const char *name)
{
    for (size_t i = 0; t->series && i < t->nseries; i++)
        if (t->series[i].name && strcmp(t->series[i].name, name) == 0)
            return &t->series[i];
    return NULL;
}

static void tile(struct lc_buf *b, const char *label, double v, enum report_unit u)
{
    lc_buf_puts(b, "<div class=\"tile\"><b>");
    html_value(b, v, u);
    lc_buf_printf(b, "</b><span>%s</span></div>", label);
}

static void tiles(struct lc_buf *b, const struct report_load *l)
{
    lc_buf_puts(b, "<div class=\"tiles\">");
    tile(b, "requests", (double)l->requests, REPORT_UNIT_COUNT);
    tile(b, "errors", (double)l->errors, REPORT_UNIT_COUNT);
    tile(b, "error rate", l->requests ? (double)l->errors / (double)l->requests : NAN,
         REPORT_UNIT_FRACTION);
    tile(b, "throughput", l->rps, REPORT_UNIT_RATE);
    tile(b, "latency p50", l->p50_ms / 1e3, REPORT_UNIT_SECONDS);
    tile(b, "latency p90", l->p90_ms / 1e3, REPORT_UNIT_SECONDS);
    tile(b, "latency p99", l->p99_ms / 1e3, REPORT_UNIT_SECONDS);
    tile(b, "latency max", l->max_ms / 1e3, REPORT_UNIT_SECONDS);
    tile(b, "load duration", l->duration_s, REPORT_UNIT_SECONDS);
    lc_buf_puts(b, "</div>");
}

/* A chart of one or more load series (those the run has), with a legend. */
static void load_chart(struct lc_buf *b, const struct report_test *t, const char *title,
                       const char *const *names, size_t n, enum report_unit u, double tmax)
{
    struct html_plot plots[4];
    size_t np = 0;
    for (size_t i = 0; i < n && np < LC_ARRAY_LEN(plots); i++) {
        const struct report_series *s = html_series(t, names[i]);
        if (s && s->npoints > 0) {
            size_t k = 0;
            struct report_point *pts =
                report_downsample(s->points, s->npoints, REPORT_MAX_POINTS, &k);
            plots[np] = (struct html_plot){names[i], pts, k, (int)np};
            np++;
        }
    }
    if (np == 0)
        return;
    lc_buf_printf(b, "<figure><figcaption><span class=\"name\">%s</span>", title);
    for (size_t i = 0; np > 1 && i < np; i++)
        lc_buf_printf(b, "<span class=\"key k%zu\">\xe2\x80\x94 %s</span>", i, plots[i].name);
    lc_buf_puts(b, "</figcaption>");
    struct html_chart c = {.unit = u,
                           .phases = t->phases,
                           .nphases = t->phases ? t->nphases : 0,
                           .tmax = tmax,
                           .plots = plots,
                           .nplots = np};
    html_chart_svg(b, &c);
    lc_buf_puts(b, "</figure>");
    for (size_t i = 0; i < np; i++)
        free((void *)plots[i].pts);
}

static uint64_t total(const struct report_count *c, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; c && i < n; i++)
        sum += c[i].n;
    return sum;
}

/* A table of counts with a bar each; bar classes by status class. */
static void count_table(struct lc_buf *b, const char *what, const struct report_count *c, size_t n,
                        int status)
{
    uint64_t sum = total(c, n);
    lc_buf_printf(b,
                  "<div><table><tr><th>%s</th><th class=\"num\">count</th><th class=\"num\">"
                  "share</th><th style=\"width:45%%\"></th></tr>",
                  what);
    for (size_t i = 0; c && i < n; i++) {
        double share = sum ? (double)c[i].n / (double)sum : 0;
        char cls[8] = "err";
        if (status && c[i].key && c[i].key[0] >= '1' && c[i].key[0] <= '5')
            snprintf(cls, sizeof(cls), "s%c", c[i].key[0]);
        if (status && c[i].key && strcmp(c[i].key, "OK") == 0) /* gRPC's */
            snprintf(cls, sizeof(cls), "s2");
        lc_buf_puts(b, "<tr><td class=\"mono\">");
        html_esc(b, c[i].key, REPORT_TEXT_ONE_LINE);
        lc_buf_printf(b, "</td><td class=\"num\">%llu</td><td class=\"num\">",
                      (unsigned long long)c[i].n);
        html_value(b, share, REPORT_UNIT_FRACTION);
        lc_buf_printf(b, "</td><td><div class=\"bar %s\" style=\"width:%.1f%%\"></div></td></tr>",
                      cls, share * 100);
    }
    if (!c || n == 0)
        lc_buf_puts(b, "<tr><td colspan=\"4\" class=\"sub\">none</td></tr>");
    lc_buf_puts(b, "</table></div>");
}

/* Appends t's load panel; nothing without load. */
void html_load_panel(struct lc_buf *b, const struct report_test *t, double tmax)
{
    static const char *const rps[] = {"rps"};
    static const char *const lat[] = {"p50", "p99"};
    const struct report_load *l = &t->load;
    if (!l->present)
        return;
    lc_buf_puts(b, "<h3>Load</h3>");
    tiles(b, l);
    lc_buf_puts(b, "<div class=\"grid\">");
    /* the series are per sampling interval; the tiles are the whole load */
    load_chart(b, t, "requests/s per interval", rps, LC_ARRAY_LEN(rps), REPORT_UNIT_RATE, tmax);
    load_chart(b, t, "latency per interval", lat, LC_ARRAY_LEN(lat), REPORT_UNIT_SECONDS, tmax);
    lc_buf_puts(b, "</div><div class=\"cols\">");
    count_table(b, "HTTP status", l->status, l->nstatus, 1);
    count_table(b, "errors by kind", l->errors_by_kind, l->nerrors_by_kind, 0);
    if (l->ngrpc_status)
        count_table(b, "gRPC status", l->grpc_status, l->ngrpc_status, 1);
    lc_buf_puts(b, "</div>");
}
