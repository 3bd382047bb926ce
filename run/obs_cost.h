/*
 * run/obs_cost.h (internal to run/): what watching a test's
 * target cost it (report.json's observer_cost): the stop-the-world
 * fetches, counted by the sampler and the snapshots with their fetch
 * times, and the target's CPU time, read from /proc/PID/stat (utime +
 * stime) at every round's start and once more at the end.
 */
#ifndef LC_OBS_COST_H
#define LC_OBS_COST_H

#include <sys/types.h>

#include "reports/report.h"

/* The CPU time of a followed process: a change of the measured process
 * (a wrapper that restarts its server) starts a new stretch, and the
 * stretches add up. */
struct obs_cpu {
    pid_t pid;      /* the process of the stretch under way (0: none) */
    double first;   /* its CPU seconds at the stretch's first reading */
    double last;    /* ... and at its last */
    double done;    /* the CPU seconds of the stretches before it */
    double t_first; /* lc_now() of the first reading of all (0: none) */
    double t_last;  /* ... and of the last */
};

/* Counts a fetch of url that took secs in cost when it stops the
 * target's world or forces its GC: goroutine?debug=2 (full_dumps),
 * goroutine?debug=0/1 (goroutine_dumps), anything with gc=1 (forced_gcs). */
void obs_cost_fetch(struct report_observer_cost *cost, const char *url, double secs);

/* The CPU seconds (utime + stime) of pid so far. Returns 0 with *out, or
 * -1 (gone, unreadable, or not the format /proc/PID/stat has). */
int obs_cpu_seconds(pid_t pid, double *out);

/* Reads pid's CPU time at now (lc_now()); a process that cannot be read
 * is skipped. */
void obs_cpu_read(struct obs_cpu *c, pid_t pid, double now);

/* Fills cost's target_cpu_s and cpu_window_s (NaN when never read). */
void obs_cpu_report(const struct obs_cpu *c, struct report_observer_cost *cost);

#endif
