/*
 * suite/metrics.h: the metric names leakcheck itself defines, which
 * source each comes from, and the known-metric check for assertions.
 */
#ifndef LC_METRICS_H
#define LC_METRICS_H

#include <stddef.h>

#include "assertions/expr.h"
#include "suite/suite.h"

/* METRIC_EXIT: the exit status of a target that runs to completion
 * (exit_code; 128 + the signal's number when a signal ended it). */
enum metric_source { METRIC_PPROF, METRIC_PROC, METRIC_LOAD, METRIC_EXIT };

struct metric_def {
    const char *name;
    enum metric_source source;
    const char *unit; /* "", "s", "B", "ratio", "/s" */
};

/* Returns the built-in metric of that name, or NULL. */
const struct metric_def *metric_builtin(const char *name);

/* The built-in metrics, in a stable order; *n receives their count. */
const struct metric_def *metric_builtins(size_t *n);

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
