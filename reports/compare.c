/* reports/compare.c: the release gate: final values of two runs compared
 * with a tolerance per metric. */
#include "reports/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/units.h"

/* Returns the absolute slack allowed on top of the relative tolerance: the
 * table's for a built-in metric, its unit's for a Prometheus metric. */
double compare_slack(const char *metric)
{
    const struct metric_def *d = report_metric_of(metric);
    return d ? d->slack : metric_unit_slack((enum metric_unit)report_unit_of(metric));
}

/* Parses "N%" (N >= 0) or "off"; 0, or -1 with err. */
int compare_parse_tol(const char *s, double *frac, struct lc_error *err)
{
    const char *end = NULL;
    double v;
    if (s && strcmp(s, "off") == 0) {
        *frac = -1;
        return 0;
    }
    if (!s || lc_parse_double(s, &end, &v) != 0 || !isfinite(v) || v < 0 || strcmp(end, "%") != 0) {
        lc_error_set(err, "expected a tolerance such as \"10%%\" or \"off\", got \"%s\"",
                     s ? s : "");
        return -1;
    }
    *frac = v / 100;
    return 0;
}

/* Returns defaults overridden or extended by over (caller frees). */
struct compare_tol *compare_tols_merge(const struct compare_tol *over, size_t nover, size_t *n)
{
    size_t nrows = 0, k = 0;
    const struct metric_def *rows = metric_builtins(&nrows);
    struct compare_tol *out = lc_calloc(nrows + nover + 1, sizeof(*out));
    /* the defaults: the table's rows with a tolerance, in its order */
    for (size_t i = 0; i < nrows; i++)
        if (rows[i].tolerance != METRIC_NO_GATE)
            out[k++] = (struct compare_tol){rows[i].name, rows[i].tolerance};
    for (size_t i = 0; over && i < nover; i++) {
        size_t j = 0;
        while (j < k && strcmp(out[j].metric, over[i].metric) != 0)
            j++;
        out[j] = over[i];
        if (j == k)
            k++;
    }
    *n = k;
    return out;
}

/* Returns the test named name in r (borrowed) or NULL. */
const struct report_test *compare_find_test(const struct report_run *r, const char *name)
{
    for (size_t i = 0; r && r->tests && name && i < r->ntests; i++)
        if (r->tests[i].name && strcmp(r->tests[i].name, name) == 0)
            return &r->tests[i];
    return NULL;
}

static double final_of(const struct report_test *t, const char *metric)
{
    for (size_t i = 0; t && t->series && i < t->nseries; i++)
        if (t->series[i].name && strcmp(t->series[i].name, metric) == 0)
            return t->series[i].final;
    return NAN;
}

/* Compares every enabled metric of tols between two tests; caller frees. */
struct compare_entry *compare_tests(const struct report_test *prev, const struct report_test *cur,
                                    const struct compare_tol *tols, size_t ntols, size_t *n)
{
    struct compare_entry *out = lc_calloc(ntols + 1, sizeof(*out));
    *n = 0;
    for (size_t i = 0; tols && i < ntols; i++) {
        if (!tols[i].metric || !(tols[i].frac >= 0))
            continue;
        struct compare_entry *e = &out[(*n)++];
        e->metric = tols[i].metric;
        e->frac = tols[i].frac;
        e->prev = final_of(prev, e->metric);
        e->cur = final_of(cur, e->metric);
        e->limit = e->prev * (1 + e->frac) + compare_slack(e->metric);
        /* NaN on either side compares false: a missing value is no regression */
        e->regressed = isfinite(e->prev) && e->cur > e->limit;
    }
    return out;
}

/* "(+16592%)", "(-3.2%)", "(from 0)" */
static void fmt_change(double prev, double cur, char *buf, size_t len)
{
    if (!isfinite(prev) || !isfinite(cur)) {
        snprintf(buf, len, "(n/a)");
        return;
    }
    if (prev <= 0) {
        snprintf(buf, len, cur == prev ? "(+0%%)" : "(from %g)", prev);
        return;
    }
    double pct = (cur - prev) / prev * 100;
    snprintf(buf, len, fabs(pct) < 10 ? "(%+.1f%%)" : "(%+.0f%%)", pct);
}

/* The one-line message for an entry; caller frees. */
char *compare_message(const struct compare_entry *e)
{
    enum report_unit u = report_unit_of(e->metric);
    char now[64], before[64], lim[64], change[64];
    report_fmt_value(e->cur, u, now, sizeof(now));
    report_fmt_value(e->prev, u, before, sizeof(before));
    report_fmt_value(e->limit, u, lim, sizeof(lim));
    fmt_change(e->prev, e->cur, change, sizeof(change));
    return lc_asprintf("compare %s: %s now vs %s in previous run %s, allowed %+g%% (limit %s)",
                       e->metric, now, before, change, e->frac * 100, lim);
}

/* Appends one "compare(METRIC)" assertion per comparable entry of t. */
static size_t apply_test(struct report_test *t, const struct report_test *prev,
                         const struct compare_tol *tols, size_t ntols)
{
    size_t n = 0, regressions = 0;
    struct compare_entry *e = compare_tests(prev, t, tols, ntols, &n);
    size_t cap = t->nassertions;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(e[i].prev) || !isfinite(e[i].cur))
            continue;
        lc_grow((void **)&t->assertions, &cap, t->nassertions + 1, sizeof(*t->assertions));
        struct report_assertion *a = &t->assertions[t->nassertions++];
        memset(a, 0, sizeof(*a));
        a->expr = lc_asprintf("compare(%s)", e[i].metric);
        a->metric = lc_strdup(e[i].metric);
        a->passed = !e[i].regressed;
        a->observed = e[i].cur;
        a->expected = e[i].limit;
        a->message = compare_message(&e[i]);
        regressions += (size_t)e[i].regressed;
    }
    free(e);
    if (regressions > 0 && t->verdict == REPORT_PASS)
        t->verdict = REPORT_FAIL;
    return regressions;
}

/* Adds the comparison to every test of cur found in prev; returns the
 * number of regressions and raises the verdicts they fail. */
size_t compare_apply(struct report_run *cur, const struct report_run *prev,
                     const struct compare_tol *tols, size_t ntols)
{
    size_t regressions = 0;
    for (size_t i = 0; cur && cur->tests && i < cur->ntests; i++) {
        struct report_test *t = &cur->tests[i];
        const struct report_test *p = compare_find_test(prev, t->name);
        if (p)
            regressions += apply_test(t, p, tols, ntols);
        if (t->verdict > cur->verdict)
            cur->verdict = t->verdict;
    }
    return regressions;
}
