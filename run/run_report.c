/* run/run_report.c: assertion checks and the report of one test run. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loadgen/loadgen.h"
#include "run/obs_cost.h"
#include "run/run_internal.h"
#include "run/sampler.h"
#include "suite/metrics.h"
#include "target/target.h"

#define LOG_TAIL_LINES 20

const char *run_phase_desc(const struct run *r)
{
    return r->finishing ? "at the end of the test" : phase_desc(r->phase);
}

int run_value_cb(const struct expr_metric *m, enum expr_reduce reduce, double *out,
                 struct lc_error *err, void *arg)
{
    struct run *r = arg;
    if (!r->tl) {
        lc_error_set(err, "the test did not get to sample anything");
        return -1;
    }
    if (timeline_reduce(r->tl, m->text, reduce, out, err) == 0)
        return 0;
    /* the load's latencies come from completed responses only: none, no value */
    const struct metric_def *d = metric_builtin(m->name);
    if (d && d->source == METRIC_LOAD && d->unit == METRIC_UNIT_SECONDS && r->load_started)
        lc_error_set(err, "no response to the load completed, so %s has none", m->name);
    return -1;
}

/* Bit 1: the assertion reads a final value; bit 2: a metric measured only
 * at the end (METRIC_AT_END), which settling cannot wait for. */
static void reads_final(const struct expr_metric *m, enum expr_reduce reduce, void *arg)
{
    const struct metric_def *d = metric_builtin(m->name);
    if (reduce == EXPR_FINAL || reduce == EXPR_GROWTH)
        *(int *)arg |= 1;
    if (d && (d->flags & METRIC_AT_END))
        *(int *)arg |= 2;
}

int run_settled(struct run *r)
{
    for (size_t i = 0; i < r->t->nasserts; i++) {
        int final = 0;
        expr_visit(r->exprs[i], reads_final, &final);
        if (final != 1)
            continue;
        struct expr_result res;
        if (expr_eval_full(r->exprs[i], run_value_cb, run_series_cb, r, &res, NULL) != 0 || !res.passed)
            return 0;
    }
    return 1;
}

static void first_metric(const struct expr_metric *m, enum expr_reduce reduce, void *arg)
{
    (void)reduce;
    char **name = arg;
    if (!*name)
        *name = lc_strdup(m->text);
}

/* The fit for the chart: tr's line over the metric's series, or over the
 * one that stood for it (heap_live for the heap in use). */
static struct report_trend *report_trend_of(const struct expr_trend *tr, const char *metric)
{
    struct report_trend *out = lc_calloc(1, sizeof(*out));
    *out = (struct report_trend){tr->from, tr->to,    tr->warmup, tr->slope, tr->lo,
                                 tr->hi,   tr->t_mid, tr->v_mid,  NULL};
    out->series = lc_strdup(tr->series ? tr->series : metric ? metric : "");
    return out;
}

static void run_report_assertion(struct run *r, const char *text, const struct expr *e,
                                 struct report_assertion *a)
{
    struct expr_result res = {0};
    struct lc_error err = {0};
    a->expr = lc_strdup(text);
    expr_visit(e, first_metric, &a->metric);
    int rc = expr_eval_full(e, run_value_cb, run_series_cb, r, &res, &err);
    if (rc == 0 && r->error[0] && !r->completed) {
        /* a test that stopped early (the target exited during the load, a
         * source failed, a signal) judges nothing: an "ok" under an ERROR
         * would read as a pass. What the samples taken say is kept. */
        a->errored = 1;
        a->observed = res.observed;
        a->expected = res.expected;
        a->message =
            lc_asprintf("not judged: the test stopped early (on the samples taken: %s, %s)",
                        res.passed ? "holds" : "does not hold", res.message);
    } else if (rc == 0) {
        a->passed = res.passed;
        a->observed = res.observed;
        a->expected = res.expected;
        a->message = lc_strdup(res.message);
        if (res.has_trend)
            a->trend = report_trend_of(&res.trend, a->metric);
    } else {
        a->errored = 1;
        a->observed = a->expected = NAN;
        /* after a fault, "no samples" only repeats the test's own error */
        a->message = r->error[0] ? lc_strdup("not evaluated: the test stopped early")
                                 : lc_asprintf("could not be evaluated: %s", err.msg);
    }
}

