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

/* The load phase's points of series `name` into out (malloc'd). Returns
 * how many are valued (not gaps). */
static size_t load_points(struct run *r, const char *name, struct expr_series *out)
{
    const struct timeline_point *p = NULL;
    size_t n = 0, k = 0, valued = 0;
    for (size_t i = 0; r->tl && i < timeline_nseries(r->tl); i++)
        if (strcmp(timeline_name(r->tl, i), name) == 0)
            p = timeline_points(r->tl, i, &n);
    for (size_t i = 0; i < n; i++)
        k += p[i].phase == PHASE_LOAD;
    out->t = k ? lc_malloc(k * sizeof(double)) : NULL;
    out->v = k ? lc_malloc(k * sizeof(double)) : NULL;
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].phase != PHASE_LOAD)
            continue;
        out->t[out->n] = p[i].t;
        out->v[out->n++] = p[i].v;
        valued += !isnan(p[i].v);
    }
    return valued;
}

/* The heap in use or allocated, sampled between collections, rises and
 * falls with garbage; the live heap each GC leaves (heap_live, from the
 * GC's goal) is what a leak raises: a point per heap profile, and per GC
 * cycle a scrape of Go's collector saw between them. */
static int follows_live_heap(const char *name)
{
    static const char *const names[] = {"heap_alloc", "heap_inuse", "go_memstats_heap_alloc_bytes",
                                        "go_memstats_heap_inuse_bytes", "go_memstats_alloc_bytes"};
    for (size_t i = 0; i < LC_ARRAY_LEN(names); i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

/* Fewer live-heap points than this after the warm-up (a target whose GOGC
 * is off, neither pprof nor Go's collector), or none in a fifth of the
 * span fitted (a memory limit that came to set the GC goal): the window
 * minimum of the metric itself is the floor. */
#define LIVE_MIN_POINTS 15
#define LIVE_PARTS 5

static int live_covers(const struct run *r, const struct expr_series *se)
{
    if (se->n < 2)
        return 0;
    /* the load's span (the series' own when the phase is not known): points
     * that stop coming leave the end of it uncovered */
    double a = se->t[0], b = se->t[se->n - 1];
    if (r->phase_seen[PHASE_LOAD] && r->phase_end[PHASE_LOAD] > r->phase_start[PHASE_LOAD]) {
        a = r->phase_start[PHASE_LOAD];
        b = r->phase_end[PHASE_LOAD];
    }
    double from = a + expr_trend_warmup(b - a, se->warmup);
    double part = (b - from) / LIVE_PARTS;
    size_t valued = 0;
    unsigned seen = 0;
    for (size_t i = 0; part > 0 && i < se->n; i++) {
        if (isnan(se->v[i]) || se->t[i] < from)
            continue;
        valued++;
        seen |= 1u << (unsigned)fmin((se->t[i] - from) / part, LIVE_PARTS - 1);
    }
    return valued >= LIVE_MIN_POINTS && seen == (1u << LIVE_PARTS) - 1;
}

int run_series_cb(const struct expr_metric *m, struct expr_series *out, struct lc_error *err,
                  void *arg)
{
    struct run *r = arg;
    out->warmup = r->t->warmup_s;
    out->bytes = is_bytes(m->name);
    out->basis = NULL;
    out->series = NULL;
    int live_part = 0;
    if (follows_live_heap(m->name)) {
        live_part = load_points(r, "heap_live", out) > 0;
        if (live_covers(r, out)) {
            out->kind = EXPR_TREND_LOWER;
            out->basis = "live heap after each GC (heap_live)";
            out->series = "heap_live";
            return 0;
        }
        free(out->t);
        free(out->v);
    }
    out->kind = is_sawtooth(m->name) ? EXPR_TREND_FLOOR : EXPR_TREND_LEVEL;
    /* a live heap known in part of the load only (a memory limit came to
     * set the GC's goal) or too sparse: the floor, saying why */
    if (live_part && out->kind == EXPR_TREND_FLOOR)
        out->basis = "floor (the live heap after each GC missing in part of the load)";
    load_points(r, m->text, out);
    if (out->n == 0) {
        lc_error_set(err, "no samples of %s during the load", m->text);
        return -1;
    }
    return 0;
}
