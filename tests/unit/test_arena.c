/* tests/unit/test_arena.c: common/arena.h -- the arena, the byte hash and
 * the string set that the large-text parsers keep their results in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/lc.h"

/* Allocations of every size, small and larger than a chunk: aligned, and
 * none overlaps another (each keeps the bytes written into it). */
static void test_arena_allocations(void **state)
{
    (void)state;
    enum { N = 3000 };
    struct lc_arena *a = lc_arena_new();
    unsigned char *p[N];
    size_t size[N];
    assert_int_equal(lc_arena_size(a), 0);
    for (size_t i = 0; i < N; i++) {
        size[i] = i % 7 == 0 ? (i * 131) % 300000 : i % 97;
        p[i] = lc_arena_alloc(a, size[i]);
        assert_int_equal((uintptr_t)p[i] % alignof(max_align_t), 0);
        memset(p[i], (int)(i & 0xff), size[i]);
    }
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < size[i]; k++)
            if (p[i][k] != (unsigned char)(i & 0xff))
                fail_msg("allocation %zu (%zu bytes) overwritten at %zu", i, size[i], k);
    char *s = lc_arena_strndup(a, "abc\0def", 7);
    assert_memory_equal(s, "abc\0def", 8);
    assert_true(lc_arena_size(a) > 0);
    lc_arena_free(a);
    lc_arena_free(NULL);
}

/* Equal strings are one copy, stored once; strings differing after a NUL
 * byte, or in length only, are not equal. */
static void test_strset(void **state)
{
    (void)state;
    struct lc_arena *a = lc_arena_new();
    struct lc_strset *t = lc_strset_new(a);
    const char *x = lc_strset_get(t, "main.work", 9);
    char buf[] = "main.work";
    assert_ptr_equal(lc_strset_get(t, buf, 9), x);
    assert_string_equal(x, "main.work");
    assert_ptr_not_equal(lc_strset_get(t, "main.wor", 8), x);
    const char *n1 = lc_strset_get(t, "a\0b", 3), *n2 = lc_strset_get(t, "a\0c", 3);
    assert_ptr_not_equal(n1, n2);
    assert_ptr_equal(lc_strset_get(t, "a\0b", 3), n1);
    assert_ptr_not_equal(lc_strset_get(t, "a", 1), n1);
    const char *empty = lc_strset_get(t, "", 0);
    assert_string_equal(empty, "");
    assert_ptr_equal(lc_strset_get(t, "x", 0), empty);
    /* a flood of distinct strings: every one found again, at its address */
    enum { N = 50000 };
    const char **got = lc_calloc(N, sizeof(*got));
    for (int i = 0; i < N; i++) {
        snprintf(buf, sizeof(buf), "f%d", i);
        got[i] = lc_strset_get(t, buf, strlen(buf));
    }
    for (int i = 0; i < N; i++) {
        snprintf(buf, sizeof(buf), "f%d", i);
        assert_ptr_equal(lc_strset_get(t, buf, strlen(buf)), got[i]);
        assert_string_equal(got[i], buf);
    }
    assert_ptr_equal(lc_strset_get(t, "main.work", 9), x);
    free(got);
    lc_strset_free(t);
    lc_strset_free(NULL);
    lc_arena_free(a);
}

static int same_int(size_t entry, void *arg)
{
    const int *v = arg; /* v[0]: the value looked for, then the entries */
    return v[1 + entry] == v[0];
}

/* An index whose hashes all collide, or half of them: every entry found by
 * its own value, never another's; absent values are absent. */
static void test_hindex(void **state)
{
    (void)state;
    enum { N = 3000 };
    int *v = lc_calloc(N + 1, sizeof(*v));
    struct lc_hindex x = {0};
    assert_int_equal(lc_hindex_find(&x, 7, same_int, v), -1);
    for (int i = 0; i < N; i++) {
        v[1 + i] = i * 3;
        v[0] = i * 3;
        assert_int_equal(lc_hindex_find(&x, (uint64_t)(i % 2 ? 42 : i), same_int, v), -1);
        lc_hindex_add(&x, (uint64_t)(i % 2 ? 42 : i), (size_t)i);
    }
    for (int i = 0; i < N; i++) {
        v[0] = i * 3;
        assert_int_equal(lc_hindex_find(&x, (uint64_t)(i % 2 ? 42 : i), same_int, v), i);
        v[0] = i * 3 + 1;
        assert_int_equal(lc_hindex_find(&x, (uint64_t)(i % 2 ? 42 : i), same_int, v), -1);
    }
    assert_true(x.nslots >= 2 * N);
    lc_hindex_free(&x);
    assert_null(x.slots);
    free(v);
}

/* The hash depends on every byte, on the length and on the seed. */
static void test_hash(void **state)
{
    (void)state;
    char a[40], b[40];
    for (size_t i = 0; i < sizeof(a); i++)
        a[i] = b[i] = (char)('a' + i % 26);
    uint64_t h = lc_hash(a, sizeof(a), 0);
    assert_true(h == lc_hash(b, sizeof(b), 0));
    for (size_t i = 0; i < sizeof(a); i++) {
        b[i] ^= 1;
        assert_true(lc_hash(b, sizeof(b), 0) != h);
        b[i] ^= 1;
    }
    assert_true(lc_hash(a, sizeof(a) - 1, 0) != h);
    assert_true(lc_hash(a, sizeof(a), 1) != h);
    assert_true(lc_hash("", 0, 0) != lc_hash("\0", 1, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_allocations),
        cmocka_unit_test(test_strset),
        cmocka_unit_test(test_hindex),
        cmocka_unit_test(test_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
