/* tests/unit/test_prom_go.c: the live heap read off Go's Prometheus
 * collector (prom_go_live_heap, prom_go_gogc, prom_go_memlimit), on expositions captured from
 * real programs and on the edges a collector can show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/lc.h"
#include "prom_fixture.h"

static struct prom_set *text(const char *t)
{
    struct lc_error err = {0};
    struct prom_set *s = prom_parse(t, strlen(t), &err);
    if (!s)
        fail_msg("%s: %s", t, err.msg);
    return s;
}

/* Prometheus 2.42 after 4 GCs: a goal of 15,333,624 bytes */
static void test_captured_after_gc(void **state)
{
    (void)state;
    const char *files[] = {D "prometheus.txt", D "prometheus.openmetrics.txt"};
    for (size_t i = 0; i < LC_ARRAY_LEN(files); i++) {
        struct prom_set *s = parse_file(files[i]);
        double v = 0, n = 0;
        assert_int_equal(prom_go_live_heap(s, 100, INFINITY, &v, &n), 0);
        assert_true(v == 15333624.0 / 2);
        assert_true(n == 4);
        assert_int_equal(prom_go_live_heap(s, 300, INFINITY, &v, &n), 0);
        assert_true(v == 15333624.0 / 4);
        /* GOGC=off, or not known: no goal is a live heap */
        assert_int_equal(prom_go_live_heap(s, -1, INFINITY, &v, &n), 0);
        assert_true(isnan(v));
        assert_int_equal(prom_go_live_heap(s, NAN, INFINITY, &v, &n), 0);
        assert_true(isnan(v));
        /* client_golang 1.14 has no go_gc_gogc_percent */
        assert_int_equal(prom_go_gogc(s, &v), -1);
        prom_free(s);
    }
}

/* client_golang 1.14 and node_exporter before their first GC: the goal is
 * Go's 4 MB minimum, not a live heap */
static void test_captured_before_gc(void **state)
{
    (void)state;
    const char *files[] = {D "client-golang.txt", D "client-golang.openmetrics.txt",
                           D "node-exporter.txt"};
    for (size_t i = 0; i < LC_ARRAY_LEN(files); i++) {
        struct prom_set *s = parse_file(files[i]);
        double v = 0, n = 5;
        assert_int_equal(prom_go_live_heap(s, 100, INFINITY, &v, &n), 0);
        assert_true(isnan(v));
        assert_true(n == 0);
        prom_free(s);
    }
}

/* only the names prom_go_heap_names lists are needed: a scrape parsed
 * with prom_parse_only keeping them gives the same figure */
static void test_kept_names_suffice(void **state)
{
    (void)state;
    struct prom_set *s =
        parse_file_only(D "prometheus.txt", prom_go_heap_names, prom_go_heap_nnames);
    double v = 0, n = 0;
    assert_int_equal(prom_go_live_heap(s, 100, INFINITY, &v, &n), 0);
    assert_true(v == 15333624.0 / 2);
    prom_free(s);
}

static void test_edges(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int rc;
        double want; /* NaN: none */
    } cases[] = {
        /* not Go's collector, or one without the GC summary: nothing to put
         * (before the first GC its goal is Go's 4 MB minimum, no live heap) */
        {"http_requests_total 5\n", -1, NAN},
        {"", -1, NAN},
        {"go_memstats_next_gc_bytes 8e6\n", -1, NAN},
        {"go_gc_duration_seconds_count 3\n", -1, NAN},
        {"go_memstats_next_gc_bytes 8e6\ngo_gc_duration_seconds_count 0\n", 0, NAN},
        {"go_memstats_next_gc_bytes 8e6\ngo_gc_duration_seconds_count 1\n", 0, 4e6},
        /* GOGC=off: the goal is the largest uint64 */
        {"go_memstats_next_gc_bytes 1.8446744073709552e+19\ngo_gc_duration_seconds_count 9\n", 0,
         NAN},
        {"go_memstats_next_gc_bytes 0\ngo_gc_duration_seconds_count 9\n", 0, NAN},
        {"go_memstats_next_gc_bytes -5\ngo_gc_duration_seconds_count 9\n", 0, NAN},
        {"go_memstats_next_gc_bytes NaN\ngo_gc_duration_seconds_count 9\n", 0, NAN},
        {"go_memstats_next_gc_bytes +Inf\ngo_gc_duration_seconds_count 9\n", 0, NAN},
        /* a count that is no count */
        {"go_memstats_next_gc_bytes 8e6\ngo_gc_duration_seconds_count NaN\n", -1, NAN},
        {"go_memstats_next_gc_bytes 8e6\ngo_gc_duration_seconds_count -1\n", -1, NAN},
        {"go_memstats_next_gc_bytes 8e6\ngo_gc_duration_seconds_count +Inf\n", -1, NAN},
        /* two series of one name (labels): not one goal, none taken */
        {"go_memstats_next_gc_bytes{a=\"1\"} 8e6\ngo_memstats_next_gc_bytes{a=\"2\"} 8e6\n"
         "go_gc_duration_seconds_count 1\n",
         -1, NAN},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++) {
        struct prom_set *s = text(cases[i].text);
        double v = 123, n = -7;
        int rc = prom_go_live_heap(s, 100, INFINITY, &v, &n);
        int ok = rc == cases[i].rc && (rc != 0 || same(v, cases[i].want));
        if (!ok)
            fail_msg("case %zu: rc %d v %g", i, rc, v);
        prom_free(s);
    }
}

