/* common/buf.c: a growable, NUL-terminated byte buffer. */
#include "common/lc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(struct lc_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    lc_grow((void **)&b->data, &b->cap, need, 1);
}

void lc_buf_append(struct lc_buf *b, const void *data, size_t n)
{
    reserve(b, n);
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void lc_buf_puts(struct lc_buf *b, const char *s)
{
    lc_buf_append(b, s, strlen(s));
}

void lc_buf_vprintf(struct lc_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n <= 0) {
        reserve(b, 0);
        b->data[b->len] = '\0';
        return;
    }
    reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void lc_buf_printf(struct lc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lc_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void lc_buf_reset(struct lc_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void lc_buf_free(struct lc_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
