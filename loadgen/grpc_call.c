/*
 * loadgen/grpc_call.c: gRPC unary calls in the load engine: the requests
 * made of the configuration's (lg_grpc_requests), sent as any request by
 * the HTTP/2 engine (h2*.c), and the hooks that read each response with
 * grpc.c's codec and count its end (lg_grpc_hooks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/grpcname.h"
#include "loadgen/grpc.h"
#include "loadgen/lg_int.h"

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

/* The hooks' per-stream state: zeroed by the engine before each call. */
struct lg_grpc_ctx {
    struct grpc_resp r;
    int code;     /* the grpc-status counted (beyond 16: 2) */
    int has_code; /* code is set */
};

static void on_header(void *arg, void *ctx, int trailer, const char *name, size_t nlen,
                      const char *value, size_t vlen)
{
    (void)arg;
    grpc_resp_field(&((struct lg_grpc_ctx *)ctx)->r, trailer, name, nlen, value, vlen);
}

static void on_data(void *arg, void *ctx, const uint8_t *data, size_t len)
{
    (void)arg;
    grpc_resp_data(&((struct lg_grpc_ctx *)ctx)->r, data, len);
}

/* Counts the end of a complete call in worker w's counters; returns the
 * verdict for the engine (LOADGEN_H2_ANSWERED, or a failure's kind). */
static int on_end(void *arg, void *ctx, const struct loadgen_h2_end *end, char *msg, size_t msglen)
{
    struct loadgen *lg = arg;
    struct lg_grpc_ctx *k = ctx;
    if (!end->complete) /* reset, timeout, lost: the engine counted it */
        return LOADGEN_H2_BY_STATUS;
    struct lg_worker *w = &lg->workers[end->worker];
    enum grpc_outcome out = grpc_resp_end(&k->r);
    if (out == GRPC_OUT_MALFORMED || out == GRPC_OUT_TRUNCATED) {
        snprintf(msg, msglen, "grpc: %s", k->r.why);
        return LOADGEN_H2_FAIL_KIND(out == GRPC_OUT_MALFORMED ? LOADGEN_ERR_MALFORMED
                                                              : LOADGEN_ERR_TRUNCATED);
    }
    k->code = k->r.status >= 0 && k->r.status < LOADGEN_GRPC_CODES ? k->r.status : 2;
    k->has_code = 1;
    lg_inc(&w->c.grpc_status[k->code], 1);
    if (out == GRPC_OUT_STATUS) {
        char why[LOADGEN_MSG_LEN];
        lg_inc(&w->c.errors, 1);
        lg_inc(&w->c.by_kind[LOADGEN_ERR_GRPC], 1);
        grpc_resp_describe(&k->r, why, sizeof why);
        lg_note_message(w, why);
    }
    return LOADGEN_H2_ANSWERED;
}

const struct loadgen_h2_hooks lg_grpc_hooks = {
    .ctx_size = sizeof(struct lg_grpc_ctx),
    .on_header = on_header,
    .on_data = on_data,
    .on_end = on_end,
};

int lg_grpc_record_code(const void *ctx)
{
    const struct lg_grpc_ctx *k = ctx;
    return k && k->has_code ? k->code : -1;
}
