/* tests/unit/test_html.c: report.html written from a run built in memory and
 * read back with xmllint (as XML for well-formedness, as HTML for what an
 * HTML parser makes of it); the downsampling of long series; the units. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/lc.h"
#include "reports/report.h"
#include "reports/units.h"

#define EVIL_NAME                                                                                  \
    "<script>alert(1)</script> & \x1b[31mred\x1b[0m \x01"                                          \
    "end"
#define EVIL_ESCAPED "&lt;script&gt;alert(1)&lt;/script&gt; &amp; red end"

struct fixture {
    char dir[64];
    char *path;
    struct report_run *run;
    char *html;
};

static void add_series(struct report_test *t, const char *name, double base, double (*f)(double t),
                       double dt, size_t n)
{
    t->series = lc_realloc(t->series, (t->nseries + 1) * sizeof(*t->series));
    struct report_series *s = &t->series[t->nseries++];
    memset(s, 0, sizeof(*s));
    s->name = lc_strdup(name);
    s->points = lc_calloc(n, sizeof(*s->points));
    s->npoints = n;
    s->min = INFINITY;
    s->max = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double v = f((double)i * dt);
        s->points[i] = (struct report_point){(double)i * dt, v};
        if (isfinite(v)) {
            s->min = fmin(s->min, v);
            s->max = fmax(s->max, v);
        }
    }
    s->baseline = base;
    s->final = s->points[n - 1].v;
}

static void add_assertion(struct report_test *t, const char *expr, int passed, double observed,
                          double expected, const char *msg)
{
    t->assertions = lc_realloc(t->assertions, (t->nassertions + 1) * sizeof(*t->assertions));
    struct report_assertion *a = &t->assertions[t->nassertions++];
    memset(a, 0, sizeof(*a));
    a->expr = lc_strdup(expr);
    a->passed = passed;
    a->observed = observed;
    a->expected = expected;
    a->message = lc_strdup(msg);
}

/* goroutines: 7 for the baseline (0-1 s), 2007 from the load on, with a
 * gap of two missed samples at 2.0-2.25 s. Sampled every 0.25 s to 5 s. */
static double goroutines(double t)
{
    if (t >= 1.99 && t <= 2.26)
        return NAN;
    return t < 1 ? 7 : 2007;
}

static double fds(double t)
{
    return t < 1 ? 15 : t < 1.5 ? 25 : 15;
}

static double flat(double t)
{
    (void)t;
    return 1;
}

static double rps(double t)
{
    return t >= 1 && t < 1.5 ? 3000 + t : NAN;
}

static double p99(double t)
{
    return t >= 1 && t < 1.5 ? 0.005 : NAN;
}

static void build_run(struct report_run *r)
{
    struct report_test *t = report_add_test(r);
    t->name = lc_strdup(EVIL_NAME);
    t->verdict = REPORT_FAIL;
    t->duration_s = 5;
    t->started_at = 1700000000;
    add_series(t, "goroutines", 7, goroutines, 0.25, 21);
    add_series(t, "fds", 15, fds, 0.25, 21);
    add_series(t, "tcp_listen", 1, flat, 0.25, 21);
    add_series(t, "rps", NAN, rps, 0.25, 21);
    add_series(t, "p99", NAN, p99, 0.25, 21);
    /* the load's figures are per interval; their final values the whole load's */
    t->series[t->nseries - 2].final = 3000;
    t->series[t->nseries - 1].final = 0.005;
    add_assertion(t, "goroutines stay within 20 of baseline", 0, 2007, 7,
                  "goroutines ended at 2007, baseline 7: +2000, allowed \xc2\xb1"
                  "20");
    add_assertion(t, "fds <= baseline(fds) + 20", 1, 15, 35, "fds = 15, expected <= 35");
    add_assertion(t, "p99 < 250ms", 1, 0.005, 0.25, "p99 = 5ms, expected < 250ms");
    add_assertion(t, "rps > 3100", 0, 3000, 3100, "rps = 3000/s, expected > 3100/s");
    t->phases = lc_calloc(3, sizeof(*t->phases));
    t->phases[0] = (struct report_phase){lc_strdup("baseline"), 0, 1};
    t->phases[1] = (struct report_phase){lc_strdup("load"), 1, 1.5};
    t->phases[2] = (struct report_phase){lc_strdup("settle"), 1.5, 5};
    t->nphases = 3;
    t->load.present = 1;
    t->load.requests = 1500;
    t->load.rps = 3000;
    t->load.p50_ms = 2;
    t->load.p99_ms = 5;
    t->load.status = lc_calloc(1, sizeof(*t->load.status));
    t->load.status[0] = (struct report_count){lc_strdup("200"), 1500};
    t->load.nstatus = 1;
    t->culprits = lc_calloc(2, sizeof(*t->culprits));
    t->culprits[0] = (struct report_culprit){lc_strdup("goroutine"),
                                             lc_strdup("main.<leak>"),
                                             lc_strdup("main.go:42"),
                                             2,
                                             2002,
                                             2000,
                                             lc_strdup("chan receive"),
                                             0,
                                             REPORT_BASIS_GROWTH};
    /* what only the garbage collector closed: growth is the number closed */
    t->culprits[1] = (struct report_culprit){
        lc_strdup("finalizer"),
        NULL,
        lc_strdup("/tmp/spool"),
        383,
        3,
        380,
        lc_strdup("380 files in /tmp/spool were closed only by the garbage collector"),
        0,
        REPORT_BASIS_GROWTH};
    t->nculprits = 2;
    t->log_tail = lc_strdup("\x1b[1mlistening\x1b[0m\n");
    t->measured = (struct report_measured){
        1, 4321, lc_strdup("sh -c <svc>"), lc_strdup("listening on 127.0.0.1:8080"), 4300, 0};
    t->cost = (struct report_observer_cost){.present = 1, .count_rounds = 30, .dump_rounds = 3,
                                            .target_cpu_s = 0.9, .cpu_window_s = 12};
    report_cost_add(&t->cost.goroutine_dumps, 0.005);
    report_cost_add(&t->cost.forced_gcs, 0.0125);
    report_cost_add(&t->cost.heap_profiles, 0.001);
    report_cost_add(&t->cost.heap_profiles, 0.002);
}

