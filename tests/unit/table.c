/* tests/unit/table.c: reading test tables (table.h). */
#include "table.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "assertions/expr.h"
#include "common/lc.h"

int table_each(const char *path, int minfields, table_case_cb *cb, void *arg)
{
    struct lc_error err = {0};
    size_t len = 0;
    char *text = lc_read_file(path, 1 << 20, &len, &err);
    if (!text)
        fail_msg("%s", err.msg);
    int bad = 0, cases = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *fields[8];
        int n = 0;
        for (char *f = line; f && n < 8; n++) {
            fields[n] = f;
            f = strchr(f, '\t');
            if (f)
                *f++ = '\0';
        }
        if (n < minfields) {
            print_error("%s: case '%s' has %d fields, wants %d\n", path, line, n, minfields);
            bad++;
            continue;
        }
        cases++;
        if (cb(fields, n, arg) != 0) {
            print_error("  ^ %s, case %d: %s\n", path, cases, fields[0]);
            bad++;
        }
    }
    free(text);
    assert_true(cases > 0);
    return bad;
}

int table_int(const char *s)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0')
        fail_msg("bad number '%s' in a data file", s);
    return (int)v;
}

struct expr *table_expr(const char *text)
{
    struct lc_error err = {0};
    struct expr *e = expr_parse(text, &err);
    if (!e)
        print_error("parse failed: %s\n", err.msg);
    return e;
}
