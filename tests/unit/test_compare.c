/* tests/unit/test_compare.c: the release gate (reports/compare.c), reading
 * report.json back (reports/json_read.c) and `leakcheck compare`
 * (cli/cmd_compare.c), on runs built in memory. */
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
#include "cli/commands.h"
#include "reports/compare.h"
#include "reports/report.h"

#define MB (1024.0 * 1024.0)

static void add_metric(struct report_test *t, const char *name, double base, double final)
{
    t->series = lc_realloc(t->series, (t->nseries + 1) * sizeof(*t->series));
    struct report_series *s = &t->series[t->nseries++];
    memset(s, 0, sizeof(*s));
    s->name = lc_strdup(name);
    s->baseline = base;
    s->final = final;
    s->min = fmin(base, final);
    s->max = fmax(base, final);
    s->points = lc_calloc(3, sizeof(*s->points));
    s->points[0] = (struct report_point){0.25, base};
    s->points[1] = (struct report_point){0.5, NAN};
    s->points[2] = (struct report_point){1.75, final};
    s->npoints = 3;
}

/* A run with tests "a" (goroutines, rss, p99, fds), "b" and "c". */
static struct report_run *make_run(double goroutines, double rss, double p99, double fds)
{
    struct report_run *r = lc_calloc(1, sizeof(*r));
    r->suite = lc_strdup("gate");
    r->verdict = REPORT_PASS;
    struct report_test *t = report_add_test(r);
    t->name = lc_strdup("a");
    add_metric(t, "goroutines", 10, goroutines);
    add_metric(t, "rss", 50 * MB, rss);
    add_metric(t, "p99", 0.004, p99);
    add_metric(t, "fds", 10, fds);
    t = report_add_test(r);
    t->name = lc_strdup("b");
    add_metric(t, "goroutines", 3, 3);
    t = report_add_test(r);
    t->name = lc_strdup("c");
    t->verdict = REPORT_ERROR;
    t->error = lc_strdup("target did not start");
    add_metric(t, "goroutines", 3, 300);
    return r;
}

static const struct compare_entry *entry(const struct compare_entry *e, size_t n, const char *m)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].metric, m) == 0)
            return &e[i];
    fail_msg("no entry for %s", m);
    return NULL;
}

static void test_tests(void **state)
{
    (void)state;
    struct report_run *prev = make_run(12, 100 * MB, 0.010, 20);
    struct report_run *cur = make_run(2003, 119 * MB, 0.0176, 27);
    size_t nt = 0, n = 0;
    struct compare_tol *tols = compare_tols_merge(NULL, 0, &nt);
    assert_int_equal(nt, 5);
    struct compare_entry *e = compare_tests(&prev->tests[0], &cur->tests[0], tols, nt, &n);
    assert_int_equal(n, 5);
    const struct compare_entry *g = entry(e, n, "goroutines");
    assert_true(g->regressed);
    assert_true(fabs(g->limit - (12 * 1.1 + 5)) < 1e-9);
    char *msg = compare_message(g);
    assert_string_equal(msg, "compare goroutines: 2003 now vs 12 in previous run (+16592%), "
                             "allowed +10% (limit 18.2)");
    free(msg);
    /* rss: 119MB against 100MB * 1.2 + 2MB: within */
    assert_false(entry(e, n, "rss")->regressed);
    /* p99: 17.6ms against 10ms * 1.25 + 5ms = 17.5ms: beyond */
    assert_true(entry(e, n, "p99")->regressed);
    /* fds: 27 against 20 * 1.1 + 5 = 27: at the limit is within */
    assert_false(entry(e, n, "fds")->regressed);
    /* a metric neither run has is not a regression */
    assert_true(isnan(entry(e, n, "heap_inuse")->prev));
    assert_false(entry(e, n, "heap_inuse")->regressed);
    free(e);
    /* small absolute changes stay within the slack: 3 -> 7 goroutines */
    e = compare_tests(&prev->tests[1], &cur->tests[0], tols, nt, &n);
    assert_false(entry(e, n, "fds")->regressed || entry(e, n, "rss")->regressed);
    free(e);
    free(tols);
    report_run_free(prev);
    report_run_free(cur);
}

