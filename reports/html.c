/*
 * reports/html.c: report.html, one self-contained page per run: a banner per
 * test, its assertions and culprits, a chart per sampled metric (those the
 * failing assertions read first, the uninteresting ones folded away), the
 * load panel and the end of the target's log. Inline CSS and SVG only; a
 * small optional script adds tooltips. The markup is also well-formed XML
 * (void elements closed, the script in CDATA), so XML tools can check it.
 */
#include "reports/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/metric_table.h"
#include "reports/compare.h"
#include "reports/cost.h"
#include "reports/culprits.h"
#include "reports/html_int.h"
#include "reports/text.h"

/* Lines (baseline and limits) drawn on one chart, at most. */
#define MAX_LINES 16

static const char *vlabel(enum report_verdict v)
{
    return v == REPORT_PASS ? "PASS" : v == REPORT_FAIL ? "FAIL" : "ERROR";
}

static void badge(struct lc_buf *b, enum report_verdict v, const char *extra)
{
    lc_buf_printf(b, "<span class=\"badge %s%s\">%s</span>", report_verdict_name(v), extra,
                  vlabel(v));
}

/* The end of the time axis: the last phase or sample of the test. */
static double test_tmax(const struct report_test *t)
{
    double m = 0;
    for (size_t i = 0; t->phases && i < t->nphases; i++)
        if (isfinite(t->phases[i].end))
            m = fmax(m, t->phases[i].end);
    for (size_t i = 0; t->series && i < t->nseries; i++) {
        const struct report_series *s = &t->series[i];
        if (s->points && s->npoints > 0 && isfinite(s->points[s->npoints - 1].t))
            m = fmax(m, s->points[s->npoints - 1].t);
    }
    return m > 0 ? m : 1;
}

static void put_time(struct lc_buf *b, double wall)
{
    char buf[64];
    if (!isfinite(wall) || wall <= 0 || wall >= 253402300800.0)
        return;
    lc_format_time(wall, buf, sizeof(buf));
    lc_buf_printf(b, " \xc2\xb7 started %s", buf);
}

/* "4.5s", or "1h30m" for long runs. */
static void put_duration(struct lc_buf *b, const char *prefix, double s)
{
    char buf[64];
    if (s < 120)
        snprintf(buf, sizeof(buf), "%.1fs", s);
    else
        report_fmt_offset(s, buf, sizeof(buf));
    lc_buf_printf(b, "%s%s", prefix, buf);
}

