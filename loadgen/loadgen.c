/*
 * loadgen/loadgen.c: the engine's public face: configuration, the worker
 * threads' life, and snapshots that merge the workers' single-writer
 * counters and histograms while they run.
 */
#include "loadgen/loadgen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loadgen/lg_int.h"

static const char *const err_names[LOADGEN_ERR__COUNT] = {
    "connect", "reset",      "timeout",  "malformed", "truncated", "status",
    "tls",     "rst_stream", "protocol", "hook",      "grpc",
};

const char *loadgen_err_name(enum loadgen_err kind)
{
    return (unsigned)kind < LOADGEN_ERR__COUNT ? err_names[kind] : "unknown";
}

/* A time in seconds that converts to nanoseconds without overflow. */
static int bad_seconds(double s)
{
    return !(s >= 0) || !(s <= LOADGEN_MAX_SECONDS);
}

static int check_config(const struct loadgen_config *cfg, struct lc_error *err)
{
    if (!cfg || !cfg->requests || cfg->nrequests == 0)
        return lc_error_set(err, "no request to send"), -1;
    if (bad_seconds(cfg->duration_s))
        return lc_error_set(err, "bad duration %g (0 to a year)", cfg->duration_s), -1;
    if (!(cfg->rate >= 0) || !(cfg->rate <= LOADGEN_MAX_RATE))
        return lc_error_set(err, "bad rate %g (0 to %g requests/s)", cfg->rate, LOADGEN_MAX_RATE),
               -1;
    if (bad_seconds(cfg->timeout_s))
        return lc_error_set(err, "bad timeout %g (0 to a year)", cfg->timeout_s), -1;
    if (cfg->nstages && !cfg->stages)
        return lc_error_set(err, "stages missing"), -1;
    for (size_t i = 0; i < cfg->nstages; i++) {
        const struct loadgen_stage *s = &cfg->stages[i];
        if (!(s->duration_s > 0) || bad_seconds(s->duration_s) || !(s->rate >= 0) ||
            !(s->rate <= LOADGEN_MAX_RATE))
            return lc_error_set(err, "stage %zu: bad duration or rate", i + 1), -1;
    }
    if (cfg->concurrency > LOADGEN_MAX_CONCURRENCY)
        return lc_error_set(err, "concurrency %u is too large (at most %u)", cfg->concurrency,
                            LOADGEN_MAX_CONCURRENCY),
               -1;
    if (cfg->streams > LOADGEN_MAX_STREAMS)
        return lc_error_set(err, "streams %u is too large (at most %u per connection)",
                            cfg->streams, LOADGEN_MAX_STREAMS),
               -1;
    if (cfg->streams > 1 && !cfg->h2 && !cfg->grpc)
        return lc_error_set(err, "several streams per connection need HTTP/2 (-h2)"), -1;
    if (cfg->grpc && cfg->h2_hooks)
        return lc_error_set(err, "gRPC calls bring their own HTTP/2 hooks"), -1;
    if ((cfg->h2 || cfg->grpc) && cfg->disable_keepalive)
        return lc_error_set(err, "HTTP/2 and disable_keepalive do not go together"), -1;
    if ((uint64_t)(cfg->concurrency ? cfg->concurrency : 1) * (cfg->streams ? cfg->streams : 1) >
        LOADGEN_MAX_CONCURRENCY)
        return lc_error_set(err, "connections x streams is too large (at most %u in all)",
                            LOADGEN_MAX_CONCURRENCY),
               -1;
    return 0;
}

struct loadgen *loadgen_new(const struct loadgen_config *cfg, struct lc_error *err)
{
    if (check_config(cfg, err) != 0)
        return NULL;
    struct loadgen *lg = lc_calloc(1, sizeof *lg);
    lg->cfg = *cfg;
    lg->cfg.stages = NULL;
    lg->cfg.requests = NULL; /* lg->reqs holds what is needed */
    lg->cfg.cacert = cfg->cacert ? lc_strdup(cfg->cacert) : NULL;
    if (!lg->cfg.concurrency)
        lg->cfg.concurrency = 1;
    if (!lg->cfg.streams)
        lg->cfg.streams = 1;
    if (cfg->grpc) { /* gRPC is HTTP/2: the engine's, with the codec as its hooks */
        lg->cfg.h2 = 1;
        lg->cfg.h2_hooks = &lg_grpc_hooks;
        lg->cfg.h2_arg = lg;
    }
    /* a connection beyond the request count would never send */
    if (cfg->max_requests && lg->cfg.concurrency > cfg->max_requests)
        lg->cfg.concurrency = (unsigned)cfg->max_requests;
    if (cfg->nstages) {
        lg->stages = lc_malloc(cfg->nstages * sizeof *lg->stages);
        memcpy(lg->stages, cfg->stages, cfg->nstages * sizeof *lg->stages);
    }
    lg->open = cfg->rate > 0 || cfg->nstages > 0;
    lg->timeout_ns = (uint64_t)((cfg->timeout_s > 0 ? cfg->timeout_s : 20.0) * 1e9);
    unsigned threads = cfg->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    if (threads > lg->cfg.concurrency)
        threads = lg->cfg.concurrency;
    lg->nworkers = threads;
    lg->cfg.threads = threads;
    /* lg_requests_build reads cfg->requests: point at the caller's for now
     * (gRPC: at calls made of them, lg_grpc_requests) */
    struct loadgen_request *calls = NULL;
    int rc = cfg->grpc ? lg_grpc_requests(cfg, &calls, err) : 0;
    lg->cfg.requests = calls ? calls : cfg->requests;
    if (rc == 0)
        rc = lg_requests_build(lg, err);
    lg->cfg.requests = NULL;
    lg_grpc_requests_free(calls, cfg->nrequests);
    if (rc != 0) {
        loadgen_free(lg);
        return NULL;
    }
    lg->snap = hist_new();
    return lg;
}

