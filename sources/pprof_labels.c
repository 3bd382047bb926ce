/*
 * sources/pprof_labels.c: reading the "# labels: {...}" text of a
 * goroutine profile record. Go writes it with fmt's %q for keys and values
 * (runtime/pprof labelMap.String), sorted, joined by ", ".
 */
#include "sources/pprof.h"

#include <stdlib.h>
#include <string.h>

/* Appends code point u as UTF-8. */
static void put_utf8(struct lc_buf *b, unsigned long u)
{
    unsigned char o[4];
    size_t n;
    if (u < 0x80) {
        o[0] = (unsigned char)u;
        n = 1;
    } else if (u < 0x800) {
        o[0] = (unsigned char)(0xc0 | (u >> 6));
        o[1] = (unsigned char)(0x80 | (u & 0x3f));
        n = 2;
    } else if (u < 0x10000) {
        o[0] = (unsigned char)(0xe0 | (u >> 12));
        o[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3f));
        o[2] = (unsigned char)(0x80 | (u & 0x3f));
        n = 3;
    } else {
        o[0] = (unsigned char)(0xf0 | ((u >> 18) & 0x07));
        o[1] = (unsigned char)(0x80 | ((u >> 12) & 0x3f));
        o[2] = (unsigned char)(0x80 | ((u >> 6) & 0x3f));
        o[3] = (unsigned char)(0x80 | (u & 0x3f));
        n = 4;
    }
    lc_buf_append(b, o, n);
}

/* One escape after '\' at s; returns the characters used, or 0 if bad. */
static size_t unescape(const char *s, struct lc_buf *b)
{
    static const char from[] = "abfnrtv\\\"'", to[] = "\a\b\f\n\r\t\v\\\"'";
    const char *hit = s[0] ? strchr(from, s[0]) : NULL;
    if (hit) {
        lc_buf_append(b, &to[hit - from], 1);
        return 1;
    }
    size_t digits = s[0] == 'x' ? 2 : s[0] == 'u' ? 4 : s[0] == 'U' ? 8 : 0;
    if (digits == 0)
        return 0;
    unsigned long v = 0;
    for (size_t k = 1; k <= digits; k++) {
        int h = lc_hex_digit(s[k]); /* stops at the NUL: s is NUL-terminated */
        if (h < 0)
            return 0;
        v = (v << 4) | (unsigned long)h;
    }
    if (s[0] == 'x') {
        unsigned char c = (unsigned char)v;
        lc_buf_append(b, &c, 1);
    } else if (v <= 0x10ffff) {
        put_utf8(b, v);
    } else {
        return 0;
    }
    return digits + 1;
}

/* A Go-quoted string at *p; leaves *p after the closing quote. */
static int unquote(const char **p, struct lc_buf *b)
{
    const char *s = *p;
    lc_buf_reset(b);
    lc_buf_append(b, "", 0);
    if (*s != '"')
        return -1;
    for (s++; *s != '"'; s++) {
        if (*s == '\0')
            return -1;
        if (*s != '\\') {
            lc_buf_append(b, s, 1);
            continue;
        }
        size_t used = unescape(s + 1, b);
        if (used == 0)
            return -1;
        s += used;
    }
    *p = s + 1;
    return 0;
}

char *pprof_label_value(const char *labels, const char *key)
{
    struct lc_buf k = {0}, v = {0};
    char *out = NULL;
    const char *p = labels;
    if (!labels || !key || *p++ != '{')
        goto cleanup;
    while (*p != '}') {
        if (unquote(&p, &k) != 0 || *p++ != ':' || unquote(&p, &v) != 0)
            goto cleanup;
        if (strcmp(k.data, key) == 0 && strlen(k.data) == k.len) {
            out = lc_strndup(v.data, v.len);
            goto cleanup;
        }
        if (*p == ',')
            p++;
        while (*p == ' ')
            p++;
    }
cleanup:
    lc_buf_free(&k);
    lc_buf_free(&v);
    return out;
}