static void run_header(struct lc_buf *b, const struct report_run *r)
{
    size_t n[3] = {0, 0, 0}, total = r->tests ? r->ntests : 0;
    for (size_t i = 0; i < total; i++)
        n[r->tests[i].verdict == REPORT_PASS ? 0 : r->tests[i].verdict == REPORT_FAIL ? 1 : 2]++;
    lc_buf_printf(b, "<header class=\"run v-%s\"><div class=\"wrap\"><h1>",
                  report_verdict_name(r->verdict));
    badge(b, r->verdict, " big");
    lc_buf_puts(b, "<span>leakcheck \xc2\xb7 ");
    html_esc(b, r->suite ? r->suite : "(unnamed suite)", REPORT_TEXT_ONE_LINE);
    lc_buf_printf(b, "</span></h1><p class=\"sub\">%zu test%s: %zu passed, %zu failed, %zu error%s",
                  total, total == 1 ? "" : "s", n[0], n[1], n[2], n[2] == 1 ? "" : "s");
    if (r->interrupted)
        lc_buf_puts(b, " \xc2\xb7 <b>interrupted</b>");
    put_time(b, r->started_at);
    if (isfinite(r->duration_s))
        put_duration(b, " \xc2\xb7 took ", r->duration_s);
    if (r->suite_file) {
        lc_buf_puts(b, " \xc2\xb7 <span class=\"mono\">");
        html_esc(b, r->suite_file, REPORT_TEXT_ONE_LINE);
        lc_buf_puts(b, "</span>");
    }
    for (size_t i = 0; r->skipped && i < r->nskipped; i++) {
        lc_buf_puts(b, i ? ", " : " \xc2\xb7 skipped (not matching --test): ");
        html_esc(b, r->skipped[i], REPORT_TEXT_ONE_LINE);
    }
    for (size_t i = 0, k = 0; i < r->shard.n; i++) {
        if (!report_shard_other(r, i))
            continue;
        if (k++ == 0)
            lc_buf_printf(b, " \xc2\xb7 shard %u/%u, left to the others: ", r->shard.index,
                          r->shard.count);
        else
            lc_buf_puts(b, ", ");
        html_esc(b, r->shard.names[i], REPORT_TEXT_ONE_LINE);
    }
    if (r->shard.merged)
        lc_buf_printf(b, " \xc2\xb7 merged from %u shards", r->shard.merged);
    lc_buf_puts(b, "</p><ul class=\"toc\">");
    for (size_t i = 0; i < total; i++) {
        lc_buf_printf(b, "<li><a href=\"#t%zu\">", i);
        badge(b, r->tests[i].verdict, "");
        lc_buf_puts(b, " ");
        html_esc(b, r->tests[i].name, REPORT_TEXT_ONE_LINE);
        lc_buf_puts(b, "</a></li>");
    }
    lc_buf_puts(b, "</ul>");
    int charts = 0, trends = 0;
    double w0, w1;
    for (size_t i = 0; i < total; i++) {
        charts |= r->tests[i].nseries > 0;
        trends |= html_warmup_of(&r->tests[i], &w0, &w1) == 0;
    }
    /* the key to the charts, when there are any (the trend's when drawn) */
    lc_buf_puts(b, !charts ? "</div></header>"
                           : "<div class=\"legend\">"
                             "<span><i class=\"sw ph-baseline\"></i>baseline</span>"
                             "<span><i class=\"sw ph-load\"></i>load</span>"
                             "<span><i class=\"sw ph-observe\"></i>observe</span>"
                             "<span><i class=\"sw ph-settle\"></i>settle</span>"
                             "<span><i class=\"sw ln\"></i>baseline level</span>"
                             "<span><i class=\"sw lim\"></i>assertion limit</span>"
                             "<span><i class=\"sw dotr\"></i>beyond a failed limit</span>");
    if (charts && trends)
        lc_buf_puts(b, "<span><i class=\"sw wu\"></i>warm-up</span>"
                       "<span><i class=\"sw tr\"></i>trend() and its 95% band</span>");
    if (charts)
        lc_buf_puts(b, "</div></div></header>");
}

static void assertions_table(struct lc_buf *b, const struct report_test *t)
{
    if (!t->assertions || t->nassertions == 0)
        return;
    lc_buf_puts(b, "<h3>Assertions</h3><table><tr><th></th><th>assertion</th><th>result</th></tr>");
    for (size_t i = 0; i < t->nassertions; i++) {
        const struct report_assertion *a = &t->assertions[i];
        const char *cls = a->errored ? "error" : a->passed ? "pass" : "fail";
        const char *mark = a->errored ? "!" : a->passed ? "\xe2\x9c\x93" : "\xe2\x9c\x97";
        lc_buf_printf(b, "<tr class=\"%s\"><td class=\"mark %s\">%s</td><td><code>", cls, cls,
                      mark);
        html_esc(b, a->expr, REPORT_TEXT_ONE_LINE);
        lc_buf_puts(b, "</code></td><td>");
        if (report_assertion_flaky(a))
            lc_buf_printf(b, "<span class=\"badge flaky\">FLAKY</span> passed in %u of %u runs: ",
                          a->runs_passed, a->runs);
        html_esc(b, a->message, REPORT_TEXT_ONE_LINE);
        if (report_assertion_flaky(a) && a->flaky_message) {
            lc_buf_puts(b, "<br><span class=\"sub\">another run: ");
            html_esc(b, a->flaky_message, REPORT_TEXT_ONE_LINE);
            lc_buf_puts(b, "</span>");
        }
        lc_buf_puts(b, "</td></tr>");
    }
    lc_buf_puts(b, "</table>");
}

