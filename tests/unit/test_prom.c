/*
 * tests/unit/test_prom.c: expositions captured from Debian's node exporter
 * and prometheus and from a client_golang registry with OpenMetrics on
 * (tests/data/prom/), plus the hand-written edge-cases files: every sample
 * as read, sums over matchers, both formats agreeing, CRLF.
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

#include "common/lc.h"
#include "prom_fixture.h"

/* An independent reading of every sample line: its name, its value and
 * timestamp (the tokens after the label set), in order. */
static void check_against_text(const char *path, const struct prom_set *s)
{
    size_t n, k = 0;
    char *t = load(path, &n), *save = NULL;
    for (char *l = strtok_r(t, "\r\n", &save); l; l = strtok_r(NULL, "\r\n", &save)) {
        if (l[0] == '#' || l[0] == '\0')
            continue;
        l += strspn(l, " \t");
        char *ex = strstr(l, " # {");
        if (ex)
            *ex = '\0';
        if (*l == '\0')
            continue;
        size_t nl = strcspn(l, "{ \t");
        char *rest = l[nl + strspn(l + nl, " \t")] == '{' ? strrchr(l, '}') + 1 : l + nl;
        double v;
        long long ts;
        int got = sscanf(rest, "%lf %lld", &v, &ts);
        assert_true(got >= 1);
        assert_true(k < s->nsamples);
        const struct prom_sample *smp = &s->samples[k++];
        assert_int_equal(strlen(smp->name), nl);
        assert_memory_equal(smp->name, l, nl);
        if (!same(v, smp->value))
            fail_msg("%s: %s: %g != %g", path, smp->name, v, smp->value);
        assert_int_equal(smp->has_timestamp, got == 2);
    }
    assert_int_equal(k, s->nsamples);
    free(t);
}

/* prom_sum against a sum computed here from the lines of the file. */
static void check_sum(const char *path, const char *name, const char *lbl, const char *val)
{
    size_t n, hits = 0;
    char *t = load(path, &n), *save = NULL;
    char prefix[256], pair[256];
    double want = 0, got = -1;
    snprintf(prefix, sizeof(prefix), "%s{", name);
    snprintf(pair, sizeof(pair), "%s=\"%s\"", lbl, val);
    for (char *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (strncmp(l, prefix, strlen(prefix)) != 0 || !strstr(l, pair))
            continue;
        char *ex = strstr(l, " # {"); /* an exemplar is not the value */
        if (ex)
            *ex = '\0';
        want += strtod(strrchr(l, '}') + 1, NULL);
        hits++;
    }
    free(t);
    assert_true(hits > 0);
    struct prom_set *s = parse_file(path);
    struct prom_matcher m = {lbl, val};
    assert_int_equal(prom_sum(s, name, &m, 1, &got), hits);
    if (fabs(got - want) > 1e-9 * fabs(want))
        fail_msg("%s %s=%s: %.17g != %.17g", path, name, lbl, got, want);
    prom_free(s);
    /* the same with only this metric kept */
    s = parse_file_only(path, &name, 1);
    got = -1;
    assert_int_equal(prom_sum(s, name, &m, 1, &got), hits);
    if (fabs(got - want) > 1e-9 * fabs(want))
        fail_msg("%s %s=%s only: %.17g != %.17g", path, name, lbl, got, want);
    prom_free(s);
}

static void test_captured_files(void **state)
{
    (void)state;
    const char *files[] = {D "node-exporter.txt", D "node-exporter.openmetrics.txt",
                           D "prometheus.txt",    D "prometheus.openmetrics.txt",
                           D "client-golang.txt", D "client-golang.openmetrics.txt",
                           D "edge-cases.txt",    D "edge-cases.openmetrics.txt"};
    for (size_t i = 0; i < LC_ARRAY_LEN(files); i++) {
        struct prom_set *s = parse_file(files[i]);
        assert_true(s->nsamples > 5);
        check_against_text(files[i], s);
        prom_free(s);
    }
}

