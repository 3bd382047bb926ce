/* tests/unit/test_run_trend.c: what trend(heap_inuse) is fitted on
 * (run_series_cb): the live heap after each GC when its points cover the
 * span after the warm-up, else the floor of heap_inuse itself -- as when
 * a memory limit came to set the GC goal and heap_live has no value from
 * then on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run/run_internal.h"
#include "suite/suite.h"

/* 60 s of load, a point a second: heap_inuse a sawtooth, heap_live a
 * value from `from` to `live_until` seconds (NaN after), none before
 * `from` nor after `last`, and NaN from `gap` to gap + 11 s. */
static struct timeline *load_span(double from, double live_until, double last, double gap)
{
    struct timeline *tl = timeline_new();
    for (int i = 0; i <= 60; i++) {
        double t = i, v = t <= live_until && !(t >= gap && t < gap + 11) ? 2e7 + 1e4 * t : NAN;
        timeline_add(tl, "heap_inuse", t, PHASE_LOAD, 3e7 + 1e6 * (i % 4));
        if (t >= from && t <= last)
            timeline_add(tl, "heap_live", t, PHASE_LOAD, v);
    }
    return tl;
}

static struct timeline *load_of(double from, double live_until)
{
    return load_span(from, live_until, 60, 1e9);
}

/* What the series callback gives for trend(heap_inuse). */
static const char *basis;

static const char *fitted_on(struct timeline *tl, double warmup, enum expr_trend_kind *kind)
{
    struct suite_test t = {.warmup_s = warmup};
    struct run r = {.t = &t, .tl = tl};
    /* the load phase as the runner knows it: 0 to 60 s */
    r.phase_seen[PHASE_LOAD] = 1;
    r.phase_end[PHASE_LOAD] = 60;
    struct expr_metric m = {.name = "heap_inuse", .text = "heap_inuse"};
    struct expr_series se = {0};
    struct lc_error err = {0};
    assert_int_equal(run_series_cb(&m, &se, &err, &r), 0);
    assert_true(se.n > 0);
    *kind = se.kind;
    basis = se.basis;
    free(se.t);
    free(se.v);
    timeline_free(tl);
    return se.series ? se.series : "heap_inuse";
}

static void test_live_heap_covering(void **state)
{
    (void)state;
    enum expr_trend_kind k;
    assert_string_equal(fitted_on(load_of(0, 60), -1, &k), "heap_live");
    assert_int_equal(k, EXPR_TREND_LOWER);
    /* points only after the warm-up are enough */
    assert_string_equal(fitted_on(load_of(20, 60), 20, &k), "heap_live");
}

/* a limit that binds from second 45 on: the last fifth of the span after
 * the warm-up has no live heap, so the floor is fitted */
static void test_live_heap_stops(void **state)
{
    (void)state;
    enum expr_trend_kind k;
    assert_string_equal(fitted_on(load_of(0, 45), -1, &k), "heap_inuse");
    assert_int_equal(k, EXPR_TREND_FLOOR);
    assert_non_null(strstr(basis, "the live heap after each GC missing in part of the load"));
    /* no value at all (GOGC=off, a limit that bound from the start), or no
     * series: the floor, nothing to explain */
    assert_string_equal(fitted_on(load_of(0, -1), -1, &k), "heap_inuse");
    assert_null(basis);
    assert_string_equal(fitted_on(load_of(100, 100), -1, &k), "heap_inuse");
    assert_null(basis);
    /* a gap in a middle fifth (20 s to 31 s, the fifths of 20..60 s are 8 s) */
    assert_string_equal(fitted_on(load_span(0, 60, 60, 20), -1, &k), "heap_inuse");
    /* points that stop coming (not NaN) at 45 s of the 60 s load */
    assert_string_equal(fitted_on(load_span(0, 60, 45, 1e9), -1, &k), "heap_inuse");
    /* nor when it starts late */
    assert_string_equal(fitted_on(load_of(40, 60), 10, &k), "heap_inuse");
}

/* fewer than 15 points after the warm-up (30 s of 60 here) */
static void test_live_heap_few(void **state)
{
    (void)state;
    enum expr_trend_kind k;
    assert_string_equal(fitted_on(load_of(0, 60), 50, &k), "heap_inuse");
    assert_string_equal(fitted_on(load_of(0, 60), 40, &k), "heap_live");
    /* 15 points after the warm-up are enough, 14 are not */
    assert_string_equal(fitted_on(load_of(0, 60), 46, &k), "heap_live");
    assert_string_equal(fitted_on(load_of(0, 60), 46.5, &k), "heap_inuse");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_heap_covering),
        cmocka_unit_test(test_live_heap_stops),
        cmocka_unit_test(test_live_heap_few),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
