/* tests/unit/test_report.c: report.json, junit.xml and the console summary,
 * written from a run built in memory and read back with independent tools
 * (jansson's parser, xmllint against Jenkins' schema). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/lc.h"
#include "reports/report.h"

#define SCHEMA "tests/data/schemas/junit-10.xsd"
#define SCHEMA_FILELINE "tests/data/schemas/junit-10-fileline.xsd"
#define GCC_LOG "tests/data/reports/gcc_color_stderr.txt"
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

static struct report_series *add_series(struct report_test *t, const char *name, double base,
                                        double final, const double *ts, const double *vs, size_t n)
{
    t->series = lc_realloc(t->series, (t->nseries + 1) * sizeof(*t->series));
    struct report_series *s = &t->series[t->nseries++];
    *s = (struct report_series){lc_strdup(name), base, final, 1, 50, NULL, n, NULL};
    s->points = lc_calloc(n, sizeof(*s->points));
    for (size_t i = 0; i < n; i++)
        s->points[i] = (struct report_point){ts[i], vs[i]};
    return s;
}

static void add_assertion(struct report_test *t, const char *expr, int passed, int errored,
                          double observed, double expected, const char *msg)
{
    t->assertions = lc_realloc(t->assertions, (t->nassertions + 1) * sizeof(*t->assertions));
    t->assertions[t->nassertions++] = (struct report_assertion){
        lc_strdup(expr), passed, errored, observed, expected, lc_strdup(msg), NULL, 0, 0, NULL, NULL};
}

static void add_load(struct report_test *t)
{
    struct report_load *l = &t->load;
    *l = (struct report_load){1, 1000, 13, 10.0, 100.0, 1.5, 4.25, 9.75, 31.0, NULL, 2, NULL, 1, NULL, 0};
    l->status = lc_calloc(2, sizeof(*l->status));
    l->status[0] = (struct report_count){lc_strdup("200"), 990};
    l->status[1] = (struct report_count){lc_strdup("503"), 10};
    l->errors_by_kind = lc_calloc(1, sizeof(*l->errors_by_kind));
    l->errors_by_kind[0] = (struct report_count){lc_strdup("reset"), 3};
}

static void build_pass(struct report_run *r)
{
    struct report_test *t = report_add_test(r);
    t->name = lc_strdup(NAME1);
    t->verdict = REPORT_PASS;
    t->started_at = 1700000000.25;
    t->duration_s = 12.34;
    t->dir = lc_strdup("out/t1");
    add_assertion(t, "max(fds) <= baseline(fds) + 10", 1, 0, 12, 20, "fds = 12, expected <= 20");
    const double ts[] = {0, 0.25, 0.1 + 0.2, 1.5}, vs[] = {10, NAN, 12.5, INFINITY};
    add_series(t, "go_goroutines{job=\"x\"}", 10, 11, ts, vs, 4);
    t->phases = lc_calloc(2, sizeof(*t->phases));
    t->phases[0] = (struct report_phase){lc_strdup("baseline"), 0, 1};
    t->phases[1] = (struct report_phase){lc_strdup("load"), 1, 11.5};
    t->nphases = 2;
    add_load(t);
    /* measured: the started process itself */
    t->measured =
        (struct report_measured){1, 77, lc_strdup("./svc"), lc_strdup("listening"), 77, 0};
    /* watching cost little: not on the console */
    t->cost = (struct report_observer_cost){.present = 1, .count_rounds = 40, .dump_rounds = 1,
                                            .target_cpu_s = 0.2, .cpu_window_s = 12};
    report_cost_add(&t->cost.goroutine_dumps, 0.004);
}

static void build_fail(struct report_run *r)
{
    struct report_test *t = report_add_test(r);
    t->name = lc_strdup("fail");
    t->verdict = REPORT_FAIL;
    t->started_at = 1700000012.5;
    t->duration_s = 3;
    add_assertion(t, EXPR_FAIL, 0, 0, 2003, 3, MSG_FAIL);
    add_assertion(t, "slope(rss) < 1MB/s", 0, 1, NAN, 1048576, "no samples of rss\x1b[31m!");
    add_assertion(t, EXPR_FAIL, 1, 0, 5, 3, "ok");
    const double ts[] = {0, 1}, vs[] = {3, 2003};
    add_series(t, "goroutines", NAN, 2003, ts, vs, 2);
    t->log_tail = lc_strdup("fine\n");
    /* one long debug=2 dump: said on the console */
    t->cost = (struct report_observer_cost){.present = 1, .count_rounds = 8, .dump_rounds = 2,
                                            .target_cpu_s = NAN, .cpu_window_s = NAN};
    report_cost_add(&t->cost.goroutine_dumps, 0.010);
    report_cost_add(&t->cost.goroutine_dumps, 0.020);
    report_cost_add(&t->cost.full_dumps, 0.250);
    t->measured = (struct report_measured){1,
                                           4321,
                                           lc_strdup("/tmp/b001/exe/main -addr :8080"),
                                           lc_strdup("listening on 127.0.0.1:8080"),
                                           4300,
                                           1};
}

