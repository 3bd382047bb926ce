/* tests/unit/test_suite.c: loading suite files (suite/suite.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "suite/suite.h"
#include "suite/suite_internal.h"

#define DATA "tests/data/suites/"

/* Ports handed out, by test index. */
struct ports {
    int port[16];
    size_t calls;
    int fail_at; /* index at which to return -1, or -1 */
};

/* A real free loopback port, the way leakcheck picks one: bind port 0. */
static int free_port_cb(size_t index, void *arg)
{
    struct ports *p = arg;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    p->calls++;
    if ((int)index == p->fail_at || index >= LC_ARRAY_LEN(p->port))
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    p->port[index] = ntohs(sa.sin_port);
    return p->port[index];
}

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

/* Invalid suites: where the error is and what it says. Positions are those
 * of the offending key or value, counted by hand (columns in characters). */
static const struct {
    const char *file;
    int line, col;
    const char *msg;
} bad[] = {
    {"unknown_key", 7, 30, "tests[0].target: unknown key \"comand\"; did you mean \"command\"?"},
    {"unknown_key_far", 2, 2,
     "top level: unknown key \"parallel\" (known keys: suite, tests, compare, $schema, "
     "checkpoint)"},
    {"checkpoint_too_short", 1, 30, "checkpoint: must be at least 100ms (or \"off\")"},
    {"checkpoint_bad", 1, 30, "checkpoint: bad duration \"never\""},
    {"wrong_type", 8, 31, "tests[1].load.concurrency: expected a positive integer, got a string"},
    {"negative_concurrency", 2, 78,
     "tests[0].load.concurrency: expected a positive integer, got -3"},
    {"bad_duration", 4, 24, "tests[0].settle: bad duration \"4 seconds\""},
    {"concurrency_ceiling", 1, 94,
     "tests[0].load.concurrency: 1000000 connections is above the ceiling of 50000"},
    {"rate_ceiling", 1, 87,
     "tests[0].load.rate: 1e+308 requests/s is above the ceiling of 1e+06/s"},
    {"stage_rate_ceiling", 1, 166,
     "tests[0].load.stages[1].rate: 5e+06 requests/s is above the ceiling"},
    {"requests_ceiling", 1, 91,
     "tests[0].load.requests: 9000000000000000000 requests is above the ceiling"},
    {"nofile_nr_open", 1, 82,
     "tests[0].target.nofile: 2000000000 is above the kernel's ceiling fs.nr_open"},
    {"bare_number", 3, 67, "tests[0].baseline: durations need a unit"},
    {"interval_too_short", 1, 63, "tests[0].sample.interval: must be at least 10ms"},
    {"unknown_var", 6, 14, "tests[0].load.url: unknown variable \"${nope}\""},
    {"unterminated_var", 1, 57, "tests[0].assert[1]: unterminated \"${\""},
    {"port_in_suite_name", 1, 11, "suite: ${port} is only defined inside a test"},
    {"named_port_in_suite_name", 1, 11, "suite: ${port:peer} is only defined inside a test"},
    {"port_bad_name", 2, 35, "tests[0].target.command[1]: unknown variable \"${port:a b}\""},
    {"too_many_ports", 2, 35, "tests[0].target.command[1]: more than 32 named ports in one test"},
    {"env_unset", 2, 35,
     "tests[0].target.command[1]: environment variable LEAKCHECK_TEST_UNSET_VAR is not set"},
    {"env_bad_default", 2, 35, "a default is written ${env:NAME:-default}"},
    {"env_bad_name", 2, 35, "\"${env:1PATH}\": not an environment variable's name"},
    {"dup_names", 6, 31, "tests[2].name: duplicate test name \"same\" (tests[0] has it too)"},
    /* jansson points at the end of the repeated key */
    {"dup_keys", 4, 22, "duplicate object key near '\"observe\"'"},
    {"missing_name", 5, 7, "tests[1]: missing required key \"name\""},
    {"missing_suite", 1, 1, "top level: missing required key \"suite\""},
    {"command_pid", 5, 16, "tests[0].target: give either command"},
    {"empty_pid_file", 1, 63, "tests[0].target.pid_file: must not be empty"},
    {"pid_and_pid_file", 1, 61, "tests[0].target: give either pid or pid_file, not both"},
    {"env_with_pid", 2, 25, "tests[0].target: applies only to a command leakcheck starts"},
    {"exits_with_pid", 2, 25, "tests[0].target: applies only to a command leakcheck starts"},
    {"exits_not_bool", 2, 45, "tests[0].target.exits: expected true or false, got a string"},
    {"exits_with_ready", 2, 51,
     "tests[0].target: a target that exits (\"exits\": true) is sampled from its start: leave "
     "out ready"},
    {"exits_with_load", 3, 3,
     "tests[0]: a target that exits (\"exits\": true) is sampled until it exits: it takes no "
     "load, observe or settle"},
    {"exits_with_settle", 1, 40, "tests[0]: a target that exits (\"exits\": true) is sampled"},
    {"exit_timeout_alone", 2, 36,
     "tests[0].target: applies only to a target that runs to completion (\"exits\": true)"},
    {"target_empty", 1, 50, "tests[0].target: a target needs command, pid or pid_file"},
    {"proc_no_target", 4, 74, "tests[0].sample.proc: sampling /proc needs a target"},
    {"syntax", 3, 26, "invalid JSON: string or '}' expected near '}'"},
    {"top_level_array", 1, 1, "top level: expected an object, got an array"},
    {"empty_tests", 3, 12, "tests: must hold at least one test"},
    {"tests_not_array", 1, 25, "tests: expected an array of tests, got an object"},
    {"no_requests", 4, 13, "tests[0].load: give requests, duration or both"},
    {"body_both", 5, 14, "tests[0].load: give either body or body_file, not both"},
    {"body_file_missing", 2, 76, "tests[0].load.body_file: cannot open"},
    {"bad_header", 3, 54, "tests[0].load.headers: a header name may only hold"},
    {"lowercase_method", 2, 73, "tests[0].load.method: expected an HTTP method in capitals"},
    {"load_ftp", 2, 19, "tests[0].load.url: expected an http:// or https:// URL"},
    {"insecure_not_bool", 2, 30, "tests[0].load.insecure: expected true or false"},
    {"cacert_not_string", 2, 28, "tests[0].load.cacert: expected a string"},
    {"mix_other_scheme", 2, 51,
     "tests[0].load.requests_mix[1].url: every request of a mix must go to the same host and "
     "port as the first (https://127.0.0.1:"},
    {"rate_zero", 2, 74, "tests[0].load.rate: expected a number greater than 0, got 0"},
    {"compare_bad_tolerance", 1, 42,
     "compare.goroutines: expected a tolerance such as \"10%\" or \"off\", got \"ten percent\""},
    {"compare_typo", 2, 28, "compare: unknown metric \"goroutine\"; did you mean \"goroutines\"?"},
    {"schema_not_string", 1, 13,
     "$schema: expected a string (a JSON Schema's URL or path), got an object"},
    {"schema_in_test", 2, 26, "tests[0]: unknown key \"$schema\" (known keys: name, target"},
    {"compare_not_object", 1, 27, "compare: expected an object of metrics and tolerances"},
    {"compare_number", 1, 35,
     "compare.fds: expected a tolerance such as \"10%\" or \"off\", got a"},
    {"mix_with_url", 3, 3, "tests[0].load: give either requests_mix or url/method/headers/body"},
    {"mix_empty", 2, 28, "tests[0].load.requests_mix: must hold at least one request"},
    {"mix_other_host", 3, 11,
     "tests[0].load.requests_mix[1].url: every request of a mix must go to the same host and "
     "port as the first"},
    {"mix_weight_zero", 2, 51,
     "tests[0].load.requests_mix[0].weight: expected a positive integer, got 0"},
    {"mix_typo", 2, 80,
     "tests[0].load.requests_mix[1]: unknown key \"wieght\"; did you mean \"weight\"?"},
    {"mix_no_url", 2, 20, "tests[0].load.requests_mix[0]: missing required key \"url\""},
    {"stages_with_rate", 2, 47, "tests[0].load: give either rate (constant) or stages (ramps)"},
    {"stage_no_duration", 2, 46, "tests[0].load.stages[1]: missing required key \"duration\""},
    {"stage_negative_rate", 2, 41, "tests[0].load.stages[0].rate: expected a number >= 0, got -5"},
    {"stages_all_zero", 2, 13, "tests[0].load.stages: every stage has rate 0"},
    {"stage_bare_number", 2, 27, "tests[0].load.stages[0].duration: durations need a unit"},
    {"stages_not_array", 2, 13, "tests[0].load.stages: expected an array of stages"},
    {"keepalive_not_bool", 2, 39,
     "tests[0].load.disable_keepalive: expected true or false, got a string"},
    {"measure_typo", 1, 84,
     "tests[0].target.measure: expected \"auto\", \"started\" or {\"listening\": PORT}, got "
     "\"startd\"; did you mean \"started\"?"},
    {"measure_number", 1, 84,
     "tests[0].target.measure: expected \"auto\", \"started\" or "
     "{\"listening\": PORT}, got an integer"},
    {"measure_key_typo", 1, 85,
     "tests[0].target.measure: unknown key \"listning\"; did you mean \"listening\"?"},
    {"measure_bad_port", 1, 98, "tests[0].target.measure.listening: expected a TCP port"},
    {"measure_port_text", 1, 98, "tests[0].target.measure.listening: expected a TCP port"},
    {"measure_empty", 1, 84, "tests[0].target.measure: expected {\"listening\": PORT}"},
    {"measure_no_proc", 2, 22,
     "tests[0].sample.proc: is false, so the process target.measure names would not be read"},
    {"measure_misspelt_key", 1, 73,
     "tests[0].target: unknown key \"mesure\"; did you mean \"measure\"?"},
    {"ignore_typo", 2, 37,
     "tests[0].ignore: unknown key \"top_functions\"; did you mean \"top_function\"?"},
    {"ignore_empty_name", 2, 64,
     "tests[0].ignore.any_function[1]: a function name must not be empty"},
    {"ignore_not_array", 2, 53,
     "tests[0].ignore.top_function: expected an array of strings, got a string"},
};

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