/* client_golang 1.20 on reports GOGC as the runtime has it (the
 * environment or debug.SetGCPercent) */
static void test_gogc_said(void **state)
{
    (void)state;
    struct prom_set *s = text("# HELP go_gc_gogc_percent Heap size target percentage.\n"
                              "# TYPE go_gc_gogc_percent gauge\n"
                              "go_gc_gogc_percent 50\n"
                              "go_memstats_next_gc_bytes 3e6\n"
                              "go_gc_duration_seconds_count 3\n");
    double g = 0, v = 0, n = 0;
    assert_int_equal(prom_go_gogc(s, &g), 0);
    assert_true(g == 50);
    assert_int_equal(prom_go_live_heap(s, g, INFINITY, &v, &n), 0);
    assert_true(v == 2e6);
    prom_free(s);
    static const struct {
        const char *text;
        int rc;
        double want;
    } cases[] = {
        {"go_gc_gogc_percent -1\n", 0, -1},
        {"go_gc_gogc_percent -50\n", 0, -1},
        {"go_gc_gogc_percent 0\n", 0, 0},
        {"go_gc_gogc_percent 2147483647\n", 0, 2147483647},
        {"go_gc_gogc_percent 50.5\n", -1, 0},
        {"go_gc_gogc_percent 2147483648\n", -1, 0},
        {"go_gc_gogc_percent +Inf\n", -1, 0},
        {"go_gc_gogc_percent NaN\n", -1, 0},
        {"go_gc_gogc_percent{a=\"1\"} 50\ngo_gc_gogc_percent{a=\"2\"} 50\n", -1, 0},
        {"go_goroutines 5\n", -1, 0},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++) {
        s = text(cases[i].text);
        g = 7;
        int rc = prom_go_gogc(s, &g);
        if (rc != cases[i].rc || (rc == 0 && g != cases[i].want) || (rc != 0 && g != 7))
            fail_msg("case %zu: rc %d gogc %g", i, rc, g);
        prom_free(s);
    }
}

/* client_golang 1.20 on reports the memory limit (GOMEMLIMIT or
 * debug.SetMemoryLimit); math.MaxInt64 is none */
static void test_memlimit_said(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int rc;
        double want;
    } cases[] = {
        {"go_gc_gomemlimit_bytes 9.223372036854776e+18\n", 0, INFINITY},
        {"go_gc_gomemlimit_bytes 5.36870912e+08\n", 0, 536870912},
        {"go_gc_gomemlimit_bytes 0\n", 0, 0},
        {"go_gc_gomemlimit_bytes -1\n", -1, 0},
        {"go_gc_gomemlimit_bytes NaN\n", -1, 0},
        {"go_gc_gomemlimit_bytes +Inf\n", 0, INFINITY},
        {"go_gc_gomemlimit_bytes{a=\"1\"} 5\ngo_gc_gomemlimit_bytes{a=\"2\"} 5\n", -1, 0},
        {"go_goroutines 5\n", -1, 0},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++) {
        struct prom_set *s = text(cases[i].text);
        double l = 7;
        int rc = prom_go_memlimit(s, &l);
        if (rc != cases[i].rc || (rc == 0 && l != cases[i].want) || (rc != 0 && l != 7))
            fail_msg("case %zu: rc %d limit %g", i, rc, l);
        prom_free(s);
    }
}

