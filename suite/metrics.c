/* suite/metrics.c: the sources a test enables and the known-metric check. */
#include "suite/metrics.h"

#include <stdio.h>
#include <string.h>

const char *metric_suggest(const char *name)
{
    size_t n = 0;
    const struct metric_def *defs = metric_builtins(&n);
    const char *names[64];
    if (n > LC_ARRAY_LEN(names))
        n = LC_ARRAY_LEN(names);
    for (size_t i = 0; i < n; i++)
        names[i] = defs[i].name;
    return lc_suggest(name, names, n);
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

int metric_from_prom(const struct suite_test *t, const struct metric_def *d)
{
    return d->prom && t->sample.prometheus && !metric_source_enabled(t, d->source);
}

/* 1 when the scrape gives d, a figure derived from Go's collector, for
 * want of its own source */
static int derived_from_prom(const struct suite_test *t, const struct metric_def *d)
{
    return (d->flags & METRIC_GO_SCRAPE) && t->sample.prometheus &&
           !metric_source_enabled(t, d->source);
}

const char *metric_source_name(const struct suite_test *t, const char *name)
{
    const struct metric_def *d = metric_builtin(name);
    if (!d || metric_from_prom(t, d) || derived_from_prom(t, d))
        return "prometheus";
    static const char *const names[] = {[METRIC_PPROF] = "pprof",
                                        [METRIC_PROC] = "proc",
                                        [METRIC_LOAD] = "load",
                                        [METRIC_EXIT] = "exit"};
    return names[d->source];
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
        if (metric_from_prom(t, d) || derived_from_prom(t, d))
            return 1;
        if (!metric_source_enabled(t, d->source) && d->source == METRIC_PROC &&
            t->sample.prometheus) {
            snprintf(hint, hintlen,
                     "%s needs /proc (sample.proc and a local target): Prometheus's process "
                     "collector has no such series, so a target elsewhere cannot be judged on it",
                     m->name);
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
    const char *near = metric_suggest(m->name);
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
        return d->unit == METRIC_UNIT_SECONDS;
    return ends_with(m->name, "_seconds") || ends_with(m->name, "_seconds_total") ||
           ends_with(m->name, "_seconds_sum");
}
