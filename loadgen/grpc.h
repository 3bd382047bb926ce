/*
 * loadgen/grpc.h: gRPC unary calls over HTTP/2, the codec (no I/O).
 *
 * A request message (serialized protobuf bytes, opaque here) is framed
 * with the 5-byte prefix (flag 0, big-endian length). A response is read
 * from the callbacks of the HTTP/2 layer: its header fields, then DATA
 * bytes as they come (cut anywhere, several messages allowed), then its
 * trailer fields, then the end. grpc-status and grpc-message are taken
 * from the trailers, or from the headers of a trailers-only response; a
 * response without grpc-status gets the code of its HTTP status as the
 * gRPC spec maps it (404 UNIMPLEMENTED, 503 UNAVAILABLE...). Bad input (a
 * compressed message without grpc-encoding, an unknown flag, a declared
 * length beyond the body, a junk grpc-status) is an error, never a crash.
 */
#ifndef LC_GRPC_H
#define LC_GRPC_H

#include <stddef.h>
#include <stdint.h>

#define GRPC_CODES 17        /* OK (0) .. UNAUTHENTICATED (16) */
#define GRPC_MESSAGE_LEN 128 /* grpc-message kept, decoded, cut to fit */
#define GRPC_PREFIX 5

/* How a call ended. */
enum grpc_outcome {
    GRPC_OUT_OK,        /* grpc-status 0 */
    GRPC_OUT_STATUS,    /* a non-zero status: r->status names it */
    GRPC_OUT_MALFORMED, /* not a valid gRPC response: r->why says why */
    GRPC_OUT_TRUNCATED, /* the body ended inside a message */
};

/* Response state; one per call, reset with grpc_resp_init (all zero bytes
 * are a fresh state, so a zeroed buffer needs no init). */
struct grpc_resp {
    uint64_t left;      /* bytes still to come of the current message */
    uint64_t frames;    /* complete messages */
    uint64_t msg_bytes; /* their bytes, prefixes excluded */
    const char *why;    /* a static description of a protocol error */
    int http_status;    /* :status, 0 until seen */
    int status;         /* grpc-status when status_seen (or mapped from :status
                         * by grpc_resp_end); > 16 counts as UNKNOWN */
    uint8_t prefix[GRPC_PREFIX];
    uint8_t prefix_got;  /* bytes of the current prefix seen */
    uint8_t grpc_type;   /* content-type application/grpc[+...] seen */
    uint8_t encoded;     /* a grpc-encoding other than identity seen */
    uint8_t trailers;    /* the trailer section has begun */
    uint8_t status_seen; /* a grpc-status field came */
    char message[GRPC_MESSAGE_LEN];
};

/* Returns the name of a status code ("OK", "CANCELLED", ...,
 * "UNAUTHENTICATED"), or NULL when code is not in 0..16. */
const char *grpc_code_name(int code);

/* Returns the gRPC code the spec gives a response without grpc-status,
 * from its HTTP status (400 INTERNAL, 401 UNAUTHENTICATED, 403
 * PERMISSION_DENIED, 404 UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE, any
 * other UNKNOWN). */
int grpc_code_of_http(int http_status);

/* Returns a new buffer (caller frees) of *out_len bytes: the 5-byte prefix
 * (flag 0, big-endian length) and msg. Returns NULL when len does not fit
 * in 32 bits. */
uint8_t *grpc_frame(const void *msg, size_t len, size_t *out_len);

/* Resets r for a new call. */
void grpc_resp_init(struct grpc_resp *r);

/* One header field, of the header section (trailer 0) or of the trailers
 * (trailer 1). Name and value need not be NUL-terminated. Returns 0, or -1
 * when the field makes the response invalid (r->why is set; later calls
 * keep the first reason). */
int grpc_resp_field(struct grpc_resp *r, int trailer, const char *name, size_t nlen,
                    const char *value, size_t vlen);

/* Body (DATA) bytes, cut anywhere. Returns 0, or -1 on a protocol error
 * (r->why). The body of a response whose :status is not 200 is not read
 * (it is no gRPC answer: an error page). */
int grpc_resp_data(struct grpc_resp *r, const uint8_t *data, size_t len);

/* The stream ended (the last frame came with END_STREAM). Returns how the
 * call ended; r->status holds the code (GRPC_OUT_STATUS), r->message the
 * grpc-message, r->why the reason of a malformed or truncated response. */
enum grpc_outcome grpc_resp_end(struct grpc_resp *r);

/* Writes "grpc CODE: message" (or "grpc CODE" without a message) into out
 * for a call that ended with GRPC_OUT_STATUS. */
void grpc_resp_describe(const struct grpc_resp *r, char *out, size_t outlen);

#endif
