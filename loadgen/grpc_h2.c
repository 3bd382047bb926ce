/*
 * loadgen/grpc_h2.c: the HTTP/2 client under gRPC calls, a minimal one on
 * nghttp2: prior-knowledge h2c, one call (stream) at a time per
 * connection, so that the connection's state machine (conn.c) runs it as
 * it runs an HTTP/1.1 request: the call's frames are written through
 * lg_io_send, what arrives is fed to the session, and the stream's close
 * ends the call. nghttp2 does flow control (WINDOW_UPDATEs as DATA is
 * read), SETTINGS, PING and GOAWAY. Stopgap until the HTTP/2 engine of
 * branch h2 can carry the calls; only the hooks in conn.c know of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loadgen/grpc.h"
#include "loadgen/grpc_int.h"

#define H2_OUT_MAX (256 * 1024) /* session bytes gathered before a send */

struct lg_h2 {
    nghttp2_session *s;
    struct grpc_resp resp;
    const struct lg_grpc_call *call;
    size_t body_off;     /* request message bytes handed to nghttp2 */
    int32_t stream;      /* the call's stream, 0 when none */
    uint32_t reset_code; /* the stream's RST_STREAM or GOAWAY code */
    int closed;          /* the stream has closed */
    uint8_t *out;        /* bytes from the session not yet sent */
    size_t out_len, out_off;
};

static ssize_t body_read_cb(nghttp2_session *s, int32_t stream, uint8_t *buf, size_t len,
                            uint32_t *flags, nghttp2_data_source *src, void *arg)
{
    struct lg_h2 *h = arg;
    (void)s, (void)stream, (void)src;
    size_t left = h->call->body_len - h->body_off;
    size_t n = left < len ? left : len;
    memcpy(buf, h->call->body + h->body_off, n);
    h->body_off += n;
    if (h->body_off == h->call->body_len)
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

static int header_cb(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t nlen,
                     const uint8_t *value, size_t vlen, uint8_t flags, void *arg)
{
    struct lg_h2 *h = arg;
    (void)s, (void)flags;
    if (f->hd.type != NGHTTP2_HEADERS || f->hd.stream_id != h->stream)
        return 0;
    /* a second HEADERS on the stream is its trailers */
    int trailer = f->headers.cat == NGHTTP2_HCAT_HEADERS;
    grpc_resp_field(&h->resp, trailer, (const char *)name, nlen, (const char *)value, vlen);
    return 0;
}

static int data_cb(nghttp2_session *s, uint8_t flags, int32_t stream, const uint8_t *data,
                   size_t len, void *arg)
{
    struct lg_h2 *h = arg;
    (void)s, (void)flags;
    if (stream == h->stream)
        grpc_resp_data(&h->resp, data, len);
    return 0;
}

static int close_cb(nghttp2_session *s, int32_t stream, uint32_t code, void *arg)
{
    struct lg_h2 *h = arg;
    (void)s;
    if (stream == h->stream) {
        h->closed = 1;
        h->reset_code = code;
    }
    return 0;
}

int lg_h2_open(struct lg_conn *c)
{
    nghttp2_session_callbacks *cb = NULL;
    struct lg_h2 *h = lc_calloc(1, sizeof *h);
    if (nghttp2_session_callbacks_new(&cb) != 0)
        abort();
    nghttp2_session_callbacks_set_on_header_callback(cb, header_cb);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, data_cb);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, close_cb);
    int rc = nghttp2_session_client_new(&h->s, cb, h);
    nghttp2_session_callbacks_del(cb);
    if (rc != 0) {
        free(h);
        return -1;
    }
    /* the client preface's SETTINGS; a window that lets big answers flow */
    nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 1},
                                   {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20}};
    nghttp2_submit_settings(h->s, NGHTTP2_FLAG_NONE, iv, 2);
    nghttp2_session_set_local_window_size(h->s, NGHTTP2_FLAG_NONE, 0, 4 << 20);
    c->h2 = h;
    return 0;
}

void lg_h2_close(struct lg_conn *c)
{
    if (!c->h2)
        return;
    nghttp2_session_del(c->h2->s);
    free(c->h2->out);
    free(c->h2);
    c->h2 = NULL;
}

int lg_h2_submit(struct lg_conn *c)
{
    struct lg_h2 *h = c->h2;
    struct loadgen *lg = c->w->lg;
    h->call = &lg->calls[c->req - lg->reqs];
    h->body_off = 0;
    h->closed = 0;
    h->reset_code = 0;
    grpc_resp_init(&h->resp);
    nghttp2_data_provider dp = {.read_callback = body_read_cb};
    h->stream = nghttp2_submit_request(h->s, NULL, h->call->nva, h->call->nnva, &dp, h);
    return h->stream > 0 ? 0 : -1;
}

int lg_h2_flush(struct lg_conn *c)
{
    struct lg_h2 *h = c->h2;
    for (;;) {
        if (h->out_off == h->out_len) {
            const uint8_t *p = NULL;
            h->out_off = h->out_len = 0;
            ssize_t n;
            while (h->out_len < H2_OUT_MAX && (n = nghttp2_session_mem_send(h->s, &p)) > 0) {
                h->out = lc_realloc(h->out, h->out_len + (size_t)n);
                memcpy(h->out + h->out_len, p, (size_t)n);
                h->out_len += (size_t)n;
            }
            if (h->out_len == 0)
                return 0; /* nothing more to say */
        }
        ssize_t n = lg_io_send(c, (const char *)h->out + h->out_off, h->out_len - h->out_off);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 1 : -1;
        h->out_off += (size_t)n;
        if (h->out_off < h->out_len)
            return 1;
    }
}

int lg_h2_sent(const struct lg_conn *c)
{
    const struct lg_h2 *h = c->h2;
    return h->call && h->body_off == h->call->body_len && h->out_off == h->out_len;
}

int lg_h2_recv(struct lg_conn *c, const char *data, size_t len, char *why, size_t whylen)
{
    struct lg_h2 *h = c->h2;
    ssize_t rc = nghttp2_session_mem_recv(h->s, (const uint8_t *)data, len);
    if (rc < 0) {
        snprintf(why, whylen, "http2: %s", nghttp2_strerror((int)rc));
        return -1;
    }
    return h->closed;
}

int lg_h2_finish(struct lg_conn *c, enum loadgen_err *kind, char *why, size_t whylen)
{
    struct lg_h2 *h = c->h2;
    h->stream = 0;
    h->call = NULL;
    if (h->reset_code != NGHTTP2_NO_ERROR) {
        *kind = LOADGEN_ERR_RST;
        snprintf(why, whylen, "http2: stream reset: %s", nghttp2_http2_strerror(h->reset_code));
        return 0;
    }
    c->hp.status =
        (uint16_t)(h->resp.http_status > 0 && h->resp.http_status < 600 ? h->resp.http_status : 0);
    c->hp.body_bytes = h->resp.msg_bytes + GRPC_PREFIX * h->resp.frames;
    /* after a GOAWAY the session wants nothing more: a new connection */
    c->hp.keep_alive = nghttp2_session_want_read(h->s) != 0;
    return lg_grpc_end(c->w, &h->resp, kind, why, whylen);
}

int lg_h2_status(const struct lg_conn *c)
{
    int s = c->h2->resp.status;
    return s >= 0 && s < LOADGEN_GRPC_CODES ? s : 2;
}
