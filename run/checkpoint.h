/*
 * run/checkpoint.h: the reports of a run under way, rewritten every
 * `checkpoint` interval (report.json, junit.xml, report.html, each
 * atomically: a temporary file in the same folder, fsync, rename) and
 * marked "complete": false with how far the run got, so that a run killed
 * at any moment (kill -9, the OOM killer, a CI time limit) leaves the last
 * checkpoint's reports intact.
 *
 * The writing is off the event loop: the loop only builds the test under
 * way's part (its series are bounded, run/timeline.h) and hands it to a
 * writer thread; while one write is under way a checkpoint falls due, it
 * is skipped, never waited for.
 */
#ifndef LC_CHECKPOINT_H
#define LC_CHECKPOINT_H

#include <stddef.h>

#include "reports/report.h"
#include "suite/suite.h"

/* Runs planned longer than this get a checkpoint every
 * CHECKPOINT_DEFAULT_S unless the suite or --checkpoint says otherwise. */
#define CHECKPOINT_LONG_RUN_S 600.0
#define CHECKPOINT_DEFAULT_S 60.0
/* The shortest interval accepted: a write costs a few milliseconds. */
#define CHECKPOINT_MIN_S SUITE_CHECKPOINT_MIN_S

struct checkpoint;

/* What the checkpoints cost, for the tests and bench/. */
struct checkpoint_stats {
    unsigned written;    /* checkpoints written */
    unsigned skipped;    /* fell due while a write was under way */
    double max_write_s;  /* the longest write (in the writer thread) */
    double max_build_s;  /* the longest time the loop spent building one */
};

/* Returns the checkpoints of run rr into folder out every interval_s
 * seconds, or NULL when interval_s <= 0 (off). rr is borrowed: its tests
 * are read by the writer thread until the next checkpoint_write or
 * checkpoint_join. */
struct checkpoint *checkpoint_new(const char *out, double interval_s, const struct report_run *rr);

/* The interval in seconds. */
double checkpoint_interval(const struct checkpoint *c);

/*
 * Hands one checkpoint to the writer thread: the first ndone tests of the
 * run (whose memory must not change until the write is over: the next
 * checkpoint_write or checkpoint_join), then `running` (taken and freed,
 * may be NULL: between tests), the test under way, in `phase` (copied; or
 * NULL) at_s seconds into it. Returns 0 when handed over, 1 when the
 * previous write is still under way (this one is skipped and `running`
 * freed). A previous write's failure is printed on stderr here, once.
 */
int checkpoint_write(struct checkpoint *c, size_t ndone, struct report_test *running,
                     const char *phase, double at_s);

/* 1 when a checkpoint can be handed over now; 0 (and the checkpoint
 * counted as skipped) while the previous write is under way. */
int checkpoint_ready(struct checkpoint *c);

/* Notes how long the loop spent building a checkpoint's test. */
void checkpoint_note_build(struct checkpoint *c, double secs);

/* Waits for the write under way, if any (before the tests it reads change
 * or the final reports are written). */
void checkpoint_join(struct checkpoint *c);

/* The costs so far (joins first). */
struct checkpoint_stats checkpoint_stats(struct checkpoint *c);

/* Joins and frees; NULL is a no-op. */
void checkpoint_free(struct checkpoint *c);

#endif
