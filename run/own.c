/* run/own.c: leakcheck's own connections, left out of what it measures. */
#include "run/own.h"

#include <stdlib.h>
#include <string.h>

size_t own_endpoints(const struct fetch *f, struct procfs_endpoint **out)
{
    struct sockaddr_storage *addrs = NULL;
    size_t n = f ? fetch_local_addrs(f, &addrs) : 0, k = 0;
    *out = lc_calloc(n + 1, sizeof(**out));
    for (size_t i = 0; i < n; i++)
        if (procfs_endpoint_of(&addrs[i], &(*out)[k]) == 0)
            k++;
    free(addrs);
    return k;
}

static int has_frame(const struct pprof_stack *st, const char *func)
{
    for (size_t i = 0; i < st->nframes; i++)
        if (strcmp(st->frames[i].func, func) == 0)
            return 1;
    return 0;
}

/* The first record with both functions on its stack (b may be NULL), or -1. */
static long find_record(const struct pprof_profile *p, const char *a, const char *b)
{
    for (size_t i = 0; i < p->nstacks; i++)
        if (p->stacks[i].count > 0 && has_frame(&p->stacks[i], a) &&
            (!b || has_frame(&p->stacks[i], b)))
            return (long)i;
    return -1;
}

/* A goroutine that has not run yet: Go prints its stack as runtime.goexit
 * alone, which leaves the record without a named frame. */
static long find_unstarted(const struct pprof_profile *p)
{
    for (size_t i = 0; i < p->nstacks; i++) {
        const struct pprof_stack *st = &p->stacks[i];
        size_t named = 0;
        for (size_t k = 0; k < st->nframes; k++)
            named += st->frames[k].func[0] && strcmp(st->frames[k].func, "runtime.goexit") != 0;
        if (st->count > 0 && named == 0)
            return (long)i;
    }
    return -1;
}

uint64_t own_drop_goroutines(struct pprof_profile *p)
{
    if (!p || p->kind != PPROF_GOROUTINE)
        return 0;
    long i = find_record(p, "runtime/pprof.writeGoroutine", "net/http.(*conn).serve");
    if (i < 0)
        return 0;
    pprof_drop(p, (size_t)i, 1);
    /* the reader goroutine is started just before the handler runs: it
     * may not have been scheduled yet */
    i = find_record(p, "net/http.(*connReader).backgroundRead", NULL);
    if (i < 0)
        i = find_unstarted(p);
    if (i < 0)
        return 1;
    pprof_drop(p, (size_t)i, 1);
    return 2;
}
