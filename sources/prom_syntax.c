/*
 * sources/prom_syntax.c: the syntax of one sample line of the Prometheus
 * text format -- names, label sets, values, timestamps and exemplars --
 * checked where it stands, nothing copied, every error at its column.
 *
 * This runs for every line of /metrics bodies of megabytes, so the loops
 * are tight: a character table for names and blanks, label values scanned
 * for '"' and '\\' eight bytes at a time, plain decimals read without
 * strtod (lc_parse_decimal).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sources/prom_internal.h"

int prom_fail(struct pr *r, size_t i, const char *fmt, ...)
{
    if (r->err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err->msg, sizeof(r->err->msg), fmt, ap);
        va_end(ap);
        r->err->line = r->lineno;
        r->err->col = (int)(i + 1 > 1000000 ? 1000000 : i + 1);
    }
    return -1;
}

static size_t fail_at(struct pr *r, size_t i, const char *what)
{
    prom_fail(r, i, "%s", what);
    return PROM_FAILED;
}

#define NAME_ANY (PROM_NAME_FIRST | PROM_NAME_REST)
/* clang-format off */
const unsigned char prom_char_class[256] = {
    [' '] = PROM_BLANK,
    ['\t'] = PROM_BLANK,
    [':'] = PROM_NAME_COLON,
    ['_'] = NAME_ANY,
#define D_(c) [c] = PROM_NAME_REST
    D_('0'), D_('1'), D_('2'), D_('3'), D_('4'), D_('5'), D_('6'), D_('7'), D_('8'), D_('9'),
#undef D_
#define L_(c) [c] = NAME_ANY, [c - 'a' + 'A'] = NAME_ANY
    L_('a'), L_('b'), L_('c'), L_('d'), L_('e'), L_('f'), L_('g'), L_('h'), L_('i'),
    L_('j'), L_('k'), L_('l'), L_('m'), L_('n'), L_('o'), L_('p'), L_('q'), L_('r'),
    L_('s'), L_('t'), L_('u'), L_('v'), L_('w'), L_('x'), L_('y'), L_('z'),
#undef L_
};
/* clang-format on */

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

size_t prom_name_end(const char *l, size_t i, size_t n, int colon)
{
    const unsigned char *u = (const unsigned char *)l;
    unsigned first = PROM_NAME_FIRST | (colon ? PROM_NAME_COLON : 0);
    unsigned rest = PROM_NAME_REST | (colon ? PROM_NAME_COLON : 0);
    if (i < n && (prom_char_class[u[i]] & first))
        for (i++; i < n && (prom_char_class[u[i]] & rest); i++)
            ;
    return i;
}

/* The first '"' or '\\' in l[i..n), or n: eight bytes at a time where
 * the byte order allows (a word has such a byte when one of w ^ '"' and
 * w ^ '\\' has a zero byte; the lowest byte flagged is exact). */
static size_t quote_or_escape(const char *l, size_t i, size_t n)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    for (; i + 8 <= n; i += 8) {
        uint64_t w, q, b;
        memcpy(&w, l + i, 8);
        q = w ^ (ones * '"');
        b = w ^ (ones * '\\');
        uint64_t hit = (((q - ones) & ~q) | ((b - ones) & ~b)) & highs;
        if (hit)
            return i + (size_t)(__builtin_ctzll(hit) >> 3);
    }
#endif
    while (i < n && l[i] != '"' && l[i] != '\\')
        i++;
    return i;
}

/* A quoted label value at l[i] (on the opening quote), checked; lb gets
 * where its text is and how many escapes it holds. Returns the index after
 * the closing quote. */
static size_t label_value(struct pr *r, size_t i, struct prom_lab *lb)
{
    const char *l = r->line;
    size_t n = r->len, k = i + 1, nesc = 0;
    while ((k = quote_or_escape(l, k, n)) < n && l[k] == '\\') {
        char e = k + 1 < n ? l[k + 1] : '\0';
        if (e != '\\' && e != '"' && e != 'n')
            return fail_at(r, k, "invalid escape in a label value (only \\\\, \\\" and \\n)");
        k += 2;
        nesc++;
    }
    if (k >= n)
        return fail_at(r, i, "unterminated label value");
    lb->val = i + 1;
    lb->nval = k - (i + 1);
    lb->nesc = nesc;
    return k + 1;
}

/* One `name="value"` of a label set at l[i], noted in r->labs when
 * collect is set. Returns the index after it. */