static void test_tolerances(void **state)
{
    (void)state;
    struct lc_error err = {0};
    double f = 0;
    assert_int_equal(compare_parse_tol("10%", &f, &err), 0);
    assert_true(fabs(f - 0.1) < 1e-12);
    assert_int_equal(compare_parse_tol("2.5%", &f, &err), 0);
    assert_true(fabs(f - 0.025) < 1e-12);
    assert_int_equal(compare_parse_tol("0%", &f, &err), 0);
    assert_true(f == 0);
    assert_int_equal(compare_parse_tol("off", &f, &err), 0);
    assert_true(f < 0);
    static const char *const bad[] = {"10", "-5%", "ten%", "", "10%%", "10 %", "nan%", "inf%"};
    for (size_t i = 0; i < LC_ARRAY_LEN(bad); i++) {
        if (compare_parse_tol(bad[i], &f, &err) == 0)
            fail_msg("\"%s\" was accepted", bad[i]);
        assert_non_null(strstr(err.msg, "expected a tolerance such as \"10%\""));
    }
    const struct compare_tol over[] = {{"goroutines", 0.05}, {"threads", 0.1}, {"rss", -1}};
    size_t n = 0;
    struct compare_tol *t = compare_tols_merge(over, 3, &n);
    assert_int_equal(n, 6);
    assert_string_equal(t[0].metric, "goroutines");
    assert_true(t[0].frac == 0.05);
    assert_string_equal(t[2].metric, "rss");
    assert_true(t[2].frac < 0);
    assert_string_equal(t[5].metric, "threads");
    free(t);
    assert_true(compare_slack("rss") == 2 * MB);
    assert_true(compare_slack("p99") == 0.005);
    assert_true(compare_slack("goroutines") == 5);
}

static void test_apply(void **state)
{
    (void)state;
    struct report_run *prev = make_run(12, 100 * MB, 0.010, 20);
    struct report_run *cur = make_run(2003, 100 * MB, 0.010, 20);
    prev->tests[2].series[0].final = 3; /* "c" regressed too, but errored */
    /* a test only the current run has is left alone */
    free(cur->tests[1].name);
    cur->tests[1].name = lc_strdup("new");
    size_t nt = 0;
    const struct compare_tol over[] = {{"p99", -1}};
    struct compare_tol *tols = compare_tols_merge(over, 1, &nt);
    assert_int_equal(compare_apply(cur, prev, tols, nt), 2); /* a and c's goroutines */
    free(tols);
    const struct report_test *a = &cur->tests[0];
    assert_int_equal(a->verdict, REPORT_FAIL);
    assert_int_equal(a->nassertions, 3); /* goroutines, fds, rss; p99 off, heap absent */
    assert_string_equal(a->assertions[0].expr, "compare(goroutines)");
    assert_string_equal(a->assertions[0].metric, "goroutines");
    assert_false(a->assertions[0].passed);
    assert_false(a->assertions[0].errored);
    assert_true(a->assertions[0].observed == 2003);
    assert_non_null(strstr(a->assertions[0].message, "2003 now vs 12 in previous run"));
    assert_string_equal(a->assertions[1].expr, "compare(fds)");
    assert_true(a->assertions[1].passed);
    assert_int_equal(cur->tests[1].nassertions, 0);
    assert_int_equal(cur->tests[1].verdict, REPORT_PASS);
    assert_int_equal(cur->tests[2].verdict, REPORT_ERROR); /* an error stays an error */
    assert_int_equal(cur->verdict, REPORT_ERROR);
    report_run_free(prev);
    report_run_free(cur);
}

static char *tmp_path(char *dir, const char *name)
{
    return lc_asprintf("%s/%s", dir, name);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    char dir[] = "/tmp/lc_compare_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = tmp_path(dir, "report.json");
    struct lc_error err = {0};
    struct report_run *r = make_run(2003, 119 * MB, 0.0176, 27);
    r->started_at = 1700000000.25;
    struct report_test *t = &r->tests[0];
    t->load = (struct report_load){.present = 1, .requests = 2000, .errors = 3, .p99_ms = 17.6};
    t->load.status = lc_calloc(1, sizeof(*t->load.status));
    t->load.status[0] = (struct report_count){lc_strdup("200"), 1997};
    t->load.nstatus = 1;
    t->culprits = lc_calloc(1, sizeof(*t->culprits));
    t->culprits[0] = (struct report_culprit){lc_strdup("goroutine"),
                                             lc_strdup("main.leak"),
                                             lc_strdup("main.go:9"),
                                             1,
                                             2001,
                                             2000,
                                             NULL,
                                             1,
                                             REPORT_BASIS_GROWTH};
    t->nculprits = 1;
    assert_int_equal(report_json_write(r, path, &err), 0);
    struct report_run *back = report_json_read(path, &err);
    if (!back)
        fail_msg("%s", err.msg);
    assert_string_equal(back->suite, "gate");
    assert_int_equal(back->ntests, 3);
    assert_true(fabs(back->started_at - 1700000000.25) < 1e-3);
    const struct report_test *b = &back->tests[0];
    assert_string_equal(b->name, "a");
    assert_int_equal(back->tests[2].verdict, REPORT_ERROR);
    assert_string_equal(back->tests[2].error, "target did not start");
    assert_int_equal(b->nseries, 4);
    assert_string_equal(b->series[1].name, "rss");
    assert_true(b->series[1].final == 119 * MB);
    assert_int_equal(b->series[1].npoints, 3);
    assert_true(isnan(b->series[1].points[1].v)); /* null back to NaN */
    assert_true(b->series[1].points[2].t == 1.75);
    assert_true(b->load.present && b->load.requests == 2000 && b->load.nstatus == 1);
    assert_string_equal(b->load.status[0].key, "200");
    assert_int_equal(b->nculprits, 1);
    assert_string_equal(b->culprits[0].function, "main.leak");
    assert_null(b->culprits[0].detail);
    assert_true(b->culprits[0].proven);
    assert_false(back->tests[1].load.present);
    report_run_free(back);
    report_run_free(r);
    unlink(path);
    free(path);
    rmdir(dir);
}

