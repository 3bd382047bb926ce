/*
 * loadgen/loadgen.h: the HTTP/1.1 load engine.
 *
 * One libevent event_base per worker thread, non-blocking sockets, a
 * per-connection state machine, request bytes built once. Workers keep
 * their own statistics; loadgen_snapshot merges them without locks on the
 * hot path (each counter has one writer and is read with relaxed atomics).
 *
 * Lifecycle: loadgen_new -> loadgen_start -> (loadgen_snapshot, loadgen_done
 * polled from any one other thread) -> loadgen_stop (optional) ->
 * loadgen_join -> loadgen_free.
 */
#ifndef LC_LOADGEN_H
#define LC_LOADGEN_H

#include <stddef.h>
#include <stdint.h>

#include "common/lc.h"

struct loadgen;
struct hist;
struct loadgen_h2_hooks;

/* One kind of request. Strings are copied by loadgen_new. */
struct loadgen_request {
    const char *method;         /* "GET" when NULL */
    const char *url;            /* http[s]://host:port/path?query */
    const char *const *headers; /* "Name: value" strings */
    size_t nheaders;
    const char *body; /* may be NULL */
    size_t body_len;
    unsigned weight; /* relative share in a mix; 0 counts as 1 */
};

/* A stage of the open model: the rate ramps linearly from the previous
 * stage's rate (or 0 for the first) to `rate` over `duration_s`. */
struct loadgen_stage {
    double duration_s;
    double rate;
};

/* Ceilings loadgen_new enforces (a suite's reader says why in its terms):
 * more connections than one client address has local ports cannot all be
 * open to one server port; a rate beyond what one machine can send only
 * turns the schedule into a closed loop at full speed; and beyond a year
 * time conversions overflow. */
#define LOADGEN_MAX_CONCURRENCY LC_MAX_CONCURRENCY
#define LOADGEN_MAX_RATE LC_MAX_RATE
#define LOADGEN_MAX_SECONDS LC_MAX_SECONDS
/* HTTP/2 streams per connection (nghttp2 queues beyond the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS); connections x streams is at most
 * LOADGEN_MAX_CONCURRENCY */
#define LOADGEN_MAX_STREAMS LC_MAX_STREAMS

struct loadgen_config {
    const struct loadgen_request *requests; /* at least one; copied */
    size_t nrequests;
    unsigned concurrency;  /* connections in all; default 1 */
    unsigned threads;      /* worker threads; 0 = number of cores, at most concurrency */
    uint64_t max_requests; /* 0 = no limit; else exactly this many are sent */
    /* 0 = no limit; whichever of the two ends first. When the duration is
     * over nothing new is sent, but requests in flight are awaited (until
     * their timeout, at most 30 s) and counted, as hey does. */
    double duration_s;
    double rate;                        /* requests/s in all; 0 = closed model */
    const struct loadgen_stage *stages; /* open model with ramps; copied */
    size_t nstages;
    double timeout_s;      /* per request; 0 = 20 s */
    int disable_keepalive; /* a new connection for every request */
    /* https: the server's certificate is verified against cacert (a PEM
     * file; copied) or the system's CAs, unless insecure */
    const char *cacert;
    int insecure;
    int record; /* keep a record of each response (up to 1,000,000) */
    /* HTTP/2 (loadgen/h2*.c): https via ALPN h2 (a server that picks
     * http/1.1 fails each connection with a tls error saying so), http://
     * with prior knowledge (h2c). Each connection carries up to `streams`
     * requests at once (0 = 1); concurrency stays the connection count. */
    int h2;
    unsigned streams;
    /* HTTP/2 only, optional: sees each response (gRPC's trailers) */
    const struct loadgen_h2_hooks *h2_hooks;
    void *h2_arg;
    /* gRPC unary calls: each request's URL path is the method
     * ("/pkg.Service/Method") and its body the message (serialized
     * protobuf bytes, not framed); the engine frames it, sends POST with
     * content-type application/grpc and te: trailers over HTTP/2, and reads
     * grpc-status: non-zero is an error of kind "grpc", counted by code.
     * gRPC runs on the HTTP/2 engine (h2 is implied, streams apply) with
     * hooks of its own: h2_hooks must be NULL */
    int grpc;
};

