/* run/runner.c: the phases of one test on one event loop. */
#include "run/runner.h"

#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fdlimit.h"
#include "run/checkpoint.h"
#include "run/fetch.h"
#include "run/loadcfg.h"
#include "suite/metrics.h"
#include "run/obs_cost.h"
#include "run/run_internal.h"
#include "run/run_snap.h"
#include "run/sampler.h"
#include "sources/serving.h"
#include "target/target.h"
#include "run/timeline.h"
#include "loadgen/loadgen.h"

#define POLL_INTERVAL_S 0.05
#define READY_RETRY_S 0.1

void run_fail(struct run *r, const char *fmt, ...)
{
    if (!r->error[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->error, sizeof(r->error), fmt, ap);
        va_end(ap);
    }
    event_base_loopbreak(r->base);
}

static struct timeval tv_of(double secs)
{
    if (secs < 0)
        secs = 0;
    struct timeval tv = {(time_t)secs, (suseconds_t)((secs - (double)(time_t)secs) * 1e6)};
    return tv;
}

static void next_phase(struct run *r);
static void on_round(struct sampler *s, void *arg);

/* A snapshot is being taken: sample rounds wait (neither sees the other's
 * requests, nor the other's forced GC). */
static int snapping(const struct run *r)
{
    return r->snap && r->snap->busy;
}

/* Takes snapshot `at` once no sample round is under way: now, or when the
 * round in flight ends (on_round). Returns 1 when done will be called,
 * 0 when the snapshot was complete within the call. */
static int take_snapshot(struct run *r, enum run_snap_at at, run_snap_done_cb *done)
{
    if (sampler_busy(r->sampler)) {
        r->snap_wanted = 1;
        r->snap_wanted_at = at;
        r->snap_wanted_done = done;
        return 1;
    }
    return run_snap_take(r, at, done);
}

static void start_round(struct run *r)
{
    /* counted first: a round with no HTTP source completes within the call */
    r->rounds_started++;
    r->round_phase = r->phase;
    obs_cpu_read(&r->cpu, run_measured_pid(r), lc_now());
    if (sampler_round(r->sampler, r->phase, on_round, r) != 0)
        r->rounds_started--;
}

static void enter_phase(struct run *r, enum phase p)
{
    double now = lc_now() - r->t0;
    if (r->phase_seen[r->phase])
        r->phase_end[r->phase] = now;
    r->phase = p;
    r->phase_seen[p] = 1;
    r->phase_start[p] = now;
    r->phase_end[p] = now;
    progress(r, "%s", phase_name(p));
    /* a batch job observes until it exits */
    double len = p == PHASE_BASELINE ? r->t->baseline_s
                 : p == PHASE_OBSERVE ? (run_batch(r) ? -1 : r->t->observe_s)
                 : p == PHASE_SETTLE  ? r->t->settle_s
                                      : -1;
    if (p == PHASE_LOAD) {
        struct lc_error err = {0};
        if (loadgen_start(r->lg, &err) != 0) {
            run_fail(r, "load could not start: %s", err.msg);
            return;
        }
        sampler_set_load(r->sampler, r->lg);
        r->load_started = 1;
    }
    if (len >= 0) {
        struct timeval tv = tv_of(len);
        evtimer_add(r->phase_timer, &tv);
    }
    if (!sampler_busy(r->sampler) && !snapping(r))
        start_round(r);
}

/* Ends the phases: one more round, taken after this point, is the final. */
static void finish(struct run *r)
{
    if (r->finishing)
        return;
    r->finishing = 1;
    evtimer_del(r->tick);
    evtimer_del(r->phase_timer);
    r->final_round = r->rounds_started + 1;
    /* the final round's heap and goroutines are read whatever the pace */
    sampler_want_exact(r->sampler);
    if (!sampler_busy(r->sampler) && !snapping(r))
        start_round(r);
}

