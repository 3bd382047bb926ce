/* tests/unit/test_loadgen.c: the load engine against real servers on
 * 127.0.0.1 started inside the test: a libevent evhttp server (counts
 * requests, connections, paths) and a raw socket server that misbehaves on
 * purpose (truncates, resets, sends junk, never answers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/lc.h"
#include "loadgen/hist.h"
#include "loadgen/loadgen.h"

#include "tests/unit/lg_servers.h"

/* ---- tests ---- */
static void test_exact_count_keepalive(void **state)
{
    (void)state;
    struct srv *s = srv_start("127.0.0.1");
    char *url = url_of(s->port, "/x");
    struct loadgen_config cfg = {.concurrency = 8, .threads = 2, .max_requests = 5000};
    struct loadgen_stats st = run(&cfg, url);
    assert_int_equal(st.requests, 5000);
    assert_int_equal(st.errors, 0);
    assert_int_equal(st.status[200], 5000);
    assert_int_equal(atomic_load(&s->requests), 5000);
    /* keep-alive: one connection per slot, reused */
    assert_int_equal(atomic_load(&s->nconns), 8);
    assert_true(st.p50 > 0 && st.p50 <= st.p99 && st.p99 <= st.max);
    assert_true(st.bytes_read > 5000 * 3);
    free(url);
    srv_stop(s);
}

static void test_no_keepalive(void **state)
{
    (void)state;
    struct srv *s = srv_start("127.0.0.1");
    char *url = url_of(s->port, "/x");
    struct loadgen_config cfg = {
        .concurrency = 4, .threads = 1, .max_requests = 300, .disable_keepalive = 1};
    struct loadgen_stats st = run(&cfg, url);
    assert_int_equal(st.requests, 300);
    assert_int_equal(st.errors, 0);
    assert_int_equal(atomic_load(&s->requests), 300);
    assert_int_equal(atomic_load(&s->nconns), 300);
    free(url);
    srv_stop(s);
}

static void test_status_errors(void **state)
{
    (void)state;
    struct srv *s = srv_start("127.0.0.1");
    char *url = url_of(s->port, "/status/503");
    struct loadgen_config cfg = {.concurrency = 3, .threads = 1, .max_requests = 100};
    struct loadgen_stats st = run(&cfg, url);
    assert_int_equal(st.requests, 100);
    assert_int_equal(st.errors, 100);
    assert_int_equal(st.by_kind[LOADGEN_ERR_STATUS], 100);
    assert_int_equal(st.status[503], 100);
    assert_int_equal(st.status[200], 0);
    free(url);
    srv_stop(s);
}

static void test_mix_and_post(void **state)
{
    (void)state;
    struct srv *s = srv_start("127.0.0.1");
    char *a = url_of(s->port, "/a"), *b = url_of(s->port, "/b"), *p = url_of(s->port, "/p");
    const char *hdrs[] = {"host: custom.example", "X-Test:  yes"};
    struct loadgen_request reqs[] = {
        {.url = a, .weight = 3},
        {.url = b, .weight = 1},
        {.url = p,
         .method = "POST",
         .headers = hdrs,
         .nheaders = 2,
         .body = "0123456789",
         .body_len = 10,
         .weight = 0},
    };
    /* weights 3:1:1 (0 counts as 1) */
    struct loadgen_config cfg = {
        .requests = reqs, .nrequests = 3, .concurrency = 2, .threads = 1, .max_requests = 500};
    struct loadgen_stats st = run(&cfg, NULL);
    assert_int_equal(st.requests, 500);
    assert_int_equal(st.errors, 0);
    assert_int_equal(atomic_load(&s->path_a), 300);
    assert_int_equal(atomic_load(&s->path_b), 100);
    assert_int_equal(atomic_load(&s->posts), 100);
    assert_string_equal(s->host, "custom.example"); /* the user's Host wins */
    assert_string_equal(s->xtest, "yes");
    assert_int_equal(s->body_len, 10);
    free(a);
    free(b);
    free(p);
    srv_stop(s);
}

static void test_connect_refused_backs_off(void **state)
{
    (void)state;
    /* a port nobody listens on: bind, note it, close */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sl), 0);
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    close(fd);
    char *url = url_of(ntohs(sa.sin_port), "/");
    double cpu0 = cpu_seconds(), t0 = lc_now();
    struct loadgen_config cfg = {.concurrency = 4, .threads = 2, .duration_s = 1.0};
    struct loadgen_stats st = run(&cfg, url);
    double cpu = cpu_seconds() - cpu0, wall = lc_now() - t0;
    assert_true(wall >= 0.9 && wall < 1.5);
    assert_true(st.by_kind[LOADGEN_ERR_CONNECT] >= 4);
    /* backoff 10, 20, 40 ... 640, 1000 ms: at most ~8 tries per connection */
    assert_true(st.by_kind[LOADGEN_ERR_CONNECT] <= 4 * 10);
    assert_int_equal(st.errors, st.requests);
    assert_int_equal(st.status[200], 0);
    if (cpu > 0.15)
        fail_msg("%.3f s of CPU in %.2f s against a closed port", cpu, wall);
    free(url);
}

