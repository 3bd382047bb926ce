/*
 * run/run_batch.c: a target that runs to completion (a batch job,
 * "exits": true). It is sampled from its start until it exits; while it
 * runs, a peak snapshot is taken whenever a count reaches a new high
 * (peak.h); when it exits, its exit status becomes the metric exit_code
 * and the peak snapshot the run's final one.
 */
#include <event2/event.h>
#include <math.h>

#include "run/peak.h"
#include "run/run_internal.h"
#include "run/run_snap.h"
#include "target/target.h"
#include "run/timeline.h"

int run_batch(const struct run *r)
{
    return r->t->target.exits && r->target;
}

void run_batch_round(struct run *r)
{
    if (!run_batch(r) || r->finishing || r->phase == PHASE_BASELINE)
        return;
    double vals[PEAK_NMETRICS];
    for (int i = 0; i < PEAK_NMETRICS; i++)
        if (timeline_reduce(r->tl, peak_metric_name(i), EXPR_FINAL, &vals[i], NULL) != 0)
            vals[i] = NAN;
    /* one profile fetch at a time: a part not allowed now is due again */
    unsigned allowed = PEAK_FDS;
    if (!run_snap_peak_pending(r))
        allowed |= PEAK_GOROUTINES | PEAK_HEAP;
    unsigned due = peak_due(&r->peak, vals, lc_now() - r->t0, allowed);
    if (due)
        run_snap_peak(r, due);
}

/* The target exited: the run ends here, with what it held at its peak as
 * the final snapshot. */
static void exited(struct run *r)
{
    int code = target_exit_code(r->target);
    double now = lc_now() - r->t0;
    r->finishing = 1;
    r->completed = 1;
    r->phase_end[r->phase] = now;
    timeline_add(r->tl, "exit_code", now, r->phase, code >= 0 ? (double)code : NAN);
    progress(r, "the target %s", target_exit_reason(r->target));
    run_snap_peak_to_final(r);
    event_base_loopbreak(r->base);
}

int run_batch_poll(struct run *r)
{
    if (!run_batch(r) || r->completed)
        return 0;
    if (target_poll(r->target)) {
        exited(r);
        return 1;
    }
    if (lc_now() - r->t0 > r->t->target.exit_timeout_s) {
        run_fail(r, "the target did not exit within %gs (target.exit_timeout)",
                 r->t->target.exit_timeout_s);
        return 1;
    }
    return 0;
}
