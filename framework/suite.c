/*
 * framework/suite.c: loading a suite file (format v1, JSON) into struct
 * suite: the document, its tests, and each test's target, sampling and load.
 *
 * Strings: "${port}" becomes the test's port; "$${" is the escape for a
 * literal "${" (so "$${port}" stays "${port}"); a lone "$" or "$$" not
 * followed by "{" is kept as written, so shell text like "$HOME" or "$$"
 * passes through. Any other "${name}" is an error.
 */
#include "framework/suite.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "framework/suite_internal.h"

/* A suite file is small; anything bigger is a mistake. */
#define SUITE_MAX_BYTES (16u << 20)
/* A request body read from body_file is sent as is, so keep it sane. */
#define SUITE_MAX_BODY (64u << 20)

static const char *const suite_keys[] = {"suite", "tests", "compare", NULL};
static const char *const test_keys[] = {"name",    "target", "sample", "baseline", "load",
                                        "observe", "settle", "assert", "ignore",   NULL};
static const char *const ignore_keys[] = {"top_function", "any_function", NULL};
static const char *const target_keys[] = {"command",       "env",        "cwd", "nofile",   "ready",
                                          "ready_timeout", "stop_grace", "pid", "pid_file", NULL};
static const char *const sample_keys[] = {"pprof",    "prometheus", "proc",
                                          "interval", "timeout",    NULL};
static const char *const load_keys[] = {
    "url",      "method", "headers", "body",    "body_file",    "concurrency", "requests",
    "duration", "rate",   "threads", "timeout", "requests_mix", "stages",      "disable_keepalive",
    NULL};

/* Runs a reader and returns -1 from the caller when it fails. */
#define TRY(expr)                                                                                  \
    do {                                                                                           \
        if ((expr) < 0)                                                                            \
            return -1;                                                                             \
    } while (0)

/* Reports, at key `key` of the current object, that it cannot be given
 * together with what `why` names. */
static int conflict(struct suite_ctx *ctx, const char *key, const char *why)
{
    suite_path_push_key(&ctx->path, key);
    sx_fail(ctx, SUITE_POS_KEY, "%s", why);
    suite_path_pop(&ctx->path);
    return -1;
}

static const char *env_check(const char *name, const char *value, enum suite_pos *where)
{
    (void)value;
    *where = SUITE_POS_KEY;
    if (name[0] == '\0' || strchr(name, '='))
        return "an environment variable name must be non-empty and contain no '='";
    return NULL;
}

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

/* Checks that the string at key of the current object is a URL that can be
 * fetched: http only for the load generator, https too for curl. */
static int url_check(struct suite_ctx *ctx, const char *key, const char *url, int https_ok)
{
    if (strncmp(url, "http://", 7) == 0 || (https_ok && strncmp(url, "https://", 8) == 0))
        return 0;
    suite_path_push_key(&ctx->path, key);
    sx_fail(ctx, SUITE_POS_VALUE, "expected an %s URL, got \"%s\"",
            https_ok ? "http:// or https://" : "http://", url);
    suite_path_pop(&ctx->path);
    return -1;
}

static int parse_command(struct suite_ctx *ctx, const json_t *o, struct suite_target *t)
{
    int rc = sx_strings(ctx, o, "command", 1, &t->command, &t->ncommand);
    if (rc <= 0)
        return rc;
    if (t->command[0][0] == '\0') {
        suite_path_push_key(&ctx->path, "command");
        suite_path_push_index(&ctx->path, 0);
        sx_fail(ctx, SUITE_POS_VALUE, "the program name must not be empty");
        ctx->path.depth -= 2;
        return -1;
    }
    /* "./svc" means next to the suite; a bare "go" is found in PATH later */
    if (strchr(t->command[0], '/')) {
        char *abs = sx_resolve(ctx, t->command[0]);
        free(t->command[0]);
        t->command[0] = abs;
    }
    return 1;
}

static int parse_attach(struct suite_ctx *ctx, const json_t *o, struct suite_target *t)
{
    json_int_t pid = 0;
    int has_pid = sx_posint(ctx, o, "pid", INT_MAX, &pid);
    TRY(has_pid);
    t->pid = (pid_t)pid;
    int has_file = sx_string(ctx, o, "pid_file", 0, &t->pid_file);
    TRY(has_file);
    if (has_file && t->pid_file[0] == '\0') {
        suite_path_push_key(&ctx->path, "pid_file");
        sx_fail(ctx, SUITE_POS_VALUE, "must not be empty");
        suite_path_pop(&ctx->path);
        return -1;
    }
    if (has_file) {
        char *abs = sx_resolve(ctx, t->pid_file);
        free(t->pid_file);
        t->pid_file = abs;
    }
    if (has_pid && has_file)
        return conflict(ctx, "pid_file", "give either pid or pid_file, not both");
    return has_pid || has_file;
}

