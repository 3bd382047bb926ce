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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
