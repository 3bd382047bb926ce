/*
 * suite/suite_vars.c: the variables of suite strings.
 *
 *   ${port}                the test's port
 *   ${port:NAME}           another port of the test, picked on first use
 *                          the same way (free, below the ephemeral range,
 *                          unlike every other port of the run)
 *   ${env:NAME}            leakcheck's environment; unset is an error
 *   ${env:NAME:-default}   ... or default when unset (may be empty)
 *   $${                    a literal "${"
 */
#include "suite/suite.h"
#include "suite/suite_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* More is a mistake (or a flood), not a server. */
#define SUITE_MAX_NAMED_PORTS 32
#define SUITE_MAX_VAR_NAME 64

/* 1 when the n bytes at s are a port name: letters, digits, '_' and '-'. */
static int port_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > SUITE_MAX_VAR_NAME)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
            return 0;
    return 1;
}

/* 1 when the n bytes at s are an environment variable's name, as POSIX
 * shells take them: a letter or '_', then letters, digits and '_'. */
static int env_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > SUITE_MAX_VAR_NAME || isdigit((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

/* The port named by the n bytes at name in the current test, picked now
 * when this is its first use. -1 (with ctx->err) when none can be had. */
static int named_port(struct suite_ctx *ctx, const char *name, size_t n)
{
    struct suite_test *t = ctx->test;
    if (!t || ctx->port < 0)
        return sx_fail(ctx, SUITE_POS_VALUE, "${port:%.*s} is only defined inside a test", (int)n,
                       name);
    for (size_t i = 0; i < t->nnamed_ports; i++)
        if (strlen(t->named_ports[i].name) == n && memcmp(t->named_ports[i].name, name, n) == 0)
            return t->named_ports[i].port;
    if (t->nnamed_ports >= SUITE_MAX_NAMED_PORTS)
        return sx_fail(ctx, SUITE_POS_VALUE, "more than %d named ports in one test",
                       SUITE_MAX_NAMED_PORTS);
    int port = ctx->port_cb ? ctx->port_cb(ctx->index, ctx->port_arg) : 0;
    if (port < 0 || port > 65535)
        return sx_fail(ctx, SUITE_POS_VALUE, "no free loopback port for ${port:%.*s}", (int)n,
                       name);
    t->named_ports =
        lc_realloc(t->named_ports, (t->nnamed_ports + 1) * sizeof(*t->named_ports));
    t->named_ports[t->nnamed_ports].name = lc_strndup(name, n);
    t->named_ports[t->nnamed_ports].port = port;
    t->nnamed_ports++;
    return port;
}

/* Appends the value of ${env:SPEC} (SPEC is the n bytes at spec: NAME or
 * NAME:-default) to b. Returns 0, or -1 with ctx->err. */
static int env_var(struct suite_ctx *ctx, const char *spec, size_t n, struct lc_buf *b)
{
    const char *sep = memchr(spec, ':', n);
    size_t nlen = sep ? (size_t)(sep - spec) : n;
    if (sep && (n - nlen < 2 || sep[1] != '-'))
        return sx_fail(ctx, SUITE_POS_VALUE,
                       "\"${env:%.*s}\": a default is written ${env:NAME:-default}",
                       (int)(n > 64 ? 64 : n), spec);
    if (!env_name_ok(spec, nlen))
        return sx_fail(ctx, SUITE_POS_VALUE,
                       "\"${env:%.*s}\": not an environment variable's name (letters, digits "
                       "and '_', not starting with a digit)",
                       (int)(nlen > 64 ? 64 : nlen), spec);
    char *name = lc_strndup(spec, nlen);
    const char *value = getenv(name);
    free(name);
    if (value) {
        lc_buf_puts(b, value);
        return 0;
    }
    if (!sep)
        return sx_fail(ctx, SUITE_POS_VALUE,
                       "environment variable %.*s is not set (give a default with "
                       "${env:%.*s:-default})",
                       (int)nlen, spec, (int)nlen, spec);
    lc_buf_append(b, sep + 2, n - nlen - 2);
    return 0;
}

/* Appends the value of the variable ${VAR} (the n bytes at var) to b.
 * Returns 0, or -1 with ctx->err. */
static int expand(struct suite_ctx *ctx, const char *var, size_t n, struct lc_buf *b)
{
    if (n == 4 && strncmp(var, "port", 4) == 0) {
        if (ctx->port < 0)
            return sx_fail(ctx, SUITE_POS_VALUE, "${port} is only defined inside a test");
        lc_buf_printf(b, "%d", ctx->port);
        return 0;
    }
    if (n > 5 && strncmp(var, "port:", 5) == 0 && port_name_ok(var + 5, n - 5)) {
        int port = named_port(ctx, var + 5, n - 5);
        if (port < 0)
            return -1;
        lc_buf_printf(b, "%d", port);
        return 0;
    }
    if (n > 4 && strncmp(var, "env:", 4) == 0)
        return env_var(ctx, var + 4, n - 4, b);
    return sx_fail(ctx, SUITE_POS_VALUE,
                   "unknown variable \"${%.*s}\" (known: ${port}, ${port:NAME}, ${env:NAME}, "
                   "${env:NAME:-default}; write \"$${\" for a literal \"${\")",
                   (int)(n > 64 ? 64 : n), var);
}

char *sx_subst(struct suite_ctx *ctx, const char *s)
{
    struct lc_buf b = {0};
    lc_buf_puts(&b, "");
    for (const char *p = s; *p;) {
        if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
            lc_buf_puts(&b, "${");
            p += 3;
        } else if (p[0] == '$' && p[1] == '{') {
            const char *end = strchr(p + 2, '}');
            if (!end) {
                sx_fail(ctx, SUITE_POS_VALUE,
                        "unterminated \"${\" (write \"$${\" for a literal \"${\")");
                goto fail;
            }
            if (expand(ctx, p + 2, (size_t)(end - p - 2), &b) != 0)
                goto fail;
            p = end + 1;
        } else {
            lc_buf_append(&b, p, 1);
            p++;
        }
    }
    return b.data;
fail:
    lc_buf_free(&b);
    return NULL;
}
