/*
 * sources/prom.c: the Prometheus text exposition format 0.0.4 and
 * OpenMetrics text, as client_golang and the exposition specs write them.
 *
 * A sample line is `name{label="value",...} value [timestamp]`, fields
 * separated by spaces or tabs, a trailing comma allowed inside the braces,
 * label values escaping \\ \" and \n. An exposition whose last line is
 * "# EOF" is OpenMetrics: timestamps are seconds (not milliseconds) and a
 * sample may carry an exemplar (` # {labels} value [timestamp]`), which is
 * checked and dropped. Lines end in LF or CRLF; trailing blanks are fine.
 */
#include <stdlib.h>
#include <string.h>

#include "sources/prom_internal.h"

static int pr_next(struct pr *r)
{
    if (r->p >= r->end)
        return 0;
    const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    r->line = r->p;
    r->len = nl ? (size_t)(nl - r->p) : (size_t)(r->end - r->p);
    while (r->len > 0 && (r->line[r->len - 1] == ' ' || r->line[r->len - 1] == '\t' ||
                          r->line[r->len - 1] == '\r'))
        r->len--;
    r->p = nl ? nl + 1 : r->end;
    r->lineno++;
    return 1;
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
    while (e > 0 && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r' ||
                     text[e - 1] == '\n'))
        e--;
    if (e == 0)
        return 0;
    const char *nl = memrchr(text, '\n', e);
    size_t b = prom_skip_blanks(text, nl ? (size_t)(nl - text) + 1 : 0, e);
    return is_eof_line(text + b, e - b);
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

/* How many bytes a[0..na) and b[0..nb) have in common from the start. */
static size_t common_prefix(const char *a, size_t na, const char *b, size_t nb)
{
    size_t n = na < nb ? na : nb, i = 0;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            return i + (size_t)(__builtin_ctzll(x ^ y) >> 3);
    }
#endif
    while (i < n && a[i] == b[i])
        i++;
    return i;
}

/*
 * Most lines repeat the start of the sample line before them: the same
 * metric name, and in a histogram or a family every label but the last
 * one or two. What they share was checked on that line, so it is taken
 * as it was: the metric name when the character after it is shared too,
 * and the labels whose closing quote is shared (into r->labs, shifted).
 * Sets *nn to the name's length (0: not shared) and returns the index to
 * go on from: after the last shared label, else after the name, else s.
 */
static size_t reuse_last(struct pr *r, size_t s, size_t *nn)
{
    size_t ls = r->last_start, k = 0;
    *nn = 0;
    r->nshared = r->nshared_names = 0;
    if (!r->last_line)
        return s;
    size_t same = common_prefix(r->line + s, r->len - s, r->last_line + ls, r->last_len - ls);
    if (same <= r->last_nname)
        return s;
    *nn = r->last_nname;
    while (k < r->nlast && r->last_labs[k].val + r->last_labs[k].nval - ls < same)
        k++;
    /* and a label's name when the '=' after it is shared */
    size_t kn = k;
    while (kn < r->nlast && r->last_labs[kn].name + r->last_labs[kn].nname - ls < same)
        kn++;
    r->nshared_names = kn;
    if (k == 0)
        return s + *nn;
    if (k > r->cap_labs)
        lc_grow((void **)&r->labs, &r->cap_labs, k, sizeof(*r->labs));
    for (size_t j = 0; j < k; j++) {
        r->labs[j] = r->last_labs[j];
        r->labs[j].name = r->labs[j].name - ls + s;
        r->labs[j].val = r->labs[j].val - ls + s;
    }
    r->nlabs = r->nshared = k;
    return r->labs[k - 1].val + r->labs[k - 1].nval + 1;
}

/* Whether a[0..n) and b[0..n) are equal: names and values are short,
 * shorter than a call to memcmp costs. */
static int same_text(const char *a, const char *b, size_t n)
{
    uint32_t x, y, x2, y2;
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t w, v;
        memcpy(&w, a, 8);
        memcpy(&v, b, 8);
        if (w != v)
            return 0;
    }
    if (n >= 4) { /* the first four and the last four bytes, overlapping */
        memcpy(&x, a, 4), memcpy(&y, b, 4), memcpy(&x2, a + n - 4, 4), memcpy(&y2, b + n - 4, 4);
        return x == y && x2 == y2;
    }
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

/* s[0..n), a name, as stored for the last kept sample (shared when
 * equal), else through the string set. */
static const char *keep_name(struct pr *r, struct prom_kept *last, const char *s, size_t n)
{
    if (!last->s || last->n != n || !same_text(last->s, s, n))
        *last = (struct prom_kept){lc_strset_get(r->strs, s, n), n};
    return last->s;
}

