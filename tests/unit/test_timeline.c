/* tests/unit/test_timeline.c: series storage and the reductions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "run/timeline.h"

static double reduce(struct timeline *tl, const char *name, enum expr_reduce r)
{
    double v = NAN;
    struct lc_error err = {0};
    assert_int_equal(timeline_reduce(tl, name, r, &v, &err), 0);
    return v;
}

/* goroutines: baseline 3, 5, 4 -> median 4; load rises 10 per second. */
static struct timeline *sample_run(void)
{
    struct timeline *tl = timeline_new();
    timeline_add(tl, "goroutines", 0.0, PHASE_BASELINE, 3);
    timeline_add(tl, "goroutines", 0.5, PHASE_BASELINE, 5);
    timeline_add(tl, "goroutines", 1.0, PHASE_BASELINE, 4);
    for (int i = 0; i < 5; i++)
        timeline_add(tl, "goroutines", 1.5 + i, PHASE_LOAD, 10.0 * (1.5 + i));
    timeline_add(tl, "goroutines", 7.0, PHASE_SETTLE, NAN); /* a gap */
    timeline_add(tl, "goroutines", 7.5, PHASE_SETTLE, 20);
    return tl;
}

static void test_reductions(void **state)
{
    (void)state;
    struct timeline *tl = sample_run();
    assert_true(reduce(tl, "goroutines", EXPR_BASELINE) == 4);
    assert_true(reduce(tl, "goroutines", EXPR_FINAL) == 20);
    assert_true(reduce(tl, "goroutines", EXPR_GROWTH) == 16);
    assert_true(reduce(tl, "goroutines", EXPR_MIN) == 3);
    assert_true(reduce(tl, "goroutines", EXPR_MAX) == 55);
    assert_true(fabs(reduce(tl, "goroutines", EXPR_SLOPE) - 10.0) < 1e-9);
    double avg = (3 + 5 + 4 + 15 + 25 + 35 + 45 + 55 + 20) / 9.0;
    assert_true(fabs(reduce(tl, "goroutines", EXPR_AVG) - avg) < 1e-9);
    timeline_free(tl);
}

static void test_even_baseline_median_and_final_skips_gap(void **state)
{
    (void)state;
    struct timeline *tl = timeline_new();
    timeline_add(tl, "fds", 0, PHASE_BASELINE, 10);
    timeline_add(tl, "fds", 1, PHASE_BASELINE, 20);
    timeline_add(tl, "fds", 2, PHASE_SETTLE, 30);
    timeline_add(tl, "fds", 3, PHASE_SETTLE, NAN);
    assert_true(reduce(tl, "fds", EXPR_BASELINE) == 15);
    assert_true(reduce(tl, "fds", EXPR_FINAL) == 30);
    timeline_free(tl);
}

static void test_missing_data_is_an_error(void **state)
{
    (void)state;
    struct timeline *tl = timeline_new();
    double v;
    struct lc_error err = {0};
    assert_int_equal(timeline_reduce(tl, "fds", EXPR_FINAL, &v, &err), -1);
    assert_non_null(strstr(err.msg, "no samples of fds"));
    timeline_add(tl, "rps", 5, PHASE_LOAD, 100);
    assert_int_equal(timeline_reduce(tl, "rps", EXPR_BASELINE, &v, &err), -1);
    assert_non_null(strstr(err.msg, "no baseline samples of rps"));
    assert_int_equal(timeline_reduce(tl, "rps", EXPR_SLOPE, &v, &err), -1);
    assert_non_null(strstr(err.msg, "at least three"));
    /* slope falls back to load + observe when the load had too few samples */
    timeline_add(tl, "rps", 6, PHASE_OBSERVE, 50);
    assert_int_equal(timeline_reduce(tl, "rps", EXPR_SLOPE, &v, &err), -1);
    timeline_add(tl, "rps", 7, PHASE_OBSERVE, 0);
    assert_int_equal(timeline_reduce(tl, "rps", EXPR_SLOPE, &v, &err), 0);
    assert_true(fabs(v + 50.0) < 1e-9);
    /* a series whose every sample is a gap says so */
    timeline_add(tl, "m", 1, PHASE_BASELINE, NAN);
    timeline_add(tl, "m", 2, PHASE_SETTLE, NAN);
    assert_int_equal(timeline_reduce(tl, "m", EXPR_FINAL, &v, &err), -1);
    assert_non_null(strstr(err.msg, "no value in any of its 2 samples"));
    assert_null(strstr(err.msg, "NaN"));
    /* a gauge the source served as NaN is not "absent" */
    timeline_add(tl, "nan_gauge", 1, PHASE_BASELINE, NAN);
    timeline_note_nan(tl, "nan_gauge");
    timeline_add(tl, "nan_gauge", 2, PHASE_SETTLE, NAN);
    timeline_note_nan(tl, "nan_gauge");
    assert_int_equal(timeline_reduce(tl, "nan_gauge", EXPR_FINAL, &v, &err), -1);
    assert_non_null(strstr(err.msg, "nan_gauge was NaN in all of its 2 samples (the source "
                                    "served NaN)"));
    /* NaN in one, absent in the other */
    timeline_add(tl, "half", 1, PHASE_BASELINE, NAN);
    timeline_note_nan(tl, "half");
    timeline_add(tl, "half", 2, PHASE_SETTLE, NAN);
    assert_int_equal(timeline_reduce(tl, "half", EXPR_MAX, &v, &err), -1);
    assert_non_null(strstr(err.msg, "served NaN in 1"));
    timeline_free(tl);
}

