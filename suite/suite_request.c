/*
 * suite/suite_request.c: a test's "load" block: the request (url,
 * method, headers, body or body_file), how many, how fast and for how long.
 * Its "requests_mix" and "stages" are in suite_mix.c.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "suite/suite.h"
#include "suite/suite_internal.h"

/* A request body read from body_file is sent as is, so keep it sane. */
#define SUITE_MAX_BODY (64u << 20)

static const char *const load_keys[] = {
    "url",      "method", "headers",  "body",    "body_file",    "concurrency", "requests",
    "duration", "rate",   "threads",  "timeout", "requests_mix", "stages",      "disable_keepalive",
    "insecure", "cacert", "protocol", "streams", "grpc",         NULL};

static const char *header_check(const char *name, const char *value, enum suite_pos *where)
{
    /* RFC 9110 token characters */
    static const char tchar[] = "!#$%&'*+-.^_`|~";
    *where = SUITE_POS_KEY;
    if (name[0] == '\0')
        return "a header name must not be empty";
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        int alnum = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
        if (!alnum && (c >= 0x80 || !strchr(tchar, c)))
            return "a header name may only hold letters, digits and !#$%&'*+-.^_`|~";
    }
    *where = SUITE_POS_VALUE;
    if (strpbrk(value, "\r\n"))
        return "a header value must not contain a line break";
    return NULL;
}

/* "protocol": "http/1.1" (the default) or "h2"; "streams" (h2 only). gRPC
 * (parsed before) is HTTP/2 whatever the default. */
static int parse_protocol(struct suite_ctx *ctx, const json_t *o, struct suite_load *l)
{
    char *proto = NULL;
    json_int_t streams = 0;
    int has = sx_string(ctx, o, "protocol", 0, &proto);
    SX_TRY(has);
    if (has) {
        l->h2 = strcmp(proto, "h2") == 0;
        int h1 = strcmp(proto, "http/1.1") == 0;
        free(proto);
        if (!l->h2 && !h1)
            return sx_fail(ctx, SUITE_POS_VALUE, "protocol is \"http/1.1\" or \"h2\"");
        if (h1 && l->grpc_method)
            return sx_fail(ctx, SUITE_POS_VALUE, "gRPC is HTTP/2: drop \"protocol\": \"http/1.1\"");
    }
    int h2 = l->h2 || l->grpc_method;
    if (h2 && l->disable_keepalive)
        return sx_fail(ctx, SUITE_POS_VALUE,
                       "h2 (and gRPC) and disable_keepalive do not go together");
    SX_TRY(sx_posint(ctx, o, "streams", LC_MAX_STREAMS, &streams));
    if (streams > 1 && !h2)
        return sx_fail(ctx, SUITE_POS_VALUE, "streams needs \"protocol\": \"h2\" (or \"grpc\")");
    if ((unsigned long long)streams * (l->concurrency ? l->concurrency : 1) > LC_MAX_CONCURRENCY)
        return sx_fail(ctx, SUITE_POS_VALUE, "concurrency x streams is at most 50000");
    l->streams = (unsigned)streams;
    return 0;
}

