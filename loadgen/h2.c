/*
 * loadgen/h2.c: the HTTP/2 sessions of a worker (nghttp2 client).
 *
 * A session connects when one of its slots has a request (conn.c does the
 * connect and TLS; with TLS the server must pick h2 by ALPN, or each
 * connection fails with a tls error saying what it picked); then the
 * waiting slots' requests are submitted as streams. Output is gathered
 * from nghttp2_session_mem_send and written at the end of the loop round
 * (many streams' frames in one write); input goes to
 * nghttp2_session_mem_recv, which answers SETTINGS and PING and sends
 * WINDOW_UPDATEs as DATA is consumed. After a GOAWAY the streams below
 * its last-stream-id finish, those above come back refused and wait, with
 * new requests, for the session to end; then it reconnects for them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "loadgen/h2_int.h"

static void read_cb(evutil_socket_t fd, short what, void *arg);
static void write_cb(evutil_socket_t fd, short what, void *arg);

void lg_h2s_want_flush(struct lg_h2s *s)
{
    if (s->io.fd >= 0)
        lg_conn_queue(&s->io);
}

/* Without TLS (h2c with prior knowledge) nothing tells a client that the
 * server speaks HTTP/2 before it answers the preface: say what an HTTP/1
 * server's answer means. */
#define H2C_HINT "it does not speak HTTP/2 without TLS (h2c, prior knowledge) on this port"
static const char h2c_http1[] = "http2: the server answered in HTTP/1: " H2C_HINT;
static const char h2c_silent[] =
    "http2: the connection ended before the server sent a frame: " H2C_HINT
    " (or it closed new connections at once)?";

/* 1 when s is a cleartext session that never got a frame: then its end by
 * EOF or by bytes that are no frame means the hint above (a reset or a
 * broken pipe is said as it is: a target that died resets its queue). */
static int h2c_unheard(const struct lg_h2s *s)
{
    return !s->heard && !s->io.ssl;
}

/* Tears the session down; streams in flight fail with kind and msg
 * (kind < 0: the connection ended cleanly with none in flight). */
static void session_end(struct lg_h2s *s, int kind, const char *msg)
{
    s->dying = 1;
    if (s->ng)
        nghttp2_session_del(s->ng);
    s->ng = NULL;
    lg_conn_close(&s->io);
    s->io.state = LG_C_IDLE;
    s->up = s->goaway = s->heard = 0;
    s->active = 0;
    s->out_len = s->out_off = 0;
    s->dying = 0;
    /* the slots are told after the session is gone: their next requests
     * wait for the reconnect below */
    for (unsigned i = 0; i < s->nslots; i++) {
        struct lg_conn *c = &s->slots[i];
        if (c->stream) {
            c->stream = 0;
            lg_h2_slot_lost(c, kind < 0 ? LOADGEN_ERR_RESET : (enum loadgen_err)kind,
                            msg ? msg : "EOF");
        }
    }
    if (s->wait && !s->io.w->stopping)
        lg_h2s_kick(s);
}

/* Fails the session with "read tcp ADDR: ..." or a protocol error. */
static void session_fail(struct lg_h2s *s, enum loadgen_err kind, const char *what)
{
    char msg[LOADGEN_MSG_LEN];
    if (kind == LOADGEN_ERR_PROTOCOL)
        snprintf(msg, sizeof msg, "http2: %s", what);
    else
        snprintf(msg, sizeof msg, "read tcp %s: %s", s->io.w->lg->addr_text, what);
    session_end(s, (int)kind, msg);
}

/* After I/O: a session with nothing more to do ends (GOAWAY and its last
 * stream closed, or nghttp2 wants neither to read nor to write). */
static void after_io(struct lg_h2s *s)
{
    if (!s->ng)
        return;
    if ((s->goaway && !s->active) ||
        (!nghttp2_session_want_read(s->ng) && !nghttp2_session_want_write(s->ng) &&
         s->out_off == s->out_len))
        session_end(s, h2c_unheard(s) ? LOADGEN_ERR_PROTOCOL : -1,
                    h2c_unheard(s) ? h2c_silent : NULL);
}

static void arm_write(struct lg_h2s *s)
{
    struct lg_conn *io = &s->io;
    if (!io->wev) {
        io->wev = event_new(io->w->base, io->fd, EV_WRITE, write_cb, s);
        if (!io->wev)
            abort();
    } else {
        event_assign(io->wev, io->w->base, io->fd, EV_WRITE, write_cb, s);
    }
    event_add(io->wev, NULL);
}

