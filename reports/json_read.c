/* reports/json_read.c: reading a report.json back into the run model, for
 * `leakcheck compare` and `leakcheck run --compare`. */
#include "reports/report.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Reports of day-long soaks are a few MB; anything far bigger is not ours. */
#define JSON_READ_MAX (512u << 20)

/* A number, or NaN for null, absent or anything else. */
static double getnum(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A new copy of a string member, or NULL. */
static char *getstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? lc_strdup(json_string_value(v)) : NULL;
}

static uint64_t getcount(const json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

/* "2026-11-21T20:23:06.123Z" back to seconds since the epoch; 0 if absent. */
static double gettime(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    struct tm tm = {0};
    double sec = 0;
    if (!json_is_string(v) || sscanf(json_string_value(v), "%d-%d-%dT%d:%d:%lf", &tm.tm_year,
                                     &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (double)timegm(&tm) + sec;
}

static int getverdict(const json_t *o, enum report_verdict *v)
{
    const char *s = json_string_value(json_object_get(o, "verdict"));
    static const enum report_verdict all[] = {REPORT_PASS, REPORT_FAIL, REPORT_ERROR};
    for (size_t i = 0; s && i < LC_ARRAY_LEN(all); i++) {
        if (strcmp(s, report_verdict_name(all[i])) == 0) {
            *v = all[i];
            return 0;
        }
    }
    return -1;
}

static void read_assertions(const json_t *arr, struct report_test *t)
{
    size_t n = json_array_size(arr);
    t->assertions = lc_calloc(n + 1, sizeof(*t->assertions));
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(arr, i);
        struct report_assertion *a = &t->assertions[t->nassertions++];
        a->expr = getstr(o, "expr");
        a->passed = json_is_true(json_object_get(o, "passed"));
        a->errored = json_is_true(json_object_get(o, "errored"));
        a->observed = getnum(o, "observed");
        a->expected = getnum(o, "expected");
        a->message = getstr(o, "message");
        a->metric = getstr(o, "metric");
        a->runs = (unsigned)getcount(json_object_get(o, "runs"));
        a->runs_passed = (unsigned)getcount(json_object_get(o, "runs_passed"));
        a->flaky_message = getstr(o, "flaky_message");
    }
}

/* The points of series[name] ({"t": [...], "v": [...]}), paired up to the
 * shorter array; null values become NaN. */
static void read_points(const json_t *so, struct report_series *s)
{
    const json_t *ts = json_object_get(so, "t"), *vs = json_object_get(so, "v");
    size_t n = json_array_size(ts);
    if (json_array_size(vs) < n)
        n = json_array_size(vs);
    s->points = lc_calloc(n + 1, sizeof(*s->points));
    for (size_t k = 0; k < n; k++) {
        const json_t *t = json_array_get(ts, k), *v = json_array_get(vs, k);
        s->points[k].t = json_is_number(t) ? json_number_value(t) : NAN;
        s->points[k].v = json_is_number(v) ? json_number_value(v) : NAN;
    }
    s->npoints = n;
}

/* One series per metric named in "metrics" or in "series". */
static void read_series(const json_t *metrics, const json_t *series, struct report_test *t)
{
    size_t cap = json_object_size(metrics) + json_object_size(series) + 1;
    const char *key;
    json_t *val;
    t->series = lc_calloc(cap, sizeof(*t->series));
    json_object_foreach((json_t *)metrics, key, val)
    {
        struct report_series *s = &t->series[t->nseries++];
        s->name = lc_strdup(key);
        s->baseline = getnum(val, "baseline");
        s->final = getnum(val, "final");
        s->min = getnum(val, "min");
        s->max = getnum(val, "max");
        const char *src = json_string_value(json_object_get(val, "source"));
        s->source = src ? lc_strdup(src) : NULL;
        read_points(json_object_get(series, key), s);
    }
    json_object_foreach((json_t *)series, key, val)
    {
        if (json_object_get(metrics, key))
            continue;
        struct report_series *s = &t->series[t->nseries++];
        s->name = lc_strdup(key);
        s->baseline = s->final = s->min = s->max = NAN;
        read_points(val, s);
    }
}

static void read_phases(const json_t *arr, struct report_test *t)
{
    size_t n = json_array_size(arr);
    t->phases = lc_calloc(n + 1, sizeof(*t->phases));
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(arr, i);
        struct report_phase *p = &t->phases[t->nphases++];
        p->name = getstr(o, "name");
        p->start = getnum(o, "start");
        p->end = getnum(o, "end");
    }
}

static void read_counts(const json_t *obj, struct report_count **out, size_t *n)
{
    const char *key;
    json_t *val;
    *out = lc_calloc(json_object_size(obj) + 1, sizeof(**out));
    json_object_foreach((json_t *)obj, key, val)
    {
        (*out)[*n].key = lc_strdup(key);
        (*out)[(*n)++].n = getcount(val);
    }
}

static void read_load(const json_t *o, struct report_load *l)
{
    if (!json_is_object(o))
        return;
    /* seconds; reports written before 2026-11-30 have milliseconds */
    const json_t *lat = json_object_get(o, "latency_s");
    double scale = 1e3;
    if (!lat) {
        lat = json_object_get(o, "latency_ms");
        scale = 1;
    }
    l->present = 1;
    l->requests = getcount(json_object_get(o, "requests"));
    l->errors = getcount(json_object_get(o, "errors"));
    l->duration_s = getnum(o, "duration_s");
    l->rps = getnum(o, "rps");
    l->p50_ms = getnum(lat, "p50") * scale;
    l->p90_ms = getnum(lat, "p90") * scale;
    l->p99_ms = getnum(lat, "p99") * scale;
    l->max_ms = getnum(lat, "max") * scale;
    read_counts(json_object_get(o, "status"), &l->status, &l->nstatus);
    read_counts(json_object_get(o, "errors_by_kind"), &l->errors_by_kind, &l->nerrors_by_kind);
    if (json_object_get(o, "grpc_status"))
        read_counts(json_object_get(o, "grpc_status"), &l->grpc_status, &l->ngrpc_status);
}

static void read_culprits(const json_t *arr, struct report_test *t)
{
    size_t n = json_array_size(arr);
    t->culprits = lc_calloc(n + 1, sizeof(*t->culprits));
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(arr, i);
        struct report_culprit *c = &t->culprits[t->nculprits++];
        c->kind = getstr(o, "kind");
        /* reports from before level culprits have no basis: growth */
        const char *basis = json_string_value(json_object_get(o, "basis"));
        c->basis = basis && strcmp(basis, "level") == 0 ? REPORT_BASIS_LEVEL : REPORT_BASIS_GROWTH;
        c->function = getstr(o, "function");
        c->location = getstr(o, "location");
        c->before = getnum(o, "before");
        c->after = getnum(o, "after");
        c->growth = getnum(o, "growth");
        c->detail = getstr(o, "detail");
        c->proven = json_is_true(json_object_get(o, "proven"));
    }
}

