/*
 * tests/unit/test_expr.c: the assertion language, driven by the tables in
 * tests/data/expr/ (see the README there) against a fixed set of metric
 * series defined below.
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

#include "assertions/expr.h"
#include "common/lc.h"
#include "table.h"

#define DATA "tests/data/expr/"
#define MB 1048576.0

/* The fake run every table is evaluated against, keyed by canonical text.
 * growth is final - baseline, as the framework defines it. */
static const struct series {
    const char *text;
    double final, baseline, min, max, avg, slope;
} env[] = {
    {"goroutines", 2003, 3, 3, 2010, 1000, 50},
    {"threads", 5, 3, 3, 9, 6, 0},
    {"fds", 300, 250, 240, 310, 280, 0.5},
    {"heap_inuse", 20 * MB, 4 * MB, 4 * MB, 24 * MB, 12 * MB, 0.25 * MB},
    {"rss", 100 * MB, 50 * MB, 50 * MB, 120 * MB, 80 * MB, 2 * MB},
    {"tcp_close_wait", 0, 0, 0, 2, 0.5, 0},
    {"error_rate", 0.032, 0.001, 0, 0.05, 0.01, 0},
    {"p99", 0.312, 0.1, 0.05, 0.5, 0.2, 0.001},
    {"latency_sum", 90, 30, 0, 90, 45, 0},
    {"ratio", 3.3, 3, 3, 3.3, 3.1, 0},
    {"temp", -10, -20, -30, 0, -15, 0},
    {"zero", 0, 0, 0, 0, 0, 0},
    {"nanmetric", NAN, 1, 1, 1, 1, 0},
    {"max", 7, 7, 7, 7, 7, 0},
    {"ns:sub_metric", 42, 40, 40, 42, 41, 0},
    {"http_requests_in_flight{handler=\"/api\"}", 0, 1, 0, 12, 3, 0},
    {"http_requests_in_flight{handler=\"/a\\\"b\\\\c\\nd\"}", 7, 1, 0, 7, 3, 0},
    {"up{job=\"api\",instance=\"127.0.0.1:8080\"}", 1, 1, 1, 1, 1, 0},
};

static const struct series *find_series(const char *text)
{
    for (size_t i = 0; i < LC_ARRAY_LEN(env); i++)
        if (strcmp(env[i].text, text) == 0)
            return &env[i];
    return NULL;
}

static int value_cb(const struct expr_metric *m, enum expr_reduce r, double *out,
                    struct lc_error *err, void *arg)
{
    (void)arg;
    if (strcmp(m->name, "silent") == 0)
        return -1; /* fails without a message */
    const struct series *s = find_series(m->text);
    if (!s) {
        lc_error_set(err, "no samples");
        return -1;
    }
    switch (r) {
    case EXPR_FINAL:
        *out = s->final;
        break;
    case EXPR_BASELINE:
        *out = s->baseline;
        break;
    case EXPR_MIN:
        *out = s->min;
        break;
    case EXPR_MAX:
        *out = s->max;
        break;
    case EXPR_AVG:
        *out = s->avg;
        break;
    case EXPR_GROWTH:
        *out = s->final - s->baseline;
        break;
    case EXPR_SLOPE:
        *out = s->slope;
        break;
    case EXPR_TREND: /* read as a series (test_expr_trend.c) */
        return -1;
    }
    return 0;
}

static int known_cb(const struct expr_metric *m, char *hint, size_t hintlen, void *arg)
{
    (void)arg;
    if (find_series(m->text))
        return 1;
    if (strcmp(m->name, "gorutines") == 0)
        snprintf(hint, hintlen, "did you mean goroutines?");
    return 0;
}

