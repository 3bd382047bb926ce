/* tests/unit/test_heap_pace.c: which sample rounds ask for the heap profile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "run/heap_pace.h"

/* Rounds every 100 ms from t = 1000 s for secs seconds: how many ask. */
static int asked(struct heap_pace *hp, unsigned long *round, double *t, double secs)
{
    int n = 0;
    for (double end = *t + secs; *t < end - 1e-9; *t += 0.1)
        n += heap_pace_due(hp, ++*round, *t);
    return n;
}

/* Cheap fetches: at most one a second, the first round at once. */
static void test_cheap_once_a_second(void **state)
{
    (void)state;
    struct heap_pace hp = {0};
    unsigned long round = 0;
    double t = 1000;
    assert_int_equal(heap_pace_due(&hp, ++round, t), 1);
    for (int i = 0; i < 5; i++)
        heap_pace_served(&hp, 0.002);
    t += 0.1;
    assert_int_equal(asked(&hp, &round, &t, 60), 60);
}

/* A fetch of 40 ms: one every 2 s (2% of the target's time). */
static void test_follows_cost(void **state)
{
    (void)state;
    struct heap_pace hp = {0};
    unsigned long round = 0;
    double t = 1000;
    for (int i = 0; i < 5; i++)
        heap_pace_served(&hp, 0.040);
    assert_true(heap_pace_gap(&hp) > 1.99 && heap_pace_gap(&hp) < 2.01);
    assert_int_equal(asked(&hp, &round, &t, 60), 30);
}

/* One fetch that waited 2 s for a busy CPU among cheap ones does not put
 * the next off for 100 s: the pace is the median of the last five. */
static void test_one_slow_fetch(void **state)
{
    (void)state;
    struct heap_pace hp = {0};
    unsigned long round = 0;
    double t = 1000;
    for (int i = 0; i < 4; i++)
        heap_pace_served(&hp, 0.005);
    heap_pace_served(&hp, 2.0);
    assert_true(heap_pace_gap(&hp) < 1.01);
    assert_true(asked(&hp, &round, &t, 10) >= 9);
    /* five slow ones in a row do set the pace */
    for (int i = 0; i < 5; i++)
        heap_pace_served(&hp, 2.0);
    assert_int_equal(asked(&hp, &round, &t, 300), 3);
}

/* A wanted round asks whatever the pace, once, then the pace resumes. */
static void test_wanted_round(void **state)
{
    (void)state;
    struct heap_pace hp = {0};
    unsigned long round = 0;
    double t = 1000;
    for (int i = 0; i < 5; i++)
        heap_pace_served(&hp, 1.0); /* a 50 s gap */
    assert_int_equal(heap_pace_due(&hp, ++round, t), 1);
    heap_pace_want(&hp, round + 2);
    assert_int_equal(heap_pace_due(&hp, ++round, t += 0.1), 0);
    assert_int_equal(heap_pace_due(&hp, ++round, t += 0.1), 1);
    assert_int_equal(heap_pace_due(&hp, ++round, t += 0.1), 0);
    /* the next is due 49 s (0.98 x 50) after the wanted one at 1000.2 */
    assert_int_equal(asked(&hp, &round, &t, 48.5), 0);
    assert_int_equal(asked(&hp, &round, &t, 2), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cheap_once_a_second),
        cmocka_unit_test(test_follows_cost),
        cmocka_unit_test(test_one_slow_fetch),
        cmocka_unit_test(test_wanted_round),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
