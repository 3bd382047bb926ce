/* tests/unit/test_suite_json.c: the suite loader's position locator, the
 * places of assertion faults and the warning about tests without
 * assertions, and its robustness against truncated and mangled files
 * (suite/suite.c, suite_json.c, checks.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suite/checks.h"
#include "suite/suite.h"
#include "suite/suite_internal.h"

#define DATA "tests/data/suites/"

static void test_null_port_cb(void **state)
{
    (void)state;
    struct lc_error err = {0};
    struct suite *s = suite_load(DATA "valid/example.json", NULL, NULL, &err);
    assert_non_null(s);
    assert_int_equal(s->tests[0].port, 0);
    assert_string_equal(s->tests[0].target.command[2], "127.0.0.1:0");
    suite_free(s);
}

/* Locates the path given as keys (NULL-separated indexes as "#N"). */
static void locate(const char *text, enum suite_pos which, int line, int col, ...)
{
    struct suite_path p = {0};
    va_list ap;
    va_start(ap, col);
    for (const char *k; (k = va_arg(ap, const char *));) {
        if (k[0] == '#')
            suite_path_push_index(&p, (size_t)strtoul(k + 1, NULL, 10));
        else
            suite_path_push_key(&p, k);
    }
    va_end(ap);
    int l = -1, c = -1;
    int rc = suite_json_locate(text, strlen(text), &p, which, &l, &c);
    if (line == 0) {
        assert_int_equal(rc, -1);
    } else if (rc != 0 || l != line || c != col) {
        char where[256];
        suite_path_format(&p, p.depth, where, sizeof(where));
        fail_msg("%s: got rc %d at %d:%d, want %d:%d", where, rc, l, c, line, col);
    }
}

static void test_locator_tricky_text(void **state)
{
    (void)state;
    /* escaped quotes, brackets inside strings, a key written with \u, and
     * multibyte characters before the place looked for */
    const char *t =
        "{\"a\": [1, [2, {\"x\": \"]}\"}], \"s\\\"q\"], \"\\u0063md\": {\"k\": [10, 20, "
        "{\"deep\": true}]},\n  \"\xc3\xa9\": \"\xc3\xbc\", \"z\": {\"y\": [[], {}, "
        "\"v\"]}}";
    locate(t, SUITE_POS_VALUE, 1, 74, "cmd", "k", "#2", "deep", NULL);
    locate(t, SUITE_POS_KEY, 1, 66, "cmd", "k", "#2", "deep", NULL);
    locate(t, SUITE_POS_VALUE, 1, 21, "a", "#1", "#1", "x", NULL);
    locate(t, SUITE_POS_KEY, 2, 13, "z", NULL);
    locate(t, SUITE_POS_VALUE, 2, 33, "z", "y", "#2", NULL);
    locate(t, SUITE_POS_VALUE, 1, 50, "cmd", NULL);
    locate(t, SUITE_POS_VALUE, 2, 24, "z", "y", NULL);
    locate(t, SUITE_POS_VALUE, 1, 1, NULL);
    /* not there: a missing key, an index past the end, a key of an array */
    locate(t, SUITE_POS_VALUE, 0, 0, "nope", NULL);
    locate(t, SUITE_POS_VALUE, 0, 0, "z", "y", "#3", NULL);
    locate(t, SUITE_POS_VALUE, 0, 0, "z", "y", "#0", "#0", NULL);
    locate(t, SUITE_POS_VALUE, 0, 0, "a", "x", NULL);
    /* broken text fails instead of running off the end */
    locate("{\"a\": \"unterminated", SUITE_POS_VALUE, 0, 0, "b", NULL);
    locate("{\"a\": [1, {\"b\"", SUITE_POS_VALUE, 0, 0, "c", NULL);
    locate("[1, 2", SUITE_POS_VALUE, 0, 0, "#5", NULL);
    locate("", SUITE_POS_VALUE, 0, 0, NULL);
}

/* Maps the string at key "s" of text; checks its quote and byte columns. */
static void string_cols(const char *text, int line, int col, const int *want, size_t nwant)
{
    struct suite_path p = {0};
    int l = -1, c = -1, *cols = NULL;
    size_t n = 0;
    suite_path_push_key(&p, "s");
    assert_int_equal(suite_json_string_cols(text, strlen(text), &p, &l, &c, &cols, &n), 0);
    assert_int_equal(l, line);
    assert_int_equal(c, col);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++)
        if (cols[i] != want[i])
            fail_msg("byte %zu: column %d, want %d", i, cols[i], want[i]);
    free(cols);
}

