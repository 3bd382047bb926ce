/*
 * tests/unit/test_runner.c: the specification of one test's run, in
 * memory. No Go and no target process: a test HTTP server in a thread
 * (tests/unit/lg_servers.c) plays the service, serving the captured texts
 * of tests/data/ (Go 1.19's pprof pages, client_golang's /metrics) and
 * taking the load. What it serves follows what happened to it:
 *
 *   - before the load's first request: 6 goroutines (the index page's
 *     count and goroutine-debug1-own-reader.txt); from then on 21
 *     (goroutine-debug1.txt, whose main.* goroutines are the "leak");
 *   - /metrics adds `backlog`: +1 for each load request, -10 at each
 *     scrape that saw no load request since the one before (it drains).
 *
 * The run must then go baseline -> load -> observe -> settle in that order,
 * leave settle early once `backlog <= 0` holds (long before its 20 s), keep
 * the backlog's rise and fall on the timeline, count goroutines_blocked
 * in the final dump, judge the assertions, and name the main.* goroutines
 * as the culprits, before anything else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/runner.h"
#include "suite/checks.h"
#include "tests/unit/lg_servers.h"

#define PPROF "tests/data/pprof/go1.19/"
#define LOAD_REQUESTS 100
#define DRAIN 10
#define SETTLE_S 20.0

/* The service's state, changed in the server's thread. */
struct service {
    pthread_mutex_t mu;
    char *index_before, *index_after; /* the pprof index page: 6, then 21 goroutines */
    char *g1_before, *g1_after, *g2;  /* goroutine?debug=1 before and after; debug=2 */
    char *heap, *metrics;             /* heap?debug=1; client_golang's /metrics */
    long backlog, work_since_scrape;
    int loaded; /* the load's first request came */
    unsigned scrapes;
};

static struct service svc = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void reply(struct evhttp_request *req, int code, const char *body)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, body, strlen(body));
    evhttp_send_reply(req, code, code == 200 ? "OK" : "Not Found", b);
    evbuffer_free(b);
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int serve(struct evhttp_request *req, void *arg)
{
    (void)arg;
    const char *uri = evhttp_request_get_uri(req);
    pthread_mutex_lock(&svc.mu);
    char *body = NULL;
    const char *page = NULL;
    if (strcmp(uri, "/work") == 0) {
        svc.loaded = 1;
        svc.backlog++;
        svc.work_since_scrape++;
        page = "ok\n";
    } else if (strcmp(uri, "/metrics") == 0) {
        if (!svc.work_since_scrape)
            svc.backlog = svc.backlog > DRAIN ? svc.backlog - DRAIN : 0;
        svc.work_since_scrape = 0;
        svc.scrapes++;
        body = lc_asprintf("%s# TYPE backlog gauge\nbacklog %ld\n", svc.metrics, svc.backlog);
    } else if (strcmp(uri, "/debug/pprof/") == 0) {
        page = svc.loaded ? svc.index_after : svc.index_before;
    } else if (starts(uri, "/debug/pprof/goroutine?debug=1")) {
        page = svc.loaded ? svc.g1_after : svc.g1_before;
    } else if (starts(uri, "/debug/pprof/goroutine?debug=2")) {
        page = svc.g2;
    } else if (starts(uri, "/debug/pprof/heap?debug=1")) {
        page = svc.heap;
    }
    pthread_mutex_unlock(&svc.mu);
    /* the binary profiles and Go 1.26's goroutineleak are not served: the
     * run carries on without them */
    reply(req, body || page ? 200 : 404, body ? body : page ? page : "404 page not found\n");
    free(body);
    return 1;
}

static char *read_data(const char *path)
{
    struct lc_error err = {0};
    char *s = lc_read_file(path, 1u << 20, NULL, &err);
    if (!s)
        fail_msg("%s", err.msg);
    return s;
}

/* The index page with its goroutine count replaced by n. */
static char *index_with(const char *page, int n)
{
    const char *at = strstr(page, "<td>21</td><td><a href='goroutine?debug=1'>");
    assert_non_null(at);
    return lc_asprintf("%.*s<td>%d</td>%s", (int)(at - page), page, n, at + strlen("<td>21</td>"));
}

static int srv_port;

static int port_cb(size_t index, void *arg)
{
    (void)index;
    (void)arg;
    return srv_port;
}