static size_t one_label(struct pr *r, size_t i, int collect)
{
    const char *l = r->line;
    size_t n = r->len;
    struct prom_lab lb = {.name = i};
    if (collect && r->nlabs < r->nshared_names) /* the text up to its '=' repeats the last line's */
        i += r->last_labs[r->nlabs].nname;
    else
        i = prom_name_end(l, i, n, 0);
    lb.nname = i - lb.name;
    if (lb.nname == 0)
        return fail_at(r, i, "expected a label name or '}'");
    /* `name="value"` without blanks is the rule, blanks the exception */
    if (i >= n || l[i] != '=')
        i = prom_skip_blanks(l, i, n);
    if (i >= n || l[i] != '=')
        return fail_at(r, i, "expected '=' after the label name");
    if (++i >= n || l[i] != '"')
        i = prom_skip_blanks(l, i, n);
    if (i >= n || l[i] != '"')
        return fail_at(r, i, "expected a quoted label value");
    if ((i = label_value(r, i, &lb)) == PROM_FAILED)
        return PROM_FAILED;
    if (collect) {
        if (r->nlabs == r->cap_labs)
            lc_grow((void **)&r->labs, &r->cap_labs, r->nlabs + 1, sizeof(*r->labs));
        r->labs[r->nlabs++] = lb;
    }
    return i;
}

size_t prom_label_set(struct pr *r, size_t i, int in_label, int collect)
{
    const char *l = r->line;
    size_t n = r->len;
    if (!in_label)
        i++; /* the '{' */
    for (;;) {
        if (!in_label) {
            if (i < n && (prom_char_class[(unsigned char)l[i]] & PROM_BLANK))
                i = prom_skip_blanks(l, i, n);
            if (i < n && l[i] == '}')
                return i + 1;
            if ((i = one_label(r, i, collect)) == PROM_FAILED)
                return PROM_FAILED;
        }
        in_label = 0;
        if (i < n && (prom_char_class[(unsigned char)l[i]] & PROM_BLANK))
            i = prom_skip_blanks(l, i, n);
        if (i < n && l[i] == ',')
            i++;
        else if (i >= n || l[i] != '}')
            return fail_at(r, i, "expected ',' or '}' after a label");
    }
}

/* The blank-separated token at line[*i]: a number as Go's ParseFloat reads
 * it (NaN, +Inf, -Inf, exponents). A plain decimal followed by a blank or
 * the line's end is read here, anything else by strtod. */
static int number(struct pr *r, size_t *i, double *out, const char *what)
{
    size_t s = *i;
    size_t used = lc_parse_decimal(r->line + s, r->len - s, out);
    if (used > 0 && used < 64 && (s + used == r->len || is_blank(r->line[s + used]))) {
        *i = s + used;
        return 0;
    }
    while (*i < r->len && !is_blank(r->line[*i]))
        (*i)++;
    char tmp[64];
    const char *end = NULL;
    size_t n = *i - s;
    if (n == 0 || n >= sizeof(tmp))
        return prom_fail(r, s, "expected %s", what);
    memcpy(tmp, r->line + s, n);
    tmp[n] = '\0';
    if (lc_parse_double(tmp, &end, out) != 0 || end != tmp + n)
        return prom_fail(r, s, "bad %s \"%s\"", what, tmp);
    return 0;
}

/* Text 0.0.4: integer milliseconds. OpenMetrics: seconds, maybe fractional. */
static int timestamp(struct pr *r, size_t *i, int64_t *ms)
{
    size_t s = *i;
    double v;
    if (number(r, i, &v, "timestamp") != 0)
        return -1;
    if (r->om)
        v *= 1000.0;
    else if (memchr(r->line + s, '.', *i - s) || memchr(r->line + s, 'e', *i - s))
        return prom_fail(r, s, "a timestamp in milliseconds is a whole number");
    if (!isfinite(v) || fabs(v) > 9.2e18)
        return prom_fail(r, s, "timestamp out of range");
    *ms = (int64_t)llround(v);
    return 0;
}

/* OpenMetrics exemplar after the value: `# {labels} value [timestamp]`. */
static int exemplar(struct pr *r, size_t i)
{
    double v;
    int64_t ts;
    if (!r->om)
        return prom_fail(r, i,
                         "an exemplar outside OpenMetrics (no \"# EOF\" at the end: cut short?)");
    i = prom_skip_blanks(r->line, i + 1, r->len);
    if (i >= r->len || r->line[i] != '{')
        return prom_fail(r, i, "expected '{' of an exemplar's labels");
    if ((i = prom_label_set(r, i, 0, 0)) == PROM_FAILED)
        return -1;
    i = prom_skip_blanks(r->line, i, r->len);
    if (number(r, &i, &v, "exemplar value") != 0)
        return -1;
    i = prom_skip_blanks(r->line, i, r->len);
    if (i < r->len && timestamp(r, &i, &ts) != 0)
        return -1;
    if (i < r->len)
        return prom_fail(r, i, "unexpected text after the exemplar");
    return 0;
}

int prom_sample_tail(struct pr *r, size_t i, struct prom_sample *s)
{
    if (number(r, &i, &s->value, "sample value") != 0)
        return -1;
    i = prom_skip_blanks(r->line, i, r->len);
    if (i < r->len && r->line[i] != '#') {
        if (timestamp(r, &i, &s->timestamp_ms) != 0)
            return -1;
        s->has_timestamp = 1;
        i = prom_skip_blanks(r->line, i, r->len);
    }
    if (i < r->len && r->line[i] == '#')
        return exemplar(r, i);
    if (i < r->len)
        return prom_fail(r, i, "unexpected text after the sample");
    return 0;
}