/* Writes what nghttp2 has; returns 0, or -1 when the session ended. */
static int session_send(struct lg_h2s *s)
{
    for (;;) {
        while (s->ng && s->out_len < LG_H2_OUT_MAX) {
            const uint8_t *data;
            ssize_t n = nghttp2_session_mem_send(s->ng, &data);
            if (n < 0) {
                session_fail(s, LOADGEN_ERR_PROTOCOL, nghttp2_strerror((int)n));
                return -1;
            }
            if (n == 0)
                break;
            if (!s->out)
                s->out = lc_malloc(LG_H2_OUT_MAX + 16384 + 64);
            if (s->out_len + (size_t)n > LG_H2_OUT_MAX + 16384 + 64) {
                s->out = lc_realloc(s->out, s->out_len + (size_t)n);
            }
            memcpy(s->out + s->out_len, data, (size_t)n);
            s->out_len += (size_t)n;
        }
        if (s->out_off == s->out_len)
            return 0;
        ssize_t w = lg_io_send(&s->io, (const char *)s->out + s->out_off, s->out_len - s->out_off);
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            char eb[96];
            session_fail(s, LOADGEN_ERR_RESET, strerror_r(errno, eb, sizeof eb));
            return -1;
        }
        s->out_off += w > 0 ? (size_t)w : 0;
        if (s->out_off < s->out_len) {
            arm_write(s);
            return 0;
        }
        s->out_off = s->out_len = 0;
    }
}

void lg_h2_flush(struct lg_conn *io)
{
    struct lg_h2s *s = io->h2;
    if (session_send(s) == 0)
        after_io(s);
}

static void write_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct lg_h2s *s = arg;
    if (s->ng && session_send(s) == 0)
        after_io(s);
}

static void read_cb(evutil_socket_t fd, short what, void *arg)
{
    struct lg_h2s *s = arg;
    struct lg_worker *w = s->io.w;
    int more = 0;
    (void)fd, (void)what;
    ssize_t n = lg_io_recv(&s->io, w->rbuf, LG_READ_BUF, &more);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        char eb[96];
        if (n < 0)
            session_fail(s, LOADGEN_ERR_RESET, strerror_r(errno, eb, sizeof eb));
        else if (h2c_unheard(s))
            session_end(s, LOADGEN_ERR_PROTOCOL, h2c_silent);
        else
            session_end(s, s->active ? LOADGEN_ERR_RESET : -1, "unexpected EOF");
        return;
    }
    lg_inc(&w->c.bytes_read, (uint64_t)n);
    /* an HTTP/1 server answers the preface with a status line */
    if (h2c_unheard(s) && n >= 5 && memcmp(w->rbuf, "HTTP/", 5) == 0) {
        session_end(s, LOADGEN_ERR_PROTOCOL, h2c_http1);
        return;
    }
    ssize_t rv = nghttp2_session_mem_recv(s->ng, (const uint8_t *)w->rbuf, (size_t)n);
    if (rv < 0 && h2c_unheard(s)) {
        session_end(s, LOADGEN_ERR_PROTOCOL, h2c_silent);
        return;
    }
    if (rv < 0) {
        session_fail(s, LOADGEN_ERR_PROTOCOL, nghttp2_strerror((int)rv));
        return;
    }
    if (more)
        event_active(s->io.ev, EV_READ, 1); /* TLS holds the rest */
    if (!s->ng)
        return;
    lg_h2s_want_flush(s); /* acks, WINDOW_UPDATEs, new streams */
    after_io(s);
}

static int stream_close_cb(nghttp2_session *ng, int32_t id, uint32_t code, void *arg)
{
    struct lg_h2s *s = arg;
    if (s->dying)
        return 0;
    if (s->active)
        s->active--;
    struct lg_conn *c = nghttp2_session_get_stream_user_data(ng, id);
    if (c && c->stream == id)
        lg_h2_stream_closed(s, c, code);
    return 0;
}

