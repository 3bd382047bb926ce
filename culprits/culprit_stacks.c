/*
 * culprits/culprit_stacks.c: goroutine stacks grouped by the function
 * names of their frames, without building culprit_stack_key's string: a
 * hash of the names and a frame-by-frame comparison. A profile of 100,000
 * goroutines with distinct pprof labels has 100,000 records but a few
 * distinct frame lists (the parsers store each once), so lookups are
 * remembered by the address of their frames (a small direct-mapped cache).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "culprits/culprit.h"

struct stack_group {
    const struct pprof_frame *frames; /* the first stack of the group (borrowed) */
    size_t n;
};

/* A frame list looked up before, and its group. */
struct seen_frames {
    const struct pprof_frame *frames;
    size_t n, group;
};

#define SEEN_SLOTS 256

struct culprit_stacks {
    struct stack_group *groups;
    size_t ngroups, cap;
    struct lc_hindex index;              /* of groups, by stack_hash */
    struct seen_frames seen[SEEN_SLOTS]; /* frames NULL: empty */
};

static struct seen_frames *seen_slot(const struct culprit_stacks *t,
                                     const struct pprof_frame *frames, size_t n)
{
    uint64_t h = ((uint64_t)(uintptr_t)frames ^ n) * 0x9e3779b97f4a7c15ull;
    return (struct seen_frames *)&t->seen[h >> 56];
}

static int is_seen(const struct seen_frames *e, const struct pprof_frame *frames, size_t n)
{
    return e->frames && e->frames == frames && e->n == n;
}

/* Frames that make the key: named, and not in package runtime. */
static int in_key(const struct pprof_frame *f)
{
    return f->func && *f->func && !culprit_is_runtime(f->func);
}

int culprit_stack_unnamed(const struct pprof_frame *frames, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (in_key(&frames[i]))
            return 0;
    return 1;
}

static uint64_t stack_hash(const struct pprof_frame *f, size_t n)
{
    uint64_t h = 0x243f6a8885a308d3ull;
    for (size_t i = 0; i < n; i++)
        if (in_key(&f[i]))
            h = lc_hash(f[i].func, strlen(f[i].func), h);
    return h;
}

/* Whether the two stacks' keys are equal: the same names in the same
 * order, frames not in the key skipped. */
static int same_names(const struct pprof_frame *a, size_t na, const struct pprof_frame *b,
                      size_t nb)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < na && !in_key(&a[i]))
            i++;
        while (j < nb && !in_key(&b[j]))
            j++;
        if (i == na || j == nb)
            return i == na && j == nb;
        if (a[i].func != b[j].func && strcmp(a[i].func, b[j].func) != 0)
            return 0;
        i++, j++;
    }
}

struct culprit_stacks *culprit_stacks_new(void)
{
    return lc_calloc(1, sizeof(struct culprit_stacks));
}

/* What a lookup looks for, for lc_hindex_find. */
struct stack_key {
    const struct culprit_stacks *t;
    const struct pprof_frame *f;
    size_t n;
};

static int stack_same(size_t entry, void *arg)
{
    const struct stack_key *k = arg;
    const struct stack_group *g = &k->t->groups[entry];
    return same_names(g->frames, g->n, k->f, k->n);
}

static long lookup(const struct culprit_stacks *t, const struct pprof_frame *frames, size_t n,
                   uint64_t h)
{
    struct stack_key key = {t, frames, n};
    return lc_hindex_find(&t->index, h, stack_same, &key);
}

size_t culprit_stacks_put(struct culprit_stacks *t, const struct pprof_frame *frames, size_t n,
                          int *added)
{
    struct seen_frames *e = seen_slot(t, frames, n);
    if (added)
        *added = 0;
    if (is_seen(e, frames, n))
        return e->group;
    uint64_t h = stack_hash(frames, n);
    long group = lookup(t, frames, n, h);
    if (group < 0) {
        lc_grow((void **)&t->groups, &t->cap, t->ngroups + 1, sizeof(*t->groups));
        t->groups[t->ngroups] = (struct stack_group){frames, n};
        lc_hindex_add(&t->index, h, t->ngroups);
        group = (long)t->ngroups++;
        if (added)
            *added = 1;
    }
    if (frames) /* (no frames at all cannot be told apart by address) */
        *e = (struct seen_frames){frames, n, (size_t)group};
    return (size_t)group;
}

long culprit_stacks_find(const struct culprit_stacks *t, const struct pprof_frame *frames, size_t n)
{
    const struct seen_frames *e = seen_slot(t, frames, n);
    if (is_seen(e, frames, n))
        return (long)e->group;
    return lookup(t, frames, n, stack_hash(frames, n));
}

size_t culprit_stacks_size(const struct culprit_stacks *t)
{
    return t->ngroups;
}

void culprit_stacks_free(struct culprit_stacks *t)
{
    if (!t)
        return;
    free(t->groups);
    lc_hindex_free(&t->index);
    free(t);
}
