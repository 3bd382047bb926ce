/* sources/prom_names.c: the metric names of an exposition, and the ones
 * nearest to a name it does not hold. */
#include "sources/prom.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct prom_names {
    char **v; /* sorted, distinct */
    size_t n, cap;
    size_t last_len; /* while scanning: the length of v[n - 1] */
};

static int name_char(char c, int first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':')
        return 1;
    return !first && c >= '0' && c <= '9';
}

/* The length of the metric name at p (up to end), 0 when there is none. */
static size_t name_len(const char *p, const char *end)
{
    size_t k = 0;
    while (p + k < end && name_char(p[k], k == 0))
        k++;
    return k;
}

static const char *skip_blanks(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

static void add(struct prom_names *n, const char *p, size_t len)
{
    if (len == 0)
        return;
    lc_grow((void **)&n->v, &n->cap, n->n + 1, sizeof(*n->v));
    n->v[n->n++] = lc_strndup(p, len);
    n->last_len = len;
}

/* Whether the name at p is the one added last: most lines of an exposition
 * repeat the name of the line before (a family's series, a histogram's
 * buckets), and a 9 MB exposition would otherwise be 110,000 copies. */
static int repeats_last(const struct prom_names *n, const char *p, const char *end)
{
    size_t k = n->last_len;
    return n->n > 0 && (size_t)(end - p) >= k && memcmp(p, n->v[n->n - 1], k) == 0 &&
           (p + k == end || !name_char(p[k], 0));
}

/* The name a line holds: a sample's, or the family of "# HELP name ..." and
 * "# TYPE name ...". */
static void scan_line(struct prom_names *n, const char *p, const char *end)
{
    p = skip_blanks(p, end);
    if (p < end && *p == '#') {
        p = skip_blanks(p + 1, end);
        if (end - p < 5 || (memcmp(p, "HELP", 4) != 0 && memcmp(p, "TYPE", 4) != 0) ||
            (p[4] != ' ' && p[4] != '\t'))
            return;
        p = skip_blanks(p + 4, end);
    }
    if (!repeats_last(n, p, end))
        add(n, p, name_len(p, end));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct prom_names *prom_names_scan(const char *text, size_t len)
{
    struct prom_names *n = lc_calloc(1, sizeof(*n));
    const char *p = text ? text : "", *end = p + (text ? len : 0);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        scan_line(n, p, eol);
        p = nl ? nl + 1 : end;
    }
    if (n->n > 1)
        qsort(n->v, n->n, sizeof(*n->v), cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < n->n; i++) {
        if (k > 0 && strcmp(n->v[k - 1], n->v[i]) == 0)
            free(n->v[i]);
        else
            n->v[k++] = n->v[i];
    }
    n->n = k;
    return n;
}

size_t prom_names_count(const struct prom_names *n)
{
    return n ? n->n : 0;
}

int prom_names_has(const struct prom_names *n, const char *name)
{
    return n && n->n && bsearch(&name, n->v, n->n, sizeof(*n->v), cmp_str) != NULL;
}

/* The distance of word (wlen bytes) to s when it may be within limit:
 * strings whose lengths differ by more are not compared (an edit distance
 * is at least the difference of the lengths), so that an exposition with
 * many names costs little. INT_MAX when not within. */
static int within(const char *word, size_t wlen, const char *s, int limit)
{
    size_t slen = strlen(s);
    size_t diff = slen > wlen ? slen - wlen : wlen - slen;
    if (diff > (size_t)limit)
        return INT_MAX;
    int d = lc_edit_distance(word, s);
    return d <= limit ? d : INT_MAX;
}

/* The distance of word to name: to the whole name, or to the part after
 * one of its underscores, whichever is nearer (twice the edit distance, a
 * suffix one more, so that a whole-name match of the same distance comes
 * first); INT_MAX when neither is within limit. */
static int distance(const char *word, const char *name, int limit)
{
    size_t wlen = strlen(word);
    int d = within(word, wlen, name, limit);
    int best = d == INT_MAX ? INT_MAX : d * 2;
    for (const char *u = strchr(name, '_'); u && u[1]; u = strchr(u + 1, '_')) {
        d = within(word, wlen, u + 1, limit);
        if (d != INT_MAX && d * 2 + 1 < best)
            best = d * 2 + 1;
    }
    return best;
}

struct near {
    const char *name;
    int d;
};

static int by_distance(const void *a, const void *b)
{
    const struct near *x = a, *y = b;
    if (x->d != y->d)
        return x->d - y->d;
    size_t lx = strlen(x->name), ly = strlen(y->name);
    if (lx != ly)
        return lx < ly ? -1 : 1;
    return strcmp(x->name, y->name);
}

size_t prom_names_nearest(const struct prom_names *n, const char *word, const char **out,
                          size_t max)
{
    if (!n || n->n == 0 || max == 0)
        return 0;
    int limit = strlen(word) <= 3 ? 1 : 2;
    struct near *nr = lc_calloc(n->n, sizeof(*nr));
    size_t k = 0;
    for (size_t i = 0; i < n->n; i++) {
        int d = distance(word, n->v[i], limit);
        if (d != INT_MAX)
            nr[k++] = (struct near){n->v[i], d};
    }
    qsort(nr, k, sizeof(*nr), by_distance);
    size_t got = k < max ? k : max;
    for (size_t i = 0; i < got; i++)
        out[i] = nr[i].name;
    free(nr);
    return got;
}

void prom_names_free(struct prom_names *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++)
        free(n->v[i]);
    free(n->v);
    free(n);
}
