/*
 * reports/compare.h: the release gate: a run's final values compared with
 * those of a previous run, metric by metric, test by test (tests matched by
 * name). Pure: report models in, entries out.
 *
 * A metric regresses when current > previous * (1 + tolerance) + slack. The
 * slack is absolute and depends on the metric's unit, so that tiny values
 * (3 goroutines becoming 4) do not trip it: 5 for counts, 2 MB for bytes,
 * 5 ms for latencies, 0.1 percentage point for fractions, 0 for rates.
 * Only growth counts as a regression.
 */
#ifndef LC_REPORT_COMPARE_H
#define LC_REPORT_COMPARE_H

#include <stddef.h>

#include "reports/report.h"

/* A metric and how much it may grow. */
struct compare_tol {
    const char *metric; /* borrowed */
    double frac;        /* 0.10 for "10%"; negative: not compared ("off") */
};

/* The outcome for one metric of one test. */
struct compare_entry {
    const char *metric; /* borrowed from the tolerance list */
    double prev, cur;   /* final values; NaN when a run lacks the metric */
    double frac;        /* the tolerance */
    double limit;       /* prev * (1 + frac) + slack */
    int regressed;
};

/* The absolute slack for a metric (see above). */
double compare_slack(const char *metric);

/* Parses a tolerance: "10%", "2.5%", "0%" (a fraction in *frac) or "off"
 * (*frac = -1). Returns 0, or -1 with err saying what is expected. */
int compare_parse_tol(const char *s, double *frac, struct lc_error *err);

/* The defaults (the metric table's tolerances, common/metric_table.h:
 * goroutines 10%, fds 10%, rss 20%, heap_inuse 20%, p99 25%) with each of over[] replacing the default of the same
 * metric or added after them. Returns a new array (caller frees; the
 * metric strings stay borrowed) and its length in *n. */
struct compare_tol *compare_tols_merge(const struct compare_tol *over, size_t nover, size_t *n);

/* Returns the test of r named name (borrowed), or NULL. */
const struct report_test *compare_find_test(const struct report_run *r, const char *name);

/* Compares the final values of every metric in tols (those with frac >= 0)
 * of prev and cur. Returns a new array of entries (caller frees) and its
 * length in *n: one per metric, NaN for a value a run lacks (never a
 * regression). */
struct compare_entry *compare_tests(const struct report_test *prev, const struct report_test *cur,
                                    const struct compare_tol *tols, size_t ntols, size_t *n);

/* One line for people: "compare goroutines: 2003 now vs 12 in previous run
 * (+16592%), allowed +10%". Returns a new string (caller frees). */
char *compare_message(const struct compare_entry *e);

/*
 * The release gate on a finished run: for every test of cur with a
 * namesake in prev, appends an assertion "compare(METRIC)" per metric both
 * runs have (observed: the current value, expected: the limit); a
 * regression fails the test (a passed test becomes failed; an error stays
 * an error) and the run. Returns the number of regressions.
 */
size_t compare_apply(struct report_run *cur, const struct report_run *prev,
                     const struct compare_tol *tols, size_t ntols);

#endif
