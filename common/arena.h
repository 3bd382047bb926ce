/*
 * common/arena.h: many small allocations freed at once, a hash index, and
 * a set of strings stored once each. The parsers of large texts (/metrics, goroutine
 * profiles and dumps) keep what they parse here: one malloc per chunk
 * instead of one per string, and a function name that 100,000 records
 * share is stored once.
 */
#ifndef LC_ARENA_H
#define LC_ARENA_H

#include <stddef.h>
#include <stdint.h>

/* An arena: allocations live until lc_arena_free. */
struct lc_arena;

/* A new, empty arena (it allocates nothing before the first use). */
struct lc_arena *lc_arena_new(void);

/* n bytes aligned for any scalar type, uninitialised; never NULL (aborts
 * on out-of-memory like lc_malloc). Valid until the arena is freed. */
void *lc_arena_alloc(struct lc_arena *a, size_t n);

/* A NUL-terminated copy of s[0..n) in the arena. */
char *lc_arena_strndup(struct lc_arena *a, const char *s, size_t n);

/* Bytes the arena holds from malloc (its chunks), for measurements. */
size_t lc_arena_size(const struct lc_arena *a);

/* Frees every allocation at once; lc_arena_free(NULL) is a no-op. */
void lc_arena_free(struct lc_arena *a);

/* A hash of n bytes (not cryptographic: for hash tables). */
uint64_t lc_hash(const void *p, size_t n, uint64_t seed);

/* An index from 64-bit hashes to the caller's entries (numbered 0, 1,
 * 2...; the caller keeps them and says when two are equal): open
 * addressing, linear probing, at most half full. Start with {0}; the
 * tables of the parsers and the culprit analyses are built on it. */
struct lc_hslot {
    uint64_t hash;
    size_t entry; /* entry + 1; 0: an empty slot */
};

struct lc_hindex {
    struct lc_hslot *slots;
    size_t nslots, n;
};

/* The entry of hash h for which same(entry, arg) is true, or -1. */
long lc_hindex_find(const struct lc_hindex *x, uint64_t h, int (*same)(size_t entry, void *arg),
                    void *arg);

/* Adds entry with hash h (the caller found it absent). */
void lc_hindex_add(struct lc_hindex *x, uint64_t h, size_t entry);

/* Frees the slots; the index is empty ({0}) after. */
void lc_hindex_free(struct lc_hindex *x);

/* A set of strings: each distinct string stored once, in an arena. */
struct lc_strset;

/* A new set whose strings go to arena a (borrowed: it must outlive the
 * set and everything that holds the strings). */
struct lc_strset *lc_strset_new(struct lc_arena *a);

/* The stored copy of s[0..n) (NUL-terminated; s may hold no NUL), added
 * when new. Equal strings give the same pointer, so callers may compare
 * stored strings by address. The string stays valid while the arena does. */
const char *lc_strset_get(struct lc_strset *t, const char *s, size_t n);

/* Frees the table (not the strings, which the arena holds); NULL is a
 * no-op. */
void lc_strset_free(struct lc_strset *t);

#endif
