/*
 * tests/unit/test_metric_table.c: the table of built-in metrics
 * (common/metric_table.h) is consistent, and the modules that read it see
 * what each row says: the suite checks, the reports' units, the release
 * gate's defaults and slack. Prometheus names keep their suffix rules,
 * even when they start like a built-in one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/metric_table.h"
#include "reports/compare.h"
#include "reports/units.h"
#include "suite/metrics.h"

static void test_rows(void **state)
{
    (void)state;
    size_t n = 0;
    const struct metric_def *d = metric_builtins(&n);
    assert_true(n >= 29);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < i; k++)
            if (strcmp(d[i].name, d[k].name) == 0)
                fail_msg("%s twice", d[i].name);
        assert_ptr_equal(metric_builtin(d[i].name), &d[i]);
        /* a counter that only grows is no leak signal */
        assert_false((d[i].flags & METRIC_NOTABLE) && (d[i].flags & METRIC_GROWS));
        if (d[i].flags & (METRIC_PER_INTERVAL | METRIC_LOAD_PANEL))
            assert_int_equal(d[i].source, METRIC_LOAD);
        assert_true(d[i].slack == metric_unit_slack(d[i].unit));
        assert_true(d[i].tolerance == METRIC_NO_GATE || d[i].tolerance >= 0);
        /* what the readers make of the row */
        assert_int_equal(report_unit_of(d[i].name), d[i].unit);
        assert_int_equal(report_per_interval(d[i].name), (d[i].flags & METRIC_PER_INTERVAL) != 0);
        assert_true(compare_slack(d[i].name) == d[i].slack);
        struct expr_metric m = {.name = (char *)d[i].name};
        assert_int_equal(metric_is_time_cb(&m, NULL), d[i].unit == METRIC_UNIT_SECONDS);
    }
    assert_null(metric_builtin("goroutine"));
    assert_null(metric_builtin(""));
    assert_null(metric_builtin(NULL));
    assert_string_equal(metric_suggest("goroutine"), "goroutines");
}

/* The release gate's defaults are the rows with a tolerance, in order. */
static void test_gate_defaults(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        double tol;
    } want[] = {
        {"goroutines", 0.10}, {"fds", 0.10}, {"rss", 0.20}, {"heap_inuse", 0.20}, {"p99", 0.25}};
    size_t n = 0;
    struct compare_tol *t = compare_tols_merge(NULL, 0, &n);
    assert_int_equal(n, LC_ARRAY_LEN(want));
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(t[i].metric, want[i].name);
        assert_true(t[i].frac == want[i].tol);
    }
    free(t);
}

/* Prometheus names: units from their suffixes, a label selector ignored,
 * a built-in name's look-alikes not taken for it. */
static void test_prometheus_names(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum report_unit unit;
    } cases[] = {
        {"rss{job=\"x\"}", REPORT_UNIT_BYTES},
        {"p99{le=\"1\"}", REPORT_UNIT_SECONDS},
        {"rss_total", REPORT_UNIT_COUNT},
        {"process_resident_memory_bytes", REPORT_UNIT_BYTES},
        {"go_gc_duration_seconds{quantile=\"1\"}", REPORT_UNIT_SECONDS},
        {"http_request_duration_seconds_count", REPORT_UNIT_COUNT},
        {"cache_hit_ratio", REPORT_UNIT_FRACTION},
        {"events_per_second", REPORT_UNIT_RATE},
        {"_bytes", REPORT_UNIT_COUNT},
        {"goroutines_blocked_bytes", REPORT_UNIT_BYTES},
        {"", REPORT_UNIT_COUNT},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++)
        if (report_unit_of(cases[i].name) != cases[i].unit)
            fail_msg("%s: unit %d, want %d", cases[i].name, report_unit_of(cases[i].name),
                     cases[i].unit);
    assert_false(report_per_interval("p99_seconds"));
    assert_true(report_per_interval("p99{x=\"1\"}"));
    assert_true(compare_slack("process_resident_memory_bytes") == 2.0 * 1024 * 1024);
    assert_true(compare_slack("http_requests_total") == 5);
    assert_int_equal(report_unit_of(NULL), REPORT_UNIT_COUNT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_gate_defaults),
        cmocka_unit_test(test_prometheus_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
