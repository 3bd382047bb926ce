/* run/sampler.c: sample rounds over every source of a test. */
#include "run/sampler.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/load_series.h"
#include "run/obs_cost.h"
#include "run/own.h"
#include "run/sampler_int.h"
#include "sources/pprof.h"
#include "sources/pprof_index.h"
#include "sources/procfs.h"

struct sampler *sampler_new(struct fetch *f, const struct suite_test *t, pid_t pid,
                            struct timeline *tl, double t0)
{
    struct sampler *s = lc_calloc(1, sizeof(*s));
    s->f = f;
    s->t = t;
    s->pid = pid;
    s->tl = tl;
    s->t0 = t0;
    for (int k = 0; k < FETCH__COUNT; k++)
        s->pend[k] = (struct pending){s, (enum fetch_kind)k};
    gcount_init(&s->gc, t->ignore.ntop_function + t->ignore.nany_function > 0);
    s->gogc_said = NAN;
    s->limit_said = NAN;
    s->live_gc = s->agreed_gc = s->last_scrape_gc = -1;
    sampler_prom_init(s);
    return s;
}

void sampler_set_cost(struct sampler *s, struct report_observer_cost *cost)
{
    s->cost = cost;
}

void sampler_want_exact(struct sampler *s)
{
    /* a round under way may have asked for it already */
    heap_pace_want(&s->heap, s->round_no + 1);
    /* without an ignore list the count is as exact as a dump */
    if (s->gc.has_ignore)
        gcount_want(&s->gc, s->round_no + 1);
}

void sampler_set_pid(struct sampler *s, pid_t pid)
{
    s->pid = pid;
}

void sampler_set_load(struct sampler *s, struct loadgen *lg)
{
    load_series_free(s->load);
    /* intervals of at least half the sampling interval: a round that a
     * phase change starts just after a tick does not make one of its own */
    s->load = load_series_new(lg, s->tl, s->t0, s->t->sample.interval_s / 2);
}

int sampler_busy(const struct sampler *s)
{
    return s->busy;
}

const char *sampler_fatal(const struct sampler *s)
{
    return s->fatal[0] ? s->fatal : NULL;
}

const struct pprof_profile *sampler_goroutines_baseline(const struct sampler *s)
{
    return s->g_base;
}

const struct pprof_profile *sampler_goroutines_last(const struct sampler *s)
{
    return s->g_last;
}

void sampler_put(struct sampler *s, const char *name, double v)
{
    timeline_add(s->tl, name, s->round_t, s->round_phase, v);
}

/* Counts a source's failure; the third in a row makes the test fatal. */
void sampler_failed(struct sampler *s, int src, const char *what, const char *msg)
{
    if (++s->fails[src] >= MAX_FAILS_IN_A_ROW && !s->fatal[0] &&
        snprintf(s->fatal, sizeof(s->fatal), "%s failed %d times in a row: %s", what, s->fails[src],
                 msg) < 0)
        s->fatal[0] = '\0';
}

static void sample_proc(struct sampler *s)
{
    static const char *names[] = {"fds",       "fd_limit",        "threads",        "rss",
                                  "sockets",   "tcp_established", "tcp_close_wait", "tcp_time_wait",
                                  "tcp_listen"};
    struct procfs_sample ps;
    struct lc_error err = {0};
    double vals[LC_ARRAY_LEN(names)];
    /* the sockets of leakcheck's own requests are not the target's */
    struct procfs_endpoint *own = NULL;
    size_t nown = own_endpoints(s->f, &own);
    int rc = procfs_read_excluding(s->pid, PROCFS_TCP_AUTO, own, nown, &ps, &err);
    free(own);
    if (rc == 0) {
        double got[] = {ps.fds,       ps.fd_limit,        ps.threads,        ps.rss,
                        ps.sockets,   ps.tcp_established, ps.tcp_close_wait, ps.tcp_time_wait,
                        ps.tcp_listen};
        memcpy(vals, got, sizeof(vals));
        s->fails[FETCH__COUNT] = 0;
    } else {
        for (size_t i = 0; i < LC_ARRAY_LEN(names); i++)
            vals[i] = NAN;
        /* a process that is gone is the runner's to report, not a source fault */
        if (errno != ESRCH)
            sampler_failed(s, FETCH__COUNT, "/proc", err.msg);
    }
    for (size_t i = 0; i < LC_ARRAY_LEN(names); i++)
        sampler_put(s, names[i], vals[i]);
}

/* The values of a round that dumped goroutine?debug=1 (p NULL: it did
 * not parse); own: the goroutines serving leakcheck left out of it. */
