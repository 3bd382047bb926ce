/* tests/unit/test_sampler_prom.c: heap_live from the scrapes of one test,
 * round after round: a point per GC cycle, none with a guessed GOGC, none
 * in a round with a heap profile, a gap for a failed scrape, and a scrape
 * taken for the heap profiles' process only once their GC counts agreed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "run/sampler_int.h"
#include "run/timeline.h"
#include "suite/suite.h"

struct fx {
    struct suite_test t;
    struct timeline *tl;
    struct sampler *s;
};

static struct fx *fx_new(int pprof, pid_t pid)
{
    struct fx *f = test_calloc(1, sizeof(*f));
    f->t.sample.prometheus = "http://127.0.0.1:1/metrics";
    f->t.sample.pprof = pprof ? "http://127.0.0.1:1/debug/pprof" : NULL;
    f->tl = timeline_new();
    f->s = sampler_new(NULL, &f->t, pid, f->tl, 0);
    return f;
}

static void fx_free(struct fx *f)
{
    sampler_free(f->s);
    timeline_free(f->tl);
    test_free(f);
}

/* A round at time t (what sampler_round resets), heap: it fetches the
 * heap profile too. */
static void round_at(struct sampler *s, double t, int heap)
{
    s->round_t = t;
    s->round_phase = PHASE_LOAD;
    s->heap_asked = heap;
    s->heap_gc = s->scrape_gc = NAN;
}

/* A scrape of Go's collector: goal, GC count, and GOGC when gogc >= -1. */
static void scrape(struct sampler *s, double next, double numgc, double gogc)
{
    char text[256];
    int n = snprintf(text, sizeof(text),
                     "go_memstats_next_gc_bytes %.17g\ngo_gc_duration_seconds_count %.17g\n", next,
                     numgc);
    if (gogc >= -1)
        snprintf(text + n, sizeof(text) - (size_t)n, "go_gc_gogc_percent %.17g\n", gogc);
    struct lc_error err = {0};
    struct prom_set *set = prom_parse(text, strlen(text), &err);
    assert_non_null(set);
    sampler_prom_values(s, set);
}

/* The GOGC heap_live is read with now. */
static double gogc_of(struct sampler *s)
{
    double g = 0, limit = 0;
    sampler_go_gc(s, &g, &limit);
    return g;
}

/* heap_live's points: how many (NaN ones too) into *n, values into v. */
static size_t live_points(const struct timeline *tl, double *v, size_t max)
{
    for (size_t i = 0; i < timeline_nseries(tl); i++)
        if (strcmp(timeline_name(tl, i), "heap_live") == 0) {
            size_t n = 0;
            const struct timeline_point *p = timeline_points(tl, i, &n);
            for (size_t k = 0; k < n && k < max; k++)
                v[k] = p[k].v;
            return n;
        }
    return 0;
}

/* /metrics alone, GOGC said: one point per GC count, the first (count 0)
 * a NaN; the same goal scraped again adds nothing. */
static void test_a_point_per_gc(void **state)
{
    (void)state;
    struct fx *f = fx_new(0, 0);
    static const double counts[] = {0, 0, 1, 1, 1, 2, 5, 5};
    for (size_t i = 0; i < LC_ARRAY_LEN(counts); i++) {
        round_at(f->s, 0.1 * (double)i, 0);
        scrape(f->s, 8e6 + 1e6 * counts[i], counts[i], 100);
    }
    double v[16];
    assert_int_equal(live_points(f->tl, v, 16), 4);
    assert_true(isnan(v[0]));
    assert_true(v[1] == 4.5e6 && v[2] == 5e6 && v[3] == 6.5e6);
    fx_free(f);
}

/* A target elsewhere without go_gc_gogc_percent: no GOGC known, no point
 * (not one computed with 100). */
static void test_no_guessed_gogc(void **state)
{
    (void)state;
    struct fx *f = fx_new(0, 0);
    for (int i = 0; i < 5; i++) {
        round_at(f->s, 0.1 * i, 0);
        scrape(f->s, 8e6, i + 1, -2);
    }
    double v[8];
    assert_int_equal(live_points(f->tl, v, 8), 0);
    fx_free(f);
}

/* A failed scrape after a point is a gap (NaN), before any is nothing. */
static void test_failed_scrape_gap(void **state)
{
    (void)state;
    struct fx *f = fx_new(0, 0);
    round_at(f->s, 0, 0);
    sampler_prom_values(f->s, NULL);
    round_at(f->s, 0.1, 0);
    scrape(f->s, 8e6, 3, 100);
    round_at(f->s, 0.2, 0);
    sampler_prom_values(f->s, NULL);
    double v[8];
    assert_int_equal(live_points(f->tl, v, 8), 2);
    assert_true(v[0] == 4e6 && isnan(v[1]));
    fx_free(f);
}

/* With pprof: nothing from a scrape until the counts agreed twice, the
 * second after more GCs than the slack; none in a heap profile's round. */
