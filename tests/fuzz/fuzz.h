/*
 * tests/fuzz/fuzz.h: what the fuzz targets share. Each tests/fuzz/fuzz_<name>.c
 * defines LLVMFuzzerTestOneInput; built with -Dfuzz=true (clang) it links
 * libFuzzer, otherwise tests/fuzz/replay.c supplies a main that runs the
 * files of the seed corpus and of tests/fuzz/regress/<name>/ through it.
 *
 * A target aborts (FUZZ_CHECK) when a parser breaks its own contract, e.g.
 * fails without a message, so that such inputs are saved like crashes.
 */
#ifndef LC_FUZZ_H
#define LC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with the failed condition when cond is false. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Returns a new copy of data: exactly size bytes (so that the sanitizers
 * catch a read past the end) or, with nul, size + 1 bytes ending in '\0'.
 * Caller frees. */
static inline char *fuzz_copy(const uint8_t *data, size_t size, int nul)
{
    char *t = lc_malloc(size + (nul ? 1 : 0) + (size == 0 && !nul ? 1 : 0));
    if (size)
        memcpy(t, data, size);
    if (nul)
        t[size] = '\0';
    return t;
}

/* A small hash of a string, to derive varied but repeatable answers. */
static inline uint32_t fuzz_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

#endif
