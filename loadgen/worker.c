/*
 * loadgen/worker.c: a worker thread: its event loop, its connections, the
 * periodic tick (stop requests, the duration limit, request timeouts) and,
 * in the open model, the schedule of intended send times.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "loadgen/lg_int.h"

#define LG_SWEEP_NS 100000000ull       /* look for timed-out requests every 100 ms */
#define LG_DRAIN_MAX_NS 30000000000ull /* the longest wait for answers after -z */

uint64_t lg_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int lg_take_budget(struct loadgen *lg)
{
    uint64_t max = lg->cfg.max_requests;
    if (!max)
        return 1;
    /* cheap refusal once spent, so the counter stops moving */
    if (atomic_load_explicit(&lg->issued, memory_order_relaxed) >= max)
        return 0;
    return atomic_fetch_add_explicit(&lg->issued, 1, memory_order_relaxed) < max;
}

uint64_t lg_take_budget_n(struct loadgen *lg, uint64_t n)
{
    uint64_t max = lg->cfg.max_requests;
    if (!max)
        return n;
    uint64_t cur = atomic_load_explicit(&lg->issued, memory_order_relaxed);
    uint64_t grant;
    do {
        grant = cur >= max ? 0 : max - cur < n ? max - cur : n;
    } while (grant &&
             !atomic_compare_exchange_weak_explicit(&lg->issued, &cur, cur + grant,
                                                    memory_order_relaxed, memory_order_relaxed));
    return grant;
}

static void finish_conn(struct lg_worker *w, struct lg_conn *c)
{
    lg_conn_close(c);
    if (w->active && --w->active == 0)
        event_base_loopbreak(w->base);
}

/* The time the open-model request number `k` of this worker is due, or 0
 * when the rate profile has ended. The time is compared in seconds before
 * it becomes nanoseconds, so that no rate (1e-300 puts the second request
 * past any clock) overflows the conversion: a request due after the
 * deadline, or more than a year from the start, is never due. */
static uint64_t due_time(struct lg_worker *w, uint64_t k)
{
    struct loadgen *lg = w->lg;
    double t = lg_sched_time(lg, (double)k / w->share);
    if (!(t >= 0) || !(t < LOADGEN_MAX_SECONDS))
        return 0;
    if (lg->deadline && t >= (double)(lg->deadline - lg->t0) / 1e9)
        return 0;
    uint64_t due = lg->t0 + (uint64_t)(t * 1e9);
    if (lg->deadline && due >= lg->deadline)
        return 0;
    return due;
}

static void finish_idle(struct lg_worker *w)
{
    while (w->idle) {
        struct lg_conn *c = w->idle;
        w->idle = c->next_idle;
        finish_conn(w, c);
    }
}

/* Sends every request whose time has come, as far as idle connections go;
 * the rest wait for a connection to come back (and count as late). */
static void dispatch_due(struct lg_worker *w)
{
    if (w->in_dispatch)
        return;
    w->in_dispatch = 1;
    uint64_t now = lg_now_ns();
    while (!w->sched_over && !w->stopping && w->next_due <= now && w->idle) {
        if (!lg_take_budget(w->lg)) {
            w->sched_over = 1;
            break;
        }
        struct lg_conn *c = w->idle;
        w->idle = c->next_idle;
        if (now - w->next_due > LG_LATE_NS)
            lg_inc(&w->c.late, 1);
        uint64_t due = w->next_due;
        w->next_due = due_time(w, ++w->sched_k);
        if (!w->next_due)
            w->sched_over = 1;
        lg_conn_next(c, due);
        now = lg_now_ns();
    }
    if (w->sched_over || w->stopping)
        finish_idle(w);
    else if (w->next_due > now) {
        uint64_t d = w->next_due - now;
        struct timeval tv = {(time_t)(d / 1000000000ull), (suseconds_t)(d % 1000000000ull / 1000)};
        evtimer_add(w->sched, &tv);
    }
    w->in_dispatch = 0;
}

void lg_worker_conn_idle(struct lg_worker *w, struct lg_conn *c)
{
    if (w->stopping) {
        finish_conn(w, c);
        return;
    }
    if (!w->lg->open) {
        if (lg_take_budget(w->lg))
            lg_conn_next(c, 0);
        else
            finish_conn(w, c);
        return;
    }
    c->state = LG_C_IDLE;
    c->next_idle = w->idle;
    w->idle = c;
    dispatch_due(w);
}

static void sched_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    dispatch_due(arg);
}

static void stop_worker(struct lg_worker *w)
{
    w->stopping = 1;
    for (unsigned i = 0; i < w->nconns; i++)
        lg_conn_close(&w->conns[i]); /* requests in flight are abandoned */
    lg_h2_close_all(w);
    w->active = 0;
    w->idle = NULL;
    event_base_loopbreak(w->base);
}

/* Counts, as late, the open-model requests that fell due before the
 * deadline but never left (every connection was busy): a stall at the end
 * of a run must not vanish from the figures. Counted from the rate
 * profile, not one by one: at a high rate they are millions. */
static void count_unsent(struct lg_worker *w)
{
    struct loadgen *lg = w->lg;
    uint64_t n = 0;
    if (!w->sched_over && w->next_due && lg->deadline) {
        double due = ceil(lg_sched_count(lg, (double)(lg->deadline - lg->t0) / 1e9) * w->share);
        /* request sched_k is the first unsent one */
        if (due > (double)w->sched_k)
            n = due - (double)w->sched_k < 4e18 ? (uint64_t)(due - (double)w->sched_k) : 0;
        n = lg_take_budget_n(lg, n);
    }
    w->sched_over = 1;
    lg_inc(&w->c.late, n);
}

