/*
 * tests/fuzz/fuzz_h2.c: the HTTP/2 client's response side on arbitrary
 * bytes, read as what a server sends on one h2c connection: a worker of a
 * real engine (-h2, 3 streams, a budget of 3 requests) with one session
 * whose transport is a socketpair. The three requests are submitted, the
 * input is written to the other end and the worker's event loop runs the
 * engine's own read path (nghttp2_session_mem_recv with leakcheck's
 * callbacks: headers, :status, DATA, END_STREAM, RST_STREAM, GOAWAY,
 * connection errors) and gRPC-style hooks. Checks: every request is
 * counted at most once, the error kinds add up to the errors, on_end runs
 * exactly once per request (complete or not) and its complete ones are
 * the responses counted; ASan sees the teardown.
 */
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "loadgen/h2_int.h"
#include "tests/fuzz/fuzz.h"

#define STREAMS 3

/* The gRPC hooks' contract (loadgen.h): on_end exactly once per request,
 * headers and DATA only between its start and its end. */
struct hook_ctx {
    int seen; /* headers or data since the last end */
};
static unsigned ends, completes;

static void on_header(void *arg, void *ctx, int trailer, const char *name, size_t nlen,
                      const char *value, size_t vlen)
{
    (void)arg, (void)trailer, (void)name, (void)value;
    FUZZ_CHECK(nlen < (1u << 20) && vlen < (1u << 20));
    ((struct hook_ctx *)ctx)->seen = 1;
}

static void on_data(void *arg, void *ctx, const uint8_t *data, size_t len)
{
    (void)arg, (void)data, (void)len;
    ((struct hook_ctx *)ctx)->seen = 1;
}

static int on_end(void *arg, void *ctx, const struct loadgen_h2_end *end, char *msg, size_t len)
{
    (void)arg, (void)ctx;
    ends++;
    completes += end->complete;
    FUZZ_CHECK(!end->complete || end->status);
    snprintf(msg, len, "odd status");
    return end->complete && end->status == 299; /* a hook failure now and then */
}

static const struct loadgen_h2_hooks hooks = {sizeof(struct hook_ctx), on_header, on_data, on_end};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 60000)
        return 0; /* one socketpair buffer */
    struct loadgen_request req = {.url = "http://127.0.0.1:9/x"};
    struct loadgen_config cfg = {.requests = &req,
                                 .nrequests = 1,
                                 .concurrency = 1,
                                 .threads = 1,
                                 .max_requests = STREAMS,
                                 .h2 = 1,
                                 .streams = STREAMS,
                                 .h2_hooks = &hooks};
    struct lc_error err = {0};
    struct loadgen *lg = loadgen_new(&cfg, &err);
    FUZZ_CHECK(lg != NULL);
    struct lg_worker w = {0};
    ends = completes = 0;
    int sv[2];
    FUZZ_CHECK(lg_worker_setup(&w, lg, 0, 1, &err) == 0);
    FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
    struct lg_h2s *s = &w.h2s[0];
    s->io.fd = sv[0];
    lg_h2_ready(&s->io);
    w.active = w.nconns;
    for (unsigned i = 0; i < w.nconns; i++)
        lg_worker_conn_idle(&w, &w.conns[i]);
    lg_conn_flush(&w);
    w.stopping = 1; /* no reconnect, no new request after these */
    FUZZ_CHECK(write(sv[1], data, size) == (ssize_t)size);
    shutdown(sv[1], SHUT_WR);
    for (int i = 0; i < 8; i++)
        event_base_loop(w.base, EVLOOP_NONBLOCK);
    uint64_t n = lg_get(&w.c.requests), e = lg_get(&w.c.errors), kinds = 0;
    for (int k = 0; k < LOADGEN_ERR__COUNT; k++)
        kinds += lg_get(&w.c.by_kind[k]);
    FUZZ_CHECK(n <= STREAMS);
    FUZZ_CHECK(kinds == e && e <= n);
    /* complete responses: the successes, non-2xx statuses, hook failures */
    uint64_t answered =
        n - e + lg_get(&w.c.by_kind[LOADGEN_ERR_STATUS]) + lg_get(&w.c.by_kind[LOADGEN_ERR_HOOK]);
    for (unsigned i = 0; i < w.nconns; i++)
        lg_conn_close(&w.conns[i]);
    lg_h2_close_all(&w);
    lg_worker_free(&w);
    FUZZ_CHECK(ends == STREAMS);
    FUZZ_CHECK(completes == answered);
    close(sv[1]);
    loadgen_free(lg);
    return 0;
}
