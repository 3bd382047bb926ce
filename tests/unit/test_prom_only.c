/* tests/unit/test_prom_only.c: the exposition parser's errors (where and
 * what, the same from prom_parse_only), random damage, and prom_parse_only
 * keeping exactly the samples of the names asked for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/lc.h"
#include "prom_fixture.h"

static void assert_same_error(const struct lc_error *a, const struct lc_error *b)
{
    assert_string_equal(a->msg, b->msg);
    assert_int_equal(a->line, b->line);
    assert_int_equal(a->col, b->col);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line, col;
        const char *words;
    } bad[] = {
        {"a{b=\"c} 1\n", 1, 5, "unterminated"},
        {"ok 1\na{b=\"\\x\"} 1\n", 2, 6, "invalid escape"},
        {"a{b=c} 1\n", 1, 5, "quoted label value"},
        {"a{b=\"c\" d=\"e\"} 1\n", 1, 9, "',' or '}'"},
        {"a{=\"x\"} 1\n", 1, 3, "label name"},
        {"a 1 2 3\n", 1, 7, "after the sample"},
        {"a\n", 1, 2, "expected sample value"},
        {"a{} \n", 1, 4, "expected sample value"},
        {"a 12abc\n", 1, 3, "bad sample value"},
        {"a 1 1.5\n", 1, 5, "whole number"},
        {"9a 1\n", 1, 1, "metric name"},
        {"a-b 1\n", 1, 2, "metric name"},
        {"# HELP a x\r\na 1 # {x=\"y\"} 1\r\n", 2, 5, "outside OpenMetrics"},
        {"# EOF\na 1\n# EOF\n", 2, 1, "after \"# EOF\""},
        {"a 1 # x\n# EOF\n", 1, 7, "'{'"},
        {"a 1 # {x=\"y\"}\n# EOF\n", 1, 14, "exemplar value"},
        {"a 1 NaN\n", 1, 5, "timestamp"},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(bad); i++) {
        struct lc_error err = {0};
        struct prom_set *s = prom_parse(bad[i].text, strlen(bad[i].text), &err);
        assert_null(s);
        if (!strstr(err.msg, bad[i].words) || err.line != bad[i].line || err.col != bad[i].col)
            fail_msg("%s -> %d:%d %s", bad[i].text, err.line, err.col, err.msg);
        /* the same when only another metric (or the bad one) is kept */
        const char *names[] = {"ok", "a"};
        for (size_t k = 0; k < 2; k++) {
            struct lc_error e2 = {0};
            assert_null(prom_parse_only(bad[i].text, strlen(bad[i].text), names + k, 1, &e2));
            assert_same_error(&e2, &err);
        }
    }
    struct lc_error err = {0};
    struct prom_set *s = prom_parse("", 0, &err);
    assert_non_null(s);
    assert_int_equal(s->nsamples, 0);
    prom_free(s);
}

/* prom_parse_only gives the same error as prom_parse, or the same samples
 * of the kept metrics. */
static void check_only_agrees(const char *d, size_t n)
{
    const char *names[] = {"lc_requests_total", "lc_request_duration_seconds_bucket"};
    struct lc_error e1 = {0}, e2 = {0};
    struct prom_set *full = prom_parse(d, n, &e1);
    struct prom_set *only = prom_parse_only(d, n, names, 2, &e2);
    assert_true(!full == !only);
    assert_same_error(&e1, &e2);
    for (size_t i = 0; full && i < 2; i++) {
        double a = -1, b = -1;
        assert_int_equal(prom_sum(full, names[i], NULL, 0, &a),
                         prom_sum(only, names[i], NULL, 0, &b));
        assert_true(same(a, b));
    }
    prom_free(full);
    prom_free(only);
}

/* Random damage: an error or data, never a crash (see valgrind). */
static void test_damaged_input(void **state)
{
    (void)state;
    size_t n;
    char *t = load(D "client-golang.openmetrics.txt", &n);
    char *d = lc_malloc(n);
    uint32_t x = 88172645u;
    for (int round = 0; round < 400; round++) {
        memcpy(d, t, n);
        for (int k = 0; k < 1 + round % 6; k++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            d[x % n] = "{}\"\\=, \t\n#\r9.eE+-"[(x >> 8) % 18];
        }
        check_only_agrees(d, n);
        check_only_agrees(d, x % n);
    }
    free(d);
    free(t);
}

/* Sample lines of metric `name` in a file, counted from its text. */
static size_t count_lines(const char *path, const char *name)
{
    size_t n, hits = 0;
    char *t = load(path, &n), *save = NULL;
    for (char *l = strtok_r(t, "\r\n", &save); l; l = strtok_r(NULL, "\r\n", &save)) {
        l += strspn(l, " \t");
        size_t nl = strcspn(l, "{ \t");
        hits += l[0] != '#' && nl == strlen(name) && strncmp(l, name, nl) == 0;
    }
    free(t);
    return hits;
}

static int in(const char *name, const char *const *names, size_t nn)
{
    for (size_t k = 0; k < nn; k++)
        if (strcmp(name, names[k]) == 0)
            return 1;
    return 0;
}