/* Checks ALPN, makes the nghttp2 session, sends the preface and settings. */
void lg_h2_ready(struct lg_conn *io)
{
    struct lg_h2s *s = io->h2;
    const unsigned char *p = NULL;
    unsigned len = 0;
    if (io->ssl) {
        SSL_get0_alpn_selected(io->ssl, &p, &len);
        if (len != 2 || memcmp(p, "h2", 2) != 0) {
            char msg[LOADGEN_MSG_LEN];
            snprintf(msg, sizeof msg, "tls: the server does not speak HTTP/2 (ALPN chose %.*s)",
                     len ? (int)len : 4, len ? (const char *)p : "none");
            io->ever_connected = io->served > 0; /* fails at once, as a TLS error */
            lg_conn_fail(io, LOADGEN_ERR_TLS, msg);
            return;
        }
    }
    nghttp2_session_callbacks *cb;
    if (nghttp2_session_callbacks_new(&cb) != 0)
        abort();
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, stream_close_cb);
    lg_h2_callbacks(cb);
    int rc = nghttp2_session_client_new(&s->ng, cb, s);
    nghttp2_session_callbacks_del(cb);
    if (rc != 0)
        abort(); /* only fails when out of memory */
    nghttp2_settings_entry set[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                    {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, LG_H2_STREAM_WINDOW}};
    nghttp2_submit_settings(s->ng, NGHTTP2_FLAG_NONE, set, 2);
    nghttp2_session_set_local_window_size(s->ng, NGHTTP2_FLAG_NONE, 0, LG_H2_CONN_WINDOW);
    event_assign(io->ev, io->w->base, io->fd, EV_READ | EV_PERSIST, read_cb, s);
    event_add(io->ev, NULL);
    io->state = LG_C_WAITING;
    s->up = 1;
    s->dial_ns = io->dial_ns;
    lg_h2s_kick(s);
}

void lg_h2_io_failed(struct lg_conn *io, enum loadgen_err kind, const char *msg)
{
    struct lg_h2s *s = io->h2;
    struct lg_conn *c = s->wait;
    s->wait = s->wait_tail = NULL;
    io->state = LG_C_IDLE;
    while (c) {
        struct lg_conn *next = c->next_wait;
        c->next_wait = NULL;
        c->served = io->served;
        c->ever_connected = io->ever_connected;
        lg_h2_slot_lost(c, kind, msg);
        c = next;
    }
}

void lg_h2s_kick(struct lg_h2s *s)
{
    if (!s->up) {
        if (s->io.fd < 0 && s->wait) {
            s->io.req = s->wait->req;
            lg_conn_connect(&s->io);
        }
        return;
    }
    while (s->wait && !s->goaway) {
        struct lg_conn *c = s->wait;
        s->wait = c->next_wait;
        if (!s->wait)
            s->wait_tail = NULL;
        c->next_wait = NULL;
        lg_h2_submit(s, c);
    }
    lg_h2s_want_flush(s);
}

void lg_h2_setup(struct lg_worker *w, unsigned nsess, unsigned streams)
{
    w->h2s = lc_calloc(nsess, sizeof *w->h2s);
    w->nh2s = nsess;
    for (unsigned i = 0; i < nsess; i++) {
        struct lg_h2s *s = &w->h2s[i];
        lg_conn_init(&s->io, w);
        s->io.kind = LG_K_H2IO;
        s->io.h2 = s;
        s->slots = &w->conns[i * streams];
        s->nslots = streams;
        for (unsigned j = 0; j < streams; j++) {
            s->slots[j].kind = LG_K_SLOT;
            s->slots[j].h2 = s;
            if (w->lg->cfg.h2_hooks && w->lg->cfg.h2_hooks->ctx_size)
                s->slots[j].h2ctx = lc_calloc(1, w->lg->cfg.h2_hooks->ctx_size);
        }
    }
}

void lg_h2_close_all(struct lg_worker *w)
{
    for (unsigned i = 0; i < w->nh2s; i++) {
        struct lg_h2s *s = &w->h2s[i];
        s->wait = s->wait_tail = NULL;
        s->dying = 1;
        if (s->ng)
            nghttp2_session_del(s->ng);
        s->ng = NULL;
        s->up = s->heard = 0;
        lg_conn_close(&s->io);
        s->dying = 0;
    }
}

void lg_h2_free(struct lg_worker *w)
{
    lg_h2_close_all(w);
    for (unsigned i = 0; i < w->nh2s; i++) {
        lg_conn_free(&w->h2s[i].io);
        free(w->h2s[i].out);
        for (unsigned j = 0; j < w->h2s[i].nslots; j++)
            free(w->h2s[i].slots[j].h2ctx);
    }
    free(w->h2s);
    w->h2s = NULL;
    w->nh2s = 0;
}
