/*
 * loadgen/conn.c: one connection's state machine.
 *
 * While a socket is open its read event stays registered (EV_PERSIST), so a
 * keep-alive request costs one send and one recv and no epoll_ctl; a write
 * event is armed only after a short write. Responses are parsed in the
 * worker's shared read buffer. A failed connect is counted at once; the
 * connection tries again at once while it has never been connected and
 * the run is bounded by a request count, and else backs off exponentially
 * (10 ms doubling to 1 s), so a dead server is neither spun on nor flooded.
 * Bytes go through lg_io_send/lg_io_recv: plain TCP, or TLS (tls.c) after
 * a handshake (LG_C_HANDSHAKE).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "loadgen/lg_int.h"

static void read_cb(evutil_socket_t fd, short what, void *arg);
static void write_cb(evutil_socket_t fd, short what, void *arg);
static void connect_cb(evutil_socket_t fd, short what, void *arg);
static void backoff_cb(evutil_socket_t fd, short what, void *arg);
static void handshake_cb(evutil_socket_t fd, short what, void *arg);

void lg_conn_init(struct lg_conn *c, struct lg_worker *w)
{
    memset(c, 0, sizeof *c);
    c->w = w;
    c->fd = -1;
    c->state = LG_C_IDLE;
    c->ev = event_new(w->base, -1, 0, read_cb, c);
    if (!c->ev)
        abort(); /* only fails when out of memory */
}

static void close_fd(struct lg_conn *c)
{
    if (c->fd < 0)
        return;
    event_del(c->ev);
    if (c->wev)
        event_del(c->wev);
    lg_tls_close(c);
    close(c->fd);
    c->fd = -1;
    c->served = 0;
    c->queued = 0; /* a flush must not write to a later socket */
}

void lg_conn_close(struct lg_conn *c)
{
    if (c->kind == LG_K_SLOT)
        lg_h2_slot_close(c);
    close_fd(c);
    if (c->tev)
        event_del(c->tev);
    c->state = LG_C_FINISHED;
}

void lg_conn_free(struct lg_conn *c)
{
    lg_conn_close(c);
    lg_tls_conn_free(c);
    if (c->ev)
        event_free(c->ev);
    if (c->wev)
        event_free(c->wev);
    if (c->tev)
        event_free(c->tev);
    c->ev = c->wev = c->tev = NULL;
}

/* Waits before the next request: backs off when `grow`, else only until
 * the next loop round (so that a failing connect never recurses). */
static void start_backoff(struct lg_conn *c, int grow)
{
    struct lg_worker *w = c->w;
    if (!c->tev) {
        c->tev = evtimer_new(w->base, backoff_cb, c);
        if (!c->tev)
            abort();
    }
    if (grow) {
        c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : LG_BACKOFF_MIN_MS;
        if (c->backoff_ms > LG_BACKOFF_MAX_MS)
            c->backoff_ms = LG_BACKOFF_MAX_MS;
    }
    uint32_t ms = grow ? c->backoff_ms : 0;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    c->state = LG_C_BACKOFF;
    evtimer_add(c->tev, &tv);
}

/* Counts a failed request with its message, drops the socket, moves on. */
void lg_conn_fail(struct lg_conn *c, enum loadgen_err kind, const char *msg)
{
    char full[LOADGEN_MSG_LEN];
    if (c->kind == LG_K_H2IO) {
        close_fd(c);
        lg_h2_io_failed(c, kind, msg);
        return;
    }
    snprintf(full, sizeof full, "%s: %s", c->req->what, msg);
    lg_count_error(c->w, kind, full);
    /* a refused connect, or a fresh connection dropped before any answer,
     * means the server is down or dying: wait before trying again, unless
     * the server was never reached and a request count bounds the run
     * (then every request fails at once, as hey's do) */
    int fresh = c->served == 0;
    close_fd(c);
    int dead = kind == LOADGEN_ERR_CONNECT || kind == LOADGEN_ERR_TLS ||
               (kind == LOADGEN_ERR_RESET && fresh);
    int wait = c->ever_connected || !c->w->lg->cfg.max_requests;
    /* (after the duration there is nothing to retry: the connection ends) */
    if (!c->w->stopping && dead) {
        start_backoff(c, wait);
        return;
    }
    c->state = LG_C_IDLE;
    lg_worker_conn_idle(c->w, c);
}

