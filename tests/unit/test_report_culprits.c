/*
 * tests/unit/test_report_culprits.c: level culprits (what holds the most at
 * the end) next to growth culprits, and descriptors only the garbage
 * collector closed (kind finalizer), in words (reports/culprits.c: the
 * console and junit.xml), in report.json (the "basis", read back too) and
 * in report.html.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "common/lc.h"
#include "reports/culprits.h"
#include "reports/report.h"

#define GIB (1024.0 * 1024 * 1024)

static void add(struct report_test *t, enum report_basis basis, const char *kind, const char *fn,
                const char *loc, double before, double after, const char *detail)
{
    t->culprits = lc_realloc(t->culprits, (t->nculprits + 1) * sizeof(*t->culprits));
    t->culprits[t->nculprits++] = (struct report_culprit){
        .kind = lc_strdup(kind),
        .function = fn ? lc_strdup(fn) : NULL,
        .location = lc_strdup(loc),
        .before = before,
        .after = after,
        .growth = after - before,
        .detail = lc_strdup(detail),
        .basis = basis,
    };
}

static char *headline(const struct report_culprit *c)
{
    struct lc_buf b = {0};
    report_culprit_headline(&b, c);
    return b.data;
}

static void headline_is(const struct report_culprit *c, const char *want)
{
    char *got = headline(c);
    assert_string_equal(got, want);
    free(got);
}

static struct report_run *level_run(void)
{
    struct report_run *r = lc_calloc(1, sizeof(*r));
    r->suite = lc_strdup("level");
    r->verdict = REPORT_FAIL;
    struct report_test *t = report_add_test(r);
    t->name = lc_strdup("big");
    t->verdict = REPORT_FAIL;
    add(t, REPORT_BASIS_LEVEL, "heap", "main.newQueue", "/src/main.go:44", GIB, GIB,
        "1 in-use object (1 at baseline)");
    add(t, REPORT_BASIS_LEVEL, "goroutine", "main.worker", "/src/main.go:60", NAN, 6000,
        "chan receive");
    add(t, REPORT_BASIS_LEVEL, "fd", NULL, "/tmp/journal", 300, 300,
        "300 files in /tmp/journal (300 at baseline), e.g. segment-0000.log");
    return r;
}

static void test_words(void **state)
{
    (void)state;
    struct report_run *r = level_run();
    struct report_test *t = &r->tests[0];
    headline_is(&t->culprits[0], "holds 1.0 GiB of heap (1.0 GiB at baseline) allocated in "
                                 "main.newQueue at /src/main.go:44");
    /* a baseline figure not known is not made up */
    headline_is(&t->culprits[1], "holds 6000 goroutines in main.worker at /src/main.go:60");
    headline_is(&t->culprits[2], "holds 300 fds: 300 files in /tmp/journal (300 at baseline), "
                                 "e.g. segment-0000.log");
    assert_string_equal(report_culprits_title(t), "what holds the most at the end");
    struct lc_buf b = {0};
    report_culprits_block(&b, t, "  ");
    assert_non_null(strstr(b.data, "  culprits (what holds the most at the end):\n"
                                   "    holds 1.0 GiB of heap"));
    lc_buf_free(&b);
    /* with a growth culprit too, the heading says both */
    add(t, REPORT_BASIS_GROWTH, "goroutine", "main.leak", "/src/main.go:9", 3, 2003, "chan send");
    headline_is(&t->culprits[3], "+2000 goroutines (3 -> 2003) in main.leak at /src/main.go:9");
    assert_string_equal(report_culprits_title(t), "what holds the most at the end, and what grew "
                                                  "from the end of the baseline to the end");
    t->nculprits = 0;
    assert_string_equal(report_culprits_title(t),
                        "what grew from the end of the baseline to the end");
    t->nculprits = 4;
    report_run_free(r);
}

/* Descriptors only the garbage collector closed read as their sentence,
 * and the heading names them after the other kinds. */
