/*
 * tests/unit/test_expr_basis.c: what an assertion limits -- its basis,
 * the metrics it caps from above, time limits without a unit -- driven by
 * tests/data/expr/basis.txt and units.txt (see the README there).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assertions/expr.h"
#include "common/lc.h"
#include "table.h"

#define DATA "tests/data/expr/"

static void visit_cb(const struct expr_metric *m, enum expr_reduce r, void *arg)
{
    static const char *const names[] = {"final", "baseline", "min",  "max",
                                        "avg",   "growth",   "slope"};
    struct lc_buf *b = arg;
    lc_buf_printf(b, "%s%s %s", b->len ? " | " : "", names[r], m->text);
}

/* expression, level|growth, the capped references (may be absent: none) */
static int basis_case(char **f, int n, void *arg)
{
    (void)arg;
    struct expr *e = table_expr(f[0]);
    if (!e)
        return 1;
    struct lc_buf b = {0};
    lc_buf_puts(&b, "");
    expr_visit_capped(e, visit_cb, &b);
    const char *basis = expr_basis(e) == EXPR_BASIS_LEVEL ? "level" : "growth";
    const char *want = n > 2 ? f[2] : "";
    int bad = strcmp(basis, f[1]) != 0 || strcmp(b.data, want) != 0;
    if (bad)
        print_error("basis %s, capped '%s'\n", basis, b.data);
    lc_buf_free(&b);
    expr_free(e);
    return bad;
}

static void test_basis(void **state)
{
    (void)state;
    assert_int_equal(table_each(DATA "basis.txt", 2, basis_case, NULL), 0);
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

static int is_time_cb(const struct expr_metric *m, void *arg)
{
    (void)arg;
    return strcmp(m->name, "p50") == 0 || strcmp(m->name, "p99") == 0 ||
           strcmp(m->name, "latency_max") == 0 || ends_with(m->name, "_seconds");
}

/* expression, column (0: no warning), substring of the warning */
static int units_case(char **f, int n, void *arg)
{
    (void)arg;
    struct lc_error err = {0};
    struct expr *e = table_expr(f[0]);
    if (!e)
        return 1;
    int got = expr_check_units(e, is_time_cb, NULL, &err);
    int col = table_int(f[1]);
    int bad = col == 0
                  ? got != 0
                  : got != 1 || err.line != 1 || err.col != col || n < 3 || !strstr(err.msg, f[2]);
    if (bad)
        print_error("returned %d, line %d col %d: '%s'\n", got, err.line, err.col, err.msg);
    expr_free(e);
    return bad;
}

static void test_units(void **state)
{
    (void)state;
    assert_int_equal(table_each(DATA "units.txt", 2, units_case, NULL), 0);
    /* the warning is optional */
    struct expr *e = expr_parse("p99 < 500", NULL);
    assert_int_equal(expr_check_units(e, is_time_cb, NULL, NULL), 1);
    expr_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basis),
        cmocka_unit_test(test_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