static int parse_target(struct suite_ctx *ctx, const json_t *o, struct suite_target *t)
{
    static const char *const start_only[] = {"env", "cwd", "nofile", "stop_grace", NULL};
    json_int_t nofile = 0;
    TRY(sx_object(ctx, o, target_keys));
    t->present = 1;
    int has_cmd = parse_command(ctx, o, t);
    TRY(has_cmd);
    int attach = parse_attach(ctx, o, t);
    TRY(attach);
    if (has_cmd && attach)
        return conflict(ctx, json_object_get(o, "pid") ? "pid" : "pid_file",
                        "give either command (to start a process) or pid/pid_file (to attach to "
                        "one), not both");
    if (!has_cmd && !attach)
        return sx_fail(ctx, SUITE_POS_VALUE, "a target needs command, pid or pid_file");
    for (size_t i = 0; attach && start_only[i]; i++)
        if (json_object_get(o, start_only[i]))
            return conflict(ctx, start_only[i],
                            "applies only to a command leakcheck starts, not to pid/pid_file");
    TRY(sx_pairs(ctx, o, "env", "=", env_check, &t->env, &t->nenv));
    int has_cwd = sx_string(ctx, o, "cwd", 0, &t->cwd);
    TRY(has_cwd);
    char *cwd = sx_resolve(ctx, has_cwd ? t->cwd : ".");
    free(t->cwd);
    t->cwd = cwd;
    TRY(sx_posint(ctx, o, "nofile", LONG_MAX, &nofile));
    t->nofile = (long)nofile;
    int has_ready = sx_string(ctx, o, "ready", 0, &t->ready);
    TRY(has_ready);
    if (has_ready)
        TRY(url_check(ctx, "ready", t->ready, 1));
    TRY(sx_duration(ctx, o, "ready_timeout", 10.0, -1, &t->ready_timeout_s));
    TRY(sx_duration(ctx, o, "stop_grace", 5.0, 0, &t->stop_grace_s));
    return 0;
}

static int parse_sample(struct suite_ctx *ctx, const json_t *o, struct suite_test *t)
{
    struct suite_sample *s = &t->sample;
    int proc = t->target.present;
    int has;
    s->proc = proc;
    s->interval_s = 0.25;
    s->timeout_s = 5.0;
    if (!o)
        return 0;
    TRY(sx_object(ctx, o, sample_keys));
    TRY(has = sx_string(ctx, o, "pprof", 0, &s->pprof));
    if (has) {
        TRY(url_check(ctx, "pprof", s->pprof, 1));
        /* "…/debug/pprof/" and "…/debug/pprof" name the same base */
        size_t n = strlen(s->pprof);
        while (n > 8 && s->pprof[n - 1] == '/')
            s->pprof[--n] = '\0';
    }
    TRY(has = sx_string(ctx, o, "prometheus", 0, &s->prometheus));
    if (has)
        TRY(url_check(ctx, "prometheus", s->prometheus, 1));
    TRY(has = sx_bool(ctx, o, "proc", &proc));
    if (has && proc && !t->target.present) {
        suite_path_push_key(&ctx->path, "proc");
        sx_fail(ctx, SUITE_POS_VALUE,
                "sampling /proc needs a target (command, pid or pid_file) in this test");
        suite_path_pop(&ctx->path);
        return -1;
    }
    s->proc = proc;
    TRY(sx_duration(ctx, o, "interval", 0.25, 0.010, &s->interval_s));
    TRY(sx_duration(ctx, o, "timeout", 5.0, -1, &s->timeout_s));
    return 0;
}

