/*
 * loadgen/grpc_call.c: gRPC unary calls in the load engine: the requests
 * made of the configuration's (lg_grpc_requests) and the counting of each
 * call's end (lg_grpc_finish). The codec itself is grpc.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ctype.h>

#include "common/grpcname.h"
#include "loadgen/grpc.h"
#include "loadgen/grpc_int.h"

const char *loadgen_grpc_code_name(int code)
{
    return grpc_code_name(code);
}

/* The path of an http[s]://host[:port]/path URL, or NULL. */
static const char *url_path(const char *url)
{
    const char *p = strstr(url, "://");
    return p ? strchr(p + 3, '/') : NULL;
}

static int one_call(const struct loadgen_request *r, struct loadgen_request *c,
                    struct lc_error *err)
{
    if (strncmp(r->url, "https:", 6) == 0)
        return lc_error_set(err,
                            "%s: gRPC is sent over h2c (http://) only: TLS waits for the "
                            "HTTP/2 engine",
                            r->url),
               -1;
    if (grpcname_check(url_path(r->url), err) != 0)
        return lc_error_prefix(err, "%s", r->url), -1;
    if (r->method && strcmp(r->method, "POST") != 0)
        return lc_error_set(err, "a gRPC call is a POST, not %s", r->method), -1;
    if (r->body_len > GRPCNAME_MAX_MESSAGE)
        return lc_error_set(err, "a gRPC message of %zu bytes is more than servers take (%u)",
                            r->body_len, GRPCNAME_MAX_MESSAGE),
               -1;
    const char **h = lc_calloc(r->nheaders + 2, sizeof *h);
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strncasecmp(r->headers[i], "content-type:", 13) == 0 ||
            strncasecmp(r->headers[i], "te:", 3) == 0) {
            free(h);
            return lc_error_set(err, "gRPC sets content-type and te: drop \"%s\"", r->headers[i]),
                   -1;
        }
        h[i] = r->headers[i];
    }
    h[r->nheaders] = "Content-Type: application/grpc";
    h[r->nheaders + 1] = "TE: trailers";
    *c = *r;
    c->method = "POST";
    c->headers = h;
    c->nheaders = r->nheaders + 2;
    c->body = (const char *)grpc_frame(r->body, r->body_len, &c->body_len);
    return 0;
}

int lg_grpc_requests(const struct loadgen_config *cfg, struct loadgen_request **out,
                     struct lc_error *err)
{
    struct loadgen_request *calls = lc_calloc(cfg->nrequests, sizeof *calls);
    for (size_t i = 0; i < cfg->nrequests; i++) {
        if (one_call(&cfg->requests[i], &calls[i], err) != 0) {
            lg_grpc_requests_free(calls, cfg->nrequests);
            return -1;
        }
    }
    *out = calls;
    return 0;
}

void lg_grpc_requests_free(struct loadgen_request *calls, size_t n)
{
    if (!calls)
        return;
    for (size_t i = 0; i < n; i++) {
        free((void *)calls[i].headers);
        free((void *)calls[i].body);
    }
    free(calls);
}

int lg_grpc_end(struct lg_worker *w, struct grpc_resp *r, enum loadgen_err *kind, char *why,
                size_t whylen)
{
    char msg[LOADGEN_MSG_LEN];
    enum grpc_outcome out = grpc_resp_end(r);
    if (out == GRPC_OUT_MALFORMED || out == GRPC_OUT_TRUNCATED) {
        snprintf(why, whylen, "grpc: %s", r->why);
        *kind = out == GRPC_OUT_MALFORMED ? LOADGEN_ERR_MALFORMED : LOADGEN_ERR_TRUNCATED;
        return 0;
    }
    int code = r->status < LOADGEN_GRPC_CODES ? r->status : 2; /* beyond 16: UNKNOWN */
    lg_inc(&w->c.grpc_status[code], 1);
    if (out == GRPC_OUT_STATUS) {
        lg_inc(&w->c.errors, 1);
        lg_inc(&w->c.by_kind[LOADGEN_ERR_GRPC], 1);
        grpc_resp_describe(r, msg, sizeof msg);
        lg_note_message(w, msg);
    }
    return 1;
}

/* Adds a header field to k: name (lower-cased, as HTTP/2 wants) and value
 * copied into k->strs. */
static void add_nv(struct lg_grpc_call *k, const char *name, size_t nlen, const char *value)
{
    char *n = lc_strndup(name, nlen), *v = lc_strdup(value);
    for (char *p = n; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    k->strs[k->nstrs++] = n;
    k->strs[k->nstrs++] = v;
    k->nva[k->nnva++] =
        (nghttp2_nv){(uint8_t *)n, (uint8_t *)v, strlen(n), strlen(v), NGHTTP2_NV_FLAG_NONE};
}

static void one_kind(struct lg_grpc_call *k, const struct loadgen_request *r)
{
    const char *sep = strstr(r->url, "://");
    const char *path = strchr(sep + 3, '/');
    size_t n = r->nheaders + 5;
    k->nva = lc_calloc(n, sizeof *k->nva);
    k->strs = lc_calloc(2 * n, sizeof *k->strs);
    add_nv(k, ":method", 7, "POST");
    char *scheme = lc_strndup(r->url, (size_t)(sep - r->url));
    add_nv(k, ":scheme", 7, scheme);
    free(scheme);
    char *authority = lc_strndup(sep + 3, (size_t)(path - sep - 3));
    add_nv(k, ":authority", 10, authority);
    free(authority);
    add_nv(k, ":path", 5, path);
    int agent = 0;
    for (size_t i = 0; i < r->nheaders; i++) {
        const char *h = r->headers[i], *colon = strchr(h, ':');
        size_t nlen = colon ? (size_t)(colon - h) : 0;
        if (!colon || (nlen == 4 && strncasecmp(h, "host", 4) == 0)) /* :authority says it */
            continue;
        agent |= nlen == 10 && strncasecmp(h, "user-agent", 10) == 0;
        const char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        add_nv(k, h, nlen, v);
    }
    if (!agent)
        add_nv(k, "user-agent", 10, "leakcheck");
    k->body = lc_malloc(r->body_len ? r->body_len : 1);
    memcpy(k->body, r->body, r->body_len);
    k->body_len = r->body_len;
}

void lg_grpc_calls_build(struct loadgen *lg, const struct loadgen_request *calls, size_t n)
{
    lg->calls = lc_calloc(n, sizeof *lg->calls);
    for (size_t i = 0; i < n; i++)
        one_kind(&lg->calls[i], &calls[i]);
}

void lg_grpc_calls_free(struct loadgen *lg)
{
    for (size_t i = 0; lg->calls && i < lg->nreqs; i++) {
        for (size_t j = 0; j < lg->calls[i].nstrs; j++)
            free(lg->calls[i].strs[j]);
        free(lg->calls[i].strs);
        free(lg->calls[i].nva);
        free(lg->calls[i].body);
    }
    free(lg->calls);
    lg->calls = NULL;
}
