/*
 * tests/unit/test_timeline_day.c: a day at 100 ms, fast-forwarded through
 * the timeline (864,000 samples a series): the memory it holds stays under
 * a fixed bound, min, max, first, last and avg stay exact, and trend() on
 * what is kept agrees with trend() on every sample.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "assertions/expr_trend.h"
#include "run/timeline.h"

#define DAY_SAMPLES 864000 /* 24 h at 100 ms */
#define STEP_S 0.1
#define BASELINE_N 600 /* one minute */
#define SETTLE_N 600

/* A Go heap under churn: 50 MB floor, 40 MB of garbage between GCs every
 * 30 s, a leak of 300 KB/min (5 KB/s) under it; now and then a gap, once
 * a spike. */
static double heap_at(size_t i)
{
    double t = (double)i * STEP_S;
    if (i % 9973 == 5000)
        return NAN;
    if (i == 432123) /* one spike mid-day: the max must keep it */
        return 5e9;
    return 50e6 + 5000.0 * t + 40e6 * (double)(i % 300) / 300.0;
}

/* Goroutines: 100, one more per 1,000 samples, requests in flight on top. */
static double gor_at(size_t i)
{
    return 100.0 + (double)(i / 1000) + (double)((i * 7) % 13);
}

static enum phase phase_at(size_t i)
{
    return i < BASELINE_N                  ? PHASE_BASELINE
           : i >= DAY_SAMPLES - SETTLE_N ? PHASE_SETTLE
                                          : PHASE_LOAD;
}

static double reduce(struct timeline *tl, const char *name, enum expr_reduce r)
{
    double v = NAN;
    assert_int_equal(timeline_reduce(tl, name, r, &v, NULL), 0);
    return v;
}

/* Fits trend over the load points of pts (n), warm-up 1 h. */
static struct expr_trend fit(const struct timeline_point *pts, size_t n, enum expr_trend_kind kind)
{
    double *t = malloc(n * sizeof(double)), *v = malloc(n * sizeof(double));
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (pts[i].phase == PHASE_LOAD) {
            t[k] = pts[i].t;
            v[k++] = pts[i].v;
        }
    struct expr_trend tr;
    struct lc_error err = {0};
    int rc = expr_trend_fit(t, v, k, 3600, kind, &tr, &err);
    if (rc != 0)
        fail_msg("trend: %s", err.msg);
    free(t);
    free(v);
    return tr;
}

static void test_day_at_100ms(void **state)
{
    (void)state;
    struct timeline *tl = timeline_new();
    struct timeline_point *all = malloc(DAY_SAMPLES * sizeof(*all));
    double hmin = INFINITY, hmax = -INFINITY, gsum = 0;
    size_t peak = 0;
    for (size_t i = 0; i < DAY_SAMPLES; i++) {
        double t = (double)i * STEP_S, h = heap_at(i), g = gor_at(i);
        timeline_add(tl, "heap_inuse", t, phase_at(i), h);
        timeline_add(tl, "goroutines", t, phase_at(i), g);
        all[i] = (struct timeline_point){t, h, phase_at(i), 0};
        if (!isnan(h)) {
            hmin = h < hmin ? h : hmin;
            hmax = h > hmax ? h : hmax;
        }
        gsum += g;
        size_t b = timeline_bytes(tl);
        peak = b > peak ? b : peak;
    }
    /* two series of at most TIMELINE_MAX_POINTS points, with room to grow */
    size_t bound = 2 * 2 * TIMELINE_MAX_POINTS * sizeof(struct timeline_point) + 4096;
    assert_true(peak < bound);
    size_t n;
    const struct timeline_point *p = timeline_points(tl, 0, &n);
    assert_true(n <= TIMELINE_MAX_POINTS && n >= TIMELINE_MAX_POINTS / 2);
    assert_true(reduce(tl, "heap_inuse", EXPR_MIN) == hmin);
    assert_true(reduce(tl, "heap_inuse", EXPR_MAX) == hmax);
    assert_true(reduce(tl, "heap_inuse", EXPR_FINAL) == heap_at(DAY_SAMPLES - 1));
    assert_true(p[0].t == 0 && p[0].v == heap_at(0));
    assert_true(p[n - 1].t == (double)(DAY_SAMPLES - 1) * STEP_S);
    assert_true(fabs(reduce(tl, "goroutines", EXPR_AVG) - gsum / DAY_SAMPLES) < 1e-6);
    /* the phases' bounds are not blurred: no point is in the wrong phase */
    for (size_t i = 0; i < n; i++)
        assert_true(p[i].phase == phase_at((size_t)llround(p[i].t / STEP_S)));

    /* the floor's trend on what is kept is the one on every sample */
    struct expr_trend full = fit(all, DAY_SAMPLES, EXPR_TREND_FLOOR);
    struct expr_trend kept = fit(p, n, EXPR_TREND_FLOOR);
    assert_true(fabs(kept.slope - 5000.0) < 50.0);
    assert_true(fabs(kept.slope - full.slope) < 0.01 * full.slope);
    assert_true(kept.lo > 4000.0);

    /* and the level's of a count */
    for (size_t i = 0; i < DAY_SAMPLES; i++)
        all[i] = (struct timeline_point){(double)i * STEP_S, gor_at(i), phase_at(i), 0};
    p = timeline_points(tl, 1, &n);
    full = fit(all, DAY_SAMPLES, EXPR_TREND_LEVEL);
    kept = fit(p, n, EXPR_TREND_LEVEL);
    assert_true(fabs(kept.slope - 0.01) < 0.001); /* one per 1,000 samples of 0.1 s */
    assert_true(fabs(kept.slope - full.slope) < 0.02 * full.slope);
    free(all);
    timeline_free(tl);
}

/* Popping the last point after a halving removes exactly it. */
static void test_pop_after_halving(void **state)
{
    (void)state;
    struct timeline *tl = timeline_new();
    for (size_t i = 0; i <= TIMELINE_MAX_POINTS; i++)
        timeline_add(tl, "fds", (double)i, PHASE_LOAD, (double)i);
    timeline_add(tl, "fds", 1e6, PHASE_LOAD, 1e9);
    timeline_pop(tl, "fds");
    assert_true(reduce(tl, "fds", EXPR_MAX) == TIMELINE_MAX_POINTS);
    assert_true(reduce(tl, "fds", EXPR_FINAL) == TIMELINE_MAX_POINTS);
    double avg = (double)TIMELINE_MAX_POINTS / 2.0;
    assert_true(fabs(reduce(tl, "fds", EXPR_AVG) - avg) < 1e-9);
    timeline_free(tl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_at_100ms),
        cmocka_unit_test(test_pop_after_halving),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
