/*
 * suite/checks.h: parsing and checking every assertion of a suite
 * before anything starts.
 */
#ifndef LC_CHECKS_H
#define LC_CHECKS_H

#include <stdio.h>

#include "assertions/expr.h"
#include "suite/suite.h"

struct checks;

/*
 * Parses every assertion of every test of s and checks its metrics against
 * what the test samples. Each fault is printed to errout as
 * "leakcheck: FILE:LINE:COL: test "NAME", assertion N: MESSAGE", where
 * LINE:COL is the faulty token's place in the suite file (see
 * suite_assert_where; just FILE:LINE when the column is not known), then
 * the assertion with a caret under the token. Returns the parsed
 * assertions (free with checks_free), or NULL when there was any fault.
 * Warnings (a time limit without a unit, see expr_check_units) are printed
 * the same way with "warning: " before "test"; they are not faults.
 */
struct checks *checks_new(const struct suite *s, FILE *errout);

/*
 * Prints a fault (or, with warning set, a warning) about assertion k of
 * test t of the suite file at path, as checks_new does: err->col is the
 * column within the assertion; the line says where that is in the file.
 */
void checks_print(const char *path, const struct suite_test *t, size_t k, int warning,
                  const struct lc_error *err, FILE *out);

/* The parsed assertions of test i, in the order of its "assert" (borrowed). */
struct expr *const *checks_exprs(const struct checks *c, size_t i);

/* checks_free(NULL) is a no-op. */
void checks_free(struct checks *c);

#endif