static void assert_same_sample(const struct prom_sample *a, const struct prom_sample *b)
{
    assert_string_equal(a->name, b->name);
    assert_true(same(a->value, b->value));
    assert_int_equal(a->has_timestamp, b->has_timestamp);
    assert_true(a->timestamp_ms == b->timestamp_ms);
    assert_int_equal(a->nlabels, b->nlabels);
    for (size_t k = 0; k < a->nlabels; k++) {
        assert_string_equal(a->labels[k].name, b->labels[k].name);
        assert_string_equal(a->labels[k].value, b->labels[k].value);
    }
}

/* One file parsed in full and with a few of its metrics kept: the kept
 * samples are exactly the full parse's samples of those names, in order. */
static void check_only(const char *path)
{
    struct prom_set *full = parse_file(path);
    const char *names[4] = {full->samples[full->nsamples / 2].name,
                            full->samples[full->nsamples - 1].name,
                            full->samples[full->nsamples / 3].name, "lc_not_in_any_capture"};
    size_t want = 0, k = 0;
    for (size_t i = 0; i < LC_ARRAY_LEN(names); i++)
        if (!in(names[i], names, i)) /* a name listed twice counts once */
            want += count_lines(path, names[i]);
    struct prom_set *only = parse_file_only(path, names, LC_ARRAY_LEN(names));
    assert_true(want > 0);
    assert_int_equal(only->nsamples, want);
    for (size_t i = 0; i < full->nsamples; i++) {
        if (!in(full->samples[i].name, names, LC_ARRAY_LEN(names)))
            continue;
        assert_true(k < only->nsamples);
        assert_same_sample(&full->samples[i], &only->samples[k++]);
    }
    assert_int_equal(k, only->nsamples);
    for (size_t i = 0; i < 3; i++) {
        double a = -1, b = -2;
        assert_int_equal(prom_sum(full, names[i], NULL, 0, &a),
                         prom_sum(only, names[i], NULL, 0, &b));
        assert_true(same(a, b));
    }
    /* an absent name and a present but unwanted one give no value */
    double v = -1;
    assert_int_equal(prom_sum(only, names[3], NULL, 0, &v), 0);
    const char *other = full->samples[0].name;
    if (!in(other, names, LC_ARRAY_LEN(names))) {
        assert_true(prom_sum(full, other, NULL, 0, &v) > 0);
        v = -1;
        assert_int_equal(prom_sum(only, other, NULL, 0, &v), 0);
    }
    assert_true(v == -1);
    prom_free(only);
    prom_free(full);
}

static void test_parse_only(void **state)
{
    (void)state;
    const char *files[] = {D "node-exporter.txt", D "prometheus.openmetrics.txt",
                           D "client-golang.txt", D "client-golang.openmetrics.txt",
                           D "edge-cases.txt",    D "edge-cases.openmetrics.txt"};
    for (size_t i = 0; i < LC_ARRAY_LEN(files); i++)
        check_only(files[i]);

    /* names are matched as written: a histogram's family name keeps none of
     * its _bucket, _sum and _count samples */
    const char *fam[] = {"lc_request_duration_seconds", "lc_request_duration_seconds_count"};
    struct prom_set *s = parse_file_only(D "client-golang.openmetrics.txt", fam, 2);
    assert_int_equal(s->nsamples, count_lines(D "client-golang.openmetrics.txt", fam[1]));
    assert_int_equal(s->nsamples, 1);
    assert_string_equal(s->samples[0].name, fam[1]);
    prom_free(s);

    /* no names: nothing kept, the text still checked */
    s = parse_file_only(D "node-exporter.txt", NULL, 0);
    assert_int_equal(s->nsamples, 0);
    prom_free(s);
}

/* A real capture with one line of an unwanted metric damaged: the same
 * error, at that line, whatever is kept. */
static void test_parse_only_errors(void **state)
{
    (void)state;
    size_t n, lineno = 1;
    char *t = load(D "node-exporter.txt", &n);
    const char *bad = "\nnode_network_receive_bytes_total{device=\"";
    char *at = strstr(t, bad);
    assert_non_null(at);
    for (char *c = t; c <= at; c++)
        lineno += *c == '\n';
    char *eq = strchr(at + 1, '=');
    *eq = '-';
    const char *wanted[] = {"node_cpu_seconds_total", "go_goroutines"};
    struct lc_error e1 = {0}, e2 = {0}, e3 = {0};
    assert_null(prom_parse_only(t, n, wanted, 2, &e1));
    assert_null(prom_parse_only(t, n, NULL, 0, &e2));
    assert_null(prom_parse(t, n, &e3));
    assert_int_equal(e1.line, (int)lineno);
    assert_int_equal(e1.col, (int)(eq - (at + 1)) + 1);
    assert_non_null(strstr(e1.msg, "'='"));
    assert_same_error(&e2, &e1);
    assert_same_error(&e3, &e1);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_damaged_input),
        cmocka_unit_test(test_parse_only),
        cmocka_unit_test(test_parse_only_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
