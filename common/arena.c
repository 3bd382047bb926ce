/* common/arena.c: an arena of chunks, a byte hash, a hash index and a
 * string set. */
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

long lc_hindex_find(const struct lc_hindex *x, uint64_t h, int (*same)(size_t entry, void *arg),
                    void *arg)
{
    if (!x->nslots)
        return -1;
    for (size_t i = (size_t)h & (x->nslots - 1);; i = (i + 1) & (x->nslots - 1)) {
        const struct lc_hslot *s = &x->slots[i];
        if (!s->entry)
            return -1;
        if (s->hash == h && same(s->entry - 1, arg))
            return (long)(s->entry - 1);
    }
}

/* Puts (h, entry + 1) in the first free slot of its probe sequence. */
static void hindex_place(struct lc_hslot *slots, size_t nslots, uint64_t h, size_t entry1)
{
    size_t i = (size_t)h & (nslots - 1);
    while (slots[i].entry)
        i = (i + 1) & (nslots - 1);
    slots[i] = (struct lc_hslot){h, entry1};
}

void lc_hindex_add(struct lc_hindex *x, uint64_t h, size_t entry)
{
    if ((x->n + 1) * 2 > x->nslots) {
        size_t nslots = x->nslots ? x->nslots * 2 : 64;
        struct lc_hslot *slots = lc_calloc(nslots, sizeof(*slots));
        for (size_t i = 0; i < x->nslots; i++)
            if (x->slots[i].entry)
                hindex_place(slots, nslots, x->slots[i].hash, x->slots[i].entry);
        free(x->slots);
        x->slots = slots;
        x->nslots = nslots;
    }
    hindex_place(x->slots, x->nslots, h, entry + 1);
    x->n++;
}

void lc_hindex_free(struct lc_hindex *x)
{
    free(x->slots);
    memset(x, 0, sizeof(*x));
}

struct strset_entry {
    const char *s;
    size_t len;
};

struct lc_strset {
    struct lc_arena *arena;
    struct lc_hindex index;
    struct strset_entry *v;
    size_t n, cap;
};

struct lc_strset *lc_strset_new(struct lc_arena *a)
{
    struct lc_strset *t = lc_calloc(1, sizeof(*t));
    t->arena = a;
    return t;
}

/* What lc_strset_get looks for, for lc_hindex_find. */
struct strset_key {
    const struct lc_strset *t;
    const char *s;
    size_t n;
};

static int strset_same(size_t entry, void *arg)
{
    const struct strset_key *k = arg;
    const struct strset_entry *e = &k->t->v[entry];
    return e->len == k->n && memcmp(e->s, k->s, k->n) == 0;
}

const char *lc_strset_get(struct lc_strset *t, const char *s, size_t n)
{
    uint64_t h = lc_hash(s, n, 0);
    struct strset_key key = {t, s, n};
    long i = lc_hindex_find(&t->index, h, strset_same, &key);
    if (i >= 0)
        return t->v[i].s;
    lc_grow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v));
    t->v[t->n] = (struct strset_entry){lc_arena_strndup(t->arena, s, n), n};
    lc_hindex_add(&t->index, h, t->n);
    return t->v[t->n++].s;
}

void lc_strset_free(struct lc_strset *t)
{
    if (!t)
        return;
    lc_hindex_free(&t->index);
    free(t->v);
    free(t);
}
