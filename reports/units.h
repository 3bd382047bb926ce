/*
 * reports/units.h (internal to reports/): the unit of a metric, known from
 * its name, and numbers shown in it for people ("16.4MB", "5.45ms").
 */
#ifndef LC_REPORT_UNITS_H
#define LC_REPORT_UNITS_H

#include <stddef.h>

#include "common/metric_table.h"

/* The units of the metric table (common/metric_table.h). */
enum report_unit {
    REPORT_UNIT_COUNT = METRIC_UNIT_COUNT,       /* goroutines, fds, anything unnamed */
    REPORT_UNIT_BYTES = METRIC_UNIT_BYTES,       /* rss, heap_*, *_bytes */
    REPORT_UNIT_SECONDS = METRIC_UNIT_SECONDS,   /* p50 ... p999, latency_max, *_seconds */
    REPORT_UNIT_FRACTION = METRIC_UNIT_FRACTION, /* error_rate, *_ratio: shown as a percentage */
    REPORT_UNIT_RATE = METRIC_UNIT_RATE,         /* rps: per second */
};

/* The built-in metric of a name (a label selector after the name is
 * ignored), or NULL: a Prometheus metric. */
const struct metric_def *report_metric_of(const char *metric);

/* The unit of a metric name (a label selector after the name is ignored):
 * a built-in metric's from the table, a Prometheus metric's from its
 * suffix. */
enum report_unit report_unit_of(const char *metric);

/* 1 for the load's figures whose points are per sampling interval and
 * whose final value is the whole load's: the table's METRIC_PER_INTERVAL
 * (rps, error_rate, p50 ... p999, latency_max; run/load_series.h). */
int report_per_interval(const char *metric);

/* Formats v in unit u with about three significant digits: "2007",
 * "12.3k", "16.4MB", "5.45ms", "0.13%", "1520/s"; "n/a" for NaN. */
void report_fmt_value(double v, enum report_unit u, char *buf, size_t len);

/* Formats a time offset in seconds for an axis: "0s", "2.5s", "3m", "1h30m". */
void report_fmt_offset(double s, char *buf, size_t len);

#endif
