/*
 * framework/pprof.c: goroutine?debug=1 profiles, and the line reader and
 * record parser that heap profiles share (pprof_heap.c).
 *
 * The text comes from runtime/pprof's printCountProfile/printStackRecord
 * through a tabwriter: fields of a frame line are separated by runs of
 * tabs, a file path may hold spaces (and, in theory, tabs: it is the rest
 * of the line), and every record ends with a blank line. A profile whose
 * records do not add up to its header, or whose last record has no blank
 * line, was cut short: it is an error, never data.
 */
#include "framework/pprof_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pp_init(struct pp *pp, const char *text, size_t len, struct lc_error *err)
{
    memset(pp, 0, sizeof(*pp));
    pp->p = text ? text : "";
    pp->end = pp->p + (text ? len : 0);
    pp->err = err;
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

/* Parses "0x" and 1 to 16 hex digits at s[*i]. */
static int hex_u64(const char *s, size_t n, size_t *i, uint64_t *out)
{
    size_t k = *i;
    uint64_t v = 0;
    if (k + 2 > n || s[k] != '0' || s[k + 1] != 'x')
        return -1;
    k += 2;
    size_t start = k;
    while (k < n && k - start < 17) {
        int d = lc_hex_digit(s[k]);
        if (d < 0)
            break;
        v = (v << 4) | (unsigned)d;
        k++;
    }
    if (k == start || k - start > 16)
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

static size_t skip_tabs(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] == '\t')
        i++;
    return i;
}

static size_t to_tab(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] != '\t')
        i++;
    return i;
}

/* "pkg.Func+0xOFF" (the name may hold spaces: "interface {}"). */
static char *func_name(const char *s, size_t n)
{
    for (size_t k = n; k >= 3; k--)
        if (memcmp(s + k - 3, "+0x", 3) == 0)
            return lc_strndup(s, k - 3);
    return lc_strndup(s, n);
}

/* "path/with spaces/file.go:LINE": the number is after the last ':'. */
static int file_line(struct pp *pp, size_t at, struct pprof_frame *f)
{
    const char *s = pp->line + at;
    size_t n = pp->len - at;
    size_t colon = n;
    while (colon > 0 && s[colon - 1] != ':')
        colon--;
    uint64_t line = 0;
    size_t k = colon;
    if (colon == 0 || pp_u64(s, n, &k, &line) != 0 || k != n || line > INT32_MAX)
        return pp_fail(pp, at + colon + 1, "expected FILE:LINE at the end of a frame line");
    f->file = lc_strndup(s, colon - 1);
    f->line = (int)line;
    return 0;
}

/* "#\t0xPC\tpkg.Func+0xOFF\tfile:line", or "#\t0xPC" for an unknown function. */
static int parse_frame(struct pp *pp, struct pprof_frame *f)
{
    const char *s = pp->line;
    size_t n = pp->len;
    size_t i = skip_tabs(s, n, 1);
    if (hex_u64(s, n, &i, &f->pc) != 0)
        return pp_fail(pp, i + 1, "expected a hex PC (0x...) in a frame line");
    if (i < n && s[i] != '\t')
        return pp_fail(pp, i + 1, "unexpected text after the frame's PC");
    i = skip_tabs(s, n, i);
    if (i == n) {
        f->func = lc_strdup("");
        f->file = lc_strdup("");
        return 0;
    }
    size_t fe = to_tab(s, n, i);
    f->func = func_name(s + i, fe - i);
    i = skip_tabs(s, n, fe);
    if (i == n) {
        f->file = lc_strdup("");
        return 0;
    }
    return file_line(pp, i, f);
}

