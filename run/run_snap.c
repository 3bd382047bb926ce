/* run/run_snap.c: the baseline, final and peak snapshots of a run. */
#include "run/run_snap.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/fetch.h"
#include "run/obs_cost.h"
#include "run/own.h"
#include "run/peak.h"
#include "run/run_internal.h"

static int next_fetch(struct run *r, enum run_snap_at at);

/* Go cuts a debug=2 dump at 64 MB; binary profiles are smaller. */
#define SNAP_MAX_BYTES (65u << 20)
/* A fetch may take this long at least (debug=2 stops the world for
 * seconds when there are tens of thousands of goroutines). */
#define SNAP_MIN_TIMEOUT_S 10.0
#define SNAP_DUMP_TIMEOUT_S 20.0
/* The fd table is read twice FD_AGE_S apart before the forced GC (what
 * lives shorter never counts as closed by it), then again every
 * GC_READ_EVERY_S after it until its count stops falling: at least
 * GC_READS_MIN, at most GC_READS_MAX times (finalizers run on their own
 * goroutine, soon after the collection). */
#define FD_AGE_S 0.05
#define GC_READ_EVERY_S 0.05
#define GC_READS_MIN 2
#define GC_READS_MAX 20

static const struct {
    const char *query; /* after the pprof base URL */
    const char *file;  /* after "baseline-", "final-" or "peak-" */
} what_info[SNAP__COUNT] = {
    [SNAP_G1] = {"/goroutine?debug=1", "goroutine.txt"},
    [SNAP_H1] = {"/heap?debug=1&gc=1", "heap.txt"},
    [SNAP_G0] = {"/goroutine?debug=0", "goroutine.pb.gz"},
    [SNAP_H0] = {"/heap?debug=0&gc=1", "heap.pb.gz"},
    [SNAP_G2] = {"/goroutine?debug=2", "goroutine-debug2.txt"},
    [SNAP_LEAK] = {"/goroutineleak?debug=1", "goroutineleak.txt"},
};

static const char *at_name(enum run_snap_at at)
{
    return at == RUN_SNAP_BASELINE ? "baseline" : at == RUN_SNAP_FINAL ? "final" : "peak";
}

static void save(struct run *r, const struct run_snap_req *q, const char *body, size_t len)
{
    struct lc_error err = {0};
    char *path = lc_asprintf("%s/%s-%s", r->dir, at_name(q->at), what_info[q->what].file);
    if (lc_write_file_atomic(path, body, len, &err) == 0)
        r->snap->side[q->at].saved[q->what] = 1;
    else
        progress(r, "cannot save a profile: %s", err.msg);
    free(path);
}

/* Go names the leak profile "goroutineleak profile: total N"; the
 * goroutine parser reads it once its first word is "goroutine". */
static struct pprof_profile *parse_leaks(const char *body, size_t len, struct lc_error *err)
{
    static const char prefix[] = "goroutineleak profile:";
    if (len < sizeof(prefix) - 1 || memcmp(body, prefix, sizeof(prefix) - 1) != 0) {
        lc_error_set(err, "does not start with \"%s\"", prefix);
        return NULL;
    }
    size_t skip = strlen("goroutineleak") - strlen("goroutine");
    char *copy = lc_strndup(body + skip, len - skip);
    memcpy(copy, "goroutine", strlen("goroutine"));
    struct pprof_profile *p = pprof_parse_goroutine(copy, len - skip, err);
    free(copy);
    return p;
}

static double goroutine_size(const struct pprof_profile *p)
{
    return (double)p->total;
}

static double heap_size(const struct pprof_profile *p)
{
    double v = 0;
    pprof_memstat(p, "HeapInuse", &v);
    return v;
}

/* Puts parsed profile p (NULL: it did not parse) into *slot; at a peak,
 * only when it holds at least as much as the one kept. Returns 0 when
 * kept, 1 when dropped, -1 when p is NULL. */
static int put_profile(struct pprof_profile **slot, struct pprof_profile *p, enum run_snap_at at,
                       double (*size)(const struct pprof_profile *))
{
    if (!p)
        return -1;
    if (at == RUN_SNAP_PEAK && *slot && size(p) < size(*slot)) {
        pprof_free(p);
        return 1;
    }
    pprof_free(*slot);
    *slot = p;
    return 0;
}

/* Parses what the snapshot keeps parsed; returns 0 (keep the body), 1
 * (a peak's part smaller than the one kept: drop it) or -1 with err when
 * the body is not what was asked for. */
