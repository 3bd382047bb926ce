/*
 * tests/unit/test_prom_names.c: the metric names of an exposition
 * (sources/prom_names.c) and the ones nearest to a name it lacks, on the
 * captured expositions of tests/data/prom/ and hostile inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/prom.h"

#define D "tests/data/prom/"

static struct prom_names *scan_file(const char *path)
{
    struct lc_error err = {0};
    size_t len = 0;
    char *text = lc_read_file(path, 16 << 20, &len, &err);
    if (!text)
        fail_msg("%s", err.msg);
    struct prom_names *n = prom_names_scan(text, len);
    free(text);
    return n;
}

static struct prom_names *scan_text(const char *text)
{
    return prom_names_scan(text, strlen(text));
}

/* The nearest names to word, joined by ", ". */
static void nearest_is(const struct prom_names *n, const char *word, const char *want)
{
    const char *out[3];
    size_t k = prom_names_nearest(n, word, out, 3);
    char got[512] = "";
    for (size_t i = 0; i < k; i++)
        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? ", " : "", out[i]);
    if (strcmp(got, want) != 0)
        fail_msg("nearest to %s: '%s', want '%s'", word, got, want);
}

static void test_scan(void **state)
{
    (void)state;
    /* nine sample names, odd spacing included; comments are not names */
    struct prom_names *n = scan_file(D "edge-cases.txt");
    assert_int_equal(prom_names_count(n), 9);
    assert_true(prom_names_has(n, "lc_edge_total"));
    assert_true(prom_names_has(n, "lc:edge:colons"));
    assert_true(prom_names_has(n, "lc_edge_last"));
    assert_false(prom_names_has(n, "a"));
    assert_false(prom_names_has(n, "lc_edge"));
    prom_names_free(n);
    /* node_exporter: 285 distinct names (samples and TYPE lines, counted
     * with grep and sort -u) */
    n = scan_file(D "node-exporter.txt");
    assert_int_equal(prom_names_count(n), 285);
    assert_true(prom_names_has(n, "node_cpu_seconds_total"));
    prom_names_free(n);
    /* a family declared with no sample yet is exposed; OpenMetrics' # EOF
     * and # UNIT are not names */
    n = scan_text("# HELP jobs_failed_total Failed jobs.\n# TYPE jobs_failed_total counter\n"
                  "#\tTYPE\tqueue_depth gauge\n# UNIT x_seconds seconds\nup 1\r\n# EOF\n");
    assert_int_equal(prom_names_count(n), 3);
    assert_true(prom_names_has(n, "jobs_failed_total"));
    assert_true(prom_names_has(n, "queue_depth"));
    assert_true(prom_names_has(n, "up"));
    assert_false(prom_names_has(n, "x_seconds"));
    assert_false(prom_names_has(n, "EOF"));
    prom_names_free(n);
    n = prom_names_scan(NULL, 0);
    assert_int_equal(prom_names_count(n), 0);
    assert_false(prom_names_has(n, "up"));
    nearest_is(n, "up", "");
    prom_names_free(n);
    prom_names_free(NULL);
    assert_int_equal(prom_names_count(NULL), 0);
}

static void test_nearest(void **state)
{
    (void)state;
    struct prom_names *n = scan_file(D "client-golang.txt");
    /* a letter off, or the namespace left out */
    nearest_is(n, "go_gorutines", "go_goroutines");
    nearest_is(n, "goroutine", "go_goroutines");
    nearest_is(n, "goroutines", "go_goroutines");
    nearest_is(n, "threads", "go_threads");
    nearest_is(n, "heap_inuse_bytes", "go_memstats_heap_inuse_bytes");
    /* far from everything: no suggestion */
    nearest_is(n, "orders_rejected_total", "");
    nearest_is(n, "zz", "");
    const char *one[1];
    assert_int_equal(prom_names_nearest(n, "goroutine", one, 0), 0);
    prom_names_free(n);
    n = scan_file(D "node-exporter.txt");
    nearest_is(n, "open_fds", "process_open_fds");
    nearest_is(n, "process_open_fd", "process_open_fds");
    prom_names_free(n);
    /* by distance, a suffix's counting half a letter more than the whole
     * name's (an exact suffix before a typo), then the shorter name */
    n = scan_text("app_jobs 1\njobs_x 1\nb_jobs_y 1\njobz 1\njob 1\n");
    nearest_is(n, "jobs", "app_jobs, job, jobz");
    nearest_is(n, "jobs_y", "b_jobs_y, jobs_x, app_jobs");
    prom_names_free(n);
}

/* 200,000 distinct names: scanned and searched in well under a second. */
static void test_many(void **state)
{
    (void)state;
    size_t count = 200000, len = 0;
    char *text = malloc(count * 16 + 1);
    assert_non_null(text);
    for (size_t i = 0; i < count; i++)
        len += (size_t)sprintf(text + len, "m_%07zu 1\n", i);
    double t0 = lc_now();
    struct prom_names *n = prom_names_scan(text, len);
    const char *out[3];
    assert_int_equal(prom_names_count(n), count);
    assert_int_equal(prom_names_nearest(n, "m_0123456", out, 3), 3);
    assert_string_equal(out[0], "m_0123456");
    assert_true(prom_names_has(n, "m_0199999"));
    double took = lc_now() - t0;
    if (took > 5.0)
        fail_msg("took %.1f s", took);
    prom_names_free(n);
    free(text);
}

/* Names that start like the name of the line before are names of their
 * own; a name repeated line after line is one name. */
static void test_repeats(void **state)
{
    (void)state;
    struct prom_names *n = scan_text("a 1\na 2\nab 1\na 3\na:b 1\na_b{x=\"1\"} 1\na{} 1\n"
                                     "# TYPE a_b counter\na_b 1\na_bc 1\nb\na1 1\n");
    const char *want[] = {"a", "ab", "a:b", "a_b", "a_bc", "b", "a1"};
    assert_int_equal(prom_names_count(n), LC_ARRAY_LEN(want));
    for (size_t i = 0; i < LC_ARRAY_LEN(want); i++)
        if (!prom_names_has(n, want[i]))
            fail_msg("%s not found", want[i]);
    prom_names_free(n);
    /* 200,000 lines of one histogram: one name, kept once */
    size_t count = 200000, len = 0;
    char *text = lc_malloc(count * 40 + 1);
    for (size_t i = 0; i < count; i++)
        len += (size_t)sprintf(text + len, "lat_bucket{le=\"%zu\"} 1\n", i % 12);
    n = prom_names_scan(text, len);
    assert_int_equal(prom_names_count(n), 1);
    assert_true(prom_names_has(n, "lat_bucket"));
    prom_names_free(n);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan),
        cmocka_unit_test(test_nearest),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
