/* tests/unit/test_load_series.c: the load's series per interval, on a real
 * load engine against the servers of lg_servers.h: intervals that add up
 * to the whole load, a short last interval merged into the one before,
 * zeros and gaps after the load, and no latency when nothing answered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/lc.h"
#include "run/load_series.h"
#include "loadgen/loadgen.h"

#include "tests/unit/lg_servers.h"

#define MIN_WINDOW 0.2

struct fixture {
    struct srv *srv; /* NULL once stopped */
    char *url;
    struct loadgen *lg;
    struct timeline *tl;
    struct load_series *ls;
    double t0;
};

/* Starts a load of rate/s for duration against a server of lg_servers.h,
 * or against its closed port when answered is 0. */
static void start(struct fixture *f, int answered, double rate, double duration)
{
    f->srv = srv_start("127.0.0.1");
    f->url = url_of(f->srv->port, "/x");
    if (!answered) {
        srv_stop(f->srv);
        f->srv = NULL;
    }
    struct loadgen_request req = {.url = f->url};
    struct loadgen_config cfg = {.requests = &req,
                                 .nrequests = 1,
                                 .concurrency = 4,
                                 .threads = 1,
                                 .rate = rate,
                                 .duration_s = duration,
                                 .timeout_s = 2};
    struct lc_error err = {0};
    f->lg = loadgen_new(&cfg, &err);
    if (!f->lg)
        fail_msg("loadgen_new: %s", err.msg);
    f->tl = timeline_new();
    f->t0 = lc_now();
    assert_int_equal(loadgen_start(f->lg, &err), 0);
    f->ls = load_series_new(f->lg, f->tl, f->t0, MIN_WINDOW);
}

static void sample_at(struct fixture *f, double t, enum phase p)
{
    double now = lc_now() - f->t0;
    if (t > now)
        usleep((useconds_t)((t - now) * 1e6));
    load_series_sample(f->ls, lc_now() - f->t0, p);
}

static void finish(struct fixture *f)
{
    load_series_free(f->ls);
    loadgen_free(f->lg);
    timeline_free(f->tl);
    free(f->url);
    if (f->srv)
        srv_stop(f->srv);
}

static const struct timeline_point *series(struct fixture *f, const char *name, size_t *n)
{
    for (size_t i = 0; i < timeline_nseries(f->tl); i++)
        if (strcmp(timeline_name(f->tl, i), name) == 0)
            return timeline_points(f->tl, i, n);
    *n = 0;
    return NULL;
}

static double final(struct fixture *f, const char *name)
{
    double v = NAN;
    return timeline_reduce(f->tl, name, EXPR_FINAL, &v, NULL) == 0 ? v : NAN;
}

/* 500/s for 0.6 s, sampled at 0.05 (too soon: no interval), 0.25, 0.5 and
 * after the end: the 0.1 s from 0.5 to the end is merged into the interval
 * before; 0.7 ends the last interval and 0.8, 0.9 add 0/s. Whatever the
 * machine's timing, every interval is at least MIN_WINDOW long, the last
 * ends with the load, the intervals' requests add up to the whole load's,
 * and the rounds after the load add 0/s and gaps. */
static void test_intervals_add_up(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, 1, 500, 0.6);
    sample_at(&f, 0.05, PHASE_LOAD);
    sample_at(&f, 0.25, PHASE_LOAD);
    sample_at(&f, 0.5, PHASE_LOAD);
    loadgen_join(f.lg);
    sample_at(&f, 0.7, PHASE_SETTLE);
    sample_at(&f, 0.8, PHASE_SETTLE);
    sample_at(&f, 0.9, PHASE_SETTLE);
    struct loadgen_stats st;
    loadgen_snapshot(f.lg, &st, NULL);
    size_t n, np;
    const struct timeline_point *rps = series(&f, "rps", &n), *p50 = series(&f, "p50", &np);
    assert_true(n >= 3 && np == n);
    assert_true(rps[n - 1].v == 0 && rps[n - 2].v == 0 && isnan(p50[n - 1].v));
    assert_true(rps[n - 1].phase == PHASE_SETTLE);
    double start = st.started_s - f.t0, prev = start, sum = 0;
    assert_true(start >= 0 && start < rps[0].t);
    for (size_t i = 0; i + 2 < n; i++) {
        double len = rps[i].t - prev;
        assert_int_equal(rps[i].phase, PHASE_LOAD);
        if (n > 3 && len < MIN_WINDOW - 1e-9)
            fail_msg("interval %zu is %.3fs long", i, len);
        /* an interval in which nothing finished (a slow machine) has no latency */
        assert_int_equal(isnan(p50[i].v), rps[i].v == 0);
        sum += rps[i].v * len;
        prev = rps[i].t;
    }
    /* the last interval ends with the load, on the load's own clock */
    assert_true(fabs(prev - (start + st.elapsed_s)) < 1e-9);
    if (fabs(sum - (double)st.requests) > 1e-6)
        fail_msg("intervals hold %.3f requests, the load %llu", sum,
                 (unsigned long long)st.requests);
    /* the final values are the whole load's */
    assert_true(final(&f, "rps") == st.rps);
    assert_true(final(&f, "p99") == st.p99 && final(&f, "latency_max") == st.max);
    assert_true(final(&f, "error_rate") == 0);
    size_t nreq;
    const struct timeline_point *req = series(&f, "requests", &nreq);
    assert_int_equal(nreq, 6);
    assert_true(req[nreq - 1].v == (double)st.requests);
    finish(&f);
}

/* A load that ends before the first interval is long enough is one
 * interval, not none. */
static void test_short_load_is_one_interval(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, 1, 200, 0.05);
    loadgen_join(f.lg);
    sample_at(&f, 0.1, PHASE_OBSERVE);
    size_t n;
    const struct timeline_point *rps = series(&f, "rps", &n);
    assert_int_equal(n, 1);
    assert_true(rps[0].v > 0 && rps[0].phase == PHASE_LOAD);
    assert_true(fabs(rps[0].v - final(&f, "rps")) < 1e-9);
    finish(&f);
}

/* Nothing listens: requests fail and are counted, but no latency has a
 * value, neither per interval nor over the whole load. */
static void test_no_response_no_latency(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, 0, 100, 0.4);
    sample_at(&f, 0.25, PHASE_LOAD);
    loadgen_join(f.lg);
    sample_at(&f, 0.5, PHASE_SETTLE);
    double v;
    struct lc_error err = {0};
    assert_true(final(&f, "requests") > 0 && final(&f, "error_rate") == 1);
    assert_int_equal(timeline_reduce(f.tl, "p99", EXPR_FINAL, &v, &err), -1);
    assert_non_null(strstr(err.msg, "no value"));
    assert_int_equal(timeline_reduce(f.tl, "p99", EXPR_MAX, &v, NULL), -1);
    assert_int_equal(timeline_reduce(f.tl, "latency_max", EXPR_FINAL, &v, NULL), -1);
    finish(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intervals_add_up),
        cmocka_unit_test(test_short_load_is_one_interval),
        cmocka_unit_test(test_no_response_no_latency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