static void names_exit_code(const struct expr_metric *m, enum expr_reduce reduce, void *arg)
{
    (void)reduce;
    if (strcmp(m->name, "exit_code") == 0)
        *(int *)arg = 1;
}

/* A target that runs to completion must exit 0 unless an assertion on
 * exit_code says otherwise: the test gets `exit_code == 0` of its own. */
static void run_report_exit_assertion(struct run *r, struct report_test *rt)
{
    int named = 0;
    /* a run that stopped before the target exited says why in its error */
    if (!run_batch(r) || (r->error[0] && !r->completed))
        return;
    for (size_t i = 0; i < r->t->nasserts; i++)
        expr_visit(r->exprs[i], names_exit_code, &named);
    struct expr *e = named ? NULL : expr_parse("exit_code == 0", NULL);
    if (!e)
        return;
    struct report_assertion *a = &rt->assertions[rt->nassertions++];
    run_report_assertion(r, expr_text(e), e, a);
    if (!a->passed && !a->errored) {
        char *msg = lc_asprintf("%s: the target %s (an assertion on exit_code expects another "
                                "status)",
                                a->message, target_exit_reason(r->target));
        free(a->message);
        a->message = msg;
    }
    expr_free(e);
}

static void run_report_assertions(struct run *r, struct report_test *rt)
{
    /* one more for report_exit_assertion */
    rt->assertions = lc_calloc(r->t->nasserts + 2, sizeof(*rt->assertions));
    rt->nassertions = r->t->nasserts;
    for (size_t i = 0; i < r->t->nasserts; i++)
        run_report_assertion(r, r->t->asserts[i], r->exprs[i], &rt->assertions[i]);
    run_report_exit_assertion(r, rt);
}

static double reduce_or_nan(struct run *r, const char *name, enum expr_reduce red)
{
    double v;
    return timeline_reduce(r->tl, name, red, &v, NULL) == 0 ? v : NAN;
}

static void run_report_series(struct run *r, struct report_test *rt)
{
    size_t n = timeline_nseries(r->tl);
    rt->series = lc_calloc(n + 1, sizeof(*rt->series));
    rt->nseries = n;
    for (size_t i = 0; i < n; i++) {
        struct report_series *s = &rt->series[i];
        const char *name = timeline_name(r->tl, i);
        size_t np;
        const struct timeline_point *pts = timeline_points(r->tl, i, &np);
        s->name = lc_strdup(name);
        const char *src = metric_source_name(r->t, name);
        /* the heap profiles' points, and a scrape's between them */
        if (strcmp(name, "heap_live") == 0 && strcmp(src, "pprof") == 0 && r->sampler &&
            sampler_scrape_live(r->sampler))
            src = "pprof+prometheus";
        s->source = lc_strdup(src);
        s->baseline = reduce_or_nan(r, name, EXPR_BASELINE);
        s->final = reduce_or_nan(r, name, EXPR_FINAL);
        s->min = reduce_or_nan(r, name, EXPR_MIN);
        s->max = reduce_or_nan(r, name, EXPR_MAX);
        s->points = lc_calloc(np + 1, sizeof(*s->points));
        s->npoints = np;
        for (size_t k = 0; k < np; k++)
            s->points[k] = (struct report_point){pts[k].t, pts[k].v};
    }
    rt->phases = lc_calloc(PHASE__COUNT, sizeof(*rt->phases));
    for (int p = 0; p < PHASE__COUNT; p++) {
        if (!r->phase_seen[p])
            continue;
        struct report_phase *ph = &rt->phases[rt->nphases++];
        ph->name = lc_strdup(phase_name((enum phase)p));
        ph->start = r->phase_start[p];
        ph->end = r->phase_end[p];
    }
}

