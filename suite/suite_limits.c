/*
 * suite/suite_limits.c: ceilings on a suite's numbers (concurrency,
 * rates, request counts, descriptor limits), each refused with the reason
 * when the suite is read rather than found out mid-run.
 */
#include <stdarg.h>
#include <stdio.h>

#include "common/fdlimit.h"
#include "suite/suite.h"
#include "suite/suite_internal.h"

/* The most requests a load may ask for: more than a year at the highest rate. */
#define SUITE_MAX_REQUESTS 30000000000000ll

/* Fails at the value of key of the current object with the message. */
static int fail_at(struct suite_ctx *ctx, const char *key, const char *fmt, ...) LC_PRINTF(3, 4);

static int fail_at(struct suite_ctx *ctx, const char *key, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    suite_path_push_key(&ctx->path, key);
    sx_fail(ctx, SUITE_POS_VALUE, "%s", msg);
    suite_path_pop(&ctx->path);
    return -1;
}

int sx_limit_count(struct suite_ctx *ctx, const char *key, json_int_t v)
{
    if (key[0] == 'c' && v > (json_int_t)LC_MAX_CONCURRENCY)
        return fail_at(ctx, key,
                       "%" JSON_INTEGER_FORMAT " connections is above the ceiling of %u: one "
                       "client address has about 28,000 to 64,000 local ports for connections to "
                       "one server port, and each connection costs leakcheck a descriptor and "
                       "buffers",
                       v, LC_MAX_CONCURRENCY);
    if (key[0] == 'r' && v > SUITE_MAX_REQUESTS)
        return fail_at(ctx, key,
                       "%" JSON_INTEGER_FORMAT " requests is above the ceiling of %lld (more than "
                       "a year at the highest rate); give a duration instead",
                       v, SUITE_MAX_REQUESTS);
    return 0;
}

int sx_limit_rate(struct suite_ctx *ctx, const char *key, double rate)
{
    if (rate <= LC_MAX_RATE)
        return 0;
    return fail_at(ctx, key,
                   "%g requests/s is above the ceiling of %g/s: one load generator cannot send "
                   "that many, and the schedule would only mean \"as fast as possible\" (leave "
                   "rate out for that: the closed model)",
                   rate, LC_MAX_RATE);
}

int sx_limit_fds(struct suite_ctx *ctx, const struct suite_load *l)
{
    unsigned long need = fdlimit_need(l->concurrency, l->requests, l->threads);
    unsigned long hard = fdlimit_hard();
    if (need <= hard)
        return 0;
    return fail_at(ctx, "concurrency",
                   "%u connections need about %lu file descriptors (one per connection and %lu "
                   "of leakcheck's own), but leakcheck's hard limit is %lu (ulimit -Hn): lower "
                   "concurrency or raise the hard limit",
                   l->concurrency, need,
                   need - (l->requests && l->requests < l->concurrency ? (unsigned long)l->requests
                                                                       : l->concurrency),
                   hard);
}

int sx_limit_nofile(struct suite_ctx *ctx, json_int_t nofile)
{
    char buf[300];
    const char *why = fdlimit_check_nofile((unsigned long)nofile, buf, sizeof(buf));
    return why ? fail_at(ctx, "nofile", "%s", why) : 0;
}
