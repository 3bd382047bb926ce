/* culprits/culprit.c: the culprit list, Go frame classification, stack
 * keys and a string-keyed table shared by the culprit analyses. */
#include "culprits/culprit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"

struct culprit *culprit_list_add(struct culprit_list *l, const char *kind,
                                        const char *function, const char *location, double before,
                                        double after, char *detail)
{
    lc_grow((void **)&l->items, &l->cap, l->n + 1, sizeof(*l->items));
    struct culprit *c = &l->items[l->n++];
    memset(c, 0, sizeof(*c));
    c->kind = lc_strdup(kind);
    c->function = function ? lc_strdup(function) : NULL;
    c->location = location ? lc_strdup(location) : NULL;
    c->before = before;
    c->after = after;
    c->growth = after - before;
    c->detail = detail;
    return c;
}

static int by_growth(const void *a, const void *b)
{
    const struct culprit *x = a, *y = b;
    if (x->growth != y->growth)
        return x->growth > y->growth ? -1 : 1;
    if (x->after != y->after)
        return x->after > y->after ? -1 : 1;
    return 0;
}

void culprit_list_sort(struct culprit_list *l)
{
    if (l->n > 1)
        qsort(l->items, l->n, sizeof(*l->items), by_growth);
}

void culprit_free_fields(struct culprit *c)
{
    free(c->kind);
    free(c->function);
    free(c->location);
    free(c->detail);
}

void culprit_list_free(struct culprit_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        culprit_free_fields(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

/* The first elements of the standard library's package paths (Go 1.19 to
 * 1.27); "type" is for compiler-made functions such as type:.eq.main.T. */
static const char *const std_roots[] = {
    "archive",  "bufio",   "bytes",   "cmp",      "compress", "container", "context", "crypto",
    "database", "debug",   "embed",   "encoding", "errors",   "expvar",    "flag",    "fmt",
    "go",       "hash",    "html",    "image",    "index",    "internal",  "io",      "iter",
    "log",      "maps",    "math",    "mime",     "net",      "os",        "path",    "plugin",
    "reflect",  "regexp",  "runtime", "slices",   "sort",     "strconv",   "strings", "structs",
    "sync",     "syscall", "testing", "text",     "time",     "type",      "unicode", "unique",
    "unsafe",   "vendor",  "weak",
};

/* Length of the package path at the start of func: up to the first '.'
 * after the last '/' (looking only before any '(' or '['). */
static size_t package_len(const char *func)
{
    size_t stop = strcspn(func, "([");
    size_t slash = 0;
    for (size_t i = 0; i < stop; i++)
        if (func[i] == '/')
            slash = i + 1;
    const char *dot = memchr(func + slash, '.', stop - slash);
    return dot ? (size_t)(dot - func) : stop;
}

int culprit_is_std(const char *func)
{
    if (!func || !*func)
        return 0;
    size_t plen = package_len(func);
    size_t root = strcspn(func, "/");
    if (root > plen)
        root = plen;
    for (size_t i = 0; i < LC_ARRAY_LEN(std_roots); i++)
        if (strlen(std_roots[i]) == root && memcmp(func, std_roots[i], root) == 0)
            return 1;
    return 0;
}

int culprit_is_runtime(const char *func)
{
    return func && strncmp(func, "runtime.", 8) == 0;
}

long culprit_pick_frame(const struct pprof_frame *frames, size_t n)
{
    long outer = -1;
    for (size_t i = 0; i < n; i++) {
        const char *fn = frames[i].func;
        if (!fn || !*fn)
            continue;
        if (!culprit_is_std(fn))
            return (long)i;
        if (!culprit_is_runtime(fn))
            outer = (long)i;
    }
    if (outer >= 0)
        return outer;
    /* only runtime frames: name the innermost one that has a name */
    for (size_t i = 0; i < n; i++)
        if (frames[i].func && *frames[i].func)
            return (long)i;
    return -1;
}

char *culprit_location(const struct pprof_frame *f)
{
    if (!f || !f->file || !*f->file)
        return lc_strdup("?");
    if (f->line > 0)
        return lc_asprintf("%s:%d", f->file, f->line);
    return lc_strdup(f->file);
}

char *culprit_stack_key(const struct pprof_frame *frames, size_t n)
{
    struct lc_buf b = {0};
    lc_buf_puts(&b, "");
    for (size_t i = 0; i < n; i++) {
        const char *fn = frames[i].func;
        if (!fn || !*fn || culprit_is_runtime(fn))
            continue;
        lc_buf_printf(&b, "%s\n", fn);
    }
    return b.data;
}

struct culprit_table {
    char **keys;
    size_t n, cap_keys;
    struct lc_hindex index;
};

struct culprit_table *culprit_table_new(void)
{
    return lc_calloc(1, sizeof(struct culprit_table));
}

/* What a lookup looks for, for lc_hindex_find. */
struct table_key {
    const struct culprit_table *t;
    const char *key;
};

static int table_same(size_t entry, void *arg)
{
    const struct table_key *k = arg;
    return strcmp(k->t->keys[entry], k->key) == 0;
}

static long lookup(const struct culprit_table *t, const char *key, uint64_t h)
{
    struct table_key k = {t, key};
    return lc_hindex_find(&t->index, h, table_same, &k);
}

size_t culprit_table_put(struct culprit_table *t, const char *key, int *added)
{
    uint64_t h = lc_hash(key, strlen(key), 0);
    long i = lookup(t, key, h);
    if (added)
        *added = i < 0;
    if (i >= 0)
        return (size_t)i;
    lc_grow((void **)&t->keys, &t->cap_keys, t->n + 1, sizeof(*t->keys));
    t->keys[t->n] = lc_strdup(key);
    lc_hindex_add(&t->index, h, t->n);
    return t->n++;
}

long culprit_table_find(const struct culprit_table *t, const char *key)
{
    return lookup(t, key, lc_hash(key, strlen(key), 0));
}

size_t culprit_table_size(const struct culprit_table *t)
{
    return t->n;
}

const char *culprit_table_key(const struct culprit_table *t, size_t i)
{
    return t->keys[i];
}

void culprit_table_free(struct culprit_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->keys[i]);
    free(t->keys);
    lc_hindex_free(&t->index);
    free(t);
}
