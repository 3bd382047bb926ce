/* tests/unit/test_html_series.c: long series in report.html: downsampling a
 * day of samples, the units values and offsets are written in, and a soak's
 * chart (time axis, warm-up, trend fit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/lc.h"
#include "html_fixture.h"
#include "reports/report.h"
#include "reports/units.h"

static double day_value(size_t i)
{
    if (i == 200001)
        return 1e6; /* a one-sample spike */
    if (i >= 300000 && i < 300004)
        return NAN; /* a gap of one second */
    return 100 + (double)(i % 1000) / 100;
}

static void test_downsample_day(void **state)
{
    (void)state;
    const size_t n = 24 * 3600 * 4; /* 24 h at 250 ms */
    assert_int_equal(n, 345600);
    struct report_point *pts = lc_malloc(n * sizeof(*pts));
    for (size_t i = 0; i < n; i++)
        pts[i] = (struct report_point){(double)i * 0.25, day_value(i)};
    size_t k = 0;
    struct report_point *out = report_downsample(pts, n, REPORT_MAX_POINTS, &k);
    assert_non_null(out);
    assert_true(k <= REPORT_MAX_POINTS);
    assert_true(k >= REPORT_MAX_POINTS / 2);
    assert_true(out[0].t == 0 && out[0].v == pts[0].v);
    assert_true(out[k - 1].t == pts[n - 1].t && out[k - 1].v == pts[n - 1].v);
    int spike = 0, gap = 0;
    double lo = INFINITY;
    for (size_t i = 0; i < k; i++) {
        if (i > 0)
            assert_true(out[i].t > out[i - 1].t);
        spike |= out[i].v == 1e6 && out[i].t == 200001 * 0.25;
        gap |= isnan(out[i].v);
        if (isfinite(out[i].v))
            lo = fmin(lo, out[i].v);
    }
    assert_true(spike);
    assert_true(gap);
    assert_true(lo == 100);
    /* without gaps the same bound holds */
    for (size_t i = 300000; i < 300004; i++)
        pts[i].v = 5;
    free(out);
    out = report_downsample(pts, n, REPORT_MAX_POINTS, &k);
    assert_true(k <= REPORT_MAX_POINTS && k > REPORT_MAX_POINTS - 10);
    free(out);
    free(pts);
}

static void test_downsample_small(void **state)
{
    (void)state;
    size_t k = 99;
    assert_null(report_downsample(NULL, 0, 100, &k));
    assert_int_equal(k, 0);
    struct report_point pts[10];
    for (size_t i = 0; i < 10; i++)
        pts[i] = (struct report_point){(double)i, (double)(i * i)};
    struct report_point *out = report_downsample(pts, 10, 100, &k);
    assert_int_equal(k, 10);
    assert_memory_equal(out, pts, sizeof(pts));
    free(out);
    /* every size from 9 to 400 into at most 8..40 points */
    struct report_point many[400];
    for (size_t i = 0; i < 400; i++)
        many[i] = (struct report_point){(double)i, (double)((i * 7919) % 401)};
    for (size_t n = 9; n <= 400; n += 13) {
        for (size_t max = 8; max <= 40; max += 4) {
            out = report_downsample(many, n, max, &k);
            assert_true(k <= (n < max ? n : max));
            assert_true(out[0].t == 0 && out[k - 1].t == (double)(n - 1));
            free(out);
        }
    }
}