/*
 * HTTP/2 response hooks (API for gRPC; stable: the names, arguments and
 * call order below; new members are only ever appended).
 *
 * The request side needs no hook: a loadgen_request's method, URL path,
 * headers ("content-type: application/grpc", "te: trailers") and body
 * become the stream's :method, :path, headers and DATA (:scheme and
 * :authority from the URL; names are sent lower-cased, as HTTP/2 wants).
 *
 * Per stream, in a worker thread (hooks of one worker never run at the
 * same time; `ctx` is ctx_size zeroed bytes owned by the engine, one per
 * stream slot, so no locking is needed):
 *   on_header(arg, ctx, trailer, name, value) for each response header
 *     (trailer 0; ":status" included) and each trailer (trailer 1);
 *   on_data(arg, ctx, bytes) for each DATA chunk, as it arrives (the
 *     engine also counts the body length itself);
 *   on_end(arg, ctx, end, msg, msglen) once, always: after a complete
 *     response (end->complete = 1) and also when the stream failed
 *     (reset, timeout, connection lost: complete = 0; the engine counts
 *     that failure itself and ignores the return). For a complete
 *     response return LOADGEN_H2_BY_STATUS (0) to let the engine judge it
 *     by :status (2xx is a success), LOADGEN_H2_FAILED (1) to count it as
 *     a failure of kind LOADGEN_ERR_HOOK with the message written into
 *     msg, LOADGEN_H2_FAIL_KIND(kind) for a failure of that kind, or
 *     LOADGEN_H2_ANSWERED for a complete response whose :status is no
 *     error (the hook counted what it found wrong itself, as gRPC does).
 *     on_end must release what ctx holds: the slot's ctx stays as it is
 *     until it is zeroed again before the next request.
 * Any hook may be NULL.
 */
struct loadgen_h2_end {
    unsigned worker;   /* which worker thread (0..threads-1), for per-thread counts */
    int complete;      /* 1: END_STREAM seen with a :status */
    unsigned status;   /* :status, 0 when none came */
    uint32_t rst_code; /* RST_STREAM/GOAWAY error code when reset, else 0 */
    uint64_t body_len; /* DATA bytes received */
    double latency_s;  /* from the intended start to the end */
};

/* on_end's verdicts on a complete response (see above) */
#define LOADGEN_H2_BY_STATUS 0
#define LOADGEN_H2_FAILED 1
#define LOADGEN_H2_ANSWERED 2
#define LOADGEN_H2_FAIL_KIND(kind) (16 + (int)(kind))

struct loadgen_h2_hooks {
    size_t ctx_size;
    void (*on_header)(void *arg, void *ctx, int trailer, const char *name, size_t nlen,
                      const char *value, size_t vlen);
    void (*on_data)(void *arg, void *ctx, const uint8_t *data, size_t len);
    int (*on_end)(void *arg, void *ctx, const struct loadgen_h2_end *end, char *msg, size_t msglen);
};

/* Kinds of failed request; none is ever counted as a success. */
enum loadgen_err {
    LOADGEN_ERR_CONNECT,   /* connect refused or failed */
    LOADGEN_ERR_RESET,     /* connection reset or closed before a response */
    LOADGEN_ERR_TIMEOUT,   /* no complete response within timeout_s */
    LOADGEN_ERR_MALFORMED, /* the response did not parse */
    LOADGEN_ERR_TRUNCATED, /* the body ended early */
    LOADGEN_ERR_STATUS,    /* a complete response with a non-2xx status */
    LOADGEN_ERR_TLS,       /* the TLS handshake failed (OpenSSL's reason in the message) */
    LOADGEN_ERR_RST,       /* HTTP/2: the server reset the stream (RST_STREAM) */
    LOADGEN_ERR_PROTOCOL,  /* HTTP/2: a connection error (bad frames, GOAWAY with an error) */
    LOADGEN_ERR_HOOK,      /* h2_hooks->on_end judged the response a failure (LOADGEN_H2_FAILED) */
    LOADGEN_ERR_GRPC,      /* a gRPC call answered a non-zero grpc-status */
    LOADGEN_ERR__COUNT
};

#define LOADGEN_MSG_LEN 256   /* an error message, cut to fit */
#define LOADGEN_MAX_MSGS 32   /* distinct messages in a snapshot */
#define LOADGEN_PHASES 4      /* dial, write, wait, read */
#define LOADGEN_GRPC_CODES 17 /* gRPC status codes OK (0) .. UNAUTHENTICATED (16) */

