/* sources/gcount.c: counts from the index page, dumps when needed. */
#include "sources/gcount.h"

#include <math.h>

void gcount_init(struct gcount *g, int has_ignore)
{
    *g = (struct gcount){.has_ignore = has_ignore};
}

void gcount_want(struct gcount *g, unsigned long round)
{
    if (!g->want_from || round < g->want_from)
        g->want_from = round;
}

int gcount_dump_due(const struct gcount *g, unsigned long round, double now, uint64_t count)
{
    if (!g->dumped || g->index_bad || (g->want_from && round >= g->want_from))
        return 1;
    if (!g->has_ignore)
        return 0;
    double since = now - g->dump_t;
    if (since >= fmax(GCOUNT_REFRESH_S, 100 * g->dump_s))
        return 1;
    double now_total = gcount_total(g, count), was = (double)g->total;
    double margin = fmax(GCOUNT_MARGIN, 0.1 * was);
    return fabs(now_total - was) >= margin && since >= fmax(GCOUNT_MIN_GAP_S, 20 * g->dump_s);
}

void gcount_dumped(struct gcount *g, unsigned long round, double now, double secs, uint64_t total,
                   uint64_t own, uint64_t ignored)
{
    g->dumped = 1;
    if (g->want_from && round >= g->want_from)
        g->want_from = 0;
    g->dump_t = now;
    g->dump_s = secs;
    g->total = total;
    g->own = own;
    g->ignored = ignored;
}

double gcount_total(const struct gcount *g, uint64_t count)
{
    return count > g->own ? (double)(count - g->own) : 0;
}

double gcount_kept(const struct gcount *g, uint64_t count)
{
    double t = gcount_total(g, count);
    return t > (double)g->ignored ? t - (double)g->ignored : 0;
}