static void test_units(void **state)
{
    (void)state;
    static const struct {
        double v;
        enum report_unit u;
        const char *want;
    } cases[] = {
        {2007, REPORT_UNIT_COUNT, "2007"},
        {12345, REPORT_UNIT_COUNT, "12.3k"},
        {0.5, REPORT_UNIT_COUNT, "0.5"},
        {17174528, REPORT_UNIT_BYTES, "16.4MB"},
        {512, REPORT_UNIT_BYTES, "512B"},
        {1048064, REPORT_UNIT_BYTES, "1MB"},
        {0.005453, REPORT_UNIT_SECONDS, "5.45ms"},
        {0.00025, REPORT_UNIT_SECONDS, "250\xc2\xb5s"},
        {90, REPORT_UNIT_SECONDS, "90s"},
        {0.01, REPORT_UNIT_FRACTION, "1%"},
        {3520.4, REPORT_UNIT_RATE, "3520/s"},
        {NAN, REPORT_UNIT_COUNT, "n/a"},
        {-0.0, REPORT_UNIT_COUNT, "0"},
    };
    char buf[64];
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++) {
        report_fmt_value(cases[i].v, cases[i].u, buf, sizeof(buf));
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, buf, cases[i].want);
    }
    assert_int_equal(report_unit_of("rss"), REPORT_UNIT_BYTES);
    assert_int_equal(report_unit_of("go_memstats_alloc_bytes{job=\"x\"}"), REPORT_UNIT_BYTES);
    assert_int_equal(report_unit_of("p99"), REPORT_UNIT_SECONDS);
    assert_int_equal(report_unit_of("error_rate"), REPORT_UNIT_FRACTION);
    assert_int_equal(report_unit_of("goroutines"), REPORT_UNIT_COUNT);
    assert_true(report_per_interval("p99") && report_per_interval("rps") &&
                report_per_interval("error_rate") && report_per_interval("latency_max"));
    assert_false(report_per_interval("requests") || report_per_interval("p99_seconds") ||
                 report_per_interval("rps_total") || report_per_interval("") ||
                 report_per_interval(NULL));
    report_fmt_offset(5400, buf, sizeof(buf));
    assert_string_equal(buf, "90m");
    report_fmt_offset(86400, buf, sizeof(buf));
    assert_string_equal(buf, "24h");
}

/* A soak: a 64 MB sawtooth over a live heap that leaks 2 MB an hour,
 * sampled every 10 s, over `hours` hours of load after 10 s of baseline. */
static double soak_inuse(double t)
{
    return 8e6 + 2e6 * t / 3600 + fmod(t, 60) / 60 * 64e6;
}

static double soak_live(double t)
{
    return 8e6 + 2e6 * t / 3600;
}

static char *soak_html(double hours, int failing)
{
    struct report_run *r = lc_calloc(1, sizeof(*r));
    struct lc_error err = {0};
    r->suite = lc_strdup("soak");
    struct report_test *t = report_add_test(r);
    t->name = lc_strdup("nightly");
    t->verdict = failing ? REPORT_FAIL : REPORT_PASS;
    double end = 10 + hours * 3600;
    t->duration_s = end;
    size_t n = (size_t)(end / 10) + 1;
    add_series(t, "heap_inuse", 8e6, soak_inuse, 10, n);
    add_series(t, "heap_live", 8e6, soak_live, 10, n);
    add_assertion(t, "trend(heap_inuse) < 1MB/h", !failing, 2e6 / 3600, 1048576.0 / 3600,
                  "heap_inuse live heap after each GC (heap_live) rising 1.9MB/h");
    struct report_trend *tr = lc_calloc(1, sizeof(*tr));
    double warm = fmin(hours * 3600 / 3, 1800);
    double mid = (10 + warm + end) / 2;
    /* slope 2 MB/h, 95% interval 1.5..2.5 MB/h */
    *tr = (struct report_trend){10 + warm,
                                end,
                                warm,
                                2e6 / 3600,
                                1.5e6 / 3600,
                                2.5e6 / 3600,
                                mid,
                                soak_live(mid),
                                lc_strdup("heap_live")};
    t->assertions[0].trend = tr;
    t->phases = lc_calloc(2, sizeof(*t->phases));
    t->phases[0] = (struct report_phase){lc_strdup("baseline"), 0, 10};
    t->phases[1] = (struct report_phase){lc_strdup("load"), 10, end};
    t->nphases = 2;
    char dir[] = "/tmp/lc_html_soak_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *p = lc_asprintf("%s/report.html", dir);
    assert_int_equal(report_html_write(r, p, &err), 0);
    char *html = lc_read_file(p, 16u << 20, NULL, &err);
    assert_non_null(html);
    unlink(p);
    rmdir(dir);
    free(p);
    report_run_free(r);
    return html;
}

