/*
 * common/metric_table.h: the one table of leakcheck's built-in metrics.
 * Each row says everything the other modules need to know of a metric: the
 * source that measures it, its unit, the culprits it is about, whether the
 * live status line shows it, how the HTML report treats it, and its
 * release-gate tolerance and slack. It is plain data with no dependency,
 * in common/ so that every module can read it (reports/ may include only
 * common/). Adding a built-in metric is one row in metric_table.c (and the
 * code that measures it). Prometheus metrics are not in it: their unit
 * comes from their suffix (reports/units.c).
 */
#ifndef LC_METRIC_TABLE_H
#define LC_METRIC_TABLE_H

#include <stddef.h>

/* Where a metric comes from. METRIC_EXIT: the exit status of a target
 * that runs to completion (exit_code; 128 + the signal's number when a
 * signal ended it). */
enum metric_source { METRIC_PPROF, METRIC_PROC, METRIC_LOAD, METRIC_EXIT };

/* Units, as reports/units.h formats them. */
enum metric_unit {
    METRIC_UNIT_COUNT,
    METRIC_UNIT_BYTES,
    METRIC_UNIT_SECONDS,
    METRIC_UNIT_FRACTION, /* shown as a percentage */
    METRIC_UNIT_RATE,     /* per second */
};

/* The culprits an assertion on the metric is about (bits): those come
 * first when it fails (run/run_culprits.c). */
enum {
    METRIC_KIND_GOROUTINE = 1,
    METRIC_KIND_HEAP = 2,
    METRIC_KIND_FD = 4, /* fds and sockets */
};

/* Flags of a metric. */
enum {
    METRIC_PROGRESS = 1,     /* on the live status line */
    METRIC_NOTABLE = 2,      /* a leak signal: its chart is shown open */
    METRIC_GROWS = 4,        /* a counter that only grows: never notable */
    METRIC_PER_INTERVAL = 8, /* a load figure whose points cover one sampling interval
                                (run/load_series.h) and whose final value is the load's */
    METRIC_LOAD_PANEL = 16,  /* drawn in the HTML load panel, not among the metrics */
    METRIC_AT_END = 32,      /* measured once, at the end of the test (the final snapshot):
                                settle does not wait for it, and it has no baseline */
    METRIC_GO_SCRAPE = 64,   /* also derived from a scrape of Go's collector (heap_live):
                                a test with sample.prometheus has it without pprof */
};

/* The tolerance of a metric the release gate does not compare by default. */
#define METRIC_NO_GATE (-1.0)

struct metric_def {
    const char *name;
    enum metric_source source;
    enum metric_unit unit;
    unsigned kind;    /* METRIC_KIND_* bits, 0: none */
    unsigned flags;   /* METRIC_* flags */
    double tolerance; /* the release gate's default (0.10: 10%), or METRIC_NO_GATE */
    double slack;     /* the gate's absolute slack on top of it (metric_unit_slack) */
    /* the series of Go's Prometheus collectors that measures the same,
     * read when the test has no /proc (sample.proc false, no local
     * process) or no pprof (goroutines): a target elsewhere; or NULL */
    const char *prom;
};

/* Returns the built-in metric of that name, or NULL. */
const struct metric_def *metric_builtin(const char *name);

/* The same for the first len bytes of name (a metric name before a label
 * selector). */
const struct metric_def *metric_builtin_n(const char *name, size_t len);

/* The built-in metrics, in the table's order (the order of the release
 * gate's comparisons); *n receives their count. */
const struct metric_def *metric_builtins(size_t *n);

/* The release gate's slack for a unit, also used for Prometheus metrics
 * (by their suffix): 5 for counts, 2 MB for bytes, 5 ms for seconds, 0.1
 * percentage point for fractions, 0 for rates. */
double metric_unit_slack(enum metric_unit u);

#endif
