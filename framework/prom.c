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

struct pr {
    const char *p, *end;
    const char *line; /* current line without its line end or trailing blanks */
    size_t len;
    int lineno;
    int om;      /* OpenMetrics: the last non-blank line is "# EOF" */
    int eof;     /* "# EOF" seen */
    size_t col0; /* where the current token started, for errors */
    struct lc_error *err;
    struct prom_set *set;
    size_t cap;
    int filter; /* keep only the samples named in names[] */
    const char *const *names;
    size_t nnames;
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

/* OpenMetrics ends with "# EOF": look at the last non-blank line. */
static int is_openmetrics(const char *text, size_t len)
{
    struct pr r = {.p = text, .end = text + len};
    int last_eof = 0;
    while (pr_next(&r)) {
        size_t i = 0;
        while (i < r.len && is_blank(r.line[i]))
            i++;
        if (i < r.len)
            last_eof = is_eof_line(r.line + i, r.len - i);
    }
    return last_eof;
}

static size_t skip_blanks(const struct pr *r, size_t i)
{
    while (i < r->len && is_blank(r->line[i]))
        i++;
    return i;
}

static int name_char(char c, int first, int colon)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':'))
        return 1;
    return !first && c >= '0' && c <= '9';
}

/* A metric (colon) or label name at line[*i]; returns its length or 0. */
static size_t name_at(const struct pr *r, size_t *i, int colon)
{
    size_t s = *i;
    while (*i < r->len && name_char(r->line[*i], *i == s, colon))
        (*i)++;
    return *i - s;
}

/* A quoted label value at line[*i] (on the opening quote), unescaped into
 * *out, or only checked when out is NULL. */
static int label_value(struct pr *r, size_t *i, char **out)
{
    struct lc_buf b = {0};
    size_t start = *i;
    if (out)
        lc_buf_append(&b, "", 0);
    for ((*i)++; *i < r->len && r->line[*i] != '"'; (*i)++) {
        char c = r->line[*i];
        if (c == '\\') {
            char e = *i + 1 < r->len ? r->line[*i + 1] : '\0';
            if (e != '\\' && e != '"' && e != 'n') {
                lc_buf_free(&b);
                return pr_fail(r, *i, "invalid escape in a label value (only \\\\, \\\" and \\n)");
            }
            c = e == 'n' ? '\n' : e;
            (*i)++;
        }
        if (out)
            lc_buf_append(&b, &c, 1);
    }
    if (*i >= r->len) {
        lc_buf_free(&b);
        return pr_fail(r, start, "unterminated label value");
    }
    (*i)++;
    if (out)
        *out = b.data;
    return 0;
}

static void free_labels(struct prom_label *l, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        free(l[k].name);
        free(l[k].value);
    }
    free(l);
}

/* One `name="value"` of a label set, appended to *l (only checked when l is
 * NULL). */
static int one_label(struct pr *r, size_t *i, struct prom_label **l, size_t *n, size_t *cap)
{
    size_t s = *i;
    size_t nn = name_at(r, i, 0);
    if (nn == 0)
        return pr_fail(r, *i, "expected a label name or '}'");
    *i = skip_blanks(r, *i);
    if (*i >= r->len || r->line[*i] != '=')
        return pr_fail(r, *i, "expected '=' after the label name");
    *i = skip_blanks(r, *i + 1);
    if (*i >= r->len || r->line[*i] != '"')
        return pr_fail(r, *i, "expected a quoted label value");
    char *v = NULL;
    if (label_value(r, i, l ? &v : NULL) != 0)
        return -1;
    if (!l)
        return 0;
    lc_grow((void **)l, cap, *n + 1, sizeof(**l));
    (*l)[*n].name = lc_strndup(r->line + s, nn);
    (*l)[*n].value = v;
    (*n)++;
    return 0;
}

/* `{a="b",c="d",}` at line[*i] (on the '{'), into *l and *n; only checked,
 * allocating nothing, when l is NULL. */
static int label_set(struct pr *r, size_t *i, struct prom_label **l, size_t *n)
{
    size_t cap = 0, none = 0;
    if (!l)
        n = &none;
    else
        *l = NULL;
    *n = 0;
    (*i)++;
    for (;;) {
        *i = skip_blanks(r, *i);
        if (*i < r->len && r->line[*i] == '}')
            break;
        if (one_label(r, i, l, n, &cap) != 0)
            goto fail;
        *i = skip_blanks(r, *i);
        if (*i < r->len && r->line[*i] == ',')
            (*i)++;
        else if (*i >= r->len || r->line[*i] != '}') {
            pr_fail(r, *i, "expected ',' or '}' after a label");
            goto fail;
        }
    }
    (*i)++;
    return 0;
fail:
    if (l) {
        free_labels(*l, *n);
        *l = NULL;
    }
    *n = 0;
    return -1;
}

/* The blank-separated token at line[*i]: a number as Go's ParseFloat reads
 * it (NaN, +Inf, -Inf, exponents). */
static int number(struct pr *r, size_t *i, double *out, const char *what)
{
    size_t s = *i;
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
    i = skip_blanks(r, i + 1);
    if (i >= r->len || r->line[i] != '{')
        return pr_fail(r, i, "expected '{' of an exemplar's labels");
    if (label_set(r, &i, NULL, NULL) != 0)
        return -1;
    i = skip_blanks(r, i);
    if (number(r, &i, &v, "exemplar value") != 0)
        return -1;
    i = skip_blanks(r, i);
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
    i = skip_blanks(r, i);
    if (i < r->len && r->line[i] != '#') {
        if (timestamp(r, &i, &s->timestamp_ms) != 0)
            return -1;
        s->has_timestamp = 1;
        i = skip_blanks(r, i);
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
        if (r->names[k] && strncmp(r->names[k], r->line + s, n) == 0 && r->names[k][n] == '\0')
            return 1;
    return 0;
}

/* A sample line, checked in full; stored only when its metric is wanted
 * (the labels of the others are never copied). */
static int sample_line(struct pr *r, size_t i)
{
    size_t s = i;
    size_t nn = name_at(r, &i, 1);
    if (nn == 0)
        return pr_fail(r, i, "expected a metric name");
    int keep = wanted(r, s, nn);
    struct prom_sample smp = {0};
    size_t after = i;
    i = skip_blanks(r, i);
    if (i < r->len && r->line[i] == '{') {
        if (label_set(r, &i, keep ? &smp.labels : NULL, &smp.nlabels) != 0)
            return -1;
        i = skip_blanks(r, i);
    } else if (i == after && i < r->len) {
        return pr_fail(r, i, "unexpected character in the metric name");
    }
    if (sample_tail(r, i, &smp) != 0) {
        free_labels(smp.labels, smp.nlabels);
        return -1;
    }
    if (!keep)
        return 0;
    smp.name = lc_strndup(r->line + s, nn);
    struct prom_set *set = r->set;
    lc_grow((void **)&set->samples, &r->cap, set->nsamples + 1, sizeof(*set->samples));
    set->samples[set->nsamples++] = smp;
    return 0;
}

static int one_line(struct pr *r)
{
    size_t i = skip_blanks(r, 0);
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
    while (pr_next(&r)) {
        if (one_line(&r) != 0) {
            prom_free(r.set);
            return NULL;
        }
    }
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
    for (size_t i = 0; i < s->nsamples; i++) {
        free(s->samples[i].name);
        free_labels(s->samples[i].labels, s->samples[i].nlabels);
    }
    free(s->samples);
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
