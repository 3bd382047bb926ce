/* tests/unit/test_report_junit.c: junit.xml, written from the fixture's run
 * and checked with xmllint against Jenkins' schema (which must be able to
 * reject), by XPath and by its text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lc.h"
#include "report_fixture.h"

#define SCHEMA "tests/data/schemas/junit-10.xsd"

static int xmllint_validate(const char *file)
{
    return xmllint_validate_with(SCHEMA, file);
}

/* Evaluates an XPath number with xmllint, an independent XML parser. */
static double xpath_num(const char *file, const char *xpath)
{
    char *cmd = lc_asprintf("xmllint --xpath '%s' '%s'", xpath, file);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[64] = "";
    if (!fgets(line, sizeof(line), p))
        line[0] = '\0';
    pclose(p);
    free(cmd);
    return strtod(line, NULL);
}

static void test_junit(void **state)
{
    struct fixture *f = *state;
    struct lc_error err = {0};
    char *path = path_in(f, "junit.xml");
    assert_int_equal(report_junit_write(f->run, path, &err), 0);
    assert_int_equal(xmllint_validate(path), 0);
    char *x = lc_read_file(path, 1 << 20, NULL, &err);
    assert_non_null(x);
    assert_null(strchr(x, '\x1b'));
    assert_null(strchr(x, '\x01'));
    assert_null(strstr(x, "\xff"));
    assert_non_null(strstr(x, "<testsuites name=\"demo &amp; &lt;suite&gt;\" tests=\"5\" "
                              "failures=\"1\" errors=\"2\" time=\"30.500\">"));
    assert_non_null(strstr(x, "<testsuite name=\"pass &lt;&amp;&quot;&apos;&gt; "
                              "\xc3\xbcn\xc3\xaf"
                              "c\xc3\xb8"));
    assert_non_null(strstr(x, "tests=\"3\" failures=\"1\" errors=\"1\" time=\"3.000\""));
    assert_non_null(strstr(x, "<failure message=\"" MSG_FAIL "\" type=\"assertion\">"));
    assert_non_null(strstr(x, "observed: 2003\nexpected: 3\ngoroutines: baseline n/a, final "
                              "2003, min 1, max 50\n\nlog tail:\nfine\n</failure>"));
    /* every testcase has a time: the test's, shared among its cases */
    assert_true(xpath_num(path, "count(//testcase[not(@time)])") == 0);
    assert_non_null(strstr(x, "classname=\"demo &amp; &lt;suite&gt;.fail\" time=\"1.000\">"));
    assert_non_null(strstr(x, "<testcase name=\"" EXPR_FAIL " #2\" classname=\""
                              "demo &amp; &lt;suite&gt;.fail\" time=\"1.000\"/>"));
    assert_non_null(strstr(x, "<error message=\"no samples of rss!\" type=\"evaluation\">"));
    assert_non_null(strstr(x, "<testcase name=\"run\" classname=\"demo &amp; &lt;suite&gt;.error "
                              "test\" time=\"1.000\">"));
    assert_non_null(strstr(x, "<error message=\"target exited with status 2 before ready\""));
    assert_non_null(strstr(x, "\xe2\x80\x98y\xe2\x80\x99 undeclared"));
    assert_non_null(strstr(x, " bad (\ntail end\nexit status 2\n</system-err>"));
    assert_true(xpath_num(path, "count(//testcase)") == 5);
    assert_true(xpath_num(path, "count(//testcase/failure)") == 1);
    assert_true(xpath_num(path, "count(//testcase/error)") == 2);
    /* the log tail rides with each case that did not pass, where GitLab shows it */
    assert_true(xpath_num(path, "count(//testsuite/system-err)") == 0);
    assert_true(xpath_num(path, "count(//testcase/system-err)") == 3);
    /* no culprit, no source root: no file= */
    assert_true(xpath_num(path, "count(//testcase[@file])") == 0);
    free(x);
    assert_no_temp_files(f->dir);
    free(path);
}

/* The validation step itself must be able to fail: a time with an exponent
 * and a testsuite without its required counts are rejected. */
static void test_junit_schema_rejects(void **state)
{
    struct fixture *f = *state;
    struct lc_error err = {0};
    char *path = path_in(f, "bad.xml");
    const char *bad = "<?xml version=\"1.0\"?>\n<testsuites time=\"1e-3\">\n"
                      "<testsuite name=\"x\"><testcase name=\"a\"/></testsuite>\n</testsuites>\n";
    assert_int_equal(lc_write_file_atomic(path, bad, strlen(bad), &err), 0);
    assert_int_not_equal(xmllint_validate(path), 0);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_junit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_junit_schema_rejects, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