static void after_baseline_snapshot(struct run *r)
{
    next_phase(r);
}

static void next_phase(struct run *r)
{
    enum phase p = r->phase;
    /* what the service holds before the load, for the culprits; the phase
     * moves on once the snapshot's fetches are over */
    if (p == PHASE_BASELINE && !r->baseline_snapped) {
        r->baseline_snapped = 1;
        if (take_snapshot(r, RUN_SNAP_BASELINE, after_baseline_snapshot))
            return;
    }
    if (p == PHASE_BASELINE && run_batch(r))
        enter_phase(r, PHASE_OBSERVE);
    else if (p == PHASE_BASELINE && r->t->load.present)
        enter_phase(r, PHASE_LOAD);
    else if (p <= PHASE_LOAD && r->t->observe_s > 0)
        enter_phase(r, PHASE_OBSERVE);
    else if (p <= PHASE_OBSERVE && r->t->settle_s > 0)
        enter_phase(r, PHASE_SETTLE);
    else
        finish(r);
}

static void end_loop(struct run *r)
{
    /* the final snapshot's cost is the target's too */
    obs_cpu_read(&r->cpu, run_measured_pid(r), lc_now());
    event_base_loopbreak(r->base);
}

static void on_round(struct sampler *s, void *arg)
{
    struct run *r = arg;
    const char *fatal = sampler_fatal(s);
    if (fatal) {
        run_fail(r, "%s", fatal);
        return;
    }
    /* a metric name the service does not expose stops the test before its load */
    if (!r->names_checked && sampler_prom_first(s)) {
        r->names_checked = 1;
        if (run_check_names(r, sampler_prom_first(s))) {
            event_base_loopbreak(r->base);
            return;
        }
    }
    if (r->snap_wanted) {
        /* a snapshot waited for this round; it comes first */
        r->snap_wanted = 0;
        if (!run_snap_take(r, r->snap_wanted_at, r->snap_wanted_done))
            r->snap_wanted_done(r);
        return;
    }
    if (r->finishing) {
        if (r->rounds_started >= r->final_round) {
            r->phase_end[r->phase] = lc_now() - r->t0;
            r->completed = 1;
            /* the final snapshot (debug=2 dump and binary profiles) comes
             * after the final round, so it never delays a sample */
            if (!run_snap_take(r, RUN_SNAP_FINAL, end_loop))
                event_base_loopbreak(r->base);
        } else {
            start_round(r);
        }
        return;
    }
    /* only a round taken while settling can say the leak has drained */
    if (r->round_phase == PHASE_SETTLE && r->phase == PHASE_SETTLE && run_settled(r))
        finish(r);
    run_batch_round(r);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct run *r = arg;
    /* a round would show in a snapshot's profiles, a snapshot's GC in a round's */
    if (!sampler_busy(r->sampler) && !snapping(r) && !r->snap_wanted)
        start_round(r);
    else
        r->rounds_skipped++;
}

static void on_phase_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    next_phase(arg);
}

/* A checkpoint falls due: the test so far is built here (bounded series,
 * a few milliseconds) and written by the checkpoint's thread. */
static void on_checkpoint(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct run *r = arg;
    struct checkpoint *c = r->opts->ckpt;
    if (!checkpoint_ready(c))
        return;
    double t0 = lc_now();
    struct report_test *rt = lc_calloc(1, sizeof(*rt));
    run_report_partial(r, rt);
    checkpoint_note_build(c, lc_now() - t0);
    checkpoint_write(c, r->opts->ndone, rt, run_phase_now(r), lc_now() - r->t0);
}

volatile sig_atomic_t runner_signal;

static void on_interrupt(int sig)
{
    if (runner_signal) {
        /* a second signal: at once, taking the target's whole group along */
        if (target_group > 0)
            kill(-(pid_t)target_group, SIGKILL);
        _exit(130);
    }
    runner_signal = sig;
}