static void run_raw(enum raw_mode mode, enum loadgen_err kind, uint64_t n, double timeout)
{
    struct raw *r = raw_start(mode);
    char *url = url_of(r->port, "/");
    struct loadgen_config cfg = {
        .concurrency = 1, .threads = 1, .max_requests = n, .timeout_s = timeout, .duration_s = 3};
    struct loadgen_stats st = run(&cfg, url);
    if (st.by_kind[kind] != n || st.errors != n || st.requests != n)
        fail_msg("mode %d: %llu %s errors, %llu errors, %llu requests; wanted %llu", mode,
                 (unsigned long long)st.by_kind[kind], loadgen_err_name(kind),
                 (unsigned long long)st.errors, (unsigned long long)st.requests,
                 (unsigned long long)n);
    free(url);
    raw_stop(r);
}

/* truncated body, junk, a close before any answer, no answer at all */
static void test_error_kinds(void **state)
{
    (void)state;
    run_raw(RAW_TRUNCATE, LOADGEN_ERR_TRUNCATED, 20, 0);
    run_raw(RAW_JUNK, LOADGEN_ERR_MALFORMED, 20, 0);
    run_raw(RAW_CLOSE, LOADGEN_ERR_RESET, 4, 0);
    run_raw(RAW_SILENT, LOADGEN_ERR_TIMEOUT, 2, 0.2);
    /* two responses to every request: each request is an error, and the
     * second response is never taken for the next request's */
    run_raw(RAW_DOUBLE, LOADGEN_ERR_MALFORMED, 20, 0);
}

static void test_snapshot_while_running_and_duration(void **state)
{
    (void)state;
    struct srv *s = srv_start("127.0.0.1");
    char *url = url_of(s->port, "/x");
    struct loadgen_request req = {.url = url};
    struct loadgen_config cfg = {
        .requests = &req, .nrequests = 1, .concurrency = 4, .threads = 2, .duration_s = 0.6};
    struct lc_error err = {0};
    struct loadgen *lg = loadgen_new(&cfg, &err);
    assert_non_null(lg);
    struct loadgen_stats st;
    loadgen_snapshot(lg, &st, NULL); /* before start: zeros */
    assert_int_equal(st.requests, 0);
    double t0 = lc_now();
    assert_int_equal(loadgen_start(lg, &err), 0);
    usleep(250000);
    struct hist *h = hist_new();
    loadgen_snapshot(lg, &st, h);
    assert_false(loadgen_done(lg));
    assert_true(st.requests > 0);
    /* usleep overshoots on a busy machine (sanitizers, tests side by side) */
    assert_true(st.elapsed_s > 0.2 && st.elapsed_s < 1.0);
    /* a worker records a latency, then counts the request: a snapshot of a
     * running load may see a latency per connection whose count is to come */
    assert_true(hist_count(h) > 0 && hist_count(h) <= st.requests + cfg.concurrency);
    uint64_t mid = st.requests;
    while (!loadgen_done(lg) && lc_now() - t0 < 3)
        usleep(5000);
    double wall = lc_now() - t0;
    assert_true(loadgen_done(lg));
    loadgen_join(lg);
    loadgen_snapshot(lg, &st, NULL);
    assert_true(st.requests > mid);
    assert_int_equal(st.errors, 0);
    /* the duration limit holds within 300 ms (the tick is 10 ms; the rest
     * is slack for a busy machine, sanitizers included) */
    if (st.elapsed_s < 0.6 || st.elapsed_s > 0.9 || wall < 0.6 || wall > 1.2)
        fail_msg("elapsed %.3f s, wall %.3f s for a 0.6 s run", st.elapsed_s, wall);
    /* final figures are stable */
    struct loadgen_stats again;
    loadgen_snapshot(lg, &again, NULL);
    assert_int_equal(again.requests, st.requests);
    assert_true(again.elapsed_s == st.elapsed_s);
    hist_free(h);
    loadgen_free(lg);
    free(url);
    srv_stop(s);
}

static void test_stop(void **state)
{
    (void)state;
    struct srv *s = srv_start("127.0.0.1");
    char *url = url_of(s->port, "/x");
    struct loadgen_request req = {.url = url};
    struct loadgen_config cfg = {.requests = &req, .nrequests = 1, .concurrency = 2};
    struct lc_error err = {0};
    struct loadgen *lg = loadgen_new(&cfg, &err);
    assert_int_equal(loadgen_start(lg, &err), 0);
    usleep(100000);
    double t0 = lc_now();
    loadgen_stop(lg);
    loadgen_join(lg);
    assert_true(lc_now() - t0 < 0.5); /* at once, with slack for a busy machine */
    assert_true(loadgen_done(lg));
    loadgen_free(lg);
    free(url);
    srv_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_count_keepalive),
        cmocka_unit_test(test_no_keepalive),
        cmocka_unit_test(test_status_errors),
        cmocka_unit_test(test_mix_and_post),
        cmocka_unit_test(test_connect_refused_backs_off),
        cmocka_unit_test(test_error_kinds),
        cmocka_unit_test(test_snapshot_while_running_and_duration),
        cmocka_unit_test(test_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
