/*
 * run/run_snap.h (internal to run/): the two snapshots of a run
 * that culprits are computed from, one at the end of the baseline and one
 * at the end of the test (after the final sample round). The runner never
 * lets a snapshot (a peak's too) and a sample round overlap. In this
 * order:
 *
 *   - /proc/PID/fd joined with the network tables (fdsnap), before
 *     anything else: the descriptors as they are; and again 50 ms later
 *     (the descriptors open at both reads are the ones a GC can be said
 *     to close);
 *   - heap?debug=0&gc=1, the binary heap profile for `go tool pprof
 *     -base`, saved as baseline-heap.pb.gz (final-...). Its gc=1 is the
 *     first garbage collection leakcheck forces (sample rounds never do);
 *   - the fd table again, 50 ms later and every 50 ms until its count
 *     stops falling (at most 1 s): what the collector's finalizers closed
 *     meanwhile was dropped without Close (fdsnap_gc_closed);
 *   - goroutine?debug=1, parsed (leakcheck's own request left out, own.h)
 *     and saved as baseline-goroutine.txt;
 *   - at the end only: goroutine?debug=2 (it stops the world, so once, with
 *     a size and time bound), saved as final-goroutine-debug2.txt, and
 *     Go's goroutineleak profile when the target serves it (a 404 means
 *     not available, silently);
 *   - goroutine?debug=0, saved as baseline-goroutine.pb.gz;
 *   - heap?debug=1&gc=1 last and alone, parsed, saved as baseline-heap.txt:
 *     the heap culprits, and the live-data figures heap_alloc, heap_inuse
 *     and heap_objects that the test's baseline() and final values of
 *     those metrics are (they are added to the timeline as points too).
 *
 * A target that runs to completion (a batch job) has no end to take a
 * snapshot at: instead, peak snapshots are taken while it runs (peak.h
 * says when), each part -- the fds, goroutine?debug=1, heap?debug=1 (no
 * GC is forced while the job runs: its finalizers would close what it
 * dropped) -- replacing the one kept only when it holds at least as much (a process
 * that is exiting gives a snapshot of nearly nothing, which must not
 * replace its peak), saved as peak-goroutine.txt and peak-heap.txt. When
 * it exits, the peak snapshot becomes the run's final snapshot
 * (run_snap_peak_to_final), so every analysis of the final snapshot sees
 * what the job held at its worst.
 *
 * The fetches go through the run's fetcher; a fetch that fails costs only
 * what it would have added (a note on the progress output), never the test.
 */
#ifndef LC_RUN_SNAP_H
#define LC_RUN_SNAP_H

#include "culprits/fdsnap.h"

struct event;
#include "sources/gdump.h"
#include "sources/pprof.h"

struct run;

enum run_snap_at { RUN_SNAP_BASELINE, RUN_SNAP_FINAL, RUN_SNAP_PEAK, RUN_SNAP__COUNT };

enum run_snap_what {
    SNAP_G1,   /* goroutine?debug=1 */
    SNAP_H1,   /* heap?debug=1&gc=1 */
    SNAP_G0,   /* goroutine?debug=0 */
    SNAP_H0,   /* heap?debug=0&gc=1 */
    SNAP_G2,   /* goroutine?debug=2, final only */
    SNAP_LEAK, /* goroutineleak?debug=1, final only */
    SNAP__COUNT
};

/* Called on the event loop when every fetch of a snapshot has ended. */
typedef void run_snap_done_cb(struct run *r);

struct run_snap_req {
    struct run *r;
    enum run_snap_at at;
    enum run_snap_what what;
};

struct run_snap_side {
    struct pprof_profile *goroutines; /* debug=1, or NULL */
    struct pprof_profile *heap;       /* debug=1, or NULL */
    struct fdsnap *fds_old;           /* a moment before fds, or NULL */
    struct fdsnap *fds;               /* just before the forced GC, or NULL */
    struct fdsnap *fds_gc;            /* once its finalizers ran, or NULL */
    int saved[SNAP__COUNT];           /* the body was written into the test's folder */
};

struct run_snap {
    struct run_snap_side side[RUN_SNAP__COUNT];
    struct gdump *dump;          /* final goroutine?debug=2, or NULL */
    struct pprof_profile *leaks; /* final goroutineleak profile, or NULL */
    int pending;                 /* a fetch is under way */
    int busy;                    /* the snapshot is being taken (fetches or fd reads) */
    size_t next;                 /* the next fetch to start (they go one at a time) */
    struct event *fd_timer;      /* the fd reads around the forced GC */
    enum run_snap_at fd_at;      /* the snapshot they belong to */
    pid_t fd_pid;                /* the process they read */
    int fd_after_gc;             /* 0: the second read before it; 1: after it */
    int fd_reads;                /* how many were taken after it */
    run_snap_done_cb *done;
    unsigned peak_parts; /* the parts (enum peak_part) of the peak snapshot under way */
    struct run_snap_req reqs[RUN_SNAP__COUNT][SNAP__COUNT];
};

/*
 * Takes snapshot `at` of run r (creating r->snap when needed): the fd
 * snapshot at once, then the fetches. Returns 1 when fetches are under way
 * (done is called when the last ends, with r->snap->busy cleared), 0 when
 * everything was done within the call (done is not called).
 */
int run_snap_take(struct run *r, enum run_snap_at at, run_snap_done_cb *done);

/*
 * Takes the parts (a mask of enum peak_part) of a peak snapshot of run r:
 * the fds at once (a process that is gone or going is no fault: nothing is
 * kept then), the profiles through fetches (only with sample.pprof, and
 * only when no other fetch of a snapshot is under way). Returns 1 when
 * fetches are under way.
 */
int run_snap_peak(struct run *r, unsigned parts);

/* 1 while a fetch of a peak snapshot is under way. */
int run_snap_peak_pending(const struct run *r);

/* Makes the peak snapshot the run's final one (what the final held is
 * dropped; it has none when the target ran to completion). */
void run_snap_peak_to_final(struct run *r);

/* Frees the snapshots; NULL is a no-op. Fetches must be over or cancelled. */
void run_snap_free(struct run_snap *s);

#endif
