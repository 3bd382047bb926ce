/*
 * assertions/expr_ref.c: parsing metric references (a name with an optional
 * label selector) into tree nodes, and the nodes' memory.
 */
#include "assertions/expr_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int col(size_t pos)
{
    return (int)pos + 1;
}

static int next(struct parser *p)
{
    return expr_lex_next(&p->lx, p->err);
}

/* "unexpected X at column N: expected ..." about the current token. */
void expr_unexpected(struct parser *p, const char *fmt, ...)
{
    char what[64];
    char expected[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(expected, sizeof(expected), fmt, ap);
    va_end(ap);
    expr_lex_describe(&p->lx, what, sizeof(what));
    int c = col(p->lx.tok.pos);
    lc_error_at(p->err, 1, c, "unexpected %s at column %d: expected %s", what, c, expected);
}

/* Returns a zeroed node of kind k over [start, end); never NULL. */
struct node *expr_node_new(enum node_kind k, size_t start, size_t end)
{
    struct node *n = lc_calloc(1, sizeof(*n));
    n->kind = k;
    n->start = start;
    n->end = end;
    n->height = 1;
    return n;
}

/* Frees a tree with its metric strings and labels; NULL is fine. */
void expr_node_free(struct node *n)
{
    if (!n)
        return;
    expr_node_free(n->a);
    expr_node_free(n->b);
    for (size_t i = 0; i < n->metric.nlabels; i++) {
        free((void *)n->metric.labels[i].name);
        free((void *)n->metric.labels[i].value);
    }
    free((void *)n->metric.labels);
    free((void *)n->metric.name);
    free((void *)n->metric.text);
    free(n);
}

/* Writes a label value with \\, \" and \n escaped again. */
static void put_escaped(struct lc_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            lc_buf_puts(b, "\\\\");
        else if (*s == '"')
            lc_buf_puts(b, "\\\"");
        else if (*s == '\n')
            lc_buf_puts(b, "\\n");
        else
            lc_buf_append(b, s, 1);
    }
}

static char *canonical_text(const struct expr_metric *m)
{
    struct lc_buf b = {0};
    lc_buf_puts(&b, m->name);
    for (size_t i = 0; i < m->nlabels; i++) {
        lc_buf_printf(&b, "%s%s=\"", i ? "," : "{", m->labels[i].name);
        put_escaped(&b, m->labels[i].value);
        lc_buf_puts(&b, i + 1 == m->nlabels ? "\"}" : "\"");
    }
    return b.data;
}

/* One label="value" pair of a selector, added to n. */
static int label(struct parser *p, struct node *n, size_t *cap)
{
    struct token *t = &p->lx.tok;
    struct expr_metric *m = &n->metric;
    if (t->type != T_IDENT || memchr(p->lx.src + t->pos, ':', t->len)) {
        expr_unexpected(p, "a label name or '}'");
        return -1;
    }
    char *name = lc_strndup(p->lx.src + t->pos, t->len);
    for (size_t i = 0; i < m->nlabels; i++) {
        if (strcmp(m->labels[i].name, name) == 0) {
            lc_error_at(p->err, 1, col(t->pos), "duplicate label '%s' at column %d", name,
                        col(t->pos));
            goto fail;
        }
    }
    if (next(p) < 0)
        goto fail;
    if (t->type == T_NE || t->type == T_RE || t->type == T_NRE) {
        lc_error_at(p->err, 1, col(t->pos),
                    "label matcher '%.*s' at column %d is not supported: only label=\"value\"",
                    (int)t->len, p->lx.src + t->pos, col(t->pos));
        goto fail;
    }
    if (t->type != T_ASSIGN) {
        expr_unexpected(p, "'=' after the label name");
        goto fail;
    }
    if (next(p) < 0)
        goto fail;
    if (t->type != T_STRING) {
        expr_unexpected(p, "a quoted label value");
        goto fail;
    }
    lc_grow((void **)&m->labels, cap, m->nlabels + 1, sizeof(*m->labels));
    struct expr_label *l = (struct expr_label *)&m->labels[m->nlabels++];
    l->name = name;
    l->value = t->str;
    t->str = NULL;
    return next(p);
fail:
    free(name);
    return -1;
}

/* A selector {a="x", b="y",} after a metric name; the current token is '{'. */
static int selector(struct parser *p, struct node *n)
{
    size_t cap = 0;
    if (next(p) < 0)
        return -1;
    while (p->lx.tok.type != T_RBRACE) {
        if (label(p, n, &cap) < 0)
            return -1;
        if (p->lx.tok.type == T_COMMA) {
            if (next(p) < 0)
                return -1;
        } else if (p->lx.tok.type != T_RBRACE) {
            expr_unexpected(p, "',' or '}'");
            return -1;
        }
    }
    n->end = p->lx.tok.pos + 1;
    return next(p);
}

/* A metric name (the current token) with an optional selector. */
struct node *expr_parse_metric(struct parser *p, enum expr_reduce r, size_t start)
{
    struct token *t = &p->lx.tok;
    struct node *n = expr_node_new(N_METRIC, start, t->pos + t->len);
    n->reduce = r;
    n->mpos = t->pos;
    n->metric.name = lc_strndup(p->lx.src + t->pos, t->len);
    if (next(p) < 0)
        goto fail;
    if (t->type == T_LBRACE && selector(p, n) < 0)
        goto fail;
    n->metric.text = canonical_text(&n->metric);
    return n;
fail:
    expr_node_free(n);
    return NULL;
}
