/*
 * framework/prom.c: the Prometheus text exposition format 0.0.4 and
 * OpenMetrics text, as client_golang and the exposition specs write them.
 *
 * A sample line is `name{label="value",...} value [timestamp]`, fields
 * separated by spaces or tabs, a trailing comma allowed inside the braces,
 * label values escaping \\ \" and \n. An exposition whose last line is
 * "# EOF" is OpenMetrics: timestamps are seconds (not milliseconds) and a
 * sample may carry an exemplar (` # {labels} value [timestamp]`), which is
 * checked and dropped. Lines end in LF or CRLF; trailing blanks are fine.
 */
#include "framework/prom.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"

/* A label of the current line as it stands in the text: offsets into the
 * line, the value between its quotes, and how many escapes it holds. */
struct lab {
    size_t name, nname;
    size_t val, nval, nesc;
};

/* A string of the last sample kept, to share with the next one. */
struct prev {
    const char *s;
    size_t n;
};

struct pr {
    const char *p, *end;
    const char *line; /* current line without its line end or trailing blanks */
    size_t len;
    int lineno;
    int om;      /* OpenMetrics: the last non-blank line is "# EOF" */
    int eof;     /* "# EOF" seen */
    struct lc_error *err;
    struct prom_set *set;
    size_t cap;
    int filter; /* keep only the samples named in names[] */
    const char *const *names;
    size_t *name_lens; /* strlen of each of names[] (SIZE_MAX for a NULL name) */
    size_t nnames;
    struct lab *labs; /* the labels of the current sample line */
    size_t nlabs, cap_labs;
    struct lc_strset *strs; /* metric and label names of the kept samples */
    struct prev *prev_vals; /* label values of the last kept sample */
    size_t nprev, cap_prev;
};

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int pr_next(struct pr *r)
{
    if (r->p >= r->end)
        return 0;
    const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    r->line = r->p;
    r->len = nl ? (size_t)(nl - r->p) : (size_t)(r->end - r->p);
    while (r->len > 0 && (is_blank(r->line[r->len - 1]) || r->line[r->len - 1] == '\r'))
        r->len--;
    r->p = nl ? nl + 1 : r->end;
    r->lineno++;
    return 1;
}

static int pr_fail(struct pr *r, size_t i, const char *fmt, ...) LC_PRINTF(3, 4);
static int pr_fail(struct pr *r, size_t i, const char *fmt, ...)
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

static int is_eof_line(const char *s, size_t n)
{
    return n == 5 && memcmp(s, "# EOF", 5) == 0;
}

/* OpenMetrics ends with "# EOF": look at the last non-blank line, found
 * from the end (a line is blank when it holds only spaces, tabs and CRs,
 * which pr_next trims off its end). */
static int is_openmetrics(const char *text, size_t len)
{
    size_t e = len;
    while (e > 0 && (is_blank(text[e - 1]) || text[e - 1] == '\r' || text[e - 1] == '\n'))
        e--;
    if (e == 0)
        return 0;
    const char *nl = memrchr(text, '\n', e);
    size_t b = nl ? (size_t)(nl - text) + 1 : 0;
    while (b < e && is_blank(text[b]))
        b++;
    return is_eof_line(text + b, e - b);
}

/* The index at which a failure is reported: r->err is filled. */
#define FAILED SIZE_MAX

static size_t fail_at(struct pr *r, size_t i, const char *what)
{
    pr_fail(r, i, "%s", what);
    return FAILED;
}

static size_t skip_blanks(const char *l, size_t i, size_t n)
{
    while (i < n && is_blank(l[i]))
        i++;
    return i;
}

/* Characters of names: NAME_FIRST may start one, NAME_REST may follow,
 * NAME_COLON is ':' (in metric names only). */
enum { NAME_FIRST = 1, NAME_REST = 2, NAME_COLON = 4 };

