/*
 * run/timeline.h: the run's samples, one series per metric on one
 * clock, each point tagged with the phase it was taken in; and the
 * reductions the assertion language asks for.
 */
#ifndef LC_TIMELINE_H
#define LC_TIMELINE_H

#include <stddef.h>

#include "assertions/expr.h"
#include "common/lc.h"
#include "run/phase.h"

struct timeline;

struct timeline_point {
    double t; /* seconds since the test began */
    double v;
    enum phase phase;
    unsigned char level; /* 0: a sample; L: an extreme of a bucket of about 2^L samples */
};

/* Returns a new empty timeline; caller frees with timeline_free. */
struct timeline *timeline_new(void);
void timeline_free(struct timeline *tl);

/* The most points a series holds in memory: a full one is halved,
 * keeping its buckets' extremes (timeline.c), so a day at 100 ms costs
 * what a few minutes do. */
#define TIMELINE_MAX_POINTS 4096

/* Appends a point to the series `name` (created on first use; name
 * copied); a full series is first halved (TIMELINE_MAX_POINTS). */
void timeline_add(struct timeline *tl, const char *name, double t, enum phase phase, double v);

/* Notes that the last NaN point added to `name` is a NaN the source
 * served, not a gap: a reduction with no value then says so. */
void timeline_note_nan(struct timeline *tl, const char *name);

/*
 * Sets what the series `name` (created on first use) reports as its final
 * value instead of its last point: a figure over the whole run (the load's
 * requests/s and latency percentiles, whose points are per interval). NaN:
 * the whole run had no value, so the final value (and growth) is missing.
 */
void timeline_set_final(struct timeline *tl, const char *name, double v);

/* Removes the last point of series `name`, when it has one. */
void timeline_pop(struct timeline *tl, const char *name);

/* Sets the baseline value of series `name` (created when new), which
 * baseline() and growth() then use instead of the median of its
 * baseline-phase points; NAN unsets it. */
void timeline_set_baseline(struct timeline *tl, const char *name, double v);

/* The bytes the timeline holds for its series (their points and names). */
size_t timeline_bytes(const struct timeline *tl);

/* Number of series, and the name and points of series i (borrowed; at
 * most TIMELINE_MAX_POINTS, the buckets' extremes of a longer series). */
size_t timeline_nseries(const struct timeline *tl);
const char *timeline_name(const struct timeline *tl, size_t i);
const struct timeline_point *timeline_points(const struct timeline *tl, size_t i, size_t *n);

/*
 * Computes a reduction of series `name`: final (the value set by
 * timeline_set_final, else the last point that has a value), baseline
 * (median of the baseline-phase points, or the value set with
 * timeline_set_baseline), min, max, avg (all points, exact however long),
 * growth (final - baseline), slope (least squares per second over the
 * load-phase points; over load and observe when the load phase has fewer
 * than three). Returns 0, or -1 with err when there are no points to use.
 */
int timeline_reduce(const struct timeline *tl, const char *name, enum expr_reduce r, double *out,
                    struct lc_error *err);

#endif