static void goroutine_values(struct sampler *s, struct pprof_profile *p, uint64_t own, double secs)
{
    /* goroutines the suite expects to come and go are not counted */
    const struct suite_ignore *ig = &s->t->ignore;
    uint64_t kept = p ? pprof_count_unlisted(p, ig->top_function, ig->any_function) : 0;
    sampler_put(s, "goroutines", p ? (double)kept : NAN);
    sampler_put(s, "goroutines_total", p ? (double)p->total : NAN);
    if (!p)
        return;
    gcount_dumped(&s->gc, s->round_no, s->round_t, secs, p->total, own, p->total - kept);
    struct pprof_profile *old_base = s->g_base, *old_last = s->g_last;
    if (s->round_phase == PHASE_BASELINE)
        s->g_base = p;
    s->g_last = p;
    /* the two may share one profile: free each old one no longer held */
    if (old_last && old_last != s->g_base)
        pprof_free(old_last);
    if (old_base && old_base != old_last && old_base != s->g_base)
        pprof_free(old_base);
}

/* heap_live: the live heap at the last GC, read off the GC's goal, which
 * needs the process's GOGC, and its memory limit, which may set the goal
 * instead */
void sampler_go_gc(struct sampler *s, double *gogc, double *limit)
{
    if (s->pid > 0 && s->gogc_pid != s->pid) {
        procfs_go_gc(s->pid, &s->gogc, &s->limit);
        s->gogc_pid = s->pid;
    }
    int said = sampler_scrape_trusted(s), env = s->gogc_pid != 0;
    *gogc = said && !isnan(s->gogc_said) ? s->gogc_said : env ? s->gogc : 100;
    *limit = said && !isnan(s->limit_said) ? s->limit_said : env ? s->limit : INFINITY;
}

static void heap_values(struct sampler *s, struct pprof_profile *p)
{
    static const struct {
        const char *metric, *memstat;
    } map[] = {{"heap_alloc", "HeapAlloc"},
               {"heap_inuse", "HeapInuse"},
               {"heap_objects", "HeapObjects"},
               {"heap_sys", "HeapSys"},
               {"gc_count", "NumGC"}};
    for (size_t i = 0; i < LC_ARRAY_LEN(map); i++) {
        double v = NAN;
        int served = p && pprof_memstat(p, map[i].memstat, &v) == 0;
        sampler_put(s, map[i].metric, v);
        if (served && isnan(v))
            timeline_note_nan(s->tl, map[i].metric);
    }
    /* a scrape saying another GOGC, not yet known to be the target's or
     * another's: which one holds is not guessed */
    double g, limit;
    sampler_go_gc(s, &g, &limit);
    if (s->t->sample.prometheus && s->scrape_same == 0 &&
        ((!isnan(s->gogc_said) && s->gogc_said != g) ||
         (!isnan(s->limit_said) && s->limit_said != limit)))
        g = NAN;
    sampler_put(s, "heap_live", pprof_live_heap(p, g, limit));
    double n;
    if (p && pprof_memstat(p, "NumGC", &n) == 0 && n >= 0) {
        s->heap_gc = n;
        s->live_gc = fmax(n, s->live_gc);
        sampler_match_gc(s);
    }
    pprof_free(p);
}

static const char *kind_name(enum fetch_kind k)
{
    static const char *names[] = {"goroutine profile", "heap profile", "Prometheus metrics",
                                  "goroutine count"};
    return names[k];
}

static void start_rest(struct sampler *s);
static int start_fetch(struct sampler *s, enum fetch_kind k, const char *url, const char *accept,
                       size_t max);

static void start_dump(struct sampler *s)
{
    char *g = lc_asprintf("%s/goroutine?debug=1", s->t->sample.pprof);
    if (start_fetch(s, FETCH_GOROUTINE, g, NULL, PROFILE_MAX_BYTES) != 0)
        start_rest(s);
    free(g);
}

/* The index page's answer: the goroutine count, or a dump when one is
 * due (gcount.h). A page that answers without a count (not Go's index)
 * makes every later round dump, as an unanswered one counts as a failure
 * of the goroutine source. */
static void on_index(struct sampler *s, const struct fetch_result *r)
{
    struct lc_error err = {0};
    uint64_t n = 0;
    int got =
        fetch_check(r, &err) == 0 && pprof_index_count(r->body, r->len, "goroutine", &n, &err) == 0;
    if (!got && r->ok)
        s->gc.index_bad = 1;
    if (r->ok && gcount_dump_due(&s->gc, s->round_no, s->round_t, n)) {
        start_dump(s);
        return;
    }
    if (got) {
        s->fails[FETCH_GOROUTINE] = 0;
        if (s->cost)
            s->cost->count_rounds++;
    } else if (!s->t->target.exits) {
        sampler_failed(s, FETCH_GOROUTINE, kind_name(FETCH_INDEX), err.msg);
    }
    sampler_put(s, "goroutines", got ? gcount_kept(&s->gc, n) : NAN);
    sampler_put(s, "goroutines_total", got ? gcount_total(&s->gc, n) : NAN);
    start_rest(s);
}