/* The chart of heap_inuse in html (its <svg> element). */
static char *chart_of(const char *html, const char *name)
{
    char *key = lc_asprintf("<span class=\"name\">%s</span>", name);
    const char *start = strstr(html, key);
    free(key);
    assert_non_null(start);
    start = strstr(start, "<svg");
    assert_non_null(start);
    const char *end = strstr(start, "</svg>");
    assert_non_null(end);
    return lc_strndup(start, (size_t)(end - start));
}

static void test_soak_chart(void **state)
{
    (void)state;
    /* 2 hours: the axis in minutes, ticks every 15 */
    char *html = soak_html(2, 1);
    char *c = chart_of(html, "heap_inuse");
    assert_non_null(strstr(c, "data-tunit=\"m\""));
    assert_non_null(strstr(c, ">30m</text>"));
    assert_non_null(strstr(c, ">120m</text>"));
    assert_null(strstr(c, ">1h30m</text>"));
    /* the warm-up (the first 30 of 120 minutes of load) shaded and named:
     * 1800 s of the 7210 s axis of 566 units */
    const char *wu = strstr(c, "<g class=\"warmup\">");
    assert_non_null(wu);
    double x = 0, w = 0;
    const char *rect = strstr(wu, "<rect");
    assert_non_null(rect);
    assert_int_equal(sscanf(rect, "<rect x=\"%lf\" y=\"%*[^\"]\" width=\"%lf\"", &x, &w), 2);
    assert_true(fabs(x - (60 + 10.0 / 7210 * 566)) < 0.2);
    assert_true(fabs(w - 1800.0 / 7210 * 566) < 0.2);
    assert_non_null(strstr(wu, ">warm-up</text>"));
    /* the failed fit: a band and a rising line (y falls) from the warm-up's end */
    const char *g = strstr(c, "<g class=\"trend fail\">");
    assert_non_null(g);
    assert_non_null(strstr(g, "<polygon class=\"band\""));
    double x1, y1, x2, y2;
    const char *fit = strstr(g, "<line class=\"fit\"");
    assert_non_null(fit);
    assert_int_equal(sscanf(fit, "<line class=\"fit\" x1=\"%lf\" y1=\"%lf\" x2=\"%lf\" y2=\"%lf\"",
                            &x1, &y1, &x2, &y2),
                     4);
    assert_true(fabs(x1 - (x + w)) < 0.2 && fabs(x2 - 626) < 0.2);
    assert_true(y2 < y1);
    /* drawn on the floor: the live heap it was fitted on is plotted beside */
    assert_non_null(strstr(c, "data-name=\"heap_live\""));
    assert_non_null(strstr(html, "<span><i class=\"sw wu\"></i>warm-up</span>"));
    free(c);
    free(html);
    /* 24 hours: in hours; a pass is drawn in the passing colour */
    html = soak_html(24, 0);
    c = chart_of(html, "heap_inuse");
    assert_non_null(strstr(c, "data-tunit=\"h\""));
    assert_non_null(strstr(c, ">6h</text>"));
    assert_non_null(strstr(c, ">24h</text>"));
    assert_non_null(strstr(c, "<g class=\"trend\">"));
    assert_null(strstr(c, "<g class=\"trend fail\">"));
    free(c);
    free(html);
    /* 10 minutes: seconds and minutes as before */
    html = soak_html(10.0 / 60, 0);
    c = chart_of(html, "heap_inuse");
    assert_non_null(strstr(c, "data-tunit=\"s\""));
    free(c);
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_downsample_day),
        cmocka_unit_test(test_downsample_small),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_soak_chart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
