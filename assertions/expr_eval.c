/*
 * assertions/expr_eval.c: evaluating a parsed assertion against values the
 * caller supplies, and saying in one line why it passed or failed.
 */
#include "assertions/expr_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ev {
    expr_value_cb *value;
    expr_series_cb *series;
    void *arg;
    struct lc_error *err;
    const char *src;
};

static int eval_num(const struct node *n, struct ev *ev, double *out);
static int eval_bool(const struct node *n, struct ev *ev, struct expr_result *res);

/* Sets the error "<message> at column N" and returns -1. */
static int fail_at(struct ev *ev, size_t pos, const char *fmt, ...) LC_PRINTF(3, 4);
static int fail_at(struct ev *ev, size_t pos, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lc_error_at(ev->err, 1, (int)pos + 1, "%s at column %d", msg, (int)pos + 1);
    return -1;
}

static void set_msg(struct expr_result *res, const char *fmt, ...) LC_PRINTF(2, 3);
static void set_msg(struct expr_result *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof(res->message), fmt, ap);
    va_end(ap);
}

/* The length of a node's source text, capped so messages stay one line. */
static int span_len(const struct node *n)
{
    size_t len = n->end - n->start;
    return len > 120 ? 120 : (int)len;
}

static const char *span(const struct ev *ev, const struct node *n)
{
    return ev->src + n->start;
}

/* Asks the caller for metric n reduced by r ("max(fds)"). */
static int eval_metric(const struct node *n, enum expr_reduce r, struct ev *ev, double *out)
{
    struct lc_error cerr = {0};
    char what[600];
    double v = NAN;
    if (r == EXPR_FINAL)
        snprintf(what, sizeof(what), "%s", n->metric.text);
    else
        snprintf(what, sizeof(what), "%s(%s)", expr_reduce_name(r), n->metric.text);
    if (ev->value(&n->metric, r, &v, &cerr, ev->arg) < 0) {
        if (cerr.msg[0])
            return fail_at(ev, n->mpos, "no value for %s: %s", what, cerr.msg);
        return fail_at(ev, n->mpos, "no value for %s", what);
    }
    if (isnan(v))
        return fail_at(ev, n->mpos, "%s is NaN", what);
    *out = v;
    return 0;
}

static int arith(const struct node *n, struct ev *ev, double *out)
{
    double a = 0, b = 0;
    if (eval_num(n->a, ev, &a) < 0 || eval_num(n->b, ev, &b) < 0)
        return -1;
    switch (n->op) {
    case T_PLUS:
        *out = a + b;
        break;
    case T_MINUS:
        *out = a - b;
        break;
    case T_STAR:
        *out = a * b;
        break;
    default:
        if (b == 0)
            return fail_at(ev, n->oppos, "division by zero in '%.*s'", span_len(n), span(ev, n));
        *out = a / b;
        break;
    }
    if (isnan(*out))
        return fail_at(ev, n->oppos, "'%.*s' is not a number", span_len(n), span(ev, n));
    return 0;
}

static int eval_num(const struct node *n, struct ev *ev, double *out)
{
    double a = 0;
    switch (n->kind) {
    case N_NUM:
        *out = n->num;
        return 0;
    case N_METRIC:
        return eval_metric(n, n->reduce, ev, out);
    case N_NEG:
        if (eval_num(n->a, ev, &a) < 0)
            return -1;
        *out = -a;
        return 0;
    case N_ARITH:
        return arith(n, ev, out);
    default:
        return fail_at(ev, n->start, "internal error: '%.*s' is not a number", span_len(n),
                       span(ev, n));
    }
}

static const char *op_text(enum tok op, int flip)
{
    switch (op) {
    case T_LT:
        return flip ? ">" : "<";
    case T_LE:
        return flip ? ">=" : "<=";
    case T_GT:
        return flip ? "<" : ">";
    case T_GE:
        return flip ? "<=" : ">=";
    case T_EQ:
        return "==";
    default:
        return "!=";
    }
}

