/* tests/unit/test_load_merge.c: segments of a load merged exactly. The
 * latencies recorded from a real run against nginx
 * (tests/data/load/latencies_nginx.txt) are split 4 ways into 4
 * histograms, each written to JSON and read back as `load --merge` does,
 * and merged: the figures equal those of one histogram fed them all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/load_merge.h"
#include "common/lc.h"
#include "loadgen/hist.h"

#define SEGS 4

/* The recorded latencies (µs), in *n. */
static uint64_t *read_latencies(size_t *n)
{
    FILE *f = fopen("tests/data/load/latencies_nginx.txt", "r");
    assert_non_null(f);
    uint64_t *v = lc_calloc(20000, sizeof(*v));
    char line[256];
    *n = 0;
    while (fgets(line, sizeof(line), f) && *n < 20000)
        if (line[0] != '#')
            v[(*n)++] = strtoull(line, NULL, 10);
    fclose(f);
    assert_int_equal(*n, 10000);
    return v;
}

/* h through JSON text and back, as a segment file goes. */
static struct hist *round_trip(const struct hist *h)
{
    json_t *j = load_hist_json(h);
    char *text = json_dumps(j, 0);
    json_decref(j);
    json_error_t jerr;
    json_t *back = json_loads(text, 0, &jerr);
    free(text);
    assert_non_null(back);
    struct lc_error err = {0};
    struct hist *r = load_hist_read(back, &err);
    if (!r)
        fail_msg("%s", err.msg);
    json_decref(back);
    return r;
}

static void test_recorded_split_four_ways(void **state)
{
    (void)state;
    size_t n;
    uint64_t *v = read_latencies(&n);
    struct hist *all = hist_new(), *merged = hist_new(), *seg[SEGS];
    for (int s = 0; s < SEGS; s++)
        seg[s] = hist_new();
    /* in blocks, as 4 generators started together see the run */
    for (size_t i = 0; i < n; i++) {
        hist_record(all, v[i]);
        hist_record(seg[i * SEGS / n], v[i]);
    }
    for (int s = 0; s < SEGS; s++) {
        struct hist *r = round_trip(seg[s]);
        hist_merge(merged, r);
        hist_free(r);
    }
    assert_int_equal(hist_count(merged), n);
    assert_int_equal(hist_sum(merged), hist_sum(all));
    assert_int_equal(hist_min(merged), hist_min(all));
    assert_int_equal(hist_max(merged), hist_max(all));
    const double qs[] = {0, 10, 50, 75, 90, 95, 99, 99.9, 99.99, 100};
    for (size_t i = 0; i < LC_ARRAY_LEN(qs); i++)
        assert_int_equal(hist_percentile(merged, qs[i]), hist_percentile(all, qs[i]));
    /* and so every bucket */
    unsigned ia = 0, im = 0;
    uint64_t la, wa, ca, lm, wm, cm;
    while (hist_bucket_next(all, &ia, &la, &wa, &ca)) {
        assert_true(hist_bucket_next(merged, &im, &lm, &wm, &cm));
        assert_int_equal(la, lm);
        assert_int_equal(ca, cm);
    }
    assert_false(hist_bucket_next(merged, &im, &lm, &wm, &cm));
    for (int s = 0; s < SEGS; s++)
        hist_free(seg[s]);
    hist_free(all);
    hist_free(merged);
    free(v);
}

/* A histogram JSON that must be refused, with words of the message. */
static void refused(const char *text, const char *words)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    assert_non_null(j);
    struct lc_error err = {0};
    struct hist *h = load_hist_read(j, &err);
    json_decref(j);
    if (h)
        fail_msg("accepted: %s", text);
    if (!strstr(err.msg, words))
        fail_msg("\"%s\" lacks \"%s\"", err.msg, words);
}

#define LAYOUT "\"layout\": \"" HIST_LAYOUT "\", \"unit\": \"us\""

static void test_hostile_histograms(void **state)
{
    (void)state;
    refused("{\"layout\": \"hdr-v2\", \"unit\": \"us\", \"count\": 0, \"sum\": 0, \"min\": 0, "
            "\"max\": 0, \"buckets\": []}",
            "layout \"hdr-v2\"");
    refused("{\"unit\": \"us\"}", "layout \"(none)\"");
    refused("{" LAYOUT ", \"count\": 1, \"sum\": 5, \"min\": 5, \"max\": 5}",
            "\"buckets\" is missing");
    refused("{" LAYOUT ", \"count\": 1, \"sum\": 5, \"max\": 5, \"buckets\": [[5, 1, 1]]}",
            "\"min\" is missing");
    /* 3000 lies in a bucket 2 wide that starts at 3000: width 1 is not one */
    refused("{" LAYOUT ", \"count\": 1, \"sum\": 3000, \"min\": 3000, \"max\": 3000, "
            "\"buckets\": [[3000, 1, 1]]}",
            "not one of the layout's buckets");
    refused("{" LAYOUT ", \"count\": 2, \"sum\": 10, \"min\": 5, \"max\": 5, "
            "\"buckets\": [[5, 1, 1]]}",
            "hold 1 values, its \"count\" says 2");
    refused("{" LAYOUT ", \"count\": 1, \"sum\": 5, \"min\": 4, \"max\": 5, "
            "\"buckets\": [[5, 1, 1]]}",
            "do not fit");
    refused("{" LAYOUT ", \"count\": 1, \"sum\": 5, \"min\": 5, \"max\": 5, "
            "\"buckets\": [[5, 1, -1]]}",
            "bucket 0 is not");
    refused("{" LAYOUT ", \"count\": 1, \"sum\": 5, \"min\": 5, \"max\": 5, "
            "\"buckets\": [[5, 1, 1, 9]]}",
            "bucket 0 is not");
    refused("{" LAYOUT ", \"count\": 1, \"sum\": 5, \"min\": 5, \"max\": 5, "
            "\"buckets\": [[9999999999999, 1, 1]]}",
            "not one of the layout's buckets");
    /* a count that would wrap the total around */
    refused("{" LAYOUT ", \"count\": 1, \"sum\": 5, \"min\": 5, \"max\": 5, "
            "\"buckets\": [[5, 1, 9223372036854775807], [6, 1, 9223372036854775807], "
            "[7, 1, 9223372036854775807]]}",
            "not one of the layout's buckets");
}

/* The shares add up to the whole, and differ by at most one. */
static void test_segment_shares(void **state)
{
    (void)state;
    const uint64_t totals[] = {0, 1, 7, 10, 2003, 1000000007ull, 1ull << 62};
    const unsigned counts[] = {1, 2, 3, 4, 7, 50000};
    for (size_t t = 0; t < LC_ARRAY_LEN(totals); t++)
        for (size_t c = 0; c < LC_ARRAY_LEN(counts); c++) {
            uint64_t sum = 0, lo = UINT64_MAX, hi = 0;
            for (unsigned i = 1; i <= counts[c]; i++) {
                uint64_t s = load_segment_share(totals[t], i, counts[c]);
                sum += s;
                lo = s < lo ? s : lo;
                hi = s > hi ? s : hi;
            }
            assert_int_equal(sum, totals[t]);
            assert_true(hi - lo <= 1);
        }
    assert_int_equal(load_segment_share(2003, 1, 4), 501);
    assert_int_equal(load_segment_share(2003, 4, 4), 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recorded_split_four_ways),
        cmocka_unit_test(test_hostile_histograms),
        cmocka_unit_test(test_segment_shares),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
