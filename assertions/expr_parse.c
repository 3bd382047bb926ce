/*
 * assertions/expr_parse.c: the parser of the assertion language.
 *
 * Precedence climbing over a priority table, after the shape of Lua's
 * lparser.c (subexpr with a limit): each binary operator has a left and a
 * right priority, unary operators parse their operand at their own
 * priority. From loosest to tightest:
 *     or < and < not < comparisons, "stay within" < + - < * / < unary -
 * Comparisons do not chain. Types (number or comparison) are checked while
 * parsing, so the evaluator never meets `fds and 3`.
 */
#include "assertions/expr_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRI_NOT 3
#define PRI_CMP 4
#define PRI_NEG 7

struct binop {
    int left, right; /* priorities */
    enum node_kind kind;
};

static const char *const keywords[] = {"and", "or", "not", "stay", "stays", "within", "of"};

static const struct {
    const char *name;
    enum expr_reduce reduce;
} reductions[] = {
    {"baseline", EXPR_BASELINE}, {"max", EXPR_MAX},       {"min", EXPR_MIN},
    {"avg", EXPR_AVG},           {"growth", EXPR_GROWTH}, {"slope", EXPR_SLOPE},
    {"trend", EXPR_TREND},
};

static struct node *subexpr(struct parser *p, int limit);

static int col(size_t pos)
{
    return (int)pos + 1;
}

static int next(struct parser *p)
{
    return expr_lex_next(&p->lx, p->err);
}

static int at_keyword(const struct parser *p)
{
    for (size_t i = 0; i < LC_ARRAY_LEN(keywords); i++)
        if (expr_lex_is(&p->lx, keywords[i]))
            return 1;
    return 0;
}

static int find_reduction(const struct parser *p)
{
    for (size_t i = 0; i < LC_ARRAY_LEN(reductions); i++)
        if (expr_lex_is(&p->lx, reductions[i].name))
            return (int)i;
    return -1;
}

/* Returns the written name of a reduction ("max"), "" for EXPR_FINAL. */
const char *expr_reduce_name(enum expr_reduce r)
{
    for (size_t i = 0; i < LC_ARRAY_LEN(reductions); i++)
        if (reductions[i].reduce == r)
            return reductions[i].name;
    return "";
}

/* Says, with a column, that a number was found where a comparison is
 * needed or the other way round. Returns 0 when n is of the wanted type. */
static int check_type(struct parser *p, const struct node *n, int want_bool, const char *op)
{
    if (n->is_bool == want_bool)
        return 0;
    const char *src = p->lx.src + n->start;
    int len = (int)(n->end - n->start > 40 ? 40 : n->end - n->start);
    if (want_bool)
        lc_error_at(p->err, 1, col(n->start),
                    "expected a comparison at column %d, found the number '%.*s' "
                    "('%s' combines comparisons such as fds < 10)",
                    col(n->start), len, src, op);
    else
        lc_error_at(p->err, 1, col(n->start),
                    "expected a number at column %d, found the comparison '%.*s' "
                    "('%s' works on numbers)",
                    col(n->start), len, src, op);
    return -1;
}

static enum expr_unit join_unit(enum node_kind k, enum tok op, const struct node *a,
                                const struct node *b)
{
    if (k == N_WITHIN)
        return b->unit;
    if (k == N_ARITH && op == T_SLASH)
        return a->unit == b->unit ? UNIT_NONE : a->unit;
    /* a percentage multiplies as a plain factor: baseline(fds) * 110% */
    if (k == N_ARITH && op == T_STAR && (a->unit == UNIT_PERCENT || b->unit == UNIT_PERCENT))
        return a->unit == UNIT_PERCENT ? b->unit : a->unit;
    if (k == N_ARITH || k == N_CMP)
        return a->unit != UNIT_NONE ? a->unit : b->unit;
    return UNIT_NONE;
}

/* Makes a binary node over a and b (taking both); NULL when the tree
 * would grow too tall. */
