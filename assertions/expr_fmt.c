/*
 * assertions/expr_fmt.c: showing things to people: numbers in the unit
 * they were written in, error carets; and walking the metric references
 * of a parsed expression (expr_check, expr_visit).
 */
#include "assertions/expr_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Drops trailing zeros after a decimal point ("0.300000" -> "0.3"). */
static void strip_zeros(char *s)
{
    if (!strchr(s, '.'))
        return;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '0')
        s[--n] = '\0';
    if (n > 0 && s[n - 1] == '.')
        s[n - 1] = '\0';
}

/* About six significant digits, no exponent for ordinary magnitudes. */
void expr_fmt_num(double v, char *buf, size_t len)
{
    double a = fabs(v);
    if (v == 0)
        v = 0; /* no "-0" */
    if (!isfinite(v) || (a != 0 && (a < 1e-4 || a >= 1e15))) {
        snprintf(buf, len, "%.4g", v);
        return;
    }
    if (v == trunc(v)) {
        snprintf(buf, len, "%.0f", v);
        return;
    }
    int intdigits = a >= 1 ? (int)floor(log10(a)) + 1 : 0;
    int decimals = 6 - intdigits;
    if (decimals < 1)
        decimals = 1;
    snprintf(buf, len, "%.*f", decimals, v);
    strip_zeros(buf);
}

static void fmt_size(double v, char *buf, size_t len)
{
    static const char *const names[] = {"B", "KB", "MB", "GB", "TB"};
    double a = fabs(v);
    size_t k = 0;
    while (a >= 1024 && k + 1 < LC_ARRAY_LEN(names)) {
        a /= 1024;
        v /= 1024;
        k++;
    }
    if (k == 0) {
        char num[48];
        expr_fmt_num(v, num, sizeof(num));
        snprintf(buf, len, "%sB", num);
    } else {
        snprintf(buf, len, "%.1f%s", v, names[k]);
    }
}

static void fmt_time(double v, char *buf, size_t len)
{
    static const struct {
        double below;
        double scale;
        const char *name;
    } steps[] = {{1e-6, 1e-9, "ns"}, {1e-3, 1e-6, "us"}, {1, 1e-3, "ms"},
                 {60, 1, "s"},       {3600, 60, "m"},    {INFINITY, 3600, "h"}};
    double a = fabs(v);
    size_t i = 0;
    if (a == 0 || !isfinite(a))
        i = 3; /* plain seconds */
    else
        while (a >= steps[i].below)
            i++;
    char num[48];
    expr_fmt_num(v / steps[i].scale, num, sizeof(num));
    snprintf(buf, len, "%s%s", num, steps[i].name);
}

/* Formats v in the unit it was written in: "312ms", "12.0MB", "3.2%",
 * "2.0MB/s"; plain numbers as expr_fmt_num. */
void expr_fmt_value(double v, enum expr_unit u, char *buf, size_t len)
{
    char num[64];
    switch (u) {
    case UNIT_TIME:
        fmt_time(v, buf, len);
        return;
    case UNIT_SIZE:
        fmt_size(v, buf, len);
        return;
    case UNIT_PERCENT:
        expr_fmt_num(v * 100, num, sizeof(num));
        snprintf(buf, len, "%s%%", num);
        return;
    case UNIT_TIME_RATE:
        fmt_time(v, num, sizeof(num));
        snprintf(buf, len, "%s/s", num);
        return;
    case UNIT_SIZE_RATE:
        fmt_size(v, num, sizeof(num));
        snprintf(buf, len, "%s/s", num);
        return;
    case UNIT_NONE:
        break;
    }
    expr_fmt_num(v, buf, len);
}

/* Appends the text on one line (line breaks shown as blanks) and a caret
 * under byte column col on the next; tabs are kept so the caret lines up. */
void expr_caret(const char *text, int col, struct lc_buf *out)
{
    size_t n = text ? strlen(text) : 0;
    for (size_t i = 0; i < n; i++)
        lc_buf_append(out, text[i] == '\n' || text[i] == '\r' ? " " : &text[i], 1);
    lc_buf_puts(out, "\n");
    if (col < 1)
        col = 1;
    if ((size_t)col > n + 1)
        col = (int)n + 1;
    for (int i = 0; i < col - 1; i++)
        lc_buf_append(out, text[i] == '\t' ? "\t" : " ", 1);
    lc_buf_puts(out, "^");
}

typedef int walk_cb(const struct node *n, enum expr_reduce r, int implicit, void *arg);

/* Calls cb for every metric reference in source order; for "stays within"
 * also for the baseline it implies (after the tolerance, where the word
 * `baseline` stands). Stops at and returns the first non-zero. */
static int walk(const struct node *n, walk_cb *cb, void *arg)
{
    int rc = 0;
    if (!n)
        return 0;
    if (n->kind == N_METRIC)
        return cb(n, n->reduce, 0, arg);
    if ((rc = walk(n->a, cb, arg)) != 0 || (rc = walk(n->b, cb, arg)) != 0)
        return rc;
    if (n->kind == N_WITHIN)
        rc = cb(n->a, EXPR_BASELINE, 1, arg);
    return rc;
}

struct check_ctx {
    expr_known_cb *known;
    void *arg;
    struct lc_error *err;
};

static int check_cb(const struct node *n, enum expr_reduce r, int implicit, void *arg)
{
    struct check_ctx *c = arg;
    char hint[256] = "";
    (void)r;
    if (implicit || c->known(&n->metric, hint, sizeof(hint), c->arg))
        return 0;
    int column = (int)n->mpos + 1;
    lc_error_at(c->err, 1, column, "unknown metric '%s' at column %d%s%s", n->metric.text, column,
                hint[0] ? "; " : "", hint);
    return -1;
}

/* Calls known for each written metric reference; the first unknown one is
 * reported with its column and the callback's hint. Returns 0 or -1. */
int expr_check(const struct expr *e, expr_known_cb *known, void *arg, struct lc_error *err)
{
    struct check_ctx c = {known, arg, err};
    return walk(e->root, check_cb, &c);
}

struct visit_ctx {
    expr_visit_cb *visit;
    void *arg;
};

static int visit_cb(const struct node *n, enum expr_reduce r, int implicit, void *arg)
{
    struct visit_ctx *v = arg;
    (void)implicit;
    v->visit(&n->metric, r, v->arg);
    return 0;
}

/* Visits every metric reference with its reduction, in source order; a
 * "stays within" adds baseline(m) for its left metric m after the
 * tolerance, since evaluation asks for it. */
void expr_visit(const struct expr *e, expr_visit_cb *visit, void *arg)
{
    struct visit_ctx v = {visit, arg};
    walk(e->root, visit_cb, &v);
}
