/*
 * assertions/expr_lex.c: the lexer of the assertion language. Turns the
 * text into numbers (with their units applied), identifiers, quoted
 * strings and punctuation, one token at a time.
 */
#include "assertions/expr_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_ident_start(char c)
{
    return is_alpha(c) || c == '_' || c == ':';
}

static int is_ident_char(char c)
{
    return is_ident_start(c) || is_digit(c);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Starts a lexer over src (borrowed); call expr_lex_next for the first token. */
void expr_lex_init(struct lexer *lx, const char *src)
{
    memset(lx, 0, sizeof(*lx));
    lx->src = src;
}

/* Frees the current token's string unless the parser took it. */
void expr_lex_done(struct lexer *lx)
{
    free(lx->tok.str);
    lx->tok.str = NULL;
}

static int col_of(size_t pos)
{
    return (int)pos + 1;
}

static const struct {
    const char *name;
    double factor;
    enum expr_unit unit;
} units[] = {
    {"ns", 1e-9, UNIT_TIME},
    {"us", 1e-6, UNIT_TIME},
    {"ms", 1e-3, UNIT_TIME},
    {"s", 1.0, UNIT_TIME},
    {"m", 60.0, UNIT_TIME},
    {"h", 3600.0, UNIT_TIME},
    {"B", 1.0, UNIT_SIZE},
    {"KB", 1024.0, UNIT_SIZE},
    {"MB", 1048576.0, UNIT_SIZE},
    {"GB", 1073741824.0, UNIT_SIZE},
    {"TB", 1099511627776.0, UNIT_SIZE},
    {"KiB", 1024.0, UNIT_SIZE},
    {"MiB", 1048576.0, UNIT_SIZE},
    {"GiB", 1073741824.0, UNIT_SIZE},
    {"TiB", 1099511627776.0, UNIT_SIZE},
};

static int find_unit(const char *u, size_t n)
{
    for (size_t i = 0; i < LC_ARRAY_LEN(units); i++)
        if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0)
            return (int)i;
    return -1;
}

/* A size, time or plain number written right before "/s", "/m" or "/h"
 * is a rate, kept per second (`10/h`: ten an hour, a count's rate).
 * Returns how many bytes the suffix took (0 when none). */
static size_t rate_suffix(const char *p, struct token *t)
{
    if (p[0] != '/')
        return 0;
    double per = p[1] == 's' ? 1.0 : p[1] == 'm' ? 60.0 : p[1] == 'h' ? 3600.0 : 0.0;
    if (per == 0.0 || is_ident_char(p[2]))
        return 0;
    t->num /= per;
    t->unit = t->unit == UNIT_TIME   ? UNIT_TIME_RATE
              : t->unit == UNIT_SIZE ? UNIT_SIZE_RATE
                                     : UNIT_NONE;
    return 2;
}

/* Applies the unit written right after a number (if any) at src[p];
 * returns the position after it, or (size_t)-1 with err set. */
static size_t lex_unit(const char *src, size_t p, struct token *t, struct lc_error *err)
{
    if (src[p] == '%') {
        t->num /= 100.0;
        t->unit = UNIT_PERCENT;
        return p + 1;
    }
    if (!is_ident_start(src[p]))
        return p + rate_suffix(src + p, t);
    size_t u = p;
    while (is_ident_char(src[p]))
        p++;
    int i = find_unit(src + u, p - u);
    if (i < 0) {
        lc_error_at(err, 1, col_of(u),
                    "unknown unit '%.*s' at column %d: known units are ns us ms s m h, "
                    "B KB MB GB TB (KiB MiB GiB TiB), %%",
                    (int)(p - u > 20 ? 20 : p - u), src + u, col_of(u));
        return (size_t)-1;
    }
    t->num *= units[i].factor;
    t->unit = units[i].unit;
    return p + rate_suffix(src + p, t);
}

/* Scans digits [. digits] [e [+-] digits] then an optional unit. */
static int lex_number(struct lexer *lx, struct token *t, struct lc_error *err)
{
    const char *s = lx->src;
    size_t p = lx->pos;
    while (is_digit(s[p]))
        p++;
    if (s[p] == '.' && is_digit(s[p + 1])) {
        p++;
        while (is_digit(s[p]))
            p++;
    }
    if (s[p] == 'e' || s[p] == 'E') {
        size_t q = p + 1;
        if (s[q] == '+' || s[q] == '-')
            q++;
        if (is_digit(s[q])) {
            p = q;
            while (is_digit(s[p]))
                p++;
        }
    }
    char buf[64];
    if (s[p] == '.') {
        lc_error_at(err, 1, col_of(lx->pos), "malformed number at column %d", col_of(lx->pos));
        return -1;
    }
    if (p - lx->pos >= sizeof(buf)) {
        lc_error_at(err, 1, col_of(lx->pos), "number too long at column %d", col_of(lx->pos));
        return -1;
    }
    memcpy(buf, s + lx->pos, p - lx->pos);
    buf[p - lx->pos] = '\0';
    errno = 0;
    t->num = strtod(buf, NULL);
    int range = errno == ERANGE;
    p = lex_unit(s, p, t, err);
    if (p == (size_t)-1)
        return -1;
    if (range || !isfinite(t->num)) {
        lc_error_at(err, 1, col_of(lx->pos), "number out of range at column %d", col_of(lx->pos));
        return -1;
    }
    t->type = T_NUM;
    t->len = p - lx->pos;
    return 0;
}

