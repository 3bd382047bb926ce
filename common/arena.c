/* common/arena.c: an arena of chunks, a byte hash and a string set. */
#include "common/arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "common/lc.h"

/* Chunks double from the first size up to the last; an allocation larger
 * than a quarter of the next chunk gets a chunk of its own. */
#define ARENA_FIRST_CHUNK 1024u
#define ARENA_MAX_CHUNK (256u << 10)
#define ARENA_ALIGN alignof(max_align_t)

struct chunk {
    struct chunk *next;
    size_t size; /* bytes of data after the header */
};

struct lc_arena {
    struct chunk *head; /* the chunk being filled, then the older ones */
    char *p, *end;      /* free space in head */
    size_t next_size;
    size_t total;
};

/* Room for the header, rounded up so that the data that follows is aligned. */
#define CHUNK_HEADER ((sizeof(struct chunk) + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1))

struct lc_arena *lc_arena_new(void)
{
    struct lc_arena *a = lc_calloc(1, sizeof(*a));
    a->next_size = ARENA_FIRST_CHUNK;
    return a;
}

static struct chunk *new_chunk(struct lc_arena *a, size_t size)
{
    if (size > SIZE_MAX - CHUNK_HEADER)
        size = SIZE_MAX - CHUNK_HEADER; /* lc_malloc then aborts: out of memory */
    struct chunk *c = lc_malloc(CHUNK_HEADER + size);
    c->size = size;
    a->total += CHUNK_HEADER + size;
    return c;
}

void *lc_arena_alloc(struct lc_arena *a, size_t n)
{
    n = n ? (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1) : ARENA_ALIGN;
    if ((size_t)(a->end - a->p) >= n) {
        void *r = a->p;
        a->p += n;
        return r;
    }
    if (n > a->next_size / 4) {
        /* a chunk of its own, behind the head, which stays the one filled */
        struct chunk *c = new_chunk(a, n);
        if (a->head) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = NULL;
            a->head = c;
        }
        return (char *)c + CHUNK_HEADER;
    }
    struct chunk *c = new_chunk(a, a->next_size);
    c->next = a->head;
    a->head = c;
    if (a->next_size < ARENA_MAX_CHUNK)
        a->next_size *= 2;
    a->p = (char *)c + CHUNK_HEADER + n;
    a->end = (char *)c + CHUNK_HEADER + c->size;
    return (char *)c + CHUNK_HEADER;
}

char *lc_arena_strndup(struct lc_arena *a, const char *s, size_t n)
{
    char *p = lc_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

size_t lc_arena_size(const struct lc_arena *a)
{
    return a ? a->total : 0;
}

void lc_arena_free(struct lc_arena *a)
{
    if (!a)
        return;
    for (struct chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

/* 64-bit words folded in with a multiply and a rotation (a simplified
 * wyhash/FxHash): a few instructions per 8 bytes. */
uint64_t lc_hash(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = ((h ^ w) * 0xbf58476d1ce4e5b9ull);
        h ^= h >> 31;
        s += 8;
        n -= 8;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, s, n);
        h = ((h ^ w) * 0x94d049bb133111ebull);
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

struct strset_slot {
    const char *s; /* NULL: empty */
    size_t len;
    uint64_t hash;
};

struct lc_strset {
    struct lc_arena *arena;
    struct strset_slot *slots;
    size_t nslots, n; /* nslots is a power of two, at least twice n */
};

struct lc_strset *lc_strset_new(struct lc_arena *a)
{
    struct lc_strset *t = lc_calloc(1, sizeof(*t));
    t->arena = a;
    t->nslots = 64;
    t->slots = lc_calloc(t->nslots, sizeof(*t->slots));
    return t;
}

static struct strset_slot *strset_probe(struct strset_slot *slots, size_t nslots, const char *s,
                                        size_t n, uint64_t h)
{
    size_t i = (size_t)h & (nslots - 1);
    while (slots[i].s && (slots[i].hash != h || slots[i].len != n || memcmp(slots[i].s, s, n) != 0))
        i = (i + 1) & (nslots - 1);
    return &slots[i];
}

static void strset_grow(struct lc_strset *t)
{
    size_t nslots = t->nslots * 2;
    struct strset_slot *slots = lc_calloc(nslots, sizeof(*slots));
    for (size_t i = 0; i < t->nslots; i++)
        if (t->slots[i].s)
            *strset_probe(slots, nslots, t->slots[i].s, t->slots[i].len, t->slots[i].hash) =
                t->slots[i];
    free(t->slots);
    t->slots = slots;
    t->nslots = nslots;
}

const char *lc_strset_get(struct lc_strset *t, const char *s, size_t n)
{
    uint64_t h = lc_hash(s, n, 0);
    struct strset_slot *slot = strset_probe(t->slots, t->nslots, s, n, h);
    if (slot->s)
        return slot->s;
    *slot = (struct strset_slot){lc_arena_strndup(t->arena, s, n), n, h};
    if (++t->n * 2 > t->nslots) {
        const char *stored = slot->s;
        strset_grow(t);
        return stored;
    }
    return slot->s;
}

void lc_strset_free(struct lc_strset *t)
{
    if (!t)
        return;
    free(t->slots);
    free(t);
}
