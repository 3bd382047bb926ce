/* common/metric_table.c: the built-in metrics, one row each. */
#include "common/metric_table.h"

#include <string.h>

#include "common/lc.h"

#define SLACK_COUNT 5.0
#define SLACK_BYTES (2.0 * 1024 * 1024)
#define SLACK_SECONDS 0.005
#define SLACK_FRACTION 0.001
#define SLACK_RATE 0.0

#define COUNT METRIC_UNIT_COUNT
#define BYTES METRIC_UNIT_BYTES
#define SECONDS METRIC_UNIT_SECONDS
#define FRACTION METRIC_UNIT_FRACTION
#define RATE METRIC_UNIT_RATE

#define GOROUTINE METRIC_KIND_GOROUTINE
#define HEAP METRIC_KIND_HEAP
#define FD METRIC_KIND_FD
#define PROGRESS METRIC_PROGRESS
#define NOTABLE METRIC_NOTABLE
#define GROWS METRIC_GROWS
#define INTERVAL METRIC_PER_INTERVAL
#define PANEL METRIC_LOAD_PANEL
#define AT_END METRIC_AT_END
#define NO_GATE METRIC_NO_GATE
#define GO_SCRAPE METRIC_GO_SCRAPE

/* One row a metric (struct metric_def): name, source, unit, culprit kind,
 * flags, the release gate's tolerance and slack, and the Prometheus
 * collector's series that stands in for it. The release gate compares
 * the rows with a tolerance in this order. */
static const struct metric_def table[] = {
    {"goroutines", METRIC_PPROF, COUNT, GOROUTINE, PROGRESS | NOTABLE, 0.10, SLACK_COUNT,
     "go_goroutines"},
    {"goroutines_total", METRIC_PPROF, COUNT, GOROUTINE, 0, NO_GATE, SLACK_COUNT, NULL},
    {"goroutines_blocked", METRIC_PPROF, COUNT, GOROUTINE, AT_END, NO_GATE, SLACK_COUNT, NULL},
    {"fds", METRIC_PROC, COUNT, FD, PROGRESS | NOTABLE, 0.10, SLACK_COUNT, "process_open_fds"},
    {"fd_limit", METRIC_PROC, COUNT, 0, 0, NO_GATE, SLACK_COUNT, "process_max_fds"},
    {"threads", METRIC_PROC, COUNT, 0, 0, NO_GATE, SLACK_COUNT, "go_threads"},
    {"rss", METRIC_PROC, BYTES, HEAP, PROGRESS | NOTABLE, 0.20, SLACK_BYTES,
     "process_resident_memory_bytes"},
    {"sockets", METRIC_PROC, COUNT, FD, 0, NO_GATE, SLACK_COUNT, NULL},
    {"tcp_established", METRIC_PROC, COUNT, FD, 0, NO_GATE, SLACK_COUNT, NULL},
    {"tcp_close_wait", METRIC_PROC, COUNT, FD, 0, NO_GATE, SLACK_COUNT, NULL},
    {"tcp_time_wait", METRIC_PROC, COUNT, FD, 0, NO_GATE, SLACK_COUNT, NULL},
    {"tcp_listen", METRIC_PROC, COUNT, FD, 0, NO_GATE, SLACK_COUNT, NULL},
    {"heap_alloc", METRIC_PPROF, BYTES, HEAP, 0, NO_GATE, SLACK_BYTES, NULL},
    {"heap_inuse", METRIC_PPROF, BYTES, HEAP, NOTABLE, 0.20, SLACK_BYTES, NULL},
    {"heap_objects", METRIC_PPROF, COUNT, HEAP, 0, NO_GATE, SLACK_COUNT, NULL},
    {"heap_sys", METRIC_PPROF, BYTES, HEAP, 0, NO_GATE, SLACK_BYTES, NULL},
    {"heap_live", METRIC_PPROF, BYTES, HEAP, GO_SCRAPE, NO_GATE, SLACK_BYTES, NULL},
    {"gc_count", METRIC_PPROF, COUNT, 0, GROWS, NO_GATE, SLACK_COUNT, NULL},
    {"requests", METRIC_LOAD, COUNT, 0, GROWS, NO_GATE, SLACK_COUNT, NULL},
    {"errors", METRIC_LOAD, COUNT, 0, GROWS, NO_GATE, SLACK_COUNT, NULL},
    {"error_rate", METRIC_LOAD, FRACTION, 0, INTERVAL, NO_GATE, SLACK_FRACTION, NULL},
    {"rps", METRIC_LOAD, RATE, 0, PROGRESS | INTERVAL | PANEL, NO_GATE, SLACK_RATE, NULL},
    {"p50", METRIC_LOAD, SECONDS, 0, INTERVAL | PANEL, NO_GATE, SLACK_SECONDS, NULL},
    {"p75", METRIC_LOAD, SECONDS, 0, INTERVAL, NO_GATE, SLACK_SECONDS, NULL},
    {"p90", METRIC_LOAD, SECONDS, 0, INTERVAL, NO_GATE, SLACK_SECONDS, NULL},
    {"p95", METRIC_LOAD, SECONDS, 0, INTERVAL, NO_GATE, SLACK_SECONDS, NULL},
    {"p99", METRIC_LOAD, SECONDS, 0, INTERVAL | PANEL, 0.25, SLACK_SECONDS, NULL},
    {"p999", METRIC_LOAD, SECONDS, 0, INTERVAL, NO_GATE, SLACK_SECONDS, NULL},
    {"latency_max", METRIC_LOAD, SECONDS, 0, INTERVAL, NO_GATE, SLACK_SECONDS, NULL},
    {"late_sends", METRIC_LOAD, COUNT, 0, GROWS, NO_GATE, SLACK_COUNT, NULL},
    {"exit_code", METRIC_EXIT, COUNT, 0, 0, NO_GATE, SLACK_COUNT, NULL},
};

const struct metric_def *metric_builtin_n(const char *name, size_t len)
{
    for (size_t i = 0; name && i < LC_ARRAY_LEN(table); i++)
        if (strlen(table[i].name) == len && strncmp(table[i].name, name, len) == 0)
            return &table[i];
    return NULL;
}

const struct metric_def *metric_builtin(const char *name)
{
    return name ? metric_builtin_n(name, strlen(name)) : NULL;
}

const struct metric_def *metric_builtins(size_t *n)
{
    *n = LC_ARRAY_LEN(table);
    return table;
}

double metric_unit_slack(enum metric_unit u)
{
    switch (u) {
    case METRIC_UNIT_BYTES:
        return SLACK_BYTES;
    case METRIC_UNIT_SECONDS:
        return SLACK_SECONDS;
    case METRIC_UNIT_FRACTION:
        return SLACK_FRACTION;
    case METRIC_UNIT_RATE:
        return SLACK_RATE;
    case METRIC_UNIT_COUNT:
        break;
    }
    return SLACK_COUNT;
}
