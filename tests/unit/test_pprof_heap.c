/*
 * tests/unit/test_pprof_heap.c: heap?debug=1 profiles captured from real Go
 * programs (tests/data/pprof/), MemStats trailer included, and truncated
 * copies of them.
 */
#include "pprof_check.h"

#include <math.h>

/* "# Name = N" lines of the trailer, read here with sscanf. */
static void check_memstats(const char *text, const struct pprof_profile *p)
{
    const char *ms = strstr(text, "\n# runtime.MemStats\n");
    assert_non_null(ms);
    size_t ints = 0;
    for (const char *l = ms + 1; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
        char name[64];
        unsigned long long v, sys;
        int used = 0;
        double got;
        if (sscanf(l, "# %63[A-Za-z] = %llu / %llu", name, &v, &sys) == 3) {
            char full[80];
            snprintf(full, sizeof(full), "%sSys", name);
            assert_int_equal(pprof_memstat(p, full, &got), 0);
            assert_true(got == (double)sys);
            snprintf(full, sizeof(full), "%sInuse", name);
            assert_int_equal(pprof_memstat(p, full, &got), 0);
            assert_true(got == (double)v);
        } else if (sscanf(l, "# %63[A-Za-z] = %llu%n", name, &v, &used) == 2 && l[used] == '\n') {
            assert_int_equal(pprof_memstat(p, name, &got), 0);
            assert_true(got == (double)v);
            ints++;
        }
    }
    assert_true(ints >= 18);
    /* PauseNs: the entry of the ring that NumGC points at */
    double numgc, pause, dbg, frac;
    assert_int_equal(pprof_memstat(p, "NumGC", &numgc), 0);
    assert_int_equal(pprof_memstat(p, "PauseNs", &pause), 0);
    const char *ring = strstr(ms, "# PauseNs = [") + 13;
    for (int k = 0; k < ((int)numgc + 255) % 256; k++)
        ring = strchr(ring, ' ') + 1;
    assert_true(pause == (double)strtoull(ring, NULL, 10));
    assert_true(numgc == 0 || pause > 0);
    assert_int_equal(pprof_memstat(p, "DebugGC", &dbg), 0);
    assert_true(dbg == 0);
    assert_int_equal(pprof_memstat(p, "GCCPUFraction", &frac), 0);
    assert_true(frac > 0 && frac < 1);
    assert_int_equal(pprof_memstat(p, "NoSuchStat", &frac), -1);
}

static struct pprof_profile *parse_h(const char *text, size_t len)
{
    struct lc_error err = {0};
    struct pprof_profile *p = pprof_parse_heap(text, len, &err);
    if (!p)
        fail_msg("line %d col %d: %s", err.line, err.col, err.msg);
    assert_int_equal(p->kind, PPROF_HEAP);
    unsigned long long h[5];
    assert_int_equal(sscanf(text, "heap profile: %llu: %llu [%llu: %llu] @ heap/%llu", &h[0], &h[1],
                            &h[2], &h[3], &h[4]),
                     5);
    assert_true(p->inuse_objects == h[0] && p->inuse_bytes == h[1] && p->total == h[0]);
    assert_true(p->alloc_objects == h[2] && p->alloc_bytes == h[3] && p->rate == h[4]);
    check_against_text(text, p);
    check_memstats(text, p);
    return p;
}

static const struct pprof_stack *heap_site(const struct pprof_profile *p, const char *func,
                                           int line)
{
    for (size_t i = 0; i < p->nstacks; i++)
        if (p->stacks[i].nframes && strcmp(p->stacks[i].frames[0].func, func) == 0 &&
            p->stacks[i].frames[0].line == line)
            return &p->stacks[i];
    fail_msg("no heap record at %s:%d", func, line);
    return NULL;
}

static void test_heap_go119(void **state)
{
    (void)state;
    size_t n, ngc;
    char *t = load(G119 "heap-debug1.txt", &n);
    char *tgc = load(G119 "heap-debug1-gc.txt", &ngc);
    struct pprof_profile *p = parse_h(t, n), *pgc = parse_h(tgc, ngc);
    double a, b;
    assert_int_equal(pprof_memstat(pgc, "NumGC", &a), 0);
    assert_int_equal(pprof_memstat(p, "NumGC", &b), 0);
    assert_true(a > b); /* ?gc=1 ran one more collection */
    assert_int_equal(pprof_memstat(pgc, "MaxRSS", &a), 0);
    assert_true(a > 1e6);
    /* after that GC, every sampled block of the 64 of 128 KiB that
     * retainHeap keeps is in use, none freed (not all 64 are sampled: the
     * first allocations still see the default MemProfileRate) */
    int line = src_line(SRC "main.go", "func retainHeap()", "128<<10");
    const struct pprof_stack *st = heap_site(pgc, "main.retainHeap", line);
    assert_true(st->inuse_objects >= 32 && st->inuse_objects <= 64);
    assert_int_equal(st->inuse_bytes, st->inuse_objects * (128 << 10));
    assert_int_equal(st->count, st->inuse_objects);
    assert_int_equal(st->alloc_objects, st->inuse_objects);
    assert_int_equal(st->alloc_bytes, st->inuse_bytes);
    line = src_line(SRC "wait here.go", "func retainInSpacedFile()", "64<<10");
    st = heap_site(pgc, "main.retainInSpacedFile", line);
    assert_true(st->inuse_objects >= 1 && st->inuse_objects <= 16);
    assert_int_equal(st->inuse_bytes, st->inuse_objects * (64 << 10));
    assert_true(ends_with(st->frames[0].file, "/capture/wait here.go"));
    pprof_free(p);
    pprof_free(pgc);
    free(t);
    free(tgc);
}