static void read_measured(const json_t *o, struct report_measured *m)
{
    if (!json_is_object(o))
        return;
    m->present = 1;
    m->pid = (long)json_integer_value(json_object_get(o, "pid"));
    m->command = getstr(o, "command");
    m->how = getstr(o, "how");
    m->started_pid = (long)json_integer_value(json_object_get(o, "started_pid"));
    m->changes = (unsigned)json_integer_value(json_object_get(o, "changes"));
}

static void read_cost_item(const json_t *o, struct report_cost_item *c)
{
    c->count = (unsigned)json_integer_value(json_object_get(o, "count"));
    c->seconds = getnum(o, "seconds");
    c->max_seconds = getnum(o, "max_seconds");
}

static void read_cost(const json_t *o, struct report_observer_cost *c)
{
    if (!json_is_object(o))
        return;
    c->present = 1;
    read_cost_item(json_object_get(o, "goroutine_dumps"), &c->goroutine_dumps);
    read_cost_item(json_object_get(o, "full_dumps"), &c->full_dumps);
    read_cost_item(json_object_get(o, "forced_gcs"), &c->forced_gcs);
    read_cost_item(json_object_get(o, "heap_profiles"), &c->heap_profiles);
    c->count_rounds = (unsigned)json_integer_value(json_object_get(o, "count_rounds"));
    c->dump_rounds = (unsigned)json_integer_value(json_object_get(o, "dump_rounds"));
    c->target_cpu_s = getnum(o, "target_cpu_s");
    c->cpu_window_s = getnum(o, "cpu_window_s");
}

static void read_ports(const json_t *obj, struct report_test *t)
{
    const char *key;
    json_t *val;
    t->ports = lc_calloc(json_object_size(obj) + 1, sizeof(*t->ports));
    json_object_foreach((json_t *)obj, key, val)
    {
        t->ports[t->nports].name = lc_strdup(key);
        t->ports[t->nports++].port = (int)json_integer_value(val);
    }
}

/* What report.json keeps of a test beyond its figures: ports, dropped
 * log bytes, --repeat's counts. */
static void read_test_extras(const json_t *o, struct report_test *t)
{
    const json_t *dropped = json_object_get(o, "log_dropped_bytes");
    const json_t *rep = json_object_get(o, "repeat");
    read_ports(json_object_get(o, "ports"), t);
    t->log_dropped[0] = getcount(json_object_get(dropped, "stdout"));
    t->log_dropped[1] = getcount(json_object_get(dropped, "stderr"));
    t->runs = (unsigned)getcount(json_object_get(rep, "runs"));
    t->runs_passed = (unsigned)getcount(json_object_get(rep, "passed"));
}

