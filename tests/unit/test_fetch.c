/*
 * tests/unit/test_fetch.c: what fetch asks a source for. Compression
 * (Accept-Encoding) only where it saves something: never from a loopback
 * host, whose compressing would only cost the target CPU; a body
 * compressed anyway is still decoded. The evhttp server of
 * tests/unit/lg_servers.c logs the header of each request (its hook
 * answers). The test runs in a network namespace of its own when it can
 * (root), where a second address on lo stands for a remote host without
 * anything leaving the machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/fetch.h"
#include "tests/unit/lg_servers.h"
#include "tests/unit/tcp_helpers.h"

#define REMOTE "10.255.0.1"

static int private_netns;

static void test_loopback_hosts(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        int loopback;
    } cases[] = {
        {"http://127.0.0.1:8080/metrics", 1},
        {"http://127.1.2.3/", 1},
        {"http://127.1/", 1},        /* curl reads it as 127.0.0.1 */
        {"http://0x7f000001:9/", 1}, /* and this one too */
        {"https://user:pw@127.0.0.1/", 1},
        {"http://[::1]:9090/debug/pprof", 1},
        {"http://[::ffff:127.0.0.1]/", 1},
        {"http://0.0.0.0:80/", 1},
        {"http://[::]:80/", 1},
        {"http://localhost:80/", 1},
        {"http://LocalHost./", 1},
        {"http://api.localhost/", 1},
        {"http://128.0.0.1/", 0},
        {"http://10.0.0.1/", 0},
        {"http://[::ffff:10.0.0.1]/", 0},
        {"http://[::2]/", 0},
        {"http://localhost.example.com/", 0},
        {"http://127.0.0.1.example.com/", 0},
        {"http://notlocalhost/", 0},
        {"http://example.com/127.0.0.1", 0},
        {"http://example.com/?h=localhost", 0},
        {"not a url at all", 0},
        {"", 0},
        {"http://[::1/", 0},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++)
        if (fetch_url_is_loopback(cases[i].url) != cases[i].loopback)
            fail_msg("%s: want %d", cases[i].url, cases[i].loopback);
}

/* The server: "/plain" answers "hello from gzip\n" as it is, "/gz" the
 * same gzip-compressed whatever the request asked for. */
static const unsigned char gz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
                                   0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0x48, 0x2b,
                                   0xca, 0xcf, 0x55, 0x48, 0xaf, 0xca, 0x2c, 0xe0, 0x02,
                                   0x00, 0x78, 0x2d, 0xbd, 0x78, 0x10, 0x00, 0x00, 0x00};
#define TEXT "hello from gzip\n"

/* What the server saw: the Accept-Encoding of the last request, "-" when
 * there was none (written in the server's thread). */
struct seen {
    pthread_mutex_t mu;
    char encoding[256];
};

static int handle(struct evhttp_request *req, void *arg)
{
    struct seen *seen = arg;
    const char *ae = evhttp_find_header(evhttp_request_get_input_headers(req), "Accept-Encoding");
    pthread_mutex_lock(&seen->mu);
    snprintf(seen->encoding, sizeof(seen->encoding), "%s", ae ? ae : "-");
    pthread_mutex_unlock(&seen->mu);
    struct evbuffer *b = evbuffer_new();
    if (strcmp(evhttp_request_get_uri(req), "/gz") == 0) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Encoding", "gzip");
        evbuffer_add(b, gz, sizeof(gz));
    } else {
        evbuffer_add(b, TEXT, strlen(TEXT));
    }
    evhttp_send_reply(req, 200, "OK", b);
    evbuffer_free(b);
    return 1;
}

static struct seen seen = {PTHREAD_MUTEX_INITIALIZER, ""};

struct got {
    int done, ok;
    long status;
    char body[256];
    char error[256];
};

static void got_cb(const struct fetch_result *r, void *arg)
{
    struct got *g = arg;
    g->done = 1;
    g->ok = r->ok;
    g->status = r->status;
    snprintf(g->body, sizeof(g->body), "%.*s", (int)r->len, r->body ? r->body : "");
    snprintf(g->error, sizeof(g->error), "%s", r->error ? r->error : "");
}

/* GETs url; returns the Accept-Encoding the server saw. */
static void get(const char *url, struct got *g, char *encoding, size_t len)
{
    struct event_base *base = event_base_new();
    struct lc_error err = {0};
    struct fetch *f = fetch_new(base, &err);
    assert_non_null(f);
    memset(g, 0, sizeof(*g));
    pthread_mutex_lock(&seen.mu);
    snprintf(seen.encoding, sizeof(seen.encoding), "(no request)");
    pthread_mutex_unlock(&seen.mu);
    assert_int_equal(fetch_get(f, url, 5, 1 << 20, NULL, got_cb, g), 0);
    while (!g->done)
        event_base_loop(base, EVLOOP_ONCE);
    if (!g->ok)
        fail_msg("%s: %s", url, g->error);
    pthread_mutex_lock(&seen.mu);
    snprintf(encoding, len, "%s", seen.encoding);
    pthread_mutex_unlock(&seen.mu);
    fetch_free(f);
    event_base_free(base);
}

static void check(struct srv *s, const char *host, int compress)
{
    char url[128], enc[256];
    struct got g;
    for (int gzipped = 0; gzipped < 2; gzipped++) {
        snprintf(url, sizeof(url), "http://%s:%d/%s", host, s->port, gzipped ? "gz" : "plain");
        get(url, &g, enc, sizeof(enc));
        assert_int_equal(g.status, 200);
        assert_string_equal(g.body, TEXT); /* decoded when the server compressed */
        if (compress && !strstr(enc, "gzip"))
            fail_msg("%s: Accept-Encoding \"%s\", want gzip among them", url, enc);
        if (!compress && strcmp(enc, "identity") != 0)
            fail_msg("%s: Accept-Encoding \"%s\", want identity", url, enc);
    }
}

static void test_no_compression_on_loopback(void **state)
{
    (void)state;
    struct srv *s = srv_start_hook("127.0.0.1", handle, &seen);
    assert_non_null(s);
    check(s, "127.0.0.1", 0);
    check(s, "localhost", 0);
    srv_stop(s);
    if ((s = srv_start_hook("::1", handle, &seen)) != NULL) {
        check(s, "[::1]", 0);
        srv_stop(s);
    }
}

static void test_compression_elsewhere(void **state)
{
    (void)state;
    if (!private_netns || add_lo_address(REMOTE) != 0) {
        print_message("no network namespace of our own for a second address: skipped\n");
        skip();
    }
    struct srv *s = srv_start_hook(REMOTE, handle, &seen);
    assert_non_null(s);
    check(s, REMOTE, 1);
    srv_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loopback_hosts),
        cmocka_unit_test(test_no_compression_on_loopback),
        cmocka_unit_test(test_compression_elsewhere),
    };
    fetch_global_init();
    private_netns = enter_private_netns();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
