/*
 * loadgen/grpc.c: gRPC framing and response reading (see grpc.h).
 */
#include "loadgen/grpc.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/lc.h"

static const char *const code_names[GRPC_CODES] = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
};

#define CODE_UNKNOWN 2
#define CODE_MAX_DIGITS 10

const char *grpc_code_name(int code)
{
    return code >= 0 && code < GRPC_CODES ? code_names[code] : NULL;
}

int grpc_code_of_http(int http_status)
{
    switch (http_status) {
    case 400:
        return 13; /* INTERNAL */
    case 401:
        return 16; /* UNAUTHENTICATED */
    case 403:
        return 7; /* PERMISSION_DENIED */
    case 404:
        return 12; /* UNIMPLEMENTED */
    case 429:
    case 502:
    case 503:
    case 504:
        return 14; /* UNAVAILABLE */
    default:
        return CODE_UNKNOWN;
    }
}

uint8_t *grpc_frame(const void *msg, size_t len, size_t *out_len)
{
    if ((uint64_t)len > UINT32_MAX)
        return NULL;
    uint8_t *out = lc_malloc(len + GRPC_PREFIX);
    out[0] = 0;
    out[1] = (uint8_t)(len >> 24);
    out[2] = (uint8_t)(len >> 16);
    out[3] = (uint8_t)(len >> 8);
    out[4] = (uint8_t)len;
    if (len)
        memcpy(out + GRPC_PREFIX, msg, len);
    *out_len = len + GRPC_PREFIX;
    return out;
}

void grpc_resp_init(struct grpc_resp *r)
{
    memset(r, 0, sizeof *r);
}

static int fail(struct grpc_resp *r, const char *why)
{
    if (!r->why)
        r->why = why;
    return -1;
}

static int is(const char *name, size_t nlen, const char *want)
{
    return nlen == strlen(want) && strncasecmp(name, want, nlen) == 0;
}

/* Parses a decimal status; -1 when it is not one. */
static int parse_code(const char *v, size_t n)
{
    if (n == 0 || n > CODE_MAX_DIGITS)
        return -1;
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        c = c * 10 + (uint64_t)(v[i] - '0');
    }
    return c > INT32_MAX ? -1 : (int)c;
}

/* grpc-message is percent-encoded (the gRPC spec); junk escapes are kept
 * as they are; control and non-ASCII bytes become '?' (reports are JSON
 * and must stay valid UTF-8). Cut to fit, NUL-terminated. */
static void decode_message(char *out, const char *v, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < GRPC_MESSAGE_LEN; i++) {
        int hi = i + 2 < n ? lc_hex_digit(v[i + 1]) : -1;
        int lo = i + 2 < n ? lc_hex_digit(v[i + 2]) : -1;
        if (v[i] == '%' && hi >= 0 && lo >= 0) {
            int c = hi << 4 | lo;
            out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
            i += 2;
        } else {
            unsigned char c = (unsigned char)v[i];
            out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
        }
    }
    out[o] = '\0';
}

static int status_field(struct grpc_resp *r, const char *v, size_t n)
{
    int code = parse_code(v, n);
    if (code < 0)
        return fail(r, "grpc-status is not a number");
    r->status = code;
    r->status_seen = 1;
    return 0;
}

int grpc_resp_field(struct grpc_resp *r, int trailer, const char *name, size_t nlen,
                    const char *value, size_t vlen)
{
    if (trailer)
        r->trailers = 1;
    if (is(name, nlen, "grpc-status"))
        return status_field(r, value, vlen);
    if (is(name, nlen, "grpc-message")) {
        decode_message(r->message, value, vlen);
        return 0;
    }
    if (trailer)
        return 0;
    if (is(name, nlen, ":status")) {
        int s = parse_code(value, vlen);
        if (s < 100 || s > 999)
            return fail(r, ":status is not a status code");
        r->http_status = s;
    } else if (is(name, nlen, "content-type")) {
        /* application/grpc, application/grpc+proto, application/grpc;... */
        static const char want[] = "application/grpc";
        size_t w = sizeof want - 1;
        r->grpc_type = vlen >= w && strncasecmp(value, want, w) == 0 &&
                       (vlen == w || value[w] == '+' || value[w] == ';');
    } else if (is(name, nlen, "grpc-encoding")) {
        r->encoded = !is(value, vlen, "identity");
    }
    return 0;
}

