/*
 * suite/suite_target.c: a test's "target" block (a command leakcheck
 * starts, or a pid or pid file to attach to) and its "sample" block (where
 * the metrics come from and how often).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "suite/suite.h"
#include "suite/suite_internal.h"

static const char *const target_keys[] = {"command",       "env",        "cwd", "nofile",   "ready",
                                          "ready_timeout", "stop_grace", "pid", "pid_file", "exits",
                                          "exit_timeout",  "measure",    NULL};
static const char *const sample_keys[] = {"pprof",    "prometheus", "proc",
                                          "interval", "timeout",    NULL};

static const char *env_check(const char *name, const char *value, enum suite_pos *where)
{
    (void)value;
    *where = SUITE_POS_KEY;
    if (name[0] == '\0' || strchr(name, '='))
        return "an environment variable name must be non-empty and contain no '='";
    return NULL;
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
    SX_TRY(has_pid);
    t->pid = (pid_t)pid;
    int has_file = sx_string(ctx, o, "pid_file", 0, &t->pid_file);
    SX_TRY(has_file);
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
        return sx_conflict(ctx, "pid_file", "give either pid or pid_file, not both");
    return has_pid || has_file;
}

/* "exits" and "exit_timeout": a batch job is sampled from its start, so
 * it has no readiness URL; exit_timeout means nothing without exits. */
static int parse_exits(struct suite_ctx *ctx, const json_t *o, struct suite_target *t)
{
    SX_TRY(sx_bool(ctx, o, "exits", &t->exits));
    int has_timeout = sx_duration(ctx, o, "exit_timeout", 300.0, -1, &t->exit_timeout_s);
    SX_TRY(has_timeout);
    if (has_timeout && !t->exits)
        return sx_conflict(ctx, "exit_timeout",
                           "applies only to a target that runs to completion (\"exits\": true)");
    if (t->exits && (t->ready || json_object_get(o, "ready_timeout")))
        return sx_conflict(ctx, t->ready ? "ready" : "ready_timeout",
                           "a target that exits (\"exits\": true) is sampled from its start: "
                           "leave out ready and ready_timeout");
    return 0;
}

/* The port of {"listening": PORT} (the path is at "measure"): an integer,
 * or a string such as "${port}" (0 when validating, where ${port} is 0). */
static int listening_port(struct suite_ctx *ctx, const json_t *m, int *port)
{
    const json_t *v = json_object_get(m, "listening");
    if (!v)
        return sx_fail(ctx, SUITE_POS_VALUE, "expected {\"listening\": PORT}");
    suite_path_push_key(&ctx->path, "listening");
    long p = -1;
    int validating = 0;
    if (json_is_integer(v)) {
        p = (long)json_integer_value(v);
    } else if (json_is_string(v)) {
        char *text = sx_subst(ctx, json_string_value(v)), *end = NULL;
        if (!text) {
            suite_path_pop(&ctx->path);
            return -1;
        }
        validating = ctx->port == 0 && strstr(json_string_value(v), "${port") != NULL;
        p = text[0] >= '0' && text[0] <= '9' ? strtol(text, &end, 10) : -1;
        if (!end || *end != '\0')
            p = -1;
        free(text);
    }
    int rc = 0;
    if (p < 1 - validating || p > 65535)
        rc = sx_fail(ctx, SUITE_POS_VALUE,
                     "expected a TCP port (1 to 65535, or \"${port}\", \"${port:NAME}\")");
    else
        *port = (int)p;
    suite_path_pop(&ctx->path);
    return rc;
}