static void test_string_columns(void **state)
{
    (void)state;
    /* plain: the quote at 7, the bytes from 8, then the closing quote */
    string_cols("{\"s\": \"ab\"}", 1, 7, (const int[]){8, 9, 10}, 3);
    /* \" and \\ are two characters for one byte; \u00e9 is six for two
     * bytes; a surrogate pair twelve for four; a raw "é" one for two */
    string_cols("{\"x\": 1,\n \"s\": \"\\\"\\\\\\u00e9\\ud83d\\ude00\xc3\xa9z\"}", 2, 7,
                (const int[]){8, 10, 12, 12, 18, 18, 18, 18, 30, 30, 31, 32}, 12);
    /* not a string, not there, not closed */
    struct suite_path p = {0};
    int l, c, *cols = (int *)&l;
    size_t n = 1;
    suite_path_push_key(&p, "s");
    assert_int_equal(suite_json_string_cols("{\"s\": 12}", 10, &p, &l, &c, &cols, &n), -1);
    assert_null(cols);
    assert_int_equal(n, 0);
    assert_int_equal(suite_json_string_cols("{\"t\": \"a\"}", 10, &p, &l, &c, &cols, &n), -1);
    assert_int_equal(suite_json_string_cols("{\"s\": \"ab", 9, &p, &l, &c, &cols, &n), -1);
    assert_null(cols);
}

/* Asserts that byte column col of assertion k of t is at line:fcol. */
static void where(const struct suite_test *t, size_t k, int col, int line, int fcol)
{
    int l = -1, c = -1;
    suite_assert_where(t, k, col, &l, &c);
    if (l != line || c != fcol)
        fail_msg("assertion %zu, column %d: got %d:%d, want %d:%d", k + 1, col, l, c, line, fcol);
}

static void test_assertion_places(void **state)
{
    (void)state;
    struct lc_error err = {0};
    struct suite *s = suite_load(DATA "valid/positions.json", NULL, NULL, &err);
    if (!s)
        fail_msg("%d:%d: %s", err.line, err.col, err.msg);
    const struct suite_test *t = &s->tests[0];
    assert_int_equal(t->nasserts, 6);
    where(t, 0, 1, 7, 19);
    where(t, 1, 8, 7, 39);
    /* "fds <= \"x\\\"y\" + bogus2": escapes widen what follows */
    where(t, 2, 8, 8, 17);
    where(t, 2, 9, 8, 19);
    where(t, 2, 10, 8, 20);
    where(t, 2, 11, 8, 22);
    where(t, 2, 12, 8, 24);
    where(t, 2, 17, 8, 30);
    /* past the end (an unexpected end of input): the closing quote */
    where(t, 2, 23, 8, 36);
    where(t, 2, 500, 8, 36);
    where(t, 2, 0, 8, 10);
    /* ${port} moved the text: the assertion's first character */
    where(t, 3, 12, 8, 40);
    /* "\u0066ds <=\t1 + bogus4" */
    where(t, 4, 1, 9, 10);
    where(t, 4, 2, 9, 16);
    where(t, 4, 7, 9, 21);
    where(t, 4, 12, 9, 27);
    /* both bytes of a raw "ä" are one character */
    where(t, 5, 16, 9, 52);
    where(t, 5, 17, 9, 52);
    where(t, 5, 18, 9, 53);
    /* a test built by hand has no places: its line, no column */
    struct suite_test bare = {.line = 42, .nasserts = 1};
    where(&bare, 0, 3, 42, 0);
    suite_free(s);
}

/* Each of want[0..n) is in out, in this order. */
static void assert_in_order(const char *out, const char *const *want, size_t n)
{
    const char *at = out;
    for (size_t i = 0; i < n; i++) {
        const char *hit = strstr(at, want[i]);
        if (!hit)
            fail_msg("missing, in order: %s\nin:\n%s", want[i], out);
        at = hit + strlen(want[i]);
    }
}

/* checks_new's report of the faults of positions.json. */
static void test_fault_report(void **state)
{
    (void)state;
    char *out = NULL;
    size_t len = 0;
    struct suite *s = suite_load(DATA "valid/positions.json", NULL, NULL, NULL);
    assert_non_null(s);
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    assert_null(checks_new(s, f));
    assert_int_equal(fclose(f), 0);
    static const char *const want[] = {
        "leakcheck: " DATA "valid/positions.json:7:39: test \"a\", assertion 2: unknown metric "
        "'bogus' at column 8",
        "\n    fds <= bogus\n           ^\n",
        "leakcheck: " DATA "valid/positions.json:8:17: test \"a\", assertion 3: unexpected "
        "'\"x\\\"y\"' at column 8",
        "leakcheck: " DATA "valid/positions.json:8:40: test \"a\", assertion 4: unknown metric "
        "'bogus3' at column 12",
        "leakcheck: " DATA "valid/positions.json:9:52: test \"a\", assertion 6: unexpected byte "
        "0xc3 at column 16",
    };
    assert_in_order(out, want, LC_ARRAY_LEN(want));
    assert_non_null(strstr(out, "positions.json:9:27: test \"a\", assertion 5: unknown metric "
                                "'bogus4' at column 12"));
    assert_null(strstr(out, "assertion 1:"));
    free(out);
    suite_free(s);
}

