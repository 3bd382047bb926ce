/* tests/unit/test_gcount.c: the goroutine count of the pprof index page
 * (sources/pprof_index.c, on a page captured from Go 1.19) and when a
 * round dumps the goroutine profile instead (sources/gcount.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/procstat.h"
#include "run/obs_cost.h"
#include "sources/gcount.h"
#include "sources/pprof_index.h"

static int count_of(const char *text, const char *name, uint64_t *out)
{
    struct lc_error err = {0};
    int rc = pprof_index_count(text, strlen(text), name, out, &err);
    if (rc != 0)
        assert_non_null(strstr(err.msg, name));
    return rc;
}

/* Go 1.19's page: the count is the goroutine-debug1.txt capture's total. */
static void test_index_go119(void **state)
{
    (void)state;
    struct lc_error err = {0};
    size_t len = 0;
    char *page = lc_read_file("tests/data/pprof/go1.19/index.html", 1 << 20, &len, &err);
    assert_non_null(page);
    uint64_t n = 0;
    assert_int_equal(pprof_index_count(page, len, "goroutine", &n, &err), 0);
    assert_int_equal(n, 21);
    assert_int_equal(pprof_index_count(page, len, "threadcreate", &n, &err), 0);
    assert_int_equal(n, 7);
    /* listed without a count ("profile" is 0 on the page, "symbol" absent) */
    assert_int_equal(pprof_index_count(page, len, "symbol", &n, &err), -1);
    /* cut before the goroutine line: no count, not a wrong one */
    char *cut = strstr(page, "<tr><td>21</td>");
    assert_non_null(cut);
    assert_int_equal(pprof_index_count(page, (size_t)(cut - page), "goroutine", &n, &err), -1);
    free(page);
}

/* Older Go versions' pages, and what is not a count. */
static void test_index_other_shapes(void **state)
{
    (void)state;
    uint64_t n = 0;
    assert_int_equal(
        count_of("<tr><td align=right>42<td><a href=\"goroutine?debug=1\">goroutine</a>\n",
                 "goroutine", &n),
        0);
    assert_int_equal(n, 42);
    assert_int_equal(
        count_of("x\n17\t<a href=\"goroutine?debug=1\">goroutine</a><br>\n", "goroutine", &n), 0);
    assert_int_equal(n, 17);
    /* goroutineleak is not goroutine, whichever comes first */
    assert_int_equal(
        count_of("<tr><td>9</td><td><a href='goroutineleak?debug=1'>goroutineleak</a></td></tr>\n"
                 "<tr><td>8</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>\n",
                 "goroutine", &n),
        0);
    assert_int_equal(n, 8);
    /* the description list and the debug=2 link hold no count */
    assert_int_equal(count_of("<a href=\"goroutine?debug=2\">full goroutine stack dump</a>\n"
                              "<li><div class=profile-name>goroutine: </div> Stack traces</li>\n",
                              "goroutine", &n),
                     -1);
    /* hostile: no digits, two numbers, a sign, a huge number, an open tag */
    assert_int_equal(count_of("<td></td><td><a href=x>goroutine</a>", "goroutine", &n), -1);
    assert_int_equal(count_of("<td>1 2</td><td><a href=x>goroutine</a>", "goroutine", &n), -1);
    assert_int_equal(count_of("<td>-5</td><td><a href=x>goroutine</a>", "goroutine", &n), -1);
    assert_int_equal(
        count_of("<td>99999999999999999999999</td><td><a href=x>goroutine</a>", "goroutine", &n),
        -1);
    assert_int_equal(count_of("<td 5<a href=x>goroutine</a>", "goroutine", &n), -1);
    assert_int_equal(count_of("", "goroutine", &n), -1);
    assert_int_equal(count_of("<html>not found</html>", "goroutine", &n), -1);
}

/* Without an ignore list: one dump at the first round, then counts only,
 * however much the count moves; a dump again when the runner wants one. */
static void test_policy_no_ignore(void **state)
{
    (void)state;
    struct gcount g;
    gcount_init(&g, 0);
    assert_int_equal(gcount_dump_due(&g, 1, 0.0, 12), 1);
    gcount_dumped(&g, 1, 0.0, 0.001, 10, 2, 0);
    assert_true(gcount_total(&g, 12) == 10);
    assert_true(gcount_kept(&g, 12) == 10);
    for (unsigned long r = 2; r < 400; r++)
        assert_int_equal(gcount_dump_due(&g, r, 0.25 * (double)r, 12 + r * 100), 0);
    assert_true(gcount_total(&g, 1) == 0); /* never below zero */
    gcount_want(&g, 500);
    assert_int_equal(gcount_dump_due(&g, 499, 130.0, 12), 0);
    /* a dump of a round before the wanted one does not answer it */
    gcount_dumped(&g, 499, 130.0, 0.001, 10, 2, 0);
    assert_int_equal(gcount_dump_due(&g, 500, 130.25, 12), 1);
    gcount_dumped(&g, 500, 130.25, 0.001, 10, 2, 0);
    assert_int_equal(gcount_dump_due(&g, 501, 130.5, 12), 0);
    /* an index page without a count: every round dumps */
    g.index_bad = 1;
    assert_int_equal(gcount_dump_due(&g, 502, 130.75, 12), 1);
}

/* With an ignore list: the ignored count is carried forward; a dump when
 * the count moves by the margin (not sooner than the gap after the last),
 * and a refresh at rest, both spaced by the last dump's cost. */