static void test_trusted_after_two_agreements(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, 0);
    /* round 1: heap profile and scrape agree at 2 GCs */
    round_at(f->s, 0, 1);
    f->s->heap_gc = 2;
    scrape(f->s, 8e6, 2, 400);
    assert_int_equal(f->s->scrape_same, 0);
    /* a scrape round meanwhile: not trusted yet, no point, GOGC not taken */
    round_at(f->s, 0.1, 0);
    scrape(f->s, 9e6, 3, 400);
    double v[8];
    assert_int_equal(live_points(f->tl, v, 8), 0);
    assert_true(gogc_of(f->s) == 100);
    /* agreeing again within the slack proves nothing */
    round_at(f->s, 0.2, 1);
    f->s->heap_gc = 4;
    scrape(f->s, 9e6, 4, 400);
    assert_int_equal(f->s->scrape_same, 0);
    /* after more GCs than the slack (3 + 10%): the target's */
    round_at(f->s, 0.3, 1);
    f->s->heap_gc = 12;
    scrape(f->s, 9e6, 13, 400);
    assert_int_equal(f->s->scrape_same, 1);
    assert_true(gogc_of(f->s) == 400);
    /* a heap profile's round gives no scrape point; the next round does */
    assert_int_equal(live_points(f->tl, v, 8), 0);
    f->s->live_gc = 12;
    round_at(f->s, 0.4, 0);
    scrape(f->s, 1e7, 14, 400);
    assert_int_equal(live_points(f->tl, v, 8), 1);
    assert_true(v[0] == 2e6);
    fx_free(f);
}

/* Another process's /metrics: 3 rounds that disagree, and it is for good;
 * one disagreement (a scrape delayed behind a slow heap profile) is not. */
static void test_sidecar_never_trusted(void **state)
{
    (void)state;
    struct fx *f = fx_new(1, 0);
    round_at(f->s, 0, 1);
    f->s->heap_gc = 2;
    scrape(f->s, 8e6, 2, 400); /* idle, and agreeing by chance */
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(f->s->scrape_same, 0);
        round_at(f->s, 0.5 * i, 1);
        f->s->heap_gc = 20 * i;
        scrape(f->s, 8e6, 2, 400);
    }
    assert_int_equal(f->s->scrape_same, -1);
    /* even if they meet again later */
    round_at(f->s, 2, 1);
    f->s->heap_gc = 60;
    scrape(f->s, 8e6, 60, 400);
    assert_int_equal(f->s->scrape_same, -1);
    round_at(f->s, 2.1, 0);
    scrape(f->s, 8e6, 70, 400);
    double v[8];
    assert_int_equal(live_points(f->tl, v, 8), 0);
    assert_true(gogc_of(f->s) == 100);
    fx_free(f);
}

/* A target elsewhere restarted: its GC count falls, and its new cycles
 * give points again. */
static void test_restart_starts_over(void **state)
{
    (void)state;
    struct fx *f = fx_new(0, 0);
    static const double counts[] = {40, 41, 2, 3};
    for (size_t i = 0; i < LC_ARRAY_LEN(counts); i++) {
        round_at(f->s, 0.1 * (double)i, 0);
        scrape(f->s, 8e6, counts[i], 100);
    }
    double v[8];
    assert_int_equal(live_points(f->tl, v, 8), 4);
    fx_free(f);
}

/* A memory limit the scrape says (GOMEMLIMIT, 20 MB here, nothing else
 * kept from the heap): a goal near it may be the limit's, a gap; the next
 * goal well below it is GOGC's again. */
static void test_memlimit_gap(void **state)
{
    (void)state;
    struct fx *f = fx_new(0, 0);
    static const double goals[] = {8e6, 19e6, 10e6};
    for (size_t i = 0; i < LC_ARRAY_LEN(goals); i++) {
        char text[512];
        snprintf(text, sizeof(text),
                 "go_memstats_next_gc_bytes %.17g\ngo_gc_duration_seconds_count %zu\n"
                 "go_gc_gogc_percent 100\ngo_gc_gomemlimit_bytes 2e7\n"
                 "go_memstats_sys_bytes 3e7\ngo_memstats_heap_sys_bytes 3e7\n"
                 "go_memstats_heap_inuse_bytes 9e6\ngo_memstats_heap_alloc_bytes 9e6\n"
                 "go_memstats_heap_released_bytes 2e7\n",
                 goals[i], i + 1);
        struct lc_error err = {0};
        struct prom_set *set = prom_parse(text, strlen(text), &err);
        assert_non_null(set);
        round_at(f->s, 0.1 * (double)i, 0);
        sampler_prom_values(f->s, set);
    }
    double v[8];
    assert_int_equal(live_points(f->tl, v, 8), 3);
    assert_true(v[0] == 4e6 && isnan(v[1]) && v[2] == 5e6);
    double g = 0, limit = 0;
    sampler_go_gc(f->s, &g, &limit);
    assert_true(g == 100 && limit == 2e7);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_point_per_gc),
        cmocka_unit_test(test_no_guessed_gogc),
        cmocka_unit_test(test_memlimit_gap),
        cmocka_unit_test(test_failed_scrape_gap),
        cmocka_unit_test(test_trusted_after_two_agreements),
        cmocka_unit_test(test_sidecar_never_trusted),
        cmocka_unit_test(test_restart_starts_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
