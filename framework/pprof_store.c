/*
 * framework/pprof_store.c: where parsed profiles and goroutine dumps keep
 * their strings and frame lists. A profile of 100,000 goroutines holds a
 * few dozen distinct stacks: each function name, file and frame list is
 * stored once, in an arena, and records point at the shared copies.
 */
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "framework/pprof.h"

/* A stored frame list (slots of the table; frames NULL when empty). */
struct frames_slot {
    const struct pprof_frame *frames;
    size_t n;
    uint64_t hash;
};

struct pprof_store {
    struct lc_arena *arena;
    struct lc_strset *strs;
    struct frames_slot *slots;
    size_t nslots, nlists; /* nslots a power of two, at least twice nlists */
};

struct pprof_store *pprof_store_new(void)
{
    struct pprof_store *s = lc_calloc(1, sizeof(*s));
    s->arena = lc_arena_new();
    s->strs = lc_strset_new(s->arena);
    s->nslots = 16;
    s->slots = lc_calloc(s->nslots, sizeof(*s->slots));
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

static int frames_equal(const struct pprof_frame *a, const struct pprof_frame *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].func != b[i].func || a[i].file != b[i].file || a[i].line != b[i].line ||
            a[i].pc != b[i].pc)
            return 0;
    return 1;
}

static struct frames_slot *frames_probe(struct frames_slot *slots, size_t nslots,
                                        const struct pprof_frame *f, size_t n, uint64_t h)
{
    size_t i = (size_t)h & (nslots - 1);
    while (slots[i].frames &&
           (slots[i].hash != h || slots[i].n != n || !frames_equal(slots[i].frames, f, n)))
        i = (i + 1) & (nslots - 1);
    return &slots[i];
}

static void frames_grow(struct pprof_store *s)
{
    size_t nslots = s->nslots * 2;
    struct frames_slot *slots = lc_calloc(nslots, sizeof(*slots));
    for (size_t i = 0; i < s->nslots; i++)
        if (s->slots[i].frames)
            *frames_probe(slots, nslots, s->slots[i].frames, s->slots[i].n, s->slots[i].hash) =
                s->slots[i];
    free(s->slots);
    s->slots = slots;
    s->nslots = nslots;
}

struct pprof_frame *pprof_store_frames(struct pprof_store *s, const struct pprof_frame *f, size_t n)
{
    if (n == 0)
        return NULL;
    uint64_t h = frames_hash(f, n);
    struct frames_slot *slot = frames_probe(s->slots, s->nslots, f, n, h);
    if (!slot->frames) {
        struct pprof_frame *copy = lc_arena_alloc(s->arena, n * sizeof(*copy));
        memcpy(copy, f, n * sizeof(*copy));
        *slot = (struct frames_slot){copy, n, h};
        if (++s->nlists * 2 > s->nslots) {
            frames_grow(s);
            return copy;
        }
    }
    return (struct pprof_frame *)slot->frames;
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
    free(s->slots);
    free(s);
}
