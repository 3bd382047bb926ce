/*
 * run/run_culprits.c: the culprits of one test run, from its
 * baseline and final snapshots (run_snap.h).
 *
 * Growth culprits, what grew: a goroutine group, an fd class or a socket
 * class that grew by at least max(3, the load's concurrency) -- pools,
 * keep-alive connections and per-connection goroutines grow with the
 * number of concurrent clients and stop there, a leak grows with the
 * number of requests -- and a heap site whose in-use bytes grew by at
 * least 4 MiB (eight samples at Go's default profiling rate of 512 KiB:
 * bounded caches and buffers of a healthy service move by a megabyte or
 * so between two snapshots; a leak under load grows by tens). Groups Go's
 * goroutineleak profile proves leaked are named whatever their growth. A
 * class of descriptors that leakcheck's forced GC closed at a snapshot
 * (kind "finalizer": dropped without Close) is named when at least
 * max(3, concurrency) were closed.
 *
 * Level culprits, what holds the most at the end: only when an assertion
 * on a level failed (expr_basis: no baseline, growth or slope in it, e.g.
 * `heap_inuse < 256MB`, `max(fds) <= 256`), for the kinds of the metrics
 * it caps from above (expr_visit_capped), the largest holders at the final
 * snapshot: at most 5 per kind, each holding at least 10% of the kind's
 * total there (goroutines not ignored, heap in use, descriptors). A level
 * is exceeded by what holds a large share of it -- a buffer sized for the
 * peak, a pool, files opened at start -- and a tenth keeps out the
 * runtime's and libraries' small holders that every process has, while
 * leaving room for the few holders a level is usually made of. A site that
 * is both a growth and a level culprit is listed once, as a level culprit
 * (which says its baseline figure too).
 *
 * Order: culprits of the kind a failed assertion is about come first
 * (goroutines for `goroutines`, heap for heap_* and rss, fd and socket for
 * fds, sockets and tcp_*), level culprits before growth ones, then by
 * growth measured in thresholds (level culprits: by share of their kind).
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/metric_table.h"
#include "culprits/culprit_goroutine.h"
#include "culprits/culprit_heap.h"
#include "run/run_internal.h"
#include "run/run_snap.h"

#define MIN_COUNT_GROWTH 3.0
#define MIN_HEAP_GROWTH (4.0 * 1024.0 * 1024.0)
#define LEVEL_SHARE 0.10
#define LEVEL_TOP 5
/* report.json keeps this many; the console and JUnit show three */
#define MAX_CULPRITS 20

enum {
    KIND_GOROUTINE = METRIC_KIND_GOROUTINE,
    KIND_HEAP = METRIC_KIND_HEAP,
    KIND_FD = METRIC_KIND_FD
};

/* Which kinds of culprit a metric is about: a built-in metric's from the
 * table, a Prometheus metric's from its name. */
static unsigned kinds_of_metric(const char *name)
{
    const struct metric_def *d = metric_builtin(name);
    if (d)
        return d->kind;
    if (strstr(name, "goroutine"))
        return KIND_GOROUTINE;
    if (strncmp(name, "heap", 4) == 0 || strcmp(name, "rss") == 0 || strstr(name, "memory") ||
        strstr(name, "_heap_"))
        return KIND_HEAP;
    if (strcmp(name, "fds") == 0 || strcmp(name, "sockets") == 0 || strncmp(name, "tcp_", 4) == 0 ||
        strstr(name, "_fds"))
        return KIND_FD;
    return 0;
}

static void collect_kind(const struct expr_metric *m, enum expr_reduce reduce, void *arg)
{
    (void)reduce;
    *(unsigned *)arg |= kinds_of_metric(m->name);
}

/* The kinds failed assertions are about (*any), and those a failed level
 * assertion caps from above (*level). */
static void failed_kinds(const struct run *r, const struct report_test *rt, unsigned *any,
                         unsigned *level)
{
    *any = *level = 0;
    for (size_t i = 0; i < rt->nassertions && i < r->t->nasserts; i++) {
        if (rt->assertions[i].passed || rt->assertions[i].errored)
            continue;
        expr_visit(r->exprs[i], collect_kind, any);
        if (expr_basis(r->exprs[i]) == EXPR_BASIS_LEVEL)
            expr_visit_capped(r->exprs[i], collect_kind, level);
    }
}

/* fd, socket and finalizer (descriptors the GC closed) are about fds */
static unsigned kind_bit(const char *kind)
{
    return strcmp(kind, "goroutine") == 0 ? KIND_GOROUTINE
           : strcmp(kind, "heap") == 0    ? KIND_HEAP
                                          : KIND_FD;
}

