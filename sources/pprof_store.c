/*
 * sources/pprof_store.c: where parsed profiles and goroutine dumps keep
 * their strings and frame lists. A profile of 100,000 goroutines holds a
 * few dozen distinct stacks: each function name, file and frame list is
 * stored once, in an arena, and records point at the shared copies.
 */
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "sources/pprof.h"

/* A stored frame list. */
struct frames_entry {
    const struct pprof_frame *frames;
    size_t n;
};

struct pprof_store {
    struct lc_arena *arena;
    struct lc_strset *strs;
    struct lc_hindex index; /* of lists */
    struct frames_entry *lists;
    size_t nlists, cap_lists;
};

struct pprof_store *pprof_store_new(void)
{
    struct pprof_store *s = lc_calloc(1, sizeof(*s));
    s->arena = lc_arena_new();
    s->strs = lc_strset_new(s->arena);
    return s;
}

char *pprof_store_str(struct pprof_store *s, const char *p, size_t n)
{
    return (char *)lc_strset_get(s->strs, p, n);
}

char *pprof_store_text(struct pprof_store *s, const char *p, size_t n)
{
    return lc_arena_strndup(s->arena, p, n);
}

/* Frames are compared by their fields: the strings are the store's own,
 * so equal strings are the same pointer. */
static uint64_t mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

static uint64_t frames_hash(const struct pprof_frame *f, size_t n)
{
    uint64_t h = n;
    for (size_t i = 0; i < n; i++) {
        h = mix(h, (uint64_t)(uintptr_t)f[i].func);
        h = mix(h, (uint64_t)(uintptr_t)f[i].file);
        h = mix(h, f[i].pc ^ ((uint64_t)(uint32_t)f[i].line << 32));
    }
    return mix(h, 0);
}

/* What pprof_store_frames looks for, for lc_hindex_find. */
struct frames_key {
    const struct pprof_store *s;
    const struct pprof_frame *f;
    size_t n;
};

static int frames_same(size_t entry, void *arg)
{
    const struct frames_key *k = arg;
    const struct frames_entry *e = &k->s->lists[entry];
    if (e->n != k->n)
        return 0;
    for (size_t i = 0; i < k->n; i++)
        if (e->frames[i].func != k->f[i].func || e->frames[i].file != k->f[i].file ||
            e->frames[i].line != k->f[i].line || e->frames[i].pc != k->f[i].pc)
            return 0;
    return 1;
}

struct pprof_frame *pprof_store_frames(struct pprof_store *s, const struct pprof_frame *f, size_t n)
{
    if (n == 0)
        return NULL;
    uint64_t h = frames_hash(f, n);
    struct frames_key key = {s, f, n};
    long i = lc_hindex_find(&s->index, h, frames_same, &key);
    if (i >= 0)
        return (struct pprof_frame *)s->lists[i].frames;
    struct pprof_frame *copy = lc_arena_alloc(s->arena, n * sizeof(*copy));
    memcpy(copy, f, n * sizeof(*copy));
    lc_grow((void **)&s->lists, &s->cap_lists, s->nlists + 1, sizeof(*s->lists));
    s->lists[s->nlists] = (struct frames_entry){copy, n};
    lc_hindex_add(&s->index, h, s->nlists++);
    return copy;
}

size_t pprof_store_size(const struct pprof_store *s)
{
    return s ? lc_arena_size(s->arena) : 0;
}

void pprof_store_free(struct pprof_store *s)
{
    if (!s)
        return;
    lc_strset_free(s->strs);
    lc_arena_free(s->arena);
    lc_hindex_free(&s->index);
    free(s->lists);
    free(s);
}
