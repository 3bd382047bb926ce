/*
 * loadgen/lg_int.h: what the load engine's files share (not public).
 */
#ifndef LC_LG_INT_H
#define LC_LG_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

#include "loadgen/hist.h"
#include "loadgen/http_parse.h"
#include "loadgen/loadgen.h"

#define LG_READ_BUF (64 * 1024)
#define LG_BACKOFF_MIN_MS 10
#define LG_BACKOFF_MAX_MS 1000
#define LG_TICK_MS 10
#define LG_LATE_NS 1000000ull /* an open-model send this late is counted late */
#define LG_MSGS 16            /* distinct error messages kept per worker */
#define LG_REC_MAX 1000000    /* per-request records kept in all (-o csv), as hey */

struct event;
struct event_base;
struct ssl_st;
struct ssl_ctx_st;
struct ssl_session_st;
struct lg_h2_req;
struct lg_h2s;

/* A request kind, its bytes built once. */
struct lg_req {
    struct lg_h2_req *h2; /* HTTP/2: headers and body for nghttp2, else NULL */
    char *bytes;
    size_t len;
    int head;   /* HEAD: the response has no body */
    char *what; /* `Get "URL"`, how Go's errors name the request */
};

/* Counters with one writer (the worker) and relaxed readers (snapshot). */
struct lg_counters {
    _Atomic uint64_t requests;
    _Atomic uint64_t errors;
    _Atomic uint64_t by_kind[LOADGEN_ERR__COUNT];
    _Atomic uint64_t status[600];
    _Atomic uint64_t grpc_status[LOADGEN_GRPC_CODES];
    _Atomic uint64_t bytes_read;
    _Atomic uint64_t body_bytes; /* of complete responses */
    _Atomic uint64_t late;
    _Atomic uint64_t tls_handshakes, tls_resumed;
    /* per phase of complete responses (ns): dial (+ TLS handshake), request
     * write, wait for the first byte, read of the rest */
    _Atomic uint64_t ph_n; /* complete responses timed */
    _Atomic uint64_t ph_sum[LOADGEN_PHASES], ph_min[LOADGEN_PHASES], ph_max[LOADGEN_PHASES];
    /* error messages: a slot's text is written before count publishes it */
    char msg[LG_MSGS][LOADGEN_MSG_LEN];
    _Atomic uint64_t msg_n[LG_MSGS];
    _Atomic unsigned nmsg;
    _Atomic uint64_t msg_other; /* failures whose message found no free slot */
};

