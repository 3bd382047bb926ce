/*
 * suite/suite_mix.c: the load block's "requests_mix" (several kinds of
 * request with weights, instead of url/method/headers/body) and "stages"
 * (an open-model rate that ramps linearly from stage to stage).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suite/suite.h"
#include "suite/suite_internal.h"

/* The load engine sends a mix over one address; weights beyond this make
 * its round-robin table needlessly large. */
#define MIX_MAX_WEIGHT 1000000

static const char *const mix_keys[] = {"url",       "method", "headers", "body",
                                       "body_file", "weight", NULL};
static const char *const stage_keys[] = {"duration", "rate", NULL};

/* Fails when one of the single-request keys sits next to requests_mix. */
static int check_alone(struct suite_ctx *ctx, const json_t *o)
{
    static const char *const single[] = {"url", "method", "headers", "body", "body_file", NULL};
    for (size_t i = 0; single[i]; i++)
        if (json_object_get(o, single[i]))
            return sx_conflict(ctx, single[i],
                               "give either requests_mix or url/method/headers/body/body_file, not "
                               "both (each entry of requests_mix has its own)");
    return 0;
}

/* The scheme, host and port of an http:// or https:// URL, lower-cased,
 * ":80" or ":443" added when absent. */
static char *authority(const char *url)
{
    int tls = strncmp(url, "https://", 8) == 0;
    const char *a = url + (tls ? 8 : 7);
    size_t n = strcspn(a, "/?#");
    const char *close = memchr(a, ']', n);
    const char *from = close ? close : a;
    int has_port = memchr(from, ':', n - (size_t)(from - a)) != NULL;
    char *s = lc_asprintf("%s%.*s%s", tls ? "https://" : "", (int)n, a,
                          has_port ? "" : tls ? ":443" : ":80");
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return s;
}