/* Parses a fetched body; on any fault records a gap and counts a failure. */
static void on_fetched(const struct fetch_result *r, void *arg)
{
    struct pending *pd = arg;
    struct sampler *s = pd->s;
    struct lc_error err = {0};
    void *parsed = NULL;
    uint64_t own = 0;
    if (pd->kind == FETCH_INDEX) {
        on_index(s, r);
        goto done;
    }
    /* a dump, or a heap profile with gc=1 */
    if (s->cost)
        obs_cost_fetch(s->cost, r->url, r->elapsed_s);
    int got = fetch_check(r, &err) == 0;
    if (got && pd->kind == FETCH_GOROUTINE) {
        /* less the two goroutines serving this very request (own.h) */
        if ((parsed = pprof_parse_goroutine(r->body, r->len, &err)))
            own = own_drop_goroutines(parsed);
    } else if (got && pd->kind == FETCH_HEAP)
        parsed = pprof_parse_heap(r->body, r->len, &err);
    /* of a scrape, only the series assertions sum are kept; every line is checked */
    else if (got)
        parsed = prom_parse_only(r->body, r->len, s->prom_names, s->nprom_names, &err);
    if (got && !parsed)
        lc_error_prefix(&err, "%s is not a valid %s (line %d, column %d)", r->url,
                        kind_name(pd->kind), err.line, err.col);
    if (parsed && pd->kind == FETCH_PROM && !s->prom_seen)
        sampler_prom_first_scrape(s, parsed, r);
    if (parsed)
        s->fails[pd->kind] = 0;
    /* a batch job may not serve yet, or any more: no answer is a gap */
    else if (r->ok || !s->t->target.exits)
        sampler_failed(s, pd->kind, kind_name(pd->kind), err.msg);
    if (pd->kind == FETCH_GOROUTINE) {
        if (s->cost)
            s->cost->dump_rounds++;
        goroutine_values(s, parsed, own, r->elapsed_s);
        start_rest(s);
    } else if (pd->kind == FETCH_HEAP) {
        /* a failed fetch (a timeout, say) does not set the pace */
        if (parsed)
            heap_pace_served(&s->heap, r->elapsed_s);
        heap_values(s, parsed);
    } else {
        sampler_prom_values(s, parsed);
    }
done:
    if (--s->outstanding == 0) {
        s->busy = 0;
        s->cb(s, s->cb_arg);
    }
}

static int start_fetch(struct sampler *s, enum fetch_kind k, const char *url, const char *accept,
                       size_t max)
{
    s->outstanding++;
    if (fetch_get(s->f, url, s->t->sample.timeout_s, max, accept, on_fetched, &s->pend[k]) != 0) {
        s->outstanding--;
        sampler_failed(s, k == FETCH_INDEX ? FETCH_GOROUTINE : k, kind_name(k),
                       "libcurl could not start a request");
        return -1;
    }
    return 0;
}

/* After the goroutine count (or dump): the heap profile when its pace
 * allows (heap_pace.h), never with gc=1 (a forced GC would run finalizers
 * that close what the service dropped, and hide an fd leak; see run_snap.h
 * for where leakcheck forces one), and the Prometheus scrape. */
static void start_rest(struct sampler *s)
{
    if (s->t->sample.pprof && heap_pace_due(&s->heap, s->round_no, lc_now())) {
        char *h = lc_asprintf("%s/heap?debug=1", s->t->sample.pprof);
        s->heap_asked = start_fetch(s, FETCH_HEAP, h, NULL, PROFILE_MAX_BYTES) == 0;
        free(h);
    }
    if (s->t->sample.prometheus)
        start_fetch(s, FETCH_PROM, s->t->sample.prometheus, "text/plain;version=0.0.4",
                    METRICS_MAX_BYTES);
}

int sampler_round(struct sampler *s, enum phase phase, sampler_done_cb *cb, void *arg)
{
    if (s->busy)
        return -1;
    s->busy = 1;
    s->cb = cb;
    s->cb_arg = arg;
    s->round_t = lc_now() - s->t0;
    s->round_phase = phase;
    s->heap_asked = 0;
    s->heap_gc = s->scrape_gc = NAN;
    /* held at 1 until every fetch has been started, so a fetch failing at
     * once cannot end the round early */
    s->outstanding = 1;
    if (s->pid > 0 && s->t->sample.proc)
        sample_proc(s);
    if (s->load)
        load_series_sample(s->load, s->round_t, phase);
    s->round_no++;
    /* the goroutine count first and alone (a dump, when due, follows it):
     * while it is written, the target serves leakcheck nothing else (own.h) */
    int started = -1;
    if (s->t->sample.pprof) {
        const char *pp = s->t->sample.pprof;
        char *ix = lc_asprintf("%s%s", pp, pp[0] && pp[strlen(pp) - 1] == '/' ? "" : "/");
        started = start_fetch(s, FETCH_INDEX, ix, NULL, INDEX_MAX_BYTES);
        free(ix);
    }
    if (started != 0)
        start_rest(s);
    if (--s->outstanding == 0) {
        s->busy = 0;
        cb(s, arg);
    }
    return 0;
}

void sampler_free(struct sampler *s)
{
    if (!s)
        return;
    if (s->g_last != s->g_base)
        pprof_free(s->g_last);
    pprof_free(s->g_base);
    load_series_free(s->load);
    prom_names_free(s->prom_first);
    free(s->prom_names);
    free(s->prom);
    free(s);
}
