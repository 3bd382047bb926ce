/* tests/unit/test_lc.c: the common helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/lc.h"

static void test_duration_forms(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double secs;
    } ok[] = {{"250ms", 0.25}, {"5s", 5},       {"1m30s", 90},   {"1.5h", 5400}, {"0", 0},
              {"0s", 0},       {"100us", 1e-4}, {"2h45m", 9900}, {"10ns", 1e-8}, {"1m0.5s", 60.5}};
    for (size_t i = 0; i < LC_ARRAY_LEN(ok); i++) {
        double v = -1;
        struct lc_error err = {0};
        assert_int_equal(lc_parse_duration(ok[i].text, &v, &err), 0);
        assert_true(fabs(v - ok[i].secs) < 1e-12);
    }
}

static void test_duration_rejects(void **state)
{
    (void)state;
    const char *bad[] = {
        "", "5", "-1s", "5 s", "5sec", "s", "1.2.3s", "1d", "ms", "99999999999999999999h", "9000h"};
    for (size_t i = 0; i < LC_ARRAY_LEN(bad); i++) {
        double v = 0;
        struct lc_error err = {0};
        assert_int_equal(lc_parse_duration(bad[i], &v, &err), -1);
        assert_true(strstr(err.msg, "bad duration") || strstr(err.msg, "empty") ||
                    strstr(err.msg, "too long"));
    }
}

static void test_buf_grows(void **state)
{
    (void)state;
    struct lc_buf b = {0};
    for (int i = 0; i < 1000; i++)
        lc_buf_printf(&b, "%d,", i);
    assert_int_equal(b.len, strlen(b.data));
    assert_memory_equal(b.data, "0,1,2,", 6);
    assert_non_null(strstr(b.data, "999,"));
    lc_buf_free(&b);
}

static void test_atomic_write_and_read(void **state)
{
    (void)state;
    char dir[] = "/tmp/lc_test_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = lc_asprintf("%s/a/b/file.txt", dir);
    char *sub = lc_asprintf("%s/a/b", dir);
    struct lc_error err = {0};
    assert_int_equal(lc_mkdirs(sub, &err), 0);
    assert_int_equal(lc_write_file_atomic(path, "hello\n", 6, &err), 0);
    size_t len = 0;
    char *back = lc_read_file(path, 100, &len, &err);
    assert_non_null(back);
    assert_int_equal(len, 6);
    assert_string_equal(back, "hello\n");
    free(back);
    assert_null(lc_read_file(path, 3, &len, &err));
    assert_non_null(strstr(err.msg, "larger than"));
    /* a directory that does not exist: a clear error naming the path */
    char *missing = lc_asprintf("%s/nope/file", dir);
    assert_int_equal(lc_write_file_atomic(missing, "x", 1, &err), -1);
    assert_non_null(strstr(err.msg, "nope"));
    unlink(path);
    free(missing);
    free(path);
    free(sub);
}

static int exists(const char *dir, const char *name)
{
    struct stat st;
    char *p = lc_asprintf("%s/%s", dir, name);
    int r = stat(p, &st) == 0;
    free(p);
    return r;
}

/* Creates dir/name, last modified age seconds ago. */
static void touch(const char *dir, const char *name, long age)
{
    char *p = lc_asprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
    struct timespec ts[2] = {{time(NULL) - age, 0}, {time(NULL) - age, 0}};
    assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
    free(p);
}

/* The pid of a process that has ended. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    return pid;
}

/* A writer killed mid-write leaves PATH.tmp.PID: the next write of PATH
 * removes it when PID is gone and the file is old, and nothing else. */
static void test_atomic_write_removes_stale_temps(void **state)
{
    (void)state;
    char dir[] = "/tmp/lc_test_XXXXXX";
    assert_non_null(mkdtemp(dir));
    pid_t dead = dead_pid(), dead2 = dead_pid(), dead3 = dead_pid();
    char stale[64], live[64], other[64], recent[64], zero[64], sub[64];
    snprintf(stale, sizeof(stale), "report.json.tmp.%ld", (long)dead);
    snprintf(live, sizeof(live), "report.json.tmp.%ld", (long)getppid());
    snprintf(other, sizeof(other), "junit.xml.tmp.%ld", (long)dead);
    snprintf(zero, sizeof(zero), "report.json.tmp.0%ld", (long)dead);
    /* a writer in another PID namespace (gone to kill()) writing now */
    snprintf(recent, sizeof(recent), "report.json.tmp.%ld", (long)dead2);
    snprintf(sub, sizeof(sub), "report.json.tmp.%ld", (long)dead3);
    const char *keep[] = {live,
                          other,
                          zero,
                          "report.json.tmp.",
                          "report.json.tmp.12x",
                          "report.json.tmp.99999999999999999999",
                          "report.jsonx.tmp.1"};
    touch(dir, stale, 3600);
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        touch(dir, keep[i], 3600);
    touch(dir, recent, 5);
    char *subdir = lc_asprintf("%s/%s", dir, sub); /* old, a dead PID, but no file */
    assert_int_equal(mkdir(subdir, 0700), 0);
    struct timespec old[2] = {{time(NULL) - 3600, 0}, {time(NULL) - 3600, 0}};
    assert_int_equal(utimensat(AT_FDCWD, subdir, old, 0), 0);
    char *path = lc_asprintf("%s/report.json", dir);
    struct lc_error err = {0};
    assert_int_equal(lc_write_file_atomic(path, "{}", 2, &err), 0);
    assert_false(exists(dir, stale));
    assert_true(exists(dir, "report.json"));
    assert_true(exists(dir, sub));
    assert_true(exists(dir, recent));
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        assert_true(exists(dir, keep[i]));
    const char *rm[LC_ARRAY_LEN(keep) + 1];
    memcpy(rm, keep, sizeof(keep));
    rm[LC_ARRAY_LEN(keep)] = recent;
    for (size_t i = 0; i < LC_ARRAY_LEN(rm); i++) {
        char *p = lc_asprintf("%s/%s", dir, rm[i]);
        unlink(p);
        free(p);
    }
    rmdir(subdir);
    unlink(path);
    rmdir(dir);
    free(subdir);
    free(path);
}