static void test_sums_over_matchers(void **state)
{
    (void)state;
    check_sum(D "node-exporter.txt", "node_cpu_seconds_total", "mode", "idle");
    check_sum(D "node-exporter.txt", "node_cpu_seconds_total", "cpu", "0");
    check_sum(D "prometheus.txt", "prometheus_http_requests_total", "code", "200");
    check_sum(D "client-golang.openmetrics.txt", "lc_requests_total", "method", "GET");

    struct prom_set *s = parse_file(D "client-golang.openmetrics.txt");
    struct prom_matcher get200[] = {{"method", "GET"}, {"code", "200"}};
    double v = -1;
    assert_int_equal(prom_sum(s, "lc_requests_total", get200, 2, &v), 1);
    assert_true(v == 42);
    assert_int_equal(prom_sum(s, "lc_requests_total", get200, 1, &v), 2);
    assert_true(v == 42.5);
    assert_int_equal(prom_sum(s, "lc_requests_total", NULL, 0, &v), 3);
    assert_true(v == 45.5);
    struct prom_matcher put = {"method", "PUT"};
    v = -1;
    assert_int_equal(prom_sum(s, "lc_requests_total", &put, 1, &v), 0);
    assert_true(v == -1); /* untouched */
    assert_int_equal(prom_sum(s, "lc_requests", NULL, 0, &v), 0);
    struct prom_matcher le = {"le", "0.05"};
    assert_int_equal(prom_sum(s, "lc_request_duration_seconds_bucket", &le, 1, &v), 1);
    assert_true(v == 4); /* its exemplar is not a sample */
    struct prom_matcher nan = {"kind", "nan"};
    assert_int_equal(prom_sum(s, "lc_odd_values", &nan, 1, &v), 1);
    assert_true(isnan(v));
    prom_free(s);
}

static const struct prom_sample *find(const struct prom_set *s, const char *name, const char *lbl,
                                      const char *val)
{
    for (size_t i = 0; i < s->nsamples; i++) {
        if (strcmp(s->samples[i].name, name) != 0)
            continue;
        if (!lbl)
            return &s->samples[i];
        for (size_t k = 0; k < s->samples[i].nlabels; k++)
            if (strcmp(s->samples[i].labels[k].name, lbl) == 0 &&
                strcmp(s->samples[i].labels[k].value, val) == 0)
                return &s->samples[i];
    }
    fail_msg("no sample %s{%s=\"%s\"}", name, lbl ? lbl : "", val ? val : "");
    return NULL;
}

/* The same registry in both formats: escapes, odd values, timestamps
 * (milliseconds in text 0.0.4, seconds in OpenMetrics). */
static void test_text_and_openmetrics_agree(void **state)
{
    (void)state;
    struct prom_set *set[2] = {parse_file(D "client-golang.txt"),
                               parse_file(D "client-golang.openmetrics.txt")};
    for (int i = 0; i < 2; i++) {
        const struct prom_set *s = set[i];
        assert_true(isinf(find(s, "lc_odd_values", "path", "line1\nline2")->value));
        assert_true(find(s, "lc_odd_values", "path", "say \"hi\"")->value == -INFINITY);
        assert_true(isnan(find(s, "lc_odd_values", "path", "C:\\dir")->value));
        assert_true(find(s, "lc_odd_values", "kind", "tiny")->value == 1.5e-300);
        const struct prom_sample *st = find(s, "lc_stamped", NULL, NULL);
        assert_true(st->has_timestamp);
        assert_int_equal(st->timestamp_ms, 1704164645678LL);
        assert_true(st->value == 7);
        assert_false(find(s, "lc_payload_bytes_count", NULL, NULL)->has_timestamp);
    }
    for (size_t i = 0; i < set[0]->nsamples; i++) {
        const struct prom_sample *a = &set[0]->samples[i];
        const char *l = a->nlabels ? a->labels[0].name : NULL;
        /* go_* moved between the two scrapes; OpenMetrics writes le and
         * quantile values as floats ("5.0") */
        if (strncmp(a->name, "lc_", 3) != 0 || (l && (!strcmp(l, "le") || !strcmp(l, "quantile"))))
            continue;
        const char *v = a->nlabels ? a->labels[0].value : NULL;
        const struct prom_sample *b = find(set[1], a->name, l, v);
        assert_true(same(a->value, b->value));
    }
    prom_free(set[0]);
    prom_free(set[1]);
}

