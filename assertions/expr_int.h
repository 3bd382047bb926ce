/*
 * assertions/expr_int.h: what the lexer, parser, evaluator and formatter of
 * the assertion language share. Not for use outside assertions/.
 */
#ifndef LC_EXPR_INT_H
#define LC_EXPR_INT_H

#include <stddef.h>

#include "assertions/expr.h"

/* Deepest nesting of sub-expressions the parser accepts (parentheses, unary
 * operators, right operands), and the tallest tree it builds (a long chain
 * of `a + b + c ...` is shallow to parse but tall as a tree). Both keep the
 * recursive parser, evaluator and expr_free far from the stack's end. */
#define EXPR_MAX_DEPTH 64
#define EXPR_MAX_HEIGHT 256

/* What a number means, so results can be shown in the unit they were
 * written in. Propagated through arithmetic to the comparison. */
enum expr_unit {
    UNIT_NONE,
    UNIT_TIME,      /* seconds */
    UNIT_SIZE,      /* bytes */
    UNIT_PERCENT,   /* a fraction */
    UNIT_TIME_RATE, /* seconds per second */
    UNIT_SIZE_RATE, /* bytes per second */
};

enum tok {
    T_EOF,
    T_NUM,
    T_IDENT,
    T_STRING,
    T_LPAREN,
    T_RPAREN,
    T_LBRACE,
    T_RBRACE,
    T_COMMA,
    T_ASSIGN, /* =  (only inside label selectors) */
    T_RE,     /* =~ (rejected with a clear message) */
    T_NRE,    /* !~ (likewise) */
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    T_EQ,
    T_NE,
    T_PLUS,
    T_MINUS,
    T_STAR,
    T_SLASH,
};

struct token {
    enum tok type;
    size_t pos; /* byte offset in the source; the column is pos + 1 */
    size_t len; /* bytes of source the token covers */
    double num; /* T_NUM: the value in canonical units */
    enum expr_unit unit;
    char *str; /* T_STRING: the decoded value, owned by the lexer until taken */
    int call;  /* T_IDENT: the next non-blank character is '(' */
};

struct lexer {
    const char *src;
    size_t pos;
    struct token tok;
};

/* Starts a lexer over src (borrowed; must outlive the lexer). */
void expr_lex_init(struct lexer *lx, const char *src);
/* Reads the next token into lx->tok (freeing an untaken string of the
 * previous one). Returns 0, or -1 with err set at the fault's column. */
int expr_lex_next(struct lexer *lx, struct lc_error *err);
/* Releases what the lexer still owns. */
void expr_lex_done(struct lexer *lx);
/* Describes the current token for "unexpected ..." messages: "end of
 * input" or the token's text in quotes (shortened), into buf. */
void expr_lex_describe(const struct lexer *lx, char *buf, size_t len);
/* Whether the current token is the identifier `word`. */
int expr_lex_is(const struct lexer *lx, const char *word);

enum node_kind {
    N_NUM,    /* number literal */
    N_METRIC, /* metric reference with its reduction */
    N_NEG,    /* unary minus: a */
    N_ARITH,  /* a op b, op one of T_PLUS T_MINUS T_STAR T_SLASH */
    N_CMP,    /* a op b, op one of T_LT .. T_NE */
    N_WITHIN, /* a stays within b of baseline */
    N_AND,
    N_OR,
    N_NOT,
};

struct node {
    enum node_kind kind;
    enum tok op;
    size_t start, end; /* source span [start, end) for messages */
    size_t oppos;      /* operator position, for errors at evaluation */
    int is_bool;       /* a comparison or a combination of them */
    int height;        /* 1 for a leaf */
    enum expr_unit unit;
    double num;
    struct expr_metric metric; /* N_METRIC; strings and labels owned */
    enum expr_reduce reduce;
    size_t mpos; /* N_METRIC: where the metric name starts */
    struct node *a, *b;
};

struct expr {
    char *text;
    struct node *root;
};

struct parser {
    struct lexer lx;
    struct lc_error *err;
    int depth; /* of subexpr recursion */
};

/* Sets p->err to "unexpected X at column N: expected <fmt...>" about the
 * current token. */
void expr_unexpected(struct parser *p, const char *fmt, ...) LC_PRINTF(2, 3);
/* Returns a zeroed node of kind k spanning [start, end), height 1. */
struct node *expr_node_new(enum node_kind k, size_t start, size_t end);
/* Frees a tree; NULL is fine. */
void expr_node_free(struct node *n);
/* Parses a metric name (the current token) and its optional selector into
 * a N_METRIC node with reduction r whose span starts at start (the
 * reduction's name, or the metric's). Returns NULL with p->err set. */
struct node *expr_parse_metric(struct parser *p, enum expr_reduce r, size_t start);

/* Checks that every trend(m) stands alone on the left of <, <=, > or >=
 * with no trend() on the right. Returns 0, or -1 with err at its column. */
int expr_check_trend(const struct node *root, struct lc_error *err);

/* Formats v in unit u for people ("312ms", "12.0MB", "3.2%", "2003"). */
void expr_fmt_value(double v, enum expr_unit u, char *buf, size_t len);
/* Formats a plain number without exponent where sensible ("0.3", "2003"). */
void expr_fmt_num(double v, char *buf, size_t len);
/* The name of a reduction as written: "max", "baseline"; "" for final. */
const char *expr_reduce_name(enum expr_reduce r);

#endif
