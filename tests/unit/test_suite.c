/* tests/unit/test_suite.c: loading valid suite files (suite/suite.c): every
 * field as read, defaults, variables expanded, one port per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/suite.h"
#include "suite/suite_internal.h"
#include "suite_fixture.h"

static struct suite *load_ok(const char *file, struct ports *ports)
{
    struct lc_error err = {0};
    ports->fail_at = -1;
    struct suite *s = suite_load(file, free_port_cb, ports, &err);
    if (!s)
        fail_msg("%s:%d:%d: %s", file, err.line, err.col, err.msg);
    return s;
}

/* The absolute form of a directory under the source tree. */
static char *abs_dir(const char *rel)
{
    char *p = realpath(rel, NULL);
    assert_non_null(p);
    return p;
}

/* Asserts that got equals the printf-formatted expectation. */
static void assert_fmt(const char *got, const char *fmt, ...) LC_PRINTF(2, 3);
static void assert_fmt(const char *got, const char *fmt, ...)
{
    char want[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(want, sizeof(want), fmt, ap);
    va_end(ap);
    assert_non_null(got);
    assert_string_equal(got, want);
}

static void near(double got, double want)
{
    if (fabs(got - want) > 1e-9)
        fail_msg("got %g, want %g", got, want);
}

static void check_example_target(const struct suite_test *t, const char *dir)
{
    const struct suite_target *g = &t->target;
    assert_true(g->present);
    assert_int_equal(g->ncommand, 3);
    assert_fmt(g->command[0], "%s/svc", dir);
    assert_string_equal(g->command[1], "-addr");
    assert_fmt(g->command[2], "127.0.0.1:%d", t->port);
    assert_null(g->command[3]);
    assert_int_equal(g->nenv, 1);
    assert_string_equal(g->env[0], "GOGC=100");
    assert_string_equal(g->cwd, dir);
    assert_int_equal(g->nofile, 1024);
    assert_int_equal(g->pid, 0);
    assert_null(g->pid_file);
    assert_fmt(g->ready, "http://127.0.0.1:%d/healthz", t->port);
    near(g->ready_timeout_s, 10);
    near(g->stop_grace_s, 5);
}

static void check_example_sample_load(const struct suite_test *t)
{
    assert_fmt(t->sample.pprof, "http://127.0.0.1:%d/debug/pprof", t->port);
    assert_fmt(t->sample.prometheus, "http://127.0.0.1:%d/metrics", t->port);
    assert_true(t->sample.proc);
    near(t->sample.interval_s, 0.25);
    near(t->sample.timeout_s, 5);
    const struct suite_load *l = &t->load;
    assert_true(l->present);
    assert_fmt(l->url, "http://127.0.0.1:%d/work", t->port);
    assert_string_equal(l->method, "POST");
    assert_int_equal(l->nheaders, 1);
    assert_string_equal(l->headers[0].name, "Content-Type: application/json");
    assert_string_equal(l->body, "{}");
    assert_int_equal(l->body_len, 2);
    assert_int_equal(l->concurrency, 10);
    assert_int_equal(l->requests, 2000);
    near(l->duration_s, 0);
    near(l->rate, 0);
    near(l->timeout_s, 20);
    assert_int_equal(l->threads, 0);
}

static void test_example_from_issue(void **state)
{
    (void)state;
    struct ports ports = {0};
    struct suite *s = load_ok(DATA "valid/example.json", &ports);
    char *dir = abs_dir(DATA "valid");
    assert_string_equal(s->name, "orders-service");
    assert_string_equal(s->path, DATA "valid/example.json");
    assert_string_equal(s->dir, dir);
    assert_int_equal(s->ntests, 1);
    assert_int_equal(ports.calls, 1);
    const struct suite_test *t = &s->tests[0];
    assert_string_equal(t->name, "intake does not leak goroutines");
    assert_int_equal(t->port, ports.port[0]);
    assert_true(t->port > 0);
    assert_int_equal(t->line, 2);
    check_example_target(t, dir);
    check_example_sample_load(t);
    near(t->baseline_s, 1);
    near(t->observe_s, 0);
    near(t->settle_s, 4);
    assert_int_equal(t->nasserts, 2);
    assert_string_equal(t->asserts[0], "goroutines stay within 20 of baseline");
    assert_string_equal(t->asserts[1], "fds <= baseline(fds) + 20");
    free(dir);
    suite_free(s);
}

static void test_attach_forms(void **state)
{
    (void)state;
    struct ports ports = {0};
    struct suite *s = load_ok(DATA "valid/attach.json", &ports);
    char *dir = abs_dir(DATA "valid");
    assert_int_equal(s->ntests, 3);
    const struct suite_test *a = &s->tests[0], *b = &s->tests[1], *c = &s->tests[2];
    assert_true(a->target.present);
    assert_null(a->target.command);
    assert_int_equal(a->target.pid, 4242);
    assert_null(a->target.pid_file);
    assert_fmt(a->target.ready, "http://127.0.0.1:%d/ready", a->port);
    /* the trailing slash of the pprof base is dropped */
    assert_fmt(a->sample.pprof, "http://127.0.0.1:%d/debug/pprof", a->port);
    assert_true(a->sample.proc);
    near(a->sample.timeout_s, 2);
    near(a->load.duration_s, 3);
    assert_int_equal(a->load.requests, 0);
    assert_string_equal(a->load.method, "GET");
    assert_int_equal(b->target.pid, 0);
    assert_fmt(b->target.pid_file, "%s/run/../run/svc.pid", dir);
    near(b->target.ready_timeout_s, 90);
    assert_false(b->sample.proc);
    assert_fmt(b->sample.prometheus, "https://127.0.0.1:%d/metrics", b->port);
    near(b->observe_s, 5);
    assert_false(b->load.present);
    assert_int_equal(b->nasserts, 0);
    assert_fmt(c->target.pid_file, "/var/run/svc-%d.pid", c->port);
    assert_int_equal(c->line, 17);
    /* one port per test */
    assert_int_equal(ports.calls, 3);
    assert_int_equal(c->port, ports.port[2]);
    free(dir);
    suite_free(s);
}

/* target.measure: auto by default, "started", or a listening port (the
 * test's own through ${port}, which is 0 when only validating) */
static void test_measure(void **state)
{
    (void)state;
    struct ports ports = {0};
    struct suite *s = load_ok(DATA "valid/measure.json", &ports);
    assert_int_equal(s->ntests, 5);
    assert_int_equal(s->tests[0].target.measure, SUITE_MEASURE_AUTO);
    assert_int_equal(s->tests[1].target.measure, SUITE_MEASURE_STARTED);
    assert_int_equal(s->tests[2].target.measure, SUITE_MEASURE_AUTO);
    assert_int_equal(s->tests[3].target.measure, SUITE_MEASURE_LISTENING);
    assert_int_equal(s->tests[3].target.measure_port, s->tests[3].port);
    assert_int_equal(s->tests[4].target.measure, SUITE_MEASURE_LISTENING);
    assert_int_equal(s->tests[4].target.measure_port, 9090);
    suite_free(s);
    struct lc_error err = {0};
    s = suite_load(DATA "valid/measure.json", NULL, NULL, &err);
    assert_non_null(s);
    assert_int_equal(s->tests[3].target.measure_port, 0);
    suite_free(s);
}

static void test_no_target(void **state)
{
    (void)state;
    struct ports ports = {0};
    struct suite *s = load_ok(DATA "valid/no_target.json", &ports);
    const struct suite_test *t = &s->tests[0];
    assert_fmt(t->name, "metrics only, port %d", t->port);
    assert_false(t->target.present);
    assert_false(t->sample.proc);
    assert_null(t->sample.pprof);
    near(t->sample.interval_s, 0.010);
    const struct suite_load *l = &t->load;
    /* $${ is a literal ${ */
    assert_fmt(l->url, "http://127.0.0.1:%d/orders?id=${port}", t->port);
    assert_string_equal(l->method, "GET");
    assert_int_equal(l->nheaders, 2);
    assert_string_equal(l->headers[0].name, "Content-Type: application/json");
    assert_fmt(l->headers[1].name, "X-Run: port-%d", t->port);
    size_t len = 0;
    char *want = lc_read_file(DATA "valid/payloads/order.json", 4096, &len, NULL);
    assert_non_null(want);
    assert_int_equal(l->body_len, len);
    assert_memory_equal(l->body, want, len);
    free(want);
    near(l->duration_s, 60);
    assert_int_equal(l->requests, 500);
    near(l->rate, 12.5);
    assert_int_equal(l->threads, 2);
    near(l->timeout_s, 0.75);
    assert_int_equal(l->concurrency, 3);
    near(t->baseline_s, 0);
    assert_int_equal(t->nasserts, 0);
    suite_free(s);
}

static void test_no_load(void **state)
{
    (void)state;
    struct ports ports = {0};
    struct suite *s = load_ok(DATA "valid/no_load.json", &ports);
    char *dir = abs_dir(DATA "valid");
    const struct suite_test *t = &s->tests[0];
    const struct suite_target *g = &t->target;
    assert_false(t->load.present);
    assert_null(t->load.url);
    /* a bare program name is left for PATH */
    assert_string_equal(g->command[0], "go");
    assert_string_equal(g->command[2], "./cmd/svc");
    assert_fmt(g->command[3], "-listen=:%d", t->port);
    assert_string_equal(g->command[4], "price $5 and $$ and ${HOME}");
    assert_int_equal(g->nenv, 3);
    assert_string_equal(g->env[1], "GODEBUG=gctrace=1");
    assert_fmt(g->env[2], "PORT=%d", t->port);
    assert_fmt(g->cwd, "%s/services/idle/", dir);
    assert_int_equal(g->nofile, 256);
    near(g->stop_grace_s, 0);
    assert_null(g->ready);
    assert_true(t->sample.proc);
    near(t->observe_s, 2);
    near(t->settle_s, 1.5);
    near(t->baseline_s, 1);
    const struct suite_test *u = &s->tests[1];
    assert_fmt(u->target.command[0], "%s/bin/svc", dir);
    assert_string_equal(u->target.cwd, "/tmp");
    near(u->sample.interval_s, 1);
    assert_int_not_equal(t->port, u->port);
    free(dir);
    suite_free(s);
}

static void test_mix_and_stages(void **state)
{
    (void)state;
    struct ports ports = {0};
    struct suite *s = load_ok(DATA "valid/mix.json", &ports);
    const struct suite_load *l = &s->tests[0].load;
    int port = s->tests[0].port;
    /* the single-request fields stay empty with a mix */
    assert_null(l->url);
    assert_null(l->method);
    assert_int_equal(l->nheaders, 0);
    assert_null(l->body);
    assert_int_equal(l->nmix, 3);
    assert_fmt(l->mix[0].url, "http://127.0.0.1:%d/a", port);
    assert_string_equal(l->mix[0].method, "GET");
    assert_int_equal(l->mix[0].weight, 3);
    assert_int_equal(l->mix[0].nheaders, 0);
    assert_null(l->mix[0].body);
    assert_fmt(l->mix[1].url, "http://127.0.0.1:%d/b?page=2", port);
    assert_string_equal(l->mix[1].method, "HEAD");
    assert_int_equal(l->mix[1].weight, 1);
    assert_int_equal(l->mix[1].nheaders, 1);
    assert_fmt(l->mix[1].headers[0].name, "X-Test: mix-%d", port);
    assert_string_equal(l->mix[2].method, "POST");
    assert_int_equal(l->mix[2].weight, 2);
    size_t len = 0;
    char *want = lc_read_file(DATA "valid/payloads/order.json", 4096, &len, NULL);
    assert_non_null(want);
    assert_int_equal(l->mix[2].body_len, len);
    assert_memory_equal(l->mix[2].body, want, len);
    free(want);
    assert_int_equal(l->nstages, 3);
    near(l->stages[0].duration_s, 0.3);
    near(l->stages[0].rate, 400);
    near(l->stages[1].duration_s, 0.2);
    near(l->stages[2].rate, 0);
    near(l->rate, 0);
    assert_int_equal(l->requests, 0);
    near(l->duration_s, 0);
    assert_true(l->disable_keepalive);
    const struct suite_load *k = &s->tests[1].load;
    assert_false(k->disable_keepalive);
    assert_int_equal(k->nmix, 0);
    assert_null(k->mix);
    assert_int_equal(k->nstages, 0);
    assert_null(k->stages);
    suite_free(s);
}

/* The release gate's tolerances: in the order written, "off" negative. */
static void test_compare_tolerances(void **state)
{
    (void)state;
    struct ports ports = {0};
    struct suite *s = load_ok(DATA "valid/compare.json", &ports);
    assert_int_equal(s->ncompare, 4);
    assert_string_equal(s->compare[0].metric, "goroutines");
    near(s->compare[0].tolerance, 0.05);
    assert_string_equal(s->compare[1].metric, "rss");
    assert_true(s->compare[1].tolerance < 0);
    assert_string_equal(s->compare[2].metric, "go_goroutines{job=\"api\"}");
    near(s->compare[2].tolerance, 0.125);
    assert_string_equal(s->compare[3].metric, "p99");
    near(s->compare[3].tolerance, 0);
    suite_free(s);
    s = load_ok(DATA "valid/example.json", &ports);
    assert_null(s->compare);
    assert_int_equal(s->ncompare, 0);
    suite_free(s);
}

/* "$schema" (for editors) is accepted at the top level, as written: a
 * variable in it is not expanded, so an unset one is no error. */
static void test_schema_key(void **state)
{
    (void)state;
    struct ports ports = {0};
    struct suite *s = load_ok(DATA "valid/schema_key.json", &ports);
    assert_string_equal(s->name, "points an editor at the schema");
    assert_int_equal(s->ntests, 1);
    suite_free(s);
}

/* goleak-style ignore lists: names kept as written, absent lists NULL */
static void test_ignore_lists(void **state)
{
    (void)state;
    struct ports ports = {0};
    struct suite *s = load_ok(DATA "valid/ignore.json", &ports);
    const struct suite_ignore *ig = &s->tests[0].ignore;
    assert_int_equal(ig->ntop_function, 2);
    assert_string_equal(ig->top_function[0], "internal/poll.runtime_pollWait");
    assert_string_equal(ig->top_function[1], "time.Sleep");
    assert_null(ig->top_function[2]);
    assert_int_equal(ig->nany_function, 1);
    assert_string_equal(ig->any_function[0], "net/http.(*persistConn).readLoop");
    ig = &s->tests[1].ignore;
    assert_null(ig->top_function);
    assert_int_equal(ig->ntop_function, 0);
    assert_string_equal(ig->any_function[0], "main.worker");
    ig = &s->tests[2].ignore;
    assert_null(ig->top_function);
    assert_null(ig->any_function);
    suite_free(s);
}

/* "exits": a batch job: no baseline, a finer interval and an exit timeout
 * by default; a service keeps its defaults with "exits": false. */
static void test_batch_target(void **state)
{
    (void)state;
    struct ports ports = {0};
    struct suite *s = load_ok(DATA "valid/batch.json", &ports);
    const struct suite_test *t = &s->tests[0];
    assert_true(t->target.exits);
    near(t->target.exit_timeout_s, 300);
    near(t->baseline_s, 0);
    near(t->sample.interval_s, 0.05);
    assert_true(t->sample.proc);
    assert_null(t->target.ready);
    t = &s->tests[1];
    assert_true(t->target.exits);
    near(t->target.exit_timeout_s, 30);
    near(t->baseline_s, 0.2);
    near(t->sample.interval_s, 0.02);
    assert_int_equal(t->nasserts, 2);
    t = &s->tests[2];
    assert_false(t->target.exits);
    near(t->baseline_s, 1);
    near(t->sample.interval_s, 0.25);
    near(t->observe_s, 1);
    /* a batch job is judged on its exit status at least: no warning */
    assert_int_equal(s->nwarnings, 1);
    assert_int_equal(s->warnings[0].test, 2);
    suite_free(s);
}

/* A UTF-8 byte order mark before the JSON is read past. */
static void test_bom(void **state)
{
    (void)state;
    struct ports ports = {0};
    struct suite *s = load_ok(DATA "valid/bom.json", &ports);
    assert_string_equal(s->name, "bom");
    assert_int_equal(s->ntests, 1);
    suite_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_from_issue),
        cmocka_unit_test(test_attach_forms),
        cmocka_unit_test(test_no_target),
        cmocka_unit_test(test_no_load),
        cmocka_unit_test(test_mix_and_stages),
        cmocka_unit_test(test_compare_tolerances),
        cmocka_unit_test(test_schema_key),
        cmocka_unit_test(test_ignore_lists),
        cmocka_unit_test(test_batch_target),
        cmocka_unit_test(test_measure),
        cmocka_unit_test(test_bom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