static struct node *join(struct parser *p, enum node_kind k, enum tok op, size_t oppos,
                         struct node *a, struct node *b)
{
    struct node *n = expr_node_new(k, a->start, b->end);
    n->op = op;
    n->oppos = oppos;
    n->a = a;
    n->b = b;
    n->height = 1 + (a->height > b->height ? a->height : b->height);
    n->is_bool = k != N_ARITH;
    n->unit = join_unit(k, op, a, b);
    if (n->height > EXPR_MAX_HEIGHT) {
        lc_error_at(p->err, 1, col(oppos),
                    "expression too long at column %d: more than %d operators in a row", col(oppos),
                    EXPR_MAX_HEIGHT);
        expr_node_free(n);
        return NULL;
    }
    return n;
}

/* name(metric): the current token is the reduction's name. */
static struct node *reduction(struct parser *p, int r)
{
    const char *fname = reductions[r].name;
    size_t start = p->lx.tok.pos;
    if (next(p) < 0 || next(p) < 0)
        return NULL;
    if (p->lx.tok.type != T_IDENT || at_keyword(p) || p->lx.tok.call ||
        expr_lex_is(&p->lx, "baseline")) {
        expr_unexpected(p, "a metric name: %s() takes a metric, not an expression", fname);
        return NULL;
    }
    struct node *n = expr_parse_metric(p, reductions[r].reduce, start);
    if (!n)
        return NULL;
    if (p->lx.tok.type != T_RPAREN) {
        expr_unexpected(p, "')': %s() takes one metric, not an expression", fname);
        expr_node_free(n);
        return NULL;
    }
    n->end = p->lx.tok.pos + 1;
    if (next(p) < 0) {
        expr_node_free(n);
        return NULL;
    }
    return n;
}

/* An identifier where an operand is expected. */
static struct node *operand_word(struct parser *p)
{
    const struct token *t = &p->lx.tok;
    if (at_keyword(p)) {
        expr_unexpected(p, "a number, a metric or '(' ('%.*s' is a keyword)", (int)t->len,
                        p->lx.src + t->pos);
        return NULL;
    }
    int r = find_reduction(p);
    if (t->call && r >= 0)
        return reduction(p, r);
    if (t->call) {
        lc_error_at(p->err, 1, col(t->pos),
                    "unknown function '%.*s' at column %d: known are baseline, max, min, avg, "
                    "growth, slope, trend",
                    (int)(t->len > 40 ? 40 : t->len), p->lx.src + t->pos, col(t->pos));
        return NULL;
    }
    if (expr_lex_is(&p->lx, "baseline")) {
        lc_error_at(p->err, 1, col(t->pos),
                    "'baseline' alone at column %d: write baseline(metric), or "
                    "'m stays within N of baseline'",
                    col(t->pos));
        return NULL;
    }
    return expr_parse_metric(p, EXPR_FINAL, t->pos);
}

static struct node *paren(struct parser *p)
{
    size_t start = p->lx.tok.pos;
    if (next(p) < 0)
        return NULL;
    struct node *n = subexpr(p, 0);
    if (!n)
        return NULL;
    if (p->lx.tok.type != T_RPAREN) {
        expr_unexpected(p, "')' to close the '(' at column %d", col(start));
        expr_node_free(n);
        return NULL;
    }
    n->start = start;
    n->end = p->lx.tok.pos + 1;
    if (next(p) < 0) {
        expr_node_free(n);
        return NULL;
    }
    return n;
}

static struct node *simple(struct parser *p)
{
    const struct token *t = &p->lx.tok;
    struct node *n = NULL;
    switch (t->type) {
    case T_NUM:
        n = expr_node_new(N_NUM, t->pos, t->pos + t->len);
        n->num = t->num;
        n->unit = t->unit;
        if (next(p) < 0) {
            expr_node_free(n);
            return NULL;
        }
        return n;
    case T_LPAREN:
        return paren(p);
    case T_IDENT:
        return operand_word(p);
    default:
        expr_unexpected(p, "a number, a metric or '('");
        return NULL;
    }
}