void runner_install_signals(void)
{
    struct sigaction sa = {.sa_handler = on_interrupt};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* The signal handler only sets a flag; the loop's poll acts on it. */
static int check_interrupt(struct run *r)
{
    int sig = runner_signal;
    if (!sig)
        return 0;
    r->interrupted = sig;
    snprintf(r->error, sizeof(r->error), "interrupted by %s", sig == SIGINT ? "SIGINT" : "SIGTERM");
    event_base_loopbreak(r->base);
    return 1;
}

static void on_poll(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct run *r = arg;
    if (check_interrupt(r) || run_batch_poll(r))
        return;
    /* once the test is over (the final snapshot is being taken), a target
     * that exits changes no verdict */
    if (r->target && !r->completed && target_poll(r->target)) {
        run_fail(r, "the target %s %s", target_exit_reason(r->target),
                 r->sampling ? run_phase_desc(r) : "before it was ready");
        return;
    }
    if (r->phase == PHASE_LOAD && r->load_started && !r->load_joined && loadgen_done(r->lg)) {
        loadgen_join(r->lg);
        r->load_joined = 1;
        next_phase(r);
    }
    progress_tick(r);
}

static void ready_retry(struct run *r)
{
    if (lc_now() >= r->ready_deadline) {
        run_fail(r, "the target was not ready after %gs: %s", r->t->target.ready_timeout_s,
                 r->ready_last);
        return;
    }
    struct timeval tv = tv_of(READY_RETRY_S);
    evtimer_add(r->ready_timer, &tv);
}

static void begin_sampling(struct run *r)
{
    /* "measure": {"listening": PORT} waits for its listener too */
    if (run_serving_ready(r) != 0) {
        ready_retry(r);
        return;
    }
    r->sampling = 1;
    struct timeval tv = tv_of(r->t->sample.interval_s);
    event_add(r->tick, &tv);
    /* a batch job has no baseline unless the test gives one */
    enter_phase(r, run_batch(r) && r->t->baseline_s <= 0 ? PHASE_OBSERVE : PHASE_BASELINE);
}

static void try_ready(struct run *r);

static void on_ready(const struct fetch_result *res, void *arg)
{
    struct run *r = arg;
    struct lc_error err = {0};
    if (fetch_check(res, &err) == 0) {
        begin_sampling(r);
        return;
    }
    /* the last attempt, cut short by the deadline, may only have timed out:
     * the reason an earlier attempt gave is then the one worth reporting */
    int late = lc_now() >= r->ready_deadline;
    if (!(late && r->ready_last[0] && strstr(err.msg, "timed out")) &&
        snprintf(r->ready_last, sizeof(r->ready_last), "%s", err.msg) < 0)
        r->ready_last[0] = '\0';
    ready_retry(r);
}

static void on_ready_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    try_ready(arg);
}

static void try_ready(struct run *r)
{
    if (!r->t->target.ready) {
        begin_sampling(r);
        return;
    }
    double left = r->ready_deadline - lc_now();
    double timeout = left < 1.0 ? (left < 0.05 ? 0.05 : left) : 1.0;
    if (fetch_get(r->fetch, r->t->target.ready, timeout, 0, NULL, on_ready, r) != 0)
        run_fail(r, "libcurl could not start a readiness request");
}

static void visit_prom(const struct expr_metric *m, enum expr_reduce reduce, void *arg)
{
    (void)reduce;
    if (!metric_builtin(m->name))
        sampler_add_prom(arg, m);
}