static void test_edge_cases(void **state)
{
    (void)state;
    struct prom_set *s = parse_file(D "edge-cases.txt");
    const struct prom_sample *e = find(s, "lc_edge_total", "path", "/a\\b");
    assert_int_equal(e->nlabels, 3);
    assert_string_equal(e->labels[1].value, "say \"hi\"");
    assert_string_equal(e->labels[2].value, "x\ny");
    assert_true(find(s, "lc_edge_total", "path", "/c")->value == 2);
    e = find(s, "lc_edge_total", "path", "/d");
    assert_true(e->value == 3 && e->has_timestamp && e->timestamp_ms == 1700000000123LL);
    assert_true(find(s, "lc_edge_total", "path", "/e")->value == 4);
    assert_true(isnan(find(s, "lc_edge_nan", NULL, NULL)->value));
    assert_true(find(s, "lc_edge_inf", "sign", "+")->value == INFINITY);
    assert_true(find(s, "lc_edge_inf", "sign", "-")->value == -INFINITY);
    assert_true(find(s, "lc_edge_exp", NULL, NULL)->value == 1.5e-3);
    e = find(s, "lc_edge_exp", "big", "1");
    assert_true(e->value == -2e10 && e->timestamp_ms == -1700000000000LL);
    assert_int_equal(find(s, "lc_edge_empty", NULL, NULL)->nlabels, 0);
    assert_string_equal(find(s, "lc_edge_empty_value", NULL, NULL)->labels[0].value, "");
    assert_string_equal(find(s, "lc_edge_unicode", NULL, NULL)->labels[0].value,
                        "h\xc3\xa9llo \xe2\x9c\x93");
    assert_true(find(s, "lc:edge:colons", NULL, NULL)->value == 11);
    assert_true(find(s, "lc_edge_last", NULL, NULL)->value == 10);
    double v;
    assert_int_equal(prom_sum(s, "lc_edge_total", NULL, 0, &v), 4);
    assert_true(v == 10);
    prom_free(s);

    s = parse_file(D "edge-cases.openmetrics.txt");
    e = find(s, "lc_om_requests_total", "code", "200");
    assert_true(e->value == 5 && e->timestamp_ms == 1700000000500LL);
    assert_true(find(s, "lc_om_requests_created", NULL, NULL)->value == 1.7e9);
    assert_true(find(s, "lc_om_latency_bucket", "le", "0.1")->value == 3);
    assert_true(find(s, "lc_om_build_info", "version", "1.2.3")->value == 1);
    assert_int_equal(s->nsamples, 7);
    prom_free(s);
}

/* CRLF throughout gives the same samples as LF. */
static void test_crlf(void **state)
{
    (void)state;
    size_t n;
    char *t = load(D "node-exporter.txt", &n);
    struct lc_buf b = {0};
    for (size_t i = 0; i < n; i++)
        lc_buf_append(&b, t[i] == '\n' ? "\r\n" : &t[i], t[i] == '\n' ? 2 : 1);
    struct lc_error err = {0};
    struct prom_set *a = prom_parse(t, n, &err), *c = prom_parse(b.data, b.len, &err);
    assert_non_null(a);
    assert_non_null(c);
    assert_int_equal(a->nsamples, c->nsamples);
    for (size_t i = 0; i < a->nsamples; i++) {
        assert_string_equal(a->samples[i].name, c->samples[i].name);
        assert_true(same(a->samples[i].value, c->samples[i].value));
    }
    prom_free(a);
    prom_free(c);
    lc_buf_free(&b);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captured_files),
        cmocka_unit_test(test_sums_over_matchers),
        cmocka_unit_test(test_text_and_openmetrics_agree),
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_crlf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