static int compare(enum tok op, double a, double b)
{
    switch (op) {
    case T_LT:
        return a < b;
    case T_LE:
        return a <= b;
    case T_GT:
        return a > b;
    case T_GE:
        return a >= b;
    case T_EQ:
        return a == b;
    default:
        return a != b;
    }
}

/* trend(m) OP limit: fits the trend and decides on its interval: `<`
 * fails only when all of it lies above the limit, `>` only when all of it
 * lies below. */
static int eval_trend(const struct node *n, struct ev *ev, struct expr_result *res)
{
    const struct node *a = n->a;
    struct expr_series se = {.warmup = -1};
    struct lc_error cerr = {0};
    double limit = 0;
    if (eval_num(n->b, ev, &limit) < 0)
        return -1;
    if (!ev->series)
        return fail_at(ev, a->mpos, "trend(%s) cannot be computed here", a->metric.text);
    if (ev->series(&a->metric, &se, &cerr, ev->arg) < 0)
        return fail_at(ev, a->mpos, "no trend for %s: %s", a->metric.text, cerr.msg);
    int rc = expr_trend_fit(se.t, se.v, se.n, se.warmup, se.kind, &res->trend, &cerr);
    res->trend.basis = se.basis;
    res->trend.series = se.series;
    free(se.t);
    free(se.v);
    if (rc < 0)
        return fail_at(ev, a->mpos, "no trend for %s: %s", a->metric.text, cerr.msg);
    const struct expr_trend *tr = &res->trend;
    int below = n->op == T_LT || n->op == T_LE;
    res->has_trend = 1;
    res->observed = tr->slope;
    res->expected = limit;
    res->passed = below ? !(tr->lo > limit) : !(tr->hi < limit);
    char desc[400], lim[64];
    expr_trend_describe(tr, a->metric.text, se.bytes, desc, sizeof(desc));
    expr_trend_fmt_rate(limit, se.bytes, lim, sizeof(lim));
    if (res->passed)
        set_msg(res, "%s; limit %s %s", desc, op_text(n->op, 0), lim);
    else
        set_msg(res, "%s: all of it %s the limit %s", desc, below ? "above" : "below", lim);
    return 0;
}

/* "fds = 300, expected <= 256", naming the right side when it is not a
 * plain number; `5 < fds` reads as "fds = 300, expected > 5". */
static int eval_cmp(const struct node *n, struct ev *ev, struct expr_result *res)
{
    char l[64], r[64];
    if (n->a->kind == N_METRIC && n->a->reduce == EXPR_TREND)
        return eval_trend(n, ev, res);
    if (eval_num(n->a, ev, &res->observed) < 0 || eval_num(n->b, ev, &res->expected) < 0)
        return -1;
    res->passed = compare(n->op, res->observed, res->expected);
    expr_fmt_value(res->observed, n->unit, l, sizeof(l));
    expr_fmt_value(res->expected, n->unit, r, sizeof(r));
    const struct node *a = n->a, *b = n->b;
    if (a->kind == N_NUM && b->kind != N_NUM)
        set_msg(res, "%.*s = %s, expected %s %s", span_len(b), span(ev, b), r, op_text(n->op, 1),
                l);
    else if (b->kind == N_NUM)
        set_msg(res, "%.*s = %s, expected %s %s", span_len(a), span(ev, a), l, op_text(n->op, 0),
                r);
    else
        set_msg(res, "%.*s = %s, expected %s %s (%.*s)", span_len(a), span(ev, a), l,
                op_text(n->op, 0), r, span_len(b), span(ev, b));
    return 0;
}

/* m stays within T of baseline: |m - baseline(m)| <= T, or T * |baseline|
 * when T is a percentage. */
