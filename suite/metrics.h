/*
 * suite/metrics.h: what a source needs in a test, and the known-metric
 * check for assertions, over the table of built-in metrics
 * (common/metric_table.h).
 */
#ifndef LC_METRICS_H
#define LC_METRICS_H

#include <stddef.h>

#include "assertions/expr.h"
#include "common/metric_table.h"
#include "suite/suite.h"

/* The built-in metric name nearest name (a typo of it), or NULL (lc_suggest). */
const char *metric_suggest(const char *name);

/* "sample.pprof", "sample.proc", "load" or "target.exits": what a source
 * needs in a test. */
const char *metric_source_key(enum metric_source src);

/* 1 when test t samples that source. */
int metric_source_enabled(const struct suite_test *t, enum metric_source src);

/*
 * An expr_known_cb whose arg is the `const struct suite_test *`: built-in
 * names are known when their source is configured (else the hint says
 * which key is missing); any other name is known when the test samples
 * Prometheus (its presence is only known once sampled); otherwise unknown,
 * with a "did you mean" hint.
 */
int metric_known_cb(const struct expr_metric *m, char *hint, size_t hintlen, void *arg);

/*
 * An expr_is_time_cb (arg unused): 1 for the metrics measured in seconds --
 * the built-in ones whose unit is "s" (p50 ... p999, latency_max) and
 * Prometheus names that say so by convention (ending in _seconds,
 * _seconds_total or _seconds_sum; not _seconds_count nor _seconds_bucket,
 * which count).
 */
int metric_is_time_cb(const struct expr_metric *m, void *arg);

#endif
