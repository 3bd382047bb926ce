/* tests/unit/test_suite_invalid.c: invalid suite files (suite/suite.c):
 * where each error is and what it says, every file under invalid/ listed,
 * a port that cannot be had and a missing file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "suite/suite.h"
#include "suite/suite_internal.h"
#include "suite_fixture.h"

/* Invalid suites: where the error is and what it says. Positions are those
 * of the offending key or value, counted by hand (columns in characters). */
static const struct {
    const char *file;
    int line, col;
    const char *msg;
} bad[] = {
    {"unknown_key", 7, 30, "tests[0].target: unknown key \"comand\"; did you mean \"command\"?"},
    {"unknown_key_far", 2, 2,
     "top level: unknown key \"parallel\" (known keys: suite, tests, compare, $schema, "
     "checkpoint)"},
    {"checkpoint_too_short", 1, 30, "checkpoint: must be at least 100ms (or \"off\")"},
    {"checkpoint_bad", 1, 30, "checkpoint: bad duration \"never\""},
    {"wrong_type", 8, 31, "tests[1].load.concurrency: expected a positive integer, got a string"},
    {"negative_concurrency", 2, 78,
     "tests[0].load.concurrency: expected a positive integer, got -3"},
    {"bad_duration", 4, 24, "tests[0].settle: bad duration \"4 seconds\""},
    {"concurrency_ceiling", 1, 94,
     "tests[0].load.concurrency: 1000000 connections is above the ceiling of 50000"},
    {"rate_ceiling", 1, 87,
     "tests[0].load.rate: 1e+308 requests/s is above the ceiling of 1e+06/s"},
    {"stage_rate_ceiling", 1, 166,
     "tests[0].load.stages[1].rate: 5e+06 requests/s is above the ceiling"},
    {"requests_ceiling", 1, 91,
     "tests[0].load.requests: 9000000000000000000 requests is above the ceiling"},
    {"nofile_nr_open", 1, 82,
     "tests[0].target.nofile: 2000000000 is above the kernel's ceiling fs.nr_open"},
    {"bare_number", 3, 67, "tests[0].baseline: durations need a unit"},
    {"interval_too_short", 1, 63, "tests[0].sample.interval: must be at least 10ms"},
    {"unknown_var", 6, 14, "tests[0].load.url: unknown variable \"${nope}\""},
    {"unterminated_var", 1, 57, "tests[0].assert[1]: unterminated \"${\""},
    {"port_in_suite_name", 1, 11, "suite: ${port} is only defined inside a test"},
    {"named_port_in_suite_name", 1, 11, "suite: ${port:peer} is only defined inside a test"},
    {"port_bad_name", 2, 35, "tests[0].target.command[1]: unknown variable \"${port:a b}\""},
    {"too_many_ports", 2, 35, "tests[0].target.command[1]: more than 32 named ports in one test"},
    {"env_unset", 2, 35,
     "tests[0].target.command[1]: environment variable LEAKCHECK_TEST_UNSET_VAR is not set"},
    {"env_bad_default", 2, 35, "a default is written ${env:NAME:-default}"},
    {"env_bad_name", 2, 35, "\"${env:1PATH}\": not an environment variable's name"},
    {"dup_names", 6, 31, "tests[2].name: duplicate test name \"same\" (tests[0] has it too)"},
    /* jansson points at the end of the repeated key */
    {"dup_keys", 4, 22, "duplicate object key near '\"observe\"'"},
    {"missing_name", 5, 7, "tests[1]: missing required key \"name\""},
    {"missing_suite", 1, 1, "top level: missing required key \"suite\""},
    {"command_pid", 5, 16, "tests[0].target: give either command"},
    {"empty_pid_file", 1, 63, "tests[0].target.pid_file: must not be empty"},
    {"pid_and_pid_file", 1, 61, "tests[0].target: give either pid or pid_file, not both"},
    {"env_with_pid", 2, 25, "tests[0].target: applies only to a command leakcheck starts"},
    {"exits_with_pid", 2, 25, "tests[0].target: applies only to a command leakcheck starts"},
    {"exits_not_bool", 2, 45, "tests[0].target.exits: expected true or false, got a string"},
    {"exits_with_ready", 2, 51,
     "tests[0].target: a target that exits (\"exits\": true) is sampled from its start: leave "
     "out ready"},
    {"exits_with_load", 3, 3,
     "tests[0]: a target that exits (\"exits\": true) is sampled until it exits: it takes no "
     "load, observe or settle"},
    {"exits_with_settle", 1, 40, "tests[0]: a target that exits (\"exits\": true) is sampled"},
    {"exit_timeout_alone", 2, 36,
     "tests[0].target: applies only to a target that runs to completion (\"exits\": true)"},
    {"target_empty", 1, 50, "tests[0].target: a target needs command, pid or pid_file"},
    {"proc_no_target", 4, 74, "tests[0].sample.proc: sampling /proc needs a target"},
    {"syntax", 3, 26, "invalid JSON: string or '}' expected near '}'"},
    {"top_level_array", 1, 1, "top level: expected an object, got an array"},
    {"empty_tests", 3, 12, "tests: must hold at least one test"},
    {"tests_not_array", 1, 25, "tests: expected an array of tests, got an object"},
    {"no_requests", 4, 13, "tests[0].load: give requests, duration or both"},
    {"body_both", 5, 14, "tests[0].load: give either body or body_file, not both"},
    {"body_file_missing", 2, 76, "tests[0].load.body_file: cannot open"},
    {"bad_header", 3, 54, "tests[0].load.headers: a header name may only hold"},
    {"lowercase_method", 2, 73, "tests[0].load.method: expected an HTTP method in capitals"},
    {"load_ftp", 2, 19, "tests[0].load.url: expected an http:// or https:// URL"},
    {"insecure_not_bool", 2, 30, "tests[0].load.insecure: expected true or false"},
    {"cacert_not_string", 2, 28, "tests[0].load.cacert: expected a string"},
    {"mix_other_scheme", 2, 51,
     "tests[0].load.requests_mix[1].url: every request of a mix must go to the same host and "
     "port as the first (https://127.0.0.1:"},
    {"rate_zero", 2, 74, "tests[0].load.rate: expected a number greater than 0, got 0"},
    {"compare_bad_tolerance", 1, 42,
     "compare.goroutines: expected a tolerance such as \"10%\" or \"off\", got \"ten percent\""},
    {"compare_typo", 2, 28, "compare: unknown metric \"goroutine\"; did you mean \"goroutines\"?"},
    {"schema_not_string", 1, 13,
     "$schema: expected a string (a JSON Schema's URL or path), got an object"},
    {"schema_in_test", 2, 26, "tests[0]: unknown key \"$schema\" (known keys: name, target"},
    {"compare_not_object", 1, 27, "compare: expected an object of metrics and tolerances"},
    {"compare_number", 1, 35,
     "compare.fds: expected a tolerance such as \"10%\" or \"off\", got a"},
    {"mix_with_url", 3, 3, "tests[0].load: give either requests_mix or url/method/headers/body"},
    {"mix_empty", 2, 28, "tests[0].load.requests_mix: must hold at least one request"},
    {"mix_other_host", 3, 11,
     "tests[0].load.requests_mix[1].url: every request of a mix must go to the same host and "
     "port as the first"},
    {"mix_weight_zero", 2, 51,
     "tests[0].load.requests_mix[0].weight: expected a positive integer, got 0"},
    {"mix_typo", 2, 80,
     "tests[0].load.requests_mix[1]: unknown key \"wieght\"; did you mean \"weight\"?"},
    {"mix_no_url", 2, 20, "tests[0].load.requests_mix[0]: missing required key \"url\""},
    {"stages_with_rate", 2, 47, "tests[0].load: give either rate (constant) or stages (ramps)"},
    {"stage_no_duration", 2, 46, "tests[0].load.stages[1]: missing required key \"duration\""},
    {"stage_negative_rate", 2, 41, "tests[0].load.stages[0].rate: expected a number >= 0, got -5"},
    {"stages_all_zero", 2, 13, "tests[0].load.stages: every stage has rate 0"},
    {"stage_bare_number", 2, 27, "tests[0].load.stages[0].duration: durations need a unit"},
    {"stages_not_array", 2, 13, "tests[0].load.stages: expected an array of stages"},
    {"keepalive_not_bool", 2, 39,
     "tests[0].load.disable_keepalive: expected true or false, got a string"},
    {"measure_typo", 1, 84,
     "tests[0].target.measure: expected \"auto\", \"started\" or {\"listening\": PORT}, got "
     "\"startd\"; did you mean \"started\"?"},
    {"measure_number", 1, 84,
     "tests[0].target.measure: expected \"auto\", \"started\" or "
     "{\"listening\": PORT}, got an integer"},
    {"measure_key_typo", 1, 85,
     "tests[0].target.measure: unknown key \"listning\"; did you mean \"listening\"?"},
    {"measure_bad_port", 1, 98, "tests[0].target.measure.listening: expected a TCP port"},
    {"measure_port_text", 1, 98, "tests[0].target.measure.listening: expected a TCP port"},
    {"measure_empty", 1, 84, "tests[0].target.measure: expected {\"listening\": PORT}"},
    {"measure_no_proc", 2, 22,
     "tests[0].sample.proc: is false, so the process target.measure names would not be read"},
    {"measure_misspelt_key", 1, 73,
     "tests[0].target: unknown key \"mesure\"; did you mean \"measure\"?"},
    {"ignore_typo", 2, 37,
     "tests[0].ignore: unknown key \"top_functions\"; did you mean \"top_function\"?"},
    {"ignore_empty_name", 2, 64,
     "tests[0].ignore.any_function[1]: a function name must not be empty"},
    {"ignore_not_array", 2, 53,
     "tests[0].ignore.top_function: expected an array of strings, got a string"},
};