/* A level culprit's row puts the weight on what it holds at the end, a
 * growth culprit's on its growth. */
static void culprit_row(struct lc_buf *b, const struct report_culprit *c)
{
    enum report_unit u =
        c->kind && strcmp(c->kind, "heap") == 0 ? REPORT_UNIT_BYTES : REPORT_UNIT_COUNT;
    int level = c->basis == REPORT_BASIS_LEVEL;
    lc_buf_puts(b, "<tr><td>");
    html_esc(b, c->kind, REPORT_TEXT_ONE_LINE);
    if (level)
        lc_buf_puts(b, " <span class=\"holds\" title=\"one of the largest holders at the end, "
                       "named because an assertion on a level failed\">holds</span>");
    if (c->proven)
        lc_buf_puts(b, " <span class=\"proven\" title=\"Go's goroutineleak profile reports "
                       "these as leaked\">proven leak</span>");
    lc_buf_puts(b, "</td><td><code>");
    html_esc(b, c->function ? c->function : "", REPORT_TEXT_ONE_LINE);
    lc_buf_puts(b, "</code><br/><span class=\"sub mono\">");
    html_esc(b, c->location, REPORT_TEXT_ONE_LINE);
    lc_buf_puts(b, "</span></td><td class=\"num\">");
    html_value(b, c->before, u);
    lc_buf_puts(b, level ? "</td><td class=\"num\"><b>" : "</td><td class=\"num\">");
    html_value(b, c->after, u);
    lc_buf_puts(b, level ? "</b></td><td class=\"num\">" : "</td><td class=\"num\"><b>");
    int gc = c->kind && strcmp(c->kind, "finalizer") == 0;
    if (isfinite(c->growth) && c->growth > 0 && !gc)
        lc_buf_puts(b, "+");
    html_value(b, c->growth, u);
    /* a finalizer culprit's figure is what the collector closed */
    if (gc)
        lc_buf_puts(b, " closed by GC");
    lc_buf_puts(b, level ? "</td><td>" : "</b></td><td>");
    html_esc(b, c->detail, REPORT_TEXT_ONE_LINE);
    lc_buf_puts(b, "</td></tr>");
}

static void culprits_table(struct lc_buf *b, const struct report_test *t)
{
    if (t->culprits && t->nculprits > 0) {
        /* "What grew", "What holds the most at the end", or both */
        const char *title = report_culprits_title(t);
        lc_buf_puts(b, "<h3>W");
        html_esc(b, title + 1, REPORT_TEXT_ONE_LINE);
        lc_buf_puts(b, "</h3><table><tr><th>kind</th><th>where</th>"
                       "<th class=\"num\">baseline</th><th class=\"num\">end</th>"
                       "<th class=\"num\">growth</th><th>detail</th></tr>");
        for (size_t i = 0; i < t->nculprits; i++)
            culprit_row(b, &t->culprits[i]);
        lc_buf_puts(b, "</table>");
    }
    if (t->pprof_base_cmd) {
        lc_buf_puts(b, "<p class=\"sub\">To look closer: <code class=\"cmd\">");
        html_esc(b, t->pprof_base_cmd, REPORT_TEXT_ONE_LINE);
        lc_buf_puts(b, "</code></p>");
    }
}

static void stat(struct lc_buf *b, const char *label, double v, enum report_unit u, int *first)
{
    if (!isfinite(v))
        return;
    lc_buf_printf(b, "%s%s ", *first ? "" : " \xc2\xb7 ", label);
    html_value(b, v, u);
    *first = 0;
}