/* A goal near what the memory limit leaves the heap may be the limit's,
 * not GOGC's: no live heap is read off it. A goal of 100 MB; Sys less
 * HeapSys 10 MB and HeapInuse less HeapAlloc 5 MB, which the limit keeps
 * from the heap; 90 MB mapped (Sys less HeapReleased). */
static void test_memlimit_goal(void **state)
{
    (void)state;
    const char *all = "go_memstats_next_gc_bytes 1e8\ngo_gc_duration_seconds_count 5\n"
                      "go_memstats_sys_bytes 1.2e8\ngo_memstats_heap_sys_bytes 1.1e8\n"
                      "go_memstats_heap_inuse_bytes 1.05e8\ngo_memstats_heap_alloc_bytes 1e8\n"
                      "go_memstats_heap_released_bytes 3e7\n";
    static const struct {
        double limit, want;
    } cases[] = {
        {INFINITY, 5e7}, {1e9, 5e7}, /* room 985 MB: GOGC's goal */
        {1.27e8, 5e7},               /* room 112 MB: the goal is 89% of it */
        {1.23e8, NAN},               /* room 108 MB: 92.6% (88.5% without HeapInuse - HeapAlloc) */
        {1.2e8, NAN},                /* room 105 MB: 95% of it, maybe the limit's */
        {1e8, NAN},                  /* room 85 MB: the goal is above it */
        {0, NAN},
    };
    struct prom_set *s = text(all);
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++) {
        double v = 7, n = 0;
        assert_int_equal(prom_go_live_heap(s, 100, cases[i].limit, &v, &n), 0);
        if (!same(v, cases[i].want))
            fail_msg("limit %g: live %g", cases[i].limit, v);
    }
    prom_free(s);
    /* what is mapped beyond the limit (150 MB for 130 MB) is taken off too */
    for (int released = 0; released <= 1; released++) {
        char t[512];
        snprintf(t, sizeof(t),
                 "go_memstats_next_gc_bytes 1e8\ngo_gc_duration_seconds_count 5\n"
                 "go_memstats_sys_bytes 1.5e8\ngo_memstats_heap_sys_bytes 1.4e8\n"
                 "go_memstats_heap_inuse_bytes 1e8\ngo_memstats_heap_alloc_bytes 1e8\n"
                 "go_memstats_heap_released_bytes %s\n",
                 released ? "3e7" : "0");
        s = text(t);
        double v = 7, n = 0;
        assert_int_equal(prom_go_live_heap(s, 100, 1.3e8, &v, &n), 0);
        assert_true(released ? v == 5e7 : isnan(v)); /* room 120 MB, or 100 MB */
        prom_free(s);
    }
    /* a small room: the goal within 2 MiB of it (Go keeps 1 MiB at least) */
    s = text("go_memstats_next_gc_bytes 8e6\ngo_gc_duration_seconds_count 5\n"
             "go_memstats_sys_bytes 1e7\ngo_memstats_heap_sys_bytes 1e7\n"
             "go_memstats_heap_inuse_bytes 6e6\ngo_memstats_heap_alloc_bytes 6e6\n"
             "go_memstats_heap_released_bytes 2e6\n");
    double small = 7, count = 0;
    assert_int_equal(prom_go_live_heap(s, 100, 9.5e6, &small, &count), 0);
    assert_true(isnan(small)); /* 84% of the room, but 1.5 MB under it */
    assert_int_equal(prom_go_live_heap(s, 100, 1.2e7, &small, &count), 0);
    assert_true(small == 4e6);
    prom_free(s);
    /* without the figures of the room, a limit leaves nothing known */
    s = text("go_memstats_next_gc_bytes 1e8\ngo_gc_duration_seconds_count 5\n");
    double v = 7, n = 0;
    assert_int_equal(prom_go_live_heap(s, 100, 1e12, &v, &n), 0);
    assert_true(isnan(v));
    assert_int_equal(prom_go_live_heap(s, 100, INFINITY, &v, &n), 0);
    assert_true(v == 5e7);
    prom_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captured_after_gc),  cmocka_unit_test(test_captured_before_gc),
        cmocka_unit_test(test_kept_names_suffice), cmocka_unit_test(test_edges),
        cmocka_unit_test(test_gogc_said),          cmocka_unit_test(test_memlimit_said),
        cmocka_unit_test(test_memlimit_goal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
