/* tests/unit/prom_fixture.c: reading and parsing captured expositions for
 * the exposition parser's tests (prom_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "common/lc.h"
#include "prom_fixture.h"

char *load(const char *path, size_t *len)
{
    struct lc_error err = {0};
    char *t = lc_read_file(path, 16u << 20, len, &err);
    if (!t)
        fail_msg("%s", err.msg);
    return t;
}

struct prom_set *parse_file(const char *path)
{
    size_t n;
    char *t = load(path, &n);
    struct lc_error err = {0};
    struct prom_set *s = prom_parse(t, n, &err);
    if (!s)
        fail_msg("%s:%d:%d: %s", path, err.line, err.col, err.msg);
    free(t);
    return s;
}

struct prom_set *parse_file_only(const char *path, const char *const *names, size_t nn)
{
    size_t n;
    char *t = load(path, &n);
    struct lc_error err = {0};
    struct prom_set *s = prom_parse_only(t, n, names, nn, &err);
    if (!s)
        fail_msg("%s:%d:%d: %s", path, err.line, err.col, err.msg);
    free(t);
    return s;
}

int same(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}
