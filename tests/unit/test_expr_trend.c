/*
 * tests/unit/test_expr_trend.c: trend(m): the floor of a sawtooth and the
 * level of a count after the warm-up, the Theil-Sen slope and its
 * interval, the decision on the interval, and what is refused. The series
 * are built in memory with a seeded generator, so every run sees the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assertions/expr.h"
#include "common/lc.h"

#define MB (1024.0 * 1024.0)
#define HOUR 3600.0

static uint64_t rng = 88172645463325252ull;

static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

struct shape {
    double secs, interval;   /* load length, sample interval */
    double live, leak;       /* bytes, bytes per second */
    double churn, gc_period; /* sawtooth: garbage per second, seconds between GCs (0: none) */
    double warm, warm_bytes; /* a cache filling linearly over warm seconds */
    double noise;            /* uniform noise on every sample, +-noise/2 */
};

/* Samples a Go heap: live + leak*t + cache + garbage since the last GC
 * (GCs at a jittered period), plus noise. */
static size_t make_heap(const struct shape *sh, double **t, double **v)
{
    size_t n = (size_t)(sh->secs / sh->interval);
    *t = lc_malloc(n * sizeof(double));
    *v = lc_malloc(n * sizeof(double));
    double next_gc = sh->gc_period * uniform(), last_gc = 0;
    for (size_t i = 0; i < n; i++) {
        double x = 100 + (double)i * sh->interval;
        double rel = x - 100;
        while (sh->gc_period > 0 && rel >= next_gc) {
            last_gc = next_gc;
            next_gc += sh->gc_period * (0.7 + 0.6 * uniform());
        }
        double cache = sh->warm > 0 ? sh->warm_bytes * fmin(1, rel / sh->warm) : 0;
        (*t)[i] = x;
        (*v)[i] = sh->live + sh->leak * rel + cache + sh->churn * (rel - last_gc) +
                  sh->noise * (uniform() - 0.5);
    }
    return n;
}

static void fit(const struct shape *sh, double warmup, enum expr_trend_kind kind,
                struct expr_trend *tr)
{
    double *t, *v;
    struct lc_error err = {0};
    size_t n = make_heap(sh, &t, &v);
    int rc = expr_trend_fit(t, v, n, warmup, kind, tr, &err);
    if (rc != 0)
        print_error("%s\n", err.msg);
    assert_int_equal(rc, 0);
    free(t);
    free(v);
}

/* 300 KB a minute under a 40 MB sawtooth, ten minutes at 100 ms: the floor
 * shows it, a least-squares line through the raw series does not. */
static void test_floor_finds_slow_leak(void **state)
{
    (void)state;
    struct shape sh = {.secs = 600,
                       .interval = 0.1,
                       .live = 20 * MB,
                       .leak = 300e3 / 60,
                       .churn = 50 * MB,
                       .gc_period = 0.4,
                       .noise = 64e3};
    struct expr_trend tr;
    fit(&sh, -1, EXPR_TREND_FLOOR, &tr);
    double per_h = sh.leak * HOUR;
    assert_true(tr.lo > 0.5 * per_h / HOUR);
    assert_true(tr.lo <= sh.leak && sh.leak <= tr.hi);
    assert_true(fabs(tr.slope - sh.leak) < 0.2 * sh.leak);
    assert_true(fabs(tr.warmup - 200) < 0.1);
    assert_true(tr.windows >= 5 && tr.windows <= 24);
}

/* A healthy big sawtooth (GC every 2 s, 100 MB of garbage each) has a
 * flat floor: its interval holds 0. The raw series' level would not. */
static void test_floor_of_healthy_sawtooth_is_flat(void **state)
{
    (void)state;
    int rising = 0;
    for (int k = 0; k < 50; k++) {
        struct shape sh = {.secs = 600,
                           .interval = 0.1,
                           .live = 64 * MB,
                           .churn = 50 * MB,
                           .gc_period = 2,
                           .noise = 256e3};
        struct expr_trend tr;
        fit(&sh, -1, EXPR_TREND_FLOOR, &tr);
        rising += tr.lo > 1 * MB / HOUR;
    }
    assert_int_equal(rising, 0);
}

/* A cache that fills over the first 3 of 10 minutes: the default warm-up
 * (a third) leaves it out; without a warm-up it shows as a rise. */
static void test_warmup_leaves_cache_out(void **state)
{
    (void)state;
    struct shape sh = {.secs = 600,
                       .interval = 0.1,
                       .live = 8 * MB,
                       .churn = 50 * MB,
                       .gc_period = 0.3,
                       .warm = 180,
                       .warm_bytes = 32 * MB,
                       .noise = 64e3};
    struct expr_trend tr;
    fit(&sh, -1, EXPR_TREND_FLOOR, &tr);
    assert_false(tr.lo > 1 * MB / HOUR);
    fit(&sh, 0, EXPR_TREND_FLOOR, &tr);
    assert_true(tr.slope > 1 * MB / HOUR && tr.hi > 10 * MB / HOUR);
    fit(&sh, 300, EXPR_TREND_FLOOR, &tr);
    assert_true(fabs(tr.warmup - 300) < 1e-9 && fabs(tr.from - 400) < 1e-6);
}

