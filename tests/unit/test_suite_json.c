/* tests/unit/test_suite_json.c: the suite loader's position locator and
 * its robustness against truncated and mangled files (framework/suite.c,
 * suite_json.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "framework/suite.h"
#include "framework/suite_internal.h"

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
        cmocka_unit_test(test_null_port_cb),
        cmocka_unit_test(test_locator_tricky_text),
        cmocka_unit_test(test_truncated_and_mangled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
