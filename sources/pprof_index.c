/* sources/pprof_index.c: a profile's count on net/http/pprof's index page. */
#include "sources/pprof_index.h"

#include <string.h>

/* The largest count accepted: more goroutines than any process can hold. */
#define INDEX_MAX_COUNT 1000000000000ull

/* Where needle (nlen bytes) first occurs in [p, end), or NULL. */
static const char *find(const char *p, const char *end, const char *needle, size_t nlen)
{
    while ((size_t)(end - p) >= nlen) {
        const char *c = memchr(p, needle[0], (size_t)(end - p) - nlen + 1);
        if (!c)
            return NULL;
        if (memcmp(c, needle, nlen) == 0)
            return c;
        p = c + 1;
    }
    return NULL;
}

/* Reads the count in [p, end), the text before a link: tags are skipped,
 * blanks around the number too; anything else makes it no count. */
static int read_count(const char *p, const char *end, uint64_t *out)
{
    uint64_t v = 0;
    int digits = 0, after = 0;
    for (; p < end; p++) {
        if (*p == '<') {
            const char *gt = memchr(p, '>', (size_t)(end - p));
            if (!gt)
                return -1;
            p = gt;
            after = digits > 0;
        } else if (*p == ' ' || *p == '\t' || *p == '\r') {
            after = digits > 0;
        } else if (*p >= '0' && *p <= '9' && !after) {
            v = v * 10 + (uint64_t)(*p - '0');
            if (v > INDEX_MAX_COUNT)
                return -1;
            digits++;
        } else {
            return -1;
        }
    }
    *out = v;
    return digits > 0 ? 0 : -1;
}

int pprof_index_count(const char *text, size_t len, const char *name, uint64_t *count,
                      struct lc_error *err)
{
    const char *end = text + len;
    size_t nlen = strlen(name);
    char needle[128];
    if (nlen + 5 >= sizeof(needle)) {
        lc_error_set(err, "profile name too long");
        return -1;
    }
    /* the link's text, exactly: "goroutine" is not "goroutineleak" */
    needle[0] = '>';
    memcpy(needle + 1, name, nlen);
    memcpy(needle + 1 + nlen, "</a>", 4);
    for (const char *p = text; (p = find(p, end, needle, nlen + 5)); p++) {
        const char *line = p;
        while (line > text && line[-1] != '\n')
            line--;
        /* the link's start: the last "<a " before its text on the line */
        const char *a = NULL;
        for (const char *q = line; (q = find(q, p, "<a ", 3)); q++)
            a = q;
        if (a && read_count(line, a, count) == 0)
            return 0;
    }
    lc_error_set(err, "the pprof index page lists no count for the %s profile", name);
    return -1;
}
