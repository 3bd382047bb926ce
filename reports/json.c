/* reports/json.c: report.json, built with jansson and printed so that it
 * stays readable: objects indented, arrays of numbers on one line. */
#include "reports/report.h"
#include "reports/text.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Twelve significant digits keep every figure a report needs and drop the
 * binary noise of sums such as 0.1 + 0.2. */
#define JSON_NUM_FLAGS (JSON_ENCODE_ANY | JSON_REAL_PRECISION(12))

/* NaN and the infinities, which JSON cannot hold, become null; whole numbers
 * that a double holds exactly are written as integers. */
static json_t *num(double v)
{
    if (!isfinite(v))
        return json_null();
    if (v == trunc(v) && fabs(v) < 1e15)
        return json_integer((json_int_t)v);
    return json_real(v);
}

static json_t *count(uint64_t n)
{
    return json_integer(n > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)n);
}

/* A cleaned string, or null for NULL. */
static json_t *str(const char *s, unsigned flags)
{
    if (!s)
        return json_null();
    char *clean = report_text_dup(s, flags);
    json_t *j = json_string(clean);
    free(clean);
    return j ? j : json_null();
}

static json_t *wall_time(double wall)
{
    /* 0 means never set; beyond year 9999 time_t and RFC 3339 break down. */
    if (!isfinite(wall) || wall <= 0 || wall >= 253402300800.0)
        return json_null();
    char buf[64];
    lc_format_time(wall, buf, sizeof(buf));
    return json_string(buf);
}

/* Sets obj[key] = val with the key cleaned (metric names and status keys come
 * from outside); takes the reference to val. */
static void set(json_t *obj, const char *key, json_t *val)
{
    char *clean = report_text_dup(key, REPORT_TEXT_ONE_LINE);
    json_object_set_new(obj, clean, val ? val : json_null());
    free(clean);
}