/* The duration is over: nothing new is sent, but requests in flight get
 * their answer (or their timeout) and are counted, as hey does; a
 * connection waiting to reconnect has nothing in flight and ends now. */
static void begin_drain(struct lg_worker *w)
{
    if (w->lg->open)
        dispatch_due(w); /* what fell due just now and has a connection still goes */
    w->stopping = 1;
    if (w->lg->open)
        count_unsent(w);
    finish_idle(w);
    for (unsigned i = 0; i < w->nconns; i++) {
        struct lg_conn *c = &w->conns[i];
        if (c->state == LG_C_BACKOFF || c->state == LG_C_IDLE)
            finish_conn(w, c);
    }
    if (!w->active)
        event_base_loopbreak(w->base);
}

static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    lg_conn_flush(arg);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
    struct lg_worker *w = arg;
    struct loadgen *lg = w->lg;
    (void)fd;
    (void)what;
    uint64_t now = lg_now_ns();
    if (atomic_load_explicit(&lg->stop, memory_order_relaxed)) {
        stop_worker(w);
        return;
    }
    if (lg->deadline && now >= lg->deadline && !w->stopping)
        begin_drain(w);
    /* requests time out on their own; this bounds a drain without timeout */
    if (lg->deadline && now >= lg->deadline + w->drain_ns) {
        stop_worker(w);
        return;
    }
    if (now - w->last_sweep >= LG_SWEEP_NS) {
        w->last_sweep = now;
        for (unsigned i = 0; i < w->nconns; i++)
            lg_conn_check_timeout(&w->conns[i], now);
    }
}

int lg_worker_setup(struct lg_worker *w, struct loadgen *lg, unsigned id, unsigned nconns,
                    struct lc_error *err)
{
    w->lg = lg;
    w->id = id;
    struct event_config *ec = event_config_new();
    if (ec && lg->open)
        event_config_set_flag(ec, EVENT_BASE_FLAG_PRECISE_TIMER);
    if (ec)
        event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK);
    w->base = ec ? event_base_new_with_config(ec) : NULL;
    if (ec)
        event_config_free(ec);
    if (!w->base)
        return lc_error_set(err, "cannot create an event loop"), -1;
    /* activated by the first request queued in a round, the flush joins
     * the end of the active queue, so it runs after that round's I/O
     * callbacks and before the next epoll_wait */
    w->flush = event_new(w->base, -1, 0, flush_cb, w);
    w->batch = 1;
    w->tick = event_new(w->base, -1, EV_PERSIST, tick_cb, w);
    w->sched = evtimer_new(w->base, sched_cb, w);
    if (!w->tick || !w->sched)
        return lc_error_set(err, "cannot create timers"), -1;
    w->rbuf = lc_malloc(LG_READ_BUF);
    w->lat = hist_new();
    unsigned streams = lg->cfg.h2 ? lg->cfg.streams : 1;
    w->nconns = nconns * streams; /* HTTP/2: stream slots */
    w->conns = lc_calloc(w->nconns, sizeof *w->conns);
    for (unsigned i = 0; i < w->nconns; i++)
        lg_conn_init(&w->conns[i], w);
    if (lg->cfg.h2)
        lg_h2_setup(w, nconns, streams);
    w->share = (double)nconns / (double)lg->cfg.concurrency;
    if (lg->cfg.record)
        w->maxrec = LG_REC_MAX / lg->nworkers;
    w->drain_ns =
        (lg->timeout_ns < LG_DRAIN_MAX_NS ? lg->timeout_ns : LG_DRAIN_MAX_NS) + 2 * LG_SWEEP_NS;
    return 0;
}

void *lg_worker_main(void *arg)
{
    struct lg_worker *w = arg;
    struct loadgen *lg = w->lg;
    struct timeval tick = {0, LG_TICK_MS * 1000};
    event_add(w->tick, &tick);
    w->last_sweep = lg_now_ns();
    w->active = w->nconns;
    if (lg->open) {
        w->next_due = due_time(w, 0);
        w->sched_over = w->next_due == 0;
        for (unsigned i = 0; i < w->nconns; i++) {
            w->conns[i].next_idle = w->idle;
            w->idle = &w->conns[i];
        }
        dispatch_due(w);
    } else {
        for (unsigned i = 0; i < w->nconns && !w->stopping; i++)
            lg_worker_conn_idle(w, &w->conns[i]);
    }
    if (w->active)
        event_base_dispatch(w->base);
    for (unsigned i = 0; i < w->nconns; i++)
        lg_conn_close(&w->conns[i]);
    lg_h2_close_all(w);
    atomic_store_explicit(&w->end_ns, lg_now_ns(), memory_order_relaxed);
    atomic_store_explicit(&w->done, 1, memory_order_release);
    return NULL;
}

void lg_worker_free(struct lg_worker *w)
{
    for (unsigned i = 0; w->conns && i < w->nconns; i++)
        lg_conn_free(&w->conns[i]);
    lg_h2_free(w);
    free(w->conns);
    if (w->tick)
        event_free(w->tick);
    if (w->sched)
        event_free(w->sched);
    if (w->flush)
        event_free(w->flush);
    if (w->base)
        event_base_free(w->base);
    free(w->rbuf);
    free(w->rec);
    hist_free(w->lat);
    memset(w, 0, sizeof *w);
}