static void add_count(struct report_count **arr, size_t *n, const char *key, uint64_t v)
{
    *arr = lc_realloc(*arr, (*n + 1) * sizeof(**arr));
    (*arr)[*n].key = lc_strdup(key);
    (*arr)[(*n)++].n = v;
}

/* Complete responses the load got, of any status. */
static uint64_t load_answered(const struct report_load *l)
{
    uint64_t n = 0;
    for (size_t i = 0; i < l->nstatus; i++)
        n += l->status[i].n;
    return n;
}

static void run_report_load(struct run *r, struct report_test *rt)
{
    if (!r->lg || !r->load_started)
        return;
    struct loadgen_stats st;
    loadgen_snapshot(r->lg, &st, NULL);
    struct report_load *l = &rt->load;
    l->present = 1;
    l->requests = st.requests;
    l->errors = st.errors;
    l->duration_s = st.elapsed_s;
    l->rps = st.rps;
    for (int code = 0; code < 600; code++) {
        if (!st.status[code])
            continue;
        char key[8];
        snprintf(key, sizeof(key), "%d", code);
        add_count(&l->status, &l->nstatus, key, st.status[code]);
    }
    for (int code = 0; code < LOADGEN_GRPC_CODES; code++)
        if (st.grpc_status[code])
            add_count(&l->grpc_status, &l->ngrpc_status, loadgen_grpc_code_name(code),
                      st.grpc_status[code]);
    for (int k = 0; k < LOADGEN_ERR__COUNT; k++)
        if (st.by_kind[k])
            add_count(&l->errors_by_kind, &l->nerrors_by_kind,
                      loadgen_err_name((enum loadgen_err)k), st.by_kind[k]);
    /* no response, no latency (where the load engine says 0) */
    double ms = load_answered(l) ? 1e3 : NAN;
    l->p50_ms = st.p50 * ms;
    l->p90_ms = st.p90 * ms;
    l->p99_ms = st.p99 * ms;
    l->max_ms = st.max * ms;
}

/* A load that never got an answer tested nothing: that is an error of the
 * run (a wrong URL or port), not a pass. */
static void check_load_reached(struct run *r, const struct report_load *l)
{
    if (!l->present || r->error[0])
        return;
    if (load_answered(l) > 0)
        return;
    struct lc_buf kinds = {0};
    for (size_t i = 0; i < l->nerrors_by_kind; i++)
        lc_buf_printf(&kinds, "%s%llu %s", i ? ", " : "",
                      (unsigned long long)l->errors_by_kind[i].n, l->errors_by_kind[i].key);
    const struct suite_load *sl = &r->t->load;
    char *url = lc_redact_url(sl->url ? sl->url : sl->nmix ? sl->mix[0].url : "?");
    snprintf(r->error, sizeof(r->error), "the load got no response from %s (%llu requests: %s)",
             url, (unsigned long long)l->requests, kinds.len ? kinds.data : "none sent");
    free(url);
    lc_buf_free(&kinds);
}

/* The test's ports: ${port} as "port", then its ${port:NAME}s. */
static void report_ports(const struct suite_test *t, struct report_test *rt)
{
    size_t n = t->nnamed_ports + 1;
    rt->ports = lc_calloc(n, sizeof(*rt->ports));
    if (t->port > 0) {
        rt->ports[rt->nports].name = lc_strdup("port");
        rt->ports[rt->nports++].port = t->port;
    }
    for (size_t i = 0; i < t->nnamed_ports; i++) {
        rt->ports[rt->nports].name = lc_strdup(t->named_ports[i].name);
        rt->ports[rt->nports++].port = t->named_ports[i].port;
    }
}

