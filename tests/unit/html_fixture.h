/* tests/unit/html_fixture.h: building the runs the report.html tests write:
 * series sampled from a function of time and assertions, added to a test. */
#ifndef LC_TEST_HTML_FIXTURE_H
#define LC_TEST_HTML_FIXTURE_H

#include <stddef.h>

#include "reports/report.h"

/* Appends to t the series name: n points f(i * dt) at i * dt, with its
 * baseline base, its final value the last point's, min and max of the
 * finite points. */
void add_series(struct report_test *t, const char *name, double base, double (*f)(double t),
                double dt, size_t n);

/* Appends to t an assertion with copies of expr and msg. */
void add_assertion(struct report_test *t, const char *expr, int passed, double observed,
                   double expected, const char *msg);

#endif
