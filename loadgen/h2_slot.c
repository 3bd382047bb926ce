/*
 * loadgen/h2_slot.c: the stream slots of HTTP/2 sessions: a request
 * becomes a stream, its response's headers, DATA and trailers are counted
 * (and shown to the optional hooks, for gRPC), and the stream's end is
 * counted as HTTP/1.1 responses are (conn.c's lg_conn_complete and
 * lg_conn_fail). A stream the server resets is an error of kind
 * rst_stream, except a refused one that got no answer (REFUSED_STREAM,
 * or above a GOAWAY's last-stream-id): nothing was processed, so the
 * request waits for the next connection instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loadgen/h2_int.h"

/* Tells the hooks the stream ended; returns on_end's verdict on a complete
 * response (LOADGEN_H2_BY_STATUS when there is none to give). */
static int hook_end(struct lg_conn *c, int complete, uint64_t now, char *msg, size_t len)
{
    const struct loadgen_h2_hooks *h = c->w->lg->cfg.h2_hooks;
    if (!h || !h->on_end)
        return LOADGEN_H2_BY_STATUS;
    struct loadgen_h2_end e = {
        .worker = c->w->id,
        .complete = complete,
        .status = c->hp.status,
        .rst_code = c->h2_rst,
        .body_len = c->hp.body_bytes,
        .latency_s = (double)(now > c->t_start ? now - c->t_start : 0) / 1e9,
    };
    int v = h->on_end(c->w->lg->cfg.h2_arg, c->h2ctx, &e, msg, len);
    return complete ? v : LOADGEN_H2_BY_STATUS;
}

void lg_h2_slot_lost(struct lg_conn *c, enum loadgen_err kind, const char *msg)
{
    char none[1];
    hook_end(c, 0, lg_now_ns(), none, sizeof none);
    lg_conn_fail(c, kind, msg);
}

void lg_h2_wait(struct lg_h2s *s, struct lg_conn *c)
{
    c->state = LG_C_CONNECTING;
    c->next_wait = NULL;
    if (s->wait_tail)
        s->wait_tail->next_wait = c;
    else
        s->wait = c;
    s->wait_tail = c;
}

static void unwait(struct lg_h2s *s, struct lg_conn *c)
{
    struct lg_conn **p = &s->wait, *prev = NULL;
    while (*p && *p != c) {
        prev = *p;
        p = &(*p)->next_wait;
    }
    if (!*p)
        return;
    *p = c->next_wait;
    if (s->wait_tail == c)
        s->wait_tail = prev;
    c->next_wait = NULL;
}