static int read_test(const json_t *o, size_t i, struct report_run *r, struct lc_error *err)
{
    const json_t *name = json_object_get(o, "name");
    if (!json_is_object(o) || !json_is_string(name)) {
        lc_error_set(err, "tests[%zu]: expected an object with a \"name\" string", i);
        return -1;
    }
    struct report_test *t = report_add_test(r);
    t->name = lc_strdup(json_string_value(name));
    if (getverdict(o, &t->verdict) != 0) {
        lc_error_set(err, "tests[%zu].verdict: expected \"pass\", \"fail\" or \"error\"", i);
        return -1;
    }
    t->error = getstr(o, "error");
    t->suite_error = json_is_true(json_object_get(o, "suite_error"));
    t->started_at = gettime(o, "started_at");
    t->duration_s = getnum(o, "duration_s");
    t->dir = getstr(o, "dir");
    read_assertions(json_object_get(o, "assertions"), t);
    read_series(json_object_get(o, "metrics"), json_object_get(o, "series"), t);
    read_phases(json_object_get(o, "phases"), t);
    read_load(json_object_get(o, "load"), &t->load);
    read_culprits(json_object_get(o, "culprits"), t);
    t->pprof_base_cmd = getstr(o, "pprof_base_cmd");
    t->log_tail = getstr(o, "log_tail");
    read_measured(json_object_get(o, "measured"), &t->measured);
    read_cost(json_object_get(o, "observer_cost"), &t->cost);
    read_test_extras(o, t);
    return 0;
}

/* "shard": the plan; a plan entry without a name or shard is refused. */
static int read_shard(const json_t *o, struct report_run *r, struct lc_error *err)
{
    struct report_shard *sh = &r->shard;
    if (!json_is_object(o))
        return 0;
    const json_t *plan = json_object_get(o, "plan");
    sh->index = (unsigned)getcount(json_object_get(o, "index"));
    sh->count = (unsigned)getcount(json_object_get(o, "count"));
    sh->balanced_by = getstr(o, "balanced_by");
    if (sh->count < 1 || sh->index < 1 || sh->index > sh->count) {
        lc_error_set(err, "shard: index %u of count %u (want 1..count)", sh->index, sh->count);
        return -1;
    }
    size_t n = json_array_size(plan);
    sh->names = lc_calloc(n + 1, sizeof(*sh->names));
    sh->of = lc_calloc(n + 1, sizeof(*sh->of));
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(plan, i);
        sh->names[sh->n] = getstr(e, "name");
        sh->of[sh->n] = (unsigned)getcount(json_object_get(e, "shard"));
        if (!sh->names[sh->n++] || sh->of[i] < 1 || sh->of[i] > sh->count) {
            lc_error_set(err, "shard.plan[%zu]: expected a name and a shard from 1 to %u", i,
                         sh->count);
            return -1;
        }
    }
    return 0;
}

/* The run's selection: --test's filter and skipped tests, the shard. */
static int read_selection(const json_t *root, struct report_run *r, struct lc_error *err)
{
    const json_t *skipped = json_object_get(root, "skipped");
    r->test_filter = getstr(root, "test_filter");
    r->suite_hash = getstr(root, "suite_hash");
    r->shard.merged = (unsigned)getcount(json_object_get(root, "merged_shards"));
    for (size_t i = 0; i < json_array_size(skipped); i++) {
        const char *name = json_string_value(json_array_get(skipped, i));
        if (name)
            report_add_skipped(r, name);
    }
    return read_shard(json_object_get(root, "shard"), r, err);
}

static struct report_run *read_run(const json_t *root, struct lc_error *err)
{
    const json_t *tests = json_object_get(root, "tests");
    if (!json_is_object(root) || !json_is_array(tests)) {
        lc_error_set(err, "not a leakcheck report (expected an object with a \"tests\" array)");
        return NULL;
    }
    struct report_run *r = lc_calloc(1, sizeof(*r));
    r->suite = getstr(root, "suite");
    r->suite_file = getstr(root, "suite_file");
    r->started_at = gettime(root, "started_at");
    r->duration_s = getnum(root, "duration_s");
    r->interrupted = json_is_true(json_object_get(root, "interrupted"));
    /* reports older than checkpoints have no "complete": they were */
    r->incomplete = json_is_false(json_object_get(root, "complete"));
    if (getverdict(root, &r->verdict) != 0) {
        lc_error_set(err, "verdict: expected \"pass\", \"fail\" or \"error\"");
        report_run_free(r);
        return NULL;
    }
    if (read_selection(root, r, err) != 0) {
        report_run_free(r);
        return NULL;
    }
    for (size_t i = 0; i < json_array_size(tests); i++) {
        if (read_test(json_array_get(tests, i), i, r, err) != 0) {
            report_run_free(r);
            return NULL;
        }
    }
    return r;
}

/* Reads path (a report.json) into a new run; NULL with err naming the path
 * and the fault (unreadable, not JSON with its line, not a report). */
struct report_run *report_json_read(const char *path, struct lc_error *err)
{
    size_t len = 0;
    json_error_t jerr;
    char *text = lc_read_file(path, JSON_READ_MAX, &len, err);
    if (!text)
        return NULL;
    json_t *root = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!root) {
        lc_error_at(err, jerr.line, jerr.column, "%s:%d:%d: invalid JSON: %s", path, jerr.line,
                    jerr.column, jerr.text);
        return NULL;
    }
    struct report_run *r = read_run(root, err);
    json_decref(root);
    if (!r)
        lc_error_prefix(err, "%s", path);
    return r;
}
