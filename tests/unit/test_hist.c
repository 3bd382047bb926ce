/* tests/unit/test_hist.c: the log-linear latency histogram. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "common/lc.h"
#include "loadgen/hist.h"

#define N 200000

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: deterministic, so a failure can be reproduced */
static double uniform01(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* nearest-rank percentile of a sorted array */
static uint64_t exact_pct(const uint64_t *v, size_t n, double q)
{
    if (q <= 0)
        return v[0];
    double r = q * (double)n / 100.0;
    size_t rank = (size_t)ceil(r - r * 1e-12);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

static const double qs[] = {0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100};

static void check_against_sorted(uint64_t *v, size_t n)
{
    struct hist *h = hist_new();
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        hist_record(h, v[i]);
        sum += (double)v[i];
    }
    qsort(v, n, sizeof *v, cmp_u64);
    assert_int_equal(hist_count(h), n);
    assert_int_equal(hist_min(h), v[0]);
    assert_int_equal(hist_max(h), v[n - 1]);
    assert_true(fabs(hist_mean(h) - sum / (double)n) <= 1e-9 * sum / (double)n);
    for (size_t i = 0; i < LC_ARRAY_LEN(qs); i++) {
        double want = (double)exact_pct(v, n, qs[i]);
        double got = (double)hist_percentile(h, qs[i]);
        if (fabs(got - want) > want * 0.001) {
            print_error("q=%g want %.0f got %.0f\n", qs[i], want, got);
            fail();
        }
    }
    hist_free(h);
}

static void test_uniform(void **state)
{
    (void)state;
    uint64_t *v = lc_malloc(N * sizeof *v);
    for (size_t i = 0; i < N; i++)
        v[i] = 1 + (uint64_t)(uniform01() * 5e6);
    check_against_sorted(v, N);
    free(v);
}

static void test_exponential(void **state)
{
    (void)state;
    uint64_t *v = lc_malloc(N * sizeof *v);
    for (size_t i = 0; i < N; i++)
        v[i] = 1 + (uint64_t)(-log(1.0 - uniform01()) * 800.0); /* mean ~800 µs */
    check_against_sorted(v, N);
    free(v);
}

static void test_lognormal_wide(void **state)
{
    (void)state;
    uint64_t *v = lc_malloc(N * sizeof *v);
    for (size_t i = 0; i < N; i++) {
        /* Box-Muller; spans from a few µs to minutes */
        double z = sqrt(-2 * log(1.0 - uniform01())) * cos(2 * M_PI * uniform01());
        v[i] = 1 + (uint64_t)exp(9.0 + 3.0 * z);
        if (v[i] > 3600000000ull)
            v[i] = 3600000000ull;
    }
    check_against_sorted(v, N);
    free(v);
}

static void test_small_values_exact(void **state)
{
    (void)state;
    struct hist *h = hist_new();
    for (uint64_t x = 1; x <= 2000; x++)
        hist_record(h, x);
    for (uint64_t k = 1; k <= 2000; k++) /* q such that rank is exactly k */
        assert_int_equal(hist_percentile(h, (double)k * 100.0 / 2000.0), k);
    hist_free(h);
}

static void test_merge_exact(void **state)
{
    (void)state;
    struct hist *a = hist_new(), *b = hist_new(), *all = hist_new(), *m = hist_new();
    for (int i = 0; i < 50000; i++) {
        uint64_t x = 1 + (uint64_t)(-log(1.0 - uniform01()) * 3000.0);
        hist_record(i % 3 ? a : b, x);
        hist_record(all, x);
    }
    hist_merge(m, a);
    hist_merge(m, b);
    assert_int_equal(hist_count(m), hist_count(all));
    assert_int_equal(hist_min(m), hist_min(all));
    assert_int_equal(hist_max(m), hist_max(all));
    assert_true(hist_mean(m) == hist_mean(all));
    for (double q = 0; q <= 100; q += 0.5)
        assert_int_equal(hist_percentile(m, q), hist_percentile(all, q));
    /* merging an empty histogram changes nothing */
    struct hist *e = hist_new();
    hist_merge(m, e);
    assert_int_equal(hist_count(m), hist_count(all));
    assert_int_equal(hist_min(m), hist_min(all));
    hist_free(a);
    hist_free(b);
    hist_free(all);
    hist_free(m);
    hist_free(e);
}

/* A copy of h taken now: what a sampler keeps of a running recording. */
static struct hist *snapshot(const struct hist *h)
{
    struct hist *s = hist_new();
    hist_merge(s, h);
    return s;
}

/* Records n values of a window into both the running histogram and the
 * window's own; shift moves the window's range (lower, inside, higher). */
static void record_window(struct hist *run, struct hist *own, int n, double scale, uint64_t shift)
{
    for (int i = 0; i < n; i++) {
        uint64_t x = shift + 1 + (uint64_t)(-log(1.0 - uniform01()) * scale);
        hist_record(run, x);
        hist_record(own, x);
    }
}

/* The difference of two snapshots is the window recorded in between, and
 * the first snapshot merged with the differences is the last snapshot,
 * exactly: the windows of a run add up to the whole run. */
static void test_subtract_exact(void **state)
{
    (void)state;
    struct hist *run = hist_new(), *own[4], *snap[4];
    /* inside the range so far, a lower minimum, a higher maximum, inside */
    static const struct {
        int n;
        double scale;
        uint64_t shift;
    } w[4] = {{20000, 3000, 500}, {7000, 2000, 10}, {3000, 90000, 9000}, {5000, 1000, 800}};
    for (int k = 0; k < 4; k++) {
        own[k] = hist_new();
        record_window(run, own[k], w[k].n, w[k].scale, w[k].shift);
        snap[k] = snapshot(run);
    }
    struct hist *merged = snapshot(snap[0]);
    for (int k = 1; k < 4; k++) {
        struct hist *d = snapshot(snap[k]);
        hist_subtract(d, snap[k - 1]);
        assert_int_equal(hist_count(d), hist_count(own[k]));
        assert_true(hist_mean(d) == hist_mean(own[k]));
        /* the same buckets; only the extremes (which clamp the percentiles
         * in the end buckets) may be a bucket's edge */
        for (double q = 0; q <= 100; q += 0.5) {
            uint64_t got = hist_percentile(d, q), want = hist_percentile(own[k], q);
            assert_true((double)(got > want ? got - want : want - got) <= (double)want / 1024);
        }
        assert_int_equal(hist_count_upto(d, 20000), hist_count_upto(own[k], 20000));
        /* an extreme that moved the whole run's is exact, else within a bucket */
        uint64_t mn = hist_min(d), mx = hist_max(d), tmn = hist_min(own[k]), tmx = hist_max(own[k]);
        assert_true(mn <= tmn && (double)(tmn - mn) <= (double)tmn / 1024);
        assert_true(mx >= tmx && (double)(mx - tmx) <= (double)tmx / 1024);
        if (k == 1)
            assert_int_equal(mn, tmn);
        if (k == 2)
            assert_int_equal(mx, tmx);
        hist_merge(merged, d);
        hist_free(d);
    }
    assert_int_equal(hist_count(merged), hist_count(run));
    assert_int_equal(hist_min(merged), hist_min(run));
    assert_int_equal(hist_max(merged), hist_max(run));
    assert_true(hist_mean(merged) == hist_mean(run));
    for (double q = 0; q <= 100; q += 0.25)
        assert_int_equal(hist_percentile(merged, q), hist_percentile(run, q));
    for (int k = 0; k < 4; k++) {
        hist_free(own[k]);
        hist_free(snap[k]);
    }
    hist_free(merged);
    hist_free(run);
}

/* Nothing in between is an empty window; an empty earlier snapshot takes
 * nothing away; a "snapshot" that is not an earlier one leaves no
 * wrapped-around count. */
static void test_subtract_edges(void **state)
{
    (void)state;
    struct hist *a = hist_new(), *e = hist_new(), *big = hist_new();
    for (uint64_t v = 100; v < 5000; v += 7)
        hist_record(a, v);
    struct hist *d = snapshot(a);
    hist_subtract(d, a);
    assert_int_equal(hist_count(d), 0);
    assert_int_equal(hist_percentile(d, 99), 0);
    assert_int_equal(hist_max(d), 0);
    assert_true(hist_mean(d) == 0.0);
    hist_free(d);
    d = snapshot(a);
    hist_subtract(d, e);
    assert_int_equal(hist_count(d), hist_count(a));
    assert_int_equal(hist_min(d), hist_min(a));
    assert_int_equal(hist_max(d), hist_max(a));
    for (double q = 0; q <= 100; q += 5)
        assert_int_equal(hist_percentile(d, q), hist_percentile(a, q));
    hist_free(d);
    /* big holds twice a's values below 1000 and none above */
    for (uint64_t v = 100; v < 1000; v += 7) {
        hist_record(big, v);
        hist_record(big, v);
    }
    d = snapshot(a);
    hist_subtract(d, big);
    assert_int_equal(hist_count(d), hist_count(a) - hist_count_upto(a, 999));
    assert_int_equal(hist_count_upto(d, 999), 0);
    assert_true(hist_min(d) >= 1000 && hist_max(d) == hist_max(a));
    assert_true(hist_percentile(d, 50) > 1000);
    hist_free(d);
    d = snapshot(e);
    hist_subtract(d, a);
    assert_int_equal(hist_count(d), 0);
    hist_free(d);
    hist_free(a);
    hist_free(e);
    hist_free(big);
}

static void test_clamp_and_empty(void **state)
{
    (void)state;
    struct hist *h = hist_new();
    assert_int_equal(hist_count(h), 0);
    assert_int_equal(hist_percentile(h, 50), 0);
    assert_int_equal(hist_min(h), 0);
    assert_int_equal(hist_max(h), 0);
    assert_true(hist_mean(h) == 0.0);
    hist_record(h, 0);                     /* below 1 µs */
    hist_record(h, UINT64_MAX);            /* beyond an hour */
    hist_record(h, 3600000000ull * 5 + 7); /* beyond an hour */
    assert_int_equal(hist_count(h), 3);
    assert_int_equal(hist_min(h), 1);
    assert_int_equal(hist_max(h), 3600000000ull);
    assert_int_equal(hist_percentile(h, 100), 3600000000ull);
    uint64_t p50 = hist_percentile(h, 50);
    assert_true(p50 >= 3596400000ull && p50 <= 3600000000ull);
    hist_reset(h);
    assert_int_equal(hist_count(h), 0);
    assert_int_equal(hist_max(h), 0);
    hist_record(h, 42);
    assert_int_equal(hist_percentile(h, 0), 42);
    assert_int_equal(hist_percentile(h, 99.999), 42);
    hist_free(h);
    hist_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform),        cmocka_unit_test(test_exponential),
        cmocka_unit_test(test_lognormal_wide), cmocka_unit_test(test_small_values_exact),
        cmocka_unit_test(test_merge_exact),    cmocka_unit_test(test_clamp_and_empty),
        cmocka_unit_test(test_subtract_exact), cmocka_unit_test(test_subtract_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