static int decode_escape(char c, char *out)
{
    switch (c) {
    case '\\':
        *out = '\\';
        return 0;
    case '"':
        *out = '"';
        return 0;
    case 'n':
        *out = '\n';
        return 0;
    default:
        return -1;
    }
}

/* A double-quoted label value with \\, \" and \n escapes. */
static int lex_string(struct lexer *lx, struct token *t, struct lc_error *err)
{
    const char *s = lx->src;
    size_t p = lx->pos + 1;
    struct lc_buf b = {0};
    lc_buf_append(&b, "", 0);
    for (;;) {
        char c = s[p];
        if (c == '\0') {
            lc_error_at(err, 1, col_of(lx->pos), "unterminated string starting at column %d",
                        col_of(lx->pos));
            goto fail;
        }
        if (c == '"')
            break;
        if (c == '\\') {
            if (decode_escape(s[p + 1], &c) < 0) {
                lc_error_at(err, 1, col_of(p),
                            "bad escape at column %d: only \\\\, \\\" and \\n are allowed in "
                            "a string",
                            col_of(p));
                goto fail;
            }
            p++;
        }
        lc_buf_append(&b, &c, 1);
        p++;
    }
    t->type = T_STRING;
    t->str = b.data;
    t->len = p + 1 - lx->pos;
    return 0;
fail:
    lc_buf_free(&b);
    return -1;
}

static void lex_ident(struct lexer *lx, struct token *t)
{
    const char *s = lx->src;
    size_t p = lx->pos;
    while (is_ident_char(s[p]))
        p++;
    t->type = T_IDENT;
    t->len = p - lx->pos;
    while (is_blank(s[p]))
        p++;
    t->call = s[p] == '(';
}

/* Operators of one or two characters; longest match first. */
static const struct {
    const char *text;
    enum tok type;
} puncts[] = {
    {"<=", T_LE},    {">=", T_GE},    {"==", T_EQ},    {"!=", T_NE},    {"=~", T_RE},
    {"!~", T_NRE},   {"<", T_LT},     {">", T_GT},     {"=", T_ASSIGN}, {"(", T_LPAREN},
    {")", T_RPAREN}, {"{", T_LBRACE}, {"}", T_RBRACE}, {",", T_COMMA},  {"+", T_PLUS},
    {"-", T_MINUS},  {"*", T_STAR},   {"/", T_SLASH},
};

static int lex_punct(struct lexer *lx, struct token *t, struct lc_error *err)
{
    const char *s = lx->src + lx->pos;
    for (size_t i = 0; i < LC_ARRAY_LEN(puncts); i++) {
        size_t n = strlen(puncts[i].text);
        if (strncmp(s, puncts[i].text, n) == 0) {
            t->type = puncts[i].type;
            t->len = n;
            return 0;
        }
    }
    const char *hint = "";
    if (*s == '&')
        hint = " (write 'and')";
    else if (*s == '|')
        hint = " (write 'or')";
    else if (*s == '!')
        hint = " (write 'not')";
    if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f)
        lc_error_at(err, 1, col_of(lx->pos), "unexpected character '%c' at column %d%s", *s,
                    col_of(lx->pos), hint);
    else
        lc_error_at(err, 1, col_of(lx->pos), "unexpected byte 0x%02x at column %d",
                    (unsigned char)*s, col_of(lx->pos));
    return -1;
}

/* Reads the next token into lx->tok. Returns 0, or -1 with err at the
 * fault's column (the token then reads as end of input). */
int expr_lex_next(struct lexer *lx, struct lc_error *err)
{
    struct token *t = &lx->tok;
    free(t->str);
    memset(t, 0, sizeof(*t));
    const char *s = lx->src;
    while (is_blank(s[lx->pos]))
        lx->pos++;
    t->pos = lx->pos;
    char c = s[lx->pos];
    int rc = 0;
    if (c == '\0')
        t->type = T_EOF;
    else if (is_digit(c) || (c == '.' && is_digit(s[lx->pos + 1])))
        rc = lex_number(lx, t, err);
    else if (is_ident_start(c))
        lex_ident(lx, t);
    else if (c == '"')
        rc = lex_string(lx, t, err);
    else
        rc = lex_punct(lx, t, err);
    if (rc < 0) {
        t->type = T_EOF;
        return -1;
    }
    lx->pos += t->len;
    return 0;
}

/* Names the current token for messages: "end of input" or its quoted text. */
void expr_lex_describe(const struct lexer *lx, char *buf, size_t len)
{
    const struct token *t = &lx->tok;
    if (t->type == T_EOF) {
        snprintf(buf, len, "end of input");
        return;
    }
    int n = t->len > 24 ? 24 : (int)t->len;
    snprintf(buf, len, "'%.*s%s'", n, lx->src + t->pos, t->len > 24 ? "..." : "");
}

/* Returns 1 when the current token is the identifier `word`. */
int expr_lex_is(const struct lexer *lx, const char *word)
{
    const struct token *t = &lx->tok;
    return t->type == T_IDENT && strlen(word) == t->len &&
           memcmp(lx->src + t->pos, word, t->len) == 0;
}
