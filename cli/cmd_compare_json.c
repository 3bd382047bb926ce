/* cli/cmd_compare_json.c: leakcheck compare --json, the table of
 * cmd_compare.c as one JSON document on stdout, for a pipeline to read. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "reports/compare.h"
#include "reports/report.h"

/* A number, or null when it is not one (a metric a run lacks). */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *entry_json(const struct compare_entry *e)
{
    int compared = isfinite(e->prev) && isfinite(e->cur);
    json_t *o = json_object();
    json_object_set_new(o, "metric", json_string(e->metric));
    json_object_set_new(o, "a", num(e->prev));
    json_object_set_new(o, "b", num(e->cur));
    json_object_set_new(o, "change",
                        compared && e->prev > 0 ? json_real((e->cur - e->prev) / e->prev)
                                                : json_null());
    json_object_set_new(o, "tolerance", json_real(e->frac));
    json_object_set_new(o, "limit", compared ? num(e->limit) : json_null());
    json_object_set_new(o, "verdict", json_string(e->regressed ? "regressed"
                                                  : compared   ? "ok"
                                                               : "not compared"));
    return o;
}

/* One test of b against its namesake in a; adds its regressions to *n. */
static json_t *test_json(const struct report_test *ta, const struct report_test *tb,
                         const struct compare_tol *tols, size_t ntols, size_t *n)
{
    json_t *o = json_object(), *metrics = json_array();
    json_object_set_new(o, "name", json_string(tb->name ? tb->name : ""));
    json_object_set_new(o, "in_a", json_boolean(ta != NULL));
    size_t ne = 0;
    struct compare_entry *e = ta ? compare_tests(ta, tb, tols, ntols, &ne) : NULL;
    for (size_t k = 0; k < ne; k++) {
        json_array_append_new(metrics, entry_json(&e[k]));
        *n += (size_t)e[k].regressed;
    }
    free(e);
    json_object_set_new(o, "metrics", metrics);
    return o;
}

size_t cmd_compare_json(const struct report_run *a, const struct report_run *b, const char *pa,
                        const char *pb, const struct compare_tol *tols, size_t ntols)
{
    size_t n = 0;
    json_t *root = json_object(), *tests = json_array(), *only_a = json_array();
    for (size_t i = 0; b->tests && i < b->ntests; i++)
        json_array_append_new(tests, test_json(compare_find_test(a, b->tests[i].name),
                                               &b->tests[i], tols, ntols, &n));
    for (size_t i = 0; a->tests && i < a->ntests; i++)
        if (!compare_find_test(b, a->tests[i].name))
            json_array_append_new(only_a, json_string(a->tests[i].name ? a->tests[i].name : ""));
    json_object_set_new(root, "a", json_string(pa));
    json_object_set_new(root, "b", json_string(pb));
    json_object_set_new(root, "regressions", json_integer((json_int_t)n));
    json_object_set_new(root, "tests", tests);
    json_object_set_new(root, "only_in_a", only_a);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    if (text)
        printf("%s\n", text);
    free(text);
    json_decref(root);
    return n;
}
