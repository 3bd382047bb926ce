/*
 * suite/suite_fields.c: typed readers for suite fields, with errors
 * that name the path and its line:column; relative paths (the ${...}
 * variables are in suite_vars.c).
 */
#include "suite/suite_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sx_fail(struct suite_ctx *ctx, enum suite_pos which, const char *fmt, ...)
{
    char where[512];
    char msg[sizeof(ctx->err->msg)];
    int line = 0, col = 0;
    va_list ap;
    if (!ctx->err)
        return -1;
    int on_key = which == SUITE_POS_KEY && ctx->path.depth > 0 &&
                 ctx->path.depth <= SUITE_PATH_MAX && ctx->path.at[ctx->path.depth - 1].key;
    suite_path_format(&ctx->path, on_key ? ctx->path.depth - 1 : ctx->path.depth, where,
                      sizeof(where));
    suite_json_locate_m(&ctx->memo, ctx->text, ctx->len, &ctx->path, on_key ? SUITE_POS_KEY : SUITE_POS_VALUE,
                      &line, &col);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lc_error_at(ctx->err, line, col, "%s: %s", where, msg);
    return -1;
}

/* Fails at key `key` with why (see suite_internal.h). */
int sx_conflict(struct suite_ctx *ctx, const char *key, const char *why)
{
    suite_path_push_key(&ctx->path, key);
    sx_fail(ctx, SUITE_POS_KEY, "%s", why);
    suite_path_pop(&ctx->path);
    return -1;
}

/* Checks the scheme of url (see suite_internal.h). */
int sx_url(struct suite_ctx *ctx, const char *key, const char *url, int https_ok)
{
    if (strncmp(url, "http://", 7) == 0 || (https_ok && strncmp(url, "https://", 8) == 0))
        return 0;
    suite_path_push_key(&ctx->path, key);
    sx_fail(ctx, SUITE_POS_VALUE, "expected an %s URL, got \"%s\"",
            https_ok ? "http:// or https://" : "http://", url);
    suite_path_pop(&ctx->path);
    return -1;
}

const char *sx_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
    default:
        return "null";
    }
}

static int unknown_key(struct suite_ctx *ctx, const char *key, const char *const *known)
{
    const char *best = NULL;
    int best_d = 1000;
    struct lc_buf list = {0};
    for (size_t i = 0; known[i]; i++) {
        int d = lc_edit_distance(key, known[i]);
        if (d < best_d) {
            best_d = d;
            best = known[i];
        }
        lc_buf_printf(&list, "%s%s", i ? ", " : "", known[i]);
    }
    /* close means a typo, not a different word: at most 2 edits, and fewer
     * than the key has characters */
    size_t klen = strlen(key);
    suite_path_push_key(&ctx->path, key);
    if (best && best_d <= 2 && (size_t)best_d < klen)
        sx_fail(ctx, SUITE_POS_KEY, "unknown key \"%s\"; did you mean \"%s\"?", key, best);
    else
        sx_fail(ctx, SUITE_POS_KEY, "unknown key \"%s\" (known keys: %s)", key, list.data);
    suite_path_pop(&ctx->path);
    lc_buf_free(&list);
    return -1;
}

int sx_object(struct suite_ctx *ctx, const json_t *v, const char *const *known)
{
    const char *key;
    json_t *member;
    if (!json_is_object(v))
        return sx_fail(ctx, SUITE_POS_VALUE, "expected an object, got %s", sx_type_name(v));
    json_object_foreach((json_t *)v, key, member)
    {
        size_t i = 0;
        while (known[i] && strcmp(known[i], key) != 0)
            i++;
        if (!known[i])
            return unknown_key(ctx, key, known);
    }
    return 0;
}

