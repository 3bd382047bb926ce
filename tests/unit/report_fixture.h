/* tests/unit/report_fixture.h: the run the report tests write (a pass, a
 * fail and an error test built in memory, in a temporary folder) and the
 * checks they share on report.json and junit.xml. */
#ifndef LC_TEST_REPORT_FIXTURE_H
#define LC_TEST_REPORT_FIXTURE_H

#include <jansson.h>

#include "reports/report.h"

#define NAME1                                                                                      \
    "pass <&\"'> \xc3\xbcn\xc3\xaf"                                                                \
    "c\xc3\xb8"                                                                                    \
    "d\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac"
#define SUITE "demo & <suite>"
#define MSG_FAIL                                                                                   \
    "goroutines ended at 2003, baseline 3: +2000, allowed \xc2\xb1"                                \
    "20"
#define EXPR_FAIL "goroutines stay within 20 of baseline"

struct fixture {
    char dir[64];
    struct report_run *run;
    char *gcc_log;
};

/* Appends an assertion with copies of expr and msg to t. */
void add_assertion(struct report_test *t, const char *expr, int passed, int errored,
                   double observed, double expected, const char *msg);

/* cmocka setup: a temporary folder and the three-test run (*state, a
 * struct fixture); -1 when the folder or tests/data cannot be had. */
int setup(void **state);

/* cmocka teardown: removes the temporary folder and what is in it (files
 * only) and frees the fixture. Returns 0. */
int teardown(void **state);

/* The path of name in the fixture's temporary folder (caller frees). */
char *path_in(struct fixture *f, const char *name);

/* Fails when any temporary file of an atomic write is left in dir. */
void assert_no_temp_files(const char *dir);

/* The member key of o; fails the test when it is missing. */
json_t *get(json_t *o, const char *key);

/* Fails unless o's member key is a number within 1e-9 of want. */
void assert_num(json_t *o, const char *key, double want);

/* Fails unless o's member key is the string want. */
void assert_str(json_t *o, const char *key, const char *want);

/* Validates file against the XML schema with xmllint: its exit status (0
 * when valid); fails the test when the schema or xmllint is missing. */
int xmllint_validate_with(const char *schema, const char *file);

#endif
