/*
 * bench/trend_replay.c: when would trend() have failed? Replays one
 * metric of each test of a report.json as if the load had ended earlier:
 * for every tenth of a second T of the load, fits expr_trend_fit on the
 * load's points up to T with the default warm-up (a third of T) and prints
 * the first T from which `trend(METRIC) < LIMIT` fails at every later T.
 *
 *   trend_replay REPORT.json METRIC LIMIT_PER_S KIND(floor|level)
 *
 * Prints one line per test: "NAME<TAB>T" (seconds into the load; "-" when
 * it never fails for good) and "<TAB>LOAD_SECONDS".
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assertions/expr_trend.h"

static double num(const json_t *j)
{
    return json_is_number(j) ? json_number_value(j) : NAN;
}

static void replay(const json_t *test, const char *metric, double limit, enum expr_trend_kind kind)
{
    const json_t *s = json_object_get(json_object_get(test, "series"), metric);
    const json_t *ph = json_object_get(test, "phases");
    double from = NAN, to = NAN;
    size_t i;
    json_t *p;
    json_array_foreach(ph, i, p)
        if (strcmp(json_string_value(json_object_get(p, "name")), "load") == 0) {
            from = num(json_object_get(p, "start"));
            to = num(json_object_get(p, "end"));
        }
    const json_t *jt = json_object_get(s, "t"), *jv = json_object_get(s, "v");
    size_t n = json_array_size(jt), k = 0;
    double *t = calloc(n + 1, sizeof(double)), *v = calloc(n + 1, sizeof(double));
    for (i = 0; i < n; i++) {
        double x = num(json_array_get(jt, i));
        if (x >= from && x <= to) {
            t[k] = x;
            v[k++] = num(json_array_get(jv, i));
        }
    }
    double first = NAN;
    for (size_t end = 2; end <= k; end++) {
        struct expr_trend tr;
        struct lc_error err = {0};
        int fails = expr_trend_fit(t, v, end, -1, kind, &tr, &err) == 0 && tr.lo > limit;
        if (fails && isnan(first))
            first = t[end - 1] - from;
        else if (!fails)
            first = NAN;
    }
    printf("%s\t", json_string_value(json_object_get(test, "name")));
    if (isnan(first))
        printf("-");
    else
        printf("%.1f", first);
    printf("\t%.1f\n", to - from);
    free(t);
    free(v);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: trend_replay REPORT.json METRIC LIMIT_PER_S floor|lower|level\n");
        return 2;
    }
    json_error_t jerr;
    json_t *root = json_load_file(argv[1], 0, &jerr);
    if (!root) {
        fprintf(stderr, "%s: %s\n", argv[1], jerr.text);
        return 1;
    }
    enum expr_trend_kind kind = strcmp(argv[4], "floor") == 0   ? EXPR_TREND_FLOOR
                                : strcmp(argv[4], "lower") == 0 ? EXPR_TREND_LOWER
                                                                : EXPR_TREND_LEVEL;
    size_t i;
    json_t *test;
    json_array_foreach(json_object_get(root, "tests"), i, test)
        replay(test, argv[2], strtod(argv[3], NULL), kind);
    json_decref(root);
    return 0;
}
