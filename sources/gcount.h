/*
 * sources/gcount.h: when a sample round reads the goroutine count from
 * the pprof index page (runtime.NumGoroutine(): no stop-the-world) and
 * when it takes a goroutine?debug=1 dump (the world stopped while every
 * stack is walked, ~3.3 us of target CPU per goroutine).
 *
 * Every round reads the index page; a dump follows in the same round when
 *   - no dump has parsed yet (the first: it checks that the profile is
 *     served, and learns how many goroutines serve leakcheck's own request,
 *     which the count leaves out too), or
 *   - the index page gave no count (not net/http/pprof's index): every
 *     round dumps, as before, or
 *   - the runner asked for one (gcount_want: the final round of a test
 *     with an `ignore` list, so its final `goroutines` is exact), or
 *   - the test has an `ignore` list (`goroutines` leaves out what it
 *     matches, which only stacks tell) and either the count moved by at
 *     least max(GCOUNT_MARGIN, 10%) since the last dump, at least
 *     max(GCOUNT_MIN_GAP_S, 20 x the last dump's fetch time) after it, or
 *     max(GCOUNT_REFRESH_S, 100 x the last dump's fetch time) passed.
 * Between dumps, `goroutines` is the count less the ignored goroutines of
 * the last dump (carried forward). The time rules bound the dumps' share of
 * the target's time: at most 5% while the count moves, 1% while it rests.
 */
#ifndef LC_GCOUNT_H
#define LC_GCOUNT_H

#include <stdint.h>

#define GCOUNT_MARGIN 3
#define GCOUNT_MIN_GAP_S 0.5
#define GCOUNT_REFRESH_S 10.0

struct gcount {
    int has_ignore;          /* the test has an ignore list */
    int dumped;              /* a dump has parsed */
    int index_bad;           /* the index page gave no count: dump every round */
    unsigned long want_from; /* gcount_want: dump in rounds from this one (0: none) */
    double dump_t;           /* when the last dump was taken (seconds) */
    double dump_s;           /* its fetch time */
    uint64_t total;          /* goroutines_total at the last dump */
    uint64_t ignored;        /* left out by the ignore list at the last dump */
    uint64_t own;            /* leakcheck's own goroutines the last dump held */
};

/* Starts the policy of a test (has_ignore: it has an ignore list). */
void gcount_init(struct gcount *g, int has_ignore);

/* The round numbered `round` and every one after it dump (until a dump). */
void gcount_want(struct gcount *g, unsigned long round);

/* 1 when round `round`, at time now, whose index page read `count` (with
 * leakcheck's own goroutines), is to dump too. */
int gcount_dump_due(const struct gcount *g, unsigned long round, double now, uint64_t count);

/* Records a dump of round `round` that parsed: taken at now, fetched in
 * secs, with total goroutines once the own were left out (own of them were
 * leakcheck's), ignored of them matching the ignore list. It answers
 * gcount_want when round is at least the one wanted. */
void gcount_dumped(struct gcount *g, unsigned long round, double now, double secs, uint64_t total,
                   uint64_t own, uint64_t ignored);

/* goroutines_total and goroutines from an index count (between dumps). */
double gcount_total(const struct gcount *g, uint64_t count);
double gcount_kept(const struct gcount *g, uint64_t count);

#endif
