/* tests/unit/test_html.c: report.html written from a run built in memory and
 * read back with xmllint (as XML for well-formedness, as HTML for what an
 * HTML parser makes of it): escaping, the charts, write errors. */
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
#include "html_fixture.h"
#include "reports/report.h"

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
    t->cost = (struct report_observer_cost){.present = 1,
                                            .count_rounds = 30,
                                            .dump_rounds = 3,
                                            .target_cpu_s = 0.9,
                                            .cpu_window_s = 12};
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_well_formed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_charts, setup, teardown),
        cmocka_unit_test(test_write_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
