/*
 * suite/suite.c: loading a suite file (format v1, JSON) into struct
 * suite: the document, its tests, where each assertion is written, and the
 * warnings. Each test's target and sample blocks are read in
 * suite_target.c, its load block in suite_request.c and suite_mix.c.
 *
 * Strings: "${port}" becomes the test's port (suite_vars.c has the other
 * variables); "$${" is the escape for a
 * literal "${" (so "$${port}" stays "${port}"); a lone "$" or "$$" not
 * followed by "{" is kept as written, so shell text like "$HOME" or "$$"
 * passes through. Any other "${name}" is an error.
 */
#include "suite/suite.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "suite/suite_internal.h"

/* A suite file is small; anything bigger is a mistake. */
#define SUITE_MAX_BYTES (16u << 20)

/* "$schema" names the JSON Schema an editor checks the file with
 * (suites/suite.schema.json); leakcheck reads it only to see it is a string. */
static const char *const suite_keys[] = {"suite", "tests", "compare", "$schema", "checkpoint",
                                         NULL};
static const char *const test_keys[] = {"name",    "target", "sample", "baseline", "load",
                                        "observe", "settle", "assert", "ignore",   "warmup", NULL};
static const char *const ignore_keys[] = {"top_function", "any_function", NULL};

/* Parses the member `key` of test object o with fn, when it is there. */
static int parse_part(struct suite_ctx *ctx, const json_t *o, const char *key,
                      int (*fn)(struct suite_ctx *, const json_t *, void *), void *out)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    suite_path_push_key(&ctx->path, key);
    int rc = fn(ctx, v, out);
    suite_path_pop(&ctx->path);
    return rc;
}

static int part_target(struct suite_ctx *ctx, const json_t *v, void *out)
{
    return sx_target(ctx, v, out);
}

static int part_load(struct suite_ctx *ctx, const json_t *v, void *out)
{
    return sx_load(ctx, v, out);
}

/* "ignore": {"top_function": [...], "any_function": [...]}: function names,
 * none empty. */
static int part_ignore(struct suite_ctx *ctx, const json_t *v, void *out)
{
    struct suite_ignore *ig = out;
    SX_TRY(sx_object(ctx, v, ignore_keys));
    SX_TRY(sx_strings(ctx, v, "top_function", 0, &ig->top_function, &ig->ntop_function));
    SX_TRY(sx_strings(ctx, v, "any_function", 0, &ig->any_function, &ig->nany_function));
    for (int k = 0; k < 2; k++) {
        char **names = k ? ig->any_function : ig->top_function;
        for (size_t i = 0; names && names[i]; i++) {
            if (names[i][0] != '\0')
                continue;
            suite_path_push_key(&ctx->path, ignore_keys[k]);
            suite_path_push_index(&ctx->path, i);
            sx_fail(ctx, SUITE_POS_VALUE, "a function name must not be empty");
            ctx->path.depth -= 2;
            return -1;
        }
    }
    return 0;
}

/* Finds each assertion of test object o in the text (the path is at the
 * test), so that a fault in one can be shown where it is written. */
static void locate_asserts(struct suite_ctx *ctx, const json_t *o, struct suite_test *t)
{
    const json_t *list = json_object_get(o, "assert");
    if (t->nasserts == 0)
        return;
    t->assert_pos = lc_calloc(t->nasserts, sizeof(*t->assert_pos));
    suite_path_push_key(&ctx->path, "assert");
    for (size_t k = 0; k < t->nasserts; k++) {
        struct suite_text_pos *p = &t->assert_pos[k];
        suite_path_push_index(&ctx->path, k);
        suite_json_string_cols_m(&ctx->memo, ctx->text, ctx->len, &ctx->path, &p->line, &p->col, &p->cols,
                               &p->ncols);
        suite_path_pop(&ctx->path);
        /* ${port} moved what follows it: then only the start is known */
        const char *raw = json_string_value(json_array_get(list, k));
        if (p->cols &&
            (!raw || strcmp(raw, t->asserts[k]) != 0 || p->ncols != strlen(t->asserts[k]) + 1)) {
            free(p->cols);
            p->cols = NULL;
            p->ncols = 0;
        }
    }
    suite_path_pop(&ctx->path);
}