static void test_parse_double_special(void **state)
{
    (void)state;
    double v;
    const char *end;
    assert_int_equal(lc_parse_double("+Inf", &end, &v), 0);
    assert_true(isinf(v) && v > 0);
    assert_int_equal(lc_parse_double("-Inf", &end, &v), 0);
    assert_true(isinf(v) && v < 0);
    assert_int_equal(lc_parse_double("NaN", &end, &v), 0);
    assert_true(isnan(v));
    assert_int_equal(lc_parse_double("1.5e3 rest", &end, &v), 0);
    assert_true(v == 1500.0);
    assert_string_equal(end, " rest");
    assert_int_equal(lc_parse_double("x", &end, &v), -1);
}

/* lc_parse_decimal reads what strtod would, or leaves it to strtod. */
static void test_parse_decimal_cases(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t used; /* 0: left to strtod */
        double value;
    } cases[] = {
        {"0", 1, 0},
        {"-0", 2, -0.0},
        {"42", 2, 42},
        {"+7", 2, 7},
        {"1.5", 3, 1.5},
        {"5.", 2, 5},
        {".5", 2, 0.5},
        {"0.005", 5, 0.005},
        {"1e3", 3, 1000},
        {"2.5E-3", 6, 2.5e-3},
        {"-2E+10", 6, -2e10},
        {"9.333659e+08", 12, 9.333659e+08},
        {"12 34", 2, 12},
        {"1.5.3", 3, 1.5},
        {"0x10", 1, 0},
        {"1e", 0, 0},
        {"1e+", 0, 0},
        {".", 0, 0},
        {"-", 0, 0},
        {"", 0, 0},
        {"NaN", 0, 0},
        {"+Inf", 0, 0},
        {" 1", 0, 0},
        {"1e23", 0, 0},
        {"9007199254740993", 0, 0}, /* 2^53 + 1: not exact in one operation */
        {"12345678901234567890", 0, 0},
        {"0e999999", 8, 0},
        {"0.000000000000000000000000001", 0, 0},
        {"1e-22", 5, 1e-22},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++) {
        double v = -1;
        size_t used = lc_parse_decimal(cases[i].text, strlen(cases[i].text), &v);
        if (used != cases[i].used)
            fail_msg("\"%s\": read %zu, expected %zu", cases[i].text, used, cases[i].used);
        if (used && (v != cases[i].value || signbit(v) != signbit(cases[i].value)))
            fail_msg("\"%s\": %.17g", cases[i].text, v);
    }
    /* it reads only the n bytes it is given */
    double v = 0;
    assert_int_equal(lc_parse_decimal("123", 2, &v), 2);
    assert_true(v == 12);
}

/* Random tokens: whatever lc_parse_decimal reads, strtod reads the same
 * bytes to the same double (sign of zero included). */
static void test_parse_decimal_agrees_with_strtod(void **state)
{
    (void)state;
    static const char alphabet[] = "0000123456789..eE+-x ";
    uint32_t x = 1234567u;
    size_t handled = 0;
    for (int round = 0; round < 200000; round++) {
        char tok[32];
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        size_t n = 1 + x % 24;
        for (size_t k = 0; k < n; k++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            tok[k] = alphabet[x % (sizeof(alphabet) - 1)];
        }
        tok[n] = '\0';
        double v = 0;
        size_t used = lc_parse_decimal(tok, n, &v);
        if (!used)
            continue;
        handled++;
        char prefix[32];
        memcpy(prefix, tok, used);
        prefix[used] = '\0';
        char *end = NULL;
        double want = strtod(prefix, &end);
        if (end != prefix + used || want != v || signbit(want) != signbit(v))
            fail_msg("\"%s\": read %zu bytes as %.17g, strtod %.17g (%zu bytes)", tok, used, v,
                     want, (size_t)(end - prefix));
    }
    assert_true(handled > 50000);
}

static void test_redaction(void **state)
{
    (void)state;
    static const char *cases[][2] = {
        {"http://user:s3cret@127.0.0.1:8080/metrics", "http://user:***@127.0.0.1:8080/metrics"},
        {"http://token@host/x", "http://token@host/x"},
        {"http://127.0.0.1:8080/debug/pprof", "http://127.0.0.1:8080/debug/pprof"},
        {"https://a:b@h", "https://a:***@h"},
        {"http://h/path?u=a:b@c", "http://h/path?u=a:b@c"},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++) {
        char *r = lc_redact_url(cases[i][0]);
        assert_string_equal(r, cases[i][1]);
        free(r);
    }
    assert_true(lc_secret_header("Authorization"));
    assert_true(lc_secret_header("cookie"));
    assert_true(lc_secret_header("Proxy-Authorization"));
    assert_false(lc_secret_header("Content-Type"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_forms),
        cmocka_unit_test(test_duration_rejects),
        cmocka_unit_test(test_buf_grows),
        cmocka_unit_test(test_atomic_write_and_read),
        cmocka_unit_test(test_atomic_write_removes_stale_temps),
        cmocka_unit_test(test_parse_double_special),
        cmocka_unit_test(test_redaction),
        cmocka_unit_test(test_parse_decimal_cases),
        cmocka_unit_test(test_parse_decimal_agrees_with_strtod),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
