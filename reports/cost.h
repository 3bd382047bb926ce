/*
 * reports/cost.h (internal to reports/): report_observer_cost in words.
 */
#ifndef LC_REPORT_COST_H
#define LC_REPORT_COST_H

#include "common/lc.h"
#include "reports/report.h"

/* Console: the cost line is printed when the longest stop-the-world fetch
 * took at least this long, or all of them this share of the test. */
#define REPORT_COST_NOTABLE_S 0.05
#define REPORT_COST_NOTABLE_SHARE 0.01

/* Appends one sentence or two: the stop-the-world fetches by kind (count,
 * time in all, longest), the rounds that counted and dumped, and the
 * target's CPU time over its window when known. */
void report_cost_text(struct lc_buf *b, const struct report_observer_cost *c);

/* The fetch times of every stop-the-world fetch, added up. */
double report_cost_stopped_s(const struct report_observer_cost *c);

/* The longest stop-the-world fetch. */
double report_cost_longest_s(const struct report_observer_cost *c);

#endif