/* Warns about test i (the path is at it, object o) when it has no
 * assertions: a suite with a compare object is meant for run --compare,
 * which adds some, so the warning says so. */
static void warn_no_asserts(struct suite_ctx *ctx, const json_t *o, struct suite *s, size_t i)
{
    const struct suite_test *t = &s->tests[i];
    struct suite_warning w = {.kind = SUITE_WARN_NO_ASSERTIONS, .test = i};
    /* a target that exits is judged on its exit status at least */
    if (t->nasserts > 0 || t->target.exits)
        return;
    w.line = t->line;
    w.col = t->col;
    if (json_object_get(o, "assert")) {
        /* an empty list: point at it */
        suite_path_push_key(&ctx->path, "assert");
        suite_json_locate_m(&ctx->memo, ctx->text, ctx->len, &ctx->path, SUITE_POS_VALUE, &w.line, &w.col);
        suite_path_pop(&ctx->path);
    }
    w.msg = lc_asprintf("test \"%s\" has no assertions: %sit passes unless its target or a "
                        "source fails",
                        t->name, s->ncompare ? "without run --compare " : "");
    s->warnings = lc_realloc(s->warnings, (s->nwarnings + 1) * sizeof(*s->warnings));
    s->warnings[s->nwarnings++] = w;
}

/* A target that exits is judged on its own run, from start to exit: the
 * phases that wait for time to pass or drive a service do not apply. */
static int check_batch(struct suite_ctx *ctx, const json_t *o)
{
    static const char *const not_batch[] = {"load", "observe", "settle", NULL};
    for (size_t i = 0; not_batch[i]; i++)
        if (json_object_get(o, not_batch[i]))
            return sx_conflict(ctx, not_batch[i],
                               "a target that exits (\"exits\": true) is sampled until it exits: "
                               "it takes no load, observe or settle");
    return 0;
}

static int parse_test(struct suite_ctx *ctx, const json_t *o, struct suite_test *t)
{
    SX_TRY(sx_object(ctx, o, test_keys));
    suite_json_locate_m(&ctx->memo, ctx->text, ctx->len, &ctx->path, SUITE_POS_VALUE, &t->line, &t->col);
    SX_TRY(sx_string(ctx, o, "name", 1, &t->name));
    t->target.ready_timeout_s = 10.0;
    t->target.stop_grace_s = 5.0;
    SX_TRY(parse_part(ctx, o, "target", part_target, &t->target));
    if (!t->target.cwd)
        t->target.cwd = lc_strdup(ctx->dir);
    json_t *sample = json_object_get(o, "sample");
    if (sample)
        suite_path_push_key(&ctx->path, "sample");
    int rc = sx_sample(ctx, sample, t);
    if (sample)
        suite_path_pop(&ctx->path);
    SX_TRY(rc);
    if (t->target.exits)
        SX_TRY(check_batch(ctx, o));
    SX_TRY(sx_duration(ctx, o, "baseline", t->target.exits ? 0 : 1.0, 0, &t->baseline_s));
    SX_TRY(parse_part(ctx, o, "load", part_load, &t->load));
    SX_TRY(sx_duration(ctx, o, "observe", 0, 0, &t->observe_s));
    SX_TRY(sx_duration(ctx, o, "settle", 0, 0, &t->settle_s));
    SX_TRY(sx_duration(ctx, o, "warmup", -1, 0, &t->warmup_s));
    SX_TRY(sx_strings(ctx, o, "assert", 0, &t->asserts, &t->nasserts));
    locate_asserts(ctx, o, t);
    SX_TRY(parse_part(ctx, o, "ignore", part_ignore, &t->ignore));
    return 0;
}

struct named {
    const char *name;
    size_t index;
};

static int by_name_cmp(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : x->index < y->index ? -1 : x->index > y->index;
}

/* Sorted by name, not pairwise: 100,000 tests are checked at once. The
 * fault named is the first test whose name an earlier one has. */