static int close_to(double a, double b)
{
    return a == b || fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

/* expression, pass|fail, observed, expected[, exact message] */
static int valid_case(char **f, int n, void *arg)
{
    (void)arg;
    struct lc_error err = {0};
    struct expr_result res;
    struct expr *e = table_expr(f[0]);
    int bad = 0;
    if (!e)
        return 1;
    if (expr_eval(e, value_cb, NULL, &res, &err) != 0) {
        print_error("eval failed: %s\n", err.msg);
        bad = 1;
    } else {
        int want = strcmp(f[1], "pass") == 0;
        if (want != res.passed || !close_to(res.observed, strtod(f[2], NULL)) ||
            !close_to(res.expected, strtod(f[3], NULL)) ||
            (n > 4 && strcmp(res.message, f[4]) != 0)) {
            print_error("got %s observed %.17g expected %.17g message '%s'\n",
                        res.passed ? "pass" : "fail", res.observed, res.expected, res.message);
            bad = 1;
        }
    }
    expr_free(e);
    return bad;
}

static void test_valid(void **state)
{
    (void)state;
    assert_int_equal(table_each(DATA "valid.txt", 4, valid_case, NULL), 0);
}

static int check_error(const struct lc_error *err, char **f)
{
    if (err->line != 1 || err->col != table_int(f[1]) || !strstr(err->msg, f[2])) {
        print_error("got line %d col %d: '%s'\n", err->line, err->col, err->msg);
        return 1;
    }
    return 0;
}

/* expression, column, substring of the message */
static int error_case(char **f, int n, void *arg)
{
    (void)n;
    (void)arg;
    struct lc_error err = {0};
    struct expr *e = expr_parse(f[0], &err);
    if (e) {
        print_error("parsed, but should not have\n");
        expr_free(e);
        return 1;
    }
    return check_error(&err, f);
}

static void test_parse_errors(void **state)
{
    (void)state;
    assert_int_equal(table_each(DATA "errors.txt", 3, error_case, NULL), 0);
}

/* expression, column, substring: parses, but evaluation is an error */
static int eval_error_case(char **f, int n, void *arg)
{
    (void)n;
    (void)arg;
    struct lc_error err = {0};
    struct expr_result res;
    struct expr *e = table_expr(f[0]);
    if (!e)
        return 1;
    int bad = 0;
    if (expr_eval(e, value_cb, NULL, &res, &err) != -1) {
        print_error("evaluated (%s), but should not have\n", res.message);
        bad = 1;
    } else {
        bad = check_error(&err, f);
    }
    expr_free(e);
    return bad;
}

static void test_eval_errors(void **state)
{
    (void)state;
    assert_int_equal(table_each(DATA "eval_errors.txt", 3, eval_error_case, NULL), 0);
}

static void visit_cb(const struct expr_metric *m, enum expr_reduce r, void *arg)
{
    static const char *const names[] = {"final", "baseline", "min",  "max",
                                        "avg",   "growth",   "slope"};
    struct lc_buf *b = arg;
    lc_buf_printf(b, "%s%s %s", b->len ? " | " : "", names[r], m->text);
    for (size_t i = 0; i < m->nlabels; i++)
        lc_buf_printf(b, " [%s=%s]", m->labels[i].name, m->labels[i].value);
}

/* expression, the visits as "reduce text [label=value]" joined by " | " */
static int visit_case(char **f, int n, void *arg)
{
    (void)n;
    (void)arg;
    struct lc_buf b = {0};
    struct expr *e = table_expr(f[0]);
    if (!e)
        return 1;
    lc_buf_puts(&b, "");
    expr_visit(e, visit_cb, &b);
    /* the data file writes a newline in a decoded label value as <NL> */
    struct lc_buf want = {0};
    lc_buf_puts(&want, "");
    for (const char *p = f[1]; *p; p++) {
        if (strncmp(p, "<NL>", 4) == 0) {
            lc_buf_puts(&want, "\n");
            p += 3;
        } else {
            lc_buf_append(&want, p, 1);
        }
    }
    int bad = strcmp(b.data, want.data) != 0;
    if (bad)
        print_error("visited '%s'\n", b.data);
    lc_buf_free(&want);
    lc_buf_free(&b);
    expr_free(e);
    return bad;
}

static void test_visit(void **state)
{
    (void)state;
    assert_int_equal(table_each(DATA "visit.txt", 2, visit_case, NULL), 0);
}

/* expression, column (0: all known), substring of the message */
static int check_case(char **f, int n, void *arg)
{
    (void)arg;
    struct lc_error err = {0};
    struct expr *e = table_expr(f[0]);
    if (!e)
        return 1;
    int rc = expr_check(e, known_cb, NULL, &err);
    int bad = 0;
    if (table_int(f[1]) == 0)
        bad = rc != 0;
    else
        bad = rc != -1 || n < 3 || check_error(&err, f);
    if (bad)
        print_error("check returned %d: '%s'\n", rc, err.msg);
    expr_free(e);
    return bad;
}

static void test_check(void **state)
{
    (void)state;
    assert_int_equal(table_each(DATA "check.txt", 2, check_case, NULL), 0);
}

static void caret_is(const char *text, int col, const char *want)
{
    struct lc_buf b = {0};
    expr_caret(text, col, &b);
    assert_string_equal(b.data, want);
    lc_buf_free(&b);
}

static void test_caret(void **state)
{
    (void)state;
    caret_is("fds <= )", 8, "fds <= )\n       ^");
    caret_is("fds", 1, "fds\n^");
    caret_is("fds <", 6, "fds <\n     ^");    /* end of input */
    caret_is("fds <", 99, "fds <\n     ^");   /* clamped */
    caret_is("fds <", 0, "fds <\n^");         /* clamped */
    caret_is("a\t< )", 5, "a\t< )\n \t  ^");  /* tabs kept */
    caret_is("a <\n )", 6, "a <  )\n     ^"); /* one line */
    caret_is("", 1, "\n^");
    caret_is(NULL, 3, "\n^");
    /* an error's column lands under the offending token */
    struct lc_error err = {0};
    assert_null(expr_parse("max(fds) <= (3 + )", &err));
    struct lc_buf b = {0};
    lc_buf_puts(&b, "> ");
    expr_caret("max(fds) <= (3 + )", err.col, &b);
    assert_string_equal(b.data, "> max(fds) <= (3 + )\n                 ^");
    lc_buf_free(&b);
}

/* Builds `prefix` n times, `core`, `suffix` n times. */
static char *nest(const char *prefix, int n, const char *core, const char *suffix)
{
    struct lc_buf b = {0};
    for (int i = 0; i < n; i++)
        lc_buf_puts(&b, prefix);
    lc_buf_puts(&b, core);
    for (int i = 0; i < n; i++)
        lc_buf_puts(&b, suffix);
    return b.data;
}

static void parses(const char *text, int ok, const char *msg)
{
    struct lc_error err = {0};
    struct expr *e = expr_parse(text, &err);
    if (ok) {
        if (!e)
            fail_msg("%s", err.msg);
        struct expr_result res;
        assert_int_equal(expr_eval(e, value_cb, NULL, &res, &err), 0);
        assert_true(res.passed);
    } else {
        assert_null(e);
        assert_non_null(strstr(err.msg, msg));
        assert_true(err.col > 0);
    }
    expr_free(e);
}

static void test_depth_cap(void **state)
{
    (void)state;
    char *s = nest("(", 60, "fds", ")");
    char *t = lc_asprintf("%s == 300", s);
    parses(t, 1, NULL);
    free(s);
    free(t);
    s = nest("(", 70, "fds", ")");
    t = lc_asprintf("%s == 300", s);
    parses(t, 0, "nesting too deep");
    free(s);
    free(t);
    s = nest("-", 100, "fds", "");
    t = lc_asprintf("%s == 300", s);
    parses(t, 0, "nesting too deep");
    free(s);
    free(t);
    s = nest("not ", 100, "fds < 1", "");
    parses(s, 0, "nesting too deep");
    free(s);
    /* long flat chains parse iteratively, but the tree height is capped */
    s = nest("1 + ", 200, "fds", "");
    t = lc_asprintf("%s == 500", s);
    parses(t, 1, NULL);
    free(s);
    free(t);
    s = nest("1 + ", 300, "fds", "");
    t = lc_asprintf("%s == 600", s);
    parses(t, 0, "expression too long");
    free(s);
    free(t);
}

static void test_api(void **state)
{
    (void)state;
    struct lc_error err = {0};
    expr_free(NULL);
    assert_null(expr_parse(NULL, &err));
    assert_string_equal(err.msg, "empty assertion");
    assert_null(expr_parse("fds <", NULL)); /* err is optional */
    struct expr *e = expr_parse("  fds <= 256 ", &err);
    assert_non_null(e);
    assert_string_equal(expr_text(e), "  fds <= 256 ");
    struct expr_result res;
    assert_int_equal(expr_eval(e, value_cb, NULL, &res, NULL), 0);
    assert_false(res.passed);
    assert_string_equal(res.message, "fds = 300, expected <= 256");
    expr_free(e);
    /* a failed evaluation leaves no stale result behind */
    e = expr_parse("absent < 1", &err);
    assert_non_null(e);
    assert_int_equal(expr_eval(e, value_cb, NULL, &res, NULL), -1);
    assert_false(res.passed);
    assert_string_equal(res.message, "");
    expr_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),       cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_eval_errors), cmocka_unit_test(test_visit),
        cmocka_unit_test(test_check),       cmocka_unit_test(test_caret),
        cmocka_unit_test(test_depth_cap),   cmocka_unit_test(test_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
