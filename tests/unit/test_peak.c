/* tests/unit/test_peak.c: when a batch job's peak snapshots are taken
 * (run/peak.c): a sequence of samples in, the parts due out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "run/peak.h"

#define MIB (1024.0 * 1024.0)

/* One sample: its time, its counts (fds, sockets, goroutines, heap_inuse),
 * what may be taken, and the parts that must be due. */
struct step {
    double t;
    double vals[PEAK_NMETRICS];
    unsigned allowed;
    unsigned want;
};

#define ALL (PEAK_FDS | PEAK_GOROUTINES | PEAK_HEAP)

static void run_steps(const struct step *steps, size_t n)
{
    struct peak_watch w;
    peak_watch_init(&w);
    for (size_t i = 0; i < n; i++) {
        unsigned got = peak_due(&w, steps[i].vals, steps[i].t, steps[i].allowed);
        if (got != steps[i].want)
            fail_msg("step %zu (t=%g): due %#x, want %#x", i, steps[i].t, got, steps[i].want);
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(peak_metric_name(0), "fds");
    assert_string_equal(peak_metric_name(1), "sockets");
    assert_string_equal(peak_metric_name(2), "goroutines");
    assert_string_equal(peak_metric_name(3), "heap_inuse");
    assert_int_equal(peak_metric_part(1), PEAK_FDS);
    assert_int_equal(peak_metric_part(3), PEAK_HEAP);
}

/* A job that opens files steadily: a snapshot of its fds now and then as
 * they climb by 10%, none while they fall, and none for a climb back
 * below the last snapshot's count plus the margin. */
static void test_fds_climb(void **state)
{
    (void)state;
    const struct step steps[] = {
        {0.00, {2, 0, NAN, NAN}, ALL, 0},        /* below the first margin of 3 */
        {0.05, {5, 0, NAN, NAN}, ALL, PEAK_FDS}, /* the first: 5 >= 0 + 3 */
        {0.10, {60, 0, NAN, NAN}, ALL, 0},       /* 0.05 s since the last: too soon */
        {0.15, {110, 0, NAN, NAN}, ALL, PEAK_FDS},
        {0.20, {115, 0, NAN, NAN}, ALL, 0}, /* too soon */
        {0.30, {120, 0, NAN, NAN}, ALL, 0}, /* 120 < 110 + 11 */
        {0.35, {121, 0, NAN, NAN}, ALL, PEAK_FDS},
        {0.50, {400, 0, NAN, NAN}, ALL, PEAK_FDS},
        {0.60, {10, 0, NAN, NAN}, ALL, 0},  /* falling: nothing */
        {0.70, {430, 0, NAN, NAN}, ALL, 0}, /* 430 < 400 + 40 */
        {0.80, {440, 0, NAN, NAN}, ALL, PEAK_FDS},
        {0.90, {NAN, NAN, NAN, NAN}, ALL, 0}, /* gone: no counts, nothing due */
    };
    run_steps(steps, sizeof(steps) / sizeof(steps[0]));
}

/* Sockets are fds too; the profiles have a longer rest (they cost the
 * target) and their own margins (4 MiB for the heap); a part that is not
 * allowed stays due. */
static void test_parts(void **state)
{
    (void)state;
    const struct step steps[] = {
        {0.0, {10, 0, 2, 1 * MIB}, ALL, PEAK_FDS},
        {0.2, {10, 3, 4, 3 * MIB}, ALL, PEAK_FDS | PEAK_GOROUTINES},
        {0.4, {11, 4, 40, 6 * MIB}, ALL, PEAK_HEAP}, /* goroutines: 0.2 s after the last */
        {0.6, {11, 4, 40, 6 * MIB}, ALL, 0},
        {0.7, {11, 4, 40, 6 * MIB}, PEAK_FDS, 0}, /* goroutines due, not allowed */
        {0.8, {11, 4, 40, 6 * MIB}, ALL, PEAK_GOROUTINES},
        {0.9, {11, 4, 41, 9 * MIB}, ALL, 0}, /* heap: 9 < 6 + 4 MiB; too soon anyway */
        {1.0, {11, 4, 41, 10 * MIB}, ALL, PEAK_HEAP},
        {2.0, {11, 4, 43, 10 * MIB}, ALL, 0}, /* 43 < 40 + max(3, 4) */
        {2.1, {11, 4, 44, 10 * MIB}, ALL, PEAK_GOROUTINES},
    };
    run_steps(steps, sizeof(steps) / sizeof(steps[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_fds_climb),
        cmocka_unit_test(test_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
