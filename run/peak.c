/* run/peak.c: when a batch job's counts reach a new high. */
#include "run/peak.h"

#include <math.h>

#define HEAP_MARGIN (4.0 * 1024.0 * 1024.0)
#define MARGIN_FRACTION 0.10

static const struct {
    const char *name;
    enum peak_part part;
    double min_margin;
} watched[PEAK_NMETRICS] = {
    {"fds", PEAK_FDS, 3},
    {"sockets", PEAK_FDS, 3},
    {"goroutines", PEAK_GOROUTINES, 3},
    {"heap_inuse", PEAK_HEAP, HEAP_MARGIN},
};

const char *peak_metric_name(int i)
{
    return watched[i].name;
}

enum peak_part peak_metric_part(int i)
{
    return watched[i].part;
}

void peak_watch_init(struct peak_watch *w)
{
    for (int i = 0; i < PEAK_NMETRICS; i++)
        w->at_snap[i] = 0;
    for (int k = 0; k < PEAK_NPARTS; k++)
        w->last_t[k] = -1;
}

/* The index of a part's bit (PEAK_FDS 0, PEAK_GOROUTINES 1, PEAK_HEAP 2). */
static int part_index(enum peak_part p)
{
    return p == PEAK_FDS ? 0 : p == PEAK_GOROUTINES ? 1 : 2;
}

static int rested(const struct peak_watch *w, enum peak_part p, double now)
{
    double last = w->last_t[part_index(p)];
    double gap = p == PEAK_FDS ? PEAK_FDS_GAP_S : PEAK_PROFILE_GAP_S;
    /* a millisecond early is on time: samples come at multiples of the interval */
    return last < 0 || now - last >= gap - 1e-3;
}

unsigned peak_due(struct peak_watch *w, const double *vals, double now, unsigned allowed)
{
    unsigned due = 0;
    for (int i = 0; i < PEAK_NMETRICS; i++) {
        enum peak_part p = watched[i].part;
        if (!(allowed & p) || isnan(vals[i]) || !rested(w, p, now))
            continue;
        double ref = w->at_snap[i];
        double margin = fmax(watched[i].min_margin, MARGIN_FRACTION * ref);
        if (vals[i] >= ref + margin)
            due |= p;
    }
    for (int i = 0; i < PEAK_NMETRICS; i++) {
        if (!(due & watched[i].part))
            continue;
        w->last_t[part_index(watched[i].part)] = now;
        /* a count the sample did not have keeps its reference */
        if (!isnan(vals[i]))
            w->at_snap[i] = vals[i];
    }
    return due;
}