/* Fails with "OP tcp ADDR: CALL: the OS's words" (Go's wording). */
static void conn_fail_errno(struct lg_conn *c, enum loadgen_err kind, const char *op,
                            const char *call, int e)
{
    char msg[LOADGEN_MSG_LEN], eb[96];
    const char *s = strerror_r(e, eb, sizeof eb);
    snprintf(msg, sizeof msg, "%s tcp %s: %s: %c%s", op, c->w->lg->addr_text, call,
             s[0] >= 'A' && s[0] <= 'Z' ? s[0] - 'A' + 'a' : s[0], s[0] ? s + 1 : "");
    lg_conn_fail(c, kind, msg);
}

void lg_conn_complete(struct lg_conn *c, int reuse, uint64_t now)
{
    struct lg_worker *w = c->w;
    unsigned st = c->hp.status;
    hist_record(w->lat, now > c->t_start ? (now - c->t_start) / 1000 : 0);
    lg_record_phases(c, now);
    lg_inc(&w->c.status[st < 600 ? st : 599], 1);
    if ((st < 200 || st > 299) && !c->h2_judged) { /* gRPC: its status said what failed */
        lg_inc(&w->c.errors, 1);
        lg_inc(&w->c.by_kind[LOADGEN_ERR_STATUS], 1);
    }
    lg_inc(&w->c.requests, 1);
    c->served++;
    c->backoff_ms = 0;
    if (!reuse || !c->hp.keep_alive || w->lg->cfg.disable_keepalive)
        close_fd(c);
    c->state = LG_C_IDLE;
    lg_worker_conn_idle(w, c);
}

static void arm_write(struct lg_conn *c)
{
    if (!c->wev) {
        c->wev = event_new(c->w->base, c->fd, EV_WRITE, write_cb, c);
        if (!c->wev)
            abort();
    } else {
        event_assign(c->wev, c->w->base, c->fd, EV_WRITE, write_cb, c);
    }
    event_add(c->wev, NULL);
}

static void conn_write(struct lg_conn *c)
{
    const struct lg_req *r = c->req;
    ssize_t n = lg_io_send(c, r->bytes + c->woff, r->len - c->woff);
    if (n >= 0 && (size_t)n == r->len - c->woff) {
        c->t_wrote = lg_now_ns();
        c->state = LG_C_WAITING;
        return;
    }
    if (n >= 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        c->woff += n > 0 ? (size_t)n : 0;
        c->state = LG_C_SENDING;
        arm_write(c);
        return;
    }
    conn_fail_errno(c, LOADGEN_ERR_RESET, "write", "write", errno);
}

static void write_cb(evutil_socket_t fd, short what, void *arg)
{
    struct lg_conn *c = arg;
    (void)fd;
    (void)what;
    if (c->state == LG_C_SENDING)
        conn_write(c);
}

/* A reused connection ended or spoke out of turn while nothing of the next
 * request had left: the server closed an idle keep-alive connection (or
 * sent junk). No request was lost; send it again on a new connection. */
static int conn_drop_unsent(struct lg_conn *c)
{
    if (c->state == LG_C_IDLE) {
        close_fd(c);
        return 1;
    }
    if (c->state != LG_C_SENDING || c->woff != 0 || c->served == 0)
        return 0;
    close_fd(c);
    lg_conn_connect(c);
    return 1;
}

/* The connection ended (EOF, or error errno e when e != 0). */
static void conn_eof(struct lg_conn *c, int e)
{
    if (conn_drop_unsent(c))
        return;
    enum http_parse_status st = http_parse_eof(&c->hp);
    if (st == HTTP_PARSE_DONE && !e) {
        lg_conn_complete(c, 0, lg_now_ns());
        return;
    }
    if (st == HTTP_PARSE_DONE || c->hp.err == HTTP_PARSE_ERR_TRUNCATED)
        lg_conn_fail(c, LOADGEN_ERR_TRUNCATED, "unexpected EOF");
    else if (e)
        conn_fail_errno(c, LOADGEN_ERR_RESET, "read", "read", e);
    else
        lg_conn_fail(c, LOADGEN_ERR_RESET, "EOF");
}

