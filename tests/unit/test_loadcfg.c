/* tests/unit/test_loadcfg.c: a suite's load block (run/loadcfg.c)
 * driving the real engine against an evhttp server on 127.0.0.1 started
 * inside the test, which counts what arrives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/lc.h"
#include "run/loadcfg.h"
#include "suite/suite.h"
#include "tests/unit/lg_servers.h"

#define DATA "tests/data/suites/"

/* What arrived, counted in the server thread before it answers; read
 * after the run. */
struct seen {
    _Atomic int port;
    _Atomic unsigned get_a, head_b, post_p, close_hdr, xtest_ok;
    _Atomic size_t post_body;
    char post_type[64];
};

static int seen_cb(struct evhttp_request *req, void *arg)
{
    struct seen *s = arg;
    const char *uri = evhttp_request_get_uri(req);
    struct evkeyvalq *h = evhttp_request_get_input_headers(req);
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    const char *conn = evhttp_find_header(h, "Connection");
    char want[32];
    if (conn && strcasecmp(conn, "close") == 0)
        s->close_hdr++;
    if (cmd == EVHTTP_REQ_GET && strcmp(uri, "/a") == 0)
        s->get_a++;
    if (cmd == EVHTTP_REQ_HEAD && strcmp(uri, "/b?page=2") == 0) {
        const char *x = evhttp_find_header(h, "X-Test");
        snprintf(want, sizeof want, "mix-%d", s->port);
        s->head_b++;
        s->xtest_ok += x && strcmp(x, want) == 0;
    }
    if (cmd == EVHTTP_REQ_POST && strcmp(uri, "/p") == 0) {
        const char *ct = evhttp_find_header(h, "Content-Type");
        s->post_p++;
        s->post_body = evbuffer_get_length(evhttp_request_get_input_buffer(req));
        snprintf(s->post_type, sizeof s->post_type, "%s", ct ? ct : "");
    }
    return 0;
}

static struct srv *start(struct seen *seen)
{
    struct srv *s = srv_start_hook("127.0.0.1", seen_cb, seen);
    assert_non_null(s);
    seen->port = s->port;
    return s;
}

static int port_cb(size_t index, void *arg)
{
    (void)index;
    return ((struct srv *)arg)->port;
}

/* Runs test `i` of the suite's load block to the end. */
static struct loadgen_stats run_load(const struct suite *su, size_t i, double *wall)
{
    struct lc_error err = {0};
    struct loadgen *lg = loadcfg_new(&su->tests[i].load, &err);
    if (!lg)
        fail_msg("loadcfg_new: %s", err.msg);
    double t0 = lc_now();
    assert_int_equal(loadgen_start(lg, &err), 0);
    loadgen_join(lg);
    *wall = lc_now() - t0;
    struct loadgen_stats st;
    loadgen_snapshot(lg, &st, NULL);
    loadgen_free(lg);
    return st;
}

static void test_mix_stages_no_keepalive(void **state)
{
    (void)state;
    struct seen seen = {0};
    struct srv *s = start(&seen);
    struct lc_error err = {0};
    struct suite *su = suite_load(DATA "valid/mix.json", port_cb, s, &err);
    if (!su)
        fail_msg("%d:%d: %s", err.line, err.col, err.msg);
    double wall = 0;
    struct loadgen_stats st = run_load(su, 0, &wall);
    /* ramps 0 -> 400/s over 0.3 s, 400/s for 0.2 s, 400 -> 0/s over 0.1 s:
     * 60 + 80 + 20 = 160 requests, and the run ends with the last stage */
    assert_int_equal(st.requests, 160);
    assert_int_equal(st.errors, 0);
    assert_int_equal(s->requests, 160);
    if (wall < 0.5 || wall > 1.5)
        fail_msg("the stages last 0.6 s; the run took %.3f s", wall);
    /* weights 3:1:2 in smooth round-robin order a p a b p a: 26 full
     * rounds and then a p a b */
    assert_int_equal(seen.get_a, 80);
    assert_int_equal(seen.head_b, 27);
    assert_int_equal(seen.post_p, 53);
    assert_int_equal(seen.xtest_ok, 27);
    size_t len = 0;
    char *body = lc_read_file(DATA "valid/payloads/order.json", 4096, &len, NULL);
    assert_non_null(body);
    assert_int_equal(seen.post_body, len);
    assert_string_equal(seen.post_type, "application/json");
    free(body);
    /* disable_keepalive: every request asks to close its connection */
    assert_int_equal(seen.close_hdr, 160);
    suite_free(su);
    srv_stop(s);
}

static void test_single_request_keepalive(void **state)
{
    (void)state;
    struct seen seen = {0};
    struct srv *s = start(&seen);
    struct lc_error err = {0};
    struct suite *su = suite_load(DATA "valid/mix.json", port_cb, s, &err);
    assert_non_null(su);
    double wall = 0;
    struct loadgen_stats st = run_load(su, 1, &wall);
    assert_int_equal(st.requests, 10);
    assert_int_equal(st.status[200], 10);
    assert_int_equal(s->requests, 10);
    assert_int_equal(seen.close_hdr, 0);
    suite_free(su);
    srv_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mix_stages_no_keepalive),
        cmocka_unit_test(test_single_request_keepalive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