/* Goroutines: one kept per 1,000 requests at 200/s (0.2/s) under 0..6 in
 * flight: the level rises; a flat count with the same noise does not. */
static void test_level_of_count(void **state)
{
    (void)state;
    size_t n = 6000;
    double *t = lc_malloc(n * sizeof(double)), *v = lc_malloc(n * sizeof(double));
    struct expr_trend tr;
    struct lc_error err = {0};
    for (int leak = 0; leak <= 1; leak++) {
        for (size_t i = 0; i < n; i++) {
            t[i] = (double)i * 0.1;
            v[i] = 12 + floor(uniform() * 7) + (leak ? floor((double)i * 0.1 * 0.2) : 0);
        }
        assert_int_equal(expr_trend_fit(t, v, n, -1, EXPR_TREND_LEVEL, &tr, &err), 0);
        if (leak)
            assert_true(tr.lo > 0.15 && tr.hi < 0.25);
        else
            assert_true(tr.lo <= 0 && tr.hi >= 0);
    }
    free(t);
    free(v);
}

/* Gaps (NaN) are skipped; an all-NaN series, too few samples, a warm-up
 * as long as the load and a sawtooth of 4 cycles are refused, saying why. */
static void test_refusals(void **state)
{
    (void)state;
    double t[400], v[400];
    struct expr_trend tr;
    struct lc_error err = {0};
    for (size_t i = 0; i < 400; i++) {
        t[i] = (double)i;
        v[i] = i % 3 ? (double)i : NAN;
    }
    assert_int_equal(expr_trend_fit(t, v, 400, 0, EXPR_TREND_LEVEL, &tr, &err), 0);
    assert_true(fabs(tr.slope - 1) < 1e-9 && fabs(tr.lo - 1) < 1e-9);
    for (size_t i = 0; i < 400; i++)
        v[i] = NAN;
    assert_int_equal(expr_trend_fit(t, v, 400, 0, EXPR_TREND_LEVEL, &tr, &err), -1);
    assert_non_null(strstr(err.msg, "0 samples after the warm-up"));
    assert_int_equal(expr_trend_fit(t, v, 10, -1, EXPR_TREND_LEVEL, &tr, &err), -1);
    assert_int_equal(expr_trend_fit(t, v, 400, 1e9, EXPR_TREND_LEVEL, &tr, &err), -1);
    assert_non_null(strstr(err.msg, "covers the whole load"));
    assert_int_equal(expr_trend_fit(t, v, 1, -1, EXPR_TREND_LEVEL, &tr, &err), -1);
    for (size_t i = 0; i < 400; i++)
        v[i] = (double)(i % 100); /* 4 cycles */
    assert_int_equal(expr_trend_fit(t, v, 400, 0, EXPR_TREND_FLOOR, &tr, &err), -1);
    assert_non_null(strstr(err.msg, "falls (GC cycles)"));
    for (size_t i = 0; i < 400; i++)
        t[i] = 7; /* every sample at one instant: no slope to tell */
    assert_int_equal(expr_trend_fit(t, v, 400, 0, EXPR_TREND_LEVEL, &tr, &err), -1);
}

struct fake {
    size_t n;
    double leak_per_s;
    int kind, bytes, fail;
    double noise;
};

static int series_cb(const struct expr_metric *m, struct expr_series *out, struct lc_error *err,
                     void *arg)
{
    (void)m;
    const struct fake *f = arg;
    if (f->fail) {
        lc_error_set(err, "no samples of %s during the load", m->text);
        return -1;
    }
    out->t = lc_malloc(f->n * sizeof(double));
    out->v = lc_malloc(f->n * sizeof(double));
    out->n = f->n;
    for (size_t i = 0; i < f->n; i++) {
        out->t[i] = (double)i;
        out->v[i] = 1000 + f->leak_per_s * (double)i + f->noise * (uniform() - 0.5);
    }
    out->warmup = 600;
    out->kind = f->kind;
    out->bytes = f->bytes;
    return 0;
}

static int no_value_cb(const struct expr_metric *m, enum expr_reduce r, double *out,
                       struct lc_error *err, void *arg)
{
    (void)m, (void)r, (void)out, (void)err, (void)arg;
    return -1;
}

static void check(const char *text, struct fake *f, int rc, int passed, const char *msg)
{
    struct lc_error err = {0};
    struct expr_result res;
    struct expr *e = expr_parse(text, &err);
    assert_non_null(e);
    int got = expr_eval_full(e, no_value_cb, series_cb, f, &res, &err);
    const char *said = got == 0 ? res.message : err.msg;
    if (got != rc || (got == 0 && res.passed != passed) || !strstr(said, msg))
        print_error("%s: rc %d passed %d: %s\n", text, got, res.passed, said);
    assert_int_equal(got, rc);
    if (rc == 0) {
        assert_int_equal(res.passed, passed);
        assert_true(res.has_trend);
    }
    assert_non_null(strstr(said, msg));
    expr_free(e);
}