char *sx_resolve(const struct suite_ctx *ctx, const char *rel)
{
    if (rel[0] == '/')
        return lc_strdup(rel);
    while (rel[0] == '.' && rel[1] == '/') {
        rel += 2;
        while (rel[0] == '/')
            rel++;
    }
    if (rel[0] == '\0' || strcmp(rel, ".") == 0)
        return lc_strdup(ctx->dir);
    return lc_asprintf("%s%s%s", ctx->dir,
                       ctx->dir[0] && ctx->dir[strlen(ctx->dir) - 1] == '/' ? "" : "/", rel);
}

/* Fetches obj[key]: 1 and pushes key onto the path when present, 0 when
 * absent (an error when required). */
static int member(struct suite_ctx *ctx, const json_t *obj, const char *key, int required,
                  json_t **v)
{
    *v = json_object_get(obj, key);
    if (!*v) {
        if (required)
            return sx_fail(ctx, SUITE_POS_VALUE, "missing required key \"%s\"", key);
        return 0;
    }
    suite_path_push_key(&ctx->path, key);
    return 1;
}

int sx_string(struct suite_ctx *ctx, const json_t *obj, const char *key, int required, char **out)
{
    json_t *v;
    int rc = member(ctx, obj, key, required, &v);
    if (rc <= 0)
        return rc;
    if (!json_is_string(v)) {
        rc = sx_fail(ctx, SUITE_POS_VALUE, "expected a string, got %s", sx_type_name(v));
    } else if (strlen(json_string_value(v)) == 0 && required) {
        rc = sx_fail(ctx, SUITE_POS_VALUE, "must not be empty");
    } else {
        char *s = sx_subst(ctx, json_string_value(v));
        rc = s ? 1 : -1;
        if (s) {
            free(*out);
            *out = s;
        }
    }
    suite_path_pop(&ctx->path);
    return rc;
}

int sx_duration(struct suite_ctx *ctx, const json_t *obj, const char *key, double def, double min,
                double *out)
{
    json_t *v;
    char *s = NULL;
    struct lc_error perr = {0};
    *out = def;
    int rc = member(ctx, obj, key, 0, &v);
    if (rc <= 0)
        return rc;
    if (json_is_number(v)) {
        rc = sx_fail(ctx, SUITE_POS_VALUE,
                     "durations need a unit: write a string such as \"%gs\" or \"250ms\", not "
                     "the bare number %g",
                     json_number_value(v), json_number_value(v));
    } else if (!json_is_string(v)) {
        rc = sx_fail(ctx, SUITE_POS_VALUE, "expected a duration string such as \"5s\", got %s",
                     sx_type_name(v));
    } else if (!(s = sx_subst(ctx, json_string_value(v)))) {
        rc = -1;
    } else if (lc_parse_duration(s, out, &perr) != 0) {
        rc = sx_fail(ctx, SUITE_POS_VALUE, "%s", perr.msg);
    } else if (min > 0 && *out < min) {
        rc = sx_fail(ctx, SUITE_POS_VALUE, "must be at least %gms, got \"%s\"", min * 1e3, s);
    } else if (min < 0 && *out <= 0) {
        rc = sx_fail(ctx, SUITE_POS_VALUE, "must be longer than 0, got \"%s\"", s);
    }
    free(s);
    suite_path_pop(&ctx->path);
    return rc;
}

int sx_posint(struct suite_ctx *ctx, const json_t *obj, const char *key, json_int_t max,
              json_int_t *out)
{
    json_t *v;
    int rc = member(ctx, obj, key, 0, &v);
    if (rc <= 0)
        return rc;
    if (!json_is_integer(v))
        rc = sx_fail(ctx, SUITE_POS_VALUE, "expected a positive integer, got %s", sx_type_name(v));
    else if (json_integer_value(v) < 1)
        rc = sx_fail(ctx, SUITE_POS_VALUE, "expected a positive integer, got %" JSON_INTEGER_FORMAT,
                     json_integer_value(v));
    else if (json_integer_value(v) > max)
        rc = sx_fail(ctx, SUITE_POS_VALUE, "must be at most %" JSON_INTEGER_FORMAT, max);
    else
        *out = json_integer_value(v);
    suite_path_pop(&ctx->path);
    return rc;
}

