/*
 * framework/checks.h: parsing and checking every assertion of a suite
 * before anything starts.
 */
#ifndef LC_CHECKS_H
#define LC_CHECKS_H

#include <stdio.h>

#include "assertions/expr.h"
#include "framework/suite.h"

struct checks;

/*
 * Parses every assertion of every test of s and checks its metrics against
 * what the test samples. Each fault is printed to errout as
 * "leakcheck: FILE:LINE:COL: test "NAME", assertion N: MESSAGE", where
 * LINE:COL is the faulty token's place in the suite file (see
 * suite_assert_where; just FILE:LINE when the column is not known), then
 * the assertion with a caret under the token. Returns the parsed
 * assertions (free with checks_free), or NULL when there was any fault.
 */
struct checks *checks_new(const struct suite *s, FILE *errout);

/* The parsed assertions of test i, in the order of its "assert" (borrowed). */
struct expr *const *checks_exprs(const struct checks *c, size_t i);

/* checks_free(NULL) is a no-op. */
void checks_free(struct checks *c);

#endif