void run_report(struct run *r, struct report_test *rt)
{
    rt->name = lc_strdup(r->t->name);
    /* relative to --out, as every path in the reports: r->dir is OUT/NAME */
    const char *slash = strrchr(r->dir, '/');
    rt->dir = lc_strdup(slash ? slash + 1 : r->dir);
    report_ports(r->t, rt);
    rt->duration_s = r->t0 > 0 ? lc_now() - r->t0 : 0;
    run_report_assertions(r, rt);
    if (r->tl)
        run_report_series(r, rt);
    run_report_load(r, rt);
    check_load_reached(r, &rt->load);
    int failed = 0, errored = r->error[0] != 0;
    for (size_t i = 0; i < rt->nassertions; i++) {
        failed |= !rt->assertions[i].passed && !rt->assertions[i].errored;
        errored |= rt->assertions[i].errored;
    }
    rt->verdict = errored ? REPORT_ERROR : failed ? REPORT_FAIL : REPORT_PASS;
    if (r->error[0])
        rt->error = lc_strdup(r->error);
    rt->suite_error = r->suite_error;
    if (rt->verdict != REPORT_PASS && r->target)
        rt->log_tail = target_log_tail(r->target, LOG_TAIL_LINES);
    for (int i = 0; i < 2 && r->target; i++)
        rt->log_dropped[i] = target_log_dropped(r->target, i);
    run_serving_report(r, rt);
    if (r->sampling) {
        rt->cost = r->cost;
        rt->cost.present = 1;
        obs_cpu_report(&r->cpu, &rt->cost);
    }
    run_culprits(r, rt);
}

const char *run_phase_now(const struct run *r)
{
    return r->sampling ? phase_name(r->phase) : "starting";
}

/* An assertion of the test under way: not judged yet; what the samples so
 * far say, when they say something. */
static void partial_assertion(struct run *r, const char *text, const struct expr *e,
                              struct report_assertion *a)
{
    struct expr_result res = {0};
    struct lc_error err = {0};
    a->expr = lc_strdup(text);
    expr_visit(e, first_metric, &a->metric);
    a->errored = 1;
    a->observed = a->expected = NAN;
    if (r->tl && expr_eval_full(e, run_value_cb, run_series_cb, r, &res, &err) == 0) {
        a->observed = res.observed;
        a->expected = res.expected;
        a->message = lc_asprintf("not judged yet: the test was under way (on the samples so far: "
                                 "%s, %s)",
                                 res.passed ? "holds" : "does not hold", res.message);
    } else {
        a->message = lc_strdup("not judged yet: the test was under way");
    }
}

void run_report_partial(struct run *r, struct report_test *rt)
{
    double now = r->t0 > 0 ? lc_now() - r->t0 : 0;
    rt->name = lc_strdup(r->t->name);
    const char *slash = strrchr(r->dir, '/');
    rt->dir = lc_strdup(slash ? slash + 1 : r->dir);
    report_ports(r->t, rt);
    rt->started_at = lc_wall() - now;
    rt->duration_s = now;
    rt->running = 1;
    rt->assertions = lc_calloc(r->t->nasserts + 1, sizeof(*rt->assertions));
    rt->nassertions = r->t->nasserts;
    for (size_t i = 0; i < r->t->nasserts; i++)
        partial_assertion(r, r->t->asserts[i], r->exprs[i], &rt->assertions[i]);
    /* the phase under way ends, so far, now */
    if (r->phase_seen[r->phase] && !r->completed)
        r->phase_end[r->phase] = now;
    if (r->tl)
        run_report_series(r, rt);
    run_report_load(r, rt);
    rt->verdict = REPORT_ERROR;
    rt->error = lc_asprintf("interrupted %s, %.1f s into the test (the last checkpoint of a run "
                            "under way)%s%s",
                            r->sampling ? run_phase_desc(r) : "before the target was ready", now,
                            r->error[0] ? ": " : "", r->error);
}