/* The test, as a user writes it. */
static const char suite_text[] =
    "{\"suite\": \"runner spec\", \"tests\": [{\n"
    "  \"name\": \"spec\",\n"
    "  \"sample\": {\"pprof\": \"http://127.0.0.1:${port}/debug/pprof\",\n"
    "             \"prometheus\": \"http://127.0.0.1:${port}/metrics\", \"interval\": \"100ms\"},\n"
    "  \"baseline\": \"500ms\",\n"
    "  \"load\": {\"url\": \"http://127.0.0.1:${port}/work\", \"concurrency\": 2, \"requests\": "
    "100},\n"
    "  \"observe\": \"300ms\",\n"
    "  \"settle\": \"20s\",\n"
    "  \"assert\": [\"backlog <= 0\", \"max(backlog) >= 50\",\n"
    "             \"max(goroutines) <= baseline(goroutines) + 2\",\n"
    "             \"goroutines_blocked >= 10\"]\n"
    "}]}\n";

struct fixture {
    char dir[64];
    struct srv *srv;
    struct suite *suite;
    struct checks *checks;
    struct report_run *run;
    struct report_test *rt;
    double wall_s;
};

static void load_service(void)
{
    char *index = read_data(PPROF "index.html");
    svc.index_before = index_with(index, 6);
    svc.index_after = index;
    svc.g1_before = read_data(PPROF "goroutine-debug1-own-reader.txt");
    svc.g1_after = read_data(PPROF "goroutine-debug1.txt");
    svc.g2 = read_data(PPROF "goroutine-debug2.txt");
    svc.heap = read_data(PPROF "heap-debug1.txt");
    svc.metrics = read_data("tests/data/prom/client-golang.txt");
}

