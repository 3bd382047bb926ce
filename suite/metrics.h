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

/* 1 when test t reads the built-in metric d from its Prometheus scrape
 * (d->prom) because it does not sample d's own source: no /proc (a target
 * elsewhere, sample.proc false) for fds, fd_limit, rss, threads; no pprof
 * for goroutines. */
int metric_from_prom(const struct suite_test *t, const struct metric_def *d);

/* Where test t's metric name comes from: "proc", "pprof", "prometheus"
 * (a Prometheus series, or a built-in one read or derived from it for
 * want of its own source: METRIC_GO_SCRAPE), "load" or "exit". A static
 * string. */
const char *metric_source_name(const struct suite_test *t, const char *name);

/*
 * An expr_known_cb whose arg is the `const struct suite_test *`: built-in
 * names are known when their source is configured, metric_from_prom, or
 * derived from Go's collector in a test that scrapes (METRIC_GO_SCRAPE;
 * else the hint says which key is missing, or that a metric needs /proc
 * when the test reads Prometheus instead); any other name is known when the test samples
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
