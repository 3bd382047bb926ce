/*
 * suite/suite_grpc.c: a load block's "grpc": {"method": "/pkg.Service/Method",
 * "message": "file.bin"}: gRPC unary calls of that method to the load's url
 * (given without a path), the message a file of serialized protobuf bytes
 * relative to the suite's folder (default: the empty message).
 */
#include <stdlib.h>
#include <string.h>

#include "common/grpcname.h"
#include "suite/suite.h"
#include "suite/suite_internal.h"

static const char *const grpc_keys[] = {"method", "message", NULL};

/* Fails at key of the grpc object with msg. */
static int grpc_fail(struct suite_ctx *ctx, const char *key, const char *msg)
{
    suite_path_push_key(&ctx->path, key);
    sx_fail(ctx, SUITE_POS_VALUE, "%s", msg);
    suite_path_pop(&ctx->path);
    return -1;
}

/* Reads the message file into l->body. */
static int read_message(struct suite_ctx *ctx, const json_t *g, struct suite_load *l)
{
    char *file = NULL;
    struct lc_error rerr = {0};
    int has = sx_string(ctx, g, "message", 0, &file);
    SX_TRY(has);
    if (!has) { /* the empty message: every field at its default */
        l->body = lc_strdup("");
        return 0;
    }
    char *abs = sx_resolve(ctx, file);
    free(file);
    l->body = lc_read_file(abs, GRPCNAME_MAX_MESSAGE, &l->body_len, &rerr);
    free(abs);
    return l->body ? 0 : grpc_fail(ctx, "message", rerr.msg);
}

/* Makes l->url the load's url with the method as its path. */
static int method_url(struct suite_ctx *ctx, const json_t *g, struct suite_load *l)
{
    struct lc_error err = {0};
    SX_TRY(sx_string(ctx, g, "method", 1, &l->grpc_method));
    if (grpcname_check(l->grpc_method, &err) != 0)
        return grpc_fail(ctx, "method", err.msg);
    const char *path = strchr(strstr(l->url, "://") + 3, '/');
    if (path && strcmp(path, "/") != 0)
        return sx_conflict(ctx, "url", "give the url without a path: the gRPC method is the path");
    size_t n = path ? (size_t)(path - l->url) : strlen(l->url);
    char *url = lc_asprintf("%.*s%s", (int)n, l->url, l->grpc_method);
    free(l->url);
    l->url = url;
    return 0;
}

/* Reads o's "grpc" into l (see suite_internal.h). */
int sx_load_grpc(struct suite_ctx *ctx, const json_t *o, struct suite_load *l)
{
    static const char *const not_with[] = {"method", "body", "body_file", "requests_mix", NULL};
    const json_t *g = json_object_get(o, "grpc");
    if (!g)
        return 0;
    for (size_t i = 0; not_with[i]; i++)
        if (json_object_get(o, not_with[i]))
            return sx_conflict(ctx, not_with[i],
                               "a gRPC load sends POSTs of its message to its method: drop "
                               "method, body, body_file and requests_mix");
    suite_path_push_key(&ctx->path, "grpc");
    int rc = sx_object(ctx, g, grpc_keys);
    if (rc == 0)
        rc = method_url(ctx, g, l);
    if (rc == 0) {
        free(l->body);
        l->body = NULL;
        rc = read_message(ctx, g, l);
    }
    if (rc == 0) {
        free(l->method);
        l->method = lc_strdup("POST");
    }
    suite_path_pop(&ctx->path);
    return rc < 0 ? -1 : 1;
}