static int parse_method(struct suite_ctx *ctx, const json_t *o, struct suite_load *l)
{
    int has = sx_string(ctx, o, "method", 0, &l->method);
    TRY(has);
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
    TRY(has_body);
    if (has_body)
        l->body_len = strlen(l->body);
    int has_file = sx_string(ctx, o, "body_file", 0, &file);
    TRY(has_file);
    if (!has_file)
        return 0;
    char *abs = sx_resolve(ctx, file);
    free(file);
    if (has_body) {
        free(abs);
        return conflict(ctx, "body_file", "give either body or body_file, not both");
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

int sx_load_request(struct suite_ctx *ctx, const json_t *o, struct suite_load *l)
{
    TRY(sx_string(ctx, o, "url", 1, &l->url));
    TRY(url_check(ctx, "url", l->url, 0));
    TRY(parse_method(ctx, o, l));
    TRY(parse_headers(ctx, o, l));
    return parse_body(ctx, o, l);
}

static int parse_load(struct suite_ctx *ctx, const json_t *o, struct suite_load *l)
{
    json_int_t conc = 10, threads = 0, requests = 0;
    TRY(sx_object(ctx, o, load_keys));
    l->present = 1;
    int has_mix = sx_load_mix(ctx, o, l);
    TRY(has_mix);
    if (!has_mix)
        TRY(sx_load_request(ctx, o, l));
    TRY(sx_posint(ctx, o, "concurrency", 1000000, &conc));
    l->concurrency = (unsigned)conc;
    TRY(sx_posint(ctx, o, "requests", LLONG_MAX, &requests));
    l->requests = (uint64_t)requests;
    TRY(sx_duration(ctx, o, "duration", 0, -1, &l->duration_s));
    int has_stages = sx_load_stages(ctx, o, l);
    TRY(has_stages);
    if (l->requests == 0 && l->duration_s == 0 && !has_stages)
        return sx_fail(ctx, SUITE_POS_VALUE,
                       "give requests, duration or both (the load stops at whichever ends first), "
                       "or stages");
    TRY(sx_posnum(ctx, o, "rate", &l->rate));
    TRY(sx_posint(ctx, o, "threads", 1024, &threads));
    l->threads = (unsigned)threads;
    TRY(sx_duration(ctx, o, "timeout", 20.0, -1, &l->timeout_s));
    TRY(sx_bool(ctx, o, "disable_keepalive", &l->disable_keepalive));
    return 0;
}

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
    return parse_target(ctx, v, out);
}

static int part_load(struct suite_ctx *ctx, const json_t *v, void *out)
{
    return parse_load(ctx, v, out);
}

/* "ignore": {"top_function": [...], "any_function": [...]}: function names,
 * none empty. */
static int part_ignore(struct suite_ctx *ctx, const json_t *v, void *out)
{
    struct suite_ignore *ig = out;
    TRY(sx_object(ctx, v, ignore_keys));
    TRY(sx_strings(ctx, v, "top_function", 0, &ig->top_function, &ig->ntop_function));
    TRY(sx_strings(ctx, v, "any_function", 0, &ig->any_function, &ig->nany_function));
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

static int parse_test(struct suite_ctx *ctx, const json_t *o, struct suite_test *t)
{
    int col;
    TRY(sx_object(ctx, o, test_keys));
    suite_json_locate(ctx->text, ctx->len, &ctx->path, SUITE_POS_VALUE, &t->line, &col);
    TRY(sx_string(ctx, o, "name", 1, &t->name));
    t->target.ready_timeout_s = 10.0;
    t->target.stop_grace_s = 5.0;
    TRY(parse_part(ctx, o, "target", part_target, &t->target));
    if (!t->target.cwd)
        t->target.cwd = lc_strdup(ctx->dir);
    json_t *sample = json_object_get(o, "sample");
    if (sample)
        suite_path_push_key(&ctx->path, "sample");
    int rc = parse_sample(ctx, sample, t);
    if (sample)
        suite_path_pop(&ctx->path);
    TRY(rc);
    TRY(sx_duration(ctx, o, "baseline", 1.0, 0, &t->baseline_s));
    TRY(parse_part(ctx, o, "load", part_load, &t->load));
    TRY(sx_duration(ctx, o, "observe", 0, 0, &t->observe_s));
    TRY(sx_duration(ctx, o, "settle", 0, 0, &t->settle_s));
    TRY(sx_strings(ctx, o, "assert", 0, &t->asserts, &t->nasserts));
    TRY(parse_part(ctx, o, "ignore", part_ignore, &t->ignore));
    return 0;
}

static int check_unique_names(struct suite_ctx *ctx, const struct suite *s)
{
    for (size_t i = 1; i < s->ntests; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(s->tests[i].name, s->tests[j].name) != 0)
                continue;
            suite_path_push_index(&ctx->path, i);
            suite_path_push_key(&ctx->path, "name");
            sx_fail(ctx, SUITE_POS_VALUE, "duplicate test name \"%s\" (tests[%zu] has it too)",
                    s->tests[i].name, j);
            ctx->path.depth -= 2;
            return -1;
        }
    }
    return 0;
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
        if (ctx->port < 0 || ctx->port > 65535)
            return sx_fail(ctx, SUITE_POS_VALUE, "no free loopback port for this test");
        TRY(parse_test(ctx, json_array_get(tests, i), &s->tests[i]));
        suite_path_pop(&ctx->path);
    }
    return check_unique_names(ctx, s);
}

static int parse_suite(struct suite_ctx *ctx, const json_t *root, struct suite *s,
                       suite_port_cb *port_cb, void *arg)
{
    TRY(sx_object(ctx, root, suite_keys));
    /* ${port} belongs to a test; at the top level it is an error */
    ctx->port = -1;
    TRY(sx_string(ctx, root, "suite", 1, &s->name));
    TRY(sx_compare(ctx, root, &s->compare, &s->ncompare));
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
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        lc_error_at(err, jerr.line, jerr.column, "invalid JSON: %s", jerr.text);
        goto cleanup;
    }
    s = lc_calloc(1, sizeof(*s));
    s->path = lc_strdup(path);
    s->dir = suite_dir(path, err);
    if (!s->dir)
        goto fail;
    struct suite_ctx ctx = {.text = text, .len = len, .dir = s->dir, .err = err};
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

static void free_test(struct suite_test *t)
{
    free(t->name);
    sx_free_strings(t->target.command, t->target.ncommand);
    sx_free_strings(t->target.env, t->target.nenv);
    free(t->target.cwd);
    free(t->target.pid_file);
    free(t->target.ready);
    free(t->sample.pprof);
    free(t->sample.prometheus);
    free(t->load.url);
    free(t->load.method);
    for (size_t i = 0; i < t->load.nheaders; i++)
        free(t->load.headers[i].name);
    free(t->load.headers);
    free(t->load.body);
    sx_load_extra_free(&t->load);
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
    free(s->name);
    free(s->path);
    free(s->dir);
    free(s);
}
