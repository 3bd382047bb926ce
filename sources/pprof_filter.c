/* sources/pprof_filter.c: goroutine records picked out by function name
 * (a suite's ignore list), and the count of the rest. */
#include "sources/pprof.h"

#include <string.h>

/* The innermost frame that has a function name, or NULL. */
static const struct pprof_frame *leaf_frame(const struct pprof_frame *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (f[i].func && *f[i].func)
            return &f[i];
    return NULL;
}

static int listed(char *const *names, const char *func)
{
    for (size_t i = 0; names && names[i]; i++)
        if (strcmp(names[i], func) == 0)
            return 1;
    return 0;
}

int pprof_stack_listed(const struct pprof_stack *st, char *const *top, char *const *any)
{
    const struct pprof_frame *leaf = leaf_frame(st->frames, st->nframes);
    if (leaf && listed(top, leaf->func))
        return 1;
    for (size_t i = 0; any && i < st->nframes; i++)
        if (st->frames[i].func && listed(any, st->frames[i].func))
            return 1;
    return 0;
}

uint64_t pprof_count_unlisted(const struct pprof_profile *p, char *const *top, char *const *any)
{
    uint64_t picked = 0;
    for (size_t i = 0; (top || any) && i < p->nstacks; i++)
        if (pprof_stack_listed(&p->stacks[i], top, any))
            picked += p->stacks[i].count;
    return picked > p->total ? 0 : p->total - picked;
}
