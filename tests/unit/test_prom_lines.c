/*
 * tests/unit/test_prom_lines.c: the /metrics parser takes what a line
 * shares with the sample line before it as checked, and shares the strings
 * it keeps between samples. A line must parse the same whatever came
 * before it: the same samples, or the same error at the same column.
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

#include "sources/prom.h"

static int same_value(double a, double b)
{
    return (isnan(a) && isnan(b)) || (a == b && signbit(a) == signbit(b));
}

static void same_sample(const struct prom_sample *a, const struct prom_sample *b, const char *t)
{
    int same = strcmp(a->name, b->name) == 0 && same_value(a->value, b->value) &&
               a->has_timestamp == b->has_timestamp && a->timestamp_ms == b->timestamp_ms &&
               a->nlabels == b->nlabels;
    for (size_t k = 0; same && k < a->nlabels; k++)
        same = strcmp(a->labels[k].name, b->labels[k].name) == 0 &&
               strcmp(a->labels[k].value, b->labels[k].value) == 0;
    if (!same)
        fail_msg("line \"%s\" gives another sample after another line", t);
}

/* How `line` parses alone and after `before`: the same. names: NULL for
 * prom_parse, else prom_parse_only with those. */
static void check_after(const char *before, const char *line, const char *const *names, size_t nn)
{
    struct lc_error e1 = {0}, e2 = {0};
    char *alone = lc_asprintf("%s\n", line), *after = lc_asprintf("%s\n%s\n", before, line);
    struct prom_set *s1 = names ? prom_parse_only(alone, strlen(alone), names, nn, &e1)
                                : prom_parse(alone, strlen(alone), &e1);
    struct prom_set *s2 = names ? prom_parse_only(after, strlen(after), names, nn, &e2)
                                : prom_parse(after, strlen(after), &e2);
    struct lc_error eb = {0};
    struct prom_set *sb = names ? prom_parse_only(before, strlen(before), names, nn, &eb)
                                : prom_parse(before, strlen(before), &eb);
    assert_non_null(sb); /* `before` is a good line */
    if (!s1 != !s2)
        fail_msg("\"%s\" %s alone but %s after \"%s\"", line, s1 ? "parses" : "fails",
                 s2 ? "parses" : "fails", before);
    if (!s1 && (strcmp(e1.msg, e2.msg) != 0 || e1.col != e2.col || e2.line != e1.line + 1))
        fail_msg("\"%s\": %d:%d %s alone, %d:%d %s after \"%s\"", line, e1.line, e1.col, e1.msg,
                 e2.line, e2.col, e2.msg, before);
    if (s1) {
        assert_int_equal(s2->nsamples, s1->nsamples + sb->nsamples);
        if (s1->nsamples)
            same_sample(&s1->samples[0], &s2->samples[s2->nsamples - 1], line);
    }
    prom_free(s1);
    prom_free(s2);
    prom_free(sb);
    free(alone);
    free(after);
}

/* Lines that share the start of a good line and then go their own way:
 * every prefix of it, every one-character change, a few additions. */
static void test_lines_after_similar_lines(void **state)
{
    (void)state;
    static const char *const good[] = {
        "a{x=\"1\",y=\"2\"} 1",
        "a{x=\"1\",y=\"2\",} 1",
        "a{x=\"1\"} 1 1700000000000",
        "a 1",
        "a{} 1",
        "  a { x = \"1\" , y=\"2\" }\t1  ",
        "a{x=\"\\\\\\\"\\n\",y=\"2\"} -Inf",
        "a_bucket{code=\"200\",handler=\"/api\",le=\"0.25\"} 3",
        "a:b{x=\"1\"} 1e3",
    };
    static const char edits[] = "\"\\,}{= x1\t#:.a";
    const char *only[] = {"a", "a_bucket"};
    for (size_t g = 0; g < sizeof(good) / sizeof(good[0]); g++) {
        const char *b = good[g];
        size_t n = strlen(b);
        char *line = lc_malloc(n + 8);
        for (size_t cut = 0; cut <= n; cut++) {
            memcpy(line, b, cut);
            line[cut] = '\0';
            check_after(b, line, NULL, 0);
            check_after(b, line, only, 2);
        }
        for (size_t at = 0; at < n; at++) {
            for (size_t e = 0; e < sizeof(edits) - 1; e++) {
                memcpy(line, b, n + 1);
                line[at] = edits[e];
                check_after(b, line, NULL, 0);
                check_after(b, line, only + 1, 1);
            }
        }
        for (size_t e = 0; e < sizeof(edits) - 1; e++) {
            snprintf(line, n + 8, "%s%c", b, edits[e]);
            check_after(b, line, NULL, 0);
        }
        free(line);
    }
}