/* One figure: caption (name, baseline/final/min/max), then the chart with
 * its baseline, limits and failing points. */
static void metric_figure(struct lc_buf *b, const struct report_test *t,
                          const struct report_series *s, double tmax)
{
    struct html_hline lines[MAX_LINES];
    struct html_zone zones[MAX_LINES];
    size_t nz = 0, n = html_limits_for(t, s, tmax, lines, MAX_LINES, zones, &nz);
    enum report_unit u = report_unit_of(s->name);
    int first = 1;
    lc_buf_printf(b, "<figure%s><figcaption><span class=\"name\">", nz ? " class=\"failing\"" : "");
    html_esc(b, s->name, REPORT_TEXT_ONE_LINE);
    lc_buf_puts(b, "</span><span class=\"stats\">");
    /* the load's figures: points per interval, final over the whole load */
    int per = report_per_interval(s->name);
    stat(b, "baseline", s->baseline, u, &first);
    stat(b, per ? "whole load" : "final", s->final, u, &first);
    stat(b, per ? "interval min" : "min", s->min, u, &first);
    stat(b, per ? "interval max" : "max", s->max, u, &first);
    lc_buf_puts(b, "</span>");
    if (nz)
        lc_buf_puts(b, "<span class=\"flag\">FAILING</span>");
    lc_buf_puts(b, "</figcaption>");
    size_t np = 0, nx = 0;
    struct report_point *pts = report_downsample(s->points, s->npoints, REPORT_MAX_POINTS, &np);
    /* a trend fitted on another series (the live heap for heap_inuse):
     * that series too, under its fit */
    struct html_trend trends[MAX_LINES];
    const struct report_series *x = NULL;
    size_t ntr = html_trends_for(t, s, trends, MAX_LINES, &x);
    struct report_point *xp =
        x ? report_downsample(x->points, x->npoints, REPORT_MAX_POINTS, &nx) : NULL;
    struct html_plot plots[2] = {{s->name, pts, np, 0}, {x ? x->name : "", xp, nx, 1}};
    struct html_chart c = {.unit = u,
                           .phases = t->phases,
                           .nphases = t->phases ? t->nphases : 0,
                           .tmax = tmax,
                           .plots = plots,
                           .nplots = x ? 2 : 1,
                           .lines = lines,
                           .nlines = n,
                           .zones = zones,
                           .nzones = nz,
                           .trends = trends,
                           .ntrends = ntr};
    html_warmup_of(t, &c.warm0, &c.warm1);
    if (x) {
        lc_buf_puts(b, "<div class=\"also k1\">\xe2\x80\x94 ");
        html_esc(b, x->name, REPORT_TEXT_ONE_LINE);
        lc_buf_puts(b, ": the series the trend was fitted on</div>");
    }
    html_chart_svg(b, &c);
    free(xp);
    free(pts);
    lc_buf_puts(b, "</figure>");
}

/* Series shown in the load panel (not repeated among the other metrics). */
static int in_load_panel(const struct report_test *t, const char *name)
{
    const struct metric_def *d = metric_builtin(name);
    return t->load.present && d && (d->flags & METRIC_LOAD_PANEL);
}

/* A series worth showing open even when no assertion reads it: the usual
 * leak signals, and any that ended well above its baseline. Counters that
 * only ever grow (requests, GC cycles, *_total) are not signals. */
static int notable(const struct report_series *s)
{
    const struct metric_def *d = metric_builtin(s->name);
    if (d && (d->flags & (METRIC_NOTABLE | METRIC_GROWS)))
        return (d->flags & METRIC_NOTABLE) != 0;
    size_t n = strcspn(s->name, "{");
    if (n >= 6 && strncmp(s->name + n - 6, "_total", 6) == 0)
        return 0;
    return isfinite(s->baseline) && isfinite(s->final) && s->final > s->baseline * 1.5 &&
           s->final - s->baseline > compare_slack(s->name);
}

