/* tests/unit/lg_servers.c: see lg_servers.h. */
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

/* ---- evhttp server in a thread ---- */

static void conn_closed_cb(struct evhttp_connection *c, void *arg)
{
    struct srv *s = arg;
    for (size_t i = 0; i < s->nlive; i++)
        if (s->live[i] == c)
            s->live[i] = s->live[--s->nlive];
}

/* Counts connections: one not in the live set is new (pointers may be
 * reused after a close, hence the close callback). */
static void note_conn(struct srv *s, struct evhttp_request *req)
{
    struct evhttp_connection *c = evhttp_request_get_connection(req);
    for (size_t i = 0; i < s->nlive; i++)
        if (s->live[i] == c)
            return;
    if (s->nlive < MAXCONN)
        s->live[s->nlive++] = c;
    evhttp_connection_set_closecb(c, conn_closed_cb, s);
    atomic_fetch_add(&s->nconns, 1);
}

static void gen_cb(struct evhttp_request *req, void *arg)
{
    struct srv *s = arg;
    const char *uri = evhttp_request_get_uri(req);
    atomic_fetch_add(&s->requests, 1);
    note_conn(s, req);
    if (strcmp(uri, "/a") == 0)
        atomic_fetch_add(&s->path_a, 1);
    if (strcmp(uri, "/b") == 0)
        atomic_fetch_add(&s->path_b, 1);
    if (evhttp_request_get_command(req) == EVHTTP_REQ_POST) {
        struct evkeyvalq *h = evhttp_request_get_input_headers(req);
        const char *host = evhttp_find_header(h, "Host"), *x = evhttp_find_header(h, "X-Test");
        snprintf(s->host, sizeof s->host, "%s", host ? host : "");
        snprintf(s->xtest, sizeof s->xtest, "%s", x ? x : "");
        s->body_len = evbuffer_get_length(evhttp_request_get_input_buffer(req));
        atomic_fetch_add(&s->posts, 1);
    }
    if (s->hook && s->hook(req, s->hook_arg))
        return;
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, "ok\n", 3);
    evhttp_send_reply(req, strncmp(uri, "/status/503", 11) == 0 ? 503 : 200, "X", b);
    evbuffer_free(b);
}

static void poll_cb(evutil_socket_t fd, short what, void *arg)
{
    struct srv *s = arg;
    (void)fd;
    (void)what;
    if (atomic_load(&s->stop))
        event_base_loopbreak(s->base);
}

static void *srv_main(void *arg)
{
    struct srv *s = arg;
    event_base_dispatch(s->base);
    return NULL;
}

struct srv *srv_start(const char *addr)
{
    return srv_start_hook(addr, NULL, NULL);
}

struct srv *srv_start_hook(const char *addr, srv_hook_cb *hook, void *arg)
{
    struct srv *s = lc_calloc(1, sizeof *s);
    s->hook = hook;
    s->hook_arg = arg;
    s->base = event_base_new();
    s->http = evhttp_new(s->base);
    evhttp_set_gencb(s->http, gen_cb, s);
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD);
    struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(s->http, addr, 0);
    if (!bs) {
        evhttp_free(s->http);
        event_base_free(s->base);
        free(s);
        return NULL;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &sl);
    s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                             : ((struct sockaddr_in *)&ss)->sin_port);
    s->poll = event_new(s->base, -1, EV_PERSIST, poll_cb, s);
    struct timeval tv = {0, 10000};
    event_add(s->poll, &tv);
    pthread_create(&s->tid, NULL, srv_main, s);
    return s;
}

void srv_stop(struct srv *s)
{
    atomic_store(&s->stop, 1);
    pthread_join(s->tid, NULL);
    event_free(s->poll);
    evhttp_free(s->http);
    event_base_free(s->base);
    free(s);
}

/* ---- raw misbehaving server: one thread, one connection at a time ---- */

static void *raw_main(void *arg)
{
    struct raw *r = arg;
    while (!atomic_load(&r->stop)) {
        int fd = accept(r->lfd, NULL, NULL);
        if (fd < 0) {
            usleep(1000);
            continue;
        }
        char buf[4096];
        if (r->mode != RAW_CLOSE && read(fd, buf, sizeof buf) <= 0) {
            close(fd);
            continue;
        }
        if (r->mode == RAW_DOUBLE) {
            static const char two[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                                      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
            do
                (void)!write(fd, two, sizeof two - 1);
            while (read(fd, buf, sizeof buf) > 0);
            close(fd);
            continue;
        }
        const char *out = r->mode == RAW_TRUNCATE
                              ? "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten.."
                              : "garbage that is not http\r\n\r\n";
        if (r->mode == RAW_SLOW) { /* a good answer, 300 ms late */
            usleep(300000);
            out = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        }
        if (r->mode == RAW_TRUNCATE || r->mode == RAW_JUNK || r->mode == RAW_SLOW)
            (void)!write(fd, out, strlen(out));
        if (r->mode == RAW_SILENT && r->nheld < 64)
            r->held[r->nheld++] = fd; /* keep it open, answer nothing */
        else
            close(fd);
    }
    return NULL;
}

struct raw *raw_start(enum raw_mode mode)
{
    struct raw *r = lc_calloc(1, sizeof *r);
    r->mode = mode;
    r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(r->lfd, (struct sockaddr *)&sa, sl), 0);
    assert_int_equal(listen(r->lfd, 64), 0);
    getsockname(r->lfd, (struct sockaddr *)&sa, &sl);
    r->port = ntohs(sa.sin_port);
    pthread_create(&r->tid, NULL, raw_main, r);
    return r;
}

void raw_stop(struct raw *r)
{
    atomic_store(&r->stop, 1);
    pthread_join(r->tid, NULL);
    for (int i = 0; i < r->nheld; i++)
        close(r->held[i]);
    close(r->lfd);
    free(r);
}

/* ---- helpers ---- */
struct loadgen_stats run(struct loadgen_config *cfg, const char *url)
{
    struct loadgen_request req = {.url = url};
    if (!cfg->requests) {
        cfg->requests = &req;
        cfg->nrequests = 1;
    }
    struct lc_error err = {0};
    struct loadgen *lg = loadgen_new(cfg, &err);
    if (!lg)
        fail_msg("loadgen_new: %s", err.msg);
    assert_int_equal(loadgen_start(lg, &err), 0);
    loadgen_join(lg);
    assert_true(loadgen_done(lg));
    struct loadgen_stats st;
    loadgen_snapshot(lg, &st, NULL);
    loadgen_free(lg);
    if (cfg->requests == &req)
        cfg->requests = NULL;
    return st;
}

char *url_of(int port, const char *path)
{
    return lc_asprintf("http://127.0.0.1:%d%s", port, path);
}

double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}
