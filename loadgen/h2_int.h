/*
 * loadgen/h2_int.h: what the HTTP/2 files of the load engine share.
 *
 * A worker in HTTP/2 mode has `concurrency share` sessions and `streams`
 * stream slots per session. A slot is an lg_conn of kind LG_K_SLOT: the
 * worker hands it requests exactly as it hands an HTTP/1.1 connection
 * requests (closed model: at once again; open model: from the idle list),
 * so the histograms, error kinds, late counts and budget are shared code.
 * A session owns the transport (an lg_conn of kind LG_K_H2IO: connect,
 * TLS and its errors are conn.c's) and the nghttp2 client session.
 */
#ifndef LC_H2_INT_H
#define LC_H2_INT_H

#include <nghttp2/nghttp2.h>

#include "loadgen/lg_int.h"

#define LG_H2_OUT_MAX (64 * 1024)           /* bytes gathered from nghttp2 per write */
#define LG_H2_STREAM_WINDOW (256 * 1024)    /* per-stream receive window */
#define LG_H2_CONN_WINDOW (4 * 1024 * 1024) /* per-connection receive window */

/* One request kind for nghttp2. */
struct lg_h2_req {
    nghttp2_nv *nva;
    size_t nnva;
    char **strs; /* what nva points into */
    size_t nstrs;
    char *body;
    size_t body_len;
};

struct lg_h2s {
    struct lg_conn io; /* the transport: fd, TLS, connect and read events */
    nghttp2_session *ng;
    struct lg_conn *slots; /* this session's slots in the worker's array */
    unsigned nslots;
    struct lg_conn *wait, *wait_tail; /* slots waiting for a usable session */
    unsigned active;                  /* streams submitted and not closed */
    uint64_t dial_ns;                 /* the connect's time, for the first response */
    uint8_t up;                       /* the session runs */
    uint8_t goaway;                   /* no new streams (GOAWAY, ids spent) */
    uint8_t dying;                    /* being torn down: callbacks ignore it */
    uint8_t heard;                    /* a frame came from the server on this connection */
    uint8_t *out;                     /* bytes from nghttp2 not yet written */
    size_t out_len, out_off;
};

/* h2.c */
/* Starts a session for s's waiting slots (connects when down). */
void lg_h2s_kick(struct lg_h2s *s);
/* Asks for s's output to be written at the end of this loop round. */
void lg_h2s_want_flush(struct lg_h2s *s);

/* h2_slot.c */
/* Submits slot c's request on s's running session. */
void lg_h2_submit(struct lg_h2s *s, struct lg_conn *c);
/* Appends c to s's wait list. */
void lg_h2_wait(struct lg_h2s *s, struct lg_conn *c);
/* Slot c's stream closed with code (after END_STREAM or not). */
void lg_h2_stream_closed(struct lg_h2s *s, struct lg_conn *c, uint32_t code);
/* Slot c's stream is lost with its connection: counts kind with msg. */
void lg_h2_slot_lost(struct lg_conn *c, enum loadgen_err kind, const char *msg);
/* The nghttp2 callbacks on the slots' streams (headers, data, frames). */
void lg_h2_callbacks(nghttp2_session_callbacks *cb);

#endif