/* Emits the charts of series named by the assertions (failed ones first
 * when failed is set, else the rest). */
static void assertion_charts(struct lc_buf *b, const struct report_test *t, int failed, char *done,
                             double tmax)
{
    char metric[256];
    for (size_t i = 0; t->assertions && i < t->nassertions; i++) {
        const struct report_assertion *a = &t->assertions[i];
        if ((!a->passed && !a->errored) != failed ||
            html_assert_metric(a, metric, sizeof(metric)) != 0)
            continue;
        const struct report_series *s = html_series(t, metric);
        if (!s || done[s - t->series] || s->npoints == 0)
            continue;
        done[s - t->series] = 1;
        metric_figure(b, t, s, tmax);
    }
}

static void metric_charts(struct lc_buf *b, const struct report_test *t, double tmax)
{
    size_t n = t->series ? t->nseries : 0, rest = 0;
    char *done = lc_calloc(n + 1, 1);
    for (size_t i = 0; i < n; i++)
        done[i] = !t->series[i].name || t->series[i].npoints == 0 || !t->series[i].points;
    lc_buf_puts(b, "<h3>Metrics</h3><div class=\"grid\">");
    assertion_charts(b, t, 1, done, tmax);
    assertion_charts(b, t, 0, done, tmax);
    for (size_t i = 0; i < n; i++) {
        if (!done[i] && !in_load_panel(t, t->series[i].name) && notable(&t->series[i])) {
            done[i] = 1;
            metric_figure(b, t, &t->series[i], tmax);
        }
    }
    lc_buf_puts(b, "</div>");
    html_load_panel(b, t, tmax);
    for (size_t i = 0; i < n; i++)
        rest += !done[i] && !in_load_panel(t, t->series[i].name);
    if (rest > 0) {
        lc_buf_printf(b,
                      "<details class=\"more\"><summary>%zu more metric%s</summary>"
                      "<div class=\"grid\">",
                      rest, rest == 1 ? "" : "s");
        for (size_t i = 0; i < n; i++)
            if (!done[i] && !in_load_panel(t, t->series[i].name))
                metric_figure(b, t, &t->series[i], tmax);
        lc_buf_puts(b, "</div></details>");
    }
    free(done);
}

/* Whose /proc figures the charts show: one line. */
static void measured_line(struct lc_buf *b, const struct report_measured *m)
{
    if (!m->present)
        return;
    lc_buf_printf(b, "<p class=\"sub\">/proc figures of pid %ld", m->pid);
    if (m->how && *m->how) {
        lc_buf_puts(b, ", ");
        html_esc(b, m->how, REPORT_TEXT_ONE_LINE);
    }
    if (m->pid != m->started_pid)
        lc_buf_printf(b, " (the target's pid is %ld)", m->started_pid);
    if (m->changes)
        lc_buf_printf(b, ", after %u change%s", m->changes, m->changes == 1 ? "" : "s");
    if (m->command && *m->command) {
        lc_buf_puts(b, ": <span class=\"mono\">");
        html_esc(b, m->command, REPORT_TEXT_ONE_LINE);
        lc_buf_puts(b, "</span>");
    }
    lc_buf_puts(b, "</p>");
}