int sx_posnum(struct suite_ctx *ctx, const json_t *obj, const char *key, double *out)
{
    json_t *v;
    int rc = member(ctx, obj, key, 0, &v);
    if (rc <= 0)
        return rc;
    if (!json_is_number(v))
        rc = sx_fail(ctx, SUITE_POS_VALUE, "expected a number greater than 0, got %s",
                     sx_type_name(v));
    else if (!(json_number_value(v) > 0))
        rc = sx_fail(ctx, SUITE_POS_VALUE, "expected a number greater than 0, got %g",
                     json_number_value(v));
    else
        *out = json_number_value(v);
    suite_path_pop(&ctx->path);
    return rc;
}

int sx_bool(struct suite_ctx *ctx, const json_t *obj, const char *key, int *out)
{
    json_t *v;
    int rc = member(ctx, obj, key, 0, &v);
    if (rc <= 0)
        return rc;
    if (!json_is_boolean(v))
        rc = sx_fail(ctx, SUITE_POS_VALUE, "expected true or false, got %s", sx_type_name(v));
    else
        *out = json_is_true(v);
    suite_path_pop(&ctx->path);
    return rc;
}

void sx_free_strings(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int sx_strings(struct suite_ctx *ctx, const json_t *obj, const char *key, int nonempty, char ***out,
               size_t *n)
{
    json_t *v, *item;
    size_t i;
    int rc = member(ctx, obj, key, 0, &v);
    if (rc <= 0)
        return rc;
    if (!json_is_array(v)) {
        rc = sx_fail(ctx, SUITE_POS_VALUE, "expected an array of strings, got %s", sx_type_name(v));
        goto done;
    }
    if (nonempty && json_array_size(v) == 0) {
        rc = sx_fail(ctx, SUITE_POS_VALUE, "must not be empty");
        goto done;
    }
    *out = lc_calloc(json_array_size(v) + 1, sizeof(char *));
    *n = 0;
    json_array_foreach(v, i, item)
    {
        suite_path_push_index(&ctx->path, i);
        if (!json_is_string(item))
            rc = sx_fail(ctx, SUITE_POS_VALUE, "expected a string, got %s", sx_type_name(item));
        else if (!((*out)[i] = sx_subst(ctx, json_string_value(item))))
            rc = -1;
        suite_path_pop(&ctx->path);
        if (rc < 0)
            goto done;
        (*n)++;
    }
done:
    suite_path_pop(&ctx->path);
    return rc;
}

int sx_pairs(struct suite_ctx *ctx, const json_t *obj, const char *key, const char *sep,
             sx_pair_check *check, char ***out, size_t *n)
{
    json_t *v, *item;
    const char *name;
    int rc = member(ctx, obj, key, 0, &v);
    if (rc <= 0)
        return rc;
    if (!json_is_object(v)) {
        rc =
            sx_fail(ctx, SUITE_POS_VALUE, "expected an object of strings, got %s", sx_type_name(v));
        goto done;
    }
    *out = lc_calloc(json_object_size(v) + 1, sizeof(char *));
    *n = 0;
    json_object_foreach(v, name, item)
    {
        enum suite_pos where = SUITE_POS_VALUE;
        const char *why = NULL;
        char *val = NULL;
        suite_path_push_key(&ctx->path, name);
        if (!json_is_string(item))
            rc = sx_fail(ctx, SUITE_POS_VALUE, "expected a string, got %s", sx_type_name(item));
        else if (!(val = sx_subst(ctx, json_string_value(item))))
            rc = -1;
        else if ((why = check(name, val, &where)))
            rc = sx_fail(ctx, where, "%s", why);
        else
            (*out)[(*n)++] = lc_asprintf("%s%s%s", name, sep, val);
        free(val);
        suite_path_pop(&ctx->path);
        if (rc < 0)
            goto done;
    }
done:
    suite_path_pop(&ctx->path);
    return rc;
}