/* Reads the prefix of the next message from data; returns the bytes used. */
static size_t take_prefix(struct grpc_resp *r, const uint8_t *data, size_t len)
{
    size_t n = GRPC_PREFIX - r->prefix_got;
    if (n > len)
        n = len;
    memcpy(r->prefix + r->prefix_got, data, n);
    r->prefix_got = (uint8_t)(r->prefix_got + n);
    if (r->prefix_got < GRPC_PREFIX)
        return n;
    if (r->prefix[0] > 1)
        return fail(r, "a message's compressed flag is neither 0 nor 1"), n;
    if (r->prefix[0] == 1 && !r->encoded)
        return fail(r, "a compressed message without grpc-encoding"), n;
    r->left = (uint64_t)r->prefix[1] << 24 | (uint64_t)r->prefix[2] << 16 |
              (uint64_t)r->prefix[3] << 8 | r->prefix[4];
    if (r->left == 0) {
        r->frames++;
        r->prefix_got = 0;
    }
    return n;
}

int grpc_resp_data(struct grpc_resp *r, const uint8_t *data, size_t len)
{
    if (r->why)
        return -1;
    if (r->trailers && len)
        return fail(r, "data after the trailers");
    if (r->http_status != 0 && r->http_status != 200)
        return 0; /* a proxy's error page: grpc_resp_end maps its :status */
    size_t pos = 0;
    while (pos < len) {
        if (r->prefix_got < GRPC_PREFIX) {
            pos += take_prefix(r, data + pos, len - pos);
            if (r->why)
                return -1;
            continue;
        }
        uint64_t n = len - pos < r->left ? len - pos : r->left;
        r->left -= n;
        r->msg_bytes += n;
        pos += (size_t)n;
        if (r->left == 0) {
            r->frames++;
            r->prefix_got = 0;
        }
    }
    return 0;
}

enum grpc_outcome grpc_resp_end(struct grpc_resp *r)
{
    if (r->why)
        return GRPC_OUT_MALFORMED;
    if (!r->status_seen && r->http_status != 200 && r->http_status != 0) {
        /* not a gRPC answer (a proxy's error page...): the spec's mapping */
        r->status = grpc_code_of_http(r->http_status);
        snprintf(r->message, sizeof r->message, "HTTP status %d", r->http_status);
        return GRPC_OUT_STATUS;
    }
    if (r->http_status != 200)
        return fail(r, "no :status in the response"), GRPC_OUT_MALFORMED;
    if (!r->status_seen)
        return fail(r, "no grpc-status in the response"), GRPC_OUT_MALFORMED;
    if (!r->grpc_type)
        return fail(r, "content-type is not application/grpc"), GRPC_OUT_MALFORMED;
    if (r->prefix_got > 0) {
        r->why = r->prefix_got < GRPC_PREFIX ? "the body ended inside a message's prefix"
                                             : "the body ended before a message's declared length";
        return GRPC_OUT_TRUNCATED;
    }
    return r->status == 0 ? GRPC_OUT_OK : GRPC_OUT_STATUS;
}

void grpc_resp_describe(const struct grpc_resp *r, char *out, size_t outlen)
{
    const char *name = grpc_code_name(r->status);
    char num[24];
    if (!name) {
        snprintf(num, sizeof num, "CODE_%d", r->status);
        name = num;
    }
    if (r->message[0])
        snprintf(out, outlen, "grpc %s: %s", name, r->message);
    else
        snprintf(out, outlen, "grpc %s", name);
}