static int keep(struct run_snap *s, const struct run_snap_req *q, const char *body, size_t len,
                struct lc_error *err)
{
    struct run_snap_side *side = &s->side[q->at];
    struct pprof_profile *p = NULL;
    switch (q->what) {
    case SNAP_G1:
        p = pprof_parse_goroutine(body, len, err);
        own_drop_goroutines(p); /* the two serving this very request (own.h) */
        return put_profile(&side->goroutines, p, q->at, goroutine_size);
    case SNAP_H1:
        return put_profile(&side->heap, pprof_parse_heap(body, len, err), q->at, heap_size);
    case SNAP_G0:
    case SNAP_H0:
        if (len >= 2 && (unsigned char)body[0] == 0x1f && (unsigned char)body[1] == 0x8b)
            return 0;
        lc_error_set(err, "not a gzip-compressed profile");
        return -1;
    case SNAP_G2:
        return (s->dump = gdump_parse(body, len, err)) ? 0 : -1;
    case SNAP_LEAK:
        return (s->leaks = parse_leaks(body, len, err)) ? 0 : -1;
    case SNAP__COUNT:
        break;
    }
    return -1;
}

/* The live-data figures of the post-GC heap profile: points of their
 * series, and at the baseline what baseline() of them is. */
static void heap_figures(struct run *r, enum run_snap_at at, const struct pprof_profile *heap)
{
    static const char *const map[][2] = {
        {"heap_alloc", "HeapAlloc"}, {"heap_inuse", "HeapInuse"}, {"heap_objects", "HeapObjects"}};
    double t = lc_now() - r->t0;
    for (size_t i = 0; i < LC_ARRAY_LEN(map); i++) {
        double v;
        if (!r->tl || pprof_memstat(heap, map[i][1], &v) != 0)
            continue;
        timeline_add(r->tl, map[i][0], t, at == RUN_SNAP_BASELINE ? PHASE_BASELINE : r->phase, v);
        if (at == RUN_SNAP_BASELINE)
            timeline_set_baseline(r->tl, map[i][0], v);
    }
}

/* goroutines_blocked, from the final snapshot's debug=2 dump: one point,
 * at the end of the test (the only dump with wait states). */
static void dump_figures(struct run *r, const struct gdump *dump)
{
    if (r->tl)
        timeline_add(r->tl, "goroutines_blocked", lc_now() - r->t0, r->phase,
                     (double)gdump_count_blocked(dump));
}

static void snap_over(struct run *r)
{
    r->snap->busy = 0;
    if (r->snap->done)
        r->snap->done(r);
}

static struct fdsnap *take_fds(struct run *r, pid_t pid, enum run_snap_at at)
{
    struct lc_error err = {0};
    struct procfs_endpoint *own = NULL;
    size_t nown = own_endpoints(r->fetch, &own);
    struct fdsnap *fs = fdsnap_take_excluding(pid, own, nown, &err);
    if (!fs)
        progress(r, "%s snapshot of file descriptors: %s", at_name(at), err.msg);
    free(own);
    return fs;
}

static void fd_timer_in(struct run_snap *s, double secs)
{
    struct timeval tv = {0, (suseconds_t)(secs * 1e6)};
    evtimer_add(s->fd_timer, &tv);
}

/* Before the GC: the second read, a moment after the first. */
static void age_read(struct run *r, struct run_snap_side *side, enum run_snap_at at)
{
    struct fdsnap *now = take_fds(r, r->snap->fd_pid, at);
    if (now) {
        fdsnap_free(side->fds_old);
        side->fds_old = side->fds;
        side->fds = now;
    }
    if (!next_fetch(r, at))
        snap_over(r);
}

/* After the GC: reads until the count stops falling. */
static void gc_read(struct run *r, struct run_snap_side *side, enum run_snap_at at)
{
    struct run_snap *s = r->snap;
    struct fdsnap *now = take_fds(r, r->snap->fd_pid, at);
    int fell = now && (!side->fds_gc || fdsnap_count(now) < fdsnap_count(side->fds_gc));
    if (now) {
        fdsnap_free(side->fds_gc);
        side->fds_gc = now;
    }
    s->fd_reads++;
    if (now && s->fd_reads < GC_READS_MAX && (fell || s->fd_reads < GC_READS_MIN)) {
        fd_timer_in(s, GC_READ_EVERY_S);
        return;
    }
    if (!next_fetch(r, at))
        snap_over(r);
}