static void test_invalid_suites(void **state)
{
    (void)state;
    for (size_t i = 0; i < LC_ARRAY_LEN(bad); i++) {
        char path[256];
        struct lc_error err = {0};
        struct ports ports = {.fail_at = -1};
        snprintf(path, sizeof(path), DATA "invalid/%s.json", bad[i].file);
        struct suite *s = suite_load(path, free_port_cb, &ports, &err);
        if (s)
            fail_msg("%s: loaded, but should not have", path);
        if (err.line != bad[i].line || err.col != bad[i].col || !strstr(err.msg, bad[i].msg))
            fail_msg("%s: got %d:%d: %s\nwant %d:%d: ...%s...", path, err.line, err.col, err.msg,
                     bad[i].line, bad[i].col, bad[i].msg);
        /* an error without a place to put it must not crash either */
        assert_null(suite_load(path, free_port_cb, &ports, NULL));
    }
}

static void test_every_invalid_file_is_listed(void **state)
{
    (void)state;
    /* a file added under invalid/ without an expectation would test nothing */
    DIR *d = opendir(DATA "invalid");
    size_t files = 0;
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        size_t i = 0;
        while (i < LC_ARRAY_LEN(bad) &&
               !(strncmp(e->d_name, bad[i].file, strlen(bad[i].file)) == 0 &&
                 strcmp(e->d_name + strlen(bad[i].file), ".json") == 0))
            i++;
        if (i == LC_ARRAY_LEN(bad))
            fail_msg("invalid/%s has no expected error in test_suite.c", e->d_name);
        files++;
    }
    closedir(d);
    assert_int_equal(files, LC_ARRAY_LEN(bad));
}

static void test_port_failure_and_missing_file(void **state)
{
    (void)state;
    struct lc_error err = {0};
    struct ports ports = {.fail_at = 1};
    assert_null(suite_load(DATA "valid/attach.json", free_port_cb, &ports, &err));
    assert_int_equal(err.line, 11);
    assert_int_equal(err.col, 5);
    assert_non_null(strstr(err.msg, "tests[1]: no free loopback port"));
    assert_null(suite_load(DATA "valid/nonexistent.json", free_port_cb, &ports, &err));
    assert_non_null(strstr(err.msg, "nonexistent.json"));
    assert_null(suite_load(DATA "valid", free_port_cb, &ports, &err));
    assert_true(err.msg[0] != '\0');
    suite_free(NULL);
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
        cmocka_unit_test(test_invalid_suites),
        cmocka_unit_test(test_every_invalid_file_is_listed),
        cmocka_unit_test(test_port_failure_and_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