static void test_finalizer(void **state)
{
    (void)state;
    struct report_test t = {.name = "dropped"};
    add(&t, REPORT_BASIS_GROWTH, "finalizer", NULL, "/tmp/spool", 383, 3,
        "380 files in /tmp/spool were closed only by the garbage collector (at the end of the "
        "test): dropped without Close, e.g. f-1.log");
    t.culprits[0].growth = 380;
    struct lc_buf b = {0};
    report_culprits_block(&b, &t, "");
    assert_string_equal(b.data, "culprits (what only the garbage collector closed):\n"
                                "  380 files in /tmp/spool were closed only by the garbage "
                                "collector (at the end of the test): dropped without Close, e.g. "
                                "f-1.log\n");
    lc_buf_free(&b);
    free(t.culprits[0].detail);
    t.culprits[0].detail = NULL;
    headline_is(&t.culprits[0], "380 descriptors (/tmp/spool) were closed only by the garbage "
                                "collector");
    add(&t, REPORT_BASIS_GROWTH, "fd", NULL, "/tmp/spool", 50, 383, "383 files in /tmp/spool");
    assert_string_equal(report_culprits_title(&t), "what grew from the end of the baseline to "
                                                   "the end, and what only the garbage collector "
                                                   "closed");
    add(&t, REPORT_BASIS_LEVEL, "fd", NULL, "/tmp/spool", 50, 383, "383 files in /tmp/spool");
    assert_string_equal(report_culprits_title(&t),
                        "what holds the most at the end, what grew from the end of the baseline "
                        "to the end, and what only the garbage collector closed");
    t.culprits[1].basis = REPORT_BASIS_LEVEL;
    assert_string_equal(report_culprits_title(&t), "what holds the most at the end, and what "
                                                   "only the garbage collector closed");
    for (size_t i = 0; i < t.nculprits; i++) {
        free(t.culprits[i].kind);
        free(t.culprits[i].location);
        free(t.culprits[i].detail);
    }
    free(t.culprits);
}

static void test_json_and_html(void **state)
{
    (void)state;
    struct lc_error err = {0};
    char dir[] = "/tmp/lc_level_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *json = lc_asprintf("%s/report.json", dir), *html = lc_asprintf("%s/report.html", dir);
    struct report_run *r = level_run();
    add(&r->tests[0], REPORT_BASIS_GROWTH, "goroutine", "main.leak", "/src/main.go:9", 3, 2003,
        "chan send");
    assert_int_equal(report_json_write(r, json, &err), 0);
    json_error_t jerr;
    json_t *doc = json_load_file(json, 0, &jerr), *cs;
    assert_non_null(doc);
    cs = json_object_get(json_array_get(json_object_get(doc, "tests"), 0), "culprits");
    assert_string_equal(json_string_value(json_object_get(json_array_get(cs, 0), "basis")),
                        "level");
    assert_string_equal(json_string_value(json_object_get(json_array_get(cs, 3), "basis")),
                        "growth");
    assert_true(json_is_null(json_object_get(json_array_get(cs, 1), "before")));
    json_decref(doc);
    struct report_run *back = report_json_read(json, &err);
    assert_non_null(back);
    assert_int_equal(back->tests[0].nculprits, 4);
    assert_int_equal(back->tests[0].culprits[0].basis, REPORT_BASIS_LEVEL);
    assert_true(isnan(back->tests[0].culprits[1].before));
    assert_int_equal(back->tests[0].culprits[3].basis, REPORT_BASIS_GROWTH);
    report_run_free(back);
    assert_int_equal(report_html_write(r, html, &err), 0);
    char *text = lc_read_file(html, 4 << 20, NULL, &err);
    assert_non_null(strstr(text, "<h3>What holds the most at the end, and what grew"));
    const char *row = strstr(text, "main.newQueue");
    assert_non_null(row);
    /* the badge is in the level rows only: three of them */
    size_t badges = 0;
    for (const char *p = text; (p = strstr(p, "class=\"holds\"")) != NULL; p++)
        badges++;
    assert_int_equal(badges, 3);
    free(text);
    report_run_free(r);
    unlink(json);
    unlink(html);
    rmdir(dir);
    free(json);
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_json_and_html),
        cmocka_unit_test(test_finalizer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