static inline void lg_inc(_Atomic uint64_t *c, uint64_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

static inline uint64_t lg_get(const _Atomic uint64_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

enum lg_conn_kind {
    LG_K_H1,   /* an HTTP/1.1 connection */
    LG_K_SLOT, /* HTTP/2: one stream slot of a session (no fd of its own) */
    LG_K_H2IO, /* HTTP/2: the transport (fd, TLS) of a session */
};

enum lg_conn_state {
    LG_C_IDLE,       /* nothing in flight (fd may be open for keep-alive) */
    LG_C_CONNECTING, /* connect in progress; a request is waiting */
    LG_C_HANDSHAKE,  /* TLS handshake in progress; a request is waiting */
    LG_C_SENDING,    /* the request is partly written */
    LG_C_WAITING,    /* the request is written; reading the response */
    LG_C_BACKOFF,    /* waiting before the next connect */
    LG_C_FINISHED,   /* no more requests for this connection */
};

struct lg_worker;

struct lg_conn {
    struct lg_worker *w;
    struct event *ev;  /* read (or connect) readiness */
    struct event *wev; /* write readiness after a short write; lazily made */
    struct event *tev; /* backoff timer; lazily made */
    const struct lg_req *req;
    uint64_t t_start;            /* ns: latency counts from here (intended time, open model) */
    uint64_t t_sent;             /* ns: when the attempt began, for the timeout */
    uint64_t t_dial;             /* ns: when the connect began */
    uint64_t t_ready;            /* ns: when the request could start to be written */
    uint64_t t_wrote;            /* ns: when its last byte was written */
    uint64_t t_first;            /* ns: when the first byte of the response came */
    uint64_t dial_ns;            /* connect + handshake time, counted by the next response */
    struct ssl_st *ssl;          /* TLS on this fd, or NULL */
    struct ssl_session_st *sess; /* the last TLS session, for resumption */
    size_t woff;
    int fd;
    uint32_t backoff_ms;
    uint32_t served; /* responses on this fd */
    uint8_t state;
    uint8_t queued;               /* a write is wanted at the next flush */
    uint8_t linked;               /* in the worker's pending list */
    uint8_t ever_connected;       /* a connect has succeeded: failures now back off */
    uint8_t kind;                 /* enum lg_conn_kind */
    uint8_t h2_end;               /* slot: END_STREAM received */
    uint8_t h2_judged;            /* slot: the hooks answered for the response's :status */
    int32_t stream;               /* slot: its stream, 0 when none */
    uint32_t h2_rst;              /* slot: the RST_STREAM code that ended it */
    struct lg_h2s *h2;            /* slot or transport: the session */
    void *h2ctx;                  /* slot: the hooks' per-stream state */
    struct lg_conn *next_wait;    /* slot: waiting for its session */
    struct lg_conn *next_idle;    /* open model: free list */
    struct lg_conn *next_pending; /* waiting for the flush */
    struct http_parse hp;
};

struct lg_worker {
    struct loadgen *lg;
    unsigned id;
    pthread_t tid;
    int started;
    struct event_base *base;
    struct event *tick;
    struct event *sched; /* open model: fires at the next intended send */
    struct lg_conn *conns;
    unsigned nconns;    /* connections, or HTTP/2 stream slots */
    struct lg_h2s *h2s; /* HTTP/2 sessions (nconns / streams of them) */
    unsigned nh2s;
    unsigned active; /* connections not finished */
    char *rbuf;
    size_t mix_pos;
    int batch;           /* defer writes to the end of a loop round */
    struct event *flush; /* runs lg_conn_flush, at low priority */
    struct lg_conn *pending, *pending_tail;
    uint64_t last_sweep;
    uint64_t drain_ns; /* after the deadline, how long answers are awaited */
    int stopping;      /* no new sends: draining after the deadline, or stopped */
    /* open model */
    double share;      /* this worker's fraction of the total rate */
    uint64_t sched_k;  /* requests scheduled so far */
    uint64_t next_due; /* ns: intended time of request sched_k */
    int sched_over;    /* the profile has ended */
    int in_dispatch;
    struct lg_conn *idle; /* idle connections */
    _Atomic int done;
    _Atomic uint64_t end_ns;
    struct hist *lat;
    struct loadgen_record *rec; /* -o csv: per-response records, or NULL */
    size_t nrec, caprec, maxrec;
    struct lg_counters c;
};

struct loadgen {
    struct loadgen_config cfg; /* pointers below are owned copies */
    struct loadgen_stage *stages;
    struct lg_req *reqs;
    size_t nreqs;
    uint32_t *mix; /* request index sequence for weighted round-robin */
    size_t nmix;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char addr_text[64];         /* "127.0.0.1:8080", for error messages */
    char *tls_host;             /* https: the host to verify and send as SNI */
    struct ssl_ctx_st *ssl_ctx; /* https: shared by the workers' connections */
    unsigned nworkers;
    struct lg_worker *workers;
    uint64_t t0;       /* ns, at start */
    uint64_t deadline; /* ns, 0 = none */
    uint64_t timeout_ns;
    int open; /* open model */
    int started, joined;
    _Atomic uint64_t issued; /* requests handed out against max_requests */
    _Atomic int stop;
    struct hist *snap; /* scratch for loadgen_snapshot */
};

/* Monotonic nanoseconds. */
uint64_t lg_now_ns(void);

/* request.c: builds lg->reqs, lg->mix and lg->addr from cfg. Returns 0 or -1. */
int lg_requests_build(struct loadgen *lg, struct lc_error *err);
/* Frees what lg_requests_build made (safe on a partial build). */
void lg_requests_free(struct loadgen *lg);

/* gRPC (grpc_call.c): makes *out, the HTTP/2 requests of cfg's gRPC calls (POST, the gRPC
 * headers added, the message framed; URLs and user headers borrowed).
 * Returns 0, or -1 with err on a bad method or message. Free the array with
 * lg_grpc_requests_free(*out, cfg->nrequests). */
int lg_grpc_requests(const struct loadgen_config *cfg, struct loadgen_request **out,
                     struct lc_error *err);
/* Frees what lg_grpc_requests made; NULL is a no-op. */
void lg_grpc_requests_free(struct loadgen_request *calls, size_t n);
/* The hooks of gRPC calls on the HTTP/2 engine (h2_arg: the struct loadgen):
 * their ctx reads the response with grpc.c's codec; on_end counts the call's
 * grpc-status by code (a non-zero one is an error of kind "grpc", "grpc CODE:
 * message", the response complete but its :status no error) or fails an
 * answer that is not valid gRPC (kind malformed or truncated, "grpc: why"). */
extern const struct loadgen_h2_hooks lg_grpc_hooks;
/* The grpc-status of the call whose hooks' ctx this is (beyond 16: 2,
 * UNKNOWN), or -1 when it got none (a malformed answer, not ended yet). */
int lg_grpc_record_code(const void *ctx);

/* conn.c */
/* Prepares an idle, unconnected connection of worker w (aborts on OOM). */
void lg_conn_init(struct lg_conn *c, struct lg_worker *w);
/* Starts the next request on an idle connection (closed model) or at the
 * intended time t_start (open model: t_start != 0). */
void lg_conn_next(struct lg_conn *c, uint64_t t_start);
/* Abandons whatever is in flight and releases the connection's resources. */
void lg_conn_close(struct lg_conn *c);
/* lg_conn_close, then frees the connection's events. */
void lg_conn_free(struct lg_conn *c);
/* Queues c for the write at the end of this loop round (lg_conn_flush). */
void lg_conn_queue(struct lg_conn *c);
/* Writes the requests queued during this loop round. */
void lg_conn_flush(struct lg_worker *w);
/* Fails the request in flight with a timeout when it is older than the limit. */
void lg_conn_check_timeout(struct lg_conn *c, uint64_t now);

/* Counts a failure of c's request and moves c on (backs off when the
 * server looks down). */
void lg_conn_fail(struct lg_conn *c, enum loadgen_err kind, const char *msg);
/* Counts c's complete response ending at now (c->hp.status, body_bytes)
 * and moves c on; the fd is kept only when reuse. */
void lg_conn_complete(struct lg_conn *c, int reuse, uint64_t now);
/* Connects c (and does the TLS handshake): an LG_K_H2IO transport then
 * goes on in lg_h2_ready, or in lg_h2_io_failed when that failed. */
void lg_conn_connect(struct lg_conn *c);

/* h2_req.c: HTTP/2 requests (nghttp2 name/value pairs and body). */
/* Builds out->h2 for request r of URL parts. 0 or -1 with err. */
int lg_h2_req_build(const struct loadgen_request *r, const char *scheme, const char *authority,
                    const char *path, struct lg_req *out, struct lc_error *err);
/* Frees out->h2 (no-op without). */
void lg_h2_req_free(struct lg_req *out);

/* h2.c, h2_slot.c: the HTTP/2 sessions of a worker. */
/* Makes nsess sessions and ties the worker's slots (w->conns, nsess *
 * streams of them) to them. */
void lg_h2_setup(struct lg_worker *w, unsigned nsess, unsigned streams);
/* Closes every session (streams still open are abandoned) and frees them. */
void lg_h2_free(struct lg_worker *w);
/* Closes every session's connection (at the end of a worker's run). */
void lg_h2_close_all(struct lg_worker *w);
/* Starts slot c's request (lg_conn_next for HTTP/2). */
void lg_h2_next(struct lg_conn *c);
/* Abandons slot c's stream (lg_conn_close for a slot). */
void lg_h2_slot_close(struct lg_conn *c);
/* Fails slot c with a timeout when its request is too old. */
void lg_h2_check_timeout(struct lg_conn *c, uint64_t now);
/* Transport c is connected (TCP, and TLS with the ALPN checked next). */
void lg_h2_ready(struct lg_conn *c);
/* Transport c could not connect (kind and Go-worded msg): the slots
 * waiting for it fail. */
void lg_h2_io_failed(struct lg_conn *c, enum loadgen_err kind, const char *msg);
/* Writes what the session of transport c has to send (the flush). */
void lg_h2_flush(struct lg_conn *c);

/* stats.c */
/* Counts a failure of kind `kind` in w with message msg (copied, cut). */
void lg_count_error(struct lg_worker *w, enum loadgen_err kind, const char *msg);
/* Counts msg among the worker's distinct error messages (no other counter). */
void lg_note_message(struct lg_worker *w, const char *msg);
/* Counts the phases and body of c's complete response ending at now, and
 * keeps its record when asked to (cfg.record). */
void lg_record_phases(struct lg_conn *c, uint64_t now);
/* Adds the workers' messages, phases and TLS counts into out (whose
 * requests and status are already summed). */
void lg_stats_merge(struct loadgen *lg, struct loadgen_stats *out);

/* tls.c: the TLS transport (OpenSSL). The HTTP/1.1 exchange in conn.c
 * reads and writes through lg_io_recv/lg_io_send below, so another
 * session (HTTP/2) can sit on the same transport later. */
enum lg_io {
    LG_IO_DONE,
    LG_IO_WANT_READ,
    LG_IO_WANT_WRITE,
    LG_IO_ERROR,
};
/* Makes lg->ssl_ctx for host (verification unless cfg.insecure, cfg.cacert
 * or the system's CAs, ALPN http/1.1, client session cache). 0 or -1. */
int lg_tls_setup(struct loadgen *lg, const char *host, struct lc_error *err);
/* Frees lg->ssl_ctx (no-op without). */
void lg_tls_free(struct loadgen *lg);
/* Starts TLS on c->fd (SNI, host check, the saved session). 0 or -1. */
int lg_tls_start(struct lg_conn *c);
/* Advances the handshake; on LG_IO_ERROR why holds OpenSSL's reason. */
enum lg_io lg_tls_handshake(struct lg_conn *c, char *why, size_t whylen);
/* As recv(2): bytes, 0 at the end of the stream, or -1 with errno
 * (EAGAIN when more must arrive). *more is set when bytes are left inside
 * TLS that no socket event will announce. */
ssize_t lg_tls_recv(struct lg_conn *c, char *buf, size_t len, int *more);
/* As send(2): bytes written, or -1 with errno (EAGAIN: try when writable). */
ssize_t lg_tls_send(struct lg_conn *c, const char *buf, size_t len);
/* Drops the TLS state of the fd (the session is kept for the next one). */
void lg_tls_close(struct lg_conn *c);
/* Frees the saved session too. */
void lg_tls_conn_free(struct lg_conn *c);

static inline ssize_t lg_io_send(struct lg_conn *c, const char *buf, size_t len)
{
    if (c->ssl)
        return lg_tls_send(c, buf, len);
    return send(c->fd, buf, len, MSG_NOSIGNAL);
}

static inline ssize_t lg_io_recv(struct lg_conn *c, char *buf, size_t len, int *more)
{
    if (c->ssl)
        return lg_tls_recv(c, buf, len, more);
    return recv(c->fd, buf, len, 0);
}

/* worker.c */
/* Builds worker `id` with nconns connections (its event loop, buffer,
 * histogram). Returns 0, or -1 with err; lg_worker_free cleans up either way. */
int lg_worker_setup(struct lg_worker *w, struct loadgen *lg, unsigned id, unsigned nconns,
                    struct lc_error *err);
/* The worker thread: runs the loop until the limits, a stop or the end of
 * the work, then closes its connections and marks itself done. */
void *lg_worker_main(void *arg);
/* Frees a worker's resources (after its thread has ended). */
void lg_worker_free(struct lg_worker *w);
/* Called by a connection that became idle: gives it work or parks it. */
void lg_worker_conn_idle(struct lg_worker *w, struct lg_conn *c);
/* Takes one request from the max_requests budget: 1 when granted. */
int lg_take_budget(struct loadgen *lg);
/* Takes up to n requests from the budget at once; returns how many. */
uint64_t lg_take_budget_n(struct loadgen *lg, uint64_t n);

/* sched.c: the open model's rate profile. */
/* Time (s since start) at which `count` requests in all are due; returns
 * -1 when the profile ends before. */
double lg_sched_time(const struct loadgen *lg, double count);
/* The inverse: how many requests in all the profile has made due by t
 * seconds after the start (0 for t <= 0; the profile's total after its end). */
double lg_sched_count(const struct loadgen *lg, double t);

#endif