static void test_json_read_errors(void **state)
{
    (void)state;
    char dir[] = "/tmp/lc_compare_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = tmp_path(dir, "bad.json");
    struct lc_error err = {0};
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"{\"tests\": [", "invalid JSON"},
        {"[1, 2]", "not a leakcheck report"},
        {"{\"verdict\": \"pass\", \"tests\": [{\"verdict\": \"pass\"}]}", "tests[0]: expected an "
                                                                          "object with a \"name\""},
        {"{\"verdict\": \"pass\", \"tests\": [{\"name\": \"x\", \"verdict\": \"meh\"}]}",
         "tests[0].verdict"},
        {"{\"verdict\": 1, \"tests\": []}", "verdict: expected"},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++) {
        assert_int_equal(lc_write_file_atomic(path, cases[i].text, strlen(cases[i].text), &err), 0);
        struct report_run *r = report_json_read(path, &err);
        if (r || !strstr(err.msg, cases[i].msg) || !strstr(err.msg, path))
            fail_msg("case %zu: %s", i, r ? "read" : err.msg);
    }
    assert_null(report_json_read("/nonexistent/report.json", &err));
    assert_non_null(strstr(err.msg, "/nonexistent/report.json"));
    unlink(path);
    free(path);
    rmdir(dir);
}

static void test_cmd_compare(void **state)
{
    (void)state;
    char dir[] = "/tmp/lc_compare_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *a = tmp_path(dir, "a.json"), *b = tmp_path(dir, "b.json");
    struct lc_error err = {0};
    struct report_run *ra = make_run(12, 100 * MB, 0.010, 20);
    struct report_run *rb = make_run(2003, 100 * MB, 0.010, 20);
    assert_int_equal(report_json_write(ra, a, &err), 0);
    assert_int_equal(report_json_write(rb, b, &err), 0);
    char *args[][6] = {
        {a, b, NULL},
        {b, a, NULL},
        {a, a, NULL},
        {a, b, "--tol", "goroutines=100000%", NULL},
        {a, NULL},
        {a, b, "--tol", "goroutines", NULL},
        {a, "/nonexistent.json", NULL},
    };
    const int want[] = {1, 0, 0, 0, 2, 2, 2};
    for (size_t i = 0; i < LC_ARRAY_LEN(want); i++) {
        int argc = 0;
        while (args[i][argc])
            argc++;
        int got = cmd_compare(argc, args[i]);
        if (got != want[i])
            fail_msg("case %zu: exit %d, want %d", i, got, want[i]);
    }
    /* with goroutines off nothing is left that grew; a tighter fds limit
     * than the default catches 20 -> 27 (20 * 1.05 + 5 = 26) */
    char *off[] = {a, b, "--tol=goroutines=off", "--tol", "fds=5%", NULL};
    assert_int_equal(cmd_compare(3, off), 0);
    struct report_run *rc = make_run(12, 100 * MB, 0.010, 27);
    assert_int_equal(report_json_write(rc, b, &err), 0);
    report_run_free(rc);
    assert_int_equal(cmd_compare(3, off), 0);
    assert_int_equal(cmd_compare(5, off), 1);
    report_run_free(ra);
    report_run_free(rb);
    unlink(a);
    unlink(b);
    rmdir(dir);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tests),
        cmocka_unit_test(test_tolerances),
        cmocka_unit_test(test_apply),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_json_read_errors),
        cmocka_unit_test(test_cmd_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