static int eval_within(const struct node *n, struct ev *ev, struct expr_result *res)
{
    const struct node *a = n->a;
    double v = 0, base = 0, tol = 0;
    if (eval_metric(a, a->reduce, ev, &v) < 0 || eval_metric(a, EXPR_BASELINE, ev, &base) < 0 ||
        eval_num(n->b, ev, &tol) < 0)
        return -1;
    if (tol < 0)
        return fail_at(ev, n->b->start, "negative tolerance '%.*s'", span_len(n->b),
                       span(ev, n->b));
    int pct = n->b->unit == UNIT_PERCENT;
    enum expr_unit u = pct ? UNIT_NONE : n->b->unit;
    double allowed = pct ? tol * fabs(base) : tol;
    double diff = v - base;
    /* forgive the last bits of rounding: 3.3 is within 10% of 3 */
    double slack = 1e-12 * fmax(fabs(v), fabs(base));
    res->passed = fabs(diff) <= allowed + slack;
    res->observed = v;
    res->expected = base;
    char vs[64], bs[64], ds[64], as[64], ts[160];
    expr_fmt_value(v, u, vs, sizeof(vs));
    expr_fmt_value(base, u, bs, sizeof(bs));
    expr_fmt_value(fabs(diff), u, ds, sizeof(ds));
    expr_fmt_value(allowed, u, as, sizeof(as));
    if (pct) {
        char ps[64];
        expr_fmt_value(tol, UNIT_PERCENT, ps, sizeof(ps));
        snprintf(ts, sizeof(ts), "\u00b1%s (\u00b1%s)", ps, as);
    } else {
        snprintf(ts, sizeof(ts), "\u00b1%s", as);
    }
    set_msg(res, "%.*s %s %s, baseline %s: %c%s, allowed %s", span_len(a), span(ev, a),
            a->reduce == EXPR_FINAL ? "ended at" : "was", vs, bs, diff < 0 ? '-' : '+', ds, ts);
    return 0;
}

/* and: the first failing side decides the message, else the right one.
 * or: a passing side (the right one when both pass), else both messages. */
static int eval_logic(const struct node *n, struct ev *ev, struct expr_result *res)
{
    struct expr_result l, r;
    if (eval_bool(n->a, ev, &l) < 0 || eval_bool(n->b, ev, &r) < 0)
        return -1;
    if (n->kind == N_AND) {
        *res = l.passed ? r : l;
        res->passed = l.passed && r.passed;
        return 0;
    }
    if (r.passed || l.passed) {
        *res = r.passed ? r : l;
        res->passed = 1;
        return 0;
    }
    *res = l;
    set_msg(res, "%s; %s", l.message, r.message);
    return 0;
}

static int eval_bool(const struct node *n, struct ev *ev, struct expr_result *res)
{
    struct expr_result in;
    switch (n->kind) {
    case N_CMP:
        return eval_cmp(n, ev, res);
    case N_WITHIN:
        return eval_within(n, ev, res);
    case N_AND:
    case N_OR:
        return eval_logic(n, ev, res);
    case N_NOT:
        if (eval_bool(n->a, ev, &in) < 0)
            return -1;
        *res = in;
        res->passed = !in.passed;
        set_msg(res, "not (%s)", in.message);
        return 0;
    default:
        return fail_at(ev, n->start, "internal error: '%.*s' is not a comparison", span_len(n),
                       span(ev, n));
    }
}

/* Evaluates e, asking value for every metric reference; fills res.
 * Returns 0 (passed or not) or -1 with err (no value, NaN, division by
 * zero, negative tolerance). */
int expr_eval(const struct expr *e, expr_value_cb *value, void *arg, struct expr_result *res,
              struct lc_error *err)
{
    return expr_eval_full(e, value, NULL, arg, res, err);
}

/* As expr_eval, with trend(m) read through series; see expr.h. */
int expr_eval_full(const struct expr *e, expr_value_cb *value, expr_series_cb *series, void *arg,
                   struct expr_result *res, struct lc_error *err)
{
    struct ev ev = {value, series, arg, err, e->text};
    memset(res, 0, sizeof(*res));
    if (eval_bool(e->root, &ev, res) < 0) {
        memset(res, 0, sizeof(*res));
        return -1;
    }
    return 0;
}
