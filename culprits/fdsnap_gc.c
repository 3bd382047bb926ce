/*
 * culprits/fdsnap_gc.c: the descriptors a garbage collection closed.
 *
 * Three snapshots of one process: `old`, `pre` taken a moment later (just
 * before leakcheck forces a GC) and `post` (once the finalizers have run).
 * A descriptor in old and in pre was open for at least that moment; one of
 * those that is gone in post was closed while the collector ran. Files
 * opened and closed in a few milliseconds (a busy but healthy service)
 * are in at most one of old and pre, so they are never counted, whatever
 * their number.
 */
#include <stdlib.h>
#include <string.h>

#include "culprits/fdsnap.h"
#include "culprits/fdsnap_internal.h"

int fdsnap_ent_cmp(const void *a, const void *b)
{
    const struct fdent *x = a, *y = b;
    if (x->fd != y->fd)
        return (x->fd > y->fd) - (x->fd < y->fd);
    return strcmp(x->link, y->link);
}

static int holds(const struct fdsnap *s, const struct fdent *e)
{
    return s->nents && bsearch(e, s->ents, s->nents, sizeof(*s->ents), fdsnap_ent_cmp) != NULL;
}

static char *sentence(const struct fdclass *c, const char *what, size_t closed, const char *when)
{
    struct lc_buf b = {0};
    lc_buf_printf(&b,
                  "%zu %s were closed only by the garbage collector (%s): dropped without Close",
                  closed, what, when);
    if (c->sample && strncmp(what, "files in ", 9) == 0)
        lc_buf_printf(&b, ", e.g. %s", c->sample);
    else if (c->sample)
        lc_buf_printf(&b, " (%s %s)", c->opened ? "from" : "accepted from", c->sample);
    return b.data;
}

size_t fdsnap_gc_closed(const struct fdsnap *old, const struct fdsnap *pre,
                        const struct fdsnap *post, double min_closed, const char *when,
                        struct culprit_table *named, struct culprit_list *out)
{
    if (!old || !pre || !post)
        return 0;
    size_t nclasses = culprit_table_size(pre->t), added = 0;
    size_t *closed = lc_calloc(nclasses + 1, sizeof(*closed));
    for (size_t i = 0; i < pre->nents; i++)
        if (holds(old, &pre->ents[i]) && !holds(post, &pre->ents[i]))
            closed[pre->ents[i].cls]++;
    for (size_t i = 0; i < nclasses; i++) {
        const struct fdclass *c = &pre->c[i];
        const char *what = culprit_table_key(pre->t, i);
        /* a connection to itself closes both ends: one pair counts once */
        double n = c->opened && c->accepted ? (double)closed[i] / 2 : (double)closed[i];
        if (closed[i] == 0 || n < min_closed || (named && culprit_table_find(named, what) >= 0))
            continue;
        struct culprit *rc = culprit_list_add(
            out, "finalizer", NULL, c->location, (double)c->count,
            (double)fdsnap_class_count(post, what), sentence(c, what, closed[i], when));
        rc->growth = (double)closed[i]; /* how many the collector closed */
        if (named)
            culprit_table_put(named, what, NULL);
        added++;
    }
    free(closed);
    return added;
}