static void test_heap_go12x(void **state)
{
    (void)state;
    const char *files[] = {G12X "buf-heap-debug1.txt", G12X "buf-heap-debug1-gc.txt"};
    for (size_t f = 0; f < LC_ARRAY_LEN(files); f++) {
        size_t n;
        char *t = load(files[f], &n);
        struct pprof_profile *p = parse_h(t, n);
        assert_true(p->nstacks > 10);
        double v;
        assert_int_equal(pprof_memstat(p, "HeapAlloc", &v), 0);
        assert_true(v > 0);
        pprof_free(p);
        free(t);
    }
}

/* Every cut is rejected, except the one just before "# MaxRSS", which Go
 * leaves out on some systems (that prefix is a complete profile). */
static void heap_prefixes(const char *file, size_t stride, size_t tail)
{
    size_t n;
    char *t = load(file, &n);
    size_t maxrss = (size_t)(strstr(t, "\n# MaxRSS = ") + 1 - t);
    for (size_t k = 0; k < n; k += (k + tail < n ? stride : 1)) {
        struct lc_error err = {0};
        struct pprof_profile *p = pprof_parse_heap(t, k, &err);
        double v;
        if (k == maxrss) {
            assert_non_null(p);
            assert_int_equal(pprof_memstat(p, "MaxRSS", &v), -1);
        } else if (p) {
            fail_msg("%s cut at %zu parsed", file, k);
        } else {
            assert_true(err.msg[0] != '\0' && (k == 0 || err.line >= 1));
        }
        pprof_free(p);
    }
    free(t);
}

static void test_heap_every_prefix_rejected(void **state)
{
    (void)state;
    heap_prefixes(G119 "heap-debug1.txt", 1, 0);
    /* the Go 1.27 one is large: every 29th cut, and every cut of its end */
    heap_prefixes(G12X "buf-heap-debug1.txt", 29, 4000);
}

/* Replaces the value of the MemStats line "# NAME = ..." in text (which
 * has room: the new value is no longer than 24 digits). */
static char *with_stat(const char *text, size_t n, const char *name, const char *value, size_t *len)
{
    char *key = lc_asprintf("# %s = ", name);
    const char *at = strstr(text, key);
    assert_non_null(at);
    const char *val = at + strlen(key), *eol = strchr(val, '\n');
    char *out = lc_asprintf("%.*s%s%.*s", (int)(val - text), text, value,
                            (int)(n - (size_t)(eol - text)), eol);
    *len = strlen(out);
    free(key);
    return out;
}

/* heap_live: the live heap the last GC left, NextGC / (1 + GOGC/100). */
static void test_live_heap(void **state)
{
    (void)state;
    size_t n, m;
    char *t = load(G119 "heap-debug1-gc.txt", &n);
    struct pprof_profile *p = parse_h(t, n);
    double next, alloc;
    assert_int_equal(pprof_memstat(p, "NextGC", &next), 0);
    assert_int_equal(pprof_memstat(p, "HeapAlloc", &alloc), 0);
    assert_true(pprof_live_heap(p, 100, INFINITY) == next / 2);
    assert_true(pprof_live_heap(p, 50, INFINITY) == next / 1.5);
    /* right after the forced GC the heap allocated is the live heap */
    assert_true(fabs(pprof_live_heap(p, 100, INFINITY) - alloc) < 0.35 * alloc);
    /* GOGC=off, no profile: no figure */
    assert_true(isnan(pprof_live_heap(p, -1, INFINITY)));
    /* GOGC=0: the goal is the marked heap itself */
    assert_true(pprof_live_heap(p, 0, INFINITY) == next);
    assert_true(isnan(pprof_live_heap(NULL, 100, INFINITY)));
    /* under a memory limit: the goal is GOGC's while well below what the
     * limit leaves the heap (the limit less Sys - HeapSys and HeapInuse -
     * HeapAlloc), maybe the limit's near it */
    double sys, hsys, inuse;
    assert_int_equal(pprof_memstat(p, "Sys", &sys), 0);
    assert_int_equal(pprof_memstat(p, "HeapSys", &hsys), 0);
    assert_int_equal(pprof_memstat(p, "HeapInuse", &inuse), 0);
    double kept = sys - hsys + inuse - alloc;
    assert_true(kept > 0);
    assert_true(pprof_live_heap(p, 100, kept + next / 0.8) == next / 2);
    assert_true(isnan(pprof_live_heap(p, 100, kept + next / 0.95)));
    assert_true(isnan(pprof_live_heap(p, 100, kept + next / 2)));
    assert_true(isnan(pprof_live_heap(p, 100, 0)));
    pprof_free(p);
    /* before the first GC the goal is Go's minimum, not a live heap */
    char *t0 = with_stat(t, n, "NumGC", "0", &m);
    p = pprof_parse_heap(t0, m, NULL);
    assert_non_null(p);
    assert_true(isnan(pprof_live_heap(p, 100, INFINITY)));
    pprof_free(p);
    free(t0);
    /* an absurd goal (GOGC=off under a memory limit of "none") */
    t0 = with_stat(t, n, "NextGC", "18446744073709551615", &m);
    p = pprof_parse_heap(t0, m, NULL);
    assert_non_null(p);
    assert_true(isnan(pprof_live_heap(p, 100, INFINITY)));
    pprof_free(p);
    free(t0);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heap_go119),
        cmocka_unit_test(test_heap_go12x),
        cmocka_unit_test(test_heap_every_prefix_rejected),
        cmocka_unit_test(test_live_heap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
