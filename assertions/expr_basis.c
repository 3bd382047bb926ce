/*
 * assertions/expr_basis.c: what an assertion limits, read from its tree --
 * a level or growth (expr_basis), which metrics it caps from above
 * (expr_visit_capped), and time limits written without a unit
 * (expr_check_units).
 */
#include "assertions/expr_int.h"

#include <stdio.h>

/* 1 when any reference under n reads the baseline or the slope. */
static int reads_growth(const struct node *n)
{
    if (!n)
        return 0;
    if (n->kind == N_WITHIN)
        return 1;
    if (n->kind == N_METRIC)
        return n->reduce == EXPR_BASELINE || n->reduce == EXPR_GROWTH || n->reduce == EXPR_SLOPE ||
               n->reduce == EXPR_TREND;
    return reads_growth(n->a) || reads_growth(n->b);
}

/* Returns the basis of e; see expr.h. */
enum expr_basis expr_basis(const struct expr *e)
{
    return reads_growth(e->root) ? EXPR_BASIS_GROWTH : EXPR_BASIS_LEVEL;
}

static int is_trend(const struct node *n)
{
    return n->kind == N_METRIC && n->reduce == EXPR_TREND;
}

/* allowed: n is the left side of an ordering comparison. */
static int trend_walk(const struct node *n, int allowed, struct lc_error *err)
{
    if (!n)
        return 0;
    if (is_trend(n) && !allowed) {
        lc_error_at(err, 1, (int)n->start + 1,
                    "trend() at column %d must stand alone on the left of <, <=, > or >= "
                    "(e.g. trend(heap_inuse) < 1MB/h)",
                    (int)n->start + 1);
        return -1;
    }
    int ordered = n->kind == N_CMP && n->op != T_EQ && n->op != T_NE;
    if (ordered && is_trend(n->a))
        return trend_walk(n->b, 0, err);
    if (trend_walk(n->a, 0, err) < 0)
        return -1;
    return trend_walk(n->b, 0, err);
}

/* Checks where trend() stands; see expr_int.h. */
int expr_check_trend(const struct node *root, struct lc_error *err)
{
    return trend_walk(root, 0, err);
}

/* Which way a subtree's growth pushes its comparison: UP, larger values
 * can make it fail; DOWN, smaller values can; BOTH (==, !=, stays within). */
enum dir { UP = 1, DOWN = -1, BOTH = 0 };

static enum dir flip(enum dir d)
{
    return (enum dir) - d;
}

struct capped_ctx {
    expr_visit_cb *visit;
    void *arg;
};

static void capped(const struct node *n, enum dir d, int negated, struct capped_ctx *c)
{
    switch (n->kind) {
    case N_METRIC:
        if (d != DOWN)
            c->visit(&n->metric, n->reduce, c->arg);
        return;
    case N_NUM:
        return;
    case N_NEG:
        capped(n->a, flip(d), negated, c);
        return;
    case N_ARITH:
        capped(n->a, d, negated, c);
        capped(n->b, n->op == T_MINUS || n->op == T_SLASH ? flip(d) : d, negated, c);
        return;
    case N_CMP: {
        /* `a < b` fails when a is large or b small; `not` turns it round */
        enum dir left = n->op == T_LT || n->op == T_LE   ? UP
                        : n->op == T_GT || n->op == T_GE ? DOWN
                                                         : BOTH;
        if (negated)
            left = flip(left);
        capped(n->a, left, negated, c);
        capped(n->b, flip(left), negated, c);
        return;
    }
    case N_WITHIN:
        capped(n->a, BOTH, negated, c);
        return;
    case N_NOT:
        capped(n->a, d, !negated, c);
        return;
    case N_AND:
    case N_OR:
        capped(n->a, d, negated, c);
        capped(n->b, d, negated, c);
        return;
    }
}

/* Visits the references e caps from above; see expr.h. */
void expr_visit_capped(const struct expr *e, expr_visit_cb *visit, void *arg)
{
    struct capped_ctx c = {visit, arg};
    capped(e->root, UP, 0, &c);
}

struct units_ctx {
    expr_is_time_cb *is_time;
    void *arg;
    const char *src;
};

/* The first reference in seconds that makes side n a time, or NULL: a
 * metric in seconds, or a sum, difference, product or negation of one
 * with plain numbers (a ratio of two times is not a time). */
static const struct node *time_side(const struct node *n, struct units_ctx *u)
{
    const struct node *t = NULL;
    switch (n->kind) {
    case N_METRIC:
        return u->is_time(&n->metric, u->arg) ? n : NULL;
    case N_NEG:
        return time_side(n->a, u);
    case N_ARITH:
        if ((t = time_side(n->a, u)) != NULL)
            return n->op == T_SLASH && time_side(n->b, u) ? NULL : t;
        return n->op == T_SLASH ? NULL : time_side(n->b, u);
    default:
        return NULL;
    }
}

static int bare_number(const struct node *n)
{
    return n->kind == N_NUM && n->unit == UNIT_NONE && n->num != 0;
}

/* Sets the warning about number num, whose other side is the time t. */
static int warn_at(const struct node *num, const struct node *t, struct units_ctx *u,
                   struct lc_error *warn)
{
    int col = (int)num->start + 1;
    int len = (int)(num->end - num->start > 40 ? 40 : num->end - num->start);
    const char *text = u->src + num->start;
    lc_error_at(warn, 1, col,
                "'%.*s' at column %d has no unit: %s is in seconds, so this limit is %.*s "
                "seconds; write the unit (%.*sms, %.*ss)",
                len, text, col, t->metric.text, len, text, len, text, len, text);
    return 1;
}

static int units(const struct node *n, struct units_ctx *u, struct lc_error *warn)
{
    const struct node *t;
    switch (n->kind) {
    case N_CMP:
        if (bare_number(n->b) && (t = time_side(n->a, u)) != NULL)
            return warn_at(n->b, t, u, warn);
        if (bare_number(n->a) && (t = time_side(n->b, u)) != NULL)
            return warn_at(n->a, t, u, warn);
        return 0;
    case N_WITHIN:
        if (bare_number(n->b) && (t = time_side(n->a, u)) != NULL)
            return warn_at(n->b, t, u, warn);
        return 0;
    case N_NOT:
        return units(n->a, u, warn);
    case N_AND:
    case N_OR:
        return units(n->a, u, warn) || units(n->b, u, warn);
    default:
        return 0;
    }
}

/* Finds the first time limit without a unit; see expr.h. */
int expr_check_units(const struct expr *e, expr_is_time_cb *is_time, void *arg,
                     struct lc_error *warn)
{
    struct units_ctx u = {is_time, arg, e->text};
    return units(e->root, &u, warn);
}