static void test_section(struct lc_buf *b, const struct report_test *t, size_t ti)
{
    lc_buf_printf(b, "<section class=\"test v-%s\" id=\"t%zu\"><div class=\"banner\">",
                  report_verdict_name(t->verdict), ti);
    badge(b, t->verdict, " big");
    if (report_test_flaky(t))
        lc_buf_puts(b, "<span class=\"badge flaky big\">FLAKY</span>");
    lc_buf_puts(b, "<h2>");
    html_esc(b, t->name ? t->name : "", REPORT_TEXT_ONE_LINE);
    lc_buf_puts(b, "</h2><span class=\"sub\">");
    if (t->runs > 1)
        lc_buf_printf(b, "passed in %u of %u runs &middot; ", t->runs_passed, t->runs);
    if (isfinite(t->duration_s))
        put_duration(b, "", t->duration_s);
    put_time(b, t->started_at);
    lc_buf_puts(b, "</span></div>");
    if (t->error) {
        lc_buf_puts(b, "<div class=\"errbox\"><b>The test could not run to the end:</b> ");
        html_esc(b, t->error, REPORT_TEXT_ONE_LINE);
        lc_buf_puts(b, "</div>");
    }
    assertions_table(b, t);
    culprits_table(b, t);
    if (t->series && t->nseries > 0)
        metric_charts(b, t, test_tmax(t));
    else
        html_load_panel(b, t, test_tmax(t));
    if (t->log_tail && *t->log_tail) {
        lc_buf_printf(b,
                      "<details class=\"log\"%s><summary>end of the target's log</summary>"
                      "<pre class=\"log\">",
                      t->verdict == REPORT_ERROR ? " open=\"open\"" : "");
        html_esc(b, t->log_tail, 0);
        lc_buf_puts(b, "</pre></details>");
    }
    measured_line(b, &t->measured);
    struct lc_buf si = {0};
    if (report_stand_ins(t, &si))
        lc_buf_printf(b,
                      "<p class=\"sub\">from the target's Prometheus collectors (no /proc or "
                      "pprof): %s</p>",
                      si.data); /* built-in names only */
    lc_buf_free(&si);
    if (t->cost.present) {
        lc_buf_puts(b, "<p class=\"sub cost\">");
        report_cost_text(b, &t->cost); /* numbers and fixed words only */
        lc_buf_puts(b, "</p>");
    }
    if (t->dir) {
        /* relative to the page, which sits in --out beside the folder */
        lc_buf_puts(b, "<p class=\"sub\">Files: <a class=\"mono\" href=\"");
        html_esc(b, t->dir, REPORT_TEXT_ONE_LINE);
        lc_buf_puts(b, "/\">");
        html_esc(b, t->dir, REPORT_TEXT_ONE_LINE);
        lc_buf_puts(b, "/</a></p>");
    }
    lc_buf_puts(b, "</section>");
}

/* Writes the page for r to path atomically; 0, or -1 with err. */
int report_html_write(const struct report_run *r, const char *path, struct lc_error *err)
{
    if (!r || !path) {
        lc_error_set(err, "report.html: no run or no path given");
        return -1;
    }
    struct lc_buf b = {0};
    lc_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
                    "<title>");
    lc_buf_printf(&b, "%s \xe2\x80\x94 ", vlabel(r->verdict));
    html_esc(&b, r->suite ? r->suite : "leakcheck", REPORT_TEXT_ONE_LINE);
    lc_buf_puts(&b, " \xe2\x80\x94 leakcheck</title>\n<style>\n");
    for (size_t i = 0; html_css[i]; i++)
        lc_buf_puts(&b, html_css[i]);
    lc_buf_puts(&b, "</style></head>\n<body>\n");
    run_header(&b, r);
    lc_buf_puts(&b, "\n<main class=\"wrap\">\n");
    for (size_t i = 0; r->tests && i < r->ntests; i++) {
        test_section(&b, &r->tests[i], i);
        lc_buf_puts(&b, "\n");
    }
    lc_buf_printf(&b,
                  "</main>\n<footer class=\"wrap\">Written by leakcheck. Charts show at most "
                  "%d points per series (the lowest and highest of each stretch are kept)."
                  "</footer>\n<script>//<![CDATA[\n",
                  REPORT_MAX_POINTS);
    for (size_t i = 0; html_js[i]; i++)
        lc_buf_puts(&b, html_js[i]);
    lc_buf_puts(&b, "//]]></script>\n</body></html>\n");
    int rc = lc_write_file_atomic(path, b.data, b.len, err);
    lc_buf_free(&b);
    return rc;
}