static int check_unique_names(struct suite_ctx *ctx, const struct suite *s)
{
    struct named *v = lc_calloc(s->ntests ? s->ntests : 1, sizeof(*v));
    for (size_t i = 0; i < s->ntests; i++)
        v[i] = (struct named){s->tests[i].name, i};
    qsort(v, s->ntests, sizeof(*v), by_name_cmp);
    size_t i = SIZE_MAX, j = 0;
    for (size_t k = 1; k < s->ntests; k++)
        if (strcmp(v[k].name, v[k - 1].name) == 0 && (k < 2 || strcmp(v[k - 1].name, v[k - 2].name) != 0) &&
            v[k].index < i) {
            i = v[k].index;
            j = v[k - 1].index;
        }
    free(v);
    if (i == SIZE_MAX)
        return 0;
    suite_path_push_index(&ctx->path, i);
    suite_path_push_key(&ctx->path, "name");
    sx_fail(ctx, SUITE_POS_VALUE, "duplicate test name \"%s\" (tests[%zu] has it too)",
            s->tests[i].name, j);
    ctx->path.depth -= 2;
    return -1;
}

static int parse_tests(struct suite_ctx *ctx, const json_t *root, struct suite *s,
                       suite_port_cb *port_cb, void *arg)
{
    json_t *tests = json_object_get(root, "tests");
    if (!tests)
        return sx_fail(ctx, SUITE_POS_VALUE, "missing required key \"tests\"");
    suite_path_push_key(&ctx->path, "tests");
    if (!json_is_array(tests))
        return sx_fail(ctx, SUITE_POS_VALUE, "expected an array of tests, got %s",
                       sx_type_name(tests));
    if (json_array_size(tests) == 0)
        return sx_fail(ctx, SUITE_POS_VALUE, "must hold at least one test");
    s->ntests = json_array_size(tests);
    s->tests = lc_calloc(s->ntests, sizeof(*s->tests));
    for (size_t i = 0; i < s->ntests; i++) {
        suite_path_push_index(&ctx->path, i);
        ctx->port = port_cb ? port_cb(i, arg) : 0;
        s->tests[i].port = ctx->port;
        ctx->test = &s->tests[i];
        ctx->index = i;
        ctx->port_cb = port_cb;
        ctx->port_arg = arg;
        if (ctx->port < 0 || ctx->port > 65535)
            return sx_fail(ctx, SUITE_POS_VALUE, "no free loopback port for this test");
        SX_TRY(parse_test(ctx, json_array_get(tests, i), &s->tests[i]));
        warn_no_asserts(ctx, json_array_get(tests, i), s, i);
        suite_path_pop(&ctx->path);
    }
    ctx->test = NULL;
    return check_unique_names(ctx, s);
}

/* "checkpoint": a duration of at least SUITE_CHECKPOINT_MIN_S, or "off"
 * or "0" (none). */
static int sx_checkpoint(struct suite_ctx *ctx, const json_t *root, struct suite *s)
{
    const json_t *v = json_object_get(root, "checkpoint");
    s->checkpoint_s = -1;
    if (json_is_string(v) && strcmp(json_string_value(v), "off") == 0) {
        s->checkpoint_s = 0;
        return 0;
    }
    SX_TRY(sx_duration(ctx, root, "checkpoint", -1, 0, &s->checkpoint_s));
    if (s->checkpoint_s > 0 && s->checkpoint_s < SUITE_CHECKPOINT_MIN_S) {
        suite_path_push_key(&ctx->path, "checkpoint");
        return sx_fail(ctx, SUITE_POS_VALUE,
                       "must be at least %gms (or \"off\"): a checkpoint rewrites every report",
                       SUITE_CHECKPOINT_MIN_S * 1e3);
    }
    return 0;
}

static int parse_suite(struct suite_ctx *ctx, const json_t *root, struct suite *s,
                       suite_port_cb *port_cb, void *arg)
{
    SX_TRY(sx_object(ctx, root, suite_keys));
    /* taken as written: no variable in it is expanded */
    const json_t *schema = json_object_get(root, "$schema");
    if (schema && !json_is_string(schema)) {
        suite_path_push_key(&ctx->path, "$schema");
        sx_fail(ctx, SUITE_POS_VALUE, "expected a string (a JSON Schema's URL or path), got %s",
                sx_type_name(schema));
        suite_path_pop(&ctx->path);
        return -1;
    }
    /* ${port} belongs to a test; at the top level it is an error */
    ctx->port = -1;
    SX_TRY(sx_string(ctx, root, "suite", 1, &s->name));
    SX_TRY(sx_compare(ctx, root, &s->compare, &s->ncompare));
    SX_TRY(sx_checkpoint(ctx, root, s));
    return parse_tests(ctx, root, s, port_cb, arg);
}