/* "measure": "auto", "started" or {"listening": PORT}. Returns 0 or -1. */
static int parse_measure(struct suite_ctx *ctx, const json_t *o, struct suite_target *t)
{
    static const char *const words[] = {"auto", "started"};
    static const char *const object_keys[] = {"listening", NULL};
    static const char expected[] = "expected \"auto\", \"started\" or {\"listening\": PORT}";
    const json_t *v = json_object_get(o, "measure");
    if (!v)
        return 0;
    suite_path_push_key(&ctx->path, "measure");
    int rc = 0;
    if (json_is_object(v)) {
        t->measure = SUITE_MEASURE_LISTENING;
        rc = sx_object(ctx, v, object_keys) == 0 ? listening_port(ctx, v, &t->measure_port) : -1;
    } else if (!json_is_string(v)) {
        rc = sx_fail(ctx, SUITE_POS_VALUE, "%s, got %s", expected, sx_type_name(v));
    } else if (strcmp(json_string_value(v), "started") == 0) {
        t->measure = SUITE_MEASURE_STARTED;
    } else if (strcmp(json_string_value(v), "auto") != 0) {
        const char *near = lc_suggest(json_string_value(v), words, LC_ARRAY_LEN(words));
        rc = sx_fail(ctx, SUITE_POS_VALUE, "%s, got \"%s\"%s%s%s", expected, json_string_value(v),
                     near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
    }
    suite_path_pop(&ctx->path);
    return rc;
}

/* Reads the target block o into t (see suite_internal.h). */
int sx_target(struct suite_ctx *ctx, const json_t *o, struct suite_target *t)
{
    static const char *const start_only[] = {"env",   "cwd",          "nofile", "stop_grace",
                                             "exits", "exit_timeout", NULL};
    json_int_t nofile = 0;
    SX_TRY(sx_object(ctx, o, target_keys));
    t->present = 1;
    int has_cmd = parse_command(ctx, o, t);
    SX_TRY(has_cmd);
    int attach = parse_attach(ctx, o, t);
    SX_TRY(attach);
    if (has_cmd && attach)
        return sx_conflict(ctx, json_object_get(o, "pid") ? "pid" : "pid_file",
                           "give either command (to start a process) or pid/pid_file (to attach to "
                           "one), not both");
    if (!has_cmd && !attach)
        return sx_fail(ctx, SUITE_POS_VALUE, "a target needs command, pid or pid_file");
    for (size_t i = 0; attach && start_only[i]; i++)
        if (json_object_get(o, start_only[i]))
            return sx_conflict(ctx, start_only[i],
                               "applies only to a command leakcheck starts, not to pid/pid_file");
    SX_TRY(sx_pairs(ctx, o, "env", "=", env_check, &t->env, &t->nenv));
    int has_cwd = sx_string(ctx, o, "cwd", 0, &t->cwd);
    SX_TRY(has_cwd);
    char *cwd = sx_resolve(ctx, has_cwd ? t->cwd : ".");
    free(t->cwd);
    t->cwd = cwd;
    SX_TRY(sx_posint(ctx, o, "nofile", LONG_MAX, &nofile));
    if (nofile)
        SX_TRY(sx_limit_nofile(ctx, nofile));
    t->nofile = (long)nofile;
    int has_ready = sx_string(ctx, o, "ready", 0, &t->ready);
    SX_TRY(has_ready);
    if (has_ready)
        SX_TRY(sx_url(ctx, "ready", t->ready, 1));
    SX_TRY(sx_duration(ctx, o, "ready_timeout", 10.0, -1, &t->ready_timeout_s));
    SX_TRY(sx_duration(ctx, o, "stop_grace", 5.0, 0, &t->stop_grace_s));
    SX_TRY(parse_exits(ctx, o, t));
    return parse_measure(ctx, o, t);
}

/* Reads the sample block o, or the defaults when NULL, into t->sample (see
 * suite_internal.h). */
int sx_sample(struct suite_ctx *ctx, const json_t *o, struct suite_test *t)
{
    struct suite_sample *s = &t->sample;
    int proc = t->target.present;
    int has;
    /* a batch's peak may last a moment: it is sampled more often */
    double interval = t->target.exits ? 0.05 : 0.25;
    s->proc = proc;
    s->interval_s = interval;
    s->timeout_s = 5.0;
    if (!o)
        return 0;
    SX_TRY(sx_object(ctx, o, sample_keys));
    SX_TRY(has = sx_string(ctx, o, "pprof", 0, &s->pprof));
    if (has) {
        SX_TRY(sx_url(ctx, "pprof", s->pprof, 1));
        /* "…/debug/pprof/" and "…/debug/pprof" name the same base */
        size_t n = strlen(s->pprof);
        while (n > 8 && s->pprof[n - 1] == '/')
            s->pprof[--n] = '\0';
    }
    SX_TRY(has = sx_string(ctx, o, "prometheus", 0, &s->prometheus));
    if (has)
        SX_TRY(sx_url(ctx, "prometheus", s->prometheus, 1));
    SX_TRY(has = sx_bool(ctx, o, "proc", &proc));
    if (has && proc && !t->target.present) {
        suite_path_push_key(&ctx->path, "proc");
        sx_fail(ctx, SUITE_POS_VALUE,
                "sampling /proc needs a target (command, pid or pid_file) in this test");
        suite_path_pop(&ctx->path);
        return -1;
    }
    s->proc = proc;
    if (!proc && t->target.measure != SUITE_MEASURE_AUTO) {
        suite_path_push_key(&ctx->path, "proc");
        sx_fail(ctx, SUITE_POS_VALUE,
                "is false, so the process target.measure names would not be read");
        suite_path_pop(&ctx->path);
        return -1;
    }
    SX_TRY(sx_duration(ctx, o, "interval", interval, 0.010, &s->interval_s));
    SX_TRY(sx_duration(ctx, o, "timeout", 5.0, -1, &s->timeout_s));
    return 0;
}
