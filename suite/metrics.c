/* suite/metrics.c: built-in metric names and the known-metric check. */
#include "suite/metrics.h"

#include <stdio.h>
#include <string.h>

static const struct metric_def builtins[] = {
    {"goroutines", METRIC_PPROF, ""},
    {"goroutines_total", METRIC_PPROF, ""},
    {"heap_alloc", METRIC_PPROF, "B"},
    {"heap_inuse", METRIC_PPROF, "B"},
    {"heap_objects", METRIC_PPROF, ""},
    {"heap_sys", METRIC_PPROF, "B"},
    {"gc_count", METRIC_PPROF, ""},
    {"fds", METRIC_PROC, ""},
    {"fd_limit", METRIC_PROC, ""},
    {"threads", METRIC_PROC, ""},
    {"rss", METRIC_PROC, "B"},
    {"sockets", METRIC_PROC, ""},
    {"tcp_established", METRIC_PROC, ""},
    {"tcp_close_wait", METRIC_PROC, ""},
    {"tcp_time_wait", METRIC_PROC, ""},
    {"tcp_listen", METRIC_PROC, ""},
    {"requests", METRIC_LOAD, ""},
    {"errors", METRIC_LOAD, ""},
    {"error_rate", METRIC_LOAD, "ratio"},
    {"rps", METRIC_LOAD, "/s"},
    {"p50", METRIC_LOAD, "s"},
    {"p75", METRIC_LOAD, "s"},
    {"p90", METRIC_LOAD, "s"},
    {"p95", METRIC_LOAD, "s"},
    {"p99", METRIC_LOAD, "s"},
    {"p999", METRIC_LOAD, "s"},
    {"latency_max", METRIC_LOAD, "s"},
    {"late_sends", METRIC_LOAD, ""},
    {"exit_code", METRIC_EXIT, ""},
};

const struct metric_def *metric_builtin(const char *name)
{
    for (size_t i = 0; i < LC_ARRAY_LEN(builtins); i++)
        if (strcmp(builtins[i].name, name) == 0)
            return &builtins[i];
    return NULL;
}

const struct metric_def *metric_builtins(size_t *n)
{
    *n = LC_ARRAY_LEN(builtins);
    return builtins;
}

const char *metric_source_key(enum metric_source src)
{
    switch (src) {
    case METRIC_PPROF:
        return "sample.pprof";
    case METRIC_PROC:
        return "sample.proc (and a target)";
    case METRIC_LOAD:
        return "load";
    case METRIC_EXIT:
        return "target.exits";
    }
    return "?";
}

int metric_source_enabled(const struct suite_test *t, enum metric_source src)
{
    switch (src) {
    case METRIC_PPROF:
        return t->sample.pprof != NULL;
    case METRIC_PROC:
        return t->sample.proc;
    case METRIC_LOAD:
        return t->load.present;
    case METRIC_EXIT:
        return t->target.exits;
    }
    return 0;
}

int metric_known_cb(const struct expr_metric *m, char *hint, size_t hintlen, void *arg)
{
    const struct suite_test *t = arg;
    const struct metric_def *d = metric_builtin(m->name);
    if (d) {
        if (m->nlabels > 0) {
            snprintf(hint, hintlen, "%s is leakcheck's own metric and takes no labels", m->name);
            return 0;
        }
        if (!metric_source_enabled(t, d->source)) {
            snprintf(hint, hintlen, "%s needs %s in this test", m->name,
                     metric_source_key(d->source));
            return 0;
        }
        return 1;
    }
    if (t->sample.prometheus)
        return 1;
    const char *names[LC_ARRAY_LEN(builtins)];
    for (size_t i = 0; i < LC_ARRAY_LEN(builtins); i++)
        names[i] = builtins[i].name;
    const char *near = lc_suggest(m->name, names, LC_ARRAY_LEN(builtins));
    if (near)
        snprintf(hint, hintlen, "did you mean %s?", near);
    else
        snprintf(hint, hintlen, "not a leakcheck metric, and the test has no sample.prometheus");
    return 0;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

int metric_is_time_cb(const struct expr_metric *m, void *arg)
{
    (void)arg;
    const struct metric_def *d = metric_builtin(m->name);
    if (d)
        return strcmp(d->unit, "s") == 0;
    return ends_with(m->name, "_seconds") || ends_with(m->name, "_seconds_total") ||
           ends_with(m->name, "_seconds_sum");
}