static int setup(void **state)
{
    struct fixture *f = lc_calloc(1, sizeof(*f));
    struct lc_error err = {0};
    load_service();
    f->srv = srv_start_hook("127.0.0.1", serve, NULL);
    srv_port = f->srv->port;
    snprintf(f->dir, sizeof(f->dir), "/tmp/lc_runner_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char *path = lc_asprintf("%s/suite.json", f->dir);
    assert_int_equal(lc_write_file_atomic(path, suite_text, strlen(suite_text), &err), 0);
    f->suite = suite_load(path, port_cb, NULL, &err);
    free(path);
    if (!f->suite)
        fail_msg("suite: %s", err.msg);
    f->checks = checks_new(f->suite, stderr);
    assert_non_null(f->checks);

    /* the run under test */
    char *test_dir = lc_asprintf("%s/spec", f->dir);
    struct runner_opts opts = {.out_dir = f->dir, .test_dir = test_dir, .quiet = 1};
    f->run = lc_calloc(1, sizeof(*f->run));
    f->rt = report_add_test(f->run);
    double t0 = lc_now();
    int interrupted =
        runner_run_test(&f->suite->tests[0], checks_exprs(f->checks, 0), &opts, f->rt);
    f->wall_s = lc_now() - t0;
    free(test_dir);
    assert_int_equal(interrupted, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    srv_stop(f->srv);
    char *cmd = lc_asprintf("rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    free(cmd);
    report_run_free(f->run);
    checks_free(f->checks);
    suite_free(f->suite);
    free(svc.index_before);
    free(svc.index_after);
    free(svc.g1_before);
    free(svc.g1_after);
    free(svc.g2);
    free(svc.heap);
    free(svc.metrics);
    free(f);
    return 0;
}

static const struct report_series *series(const struct report_test *rt, const char *name)
{
    for (size_t i = 0; i < rt->nseries; i++)
        if (strcmp(rt->series[i].name, name) == 0)
            return &rt->series[i];
    fail_msg("no series %s", name);
    return NULL;
}

static const struct report_phase *phase(const struct report_test *rt, const char *name)
{
    for (size_t i = 0; i < rt->nphases; i++)
        if (strcmp(rt->phases[i].name, name) == 0)
            return &rt->phases[i];
    fail_msg("no phase %s", name);
    return NULL;
}

/* The test ran to its end, and failed only on the goroutines that grew. */
static void test_verdict(void **state)
{
    struct fixture *f = *state;
    if (f->rt->error)
        fail_msg("error: %s", f->rt->error);
    assert_int_equal(f->rt->verdict, REPORT_FAIL);
}

/* Phases in order, back to back: baseline, load, observe, settle. */
static void test_phase_order(void **state)
{
    struct fixture *f = *state;
    static const char *want[] = {"baseline", "load", "observe", "settle"};
    assert_int_equal(f->rt->nphases, LC_ARRAY_LEN(want));
    for (size_t i = 0; i < LC_ARRAY_LEN(want); i++) {
        const struct report_phase *p = &f->rt->phases[i];
        if (strcmp(p->name, want[i]) != 0)
            fail_msg("phase %zu is %s, want %s", i, p->name, want[i]);
        assert_true(p->end >= p->start);
        if (i > 0)
            assert_true(fabs(p->start - f->rt->phases[i - 1].end) < 0.05);
    }
    /* the baseline and observe ran their time */
    const struct report_phase *baseline = phase(f->rt, "baseline"),
                              *observe = phase(f->rt, "observe");
    assert_true(baseline->end - baseline->start >= 0.5 - 0.01);
    assert_true(observe->end - observe->start >= 0.3 - 0.01);
}

/* Settle ends at the first round in which every assertion on a final value
 * holds: the backlog drains DRAIN per scrape, in about a second, not 20. */
static void test_settle_exits_early(void **state)
{
    struct fixture *f = *state;
    const struct report_phase *settle = phase(f->rt, "settle");
    double len = settle->end - settle->start;
    if (!(len > 0.05 && len < 5.0))
        fail_msg("settle took %.2fs (of %.0fs)", len, SETTLE_S);
    assert_true(f->wall_s < 10.0);
    print_message("settle %.2fs of %.0fs, the run %.2fs\n", len, SETTLE_S, f->wall_s);
    /* and not before the backlog drained: its last value is 0 */
    const struct report_series *b = series(f->rt, "backlog");
    assert_true(b->final == 0);
}

/* The timeline: the backlog was 0 before the load, rose to the load's size
 * and fell back; the goroutines went from 6 to 21 (leakcheck's own two
 * serving goroutines in the "before" dump left out: 4). */
static void test_series(void **state)
{
    struct fixture *f = *state;
    const struct report_series *b = series(f->rt, "backlog");
    assert_true(b->npoints >= 8);
    assert_true(b->baseline == 0);
    assert_true(b->max >= 50 && b->max <= LOAD_REQUESTS);
    print_message("backlog: %zu points, max %g; goroutines %g -> %g\n", b->npoints, b->max,
                  series(f->rt, "goroutines")->baseline, series(f->rt, "goroutines")->final);
    for (size_t i = 1; i < b->npoints; i++)
        assert_true(b->points[i].t > b->points[i - 1].t);
    const struct report_series *g = series(f->rt, "goroutines");
    assert_true(g->baseline < g->final);
    assert_true(g->final >= 15);
    /* every sampled point lies within the run */
    double end = phase(f->rt, "settle")->end;
    assert_true(g->points[g->npoints - 1].t <= end + 0.5);
}

/* goroutines_blocked: one value, from the final snapshot's debug=2 dump
 * (goroutine-debug2.txt: 11 in chan receive, 2 in select), taken after the
 * last phase; settle did not wait for it (test_settle_exits_early). */
static void test_blocked_at_end(void **state)
{
    struct fixture *f = *state;
    const struct report_series *b = series(f->rt, "goroutines_blocked");
    assert_int_equal(b->npoints, 1);
    assert_true(b->points[0].v == 13);
    assert_true(b->final == 13);
    assert_true(b->points[0].t >= phase(f->rt, "settle")->end);
}

/* Each assertion judged on those figures. */
static void test_assertions(void **state)
{
    struct fixture *f = *state;
    static const int passed[] = {1, 1, 0, 1};
    assert_int_equal(f->rt->nassertions, LC_ARRAY_LEN(passed));
    for (size_t i = 0; i < LC_ARRAY_LEN(passed); i++) {
        const struct report_assertion *a = &f->rt->assertions[i];
        if (a->errored || a->passed != passed[i])
            fail_msg("%s: passed %d errored %d (%s)", a->expr, a->passed, a->errored,
                     a->message ? a->message : "");
    }
    assert_string_equal(f->rt->assertions[2].metric, "goroutines");
    assert_true(f->rt->load.present);
    assert_int_equal(f->rt->load.requests, LOAD_REQUESTS);
    assert_int_equal(f->rt->load.errors, 0);
}

/* The culprits: what grew between the baseline and final snapshots, the
 * goroutines first (a goroutine assertion failed), in the capture's main. */
static void test_culprits(void **state)
{
    struct fixture *f = *state;
    assert_true(f->rt->nculprits >= 1);
    const struct report_culprit *c = &f->rt->culprits[0];
    assert_string_equal(c->kind, "goroutine");
    assert_int_equal(c->basis, REPORT_BASIS_GROWTH);
    assert_non_null(c->function);
    if (strncmp(c->function, "main.", 5) != 0)
        fail_msg("first culprit in %s", c->function);
    assert_true(c->growth >= 1);
    print_message("first culprit: %s %s (+%g), %zu in all\n", c->kind, c->function, c->growth,
                  f->rt->nculprits);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdict),
        cmocka_unit_test(test_phase_order),
        cmocka_unit_test(test_settle_exits_early),
        cmocka_unit_test(test_series),
        cmocka_unit_test(test_blocked_at_end),
        cmocka_unit_test(test_assertions),
        cmocka_unit_test(test_culprits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