static int parse_method(struct suite_ctx *ctx, const json_t *o, struct suite_load *l)
{
    int has = sx_string(ctx, o, "method", 0, &l->method);
    SX_TRY(has);
    if (!has) {
        l->method = lc_strdup("GET");
        return 0;
    }
    size_t n = strlen(l->method);
    if (n > 0 && n <= 32 && strspn(l->method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == n)
        return 0;
    suite_path_push_key(&ctx->path, "method");
    sx_fail(ctx, SUITE_POS_VALUE, "expected an HTTP method in capitals such as \"GET\", got \"%s\"",
            l->method);
    suite_path_pop(&ctx->path);
    return -1;
}

static int parse_headers(struct suite_ctx *ctx, const json_t *o, struct suite_load *l)
{
    char **pairs = NULL;
    size_t n = 0;
    int rc = sx_pairs(ctx, o, "headers", ": ", header_check, &pairs, &n);
    if (pairs) {
        /* every "Name: value" string moves into a suite_header */
        l->headers = lc_calloc(n ? n : 1, sizeof(*l->headers));
        for (size_t i = 0; i < n; i++)
            l->headers[i].name = pairs[i];
        l->nheaders = n;
        free(pairs);
    }
    return rc < 0 ? -1 : 0;
}

static int parse_body(struct suite_ctx *ctx, const json_t *o, struct suite_load *l)
{
    char *file = NULL;
    struct lc_error rerr = {0};
    int has_body = sx_string(ctx, o, "body", 0, &l->body);
    SX_TRY(has_body);
    if (has_body)
        l->body_len = strlen(l->body);
    int has_file = sx_string(ctx, o, "body_file", 0, &file);
    SX_TRY(has_file);
    if (!has_file)
        return 0;
    char *abs = sx_resolve(ctx, file);
    free(file);
    if (has_body) {
        free(abs);
        return sx_conflict(ctx, "body_file", "give either body or body_file, not both");
    }
    l->body = lc_read_file(abs, SUITE_MAX_BODY, &l->body_len, &rerr);
    free(abs);
    if (l->body)
        return 0;
    suite_path_push_key(&ctx->path, "body_file");
    sx_fail(ctx, SUITE_POS_VALUE, "%s", rerr.msg);
    suite_path_pop(&ctx->path);
    return -1;
}

/* Reads one request of o into l (see suite_internal.h). */
int sx_load_request(struct suite_ctx *ctx, const json_t *o, struct suite_load *l)
{
    SX_TRY(sx_string(ctx, o, "url", 1, &l->url));
    SX_TRY(sx_url(ctx, "url", l->url, 1));
    SX_TRY(parse_method(ctx, o, l));
    SX_TRY(parse_headers(ctx, o, l));
    return parse_body(ctx, o, l);
}

/* Reads the load block o into l (see suite_internal.h). */
int sx_load(struct suite_ctx *ctx, const json_t *o, struct suite_load *l)
{
    json_int_t conc = 10, threads = 0, requests = 0;
    SX_TRY(sx_object(ctx, o, load_keys));
    l->present = 1;
    int has_mix = sx_load_mix(ctx, o, l);
    SX_TRY(has_mix);
    if (!has_mix)
        SX_TRY(sx_load_request(ctx, o, l));
    SX_TRY(sx_load_grpc(ctx, o, l));
    SX_TRY(sx_posint(ctx, o, "concurrency", LLONG_MAX, &conc));
    SX_TRY(sx_limit_count(ctx, "concurrency", conc));
    l->concurrency = (unsigned)conc;
    SX_TRY(sx_posint(ctx, o, "requests", LLONG_MAX, &requests));
    SX_TRY(sx_limit_count(ctx, "requests", requests));
    l->requests = (uint64_t)requests;
    SX_TRY(sx_duration(ctx, o, "duration", 0, -1, &l->duration_s));
    int has_stages = sx_load_stages(ctx, o, l);
    SX_TRY(has_stages);
    if (l->requests == 0 && l->duration_s == 0 && !has_stages)
        return sx_fail(ctx, SUITE_POS_VALUE,
                       "give requests, duration or both (the load stops at whichever ends first), "
                       "or stages");
    SX_TRY(sx_posnum(ctx, o, "rate", &l->rate));
    SX_TRY(sx_limit_rate(ctx, "rate", l->rate));
    SX_TRY(sx_posint(ctx, o, "threads", 1024, &threads));
    l->threads = (unsigned)threads;
    SX_TRY(sx_limit_fds(ctx, l));
    SX_TRY(sx_duration(ctx, o, "timeout", 20.0, -1, &l->timeout_s));
    SX_TRY(sx_bool(ctx, o, "disable_keepalive", &l->disable_keepalive));
    SX_TRY(sx_bool(ctx, o, "insecure", &l->insecure));
    SX_TRY(parse_protocol(ctx, o, l));
    char *cacert = NULL;
    int has_ca = sx_string(ctx, o, "cacert", 0, &cacert);
    SX_TRY(has_ca);
    if (has_ca) { /* a path relative to the suite file */
        l->cacert = sx_resolve(ctx, cacert);
        free(cacert);
    }
    return 0;
}