static void read_cb(evutil_socket_t fd, short what, void *arg)
{
    struct lg_conn *c = arg;
    struct lg_worker *w = c->w;
    int more = 0;
    (void)fd;
    (void)what;
    ssize_t n = lg_io_recv(c, w->rbuf, LG_READ_BUF, &more);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        conn_eof(c, n < 0 ? errno : 0);
        return;
    }
    lg_inc(&w->c.bytes_read, (uint64_t)n);
    /* bytes nobody asked for (a second response to the last request, or
     * junk): the stream is out of step. The request waiting to go on this
     * connection fails, so that a server answering twice shows in the
     * errors; with none waiting (open model, idle) there is nothing to
     * charge and the connection is only dropped. */
    if (c->state == LG_C_IDLE) {
        conn_drop_unsent(c);
        return;
    }
    if (c->state == LG_C_SENDING && c->woff == 0 && c->served) {
        lg_conn_fail(c, LOADGEN_ERR_MALFORMED,
                     "unsolicited response received on idle HTTP channel");
        return;
    }
    uint64_t now = lg_now_ns();
    if (http_parse_idle(&c->hp))
        c->t_first = now;
    size_t used = 0;
    enum http_parse_status st = http_parse_feed(&c->hp, w->rbuf, (size_t)n, &used);
    if (st == HTTP_PARSE_DONE && used != (size_t)n && !c->req->head)
        /* more than one response to one request: not a success, and the
         * connection is out of step */
        lg_conn_fail(c, LOADGEN_ERR_MALFORMED, "more than one response to one request");
    else if (st == HTTP_PARSE_DONE)
        /* a reply before the whole request was written (a 413, say) is
         * an answer, and so is one to HEAD followed by the body HEAD
         * must not have (libevent's evhttp sends it), but the stream is
         * out of step then (as with bytes TLS still holds): not reused */
        lg_conn_complete(c, used == (size_t)n && !more && c->state == LG_C_WAITING, now);
    else if (st == HTTP_PARSE_ERROR) {
        char msg[LOADGEN_MSG_LEN];
        snprintf(msg, sizeof msg, "malformed HTTP response: %s", c->hp.why ? c->hp.why : "?");
        lg_conn_fail(c, LOADGEN_ERR_MALFORMED, msg);
    } else if (more)
        event_active(c->ev, EV_READ, 1); /* TLS holds the rest of the read */
}

/* TCP is up (and TLS when there is some): the request goes. */
static void conn_ready(struct lg_conn *c)
{
    uint64_t now = lg_now_ns();
    c->dial_ns = now - c->t_dial;
    c->t_ready = now;
    c->ever_connected = 1;
    if (c->kind == LG_K_H2IO) {
        lg_h2_ready(c);
        return;
    }
    event_assign(c->ev, c->w->base, c->fd, EV_READ | EV_PERSIST, read_cb, c);
    event_add(c->ev, NULL);
    c->state = LG_C_SENDING;
    conn_write(c);
}

static void conn_handshake(struct lg_conn *c)
{
    char why[LOADGEN_MSG_LEN];
    enum lg_io r = lg_tls_handshake(c, why, sizeof why);
    if (r == LG_IO_DONE) {
        conn_ready(c);
        return;
    }
    if (r == LG_IO_ERROR) {
        lg_conn_fail(c, LOADGEN_ERR_TLS, why);
        return;
    }
    short ev = r == LG_IO_WANT_READ ? EV_READ : EV_WRITE;
    event_assign(c->ev, c->w->base, c->fd, ev, handshake_cb, c);
    event_add(c->ev, NULL);
}

static void handshake_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    conn_handshake(arg);
}

static void conn_connected(struct lg_conn *c)
{
    if (!c->w->lg->ssl_ctx) {
        conn_ready(c);
        return;
    }
    c->state = LG_C_HANDSHAKE;
    if (lg_tls_start(c) != 0) {
        lg_conn_fail(c, LOADGEN_ERR_TLS, "tls: cannot start a session");
        return;
    }
    conn_handshake(c);
}

static void connect_cb(evutil_socket_t fd, short what, void *arg)
{
    struct lg_conn *c = arg;
    int soerr = 0;
    socklen_t len = sizeof soerr;
    (void)what;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0) {
        conn_fail_errno(c, LOADGEN_ERR_CONNECT, "dial", "connect", soerr ? soerr : errno);
        return;
    }
    conn_connected(c);
}