static json_t *build_assertions(const struct report_test *t)
{
    json_t *arr = json_array();
    for (size_t i = 0; t->assertions && i < t->nassertions; i++) {
        const struct report_assertion *a = &t->assertions[i];
        json_t *o = json_object();
        set(o, "expr", str(a->expr, REPORT_TEXT_ONE_LINE));
        set(o, "passed", json_boolean(a->passed));
        set(o, "errored", json_boolean(a->errored));
        set(o, "observed", num(a->observed));
        set(o, "expected", num(a->expected));
        set(o, "message", str(a->message, REPORT_TEXT_ONE_LINE));
        set(o, "metric", str(a->metric, REPORT_TEXT_ONE_LINE));
        if (a->runs > 1) {
            set(o, "runs", json_integer(a->runs));
            set(o, "runs_passed", json_integer(a->runs_passed));
            set(o, "flaky", json_boolean(report_assertion_flaky(a)));
            set(o, "flaky_message", str(a->flaky_message, REPORT_TEXT_ONE_LINE));
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *build_metrics(const struct report_test *t)
{
    json_t *obj = json_object();
    for (size_t i = 0; t->series && i < t->nseries; i++) {
        const struct report_series *s = &t->series[i];
        json_t *o = json_object();
        set(o, "baseline", num(s->baseline));
        set(o, "final", num(s->final));
        set(o, "min", num(s->min));
        set(o, "max", num(s->max));
        if (s->source)
            set(o, "source", json_string(s->source));
        set(obj, s->name ? s->name : "", o);
    }
    return obj;
}

static json_t *build_series(const struct report_test *t)
{
    json_t *obj = json_object();
    for (size_t i = 0; t->series && i < t->nseries; i++) {
        const struct report_series *s = &t->series[i];
        json_t *ts = json_array(), *vs = json_array();
        /* a long soak keeps its shape (spikes, gaps) in a bounded size */
        size_t np = 0;
        struct report_point *pts =
            report_downsample(s->points, s->points ? s->npoints : 0, REPORT_MAX_POINTS, &np);
        for (size_t k = 0; k < np; k++) {
            json_array_append_new(ts, num(pts[k].t));
            json_array_append_new(vs, num(pts[k].v));
        }
        free(pts);
        json_t *o = json_object();
        set(o, "t", ts);
        set(o, "v", vs);
        set(obj, s->name ? s->name : "", o);
    }
    return obj;
}

static json_t *build_phases(const struct report_test *t)
{
    json_t *arr = json_array();
    for (size_t i = 0; t->phases && i < t->nphases; i++) {
        json_t *o = json_object();
        set(o, "name", str(t->phases[i].name, REPORT_TEXT_ONE_LINE));
        set(o, "start", num(t->phases[i].start));
        set(o, "end", num(t->phases[i].end));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *build_counts(const struct report_count *c, size_t n)
{
    json_t *obj = json_object();
    for (size_t i = 0; c && i < n; i++)
        set(obj, c[i].key ? c[i].key : "", count(c[i].n));
    return obj;
}

static json_t *build_load(const struct report_load *l)
{
    if (!l->present)
        return json_null();
    json_t *o = json_object();
    set(o, "requests", count(l->requests));
    set(o, "errors", count(l->errors));
    set(o, "duration_s", num(l->duration_s));
    set(o, "rps", num(l->rps));
    /* seconds, as every time in report.json (the model keeps ms) */
    json_t *lat = json_object();
    set(lat, "p50", num(l->p50_ms / 1e3));
    set(lat, "p90", num(l->p90_ms / 1e3));
    set(lat, "p99", num(l->p99_ms / 1e3));
    set(lat, "max", num(l->max_ms / 1e3));
    set(o, "latency_s", lat);
    set(o, "status", build_counts(l->status, l->nstatus));
    set(o, "errors_by_kind", build_counts(l->errors_by_kind, l->nerrors_by_kind));
    if (l->ngrpc_status)
        set(o, "grpc_status", build_counts(l->grpc_status, l->ngrpc_status));
    return o;
}

static json_t *build_culprits(const struct report_test *t)
{
    json_t *arr = json_array();
    for (size_t i = 0; t->culprits && i < t->nculprits; i++) {
        const struct report_culprit *c = &t->culprits[i];
        json_t *o = json_object();
        set(o, "kind", str(c->kind ? c->kind : "", REPORT_TEXT_ONE_LINE));
        set(o, "basis", json_string(c->basis == REPORT_BASIS_LEVEL ? "level" : "growth"));
        set(o, "function", str(c->function, REPORT_TEXT_ONE_LINE));
        set(o, "location", str(c->location, REPORT_TEXT_ONE_LINE));
        set(o, "before", num(c->before));
        set(o, "after", num(c->after));
        set(o, "growth", num(c->growth));
        set(o, "detail", str(c->detail, REPORT_TEXT_ONE_LINE));
        set(o, "proven", json_boolean(c->proven));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *build_measured(const struct report_measured *m)
{
    if (!m->present)
        return json_null();
    json_t *o = json_object();
    set(o, "pid", json_integer(m->pid));
    set(o, "command", str(m->command, REPORT_TEXT_ONE_LINE));
    set(o, "how", str(m->how, REPORT_TEXT_ONE_LINE));
    set(o, "started_pid", json_integer(m->started_pid));
    set(o, "changes", json_integer(m->changes));
    return o;
}

static json_t *build_cost_item(const struct report_cost_item *c)
{
    json_t *o = json_object();
    set(o, "count", json_integer(c->count));
    set(o, "seconds", num(c->seconds));
    set(o, "max_seconds", num(c->max_seconds));
    return o;
}

static json_t *build_cost(const struct report_observer_cost *c)
{
    if (!c->present)
        return json_null();
    json_t *o = json_object();
    set(o, "goroutine_dumps", build_cost_item(&c->goroutine_dumps));
    set(o, "full_dumps", build_cost_item(&c->full_dumps));
    set(o, "forced_gcs", build_cost_item(&c->forced_gcs));
    set(o, "heap_profiles", build_cost_item(&c->heap_profiles));
    set(o, "count_rounds", json_integer(c->count_rounds));
    set(o, "dump_rounds", json_integer(c->dump_rounds));
    set(o, "target_cpu_s", num(c->target_cpu_s));
    set(o, "cpu_window_s", num(c->cpu_window_s));
    return o;
}

static json_t *build_ports(const struct report_test *t)
{
    json_t *o = json_object();
    for (size_t i = 0; t->ports && i < t->nports; i++)
        set(o, t->ports[i].name, json_integer(t->ports[i].port));
    return o;
}

static json_t *build_test(const struct report_test *t)
{
    json_t *o = json_object();
    set(o, "name", str(t->name ? t->name : "", REPORT_TEXT_ONE_LINE));
    set(o, "verdict", json_string(report_verdict_name(t->verdict)));
    set(o, "error", str(t->error, 0));
    set(o, "suite_error", json_boolean(t->suite_error));
    set(o, "started_at", wall_time(t->started_at));
    set(o, "duration_s", num(t->duration_s));
    set(o, "dir", str(t->dir, REPORT_TEXT_ONE_LINE));
    set(o, "assertions", build_assertions(t));
    set(o, "metrics", build_metrics(t));
    set(o, "series", build_series(t));
    set(o, "phases", build_phases(t));
    set(o, "load", build_load(&t->load));
    set(o, "culprits", build_culprits(t));
    set(o, "pprof_base_cmd", str(t->pprof_base_cmd, REPORT_TEXT_ONE_LINE));
    set(o, "log_tail", str(t->log_tail, 0));
    json_t *dropped = json_object();
    set(dropped, "stdout", json_integer((json_int_t)t->log_dropped[0]));
    set(dropped, "stderr", json_integer((json_int_t)t->log_dropped[1]));
    set(o, "log_dropped_bytes", dropped);
    set(o, "measured", build_measured(&t->measured));
    set(o, "observer_cost", build_cost(&t->cost));
    if (t->runs > 1) {
        json_t *r = json_object();
        set(r, "runs", json_integer(t->runs));
        set(r, "passed", json_integer(t->runs_passed));
        set(r, "flaky", json_boolean(report_test_flaky(t)));
        set(o, "repeat", r);
    }
    set(o, "ports", build_ports(t));
    if (t->running)
        set(o, "running", json_true());
    return o;
}

static json_t *build_shard(const struct report_run *r)
{
    const struct report_shard *sh = &r->shard;
    if (!sh->count)
        return json_null();
    json_t *o = json_object(), *plan = json_array();
    set(o, "index", json_integer(sh->index));
    set(o, "count", json_integer(sh->count));
    set(o, "balanced_by", str(sh->balanced_by, REPORT_TEXT_ONE_LINE));
    for (size_t i = 0; sh->names && i < sh->n; i++) {
        json_t *e = json_object();
        set(e, "name", str(sh->names[i], REPORT_TEXT_ONE_LINE));
        set(e, "shard", json_integer(sh->of ? sh->of[i] : 0));
        json_array_append_new(plan, e);
    }
    set(o, "plan", plan);
    return o;
}

static json_t *build_run(const struct report_run *r)
{
    json_t *o = json_object();
    set(o, "suite", str(r->suite, REPORT_TEXT_ONE_LINE));
    set(o, "suite_file", str(r->suite_file, REPORT_TEXT_ONE_LINE));
    set(o, "suite_hash", str(r->suite_hash, REPORT_TEXT_ONE_LINE));
    set(o, "shard", build_shard(r));
    if (r->shard.merged)
        set(o, "merged_shards", json_integer(r->shard.merged));
    set(o, "verdict", json_string(report_verdict_name(r->verdict)));
    set(o, "started_at", wall_time(r->started_at));
    set(o, "duration_s", num(r->duration_s));
    set(o, "interrupted", json_boolean(r->interrupted));
    set(o, "complete", json_boolean(!r->incomplete));
    if (r->incomplete) {
        json_t *p = json_object();
        set(p, "test", str(r->at_test, REPORT_TEXT_ONE_LINE));
        set(p, "phase", str(r->at_phase, REPORT_TEXT_ONE_LINE));
        set(p, "t", num(r->at_s));
        set(p, "interval_s", num(r->checkpoint_s));
        set(o, "checkpoint", p);
    }
    set(o, "test_filter", str(r->test_filter, REPORT_TEXT_ONE_LINE));
    json_t *skipped = json_array();
    for (size_t i = 0; r->skipped && i < r->nskipped; i++)
        json_array_append_new(skipped, str(r->skipped[i], REPORT_TEXT_ONE_LINE));
    set(o, "skipped", skipped);
    json_t *tests = json_array();
    for (size_t i = 0; r->tests && i < r->ntests; i++)
        json_array_append_new(tests, build_test(&r->tests[i]));
    set(o, "tests", tests);
    return o;
}

/* Appends a scalar (or a key, as a JSON string) in jansson's encoding. */
static void emit_scalar(struct lc_buf *b, const json_t *v)
{
    char tmp[128];
    size_t n = json_dumpb(v, tmp, sizeof(tmp), JSON_NUM_FLAGS);
    if (n > 0 && n <= sizeof(tmp)) {
        lc_buf_append(b, tmp, n);
        return;
    }
    char *s = json_dumps(v, JSON_NUM_FLAGS);
    if (s)
        lc_buf_puts(b, s);
    free(s);
}

static void emit_indent(struct lc_buf *b, int depth)
{
    lc_buf_printf(b, "\n%*s", depth * 2, "");
}

static int is_container(const json_t *v)
{
    return json_is_object(v) || json_is_array(v);
}

static void emit_value(struct lc_buf *b, const json_t *v, int depth);

static void emit_array(struct lc_buf *b, const json_t *v, int depth)
{
    size_t i, n = json_array_size(v);
    int flat = 1;
    for (i = 0; i < n; i++)
        flat = flat && !is_container(json_array_get(v, i));
    lc_buf_puts(b, "[");
    for (i = 0; i < n; i++) {
        if (i > 0)
            lc_buf_puts(b, ",");
        if (!flat)
            emit_indent(b, depth + 1);
        emit_value(b, json_array_get(v, i), depth + 1);
    }
    if (!flat && n > 0)
        emit_indent(b, depth);
    lc_buf_puts(b, "]");
}

static void emit_object(struct lc_buf *b, const json_t *v, int depth)
{
    const char *key;
    json_t *val;
    int first = 1;
    lc_buf_puts(b, "{");
    /* json_object_foreach wants a non-const object; it does not modify it. */
    json_object_foreach((json_t *)v, key, val)
    {
        lc_buf_puts(b, first ? "" : ",");
        first = 0;
        emit_indent(b, depth + 1);
        json_t *k = json_string(key); /* keys were cleaned: valid UTF-8 */
        if (k)
            emit_scalar(b, k);
        else
            lc_buf_puts(b, "\"\"");
        json_decref(k);
        lc_buf_puts(b, ": ");
        emit_value(b, val, depth + 1);
    }
    if (!first)
        emit_indent(b, depth);
    lc_buf_puts(b, "}");
}

static void emit_value(struct lc_buf *b, const json_t *v, int depth)
{
    if (json_is_object(v))
        emit_object(b, v, depth);
    else if (json_is_array(v))
        emit_array(b, v, depth);
    else
        emit_scalar(b, v);
}

/* Writes report.json for r to path through a temporary file and a rename.
 * Returns 0, or -1 with err naming the path and the system error. */
int report_json_write(const struct report_run *r, const char *path, struct lc_error *err)
{
    if (!r || !path) {
        lc_error_set(err, "report.json: no run or no path given");
        return -1;
    }
    json_t *doc = build_run(r);
    struct lc_buf b = {0};
    emit_value(&b, doc, 0);
    lc_buf_puts(&b, "\n");
    json_decref(doc);
    int rc = lc_write_file_atomic(path, b.data, b.len, err);
    lc_buf_free(&b);
    return rc;
}