/* The value of label lb, unescaped into *room. */
static const char *keep_value(struct pr *r, struct prom_kept *last, const struct prom_lab *lb,
                              char **room)
{
    const char *v = r->line + lb->val;
    char *out = *room;
    size_t o = 0;
    if (lb->nesc == 0) {
        memcpy(out, v, lb->nval);
        o = lb->nval;
    }
    for (size_t j = 0; lb->nesc && j < lb->nval; j++) {
        char c = v[j];
        if (c == '\\') {
            c = v[++j];
            c = c == 'n' ? '\n' : c;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    *room += o + 1;
    *last = (struct prom_kept){out, o};
    return out;
}

/* Room for what keep_sample copies: the label array and the values that
 * the line before does not share, in one allocation. */
static struct prom_label *keep_room(struct pr *r, size_t shared, char **room)
{
    size_t n = r->nlabs, bytes = n * sizeof(struct prom_label);
    for (size_t k = shared; k < n; k++)
        bytes += r->labs[k].nval - r->labs[k].nesc + 1;
    struct prom_label *l = lc_arena_alloc(r->set->arena, bytes);
    *room = (char *)(l + n);
    return l;
}

/* Stores a sample whose name is line[s..s+nn) and whose labels are
 * r->labs: names stored once each, values copied; what the line shares
 * with the line before, when that one was kept, is that one's copy (the
 * buckets of a histogram differ only in `le`). name_shared: the line's
 * metric name is that line's. */
static void keep_sample(struct pr *r, size_t s, size_t nn, int name_shared, struct prom_sample *smp)
{
    size_t n = r->nlabs, shared = r->last_kept ? r->nshared : 0;
    size_t shared_names = r->last_kept ? r->nshared_names : 0;
    char *room = NULL;
    smp->name =
        (char *)(name_shared && r->last_kept ? r->kept_name.s
                                             : keep_name(r, &r->kept_name, r->line + s, nn));
    smp->nlabels = n;
    if (n > r->cap_kept) {
        size_t old = r->cap_kept, cap = old;
        lc_grow((void **)&r->kept_lnames, &cap, n, sizeof(*r->kept_lnames));
        lc_grow((void **)&r->kept_values, &r->cap_kept, n, sizeof(*r->kept_values));
        for (size_t k = old; k < r->cap_kept; k++)
            r->kept_lnames[k] = r->kept_values[k] = (struct prom_kept){NULL, 0};
    }
    if (n)
        smp->labels = keep_room(r, shared, &room);
    for (size_t k = 0; k < n; k++) {
        const struct prom_lab *lb = &r->labs[k];
        if (k < shared) {
            smp->labels[k] =
                (struct prom_label){(char *)r->kept_lnames[k].s, (char *)r->kept_values[k].s};
            continue;
        }
        smp->labels[k].name = (char *)(k < shared_names ? r->kept_lnames[k].s
                                                        : keep_name(r, &r->kept_lnames[k],
                                                                    r->line + lb->name, lb->nname));
        smp->labels[k].value = (char *)keep_value(r, &r->kept_values[k], lb, &room);
    }
    struct prom_set *set = r->set;
    if (set->nsamples == r->cap)
        lc_grow((void **)&set->samples, &r->cap, set->nsamples + 1, sizeof(*set->samples));
    set->samples[set->nsamples++] = *smp;
}

/* The line's labels become the ones the next line is compared with. */
static void remember_line(struct pr *r, size_t s, size_t nn, int keep)
{
    struct prom_lab *t = r->last_labs;
    size_t cap = r->cap_last;
    r->last_labs = r->labs;
    r->cap_last = r->cap_labs;
    r->nlast = r->nlabs;
    r->labs = t;
    r->cap_labs = cap;
    r->last_line = r->line;
    r->last_len = r->len;
    r->last_start = s;
    r->last_nname = nn;
    r->last_keep = keep;
    r->last_kept = keep;
}

/* A sample line, checked in full; stored only when its metric is wanted
 * (the labels of the others are never copied). */
static int sample_line(struct pr *r, size_t i)
{
    size_t s = i, nn;
    struct prom_sample smp = {0};
    r->nlabs = 0;
    i = reuse_last(r, s, &nn);
    int keep = r->last_keep, name_shared = nn > 0;
    if (nn == 0) {
        i = prom_name_end(r->line, i, r->len, 1);
        if ((nn = i - s) == 0)
            return prom_fail(r, i, "expected a metric name");
        keep = wanted(r, s, nn);
    }
    if (r->nlabs > 0) {
        if ((i = prom_label_set(r, i, 1, 1)) == PROM_FAILED)
            return -1;
        i = prom_skip_blanks(r->line, i, r->len);
    } else {
        size_t after = i;
        i = prom_skip_blanks(r->line, i, r->len);
        if (i < r->len && r->line[i] == '{') {
            if ((i = prom_label_set(r, i, 0, 1)) == PROM_FAILED)
                return -1;
            i = prom_skip_blanks(r->line, i, r->len);
        } else if (i == after && i < r->len) {
            return prom_fail(r, i, "unexpected character in the metric name");
        }
    }
    if (prom_sample_tail(r, i, &smp) != 0)
        return -1;
    if (keep)
        keep_sample(r, s, nn, name_shared, &smp);
    remember_line(r, s, nn, keep);
    return 0;
}

static int one_line(struct pr *r)
{
    size_t i = prom_skip_blanks(r->line, 0, r->len);
    if (i == r->len)
        return 0;
    if (r->eof)
        return prom_fail(r, i, "text after \"# EOF\"");
    if (r->line[i] == '#') {
        /* HELP, TYPE, UNIT and other comments carry no samples */
        r->eof = is_eof_line(r->line + i, r->len - i);
        return 0;
    }
    return sample_line(r, i);
}

static void pr_free(struct pr *r)
{
    free(r->name_lens);
    free(r->labs);
    free(r->last_labs);
    free(r->kept_lnames);
    free(r->kept_values);
    lc_strset_free(r->strs);
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
    pr_free(&r);
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