int loadgen_start(struct loadgen *lg, struct lc_error *err)
{
    if (lg->started)
        return lc_error_set(err, "load engine already started"), -1;
    lg->workers = lc_calloc(lg->nworkers, sizeof *lg->workers);
    unsigned per = lg->cfg.concurrency / lg->nworkers, extra = lg->cfg.concurrency % lg->nworkers;
    for (unsigned i = 0; i < lg->nworkers; i++)
        if (lg_worker_setup(&lg->workers[i], lg, i, per + (i < extra), err) != 0)
            return -1;
    lg->t0 = lg_now_ns();
    lg->deadline = lg->cfg.duration_s > 0 ? lg->t0 + (uint64_t)(lg->cfg.duration_s * 1e9) : 0;
    lg->started = 1;
    for (unsigned i = 0; i < lg->nworkers; i++) {
        struct lg_worker *w = &lg->workers[i];
        if (pthread_create(&w->tid, NULL, lg_worker_main, w) != 0) {
            lc_error_set(err, "cannot start worker thread %u", i);
            loadgen_stop(lg);
            return -1;
        }
        w->started = 1;
    }
    return 0;
}

int loadgen_done(const struct loadgen *lg)
{
    if (!lg->started)
        return 0;
    for (unsigned i = 0; i < lg->nworkers; i++) {
        const struct lg_worker *w = &lg->workers[i];
        if (w->started && !atomic_load_explicit(&w->done, memory_order_acquire))
            return 0;
    }
    return 1;
}

void loadgen_stop(struct loadgen *lg)
{
    atomic_store_explicit(&lg->stop, 1, memory_order_relaxed);
}

void loadgen_join(struct loadgen *lg)
{
    if (!lg->started || lg->joined)
        return;
    for (unsigned i = 0; i < lg->nworkers; i++)
        if (lg->workers[i].started)
            pthread_join(lg->workers[i].tid, NULL);
    lg->joined = 1;
}

static void add_counters(struct loadgen_stats *out, const struct lg_counters *c)
{
    out->requests += lg_get(&c->requests);
    out->errors += lg_get(&c->errors);
    for (unsigned k = 0; k < LOADGEN_ERR__COUNT; k++)
        out->by_kind[k] += lg_get(&c->by_kind[k]);
    for (unsigned s = 0; s < 600; s++)
        out->status[s] += lg_get(&c->status[s]);
    for (unsigned s = 0; s < LOADGEN_GRPC_CODES; s++)
        out->grpc_status[s] += lg_get(&c->grpc_status[s]);
    out->bytes_read += lg_get(&c->bytes_read);
    out->late_sends += lg_get(&c->late);
}

void loadgen_snapshot(struct loadgen *lg, struct loadgen_stats *out, struct hist *latency)
{
    memset(out, 0, sizeof *out);
    if (!lg->started)
        return;
    hist_reset(lg->snap);
    int done = 1;
    uint64_t end = 0;
    for (unsigned i = 0; i < lg->nworkers; i++) {
        struct lg_worker *w = &lg->workers[i];
        if (!atomic_load_explicit(&w->done, memory_order_acquire))
            done = 0;
        uint64_t e = atomic_load_explicit(&w->end_ns, memory_order_relaxed);
        end = e > end ? e : end;
        add_counters(out, &w->c);
        hist_merge(lg->snap, w->lat);
    }
    lg_stats_merge(lg, out);
    if (!done)
        end = lg_now_ns();
    /* lg_now_ns reads CLOCK_MONOTONIC, as lc_now does */
    out->started_s = (double)lg->t0 / 1e9;
    out->elapsed_s = (double)(end - lg->t0) / 1e9;
    out->rps = out->elapsed_s > 0 ? (double)out->requests / out->elapsed_s : 0;
    const struct hist *h = lg->snap;
    out->p50 = (double)hist_percentile(h, 50) / 1e6;
    out->p75 = (double)hist_percentile(h, 75) / 1e6;
    out->p90 = (double)hist_percentile(h, 90) / 1e6;
    out->p95 = (double)hist_percentile(h, 95) / 1e6;
    out->p99 = (double)hist_percentile(h, 99) / 1e6;
    out->p999 = (double)hist_percentile(h, 99.9) / 1e6;
    out->max = (double)hist_max(h) / 1e6;
    out->mean = hist_mean(h) / 1e6;
    if (latency)
        hist_merge(latency, h);
}

void loadgen_free(struct loadgen *lg)
{
    if (!lg)
        return;
    if (lg->started) {
        loadgen_stop(lg);
        loadgen_join(lg);
    }
    for (unsigned i = 0; lg->workers && i < lg->nworkers; i++)
        lg_worker_free(&lg->workers[i]);
    free(lg->workers);
    lg_requests_free(lg);
    lg_tls_free(lg);
    free((char *)lg->cfg.cacert);
    free(lg->stages);
    hist_free(lg->snap);
    free(lg);
}