static const unsigned char name_class[256] = {
    [':'] = NAME_COLON,
    ['_'] = NAME_FIRST | NAME_REST,
#define D_(c) [c] = NAME_REST
    D_('0'), D_('1'), D_('2'), D_('3'), D_('4'), D_('5'), D_('6'), D_('7'), D_('8'), D_('9'),
#undef D_
#define L_(c) [c] = NAME_FIRST | NAME_REST, [c - 'a' + 'A'] = NAME_FIRST | NAME_REST
    L_('a'), L_('b'), L_('c'), L_('d'), L_('e'), L_('f'), L_('g'), L_('h'), L_('i'),
    L_('j'), L_('k'), L_('l'), L_('m'), L_('n'), L_('o'), L_('p'), L_('q'), L_('r'),
    L_('s'), L_('t'), L_('u'), L_('v'), L_('w'), L_('x'), L_('y'), L_('z'),
#undef L_
};

/* The end of the name at l[i] (i itself when there is none): a metric
 * name when colon is set (':' allowed), else a label name. */
static size_t name_end(const char *l, size_t i, size_t n, int colon)
{
    const unsigned char *u = (const unsigned char *)l;
    unsigned first = NAME_FIRST | (colon ? NAME_COLON : 0);
    unsigned rest = NAME_REST | (colon ? NAME_COLON : 0);
    if (i < n && (name_class[u[i]] & first))
        for (i++; i < n && (name_class[u[i]] & rest); i++)
            ;
    return i;
}

/* The first '"' or '\\' in l[i..n), or n: eight bytes at a time where
 * the byte order allows (a word has such a byte when one of w ^ '"' and
 * w ^ '\\' has a zero byte; the lowest flagged byte is exact). */
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
static size_t label_value(struct pr *r, size_t i, struct lab *lb)
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
    struct lab lb = {.name = i};
    i = name_end(l, i, n, 0);
    lb.nname = i - lb.name;
    if (lb.nname == 0)
        return fail_at(r, i, "expected a label name or '}'");
    i = skip_blanks(l, i, n);
    if (i >= n || l[i] != '=')
        return fail_at(r, i, "expected '=' after the label name");
    i = skip_blanks(l, i + 1, n);
    if (i >= n || l[i] != '"')
        return fail_at(r, i, "expected a quoted label value");
    if ((i = label_value(r, i, &lb)) == FAILED)
        return FAILED;
    if (collect) {
        lc_grow((void **)&r->labs, &r->cap_labs, r->nlabs + 1, sizeof(*r->labs));
        r->labs[r->nlabs++] = lb;
    }
    return i;
}

/* `{a="b",c="d",}` at line[i] (on the '{'), checked; its labels are noted
 * in r->labs when collect is set (nothing is copied either way). Returns
 * the index after the '}'. */
