/*
 * run/peak.h: when to take a peak snapshot of a target that runs to
 * completion (a batch job). A finished process has no final snapshot to
 * name what it held, so one is taken while it runs, each time a count it
 * is sampled on reaches a new high by a clear margin: the culprits of a
 * batch job are what it held at its worst (run_snap.h keeps the largest).
 *
 * Each part of a snapshot follows its own counts:
 *   PEAK_FDS         the file descriptors (fdsnap): `fds`, `sockets`;
 *   PEAK_GOROUTINES  the goroutine profile: `goroutines`;
 *   PEAK_HEAP        the heap profile: `heap_inuse`.
 * A part is due when one of its counts is at least its value at that
 * part's last snapshot (0 before the first) plus max(the count's minimum
 * margin, 10% of that value) -- 3 for counts, 4 MiB for the heap -- and the
 * part was not taken too recently: the fds (read from /proc, at no cost to
 * the target) not in the last PEAK_FDS_GAP_S seconds, the profiles (a
 * goroutine dump stops the world, a heap profile walks every sampled
 * allocation) not in the last PEAK_PROFILE_GAP_S. A count that climbs steadily gets a snapshot
 * now and then, not at every sample; the margin bounds their number too.
 */
#ifndef LC_PEAK_H
#define LC_PEAK_H

enum peak_part { PEAK_FDS = 1, PEAK_GOROUTINES = 2, PEAK_HEAP = 4 };

/* The counts watched, in this order (peak_metric_name). */
enum { PEAK_NMETRICS = 4, PEAK_NPARTS = 3 };

#define PEAK_FDS_GAP_S 0.1
#define PEAK_PROFILE_GAP_S 0.5

struct peak_watch {
    double at_snap[PEAK_NMETRICS]; /* each count when its part was last taken (0: never) */
    double last_t[PEAK_NPARTS];    /* when each part was last taken (-1: never) */
};

/* The metric name of watched count i ("fds", "sockets", "goroutines",
 * "heap_inuse") and the part it triggers. */
const char *peak_metric_name(int i);
enum peak_part peak_metric_part(int i);

/* Starts a watch: nothing taken yet. */
void peak_watch_init(struct peak_watch *w);

/*
 * Given the counts of the sample just taken at time now (seconds; vals[i]
 * for peak_metric_name(i), NaN when not sampled), returns the parts due
 * among `allowed` (a mask of enum peak_part) and records them as taken
 * now, with the counts that made them due. Parts not allowed are left as
 * they were, so that they are due again at the next call.
 */
unsigned peak_due(struct peak_watch *w, const double *vals, double now, unsigned allowed);

#endif
