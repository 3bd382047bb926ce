/* tests/unit/html_fixture.c: series and assertions for the report.html tests
 * (html_fixture.h). */
#include <math.h>
#include <string.h>

#include "common/lc.h"
#include "html_fixture.h"

void add_series(struct report_test *t, const char *name, double base, double (*f)(double t),
                double dt, size_t n)
{
    t->series = lc_realloc(t->series, (t->nseries + 1) * sizeof(*t->series));
    struct report_series *s = &t->series[t->nseries++];
    memset(s, 0, sizeof(*s));
    s->name = lc_strdup(name);
    s->points = lc_calloc(n, sizeof(*s->points));
    s->npoints = n;
    s->min = INFINITY;
    s->max = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double v = f((double)i * dt);
        s->points[i] = (struct report_point){(double)i * dt, v};
        if (isfinite(v)) {
            s->min = fmin(s->min, v);
            s->max = fmax(s->max, v);
        }
    }
    s->baseline = base;
    s->final = s->points[n - 1].v;
}

void add_assertion(struct report_test *t, const char *expr, int passed, double observed,
                   double expected, const char *msg)
{
    t->assertions = lc_realloc(t->assertions, (t->nassertions + 1) * sizeof(*t->assertions));
    struct report_assertion *a = &t->assertions[t->nassertions++];
    memset(a, 0, sizeof(*a));
    a->expr = lc_strdup(expr);
    a->passed = passed;
    a->observed = observed;
    a->expected = expected;
    a->message = lc_strdup(msg);
}