/* A histogram's samples share the copies of their names, and of the label
 * values their lines repeat from the line before; what differs is copied. */
static void test_kept_strings_shared(void **state)
{
    (void)state;
    static const char *const le[] = {"0.005", "0.01", "0.1", "1", "10", "+Inf"};
    enum { SERIES = 2000 };
    struct lc_buf b = {0};
    lc_buf_puts(&b, "# TYPE req_seconds histogram\n");
    for (int i = 0; i < SERIES; i++) {
        for (size_t k = 0; k < 6; k++)
            lc_buf_printf(&b, "req_seconds_bucket{code=\"200\",path=\"/p%d\",le=\"%s\"} %d\n", i,
                          le[k], (int)k);
        lc_buf_printf(&b, "req_seconds_count{code=\"200\",path=\"/p%d\"} 5\n", i);
    }
    struct lc_error err = {0};
    struct prom_set *s = prom_parse(b.data, b.len, &err);
    assert_non_null(s);
    assert_int_equal(s->nsamples, SERIES * 7);
    for (size_t i = 1; i < s->nsamples; i++) {
        const struct prom_sample *p = &s->samples[i - 1], *c = &s->samples[i];
        char path[32];
        snprintf(path, sizeof(path), "/p%d", (int)(i / 7));
        assert_string_equal(c->labels[0].value, "200");
        assert_string_equal(c->labels[1].value, path);
        assert_ptr_equal(c->labels[0].name, p->labels[0].name);
        if (i % 7 < 6)
            assert_string_equal(c->labels[2].value, le[i % 7]);
        if (i % 7 >= 1 && i % 7 <= 5) { /* a bucket after a bucket of its series */
            assert_ptr_equal(c->name, p->name);
            assert_ptr_equal(c->labels[0].value, p->labels[0].value);
            assert_ptr_equal(c->labels[1].value, p->labels[1].value);
            assert_ptr_not_equal(c->labels[2].value, p->labels[2].value);
        }
    }
    prom_free(s);
    lc_buf_free(&b);
}

/* 100,000 copies of one line (a flood): parsed, each value its own. */
static void test_flood_of_one_line(void **state)
{
    (void)state;
    enum { N = 100000 };
    const char *line = "flood{x=\"y\"} 7\n";
    size_t n = strlen(line);
    char *t = lc_malloc(N * n);
    for (size_t i = 0; i < N; i++)
        memcpy(t + i * n, line, n);
    struct lc_error err = {0};
    struct prom_set *s = prom_parse(t, N * n, &err);
    assert_non_null(s);
    assert_int_equal(s->nsamples, N);
    assert_ptr_equal(s->samples[0].labels[0].value, s->samples[N - 1].labels[0].value);
    assert_true(s->samples[N - 1].value == 7);
    prom_free(s);
    /* the same with the last line cut short: an error at its end */
    s = prom_parse(t, N * n - 2, &err);
    assert_null(s);
    assert_int_equal(err.line, N);
    assert_non_null(strstr(err.msg, "expected sample value"));
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_after_similar_lines),
        cmocka_unit_test(test_kept_strings_shared),
        cmocka_unit_test(test_flood_of_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
