/*
 * tests/unit/table.h: reading test tables -- text files of cases, one per
 * line, fields separated by one TAB, lines starting with '#' and empty
 * lines skipped (tests/data/expr/README.md describes the expression ones).
 */
#ifndef LC_TEST_TABLE_H
#define LC_TEST_TABLE_H

/* Checks one case; returns 0 when it holds, non-zero (after printing why
 * with cmocka's print_error) when not. fields[0..nfields) are borrowed. */
typedef int table_case_cb(char **fields, int nfields, void *arg);

/*
 * Runs cb on every case of the table at path (at most 8 fields each; a
 * case with fewer than minfields is a broken case). Every case is run, a
 * broken one printed with its number, so one run shows them all. Fails the
 * test when the file cannot be read or holds no case. Returns the number of
 * broken cases.
 */
int table_each(const char *path, int minfields, table_case_cb *cb, void *arg);

struct expr;

/* Parses the assertion of a case (caller frees with expr_free); NULL, after
 * printing why, when it does not parse. */
struct expr *table_expr(const char *text);

/* The whole number in s; fails the test when s is not one. */
int table_int(const char *s);

#endif