/* `not x` or `-x`; anything else is a simple operand. */
static struct node *unary(struct parser *p)
{
    size_t start = p->lx.tok.pos;
    int is_not = expr_lex_is(&p->lx, "not");
    if (!is_not && p->lx.tok.type != T_MINUS)
        return simple(p);
    if (next(p) < 0)
        return NULL;
    struct node *a = subexpr(p, is_not ? PRI_NOT : PRI_NEG);
    if (!a)
        return NULL;
    if (check_type(p, a, is_not, is_not ? "not" : "-") < 0) {
        expr_node_free(a);
        return NULL;
    }
    if (!is_not && a->kind == N_NUM) {
        /* a negative literal stays a literal, so messages show "-5" */
        a->num = -a->num;
        a->start = start;
        return a;
    }
    struct node *n = expr_node_new(is_not ? N_NOT : N_NEG, start, a->end);
    n->a = a;
    n->oppos = start;
    n->is_bool = is_not;
    n->unit = is_not ? UNIT_NONE : a->unit;
    n->height = a->height + 1;
    return n;
}

/* The binary operator at the current token, if any. */
static int binop_at(const struct parser *p, struct binop *op)
{
    switch (p->lx.tok.type) {
    case T_PLUS:
    case T_MINUS:
        *op = (struct binop){5, 5, N_ARITH};
        return 1;
    case T_STAR:
    case T_SLASH:
        *op = (struct binop){6, 6, N_ARITH};
        return 1;
    case T_LT:
    case T_LE:
    case T_GT:
    case T_GE:
    case T_EQ:
    case T_NE:
        *op = (struct binop){PRI_CMP, PRI_CMP, N_CMP};
        return 1;
    case T_IDENT:
        if (expr_lex_is(&p->lx, "or"))
            *op = (struct binop){1, 1, N_OR};
        else if (expr_lex_is(&p->lx, "and"))
            *op = (struct binop){2, 2, N_AND};
        else if (expr_lex_is(&p->lx, "stay") || expr_lex_is(&p->lx, "stays"))
            *op = (struct binop){PRI_CMP, PRI_CMP, N_WITHIN};
        else
            return 0;
        return 1;
    default:
        return 0;
    }
}

/* left OP right, the current token being OP. Takes left. */
static struct node *binary(struct parser *p, const struct binop *op, struct node *left)
{
    const struct token *t = &p->lx.tok;
    struct node *right = NULL;
    enum tok optok = t->type;
    size_t oppos = t->pos;
    char optext[8];
    snprintf(optext, sizeof(optext), "%.*s", (int)t->len, p->lx.src + t->pos);
    int want_bool = op->kind == N_AND || op->kind == N_OR;
    if (check_type(p, left, want_bool, optext) < 0 || next(p) < 0)
        goto fail;
    right = subexpr(p, op->right);
    if (!right || check_type(p, right, want_bool, optext) < 0)
        goto fail;
    return join(p, op->kind, optok, oppos, left, right);
fail:
    expr_node_free(left);
    expr_node_free(right);
    return NULL;
}