static size_t label_set(struct pr *r, size_t i, int collect)
{
    const char *l = r->line;
    size_t n = r->len;
    for (i++;;) {
        i = skip_blanks(l, i, n);
        if (i < n && l[i] == '}')
            return i + 1;
        if ((i = one_label(r, i, collect)) == FAILED)
            return FAILED;
        i = skip_blanks(l, i, n);
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
        return pr_fail(r, s, "expected %s", what);
    memcpy(tmp, r->line + s, n);
    tmp[n] = '\0';
    if (lc_parse_double(tmp, &end, out) != 0 || end != tmp + n)
        return pr_fail(r, s, "bad %s \"%s\"", what, tmp);
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
        return pr_fail(r, s, "a timestamp in milliseconds is a whole number");
    if (!isfinite(v) || fabs(v) > 9.2e18)
        return pr_fail(r, s, "timestamp out of range");
    *ms = (int64_t)llround(v);
    return 0;
}

/* OpenMetrics exemplar after the value: `# {labels} value [timestamp]`. */
static int exemplar(struct pr *r, size_t i)
{
    double v;
    int64_t ts;
    if (!r->om)
        return pr_fail(r, i,
                       "an exemplar outside OpenMetrics (no \"# EOF\" at the end: cut short?)");
    i = skip_blanks(r->line, i + 1, r->len);
    if (i >= r->len || r->line[i] != '{')
        return pr_fail(r, i, "expected '{' of an exemplar's labels");
    if ((i = label_set(r, i, 0)) == FAILED)
        return -1;
    i = skip_blanks(r->line, i, r->len);
    if (number(r, &i, &v, "exemplar value") != 0)
        return -1;
    i = skip_blanks(r->line, i, r->len);
    if (i < r->len && timestamp(r, &i, &ts) != 0)
        return -1;
    if (i < r->len)
        return pr_fail(r, i, "unexpected text after the exemplar");
    return 0;
}

/* The value, timestamp and exemplar of a sample, from line[i]. */
static int sample_tail(struct pr *r, size_t i, struct prom_sample *s)
{
    if (number(r, &i, &s->value, "sample value") != 0)
        return -1;
    i = skip_blanks(r->line, i, r->len);
    if (i < r->len && r->line[i] != '#') {
        if (timestamp(r, &i, &s->timestamp_ms) != 0)
            return -1;
        s->has_timestamp = 1;
        i = skip_blanks(r->line, i, r->len);
    }
    if (i < r->len && r->line[i] == '#')
        return exemplar(r, i);
    if (i < r->len)
        return pr_fail(r, i, "unexpected text after the sample");
    return 0;
}

/* Whether the metric named line[s..s+n) is one to keep. */
static int wanted(const struct pr *r, size_t s, size_t n)
{
    if (!r->filter)
        return 1;
    for (size_t k = 0; k < r->nnames; k++)
        if (r->name_lens[k] == n && memcmp(r->names[k], r->line + s, n) == 0)
            return 1;
    return 0;
}

/* The value of label lb, copied into the set's arena; the last kept
 * sample's value at the same place is shared when equal (the buckets of a
 * histogram differ only in `le`). An escape-free value is compared as it
 * stands: without a backslash it cannot equal an unescaped one otherwise. */
static const char *keep_value(struct pr *r, size_t k, const struct lab *lb)
{
    const char *v = r->line + lb->val;
    if (lb->nesc == 0 && k < r->nprev && r->prev_vals[k].n == lb->nval &&
        memcmp(r->prev_vals[k].s, v, lb->nval) == 0)
        return r->prev_vals[k].s;
    char *out = lc_arena_alloc(r->set->arena, lb->nval - lb->nesc + 1);
    size_t o = 0;
    for (size_t j = 0; j < lb->nval; j++) {
        char c = v[j];
        if (c == '\\' && lb->nesc) {
            c = v[++j];
            c = c == 'n' ? '\n' : c;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return out;
}

/* Stores a sample whose name is line[s..s+nn) and whose labels are
 * r->labs: strings in the set's arena, names stored once each. */
static void keep_sample(struct pr *r, size_t s, size_t nn, struct prom_sample *smp)
{
    smp->name = (char *)lc_strset_get(r->strs, r->line + s, nn);
    smp->nlabels = r->nlabs;
    if (r->nlabs) {
        smp->labels = lc_arena_alloc(r->set->arena, r->nlabs * sizeof(*smp->labels));
        lc_grow((void **)&r->prev_vals, &r->cap_prev, r->nlabs, sizeof(*r->prev_vals));
    }
    for (size_t k = 0; k < r->nlabs; k++) {
        const struct lab *lb = &r->labs[k];
        smp->labels[k].name = (char *)lc_strset_get(r->strs, r->line + lb->name, lb->nname);
        smp->labels[k].value = (char *)keep_value(r, k, lb);
    }
    for (size_t k = 0; k < r->nlabs; k++)
        r->prev_vals[k] = (struct prev){smp->labels[k].value, r->labs[k].nval - r->labs[k].nesc};
    r->nprev = r->nlabs;
    struct prom_set *set = r->set;
    lc_grow((void **)&set->samples, &r->cap, set->nsamples + 1, sizeof(*set->samples));
    set->samples[set->nsamples++] = *smp;
}

/* A sample line, checked in full; stored only when its metric is wanted
 * (the labels of the others are never copied). */
static int sample_line(struct pr *r, size_t i)
{
    size_t s = i;
    i = name_end(r->line, i, r->len, 1);
    size_t nn = i - s;
    if (nn == 0)
        return pr_fail(r, i, "expected a metric name");
    int keep = wanted(r, s, nn);
    struct prom_sample smp = {0};
    size_t after = i;
    r->nlabs = 0;
    i = skip_blanks(r->line, i, r->len);
    if (i < r->len && r->line[i] == '{') {
        if ((i = label_set(r, i, keep)) == FAILED)
            return -1;
        i = skip_blanks(r->line, i, r->len);
    } else if (i == after && i < r->len) {
        return pr_fail(r, i, "unexpected character in the metric name");
    }
    if (sample_tail(r, i, &smp) != 0)
        return -1;
    if (keep)
        keep_sample(r, s, nn, &smp);
    return 0;
}

static int one_line(struct pr *r)
{
    size_t i = skip_blanks(r->line, 0, r->len);
    if (i == r->len)
        return 0;
    if (r->eof)
        return pr_fail(r, i, "text after \"# EOF\"");
    if (r->line[i] == '#') {
        /* HELP, TYPE, UNIT and other comments carry no samples */
        r->eof = is_eof_line(r->line + i, r->len - i);
        return 0;
    }
    return sample_line(r, i);
}

static struct prom_set *parse(const char *text, size_t len, int filter, const char *const *names,
                              size_t nnames, struct lc_error *err)
{
    struct pr r = {.p = text ? text : "",
                   .err = err,
                   .filter = filter,
                   .names = names,
                   .nnames = names ? nnames : 0};
    r.end = r.p + (text ? len : 0);
    r.om = is_openmetrics(r.p, (size_t)(r.end - r.p));
    r.set = lc_calloc(1, sizeof(*r.set));
    r.set->arena = lc_arena_new();
    r.strs = lc_strset_new(r.set->arena);
    r.name_lens = lc_calloc(r.nnames, sizeof(*r.name_lens));
    for (size_t k = 0; k < r.nnames; k++)
        r.name_lens[k] = names[k] ? strlen(names[k]) : SIZE_MAX;
    while (pr_next(&r)) {
        if (one_line(&r) != 0) {
            prom_free(r.set);
            r.set = NULL;
            break;
        }
    }
    free(r.name_lens);
    free(r.labs);
    free(r.prev_vals);
    lc_strset_free(r.strs);
    return r.set;
}

struct prom_set *prom_parse(const char *text, size_t len, struct lc_error *err)
{
    return parse(text, len, 0, NULL, 0, err);
}

struct prom_set *prom_parse_only(const char *text, size_t len, const char *const *names,
                                 size_t nnames, struct lc_error *err)
{
    return parse(text, len, 1, names, nnames, err);
}

void prom_free(struct prom_set *s)
{
    if (!s)
        return;
    free(s->samples);
    lc_arena_free(s->arena);
    free(s);
}

static int matches(const struct prom_sample *smp, const struct prom_matcher *m, size_t nm)
{
    for (size_t k = 0; k < nm; k++) {
        int hit = 0;
        for (size_t j = 0; j < smp->nlabels && !hit; j++)
            hit = strcmp(smp->labels[j].name, m[k].name) == 0 &&
                  strcmp(smp->labels[j].value, m[k].value) == 0;
        if (!hit)
            return 0;
    }
    return 1;
}

size_t prom_sum(const struct prom_set *s, const char *name, const struct prom_matcher *m, size_t nm,
                double *out)
{
    size_t hits = 0;
    double sum = 0;
    if (!s || !name)
        return 0;
    for (size_t i = 0; i < s->nsamples; i++) {
        const struct prom_sample *smp = &s->samples[i];
        if (strcmp(smp->name, name) != 0 || !matches(smp, m, nm))
            continue;
        sum += smp->value;
        hits++;
    }
    if (hits)
        *out = sum;
    return hits;
}
