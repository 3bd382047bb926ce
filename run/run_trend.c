/*
 * run/run_trend.c: what trend(m) is computed from: the load phase's
 * points of m, the test's warm-up, and whether m is a sawtooth.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suite/metrics.h"
#include "run/run_internal.h"

/* Heap figures sampled without a GC climb with garbage and drop at each
 * collection: their trend is the floor's. heap_sys only grows. */
static int is_sawtooth(const char *name)
{
    static const char *const names[] = {"heap_alloc", "heap_inuse", "heap_objects",
                                        "go_memstats_heap_alloc_bytes",
                                        "go_memstats_heap_inuse_bytes",
                                        "go_memstats_alloc_bytes", "go_memstats_heap_objects"};
    for (size_t i = 0; i < LC_ARRAY_LEN(names); i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

static int is_bytes(const char *name)
{
    const struct metric_def *d = metric_builtin(name);
    if (d)
        return d->unit == METRIC_UNIT_BYTES;
    size_t n = strlen(name);
    return n > 6 && strcmp(name + n - 6, "_bytes") == 0;
}

int run_series_cb(const struct expr_metric *m, struct expr_series *out, struct lc_error *err,
                  void *arg)
{
    struct run *r = arg;
    const struct timeline_point *p = NULL;
    size_t n = 0, k = 0;
    for (size_t i = 0; r->tl && i < timeline_nseries(r->tl); i++)
        if (strcmp(timeline_name(r->tl, i), m->text) == 0)
            p = timeline_points(r->tl, i, &n);
    for (size_t i = 0; i < n; i++)
        k += p[i].phase == PHASE_LOAD;
    if (k == 0) {
        lc_error_set(err, "no samples of %s during the load", m->text);
        return -1;
    }
    out->t = lc_malloc(k * sizeof(double));
    out->v = lc_malloc(k * sizeof(double));
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].phase != PHASE_LOAD)
            continue;
        out->t[out->n] = p[i].t;
        out->v[out->n++] = p[i].v;
    }
    out->warmup = r->t->warmup_s;
    out->kind = is_sawtooth(m->name) ? EXPR_TREND_FLOOR : EXPR_TREND_LEVEL;
    out->bytes = is_bytes(m->name);
    return 0;
}
