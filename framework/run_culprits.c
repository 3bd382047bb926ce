/*
 * framework/run_culprits.c: the culprits of one test run, from its
 * baseline and final snapshots (run_snap.h).
 *
 * What counts as growth worth naming: a goroutine group, an fd class or a
 * socket class that grew by at least max(3, the load's concurrency) --
 * pools, keep-alive connections and per-connection goroutines grow with
 * the number of concurrent clients and stop there, a leak grows with the
 * number of requests -- and a heap site whose in-use bytes grew by at
 * least 4 MiB (eight samples at Go's default profiling rate of 512 KiB:
 * bounded caches and buffers of a healthy service move by a megabyte or
 * so between two snapshots; a leak under load grows by tens). Groups Go's goroutineleak profile proves leaked
 * are named whatever their growth.
 *
 * Order: culprits of the kind a failed assertion is about come first
 * (goroutines for `goroutines`, heap for heap_* and rss, fd and socket for
 * fds, sockets and tcp_*), then by growth measured in thresholds.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framework/culprit_goroutine.h"
#include "framework/culprit_heap.h"
#include "framework/run_int.h"
#include "framework/run_snap.h"

#define MIN_COUNT_GROWTH 3.0
#define MIN_HEAP_GROWTH (4.0 * 1024.0 * 1024.0)
/* report.json keeps this many; the console and JUnit show three */
#define MAX_CULPRITS 20

enum { KIND_GOROUTINE = 1, KIND_HEAP = 2, KIND_FD = 4 };

/* Which kinds of culprit a metric is about. */
static unsigned kinds_of_metric(const char *name)
{
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

static unsigned failed_kinds(const struct run *r, const struct report_test *rt)
{
    unsigned kinds = 0;
    for (size_t i = 0; i < rt->nassertions && i < r->t->nasserts; i++)
        if (!rt->assertions[i].passed && !rt->assertions[i].errored)
            expr_visit(r->exprs[i], collect_kind, &kinds);
    return kinds;
}

static unsigned kind_bit(const char *kind)
{
    return strcmp(kind, "goroutine") == 0 ? KIND_GOROUTINE
           : strcmp(kind, "heap") == 0    ? KIND_HEAP
                                          : KIND_FD;
}

struct ranked {
    struct report_culprit c;
    int relevant;
    double score;
};

static int by_rank(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->relevant != y->relevant)
        return y->relevant - x->relevant;
    if (x->c.proven != y->c.proven)
        return y->c.proven - x->c.proven;
    return (x->score < y->score) - (x->score > y->score);
}

/* Sorts l (largest first, relevant kinds first) into rt, keeping at most
 * MAX_CULPRITS; the list is emptied. */
static void rank_into(struct culprit_list *l, unsigned relevant, double min_count,
                      struct report_test *rt)
{
    struct ranked *rk = lc_calloc(l->n + 1, sizeof(*rk));
    for (size_t i = 0; i < l->n; i++) {
        unsigned bit = kind_bit(l->items[i].kind);
        rk[i].c = l->items[i];
        rk[i].relevant = (relevant & bit) != 0;
        rk[i].score = l->items[i].growth / (bit == KIND_HEAP ? MIN_HEAP_GROWTH : min_count);
    }
    qsort(rk, l->n, sizeof(*rk), by_rank);
    size_t keep = l->n < MAX_CULPRITS ? l->n : MAX_CULPRITS;
    rt->culprits = lc_calloc(keep + 1, sizeof(*rt->culprits));
    for (size_t i = 0; i < l->n; i++) {
        if (i < keep)
            rt->culprits[i] = rk[i].c;
        else
            culprit_free_fields(&rk[i].c);
    }
    rt->nculprits = keep;
    free(rk);
    free(l->items);
    memset(l, 0, sizeof(*l));
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

static char *base_cmd(const struct run *r)
{
    char *abs = realpath(r->dir, NULL);
    const char *dir = abs ? abs : r->dir;
    struct lc_buf b = {0};
    char *base = lc_asprintf("%s/baseline-goroutine.pb.gz", dir);
    char *final = lc_asprintf("%s/final-goroutine.pb.gz", dir);
    lc_buf_puts(&b, "go tool pprof -base ");
    shell_word(&b, base);
    lc_buf_puts(&b, " ");
    shell_word(&b, final);
    free(base);
    free(final);
    free(abs);
    return b.data;
}

void run_culprits(struct run *r, struct report_test *rt)
{
    const struct run_snap *s = r->snap;
    if (!s)
        return;
    const struct run_snap_side *b = &s->side[RUN_SNAP_BASELINE], *f = &s->side[RUN_SNAP_FINAL];
    double min_count = MIN_COUNT_GROWTH;
    if (r->t->load.present && r->t->load.concurrency > min_count)
        min_count = r->t->load.concurrency;
    unsigned failed = failed_kinds(r, rt);
    /* a batch job without a baseline held nothing before: what it holds at
     * its peak (its final snapshot) counts as grown, for the kinds a failed
     * assertion is about (a worker pool of a job that passes is no news) */
    unsigned from_nothing = run_batch(r) && r->t->baseline_s <= 0 ? failed : 0;
    struct culprit_list l = {0};
    if ((b->goroutines || (from_nothing & KIND_GOROUTINE)) && f->goroutines) {
        struct culprit_goroutine_opts o = {min_count, &r->t->ignore, s->dump, s->leaks};
        culprit_goroutines(b->goroutines, f->goroutines, &o, &l);
    }
    if ((b->heap || (from_nothing & KIND_HEAP)) && f->heap)
        culprit_heap(b->heap, f->heap, MIN_HEAP_GROWTH, &l);
    if ((b->fds || (from_nothing & KIND_FD)) && f->fds)
        fdsnap_diff(b->fds, f->fds, min_count, &l);
    rank_into(&l, failed, min_count, rt);
    if (b->saved[SNAP_G0] && f->saved[SNAP_G0])
        rt->pprof_base_cmd = base_cmd(r);
}