/* The decision is on the interval, the message per hour in human units. */
static void test_eval(void **state)
{
    (void)state;
    struct fake heap = {3600, 2.1 * MB / HOUR, EXPR_TREND_FLOOR, 1, 0, 0};
    check("trend(heap_inuse) < 1MB/h", &heap, 0, 0,
          "heap_inuse floor rising 2.1MB/h, 95% CI 2.1MB/h..2.1MB/h, over 50m after 10m "
          "warm-up: all of it above the limit 1.0MB/h");
    check("trend(heap_inuse) <= 4MB/h", &heap, 0, 1, "; limit <= 4.0MB/h");
    check("trend(heap_inuse) > 4MB/h", &heap, 0, 0, "all of it below the limit 4.0MB/h");
    /* a slope above the limit that the noise cannot tell from it passes */
    heap.noise = 64 * MB;
    check("trend(heap_inuse) < 2MB/h", &heap, 0, 1, "; limit < 2.0MB/h");
    heap.noise = 0;
    struct fake gor = {3600, 0, EXPR_TREND_LEVEL, 0, 0, 0};
    check("trend(goroutines) < 0", &gor, 0, 1, "goroutines level flat 0/h, 95% CI 0/h..0/h");
    gor.leak_per_s = 0.2;
    check("trend(goroutines) < 10/h", &gor, 0, 0, "level rising 720/h");
    gor.fail = 1;
    check("trend(goroutines) < 10/h", &gor, -1, 0, "no trend for goroutines: no samples");
    gor.fail = 0;
    gor.n = 601; /* all warm-up */
    check("trend(goroutines) < 10/h", &gor, -1, 0, "covers the whole load");
    /* without a series callback, trend() is an error, not a pass */
    struct lc_error err = {0};
    struct expr_result res;
    struct expr *e = expr_parse("trend(fds) < 1", &err);
    assert_int_equal(expr_eval(e, no_value_cb, NULL, &res, &err), -1);
    assert_non_null(strstr(err.msg, "cannot be computed here"));
    assert_int_equal(expr_basis(e), EXPR_BASIS_GROWTH);
    expr_free(e);
}

/* Spans are rounded to what is shown: a fit over 119.96 s after 59.99 s
 * of warm-up (sample times are not round) reads "2m after 1m". */
static void test_describe_rounds_spans(void **state)
{
    (void)state;
    struct expr_trend tr = {.slope = 1e-3,
                            .lo = 5e-4,
                            .hi = 2e-3,
                            .from = 60.5,
                            .to = 180.46,
                            .warmup = 59.99,
                            .kind = EXPR_TREND_LEVEL};
    char buf[256];
    expr_trend_describe(&tr, "goroutines", 0, buf, sizeof(buf));
    assert_string_equal(buf, "goroutines level rising 3.6/h, 95% CI 1.8/h..7.2/h, over 2m after "
                             "1m warm-up");
    tr.from = 0, tr.to = 5430.2, tr.warmup = 1799.6;
    expr_trend_describe(&tr, "goroutines", 0, buf, sizeof(buf));
    assert_non_null(strstr(buf, "over 1.5h after 30m warm-up"));
    tr.to = 44.4, tr.warmup = 9.6;
    expr_trend_describe(&tr, "goroutines", 0, buf, sizeof(buf));
    assert_non_null(strstr(buf, "over 44s after 10s warm-up"));
    static const struct {
        double over, warmup;
        const char *want;
    } spans[] = {{61, 121, "over 1m after 2m "},
                 {150, 59.4, "over 2.5m after 59s "},
                 {3590, 3601, "over 1h after 1h "},
                 {597.2, 3779, "over 10m after 1h "},
                 {1799.6, 5430, "over 30m after 1.5h "}};
    for (size_t i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
        tr.to = spans[i].over, tr.warmup = spans[i].warmup;
        expr_trend_describe(&tr, "goroutines", 0, buf, sizeof(buf));
        if (!strstr(buf, spans[i].want))
            fail_msg("%.1f s after %.1f s: \"%s\", want \"%s\"", spans[i].over, spans[i].warmup,
                     buf, spans[i].want);
    }
}

/* A day at 100 ms (864,000 samples) fits in bounded work: the pairs are
 * of windows, never of samples. */

static void test_day_long_series(void **state)
{
    (void)state;
    struct shape sh = {.secs = 86400,
                       .interval = 0.1,
                       .live = 30 * MB,
                       .leak = 100e3 / HOUR,
                       .churn = 20 * MB,
                       .gc_period = 1,
                       .noise = 64e3};
    struct expr_trend tr;
    fit(&sh, -1, EXPR_TREND_FLOOR, &tr);
    assert_true(fabs(tr.warmup - EXPR_TREND_WARMUP_MAX) < 1e-9);
    assert_int_equal(tr.windows, 24);
    assert_true(tr.lo > 50e3 / HOUR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_floor_finds_slow_leak),
        cmocka_unit_test(test_floor_of_healthy_sawtooth_is_flat),
        cmocka_unit_test(test_warmup_leaves_cache_out),
        cmocka_unit_test(test_level_of_count),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_eval),
        cmocka_unit_test(test_describe_rounds_spans),
        cmocka_unit_test(test_day_long_series),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