static int setup(void **state)
{
    struct fixture *f = lc_calloc(1, sizeof(*f));
    struct lc_error err = {0};
    snprintf(f->dir, sizeof(f->dir), "/tmp/lc_html_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    f->path = lc_asprintf("%s/report.html", f->dir);
    f->run = lc_calloc(1, sizeof(*f->run));
    f->run->suite = lc_strdup("demo & <suite>");
    f->run->verdict = REPORT_FAIL;
    build_run(f->run);
    if (report_html_write(f->run, f->path, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    f->html = lc_read_file(f->path, 16u << 20, NULL, &err);
    *state = f;
    return f->html ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    unlink(f->path);
    rmdir(f->dir);
    free(f->path);
    free(f->html);
    report_run_free(f->run);
    free(f);
    return 0;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Runs a shell command and returns its output (caller frees) and status. */
static char *run_cmd(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    struct lc_buf b = {0};
    char buf[4096];
    size_t n;
    assert_non_null(p);
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
        lc_buf_append(&b, buf, n);
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    lc_buf_puts(&b, "");
    return b.data;
}

static void test_well_formed(void **state)
{
    struct fixture *f = *state;
    int st = 0;
    char *cmd = lc_asprintf("xmllint --noout '%s' 2>&1", f->path);
    char *out = run_cmd(cmd, &st);
    if (st == 127)
        fail_msg("xmllint not found (Debian package libxml2-utils)");
    if (st != 0 || out[0])
        fail_msg("not well-formed XML:\n%s", out);
    free(out);
    free(cmd);
    /* libxml2's HTML parser knows HTML 4 only: the HTML5 and SVG elements
     * are "invalid tags" to it; anything else it says is a real fault */
    cmd = lc_asprintf("xmllint --html --noout '%s' 2>&1 | grep 'error :' | grep -Ev 'Tag "
                      "(header|main|section|footer|figure|figcaption|details|summary|svg|g|"
                      "rect|line|polyline|circle|text|title) invalid'",
                      f->path);
    out = run_cmd(cmd, &st);
    if (out[0])
        fail_msg("xmllint --html complains:\n%s", out);
    free(out);
    free(cmd);
}

static void test_escaping(void **state)
{
    struct fixture *f = *state;
    /* growth is signed; what the collector closed is not growth */
    assert_non_null(strstr(f->html, "<b>+2"));
    assert_non_null(strstr(f->html, "<b>380 closed by GC</b>"));
    assert_null(strstr(f->html, "<b>+380"));
    assert_null(strstr(f->html, "<script>alert"));
    if (count(f->html, EVIL_ESCAPED) < 2) /* the contents and the section's title */
        fail_msg("test name not escaped as expected:\n%.300s", strstr(f->html, "alert(1)") - 20);
    assert_int_equal(count(f->html, "<script"), 1); /* the page's own */
    assert_non_null(strstr(f->html, "demo &amp; &lt;suite&gt;"));
    assert_non_null(strstr(f->html, "main.&lt;leak&gt;"));
    for (const char *p = f->html; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
            fail_msg("control character 0x%02x at offset %zu", *p, (size_t)(p - f->html));
    assert_non_null(strstr(f->html, "<pre class=\"log\">listening\n</pre>"));
    /* which process the /proc figures are of, escaped */
    assert_non_null(strstr(f->html, "/proc figures of pid 4321, listening on 127.0.0.1:8080 (the "
                                    "target's pid is 4300): <span class=\"mono\">sh -c "
                                    "&lt;svc&gt;</span>"));
    /* what watching cost the target, however little */
    assert_non_null(strstr(f->html, "<p class=\"sub cost\">Watching cost the target, as "
                                    "fetch times: stopping its world, 1 goroutine dumps (5 ms in "
                                    "all, longest 5 ms), 0 debug=2 dumps, 1 forced GCs (12 ms in "
                                    "all, longest 12 ms); not stopping it, 2 heap profiles (3 ms "
                                    "in all, longest 2 ms); 30 rounds read the goroutine "
                                    "count, 3 dumped. The target used 0.90 CPU-s over 12.0 s "
                                    "(7.5% of a core, its own work included).</p>"));
}

/* The <g> of a plot named name: from its start to its "</g>" (caller frees). */
static char *plot_group(const char *html, const char *name)
{
    char *key = lc_asprintf("<g class=\"plot c0\" data-name=\"%s\"", name);
    const char *start = strstr(html, key);
    free(key);
    assert_non_null(start);
    const char *end = strstr(start, "</g>");
    assert_non_null(end);
    return lc_strndup(start, (size_t)(end - start));
}

static void test_charts(void **state)
{
    struct fixture *f = *state;
    /* five series: goroutines, fds, tcp_listen as metric charts, rps and
     * p99 in the load panel (requests/s, latency) and again as the metrics
     * assertions read */
    assert_int_equal(count(f->html, "<svg"), 7);
    /* the NaN gap splits the goroutines line in two */
    char *g = plot_group(f->html, "goroutines");
    assert_int_equal(count(g, "<polyline"), 2);
    assert_non_null(strstr(g, "2,null 2.25,null"));
    free(g);
    /* the failed limits (7 + 20, 3100/s), the passed ones, and the baseline lines */
    assert_int_equal(count(f->html, "<g class=\"limit fail\">"), 2);
    assert_non_null(strstr(f->html, ">limit \xe2\x89\xa4 27</text>"));
    assert_null(strstr(f->html, "limit \xe2\x89\xa5 -13")); /* a count's floor below 0 */
    assert_non_null(strstr(f->html, ">limit \xe2\x89\xa4 35</text>"));
    assert_non_null(strstr(f->html, ">limit &lt; 250ms \xe2\x86\x91 (off the chart)</text>"));
    assert_non_null(strstr(f->html, ">baseline 7</text>"));
    /* failing points: the settle phase (1.5 s to 5 s) holds 15 samples above
     * 27, less the two missing ones; and the two intervals of the load below
     * 3100/s, for rps is the whole load's figure (its limit spans the load) */
    assert_int_equal(count(f->html, "<circle class=\"bad\""), 15);
    /* their captions say what the final value and the extremes are */
    assert_non_null(strstr(f->html, "whole load 5ms \xc2\xb7 interval min 5ms"));
    assert_non_null(strstr(f->html, "whole load 3000/s"));
    assert_non_null(strstr(f->html, "requests/s per interval"));
    /* failing metric first, the flat one folded away */
    const char *gor = strstr(f->html, "data-name=\"goroutines\"");
    const char *fd = strstr(f->html, "data-name=\"fds\"");
    const char *more = strstr(f->html, "<details class=\"more\"><summary>1 more metric</summary>");
    const char *flat_series = strstr(f->html, "data-name=\"tcp_listen\"");
    assert_true(gor && fd && more && flat_series);
    assert_true(gor < fd && fd < more && more < flat_series);
    assert_non_null(strstr(f->html, "<figure class=\"failing\">"));
    assert_non_null(strstr(f->html, "<span class=\"badge fail big\">FAIL</span>"));
}

static void test_write_errors(void **state)
{
    (void)state;
    struct lc_error err = {0};
    struct report_run r = {0};
    assert_int_equal(report_html_write(&r, "/nonexistent-dir/x/report.html", &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent-dir/x/report.html"));
    assert_int_equal(report_html_write(NULL, "x", &err), -1);
    /* an empty run is a page too */
    char dir[] = "/tmp/lc_html_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *p = lc_asprintf("%s/empty.html", dir);
    assert_int_equal(report_html_write(&r, p, &err), 0);
    unlink(p);
    rmdir(dir);
    free(p);
}

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
    *tr = (struct report_trend){10 + warm, end, warm, 2e6 / 3600, 1.5e6 / 3600, 2.5e6 / 3600,
                                mid, soak_live(mid), lc_strdup("heap_live")};
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
        cmocka_unit_test_setup_teardown(test_well_formed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_charts, setup, teardown),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_downsample_day),
        cmocka_unit_test(test_downsample_small),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_soak_chart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