static void on_fd_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct run *r = arg;
    struct run_snap *s = r->snap;
    if (s->fd_after_gc)
        gc_read(r, &s->side[s->fd_at], s->fd_at);
    else
        age_read(r, &s->side[s->fd_at], s->fd_at);
}

/* Starts the fd reads before (after_gc 0) or after the forced GC. Returns
 * 1 when they are under way. */
static int start_fd_reads(struct run *r, enum run_snap_at at, int after_gc)
{
    struct run_snap *s = r->snap;
    if (!s->side[at].fds || !r->base)
        return 0;
    if (!s->fd_timer)
        s->fd_timer = evtimer_new(r->base, on_fd_timer, r);
    s->fd_at = at;
    s->fd_after_gc = after_gc;
    s->fd_reads = 0;
    fd_timer_in(s, after_gc ? GC_READ_EVERY_S : FD_AGE_S);
    return 1;
}

static void on_snap_fetched(const struct fetch_result *res, void *arg)
{
    const struct run_snap_req *q = arg;
    struct run *r = q->r;
    struct run_snap *s = r->snap;
    struct lc_error err = {0};
    /* no goroutineleak profile (before Go 1.26, or built without the
     * experiment): net/http/pprof answers 404, which is no news */
    int silent = q->what == SNAP_LEAK && (!res->ok || res->status == 404);
    /* a batch job may be exiting: no answer at its peak is no news */
    silent |= q->at == RUN_SNAP_PEAK && !res->ok;
    obs_cost_fetch(&r->cost, res->url, res->elapsed_s);
    int kept = fetch_check(res, &err) == 0 && keep(s, q, res->body, res->len, &err) == 0;
    if (kept)
        save(r, q, res->body, res->len);
    if (err.msg[0] && !silent)
        progress(r, "%s snapshot: %s", at_name(q->at), err.msg);
    if (kept && q->what == SNAP_H1 && q->at != RUN_SNAP_PEAK)
        heap_figures(r, q->at, s->side[q->at].heap);
    if (kept && q->what == SNAP_G2)
        dump_figures(r, s->dump);
    if (kept && q->what == SNAP_H0 && start_fd_reads(r, q->at, 1))
        return;
    if (!next_fetch(r, q->at))
        snap_over(r);
}

/* One fetch at a time, in this order: the first forces a GC as soon after
 * the fd snapshot as can be (the fd re-reads follow it); whatever a
 * handler holds while it writes (compress/flate writers for debug=0 run
 * to megabytes) must not be live when the next forces a GC, and the heap
 * profile the culprits and heap figures are computed from comes last,
 * alone. */
static const enum run_snap_what order[] = {SNAP_H0, SNAP_G1, SNAP_G2, SNAP_LEAK, SNAP_G0, SNAP_H1};

static int start(struct run *r, enum run_snap_at at, enum run_snap_what what)
{
    struct run_snap *s = r->snap;
    struct run_snap_req *q = &s->reqs[at][what];
    double timeout = r->t->sample.timeout_s;
    /* a peak's fetches hold the sampling up (run_snap_peak_pending): no
     * longer than a sample's may */
    if (timeout < SNAP_MIN_TIMEOUT_S && at != RUN_SNAP_PEAK)
        timeout = SNAP_MIN_TIMEOUT_S;
    if (what == SNAP_G2 && timeout < SNAP_DUMP_TIMEOUT_S)
        timeout = SNAP_DUMP_TIMEOUT_S;
    *q = (struct run_snap_req){r, at, what};
    /* a peak forces no GC: the job runs on, and its finalizers would close
     * what it dropped (README: when leakcheck forces a GC) */
    const char *query =
        at == RUN_SNAP_PEAK && what == SNAP_H1 ? "/heap?debug=1" : what_info[what].query;
    char *url = lc_asprintf("%s%s", r->t->sample.pprof, query);
    int rc = fetch_get(r->fetch, url, timeout, SNAP_MAX_BYTES, NULL, on_snap_fetched, q);
    if (rc != 0)
        progress(r, "%s snapshot: libcurl could not start GET %s", at_name(at), url);
    free(url);
    return rc;
}

/* Whether snapshot `at` fetches w: the debug=2 dump and the leak profile
 * only at the end; a peak only the parts it is taken for, parsed. */