static void free_request(struct suite_request *r)
{
    free(r->url);
    free(r->method);
    for (size_t i = 0; i < r->nheaders; i++)
        free(r->headers[i].name);
    free(r->headers);
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* Reads entry i of requests_mix (the path is at the entry) into *r. */
static int parse_entry(struct suite_ctx *ctx, const json_t *e, const char *first,
                       struct suite_request *r)
{
    struct suite_load tmp = {0};
    json_int_t weight = 1;
    int rc = sx_object(ctx, e, mix_keys);
    if (rc == 0)
        rc = sx_load_request(ctx, e, &tmp);
    /* whatever was read moves into *r, so that suite_free finds it */
    r->url = tmp.url;
    r->method = tmp.method;
    r->headers = tmp.headers;
    r->nheaders = tmp.nheaders;
    r->body = tmp.body;
    r->body_len = tmp.body_len;
    if (rc < 0)
        return -1;
    if (sx_posint(ctx, e, "weight", MIX_MAX_WEIGHT, &weight) < 0)
        return -1;
    r->weight = (unsigned)weight;
    if (!first)
        return 0;
    char *a = authority(first), *b = authority(r->url);
    rc = strcmp(a, b) == 0 ? 0 : -1;
    if (rc < 0) {
        suite_path_push_key(&ctx->path, "url");
        sx_fail(ctx, SUITE_POS_VALUE,
                "every request of a mix must go to the same host and port as the first (%s), "
                "got %s",
                a, b);
        suite_path_pop(&ctx->path);
    }
    free(a);
    free(b);
    return rc;
}

int sx_load_mix(struct suite_ctx *ctx, const json_t *o, struct suite_load *l)
{
    json_t *v = json_object_get(o, "requests_mix");
    if (!v)
        return 0;
    if (check_alone(ctx, o) < 0)
        return -1;
    suite_path_push_key(&ctx->path, "requests_mix");
    int rc = 1;
    if (!json_is_array(v))
        rc =
            sx_fail(ctx, SUITE_POS_VALUE, "expected an array of requests, got %s", sx_type_name(v));
    else if (json_array_size(v) == 0)
        rc = sx_fail(ctx, SUITE_POS_VALUE, "must hold at least one request");
    if (rc < 0)
        goto done;
    l->mix = lc_calloc(json_array_size(v), sizeof *l->mix);
    for (size_t i = 0; i < json_array_size(v) && rc > 0; i++) {
        suite_path_push_index(&ctx->path, i);
        l->nmix = i + 1;
        if (parse_entry(ctx, json_array_get(v, i), i ? l->mix[0].url : NULL, &l->mix[i]) < 0)
            rc = -1;
        suite_path_pop(&ctx->path);
    }
done:
    suite_path_pop(&ctx->path);
    return rc;
}

/* Reads the rate of stage object s: a number >= 0 (0 ramps down to idle). */
static int stage_rate(struct suite_ctx *ctx, const json_t *s, double *out)
{
    json_t *v = json_object_get(s, "rate");
    if (!v)
        return sx_fail(ctx, SUITE_POS_VALUE, "missing required key \"rate\" (requests/s)");
    suite_path_push_key(&ctx->path, "rate");
    int rc = 0;
    if (!json_is_number(v))
        rc = sx_fail(ctx, SUITE_POS_VALUE, "expected a number of requests/s, got %s",
                     sx_type_name(v));
    else if (!(json_number_value(v) >= 0) || !isfinite(json_number_value(v)))
        rc = sx_fail(ctx, SUITE_POS_VALUE, "expected a number >= 0, got %g", json_number_value(v));
    else
        *out = json_number_value(v);
    suite_path_pop(&ctx->path);
    return rc < 0 ? rc : sx_limit_rate(ctx, "rate", *out);
}

static int parse_stage(struct suite_ctx *ctx, const json_t *s, struct suite_stage *st)
{
    if (sx_object(ctx, s, stage_keys) < 0)
        return -1;
    if (!json_object_get(s, "duration"))
        return sx_fail(ctx, SUITE_POS_VALUE, "missing required key \"duration\"");
    if (sx_duration(ctx, s, "duration", 0, -1, &st->duration_s) < 0)
        return -1;
    return stage_rate(ctx, s, &st->rate);
}

int sx_load_stages(struct suite_ctx *ctx, const json_t *o, struct suite_load *l)
{
    json_t *v = json_object_get(o, "stages");
    if (!v)
        return 0;
    if (json_object_get(o, "rate"))
        return sx_conflict(ctx, "rate",
                           "give either rate (constant) or stages (ramps), not both; a stage has "
                           "its own rate");
    suite_path_push_key(&ctx->path, "stages");
    int rc = 1;
    double top = 0;
    if (!json_is_array(v))
        rc = sx_fail(ctx, SUITE_POS_VALUE,
                     "expected an array of stages such as [{\"duration\": \"10s\", \"rate\": "
                     "100}], got %s",
                     sx_type_name(v));
    else if (json_array_size(v) == 0)
        rc = sx_fail(ctx, SUITE_POS_VALUE, "must hold at least one stage");
    if (rc < 0)
        goto done;
    l->stages = lc_calloc(json_array_size(v), sizeof *l->stages);
    for (size_t i = 0; i < json_array_size(v) && rc > 0; i++) {
        suite_path_push_index(&ctx->path, i);
        l->nstages = i + 1;
        if (parse_stage(ctx, json_array_get(v, i), &l->stages[i]) < 0)
            rc = -1;
        top = fmax(top, l->stages[i].rate);
        suite_path_pop(&ctx->path);
    }
    if (rc > 0 && !(top > 0))
        rc = sx_fail(ctx, SUITE_POS_VALUE, "every stage has rate 0: nothing would be sent");
done:
    suite_path_pop(&ctx->path);
    return rc;
}

void sx_load_extra_free(struct suite_load *l)
{
    for (size_t i = 0; l->mix && i < l->nmix; i++)
        free_request(&l->mix[i]);
    free(l->mix);
    free(l->stages);
    l->mix = NULL;
    l->stages = NULL;
    l->nmix = l->nstages = 0;
}
