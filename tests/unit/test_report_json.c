/* tests/unit/test_report_json.c: report.json, written from the fixture's run
 * and read back with jansson's parser and report_json_read (old files too). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/lc.h"
#include "report_fixture.h"

static void check_json_pass(json_t *t)
{
    assert_str(t, "name", NAME1);
    assert_str(t, "verdict", "pass");
    assert_true(json_is_null(get(t, "error")));
    assert_true(json_is_null(get(t, "log_tail")));
    assert_str(t, "started_at", "2023-11-14T22:13:20.250Z");
    assert_num(t, "duration_s", 12.34);
    assert_str(t, "dir", "out/t1");
    json_t *a = json_array_get(get(t, "assertions"), 0);
    assert_str(a, "expr", "max(fds) <= baseline(fds) + 10");
    assert_true(json_is_true(get(a, "passed")) && json_is_false(get(a, "errored")));
    assert_num(a, "observed", 12);
    assert_num(a, "expected", 20);
    assert_str(a, "message", "fds = 12, expected <= 20");
    json_t *m = get(get(t, "metrics"), "go_goroutines{job=\"x\"}");
    const char *mk[] = {"baseline", "final", "min", "max"};
    const double mv[] = {10, 11, 1, 50};
    for (size_t i = 0; i < 4; i++)
        assert_num(m, mk[i], mv[i]);
    json_t *s = get(get(t, "series"), "go_goroutines{job=\"x\"}");
    assert_int_equal(json_array_size(get(s, "t")), 4);
    assert_true(fabs(json_number_value(json_array_get(get(s, "t"), 2)) - 0.3) < 1e-12);
    assert_true(json_is_null(json_array_get(get(s, "v"), 1))); /* NaN */
    assert_true(json_is_null(json_array_get(get(s, "v"), 3))); /* Inf */
    json_t *ph = json_array_get(get(t, "phases"), 1);
    assert_str(ph, "name", "load");
    assert_num(ph, "start", 1);
    assert_num(ph, "end", 11.5);
    json_t *l = get(t, "load");
    assert_num(l, "requests", 1000);
    assert_num(l, "errors", 13);
    assert_num(l, "duration_s", 10);
    assert_num(l, "rps", 100);
    const char *lat[] = {"p50", "p90", "p99", "max"};
    const double want[] = {1.5e-3, 4.25e-3, 9.75e-3, 31e-3}; /* seconds */
    for (size_t i = 0; i < 4; i++)
        assert_num(get(l, "latency_s"), lat[i], want[i]);
    assert_null(json_object_get(l, "latency_ms"));
    assert_num(get(l, "status"), "200", 990);
    assert_num(get(l, "status"), "503", 10);
    assert_num(get(l, "errors_by_kind"), "reset", 3);
}

static void check_json_fail_error(json_t *t2, json_t *t3)
{
    assert_str(t2, "verdict", "fail");
    assert_true(json_is_null(get(t2, "load")));
    assert_true(json_is_null(get(t2, "dir")));
    json_t *a = json_array_get(get(t2, "assertions"), 1);
    assert_true(json_is_true(get(a, "errored")));
    assert_true(json_is_null(get(a, "observed")));
    assert_str(a, "message", "no samples of rss!"); /* the escape sequence is stripped */
    assert_str(json_array_get(get(t2, "assertions"), 0), "message", MSG_FAIL);
    assert_true(json_is_null(get(get(get(t2, "metrics"), "goroutines"), "baseline")));
    json_t *m = get(t2, "measured");
    assert_num(m, "pid", 4321);
    assert_num(m, "started_pid", 4300);
    assert_num(m, "changes", 1);
    assert_str(m, "how", "listening on 127.0.0.1:8080");
    assert_str(m, "command", "/tmp/b001/exe/main -addr :8080");
    assert_true(json_is_null(get(t3, "measured")));
    assert_str(t3, "verdict", "error");
    assert_str(t3, "error", "target exited with status 2 before ready");
    assert_true(json_is_null(get(t3, "started_at")));
    assert_int_equal(json_array_size(get(t3, "assertions")), 0);
    const char *tail = json_string_value(get(t3, "log_tail"));
    assert_non_null(tail);
    assert_null(strchr(tail, '\x1b'));
    assert_null(strchr(tail, '\x01'));
    assert_non_null(strstr(tail, "\xe2\x80\x98y\xe2\x80\x99 undeclared"));
    assert_non_null(strstr(tail, "\xef\xbf\xbd\xef\xbf\xbd bad \xef\xbf\xbd(\ntail end\n"));
}

static void test_json(void **state)
{
    struct fixture *f = *state;
    struct lc_error err = {0};
    char *path = path_in(f, "report.json");
    assert_int_equal(report_json_write(f->run, path, &err), 0);
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc)
        fail_msg("report.json does not parse: %s at %d:%d", jerr.text, jerr.line, jerr.column);
    assert_str(doc, "suite", SUITE);
    assert_str(doc, "suite_file", "suites/demo.json");
    assert_str(doc, "verdict", "fail");
    assert_str(doc, "started_at", "2023-11-14T22:13:20.250Z");
    assert_num(doc, "duration_s", 30.5);
    assert_true(json_is_true(get(doc, "interrupted")));
    json_t *tests = get(doc, "tests");
    assert_int_equal(json_array_size(tests), 3);
    check_json_pass(json_array_get(tests, 0));
    check_json_fail_error(json_array_get(tests, 1), json_array_get(tests, 2));
    json_decref(doc);
    /* The text itself: series compact, 0.1 + 0.2 without binary noise. */
    char *text = lc_read_file(path, 1 << 20, NULL, &err);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"t\": [0,0.25,0.3,1.5]"));
    assert_non_null(strstr(text, "\"v\": [10,null,12.5,null]"));
    free(text);
    assert_no_temp_files(f->dir);
    /* read back as written */
    struct report_run *back = report_json_read(path, &err);
    assert_non_null(back);
    const struct report_measured *m = &back->tests[1].measured;
    assert_true(m->present && m->pid == 4321 && m->started_pid == 4300 && m->changes == 1);
    assert_string_equal(m->how, "listening on 127.0.0.1:8080");
    assert_false(back->tests[2].measured.present);
    /* latencies in seconds on disk, ms in the model */
    assert_true(fabs(back->tests[0].load.p99_ms - 9.75) < 1e-9);
    report_run_free(back);
    /* a report written before latency_s (milliseconds) still reads */
    text = lc_read_file(path, 1 << 20, NULL, &err);
    char *at = strstr(text, "\"latency_s\": {");
    assert_non_null(at);
    struct lc_buf old = {0};
    lc_buf_printf(&old,
                  "%.*s\"latency_ms\": {\"p50\": 1.5, \"p90\": 4.25, \"p99\": 9.75, \"max\": 31}%s",
                  (int)(at - text), text, strchr(at, '}') + 1);
    assert_int_equal(lc_write_file_atomic(path, old.data, old.len, &err), 0);
    back = report_json_read(path, &err);
    assert_non_null(back);
    assert_true(fabs(back->tests[0].load.p99_ms - 9.75) < 1e-9 && back->tests[0].load.max_ms == 31);
    report_run_free(back);
    lc_buf_free(&old);
    free(text);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