/* A batch job has no baseline unless the test gives one; exit_code is a
 * batch job's metric only. */
static void test_batch_checks(void **state)
{
    (void)state;
    char *out = NULL;
    size_t len = 0;
    struct suite *s = suite_load(DATA "valid/batch_checks.json", NULL, NULL, NULL);
    assert_non_null(s);
    assert_int_equal(s->nwarnings, 0);
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    assert_null(checks_new(s, f));
    assert_int_equal(fclose(f), 0);
    static const char *const want[] = {
        "batch_checks.json:3:32: test \"no baseline\", assertion 2: growth(fds) needs a "
        "baseline, and a target that exits (\"exits\": true) has none unless the test gives "
        "\"baseline\"; max(fds) judges the peak",
        "batch_checks.json:5:15: test \"within\", assertion 1: baseline(fds) needs a baseline",
        "batch_checks.json:8:70: test \"a service\", assertion 1: unknown metric 'exit_code' at "
        "column 1; exit_code needs target.exits in this test",
    };
    assert_in_order(out, want, LC_ARRAY_LEN(want));
    /* the test with a baseline and the one without assertions are fine */
    assert_null(strstr(out, "with baseline"));
    assert_null(strstr(out, "no assertions"));
    free(out);
    suite_free(s);
}

static void test_no_assertion_warnings(void **state)
{
    (void)state;
    struct suite *s = suite_load(DATA "valid/positions.json", NULL, NULL, NULL);
    assert_non_null(s);
    /* "b" has no "assert": at the test; "c" has an empty one: at the [ */
    assert_int_equal(s->nwarnings, 2);
    assert_int_equal(s->warnings[0].kind, SUITE_WARN_NO_ASSERTIONS);
    assert_int_equal(s->warnings[0].test, 1);
    assert_int_equal(s->warnings[0].line, 11);
    assert_int_equal(s->warnings[0].col, 5);
    assert_string_equal(s->warnings[0].msg, "test \"b\" has no assertions: it passes unless its "
                                            "target or a source fails");
    assert_int_equal(s->warnings[1].test, 2);
    assert_int_equal(s->warnings[1].line, 15);
    assert_int_equal(s->warnings[1].col, 17);
    assert_non_null(strstr(s->warnings[1].msg, "test \"c\" has no assertions"));
    assert_int_equal(s->tests[1].col, 5);
    suite_free(s);
    /* every test asserts something: nothing to say */
    s = suite_load(DATA "valid/example.json", NULL, NULL, NULL);
    assert_non_null(s);
    assert_int_equal(s->nwarnings, 0);
    assert_null(s->warnings);
    suite_free(s);
    /* a suite with a compare object is meant for run --compare */
    s = suite_load(DATA "valid/compare.json", NULL, NULL, NULL);
    assert_non_null(s);
    assert_int_equal(s->nwarnings, 1);
    assert_string_equal(s->warnings[0].msg,
                        "test \"t\" has no assertions: without run --compare it passes unless "
                        "its target or a source fails");
    suite_free(s);
}

/* Writes n bytes of data to path. */
static void write_bytes(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void test_truncated_and_mangled(void **state)
{
    (void)state;
    size_t len = 0;
    char *text = lc_read_file(DATA "valid/example.json", 1 << 20, &len, NULL);
    char dir[] = "/tmp/lc_suite_XXXXXX";
    assert_non_null(text);
    assert_non_null(mkdtemp(dir));
    char *path = lc_asprintf("%s/s.json", dir);
    /* every prefix short of the closing brace is an error, never a crash */
    for (size_t n = 0; n + 1 < len; n++) {
        struct lc_error err = {0};
        write_bytes(path, text, n);
        struct suite *s = suite_load(path, NULL, NULL, &err);
        if (s)
            fail_msg("prefix of %zu bytes loaded", n);
        assert_true(err.msg[0] != '\0');
    }
    /* any byte replaced by JSON punctuation: loads or fails cleanly */
    static const char swaps[] = "\"{[:,]}1$\\";
    for (size_t n = 0; n < len; n++) {
        for (size_t k = 0; k < sizeof(swaps) - 1; k++) {
            char old = text[n];
            struct lc_error err = {0};
            text[n] = swaps[k];
            write_bytes(path, text, len);
            text[n] = old;
            struct suite *s = suite_load(path, NULL, NULL, &err);
            assert_true(s != NULL || err.msg[0] != '\0');
            suite_free(s);
        }
    }
    unlink(path);
    rmdir(dir);
    free(path);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_port_cb),          cmocka_unit_test(test_locator_tricky_text),
        cmocka_unit_test(test_string_columns),        cmocka_unit_test(test_assertion_places),
        cmocka_unit_test(test_fault_report),          cmocka_unit_test(test_batch_checks),
        cmocka_unit_test(test_no_assertion_warnings), cmocka_unit_test(test_truncated_and_mangled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
