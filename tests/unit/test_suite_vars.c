/* tests/unit/test_suite_vars.c: the variables of suite strings
 * (suite/suite_vars.c): ${port:NAME} picked once per name and test,
 * each unlike every other port; ${env:NAME} and its default. The faults
 * (unset, bad names, a flood of ports) are in test_suite_invalid.c's bad table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/suite.h"

#define DATA "tests/data/suites/"

/* Hands out 20001, 20002, ... and remembers which test asked. */
struct handout {
    size_t calls;
    size_t test[16];
};

static int handout_cb(size_t index, void *arg)
{
    struct handout *h = arg;
    assert_true(h->calls < 16);
    h->test[h->calls] = index;
    return 20001 + (int)h->calls++;
}

static const char *port_named(const struct suite_test *t, const char *name)
{
    static char buf[16];
    for (size_t i = 0; i < t->nnamed_ports; i++)
        if (strcmp(t->named_ports[i].name, name) == 0) {
            snprintf(buf, sizeof(buf), "%d", t->named_ports[i].port);
            return buf;
        }
    fail_msg("no port named %s", name);
    return NULL;
}

static void test_named_ports_and_env(void **state)
{
    (void)state;
    struct lc_error err = {0};
    struct handout h = {0};
    unsetenv("LEAKCHECK_TEST_UNSET_VAR");
    setenv("LEAKCHECK_TEST_TOKEN", "s3cret ${port}", 1);
    struct suite *s = suite_load(DATA "valid/vars.json", handout_cb, &h, &err);
    if (!s)
        fail_msg("%d:%d: %s", err.line, err.col, err.msg);
    assert_string_equal(s->name, "vars default name");
    const struct suite_test *t = &s->tests[0];
    /* ${port} first, then peer and admin in the order first used */
    assert_int_equal(t->port, 20001);
    assert_int_equal(t->nnamed_ports, 2);
    assert_string_equal(t->named_ports[0].name, "peer");
    assert_int_equal(t->named_ports[0].port, 20002);
    assert_string_equal(t->named_ports[1].name, "admin");
    assert_int_equal(t->named_ports[1].port, 20003);
    assert_string_equal(t->target.command[2], "127.0.0.1:20001");
    assert_string_equal(t->target.command[4], "127.0.0.1:20002");
    assert_string_equal(t->target.command[5], "--admin=20003");
    /* a name used twice is one port */
    assert_string_equal(t->target.command[6], "--peer-again=20002");
    assert_string_equal(t->target.ready, "http://127.0.0.1:20003/ready");
    assert_non_null(strstr(t->sample.pprof, port_named(t, "admin")));
    /* an environment value is taken as it is, not substituted again */
    assert_string_equal(t->target.env[0], "TOKEN=s3cret ${port}");
    assert_string_equal(t->target.env[1], "EMPTY=");
    /* the next test has ports of its own, unlike the first's */
    t = &s->tests[1];
    assert_int_equal(t->port, 20004);
    assert_int_equal(t->nnamed_ports, 1);
    assert_int_equal(t->named_ports[0].port, 20005);
    assert_string_equal(t->target.command[2], "${port:peer}");
    assert_string_equal(t->target.command[3], "${env:HOME}");
    assert_int_equal(h.calls, 5);
    assert_int_equal(h.test[2], 0);
    assert_int_equal(h.test[4], 1);
    suite_free(s);
    unsetenv("LEAKCHECK_TEST_TOKEN");
}

/* Validating (no port callback): every port is 0, names still recorded. */
static void test_validating(void **state)
{
    (void)state;
    setenv("LEAKCHECK_TEST_TOKEN", "x", 1);
    struct suite *s = suite_load(DATA "valid/vars.json", NULL, NULL, NULL);
    assert_non_null(s);
    assert_int_equal(s->tests[0].nnamed_ports, 2);
    assert_int_equal(s->tests[0].named_ports[1].port, 0);
    assert_string_equal(s->tests[0].target.command[5], "--admin=0");
    suite_free(s);
    unsetenv("LEAKCHECK_TEST_TOKEN");
}

/* A named port that cannot be had is an error at the string. */
static int refuse_second(size_t index, void *arg)
{
    (void)index;
    return (*(int *)arg)++ == 0 ? 20001 : -1;
}

static void test_no_port_for_name(void **state)
{
    (void)state;
    struct lc_error err = {0};
    int calls = 0;
    setenv("LEAKCHECK_TEST_TOKEN", "x", 1);
    assert_null(suite_load(DATA "valid/vars.json", refuse_second, &calls, &err));
    assert_non_null(strstr(err.msg, "tests[0].target.command[4]: no free loopback port for "
                                    "${port:peer}"));
    unsetenv("LEAKCHECK_TEST_TOKEN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_ports_and_env),
        cmocka_unit_test(test_validating),
        cmocka_unit_test(test_no_port_for_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