static void test_policy_ignore(void **state)
{
    (void)state;
    struct gcount g;
    gcount_init(&g, 1);
    assert_int_equal(gcount_dump_due(&g, 1, 0.0, 102), 1);
    gcount_dumped(&g, 1, 0.0, 0.002, 100, 2, 30);
    assert_true(gcount_kept(&g, 102) == 70);
    assert_true(gcount_kept(&g, 112) == 80);
    assert_int_equal(gcount_dump_due(&g, 2, 0.25, 111), 0); /* +9 < 10% of 100 */
    assert_int_equal(gcount_dump_due(&g, 2, 0.25, 112), 0); /* +10, but 0.25 s < 0.5 s */
    assert_int_equal(gcount_dump_due(&g, 3, 0.5, 112), 1);
    assert_int_equal(gcount_dump_due(&g, 3, 0.5, 92), 1);   /* -10: a fall counts too */
    assert_int_equal(gcount_dump_due(&g, 3, 9.9, 102), 0);  /* at rest */
    assert_int_equal(gcount_dump_due(&g, 4, 10.0, 102), 1); /* the refresh */
    /* small counts: the margin is 3 goroutines */
    gcount_dumped(&g, 4, 10.0, 0.002, 5, 2, 1);
    assert_int_equal(gcount_dump_due(&g, 5, 11.0, 9), 0);
    assert_int_equal(gcount_dump_due(&g, 5, 11.0, 10), 1);
    /* an expensive dump (0.33 s: 100,000 goroutines) spaces the next ones:
     * 6.6 s while the count moves, 33 s at rest */
    gcount_dumped(&g, 6, 20.0, 0.33, 100000, 2, 10);
    assert_int_equal(gcount_dump_due(&g, 7, 26.5, 150002), 0);
    assert_int_equal(gcount_dump_due(&g, 7, 26.6, 150002), 1);
    assert_int_equal(gcount_dump_due(&g, 7, 52.9, 100002), 0);
    assert_int_equal(gcount_dump_due(&g, 7, 53.0, 100002), 1);
    /* the ignored count never makes the kept one negative */
    assert_true(gcount_kept(&g, 5) == 0);
}

/* The target's CPU time from /proc/PID/stat (utime + stime), whatever its
 * command name holds; and what the fetches of a run count as. */
static void test_cpu_and_fetches(void **state)
{
    (void)state;
    double v = 0;
    const char *stat =
        "4433 (we) ird (name)) S 1 4433 4433 0 -1 4194560 900 0 0 0 250 150 0 0 20 0 "
        "12 0 1234 1000000 2000 18446744073709551615";
    struct lc_procstat st;
    assert_int_equal(lc_procstat_parse(stat, &st), 0);
    assert_int_equal(st.pid, 4433);
    assert_int_equal(st.state, 'S');
    assert_int_equal(st.ppid, 1);
    assert_int_equal(st.pgrp, 4433);
    assert_true(st.utime == 250 && st.stime == 150);
    assert_int_equal(st.num_threads, 12);
    assert_true(st.starttime == 1234);
    assert_int_equal(lc_procstat_parse("4433 (svc S 1", &st), -1);
    assert_int_equal(lc_procstat_parse("4433 (svc) S 1 2 3", &st), -1);
    assert_int_equal(lc_procstat_parse("4433 (svc)", &st), -1);
    assert_int_equal(lc_procstat_parse("4433 (svc) S 1 x 3", &st), -1);
    /* this very process: readable, not negative */
    assert_int_equal(obs_cpu_seconds(getpid(), &v), 0);
    assert_true(v >= 0);

    struct report_observer_cost c = {0};
    obs_cost_fetch(&c, "http://h/debug/pprof/goroutine?debug=2", 0.5);
    obs_cost_fetch(&c, "http://h/debug/pprof/goroutine?debug=1", 0.1);
    obs_cost_fetch(&c, "http://h/debug/pprof/goroutine?debug=0", 0.3);
    obs_cost_fetch(&c, "http://h/debug/pprof/heap?debug=0&gc=1", 0.2);
    obs_cost_fetch(&c, "http://h/debug/pprof/heap?debug=1", 0.2);
    obs_cost_fetch(&c, "http://h/debug/pprof/goroutineleak?debug=1", 0.2);
    assert_int_equal(c.full_dumps.count, 1);
    assert_int_equal(c.goroutine_dumps.count, 2);
    assert_true(c.goroutine_dumps.seconds > 0.399 && c.goroutine_dumps.max_seconds == 0.3);
    assert_int_equal(c.forced_gcs.count, 1);
    assert_int_equal(c.heap_profiles.count, 1); /* not gc=1: stops nothing */

    /* a measured process that changes: its stretches add up */
    struct obs_cpu w = {0};
    obs_cpu_read(&w, getpid(), 10.0);
    obs_cpu_read(&w, getpid(), 12.0);
    obs_cpu_report(&w, &c);
    assert_true(c.target_cpu_s >= 0 && c.cpu_window_s == 2.0);
    struct obs_cpu none = {0};
    obs_cpu_read(&none, 0, 1.0);
    obs_cpu_report(&none, &c);
    assert_true(isnan(c.target_cpu_s) && isnan(c.cpu_window_s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_go119),      cmocka_unit_test(test_index_other_shapes),
        cmocka_unit_test(test_policy_no_ignore), cmocka_unit_test(test_policy_ignore),
        cmocka_unit_test(test_cpu_and_fetches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