/* 0, 1, 2 for the kind bits, to index totals */
static int kind_index(unsigned bit)
{
    return bit == KIND_GOROUTINE ? 0 : bit == KIND_HEAP ? 1 : 2;
}

struct ranked {
    struct culprit c;
    int relevant;
    double score;
};

static int by_rank(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->relevant != y->relevant)
        return y->relevant - x->relevant;
    if (x->c.basis != y->c.basis)
        return x->c.basis == CULPRIT_LEVEL ? -1 : 1;
    if (x->c.proven != y->c.proven)
        return y->c.proven - x->c.proven;
    return (x->score < y->score) - (x->score > y->score);
}

/* The report's culprit of c, taking its strings over. */
static struct report_culprit run_culprit_to_report(const struct culprit *c)
{
    return (struct report_culprit){
        .kind = c->kind,
        .function = c->function,
        .location = c->location,
        .before = c->before,
        .after = c->after,
        .growth = c->growth,
        .detail = c->detail,
        .proven = c->proven,
        .basis = c->basis == CULPRIT_LEVEL ? REPORT_BASIS_LEVEL : REPORT_BASIS_GROWTH,
    };
}

/* Sorts l (see the top) into rt, keeping at most MAX_CULPRITS; the list is
 * emptied. totals: of each kind at the end, for level culprits' shares. */
static void rank_into(struct culprit_list *l, unsigned relevant, double min_count,
                      const double totals[3], struct report_test *rt)
{
    struct ranked *rk = lc_calloc(l->n + 1, sizeof(*rk));
    for (size_t i = 0; i < l->n; i++) {
        const struct culprit *c = &l->items[i];
        unsigned bit = kind_bit(c->kind);
        rk[i].c = *c;
        rk[i].relevant = (relevant & bit) != 0;
        if (c->basis == CULPRIT_LEVEL)
            rk[i].score = totals[kind_index(bit)] > 0 ? c->after / totals[kind_index(bit)] : 0;
        else
            rk[i].score = c->growth / (bit == KIND_HEAP ? MIN_HEAP_GROWTH : min_count);
    }
    qsort(rk, l->n, sizeof(*rk), by_rank);
    size_t keep = l->n < MAX_CULPRITS ? l->n : MAX_CULPRITS;
    rt->culprits = lc_calloc(keep + 1, sizeof(*rt->culprits));
    for (size_t i = 0; i < l->n; i++) {
        if (i < keep)
            rt->culprits[i] = run_culprit_to_report(&rk[i].c);
        else
            culprit_free_fields(&rk[i].c);
    }
    rt->nculprits = keep;
    free(rk);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

static int by_after(const void *a, const void *b)
{
    const struct culprit *x = a, *y = b;
    return (x->after < y->after) - (x->after > y->after);
}

/* Marks l->items[from..] as level culprits, keeping the LEVEL_TOP largest;
 * without a baseline snapshot their baseline figures are not known. */
static void keep_top(struct culprit_list *l, size_t from, int have_base)
{
    qsort(l->items + from, l->n - from, sizeof(*l->items), by_after);
    while (l->n > from + LEVEL_TOP)
        culprit_free_fields(&l->items[--l->n]);
    for (size_t i = from; i < l->n; i++) {
        l->items[i].basis = CULPRIT_LEVEL;
        if (!have_base)
            l->items[i].before = l->items[i].growth = NAN;
    }
}

/* Appends the level culprits of the kinds in `kinds`; fills totals. */
static void level_culprits(const struct run *r, unsigned kinds, struct culprit_list *l,
                           double totals[3])
{
    const struct run_snap *s = r->snap;
    const struct run_snap_side *b = &s->side[RUN_SNAP_BASELINE], *f = &s->side[RUN_SNAP_FINAL];
    size_t from = l->n;
    if ((kinds & KIND_GOROUTINE) && f->goroutines) {
        struct culprit_goroutine_opts o = {0, &r->t->ignore, s->dump, s->leaks};
        totals[0] = (double)culprit_goroutine_kept(f->goroutines, &r->t->ignore);
        culprit_goroutine_holders(b->goroutines, f->goroutines, &o, totals[0] * LEVEL_SHARE, l);
        keep_top(l, from, b->goroutines != NULL);
    }
    from = l->n;
    if ((kinds & KIND_HEAP) && f->heap) {
        totals[1] = culprit_heap_total(f->heap);
        culprit_heap_holders(b->heap, f->heap, totals[1] * LEVEL_SHARE, l);
        keep_top(l, from, b->heap != NULL);
    }
    from = l->n;
    if ((kinds & KIND_FD) && f->fds) {
        totals[2] = (double)fdsnap_count(f->fds);
        fdsnap_holders(b->fds, f->fds, totals[2] * LEVEL_SHARE, l);
        keep_top(l, from, b->fds != NULL);
    }
}

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Drops from l the growth culprits that are also level culprits. */
static void drop_doubles(struct culprit_list *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct culprit *c = &l->items[i];
        int twin = 0;
        for (size_t k = 0; c->basis == CULPRIT_GROWTH && k < l->n && !twin; k++) {
            const struct culprit *o = &l->items[k];
            twin = o->basis == CULPRIT_LEVEL && same_text(c->kind, o->kind) &&
                   same_text(c->function, o->function) && same_text(c->location, o->location) &&
                   same_text(c->detail, o->detail);
        }
        if (twin)
            culprit_free_fields(&l->items[i]);
        else
            l->items[n++] = l->items[i];
    }
    l->n = n;
}