static void build_error(struct report_run *r, const char *gcc_log)
{
    struct report_test *t = report_add_test(r);
    t->name = lc_strdup("error test");
    t->verdict = REPORT_ERROR;
    t->started_at = NAN;
    t->duration_s = 1.0;
    t->error = lc_strdup("target exited with status 2 before ready");
    t->log_tail = lc_asprintf("%s\xff\xfe bad \xc3(\n\x01tail end\nexit status 2\n", gcc_log);
}

static int setup(void **state)
{
    struct fixture *f = lc_calloc(1, sizeof(*f));
    struct lc_error err = {0};
    snprintf(f->dir, sizeof(f->dir), "/tmp/lc_report_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    f->gcc_log = lc_read_file(GCC_LOG, 1 << 20, NULL, &err);
    if (!f->gcc_log) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    struct report_run *r = lc_calloc(1, sizeof(*r));
    r->suite = lc_strdup(SUITE);
    r->suite_file = lc_strdup("suites/demo.json");
    r->verdict = REPORT_FAIL;
    r->started_at = 1700000000.25;
    r->duration_s = 30.5;
    r->interrupted = 1;
    build_pass(r);
    build_fail(r);
    build_error(r, f->gcc_log);
    f->run = r;
    *state = f;
    return 0;
}

/* Removes the temporary folder and what is in it (files only). */
static int teardown(void **state)
{
    struct fixture *f = *state;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *p = lc_asprintf("%s/%s", f->dir, e->d_name);
        if (unlink(p) != 0)
            rmdir(p);
        free(p);
    }
    if (d)
        closedir(d);
    rmdir(f->dir);
    report_run_free(f->run);
    free(f->gcc_log);
    free(f);
    return 0;
}

static char *path_in(struct fixture *f, const char *name)
{
    return lc_asprintf("%s/%s", f->dir, name);
}

/* Fails when any temporary file of an atomic write is left in dir. */
static void assert_no_temp_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        assert_null(strstr(e->d_name, ".tmp."));
    closedir(d);
}

static json_t *get(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        fail_msg("key \"%s\" missing", key);
    return v;
}

static void assert_num(json_t *o, const char *key, double want)
{
    json_t *v = get(o, key);
    assert_true(json_is_number(v));
    assert_true(fabs(json_number_value(v) - want) < 1e-9);
}

