/* cli/load_hist.c: the latency histogram of `leakcheck load -o json` in
 * its portable, lossless form, and back. */
#include "cli/load_merge.h"

#include <string.h>

json_t *load_hist_json(const struct hist *h)
{
    json_t *o = json_object(), *buckets = json_array();
    json_object_set_new(o, "layout", json_string(HIST_LAYOUT));
    json_object_set_new(o, "unit", json_string("us"));
    json_object_set_new(o, "count", json_integer((json_int_t)hist_count(h)));
    json_object_set_new(o, "sum", json_integer((json_int_t)hist_sum(h)));
    json_object_set_new(o, "min", json_integer((json_int_t)hist_min(h)));
    json_object_set_new(o, "max", json_integer((json_int_t)hist_max(h)));
    unsigned i = 0;
    uint64_t lo, width, n;
    while (hist_bucket_next(h, &i, &lo, &width, &n))
        json_array_append_new(buckets,
                              json_pack("[III]", (json_int_t)lo, (json_int_t)width, (json_int_t)n));
    json_object_set_new(o, "buckets", buckets);
    return o;
}

/* A whole number >= 0 at key of o into *v; -1 with err naming it. */
static int get_u64(const json_t *o, const char *key, uint64_t *v, struct lc_error *err)
{
    const json_t *j = json_object_get(o, key);
    if (!json_is_integer(j) || json_integer_value(j) < 0) {
        lc_error_set(err, "\"%s\" is %s (expected a whole number >= 0)", key,
                     j ? "not a whole number >= 0" : "missing");
        return -1;
    }
    *v = (uint64_t)json_integer_value(j);
    return 0;
}

/* Adds the buckets [[lo, width, count], ...] of arr into h; -1 with err. */
static int read_buckets(struct hist *h, const json_t *arr, struct lc_error *err)
{
    if (!json_is_array(arr)) {
        lc_error_set(err, "histogram: \"buckets\" is %s (expected [[lo, width, count], ...])",
                     arr ? "not an array" : "missing");
        return -1;
    }
    size_t k;
    const json_t *b;
    json_array_foreach(arr, k, b)
    {
        json_int_t lo = -1, width = -1, n = -1;
        if (json_unpack((json_t *)b, "[III!]", &lo, &width, &n) != 0 || lo < 0 || width < 1 ||
            n < 0) {
            lc_error_set(err, "histogram: bucket %zu is not [lo, width, count] (whole numbers)", k);
            return -1;
        }
        if (hist_add_bucket(h, (uint64_t)lo, (uint64_t)width, (uint64_t)n) != 0) {
            lc_error_set(err,
                         "histogram: bucket %zu [%lld, %lld] is not one of the layout's buckets "
                         "(or its count overflows)",
                         k, (long long)lo, (long long)width);
            return -1;
        }
    }
    return 0;
}

struct hist *load_hist_read(const json_t *j, struct lc_error *err)
{
    struct hist *h = NULL;
    if (!json_is_object(j)) {
        lc_error_set(err, "\"histogram\" is %s (expected the object -o json writes)",
                     j ? "not an object" : "missing");
        return NULL;
    }
    const char *layout = json_string_value(json_object_get(j, "layout"));
    const char *unit = json_string_value(json_object_get(j, "unit"));
    if (!layout || strcmp(layout, HIST_LAYOUT) != 0) {
        lc_error_set(err, "histogram layout \"%s\": this leakcheck reads \"%s\" only",
                     layout ? layout : "(none)", HIST_LAYOUT);
        return NULL;
    }
    if (!unit || strcmp(unit, "us") != 0) {
        lc_error_set(err, "histogram unit \"%s\": expected \"us\"", unit ? unit : "(none)");
        return NULL;
    }
    uint64_t count, sum, min, max;
    if (get_u64(j, "count", &count, err) != 0 || get_u64(j, "sum", &sum, err) != 0 ||
        get_u64(j, "min", &min, err) != 0 || get_u64(j, "max", &max, err) != 0) {
        lc_error_prefix(err, "histogram");
        return NULL;
    }
    h = hist_new();
    if (read_buckets(h, json_object_get(j, "buckets"), err) != 0)
        goto fail;
    if (hist_count(h) != count) {
        lc_error_set(err, "histogram: its buckets hold %llu values, its \"count\" says %llu",
                     (unsigned long long)hist_count(h), (unsigned long long)count);
        goto fail;
    }
    if (hist_set_totals(h, sum, count ? min : 0, count ? max : 0) != 0) {
        lc_error_set(err, "histogram: \"sum\", \"min\" or \"max\" do not fit its buckets");
        goto fail;
    }
    return h;
fail:
    hist_free(h);
    return NULL;
}
