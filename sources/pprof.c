/*
 * sources/pprof.c: goroutine?debug=1 profiles, and the line reader that
 * heap profiles share (pprof_heap.c); records are read in pprof_record.c.
 *
 * The text comes from runtime/pprof's printCountProfile/printStackRecord
 * through a tabwriter: fields of a frame line are separated by runs of
 * tabs, a file path may hold spaces (and, in theory, tabs: it is the rest
 * of the line), and every record ends with a blank line. A profile whose
 * records do not add up to its header, or whose last record has no blank
 * line, was cut short: it is an error, never data.
 */
#include "sources/pprof_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pp_start(struct pp *pp, const char *text, size_t len, enum pprof_kind kind,
              struct lc_error *err)
{
    memset(pp, 0, sizeof(*pp));
    pp->p = text ? text : "";
    pp->end = pp->p + (text ? len : 0);
    pp->err = err;
    pp->prof = lc_calloc(1, sizeof(*pp->prof));
    pp->prof->kind = kind;
    pp->prof->store = pprof_store_new();
}

struct pprof_profile *pp_finish(struct pp *pp, int ok)
{
    free(pp->frames);
    free(pp->seen);
    lc_hindex_free(&pp->seen_index);
    pp->frames = NULL;
    pp->seen = NULL;
    if (ok)
        return pp->prof;
    pprof_free(pp->prof);
    return NULL;
}

int pp_next(struct pp *pp)
{
    if (pp->p >= pp->end)
        return 0;
    const char *nl = memchr(pp->p, '\n', (size_t)(pp->end - pp->p));
    pp->line = pp->p;
    pp->len = nl ? (size_t)(nl - pp->p) : (size_t)(pp->end - pp->p);
    pp->has_nl = nl != NULL;
    /* a CR only counts as part of a CRLF line end */
    if (pp->has_nl && pp->len > 0 && pp->line[pp->len - 1] == '\r')
        pp->len--;
    pp->p = nl ? nl + 1 : pp->end;
    pp->lineno++;
    return 1;
}

int pp_fail(struct pp *pp, size_t col, const char *fmt, ...)
{
    if (pp->err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(pp->err->msg, sizeof(pp->err->msg), fmt, ap);
        va_end(ap);
        pp->err->line = pp->lineno;
        pp->err->col = (int)(col > 1000000 ? 1000000 : col);
    }
    return -1;
}

void pp_at_end(struct pp *pp)
{
    if (pp->has_nl) {
        pp->lineno++;
        pp->len = 0;
    }
}

int pp_u64(const char *s, size_t n, size_t *i, uint64_t *out)
{
    size_t k = *i;
    uint64_t v = 0;
    while (k < n && s[k] >= '0' && s[k] <= '9') {
        unsigned d = (unsigned)(s[k] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
        k++;
    }
    if (k == *i)
        return -1;
    *i = k;
    *out = v;
    return 0;
}

int pp_lit(const struct pp *pp, size_t *i, const char *lit)
{
    size_t n = strlen(lit);
    if (*i + n > pp->len || memcmp(pp->line + *i, lit, n) != 0)
        return -1;
    *i += n;
    return 0;
}

int pp_check_start(struct pp *pp, const char *what)
{
    if (pp->p >= pp->end)
        return pp_fail(pp, 0, "empty body: not a %s", what);
    const unsigned char *u = (const unsigned char *)pp->p;
    const char *bad = NULL;
    if (pp->end - pp->p >= 2 && u[0] == 0x1f && u[1] == 0x8b)
        bad = "gzip data (a binary debug=0 profile)";
    else if (u[0] == '<')
        bad = "HTML";
    if (!bad)
        return 0;
    pp->lineno = 1;
    return pp_fail(pp, 1, "%s, not a %s: ask for ?debug=1", bad, what);
}

/* "goroutine profile: total N" */
static int goroutine_header(struct pp *pp)
{
    size_t i = 0;
    if (pp_check_start(pp, "goroutine profile") != 0)
        return -1;
    pp_next(pp);
    if (pp_lit(pp, &i, "goroutine profile: total ") != 0)
        return pp_fail(pp, 1, "not a goroutine profile (expected \"goroutine profile: total N\")");
    if (pp_u64(pp->line, pp->len, &i, &pp->prof->total) != 0 || i != pp->len || !pp->has_nl)
        return pp_fail(pp, i + 1, "expected the goroutine total and a line end");
    return 0;
}

static int goroutine_body(struct pp *pp)
{
    uint64_t sum = 0;
    while (pp_next(pp)) {
        if (pp->len == 0 && pp->has_nl)
            continue;
        size_t i = 0;
        uint64_t count;
        if (pp_u64(pp->line, pp->len, &i, &count) != 0)
            return pp_fail(pp, 1, "expected a record (\"COUNT @ 0x...\")");
        struct pprof_stack *st = pp_record(pp, i);
        if (!st)
            return -1;
        st->count = count;
        sum = sum + count < sum ? UINT64_MAX : sum + count;
    }
    pp_at_end(pp);
    if (sum != pp->prof->total)
        return pp_fail(pp, pp->len + 1,
                       "the records hold %llu goroutines but the header says %llu "
                       "(profile cut short?)",
                       (unsigned long long)sum, (unsigned long long)pp->prof->total);
    return 0;
}

struct pprof_profile *pprof_parse_goroutine(const char *text, size_t len, struct lc_error *err)
{
    struct pp pp;
    pp_start(&pp, text, len, PPROF_GOROUTINE, err);
    return pp_finish(&pp, goroutine_header(&pp) == 0 && goroutine_body(&pp) == 0);
}

void pprof_drop(struct pprof_profile *p, size_t i, uint64_t n)
{
    struct pprof_stack *st = &p->stacks[i];
    n = n < st->count ? n : st->count;
    st->count -= n;
    p->total -= n < p->total ? n : p->total;
    if (st->count > 0)
        return;
    /* its frames and labels belong to the profile's store */
    memmove(st, st + 1, (p->nstacks - i - 1) * sizeof(*st));
    p->nstacks--;
}

void pprof_free(struct pprof_profile *p)
{
    if (!p)
        return;
    pprof_store_free(p->store);
    free(p->stacks);
    for (size_t i = 0; i < p->nmemstats; i++)
        free(p->memstats[i].name);
    free(p->memstats);
    free(p);
}

int pprof_memstat(const struct pprof_profile *p, const char *name, double *out)
{
    if (!p || !name)
        return -1;
    for (size_t i = 0; i < p->nmemstats; i++) {
        if (strcmp(p->memstats[i].name, name) == 0) {
            *out = p->memstats[i].value;
            return 0;
        }
    }
    return -1;
}