void lg_conn_connect(struct lg_conn *c)
{
    struct loadgen *lg = c->w->lg;
    c->state = LG_C_CONNECTING;
    c->t_dial = lg_now_ns();
    c->fd = socket(lg->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        /* out of descriptors: back off too */
        conn_fail_errno(c, LOADGEN_ERR_CONNECT, "dial", "socket", errno);
        return;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (const struct sockaddr *)&lg->addr, lg->addrlen) == 0) {
        conn_connected(c);
        return;
    }
    if (errno != EINPROGRESS) {
        conn_fail_errno(c, LOADGEN_ERR_CONNECT, "dial", "connect", errno);
        return;
    }
    event_assign(c->ev, c->w->base, c->fd, EV_WRITE, connect_cb, c);
    event_add(c->ev, NULL);
}

void lg_conn_next(struct lg_conn *c, uint64_t t_start)
{
    struct lg_worker *w = c->w;
    struct loadgen *lg = w->lg;
    if (c->kind == LG_K_SLOT) {
        c->req = &lg->reqs[lg->nmix == 1 ? 0 : lg->mix[w->mix_pos]];
        if (++w->mix_pos == lg->nmix)
            w->mix_pos = 0;
        c->t_sent = lg_now_ns();
        c->t_start = t_start ? t_start : c->t_sent;
        lg_h2_next(c);
        return;
    }
    c->req = &lg->reqs[lg->nmix == 1 ? 0 : lg->mix[w->mix_pos]];
    if (++w->mix_pos == lg->nmix)
        w->mix_pos = 0;
    http_parse_init(&c->hp, c->req->head);
    c->woff = 0;
    c->t_sent = lg_now_ns();
    c->t_start = t_start ? t_start : c->t_sent;
    c->t_ready = c->t_sent;
    if (c->fd < 0) {
        lg_conn_connect(c);
        return;
    }
    c->state = LG_C_SENDING;
    if (w->batch) {
        /* written after this round of callbacks, like wrk, so the server
         * gets requests in bursts */
        lg_conn_queue(c);
        return;
    }
    conn_write(c);
}

void lg_conn_queue(struct lg_conn *c)
{
    struct lg_worker *w = c->w;
    c->queued = 1;
    if (c->linked) /* still in the list from before a reconnect */
        return;
    c->linked = 1;
    c->next_pending = NULL;
    if (w->pending_tail)
        w->pending_tail->next_pending = c;
    else {
        w->pending = c;
        event_active(w->flush, EV_TIMEOUT, 0);
    }
    w->pending_tail = c;
}

void lg_conn_flush(struct lg_worker *w)
{
    struct lg_conn *c = w->pending;
    w->pending = w->pending_tail = NULL;
    while (c) {
        /* unlinked one at a time: a connection still ahead in this list
         * that is queued again meanwhile stays where it is */
        struct lg_conn *next = c->next_pending;
        c->linked = 0;
        int queued = c->queued;
        c->queued = 0;
        if (c->kind == LG_K_H2IO) {
            if (queued && c->fd >= 0)
                lg_h2_flush(c);
        } else if (queued && c->state == LG_C_SENDING && c->fd >= 0) {
            c->t_sent = c->t_ready = lg_now_ns();
            if (!w->lg->open)
                c->t_start = c->t_sent;
            conn_write(c);
        }
        c = next;
    }
}

static void backoff_cb(evutil_socket_t fd, short what, void *arg)
{
    struct lg_conn *c = arg;
    (void)fd;
    (void)what;
    c->state = LG_C_IDLE;
    lg_worker_conn_idle(c->w, c);
}

void lg_conn_check_timeout(struct lg_conn *c, uint64_t now)
{
    if (c->kind == LG_K_SLOT) {
        lg_h2_check_timeout(c, now);
        return;
    }
    if (c->state != LG_C_CONNECTING && c->state != LG_C_HANDSHAKE && c->state != LG_C_SENDING &&
        c->state != LG_C_WAITING)
        return;
    if (now - c->t_sent > c->w->lg->timeout_ns) {
        char msg[LOADGEN_MSG_LEN];
        snprintf(msg, sizeof msg, "timeout: no complete response within %gs",
                 (double)c->w->lg->timeout_ns / 1e9);
        lg_conn_fail(c, LOADGEN_ERR_TIMEOUT, msg);
    }
}