/* A path as one shell word: as is when it holds only safe characters,
 * else in single quotes. */
static void shell_word(struct lc_buf *b, const char *s)
{
    if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+,:@") ==
        strlen(s)) {
        lc_buf_puts(b, s);
        return;
    }
    lc_buf_puts(b, "'");
    for (const char *p = s; *p; p++)
        lc_buf_puts(b, *p == '\'' ? "'\\''" : (char[]){*p, '\0'});
    lc_buf_puts(b, "'");
}

/* The goroutine comparison, run in the reports' folder (--out): the
 * test's folder is named relative to it, so that the command works where
 * a downloaded artifact is unpacked. */
static char *base_cmd(const struct run *r)
{
    const char *slash = strrchr(r->dir, '/');
    const char *dir = slash ? slash + 1 : r->dir;
    struct lc_buf b = {0};
    char *base = lc_asprintf("%s/baseline-goroutine.pb.gz", dir);
    char *final = lc_asprintf("%s/final-goroutine.pb.gz", dir);
    lc_buf_puts(&b, "go tool pprof -base ");
    shell_word(&b, base);
    lc_buf_puts(&b, " ");
    shell_word(&b, final);
    free(base);
    free(final);
    return b.data;
}

/* What only leakcheck's forced GC closed, at the end of the test, and at
 * the end of the baseline for the classes the end does not name. */
static void gc_closed(const struct run_snap *s, double min_count, struct culprit_list *l)
{
    const struct run_snap_side *b = &s->side[RUN_SNAP_BASELINE], *f = &s->side[RUN_SNAP_FINAL];
    struct culprit_table *named = culprit_table_new();
    fdsnap_gc_closed(f->fds_old, f->fds, f->fds_gc, min_count, "at the end of the test", named, l);
    fdsnap_gc_closed(b->fds_old, b->fds, b->fds_gc, min_count, "at the end of the baseline", named,
                     l);
    culprit_table_free(named);
}

void run_culprits(struct run *r, struct report_test *rt)
{
    const struct run_snap *s = r->snap;
    if (!s)
        return;
    const struct run_snap_side *b = &s->side[RUN_SNAP_BASELINE], *f = &s->side[RUN_SNAP_FINAL];
    double min_count = MIN_COUNT_GROWTH, totals[3] = {0, 0, 0};
    unsigned any, level;
    if (r->t->load.present && r->t->load.concurrency > min_count)
        min_count = r->t->load.concurrency;
    failed_kinds(r, rt, &any, &level);
    /* a batch job without a baseline held nothing before: what it holds at
     * its peak (its final snapshot) counts as grown, for the kinds a failed
     * assertion is about (a worker pool of a job that passes is no news) */
    unsigned from_nothing = run_batch(r) && r->t->baseline_s <= 0 ? any : 0;
    struct culprit_list l = {0};
    if ((b->goroutines || (from_nothing & KIND_GOROUTINE)) && f->goroutines) {
        struct culprit_goroutine_opts o = {min_count, &r->t->ignore, s->dump, s->leaks};
        culprit_goroutines(b->goroutines, f->goroutines, &o, &l);
    }
    if ((b->heap || (from_nothing & KIND_HEAP)) && f->heap)
        culprit_heap(b->heap, f->heap, MIN_HEAP_GROWTH, &l);
    if ((b->fds || (from_nothing & KIND_FD)) && f->fds)
        fdsnap_diff(b->fds, f->fds, min_count, &l);
    gc_closed(s, min_count, &l);
    if (level) {
        level_culprits(r, level, &l, totals);
        drop_doubles(&l);
    }
    rank_into(&l, any, min_count, totals, rt);
    if (b->saved[SNAP_G0] && f->saved[SNAP_G0])
        rt->pprof_base_cmd = base_cmd(r);
}
