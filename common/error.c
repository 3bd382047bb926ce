/* common/error.c: filling struct lc_error. */
#include "common/lc.h"

#include <stdio.h>
#include <string.h>

static void verr(struct lc_error *err, int line, int col, const char *fmt, va_list ap)
{
    if (!err)
        return;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    err->line = line;
    err->col = col;
}

void lc_error_set(struct lc_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(err, 0, 0, fmt, ap);
    va_end(ap);
}

void lc_error_at(struct lc_error *err, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(err, line, col, fmt, ap);
    va_end(ap);
}

void lc_error_prefix(struct lc_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[512];
    char old[sizeof(err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    /* a message cut short is still better than none */
    if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) < 0)
        err->msg[0] = '\0';
}
