/*
 * tests/unit/pprof_check.h: helpers shared by test_pprof.c and
 * test_pprof_heap.c: reading the captured files and the capture program's
 * source, and an independent reading of a profile's frame lines.
 */
#ifndef LC_TEST_PPROF_CHECK_H
#define LC_TEST_PPROF_CHECK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/pprof.h"

#define G119 "tests/data/pprof/go1.19/"
#define G12X "tests/data/pprof/go1.2x/"
#define SRC "tests/data/capture/"

static inline char *load(const char *path, size_t *len)
{
    struct lc_error err = {0};
    char *t = lc_read_file(path, 64u << 20, len, &err);
    if (!t)
        fail_msg("%s", err.msg);
    return t;
}

/* Line number of the first line holding `needle` after the line holding
 * `anchor` in a source file of the capture program. */
static inline int src_line(const char *file, const char *anchor, const char *needle)
{
    size_t n;
    char *t = load(file, &n);
    int line = 1, seen = 0, found = 0;
    for (char *s = t; *s && !found; line++) {
        char *e = strchr(s, '\n');
        if (e)
            *e = '\0';
        if (!seen && strstr(s, anchor))
            seen = 1;
        else if (seen && strstr(s, needle))
            found = line;
        s = e ? e + 1 : s + strlen(s);
    }
    free(t);
    assert_true(found > 0);
    return found;
}

static inline int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

/* An independent reading of the text: every record's frame lines, in order,
 * against the parsed stacks (PC, function, file, line). */
static inline void check_against_text(const char *text, const struct pprof_profile *p)
{
    char *t = lc_strdup(text), *save = NULL;
    size_t rec = 0, fr = 0;
    const struct pprof_stack *st = NULL;
    for (char *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (l[0] >= '0' && l[0] <= '9' && strstr(l, " @")) {
            if (st)
                assert_int_equal(fr, st->nframes);
            assert_true(rec < p->nstacks);
            st = &p->stacks[rec++];
            fr = 0;
        } else if (st && l[0] == '#' && l[1] == '\t') {
            assert_true(fr < st->nframes);
            const struct pprof_frame *f = &st->frames[fr++];
            char *e;
            assert_true(strtoull(l + 2, &e, 16) == f->pc);
            e += strspn(e, "\t");
            if (*e) {
                assert_memory_equal(e, f->func, strlen(f->func));
                assert_memory_equal(e + strlen(f->func), "+0x", 3);
                char *colon = strrchr(e, ':');
                assert_int_equal(strtol(colon + 1, NULL, 10), f->line);
                assert_non_null(strstr(e, f->file));
            }
        }
    }
    if (st)
        assert_int_equal(fr, st->nframes);
    assert_int_equal(rec, p->nstacks);
    free(t);
}

#endif