/* left stay[s] within TOLERANCE of baseline; the current token is "stay". */
static struct node *within(struct parser *p, struct node *left)
{
    struct node *tol = NULL;
    size_t oppos = p->lx.tok.pos;
    if (left->kind != N_METRIC || left->reduce == EXPR_BASELINE || left->reduce == EXPR_GROWTH ||
        left->reduce == EXPR_SLOPE || left->reduce == EXPR_TREND) {
        lc_error_at(p->err, 1, col(left->start),
                    "'stays within' at column %d needs a metric, or max(), min() or avg() of "
                    "one, on its left (e.g. goroutines stays within 20 of baseline)",
                    col(left->start));
        goto fail;
    }
    if (next(p) < 0)
        goto fail;
    if (!expr_lex_is(&p->lx, "within")) {
        expr_unexpected(p, "'within' (as in 'stays within 20 of baseline')");
        goto fail;
    }
    if (next(p) < 0 || !(tol = subexpr(p, PRI_CMP)) || check_type(p, tol, 0, "within") < 0)
        goto fail;
    if (!expr_lex_is(&p->lx, "of")) {
        expr_unexpected(p, "'of baseline' after the tolerance");
        goto fail;
    }
    if (next(p) < 0)
        goto fail;
    if (!expr_lex_is(&p->lx, "baseline") || p->lx.tok.call) {
        expr_unexpected(p, "'baseline' alone (the left side is compared with its own baseline)");
        goto fail;
    }
    size_t end = p->lx.tok.pos + p->lx.tok.len;
    if (next(p) < 0)
        goto fail;
    struct node *n = join(p, N_WITHIN, T_IDENT, oppos, left, tol);
    if (n)
        n->end = end;
    return n;
fail:
    expr_node_free(left);
    expr_node_free(tol);
    return NULL;
}

/* Parses operators binding tighter than limit (Lua's subexpr). */
static struct node *subexpr(struct parser *p, int limit)
{
    struct node *left = NULL;
    struct binop op;
    if (++p->depth > EXPR_MAX_DEPTH) {
        lc_error_at(p->err, 1, col(p->lx.tok.pos),
                    "nesting too deep at column %d: more than %d levels", col(p->lx.tok.pos),
                    EXPR_MAX_DEPTH);
        goto out;
    }
    left = unary(p);
    int chained = 0;
    while (left && binop_at(p, &op) && op.left > limit) {
        if (chained && (op.kind == N_CMP || op.kind == N_WITHIN)) {
            int c = col(p->lx.tok.pos);
            lc_error_at(p->err, 1, c,
                        "comparisons do not chain at column %d: write 'a < b and b < c'", c);
            expr_node_free(left);
            left = NULL;
            break;
        }
        left = op.kind == N_WITHIN ? within(p, left) : binary(p, &op, left);
        chained = op.kind == N_CMP || op.kind == N_WITHIN;
    }
out:
    p->depth--;
    return left;
}

/* What to say when the parse stopped before the end of the text. */
static void trailing(struct parser *p, const struct node *root)
{
    if (p->lx.tok.type == T_ASSIGN)
        expr_unexpected(p, "an operator (equality is written '==')");
    else if (root->is_bool)
        expr_unexpected(p, "'and', 'or' or the end of the assertion");
    else
        expr_unexpected(p, "an operator");
}

/* Parses one assertion; see expr.h. The whole text must be one comparison,
 * "stays within", or and/or/not of those. */
struct expr *expr_parse(const char *text, struct lc_error *err)
{
    struct parser p = {.err = err};
    struct node *root = NULL;
    if (!text)
        text = "";
    expr_lex_init(&p.lx, text);
    if (next(&p) < 0)
        goto fail;
    if (p.lx.tok.type == T_EOF) {
        lc_error_at(err, 1, 1, "empty assertion");
        goto fail;
    }
    root = subexpr(&p, 0);
    if (!root)
        goto fail;
    if (p.lx.tok.type != T_EOF) {
        trailing(&p, root);
        goto fail;
    }
    if (!root->is_bool) {
        expr_unexpected(&p, "a comparison (< <= > >= == !=) or 'stays within N of baseline'");
        goto fail;
    }
    if (expr_check_trend(root, err) < 0)
        goto fail;
    expr_lex_done(&p.lx);
    struct expr *e = lc_calloc(1, sizeof(*e));
    e->text = lc_strdup(text);
    e->root = root;
    return e;
fail:
    expr_node_free(root);
    expr_lex_done(&p.lx);
    return NULL;
}

/* Frees e and its tree; NULL is fine. */
void expr_free(struct expr *e)
{
    if (!e)
        return;
    expr_node_free(e->root);
    free(e->text);
    free(e);
}

/* Returns the text e was parsed from, borrowed from e. */
const char *expr_text(const struct expr *e)
{
    return e->text;
}