/* A distinct error message ("dial tcp 127.0.0.1:1: connect: connection
 * refused") and how many failures had it. */
struct loadgen_errmsg {
    char text[LOADGEN_MSG_LEN];
    uint64_t n;
};

/* One complete response (-o csv), times in seconds. */
struct loadgen_record {
    float total;  /* latency */
    float dial;   /* connect and TLS handshake, 0 on a reused connection */
    float write;  /* request write */
    float wait;   /* from the request written to the first response byte */
    float read;   /* from the first byte to the last */
    float offset; /* when the request began, since the start */
    uint16_t status;
    int8_t grpc_status; /* gRPC calls: the grpc-status (16 at most); -1 none */
};

/* Returns a short stable name for an error kind ("connect", "reset", ...). */
const char *loadgen_err_name(enum loadgen_err kind);

/* Returns the name of a gRPC status code ("OK", "UNAVAILABLE", ...), or
 * NULL when code is not in 0..16. */
const char *loadgen_grpc_code_name(int code);

struct loadgen_stats {
    uint64_t requests; /* finished: a complete response or a failure */
    uint64_t errors;   /* failures of any kind, non-2xx included */
    uint64_t by_kind[LOADGEN_ERR__COUNT];
    uint64_t status[600]; /* complete responses by status code (index = code) */
    /* gRPC calls with a grpc-status, by code (a code beyond 16 counts as
     * UNKNOWN, 2); loadgen_grpc_code_name names them */
    uint64_t grpc_status[LOADGEN_GRPC_CODES];
    uint64_t bytes_read;
    uint64_t body_bytes;                  /* response bodies of complete responses */
    uint64_t responses;                   /* complete responses, any status */
    uint64_t tls_handshakes, tls_resumed; /* resumed: with a saved session */
    /* per phase (dial, write, wait, read) over complete responses, seconds */
    double ph_mean[LOADGEN_PHASES], ph_min[LOADGEN_PHASES], ph_max[LOADGEN_PHASES];
    struct loadgen_errmsg msgs[LOADGEN_MAX_MSGS]; /* most frequent first */
    size_t nmsgs;
    uint64_t msgs_other; /* failures whose message was not kept */
    /* open model: sends that left more than 1 ms after their intended time,
     * and those that fell due before the duration ended but never left
     * (every connection was still waiting for an answer) */
    uint64_t late_sends;
    double started_s; /* when loadgen_start started the clock, on lc_now()'s */
    double elapsed_s; /* since loadgen_start, until the end when finished */
    double rps;       /* requests / elapsed_s */
    /* latency percentiles in seconds over complete responses (open model:
     * from the intended send time); 0 when there are none */
    double p50, p75, p90, p95, p99, p999, max, mean;
};

/* Creates an engine for cfg. Returns NULL with err on a bad URL, method or
 * configuration. The engine sends nothing until loadgen_start. */
struct loadgen *loadgen_new(const struct loadgen_config *cfg, struct lc_error *err);

/* Starts the worker threads and returns at once. Returns 0 or -1 with err. */
int loadgen_start(struct loadgen *lg, struct lc_error *err);

/* Returns 1 when every worker has finished (limits reached or stopped). */
int loadgen_done(const struct loadgen *lg);

/* Asks the workers to stop as soon as they can; returns at once. */
void loadgen_stop(struct loadgen *lg);

/* Waits for the workers to end. */
void loadgen_join(struct loadgen *lg);

/* Fills *out with the figures so far (or the final ones after join). Safe
 * to call while workers run, from one thread at a time. When latency is
 * not NULL, the merged latency histogram is added into it. */
void loadgen_snapshot(struct loadgen *lg, struct loadgen_stats *out, struct hist *latency);

/* After loadgen_join, calls cb (unless NULL) on each kept record
 * (cfg.record), in no particular order; returns how many. */
size_t loadgen_records(const struct loadgen *lg,
                       void (*cb)(const struct loadgen_record *r, void *arg), void *arg);

/* Frees the engine (joining first if needed); loadgen_free(NULL) is a no-op. */
void loadgen_free(struct loadgen *lg);

#endif