/* The load's series: points per interval, a final value over the whole
 * load that the last point does not decide; NaN there is no value. */
static void test_whole_run_final(void **state)
{
    (void)state;
    struct timeline *tl = timeline_new();
    double v;
    struct lc_error err = {0};
    /* set before any point: the final value exists, the reductions over
     * the points do not yet */
    timeline_set_final(tl, "rps", 150);
    assert_true(reduce(tl, "rps", EXPR_FINAL) == 150);
    assert_int_equal(timeline_reduce(tl, "rps", EXPR_MAX, &v, &err), -1);
    timeline_add(tl, "rps", 1, PHASE_LOAD, 100);
    timeline_add(tl, "rps", 2, PHASE_LOAD, 200);
    timeline_add(tl, "rps", 3, PHASE_SETTLE, 0);
    assert_true(reduce(tl, "rps", EXPR_FINAL) == 150);
    assert_true(reduce(tl, "rps", EXPR_MAX) == 200);
    assert_true(reduce(tl, "rps", EXPR_MIN) == 0);
    timeline_pop(tl, "rps");
    timeline_pop(tl, "no-such-series");
    assert_true(reduce(tl, "rps", EXPR_MIN) == 100);
    /* growth reads the same final value */
    timeline_add(tl, "rps", 0.5, PHASE_BASELINE, 10);
    assert_true(reduce(tl, "rps", EXPR_GROWTH) == 140);
    /* no value over the whole run: not the last point either */
    timeline_set_final(tl, "p99", NAN);
    timeline_add(tl, "p99", 1, PHASE_LOAD, 0.02);
    assert_int_equal(timeline_reduce(tl, "p99", EXPR_FINAL, &v, &err), -1);
    assert_non_null(strstr(err.msg, "p99 had no value over the whole run"));
    assert_int_equal(timeline_reduce(tl, "p99", EXPR_GROWTH, &v, &err), -1);
    assert_true(reduce(tl, "p99", EXPR_MAX) == 0.02);
    timeline_free(tl);
}

static void test_series_listing(void **state)
{
    (void)state;
    struct timeline *tl = sample_run();
    timeline_add(tl, "fds", 0, PHASE_BASELINE, 7);
    assert_int_equal(timeline_nseries(tl), 2);
    assert_string_equal(timeline_name(tl, 0), "goroutines");
    size_t n;
    const struct timeline_point *p = timeline_points(tl, 0, &n);
    assert_int_equal(n, 10);
    assert_true(p[3].phase == PHASE_LOAD && p[3].t == 1.5);
    timeline_free(tl);
}

/* A baseline set from elsewhere (a post-GC snapshot) replaces the median
 * for baseline() and growth(); the other reductions keep the points. */
static void test_set_baseline(void **state)
{
    (void)state;
    struct timeline *tl = sample_run();
    timeline_set_baseline(tl, "goroutines", 1);
    assert_true(reduce(tl, "goroutines", EXPR_BASELINE) == 1);
    assert_true(reduce(tl, "goroutines", EXPR_GROWTH) == 19);
    assert_true(reduce(tl, "goroutines", EXPR_MIN) == 3);
    assert_true(reduce(tl, "goroutines", EXPR_FINAL) == 20);
    timeline_set_baseline(tl, "goroutines", NAN); /* unset: the median again */
    assert_true(reduce(tl, "goroutines", EXPR_BASELINE) == 4);
    /* a series with a baseline but no point has no value yet */
    double v;
    timeline_set_baseline(tl, "heap_inuse", 5);
    assert_int_equal(timeline_reduce(tl, "heap_inuse", EXPR_FINAL, &v, NULL), -1);
    timeline_add(tl, "heap_inuse", 9.0, PHASE_SETTLE, 7);
    assert_true(reduce(tl, "heap_inuse", EXPR_GROWTH) == 2);
    timeline_free(tl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reductions),
        cmocka_unit_test(test_even_baseline_median_and_final_skips_gap),
        cmocka_unit_test(test_missing_data_is_an_error),
        cmocka_unit_test(test_series_listing),
        cmocka_unit_test(test_whole_run_final),
        cmocka_unit_test(test_set_baseline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
