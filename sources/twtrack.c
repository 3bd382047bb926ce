/* sources/twtrack.c: TIME_WAIT on the listening ports between walks. */
#include "sources/twtrack.h"

#include <stdlib.h>
#include <string.h>

#include "sources/procfs.h"

/* at most this many kept; beyond, the caller walks every round */
#define MAX_WATCH 1024
#define MAX_TW 16384

void twtrack_clear(struct twtrack *t)
{
    t->ntw = t->nwatch = 0;
    t->overflow = 0;
}

void twtrack_free(struct twtrack *t)
{
    free(t->tw);
    free(t->watch);
    memset(t, 0, sizeof(*t));
}

static void add_tw(struct twtrack *t, const struct sockdiag_sock *s, double now)
{
    if (t->ntw == MAX_TW) {
        t->overflow = 1;
        return;
    }
    lc_grow((void **)&t->tw, &t->cap_tw, t->ntw + 1, sizeof(*t->tw));
    t->tw[t->ntw++] = (struct twtrack_tw){*s, now + s->expires_ms / 1000.0};
}

void twtrack_closed(struct twtrack *t, const struct sockdiag_sock *s)
{
    if (t->nwatch == MAX_WATCH) {
        t->overflow = 1;
        return;
    }
    lc_grow((void **)&t->watch, &t->cap_watch, t->nwatch + 1, sizeof(*t->watch));
    t->watch[t->nwatch++] = *s;
}

void twtrack_add(struct twtrack *t, const struct sockdiag_sock *s, int held, double now)
{
    if (s->state == PROCFS_TCP_TIME_WAIT)
        add_tw(t, s, now);
    else if (s->state != PROCFS_TCP_LISTEN && !held)
        twtrack_closed(t, s);
}

int twtrack_refresh(struct twtrack *t, struct sockdiag *sd, double now, unsigned long *lookups,
                    struct lc_error *err)
{
    size_t n = t->nwatch, k = 0;
    for (size_t i = 0; i < t->ntw; i++)
        n += t->tw[i].expires <= now;
    if (n == 0)
        return 0;
    struct sockdiag_sock *q = lc_malloc(n * sizeof(*q));
    unsigned char *found = lc_malloc(n);
    if (t->nwatch) /* watch is NULL until something was watched */
        memcpy(q, t->watch, t->nwatch * sizeof(*q));
    k = t->nwatch;
    for (size_t i = 0; i < t->ntw; i++)
        if (t->tw[i].expires <= now)
            q[k++] = t->tw[i].s;
    int rc = sockdiag_lookup(sd, q, n, found, err);
    *lookups += n;
    if (rc == 0) {
        /* TIME_WAIT ones whose time is up: kept while the kernel has them */
        size_t w = 0;
        k = t->nwatch;
        for (size_t i = 0; i < t->ntw; i++) {
            if (t->tw[i].expires <= now) {
                if (!found[k++])
                    continue;
                t->tw[i].expires = now + q[k - 1].expires_ms / 1000.0;
            }
            t->tw[w++] = t->tw[i];
        }
        t->ntw = w;
        /* watched ones: gone, now TIME_WAIT, or still on their way */
        w = 0;
        for (size_t i = 0; i < t->nwatch; i++) {
            if (!found[i])
                continue;
            if (q[i].state == PROCFS_TCP_TIME_WAIT)
                add_tw(t, &q[i], now);
            else
                t->watch[w++] = q[i];
        }
        t->nwatch = w;
    }
    free(found);
    free(q);
    return rc;
}

int twtrack_take(struct twtrack *t, uint64_t inode, struct sockdiag_sock *s)
{
    for (size_t i = 0; inode && i < t->nwatch; i++)
        if (t->watch[i].inode == inode) {
            *s = t->watch[i];
            t->watch[i] = t->watch[--t->nwatch];
            return 1;
        }
    return 0;
}

size_t twtrack_count(const struct twtrack *t)
{
    return t->ntw;
}