/* " @ 0xPC 0xPC ..." at line[at]: checked, not kept (frames carry PCs). */
static int parse_pcs(struct pp *pp, size_t at)
{
    size_t i = at;
    if (pp_lit(pp, &i, " @") != 0)
        return pp_fail(pp, i + 1, "expected \" @\" and the stack's PCs");
    while (i < pp->len) {
        if (pp->line[i] != ' ')
            return pp_fail(pp, i + 1, "expected a space between PCs");
        while (i < pp->len && pp->line[i] == ' ')
            i++;
        uint64_t pc;
        if (i < pp->len && hex_u64(pp->line, pp->len, &i, &pc) != 0)
            return pp_fail(pp, i + 1, "expected a hex PC (0x...)");
    }
    return 0;
}

static struct pprof_stack *new_stack(struct pp *pp)
{
    struct pprof_profile *p = pp->prof;
    lc_grow((void **)&p->stacks, &pp->cap_stacks, p->nstacks + 1, sizeof(*p->stacks));
    struct pprof_stack *st = &p->stacks[p->nstacks++];
    memset(st, 0, sizeof(*st));
    return st;
}

/* One line inside a record: labels, a frame, or an unknown '#' comment. */
static int record_line(struct pp *pp, struct pprof_stack *st, size_t *cap)
{
    static const char lbl[] = "# labels: ";
    if (pp->len >= sizeof(lbl) - 1 && memcmp(pp->line, lbl, sizeof(lbl) - 1) == 0) {
        if (st->labels || st->nframes)
            return pp_fail(pp, 1, "a labels line belongs right after the record's first line");
        st->labels = lc_strndup(pp->line + sizeof(lbl) - 1, pp->len - (sizeof(lbl) - 1));
        return 0;
    }
    if (pp->len >= 2 && pp->line[0] == '#' && pp->line[1] == '\t') {
        lc_grow((void **)&st->frames, cap, st->nframes + 1, sizeof(*st->frames));
        struct pprof_frame *f = &st->frames[st->nframes];
        memset(f, 0, sizeof(*f));
        /* counted before parsing, so pprof_free releases a half-filled frame */
        st->nframes++;
        return parse_frame(pp, f);
    }
    if (pp->len >= 1 && pp->line[0] == '#')
        return 0;
    return pp_fail(pp, 1,
                   "expected a frame line (\"#\\t0x...\") or the blank line ending the record");
}

struct pprof_stack *pp_record(struct pp *pp, size_t at)
{
    int first = pp->lineno;
    struct pprof_stack *st = new_stack(pp);
    size_t cap = 0;
    if (parse_pcs(pp, at) != 0)
        return NULL;
    for (;;) {
        if (!pp_next(pp)) {
            pp_at_end(pp);
            pp_fail(pp, pp->len + 1,
                    "the text ends inside the record of line %d (profile cut short)", first);
            return NULL;
        }
        if (pp->len == 0)
            return st;
        if (record_line(pp, st, &cap) != 0)
            return NULL;
    }
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
    pp_init(&pp, text, len, err);
    pp.prof = lc_calloc(1, sizeof(*pp.prof));
    pp.prof->kind = PPROF_GOROUTINE;
    if (goroutine_header(&pp) != 0 || goroutine_body(&pp) != 0) {
        pprof_free(pp.prof);
        return NULL;
    }
    return pp.prof;
}

static void free_stack(struct pprof_stack *st)
{
    for (size_t k = 0; k < st->nframes; k++) {
        free(st->frames[k].func);
        free(st->frames[k].file);
    }
    free(st->frames);
    free(st->labels);
}

void pprof_drop(struct pprof_profile *p, size_t i, uint64_t n)
{
    struct pprof_stack *st = &p->stacks[i];
    n = n < st->count ? n : st->count;
    st->count -= n;
    p->total -= n < p->total ? n : p->total;
    if (st->count > 0)
        return;
    free_stack(st);
    memmove(st, st + 1, (p->nstacks - i - 1) * sizeof(*st));
    p->nstacks--;
}

void pprof_free(struct pprof_profile *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nstacks; i++)
        free_stack(&p->stacks[i]);
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