static void test_invalid_suites(void **state)
{
    (void)state;
    for (size_t i = 0; i < LC_ARRAY_LEN(bad); i++) {
        char path[256];
        struct lc_error err = {0};
        struct ports ports = {.fail_at = -1};
        snprintf(path, sizeof(path), DATA "invalid/%s.json", bad[i].file);
        struct suite *s = suite_load(path, free_port_cb, &ports, &err);
        if (s)
            fail_msg("%s: loaded, but should not have", path);
        if (err.line != bad[i].line || err.col != bad[i].col || !strstr(err.msg, bad[i].msg))
            fail_msg("%s: got %d:%d: %s\nwant %d:%d: ...%s...", path, err.line, err.col, err.msg,
                     bad[i].line, bad[i].col, bad[i].msg);
        /* an error without a place to put it must not crash either */
        assert_null(suite_load(path, free_port_cb, &ports, NULL));
    }
}

static void test_every_invalid_file_is_listed(void **state)
{
    (void)state;
    /* a file added under invalid/ without an expectation would test nothing */
    DIR *d = opendir(DATA "invalid");
    size_t files = 0;
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        size_t i = 0;
        while (i < LC_ARRAY_LEN(bad) &&
               !(strncmp(e->d_name, bad[i].file, strlen(bad[i].file)) == 0 &&
                 strcmp(e->d_name + strlen(bad[i].file), ".json") == 0))
            i++;
        if (i == LC_ARRAY_LEN(bad))
            fail_msg("invalid/%s has no expected error in test_suite_invalid.c", e->d_name);
        files++;
    }
    closedir(d);
    assert_int_equal(files, LC_ARRAY_LEN(bad));
}

static void test_port_failure_and_missing_file(void **state)
{
    (void)state;
    struct lc_error err = {0};
    struct ports ports = {.fail_at = 1};
    assert_null(suite_load(DATA "valid/attach.json", free_port_cb, &ports, &err));
    assert_int_equal(err.line, 11);
    assert_int_equal(err.col, 5);
    assert_non_null(strstr(err.msg, "tests[1]: no free loopback port"));
    assert_null(suite_load(DATA "valid/nonexistent.json", free_port_cb, &ports, &err));
    assert_non_null(strstr(err.msg, "nonexistent.json"));
    assert_null(suite_load(DATA "valid", free_port_cb, &ports, &err));
    assert_true(err.msg[0] != '\0');
    suite_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_suites),
        cmocka_unit_test(test_every_invalid_file_is_listed),
        cmocka_unit_test(test_port_failure_and_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