/* The absolute directory that holds path, or NULL with err. */
static char *suite_dir(const char *path, struct lc_error *err)
{
    const char *slash = strrchr(path, '/');
    char *dir =
        slash ? lc_strndup(path, slash == path ? 1 : (size_t)(slash - path)) : lc_strdup(".");
    char *abs = realpath(dir, NULL);
    if (!abs)
        lc_error_set(err, "cannot resolve the directory of %s: %s", path, strerror(errno));
    free(dir);
    return abs;
}

struct suite *suite_load(const char *path, suite_port_cb *port_cb, void *arg, struct lc_error *err)
{
    struct suite *s = NULL;
    json_t *root = NULL;
    json_error_t jerr;
    size_t len = 0;
    char *text = lc_read_file(path, SUITE_MAX_BYTES, &len, err);
    if (!text)
        goto cleanup;
    /* a UTF-8 byte order mark (Windows editors write one) is not JSON:
     * read what follows it, as the positions in messages then count */
    const char *body = text;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        body += 3;
        len -= 3;
    }
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        lc_error_at(err, jerr.line, jerr.column, "invalid JSON: %s", jerr.text);
        goto cleanup;
    }
    s = lc_calloc(1, sizeof(*s));
    s->path = lc_strdup(path);
    s->dir = suite_dir(path, err);
    if (!s->dir)
        goto fail;
    struct suite_ctx ctx = {.text = body, .len = len, .dir = s->dir, .err = err};
    if (parse_suite(&ctx, root, s, port_cb, arg) == 0)
        goto cleanup;
fail:
    suite_free(s);
    s = NULL;
cleanup:
    json_decref(root);
    free(text);
    return s;
}

void suite_assert_where(const struct suite_test *t, size_t k, int col, int *line, int *fcol)
{
    const struct suite_text_pos *p = t->assert_pos && k < t->nasserts ? &t->assert_pos[k] : NULL;
    *line = t->line;
    *fcol = 0;
    if (!p || p->line <= 0)
        return;
    *line = p->line;
    if (!p->cols) {
        *fcol = p->col + 1;
        return;
    }
    size_t i = col < 1 ? 0 : (size_t)col - 1;
    *fcol = p->cols[i < p->ncols ? i : p->ncols - 1];
}

static void free_test(struct suite_test *t)
{
    free(t->name);
    for (size_t i = 0; i < t->nnamed_ports; i++)
        free(t->named_ports[i].name);
    free(t->named_ports);
    sx_free_strings(t->target.command, t->target.ncommand);
    sx_free_strings(t->target.env, t->target.nenv);
    free(t->target.cwd);
    free(t->target.pid_file);
    free(t->target.ready);
    free(t->sample.pprof);
    free(t->sample.prometheus);
    free(t->load.url);
    free(t->load.cacert);
    free(t->load.grpc_method);
    free(t->load.method);
    for (size_t i = 0; i < t->load.nheaders; i++)
        free(t->load.headers[i].name);
    free(t->load.headers);
    free(t->load.body);
    sx_load_extra_free(&t->load);
    for (size_t k = 0; t->assert_pos && k < t->nasserts; k++)
        free(t->assert_pos[k].cols);
    free(t->assert_pos);
    sx_free_strings(t->asserts, t->nasserts);
    sx_free_strings(t->ignore.top_function, t->ignore.ntop_function);
    sx_free_strings(t->ignore.any_function, t->ignore.nany_function);
}

void suite_free(struct suite *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ntests; i++)
        free_test(&s->tests[i]);
    free(s->tests);
    for (size_t i = 0; s->compare && i < s->ncompare; i++)
        free(s->compare[i].metric);
    free(s->compare);
    for (size_t i = 0; i < s->nwarnings; i++)
        free(s->warnings[i].msg);
    free(s->warnings);
    free(s->name);
    free(s->path);
    free(s->dir);
    free(s);
}