static void assert_str(json_t *o, const char *key, const char *want)
{
    json_t *v = get(o, key);
    assert_true(json_is_string(v));
    assert_string_equal(json_string_value(v), want);
}

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
    lc_buf_printf(&old, "%.*s\"latency_ms\": {\"p50\": 1.5, \"p90\": 4.25, \"p99\": 9.75, \"max\": 31}%s",
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

/* Runs argv and returns its exit status (-1 when it could not run). */
static int run_prog(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int xmllint_validate_with(const char *schema, const char *file)
{
    if (access(schema, R_OK) != 0)
        fail_msg("JUnit schema %s not found (run from the source root)", schema);
    char *argv[] = {"xmllint", "--noout", "--schema", (char *)schema, (char *)file, NULL};
    int rc = run_prog(argv);
    if (rc == 127)
        fail_msg("xmllint not found (Debian package libxml2-utils)");
    return rc;
}

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

static char *console_text(const struct report_run *r, int color)
{
    FILE *out = tmpfile();
    assert_non_null(out);
    report_console_write(r, out, color);
    long n = ftell(out);
    assert_true(n > 0);
    rewind(out);
    char *s = lc_calloc(1, (size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, out), (size_t)n);
    fclose(out);
    return s;
}

static void test_console(void **state)
{
    struct fixture *f = *state;
    char *s = console_text(f->run, 0);
    assert_null(strchr(s, '\x1b'));
    assert_non_null(strstr(s, "PASS   " NAME1 "  (12.3s)\n"
                              "    ok   max(fds) <= baseline(fds) + 10: fds = 12, expected <= 20\n"
                              "FAIL   fail  (3.0s)\n"
                              "    FAIL " EXPR_FAIL ": " MSG_FAIL "\n"
                              "    ERR  slope(rss) < 1MB/s: no samples of rss!\n"));
    assert_non_null(strstr(s, "ERROR  error test  (1.0s)\n"
                              "    error: target exited with status 2 before ready\n"
                              "    log tail:\n"));
    assert_non_null(strstr(s, "      | \xef\xbf\xbd\xef\xbf\xbd bad \xef\xbf\xbd(\n"
                              "      | tail end\n      | exit status 2\n"));
    assert_null(strstr(s, "In function")); /* only the last ten lines */
    /* a wrapper's server measured: said; the started process itself: not */
    assert_non_null(strstr(s,
                           "    measured pid 4321 (listening on 127.0.0.1:8080), not the "
                           "target's pid 4300, after 1 change: /tmp/b001/exe/main -addr :8080\n"));
    assert_null(strstr(s, "measured pid 77"));
    /* watching's cost: only where it stopped the target for long */
    assert_non_null(strstr(s, "after 1 change: /tmp/b001/exe/main -addr :8080\n"
                              "    Watching cost the target, as fetch times: stopping its world, 2 "
                              "goroutine dumps (30 ms in all, longest 20 ms), 1 debug=2 dumps (250 "
                              "ms in all, longest 250 ms), 0 forced GCs; not stopping it, 0 heap "
                              "profiles; 8 rounds read the goroutine count, 2 dumped.\n"));
    assert_null(strstr(strstr(s, "Watching cost") + 1, "Watching cost")); /* not the pass */
    assert_non_null(strstr(s, "\n3 tests: 1 passed, 1 failed, 1 error (interrupted)\n"));
    free(s);
    s = console_text(f->run, 1);
    assert_non_null(strstr(s, "\033[32m\xe2\x9c\x93\033[0m max(fds)"));
    assert_non_null(strstr(s, "\033[31m\xe2\x9c\x97\033[0m " EXPR_FAIL));
    free(s);
}

static void add_culprit(struct report_test *t, const char *kind, const char *fn, const char *loc,
                        double before, double after, const char *detail, int proven)
{
    t->culprits = lc_realloc(t->culprits, (t->nculprits + 1) * sizeof(*t->culprits));
    t->culprits[t->nculprits++] = (struct report_culprit){lc_strdup(kind),
                                                          fn ? lc_strdup(fn) : NULL,
                                                          lc_strdup(loc),
                                                          before,
                                                          after,
                                                          after - before,
                                                          lc_strdup(detail),
                                                          proven,
                                                          REPORT_BASIS_GROWTH};
}

/* Culprits: all of them in report.json, the top three (and the pprof
 * command) in the JUnit failure and on the console, the first one in the
 * failure's message. */
static void test_culprits(void **state)
{
    struct fixture *f = *state;
    struct lc_error err = {0};
    struct report_run *r = lc_calloc(1, sizeof(*r));
    r->suite = lc_strdup("culprits");
    r->source_root = lc_strdup("/src/");
    r->verdict = REPORT_FAIL;
    struct report_test *t = report_add_test(r);
    t->name = lc_strdup("leaky");
    t->verdict = REPORT_FAIL;
    add_assertion(t, EXPR_FAIL, 0, 0, 2003, 3, MSG_FAIL);
    add_culprit(t, "goroutine", "main.leak", "/src/main.go:52", 0, 2000,
                "chan send, waiting < 1 minute; created by main.start at /src/main.go:50", 1);
    add_culprit(t, "heap", "main.render", "/src/main.go:47", 1048576, 44040192,
                "in-use objects 10 -> 1290 (+1280)", 0);
    add_culprit(t, "socket", NULL, "127.0.0.1:41031", 0, 600,
                "600 TCP sockets ESTABLISHED to 127.0.0.1:41031 (0 at baseline)", 0);
    add_culprit(t, "fd", NULL, "/tmp/spool", 2, 502, "502 files in /tmp/spool <&>", 0);
    t->pprof_base_cmd = lc_strdup("go tool pprof -base /o/leaky/baseline-goroutine.pb.gz "
                                  "/o/leaky/final-goroutine.pb.gz");
    char *jpath = path_in(f, "culprits.json"), *xpath = path_in(f, "culprits.xml");
    assert_int_equal(report_json_write(r, jpath, &err), 0);
    json_error_t jerr;
    json_t *doc = json_load_file(jpath, 0, &jerr);
    assert_non_null(doc);
    json_t *jt = json_array_get(get(doc, "tests"), 0), *cs = get(jt, "culprits");
    assert_int_equal(json_array_size(cs), 4);
    json_t *c0 = json_array_get(cs, 0), *c2 = json_array_get(cs, 2);
    assert_str(c0, "kind", "goroutine");
    assert_str(c0, "function", "main.leak");
    assert_str(c0, "location", "/src/main.go:52");
    assert_num(c0, "before", 0);
    assert_num(c0, "after", 2000);
    assert_num(c0, "growth", 2000);
    assert_true(json_is_true(get(c0, "proven")));
    assert_true(json_is_null(get(c2, "function")));
    assert_str(c2, "location", "127.0.0.1:41031");
    assert_str(jt, "pprof_base_cmd", t->pprof_base_cmd);
    json_decref(doc);
    assert_int_equal(report_junit_write(r, xpath, &err), 0);
    /* file= and line= are beyond Jenkins' schema: valid with them added */
    assert_int_equal(xmllint_validate_with(SCHEMA_FILELINE, xpath), 0);
    char *x = lc_read_file(xpath, 1 << 20, NULL, &err);
    assert_non_null(strstr(x, "<failure message=\"" MSG_FAIL "; top culprit: +2000 goroutines "
                              "(0 -&gt; 2000) in main.leak at /src/main.go:52 [proven leaked]\""));
    assert_non_null(strstr(x, "culprits (what grew from the end of the baseline to the end):\n"
                              "  +2000 goroutines (0 -&gt; 2000) in main.leak at /src/main.go:52 "
                              "[proven leaked]\n      chan send, waiting &lt; 1 minute;"));
    assert_non_null(strstr(x, "  +41.0 MiB of heap (1.0 MiB -&gt; 42.0 MiB) allocated in "
                              "main.render at /src/main.go:47\n"));
    assert_non_null(strstr(x, "  +600 sockets: 600 TCP sockets ESTABLISHED to 127.0.0.1:41031"));
    assert_null(strstr(x, "/tmp/spool")); /* the fourth is only in report.json */
    assert_non_null(strstr(x, "  (1 more in report.json)\ncompare (in the reports&apos; "
                              "folder): go tool pprof -base "));
    /* the top culprit's file, relative to the source root, and its line */
    assert_non_null(strstr(x, "time=\"0.000\" file=\"main.go\" line=\"52\">"));
    free(x);
    char *s = console_text(r, 0);
    assert_non_null(strstr(s, "    culprits (what grew from the end of the baseline to the end):\n"
                              "      +2000 goroutines (0 -> 2000) in main.leak at "
                              "/src/main.go:52 [proven leaked]\n"
                              "          chan send, waiting < 1 minute; created by main.start"));
    assert_non_null(strstr(s, "      (1 more in report.json)\n    compare (in the reports' "
                              "folder): go tool pprof -base"));
    free(s);
    free(jpath);
    free(xpath);
    report_run_free(r);
}

static void test_write_errors(void **state)
{
    struct fixture *f = *state;
    struct lc_error err = {0};
    char *missing = path_in(f, "nope/report.json");
    assert_int_equal(report_json_write(f->run, missing, &err), -1);
    assert_non_null(strstr(err.msg, "nope/report.json"));
    assert_int_equal(report_junit_write(f->run, missing, &err), -1);
    assert_non_null(strstr(err.msg, "nope/report.json"));
    /* A rename onto a directory fails after the temporary file was written:
     * the temporary file must be gone. */
    char *sub = path_in(f, "occupied");
    char *inner = path_in(f, "occupied/x");
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(lc_write_file_atomic(inner, "x", 1, &err), 0);
    assert_int_equal(report_junit_write(f->run, sub, &err), -1);
    assert_non_null(strstr(err.msg, "occupied"));
    assert_no_temp_files(f->dir);
    unlink(inner);
    free(inner);
    free(sub);
    free(missing);
    assert_int_equal(report_json_write(NULL, "x", &err), -1);
}

static void test_model(void **state)
{
    (void)state;
    assert_string_equal(report_verdict_name(REPORT_PASS), "pass");
    assert_string_equal(report_verdict_name(REPORT_FAIL), "fail");
    assert_string_equal(report_verdict_name(REPORT_ERROR), "error");
    struct report_run *r = lc_calloc(1, sizeof(*r));
    for (int i = 0; i < 40; i++) {
        struct report_test *t = report_add_test(r);
        assert_null(t->name);
        assert_int_equal(t->nassertions, 0);
        t->name = lc_asprintf("t%d", i);
    }
    assert_int_equal(r->ntests, 40);
    assert_string_equal(r->tests[39].name, "t39");
    report_run_free(r);
    report_run_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model),
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_junit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_junit_schema_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console, setup, teardown),
        cmocka_unit_test_setup_teardown(test_culprits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