static int wanted(const struct run_snap *s, enum run_snap_at at, enum run_snap_what w)
{
    if (at == RUN_SNAP_PEAK)
        return (w == SNAP_G1 && (s->peak_parts & PEAK_GOROUTINES)) ||
               (w == SNAP_H1 && (s->peak_parts & PEAK_HEAP));
    return at == RUN_SNAP_FINAL || (w != SNAP_G2 && w != SNAP_LEAK);
}

/* Starts the next fetch of snapshot `at`; returns 1 when one is under way. */
static int next_fetch(struct run *r, enum run_snap_at at)
{
    struct run_snap *s = r->snap;
    while (s->next < LC_ARRAY_LEN(order)) {
        enum run_snap_what w = order[s->next++];
        if (!wanted(s, at, w))
            continue;
        if (start(r, at, w) == 0) {
            s->pending = 1;
            return 1;
        }
    }
    s->pending = 0;
    return 0;
}

int run_snap_take(struct run *r, enum run_snap_at at, run_snap_done_cb *done)
{
    if (!r->snap)
        r->snap = lc_calloc(1, sizeof(*r->snap));
    struct run_snap *s = r->snap;
    /* the process that serves, not a wrapper around it */
    pid_t pid = run_measured_pid(r);
    struct run_snap_side *side = &s->side[at];
    /* first, before anything of ours forces a GC */
    if (pid > 0 && r->t->sample.proc) {
        fdsnap_free(side->fds_old);
        fdsnap_free(side->fds_gc);
        fdsnap_free(side->fds);
        side->fds_old = side->fds_gc = NULL;
        side->fds = take_fds(r, pid, at);
        s->fd_pid = pid;
    }
    if (!r->t->sample.pprof || !r->fetch)
        return 0;
    s->done = done;
    s->next = 0;
    s->peak_parts = 0;
    /* no GC without pprof: then the fd table is read once */
    s->busy = start_fd_reads(r, at, 0) || next_fetch(r, at);
    return s->busy;
}

/* The fds of a peak, kept when there are at least as many as in the one
 * kept. The process may exit at any moment: a snapshot that fails (it is
 * gone) or holds little (it was closing everything) is dropped silently. */
static void peak_fds(struct run *r, pid_t pid)
{
    struct run_snap_side *p = &r->snap->side[RUN_SNAP_PEAK];
    struct procfs_endpoint *own = NULL;
    size_t nown = own_endpoints(r->fetch, &own);
    struct fdsnap *now = fdsnap_take_excluding(pid, own, nown, NULL);
    free(own);
    if (now && (!p->fds || fdsnap_count(now) >= fdsnap_count(p->fds))) {
        fdsnap_free(p->fds);
        p->fds = now;
    } else {
        fdsnap_free(now);
    }
}

int run_snap_peak(struct run *r, unsigned parts)
{
    if (!r->snap)
        r->snap = lc_calloc(1, sizeof(*r->snap));
    struct run_snap *s = r->snap;
    pid_t pid = run_measured_pid(r);
    if ((parts & PEAK_FDS) && pid > 0 && r->t->sample.proc)
        peak_fds(r, pid);
    parts &= PEAK_GOROUTINES | PEAK_HEAP;
    if (!parts || !r->t->sample.pprof || !r->fetch || s->pending)
        return 0;
    s->done = NULL;
    s->next = 0;
    s->peak_parts = parts;
    s->busy = next_fetch(r, RUN_SNAP_PEAK);
    return s->busy;
}

int run_snap_peak_pending(const struct run *r)
{
    return r->snap && r->snap->pending && r->snap->peak_parts;
}

static void side_free(struct run_snap_side *side)
{
    pprof_free(side->goroutines);
    pprof_free(side->heap);
    fdsnap_free(side->fds_old);
    fdsnap_free(side->fds);
    fdsnap_free(side->fds_gc);
    memset(side, 0, sizeof(*side));
}

void run_snap_peak_to_final(struct run *r)
{
    struct run_snap *s = r->snap;
    if (!s)
        return;
    side_free(&s->side[RUN_SNAP_FINAL]);
    s->side[RUN_SNAP_FINAL] = s->side[RUN_SNAP_PEAK];
    memset(&s->side[RUN_SNAP_PEAK], 0, sizeof(s->side[RUN_SNAP_PEAK]));
}

void run_snap_free(struct run_snap *s)
{
    if (!s)
        return;
    for (int i = 0; i < RUN_SNAP__COUNT; i++)
        side_free(&s->side[i]);
    if (s->fd_timer)
        event_free(s->fd_timer);
    gdump_free(s->dump);
    pprof_free(s->leaks);
    free(s);
}
