/* tests/unit/test_report.c: the report model, the console summary, culprits
 * in all three outputs, and write errors (no temporary file left behind). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/lc.h"
#include "report_fixture.h"

#define SCHEMA_FILELINE "tests/data/schemas/junit-10-fileline.xsd"

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
        cmocka_unit_test_setup_teardown(test_console, setup, teardown),
        cmocka_unit_test_setup_teardown(test_culprits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
