/*
 * suite/suite_compare.c: the suite's "compare" object, the tolerances of
 * the release gate (leakcheck run --compare previous/report.json):
 *     "compare": {"goroutines": "10%", "rss": "20%", "p99": "off"}
 * Each member names a metric and how much its final value may grow over the
 * previous run's ("N%"), or "off" to leave it out; metrics not named keep
 * the defaults of reports/compare.h.
 */
#include <jansson.h>
#include <stdlib.h>

#include "reports/compare.h"
#include "suite/metrics.h"
#include "suite/suite.h"
#include "suite/suite_internal.h"

/* A name close to a built-in metric but not one is a typo ("goroutine");
 * any other name may be a Prometheus metric, known only once sampled. */
static const char *typo_of(const char *name)
{
    return metric_builtin(name) ? NULL : metric_suggest(name);
}

static int read_member(struct suite_ctx *ctx, const char *key, const json_t *v,
                       struct suite_compare *out)
{
    struct lc_error err = {0};
    double tol = 0;
    const char *typo = typo_of(key);
    if (key[0] == '\0')
        return sx_fail(ctx, SUITE_POS_KEY, "a metric name must not be empty");
    if (typo)
        return sx_fail(ctx, SUITE_POS_KEY, "unknown metric \"%s\"; did you mean \"%s\"?", key,
                       typo);
    if (!json_is_string(v))
        return sx_fail(ctx, SUITE_POS_VALUE,
                       "expected a tolerance such as \"10%%\" or \"off\", got %s", sx_type_name(v));
    if (compare_parse_tol(json_string_value(v), &tol, &err) != 0)
        return sx_fail(ctx, SUITE_POS_VALUE, "%s", err.msg);
    out->metric = lc_strdup(key);
    out->tolerance = tol;
    return 0;
}

static int read_compare(struct suite_ctx *ctx, const json_t *o, struct suite_compare **out,
                        size_t *n)
{
    const char *key;
    json_t *v;
    if (!json_is_object(o))
        return sx_fail(ctx, SUITE_POS_VALUE,
                       "expected an object of metrics and tolerances such as "
                       "{\"goroutines\": \"10%%\"}, got %s",
                       sx_type_name(o));
    *out = lc_calloc(json_object_size(o) + 1, sizeof(**out));
    json_object_foreach((json_t *)o, key, v)
    {
        suite_path_push_key(&ctx->path, key);
        int rc = read_member(ctx, key, v, &(*out)[*n]);
        suite_path_pop(&ctx->path);
        if (rc != 0)
            return -1;
        (*n)++;
    }
    return 1;
}

/* Reads root["compare"] into *out and *n (see suite_internal.h). */
int sx_compare(struct suite_ctx *ctx, const json_t *root, struct suite_compare **out, size_t *n)
{
    const json_t *o = json_object_get(root, "compare");
    if (!o)
        return 0;
    suite_path_push_key(&ctx->path, "compare");
    int rc = read_compare(ctx, o, out, n);
    suite_path_pop(&ctx->path);
    return rc;
}