static ssize_t body_cb(nghttp2_session *ng, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
                       nghttp2_data_source *src, void *arg)
{
    struct lg_conn *c = src->ptr;
    (void)ng, (void)id, (void)arg;
    const struct lg_h2_req *q = c->req->h2;
    size_t n = q->body_len - c->woff < len ? q->body_len - c->woff : len;
    memcpy(buf, q->body + c->woff, n);
    c->woff += n;
    if (c->woff == q->body_len)
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

void lg_h2_submit(struct lg_h2s *s, struct lg_conn *c)
{
    const struct lg_h2_req *q = c->req->h2;
    nghttp2_data_provider prd = {.source.ptr = c, .read_callback = body_cb};
    c->woff = 0;
    int32_t id = nghttp2_submit_request(s->ng, NULL, q->nva, q->nnva, q->body ? &prd : NULL, c);
    if (id == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE) {
        s->goaway = 1; /* 2^31 streams spent: a new connection */
        lg_h2_wait(s, c);
        return;
    }
    if (id < 0) {
        lg_h2_slot_lost(c, LOADGEN_ERR_PROTOCOL, nghttp2_strerror(id));
        return;
    }
    c->stream = id;
    s->active++;
    c->state = LG_C_SENDING;
    c->t_ready = lg_now_ns();
    c->dial_ns = s->dial_ns; /* the first response after a connect shows it */
    s->dial_ns = 0;
}

void lg_h2_next(struct lg_conn *c)
{
    struct lg_h2s *s = c->h2;
    c->hp.status = 0;
    c->hp.body_bytes = 0;
    c->hp.keep_alive = 1;
    c->h2_end = 0;
    c->h2_judged = 0;
    c->h2_rst = 0;
    c->t_first = c->t_wrote = 0;
    const struct loadgen_h2_hooks *h = c->w->lg->cfg.h2_hooks;
    if (h && h->ctx_size) /* the hooks' state of the last request is kept till now */
        memset(c->h2ctx, 0, h->ctx_size);
    c->t_ready = c->t_sent;
    c->dial_ns = 0;
    lg_h2_wait(s, c);
    lg_h2s_kick(s);
}

/* Abandons c's stream: the server is told (RST_STREAM CANCEL). */
static void detach(struct lg_conn *c)
{
    struct lg_h2s *s = c->h2;
    unwait(s, c);
    if (c->stream && s->ng) {
        nghttp2_session_set_stream_user_data(s->ng, c->stream, NULL);
        nghttp2_submit_rst_stream(s->ng, NGHTTP2_FLAG_NONE, c->stream, NGHTTP2_CANCEL);
        lg_h2s_want_flush(s);
    }
    c->stream = 0;
}

void lg_h2_slot_close(struct lg_conn *c)
{
    int busy = c->stream || c->state == LG_C_CONNECTING;
    detach(c);
    if (busy) {
        char none[1];
        hook_end(c, 0, lg_now_ns(), none, sizeof none);
    }
}

void lg_h2_check_timeout(struct lg_conn *c, uint64_t now)
{
    if (c->state != LG_C_CONNECTING && c->state != LG_C_SENDING && c->state != LG_C_WAITING)
        return;
    if (now - c->t_sent <= c->w->lg->timeout_ns)
        return;
    char msg[LOADGEN_MSG_LEN];
    snprintf(msg, sizeof msg, "timeout: no complete response within %gs",
             (double)c->w->lg->timeout_ns / 1e9);
    detach(c);
    lg_h2_slot_lost(c, LOADGEN_ERR_TIMEOUT, msg);
}

/* A complete response: counted as HTTP/1.1's (its :status judged unless the
 * hooks answered for it), or as the failure the hooks saw in it. */
static void complete(struct lg_conn *c)
{
    struct lg_worker *w = c->w;
    uint64_t now = lg_now_ns();
    char msg[LOADGEN_MSG_LEN] = "", full[LOADGEN_MSG_LEN];
    int v = hook_end(c, 1, now, msg, sizeof msg);
    if (v == LOADGEN_H2_BY_STATUS || v == LOADGEN_H2_ANSWERED) {
        c->h2_judged = v == LOADGEN_H2_ANSWERED;
        lg_conn_complete(c, 1, now);
        return;
    }
    enum loadgen_err kind = LOADGEN_ERR_HOOK;
    if (v >= LOADGEN_H2_FAIL_KIND(0) && v < LOADGEN_H2_FAIL_KIND(LOADGEN_ERR__COUNT))
        kind = (enum loadgen_err)(v - LOADGEN_H2_FAIL_KIND(0));
    unsigned st = c->hp.status;
    hist_record(w->lat, now > c->t_start ? (now - c->t_start) / 1000 : 0);
    lg_record_phases(c, now);
    lg_inc(&w->c.status[st < 600 ? st : 599], 1);
    snprintf(full, sizeof full, "%s: %s", c->req->what, msg[0] ? msg : "failed");
    lg_count_error(w, kind, full);
    c->served++;
    c->state = LG_C_IDLE;
    lg_worker_conn_idle(w, c);
}

void lg_h2_stream_closed(struct lg_h2s *s, struct lg_conn *c, uint32_t code)
{
    c->stream = 0;
    if (c->h2_end && c->hp.status) {
        complete(c);
        return;
    }
    if (code == NGHTTP2_REFUSED_STREAM && !c->t_first) {
        lg_h2_wait(s, c); /* never processed: again on the next connection */
        return;
    }
    char msg[LOADGEN_MSG_LEN];
    c->h2_rst = code;
    if (c->h2_end) /* END_STREAM without :status: nghttp2 lets none through */
        snprintf(msg, sizeof msg, "http2: response without :status");
    else
        snprintf(msg, sizeof msg, "http2: stream reset by the server: %s",
                 nghttp2_http2_strerror(code));
    lg_h2_slot_lost(c, code ? LOADGEN_ERR_RST : LOADGEN_ERR_TRUNCATED, msg);
}

static int begin_headers_cb(nghttp2_session *ng, const nghttp2_frame *f, void *arg)
{
    (void)arg;
    struct lg_conn *c = nghttp2_session_get_stream_user_data(ng, f->hd.stream_id);
    if (c && !c->t_first)
        c->t_first = lg_now_ns();
    return 0;
}

static int header_cb(nghttp2_session *ng, const nghttp2_frame *f, const uint8_t *name, size_t nlen,
                     const uint8_t *value, size_t vlen, uint8_t flags, void *arg)
{
    (void)flags, (void)arg;
    struct lg_conn *c = nghttp2_session_get_stream_user_data(ng, f->hd.stream_id);
    if (!c || f->hd.type != NGHTTP2_HEADERS)
        return 0;
    int trailer = f->headers.cat == NGHTTP2_HCAT_HEADERS;
    if (!trailer && nlen == 7 && memcmp(name, ":status", 7) == 0 && vlen == 3)
        c->hp.status = (uint16_t)((value[0] - '0') * 100 + (value[1] - '0') * 10 + value[2] - '0');
    const struct loadgen_h2_hooks *h = c->w->lg->cfg.h2_hooks;
    if (h && h->on_header)
        h->on_header(c->w->lg->cfg.h2_arg, c->h2ctx, trailer, (const char *)name, nlen,
                     (const char *)value, vlen);
    return 0;
}

static int data_cb(nghttp2_session *ng, uint8_t flags, int32_t id, const uint8_t *data, size_t len,
                   void *arg)
{
    (void)flags, (void)arg;
    struct lg_conn *c = nghttp2_session_get_stream_user_data(ng, id);
    if (!c)
        return 0;
    c->hp.body_bytes += len;
    const struct loadgen_h2_hooks *h = c->w->lg->cfg.h2_hooks;
    if (h && h->on_data)
        h->on_data(c->w->lg->cfg.h2_arg, c->h2ctx, data, len);
    return 0;
}

static int frame_end_cb(nghttp2_session *ng, const nghttp2_frame *f, void *arg)
{
    struct lg_h2s *s = arg;
    s->heard = 1;
    if (f->hd.type == NGHTTP2_GOAWAY)
        s->goaway = 1; /* no new streams here: the session ends when its last does */
    if (f->hd.type != NGHTTP2_HEADERS && f->hd.type != NGHTTP2_DATA)
        return 0;
    struct lg_conn *c = nghttp2_session_get_stream_user_data(ng, f->hd.stream_id);
    if (c && (f->hd.flags & NGHTTP2_FLAG_END_STREAM))
        c->h2_end = 1;
    return 0;
}

static int frame_sent_cb(nghttp2_session *ng, const nghttp2_frame *f, void *arg)
{
    (void)arg;
    if ((f->hd.type != NGHTTP2_HEADERS && f->hd.type != NGHTTP2_DATA) ||
        !(f->hd.flags & NGHTTP2_FLAG_END_STREAM))
        return 0;
    struct lg_conn *c = nghttp2_session_get_stream_user_data(ng, f->hd.stream_id);
    if (c && c->state == LG_C_SENDING) {
        c->t_wrote = lg_now_ns();
        c->state = LG_C_WAITING;
    }
    return 0;
}

void lg_h2_callbacks(nghttp2_session_callbacks *cb)
{
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, begin_headers_cb);
    nghttp2_session_callbacks_set_on_header_callback(cb, header_cb);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, data_cb);
    nghttp2_session_callbacks_set_on_frame_send_callback(cb, frame_sent_cb);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, frame_end_cb);
}
