/* reports/text.c: cleaning untrusted text for JSON, XML and terminals. */
#include "reports/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at p (1 to 4) with its code point
 * in *cp, or 0 when the bytes there are not well-formed. Stops at the NUL
 * terminator, which never passes as a continuation byte. */
static size_t utf8_seq(const unsigned char *p, uint32_t *cp)
{
    unsigned c = p[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* Skips the escape sequence that starts at p (p[0] is ESC) and returns the
 * first byte after it. Only the introducer is dropped for kinds other than
 * CSI and OSC; what follows it is printable and stays. */
static const unsigned char *skip_escape(const unsigned char *p)
{
    if (p[1] == '[') {
        p += 2;
        while (*p >= 0x20 && *p <= 0x3F)
            p++;
        if (*p >= 0x40 && *p <= 0x7E)
            p++;
        return p;
    }
    if (p[1] == ']') {
        p += 2;
        while (*p && *p != 0x07 && !(p[0] == 0x1B && p[1] == '\\'))
            p++;
        if (*p == 0x07)
            return p + 1;
        return *p ? p + 2 : p;
    }
    return p + 1;
}

/* Whether a code point is kept: tab/LF/CR and everything printable; not the
 * other C0 controls, DEL, C1 controls or the non-characters U+FFFE/U+FFFF. */
static int keep_cp(uint32_t cp)
{
    if (cp == '\t' || cp == '\n' || cp == '\r')
        return 1;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        return 0;
    return cp != 0xFFFE && cp != 0xFFFF;
}

/* Appends s cleaned to out (see text.h for what is removed); out stays
 * NUL-terminated even when nothing is appended. */
void report_text_clean(struct lc_buf *out, const char *s, unsigned flags)
{
    if (!s) {
        lc_buf_append(out, "", 0);
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p == 0x1B) {
            p = skip_escape(p);
            continue;
        }
        uint32_t cp = 0;
        size_t n = utf8_seq(p, &cp);
        if (n == 0) {
            if (!(flags & REPORT_TEXT_DROP_BAD))
                lc_buf_append(out, "\xEF\xBF\xBD", 3);
            p++;
            continue;
        }
        if (keep_cp(cp)) {
            if ((flags & REPORT_TEXT_ONE_LINE) && (cp == '\t' || cp == '\n' || cp == '\r'))
                lc_buf_append(out, " ", 1);
            else
                lc_buf_append(out, p, n);
        }
        p += n;
    }
    lc_buf_append(out, "", 0);
}

/* Returns a cleaned heap copy of s (caller frees); "" for NULL. */
char *report_text_dup(const char *s, unsigned flags)
{
    struct lc_buf b = {0};
    report_text_clean(&b, s, flags);
    return b.data;
}