/* Everything that can fail before the target starts. Returns 0 or -1. */
static int setup(struct run *r)
{
    struct lc_error err = {0};
    r->base = event_base_new();
    r->fetch = r->base ? fetch_new(r->base, &err) : NULL;
    if (!r->fetch) {
        snprintf(r->error, sizeof(r->error), "cannot set up the event loop: %s", err.msg);
        return -1;
    }
    /* one connection to the target stays open, the one profiles come
     * over (own.h); any other is closed after each request */
    fetch_keep_alive(r->fetch, r->t->sample.pprof ? r->t->sample.pprof : r->t->sample.prometheus);
    r->tl = timeline_new();
    if (lc_mkdirs(r->dir, &err) != 0) {
        snprintf(r->error, sizeof(r->error), "%s", err.msg);
        return -1;
    }
    const struct suite_load *l = &r->t->load;
    if (l->present &&
        fdlimit_raise(fdlimit_need(l->concurrency, l->requests, l->threads), &err) != 0) {
        snprintf(r->error, sizeof(r->error), "load: %s", err.msg);
        return -1;
    }
    if (l->present && !(r->lg = loadcfg_new(l, &err))) {
        snprintf(r->error, sizeof(r->error), "load: %s", err.msg);
        return -1;
    }
    r->tick = event_new(r->base, -1, EV_PERSIST, on_tick, r);
    r->phase_timer = evtimer_new(r->base, on_phase_timer, r);
    r->ready_timer = evtimer_new(r->base, on_ready_timer, r);
    r->poll = event_new(r->base, -1, EV_PERSIST, on_poll, r);
    struct timeval tv = tv_of(POLL_INTERVAL_S);
    event_add(r->poll, &tv);
    if (r->opts->ckpt) {
        r->ckpt_timer = event_new(r->base, -1, EV_PERSIST, on_checkpoint, r);
        tv = tv_of(checkpoint_interval(r->opts->ckpt));
        event_add(r->ckpt_timer, &tv);
    }
    return 0;
}

static void start(struct run *r)
{
    struct lc_error err = {0};
    r->t0 = lc_now();
    if (r->t->target.present) {
        r->target = target_start(&r->t->target, r->dir, &err);
        if (!r->target) {
            snprintf(r->error, sizeof(r->error), "the target could not start: %s", err.msg);
            return;
        }
    }
    pid_t pid = r->target ? target_pid(r->target) : 0;
    r->sampler = sampler_new(r->fetch, r->t, pid, r->tl, r->t0);
    sampler_set_cost(r->sampler, &r->cost);
    for (size_t i = 0; i < r->t->nasserts; i++)
        expr_visit(r->exprs[i], visit_prom, r->sampler);
    run_serving_start(r);
    r->ready_deadline = r->t0 + r->t->target.ready_timeout_s;
    try_ready(r);
    if (!r->error[0])
        event_base_dispatch(r->base);
}

static void teardown(struct run *r)
{
    if (r->lg && r->load_started) {
        loadgen_stop(r->lg);
        loadgen_join(r->lg);
    }
    if (r->target)
        target_stop(r->target);
    /* the fetcher goes first: it cancels fetches whose callbacks use the sampler */
    fetch_free(r->fetch);
    r->fetch = NULL;
    struct event *evs[] = {r->tick, r->phase_timer, r->ready_timer, r->poll, r->ckpt_timer};
    for (size_t i = 0; i < LC_ARRAY_LEN(evs); i++)
        if (evs[i])
            event_free(evs[i]);
}

int runner_run_test(const struct suite_test *t, struct expr *const *exprs,
                    const struct runner_opts *opts, struct report_test *rt)
{
    struct run r = {.t = t, .exprs = exprs, .opts = opts};
    peak_watch_init(&r.peak);
    r.dir = lc_strdup(opts->test_dir);
    rt->started_at = lc_wall();
    if (setup(&r) == 0)
        start(&r);
    progress_end(&r);
    teardown(&r);
    run_report(&r, rt);
    run_snap_free(r.snap);
    serving_free(r.serving);
    sampler_free(r.sampler);
    target_free(r.target);
    loadgen_free(r.lg);
    timeline_free(r.tl);
    if (r.base)
        event_base_free(r.base);
    free(r.dir);
    return r.interrupted ? 1 : 0;
}
