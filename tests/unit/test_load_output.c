/* tests/unit/test_load_output.c: hey's output of `leakcheck load` (labels,
 * Details, body sizes, error messages, -o csv) from a real engine run on
 * loopback, and the engine's figures behind it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/load_output.h"
#include "lg_servers.h"
#include "loadgen/hist.h"

static void test_label_digits(void **state)
{
    (void)state;
    assert_int_equal(load_label_digits(0.004), 3); /* hey's own */
    assert_int_equal(load_label_digits(0.001), 3);
    assert_int_equal(load_label_digits(0.0004), 4);
    assert_int_equal(load_label_digits(2e-5), 5);
    assert_int_equal(load_label_digits(1e-9), 6); /* capped */
    assert_int_equal(load_label_digits(0), 3);    /* all equal */
    assert_int_equal(load_label_digits(-1), 3);
}

/* The text of load_output_text for st and lat. */
static char *text_of(const struct loadgen_stats *st, const struct hist *lat)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    load_output_text(f, st, lat);
    long n = ftell(f);
    assert_true(n > 0);
    char *buf = lc_calloc(1, (size_t)n + 1);
    rewind(f);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

/* Sub-millisecond latencies (100 to 300 us) get labels that differ. */
static void test_labels_show_the_spread(void **state)
{
    (void)state;
    struct hist *lat = hist_new();
    for (uint64_t us = 100; us <= 300; us++)
        hist_record(lat, us);
    struct loadgen_stats st = {.requests = 201, .responses = 201, .body_bytes = 201 * 6};
    st.status[200] = 201;
    char *t = text_of(&st, lat);
    const char *h = strstr(t, "Response time histogram:\n");
    assert_non_null(h);
    char labels[11][32];
    h = strchr(h, '\n') + 1;
    for (int i = 0; i < 11; i++) {
        assert_int_equal(sscanf(h, " %31s", labels[i]), 1);
        for (int k = 0; k < i; k++)
            if (!strcmp(labels[i], labels[k]))
                fail_msg("rows %d and %d are both labelled %s", k, i, labels[i]);
        h = strchr(h, '\n') + 1;
    }
    assert_string_equal(labels[0], "0.00010");
    assert_non_null(strstr(t, "  Total data:\t1206 bytes\n  Size/request:\t6 bytes\n"));
    free(t);
    hist_free(lat);
}

/* A real run: body bytes and phases from the engine, Details in the text. */
static void test_details_and_sizes(void **state)
{
    (void)state;
    struct srv *s = srv_start("127.0.0.1");
    char *url = url_of(s->port, "/x");
    struct loadgen_config cfg = {.concurrency = 4, .threads = 1, .max_requests = 400};
    struct loadgen_stats st = run(&cfg, url);
    assert_int_equal(st.responses, 400);
    assert_int_equal(st.body_bytes, 400 * 3); /* "ok\n" */
    assert_true(st.bytes_read > st.body_bytes);
    for (int i = 0; i < LOADGEN_PHASES; i++) {
        assert_true(st.ph_min[i] <= st.ph_mean[i] + 1e-12);
        assert_true(st.ph_mean[i] <= st.ph_max[i] + 1e-12);
    }
    assert_true(st.ph_max[0] > 0); /* 4 connections were dialled */
    assert_true(st.ph_min[0] == 0); /* and reused */
    struct hist *lat = hist_new();
    hist_record(lat, 100);
    char *t = text_of(&st, lat);
    assert_non_null(strstr(t, "\nDetails (average, fastest, slowest):\n  DNS+dialup:\t"));
    assert_non_null(strstr(t, "\n  req write:\t"));
    assert_non_null(strstr(t, "\n  resp wait:\t"));
    assert_non_null(strstr(t, "\n  resp read:\t"));
    assert_non_null(strstr(t, "  Size/request:\t3 bytes\n"));
    assert_null(strstr(t, "Error distribution"));
    free(t);
    hist_free(lat);
    free(url);
    srv_stop(s);
}

/* Failures carry their words; the summary lists them as hey does. */
static void test_error_messages(void **state)
{
    (void)state;
    struct raw *r = raw_start(RAW_JUNK);
    char *url = url_of(r->port, "/j");
    struct loadgen_config cfg = {.concurrency = 2, .threads = 1, .max_requests = 6};
    struct loadgen_stats st = run(&cfg, url);
    assert_int_equal(st.by_kind[LOADGEN_ERR_MALFORMED], 6);
    assert_int_equal(st.nmsgs, 1);
    assert_int_equal(st.msgs[0].n, 6);
    char *want = lc_asprintf("Get \"%s\": malformed HTTP response: ", url);
    if (strncmp(st.msgs[0].text, want, strlen(want)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", st.msgs[0].text, want);
    struct hist *lat = hist_new();
    char *t = text_of(&st, lat);
    char *line = lc_asprintf("\nError distribution:\n  [6]\t%s\n", st.msgs[0].text);
    assert_non_null(strstr(t, line));
    free(line);
    free(t);
    free(want);
    hist_free(lat);
    free(url);
    raw_stop(r);
    /* a refused connect, in Go's words */
    url = url_of(1, "/");
    struct loadgen_config c2 = {.concurrency = 1, .threads = 1, .max_requests = 3};
    st = run(&c2, url);
    assert_int_equal(st.nmsgs, 1);
    assert_string_equal(st.msgs[0].text, "Get \"http://127.0.0.1:1/\": dial tcp 127.0.0.1:1: "
                                         "connect: connection refused");
    assert_true(st.elapsed_s < 1); /* no backoff while a count bounds the run */
    free(url);
}

/* -o csv: hey's header, a line per response, the first on each connection dialled. */
static void test_csv(void **state)
{
    (void)state;
    struct srv *s = srv_start("127.0.0.1");
    char *url = url_of(s->port, "/c");
    struct loadgen_request req = {.url = url};
    struct loadgen_config cfg = {.requests = &req, .nrequests = 1, .concurrency = 3,
                                 .threads = 1, .max_requests = 90, .record = 1};
    struct lc_error err = {0};
    struct loadgen *lg = loadgen_new(&cfg, &err);
    assert_non_null(lg);
    assert_int_equal(loadgen_start(lg, &err), 0);
    loadgen_join(lg);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(load_output_csv(f, lg), 0);
    fclose(f);
    const char *head = "response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,"
                       "status-code,offset\n";
    assert_int_equal(strncmp(buf, head, strlen(head)), 0);
    int rows = 0;
    double prev = -1;
    for (char *p = buf + strlen(head); *p; p = strchr(p, '\n') + 1, rows++) {
        double v[6];
        unsigned code;
        double off;
        assert_int_equal(sscanf(p, "%lf,%lf,%lf,%lf,%lf,%lf,%u,%lf", &v[0], &v[1], &v[2], &v[3],
                                &v[4], &v[5], &code, &off),
                         8);
        assert_int_equal(code, 200);
        assert_true(off >= prev); /* by start time */
        prev = off;
    }
    assert_int_equal(rows, 90);
    assert_int_equal(loadgen_records(lg, NULL, NULL), 90);
    free(buf);
    loadgen_free(lg);
    free(url);
    srv_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_digits),
        cmocka_unit_test(test_labels_show_the_spread),
        cmocka_unit_test(test_details_and_sizes),
        cmocka_unit_test(test_error_messages),
        cmocka_unit_test(test_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
