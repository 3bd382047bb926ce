/*
 * loadgen/hist.c: a log-linear histogram in the manner of HdrHistogram.
 *
 * Values below 2048 µs have their own counter. Above, each power-of-two
 * range [2^k, 2^(k+1)) is split into 1024 equal sub-buckets, so a bucket is
 * never wider than 1/1024 of its lowest value: reporting its midpoint keeps
 * every percentile within 0.05%. Counters are single-writer atomics so one
 * reader (hist_merge) may run concurrently with the writer.
 */
#include "loadgen/hist.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/lc.h"

#define HIST_SUB_BITS 10 /* 1024 sub-buckets per half range */
#define HIST_SUB_HALF (1u << HIST_SUB_BITS)
#define HIST_LOW_MAX (2u * HIST_SUB_HALF) /* values below this are exact */
#define HIST_MIN_US 1ull
#define HIST_MAX_US 3600000000ull /* one hour */
/* index of HIST_MAX_US: bucket 21, sub-bucket 3600000000 >> 21 = 1716 */
#define HIST_LEN (21u * HIST_SUB_HALF + 1716u + 1u)

struct hist {
    _Atomic uint64_t count;
    _Atomic uint64_t sum;
    _Atomic uint64_t min;
    _Atomic uint64_t max;
    _Atomic uint64_t counts[HIST_LEN];
};

/* Adds n to a counter that only this thread writes (plain load and store). */
static inline void add_relaxed(_Atomic uint64_t *c, uint64_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

static inline uint64_t get(const _Atomic uint64_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

static inline void set(_Atomic uint64_t *c, uint64_t v)
{
    atomic_store_explicit(c, v, memory_order_relaxed);
}

static inline unsigned value_index(uint64_t v)
{
    if (v < HIST_LOW_MAX)
        return (unsigned)v;
    unsigned b = (unsigned)(63 - __builtin_clzll(v)) - HIST_SUB_BITS;
    return (b << HIST_SUB_BITS) + (unsigned)(v >> b);
}

/* The lowest value of bucket i and its width. */
static void index_range(unsigned i, uint64_t *lo, uint64_t *width)
{
    if (i < HIST_LOW_MAX) {
        *lo = i;
        *width = 1;
        return;
    }
    unsigned b = (i >> HIST_SUB_BITS) - 1;
    uint64_t sub = (i & (HIST_SUB_HALF - 1)) + HIST_SUB_HALF;
    *lo = sub << b;
    *width = 1ull << b;
}

struct hist *hist_new(void)
{
    struct hist *h = lc_malloc(sizeof *h);
    hist_reset(h);
    return h;
}

void hist_free(struct hist *h)
{
    free(h);
}

void hist_reset(struct hist *h)
{
    memset(h, 0, sizeof *h);
    set(&h->min, UINT64_MAX);
}

void hist_record(struct hist *h, uint64_t usec)
{
    if (usec < HIST_MIN_US)
        usec = HIST_MIN_US;
    else if (usec > HIST_MAX_US)
        usec = HIST_MAX_US;
    add_relaxed(&h->counts[value_index(usec)], 1);
    add_relaxed(&h->sum, usec);
    if (usec < get(&h->min))
        set(&h->min, usec);
    if (usec > get(&h->max))
        set(&h->max, usec);
    add_relaxed(&h->count, 1);
}

void hist_merge(struct hist *dst, const struct hist *src)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < HIST_LEN; i++) {
        uint64_t n = get(&src->counts[i]);
        if (n) {
            add_relaxed(&dst->counts[i], n);
            total += n;
        }
    }
    /* the count is what was merged, so percentiles stay consistent even
     * while the writer runs */
    add_relaxed(&dst->count, total);
    add_relaxed(&dst->sum, get(&src->sum));
    if (get(&src->min) < get(&dst->min))
        set(&dst->min, get(&src->min));
    if (get(&src->max) > get(&dst->max))
        set(&dst->max, get(&src->max));
}

/* Clamps v into bucket i. */
static uint64_t in_bucket(uint64_t v, unsigned i)
{
    uint64_t lo, width;
    index_range(i, &lo, &width);
    return v < lo ? lo : v > lo + width - 1 ? lo + width - 1 : v;
}

void hist_subtract(struct hist *dst, const struct hist *src)
{
    uint64_t total = 0;
    unsigned lo = HIST_LEN, hi = 0;
    for (unsigned i = 0; i < HIST_LEN; i++) {
        uint64_t a = get(&dst->counts[i]), b = get(&src->counts[i]);
        uint64_t n = a > b ? a - b : 0;
        set(&dst->counts[i], n);
        if (n) {
            total += n;
            lo = i < lo ? i : lo;
            hi = i;
        }
    }
    uint64_t sum = get(&dst->sum), ssum = get(&src->sum);
    if (total == 0) {
        hist_reset(dst);
        return;
    }
    set(&dst->count, total);
    set(&dst->sum, sum > ssum ? sum - ssum : 0);
    /* dst's min lies in the lowest bucket left when a value recorded in
     * between set it (exact); else it belongs to src, and the bucket's edge
     * is the nearest bound; the same for the max */
    set(&dst->min, in_bucket(get(&dst->min), lo));
    set(&dst->max, in_bucket(get(&dst->max), hi));
}

uint64_t hist_count(const struct hist *h)
{
    return get(&h->count);
}

uint64_t hist_max(const struct hist *h)
{
    return get(&h->count) ? get(&h->max) : 0;
}

uint64_t hist_min(const struct hist *h)
{
    return get(&h->count) ? get(&h->min) : 0;
}

double hist_mean(const struct hist *h)
{
    uint64_t n = get(&h->count);
    return n ? (double)get(&h->sum) / (double)n : 0.0;
}

uint64_t hist_percentile(const struct hist *h, double q)
{
    uint64_t n = get(&h->count);
    if (n == 0)
        return 0;
    if (!(q > 0)) /* also NaN */
        return hist_min(h);
    if (q >= 100)
        return hist_max(h);
    /* nearest rank: the smallest value with at least q% at or below it */
    double r = q * (double)n / 100.0;
    r -= r * 1e-12; /* so that 2.0000000001 from rounding counts as 2 */
    uint64_t rank = (uint64_t)r;
    if ((double)rank < r)
        rank++;
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < HIST_LEN; i++) {
        seen += get(&h->counts[i]);
        if (seen >= rank) {
            uint64_t lo, width;
            index_range(i, &lo, &width);
            uint64_t v = lo + (width - 1) / 2;
            uint64_t mn = hist_min(h), mx = hist_max(h);
            return v < mn ? mn : v > mx ? mx : v;
        }
    }
    return hist_max(h);
}

uint64_t hist_count_upto(const struct hist *h, uint64_t usec)
{
    if (usec >= HIST_MAX_US)
        return get(&h->count);
    uint64_t seen = 0;
    unsigned last = value_index(usec < HIST_MIN_US ? HIST_MIN_US : usec);
    for (unsigned i = 0; i <= last; i++)
        seen += get(&h->counts[i]);
    return seen;
}

uint64_t hist_sum(const struct hist *h)
{
    return get(&h->sum);
}

int hist_bucket_next(const struct hist *h, unsigned *i, uint64_t *lo, uint64_t *width,
                     uint64_t *count)
{
    for (; *i < HIST_LEN; (*i)++) {
        uint64_t n = get(&h->counts[*i]);
        if (n) {
            index_range(*i, lo, width);
            *count = n;
            (*i)++;
            return 1;
        }
    }
    return 0;
}

int hist_add_bucket(struct hist *h, uint64_t lo, uint64_t width, uint64_t count)
{
    if (lo < HIST_MIN_US || lo > HIST_MAX_US)
        return -1;
    unsigned i = value_index(lo);
    uint64_t l, w;
    index_range(i, &l, &w);
    if (l != lo || w != width || get(&h->count) + count < count)
        return -1;
    add_relaxed(&h->counts[i], count);
    add_relaxed(&h->count, count);
    return 0;
}

/* The index of the lowest (first) or highest non-empty bucket, or HIST_LEN. */
static unsigned edge_index(const struct hist *h, int highest)
{
    for (unsigned k = 0; k < HIST_LEN; k++) {
        unsigned i = highest ? HIST_LEN - 1 - k : k;
        if (get(&h->counts[i]))
            return i;
    }
    return HIST_LEN;
}

int hist_set_totals(struct hist *h, uint64_t sum, uint64_t min, uint64_t max)
{
    uint64_t n = get(&h->count);
    if (n == 0)
        return sum == 0 ? 0 : -1;
    unsigned lo = edge_index(h, 0), hi = edge_index(h, 1);
    if (min > max || in_bucket(min, lo) != min || in_bucket(max, hi) != max)
        return -1;
    /* n x min <= sum <= n x max, without overflowing */
    if (sum / n < min || sum / n > max || (sum / n == max && sum % n))
        return -1;
    set(&h->sum, sum);
    set(&h->min, min);
    set(&h->max, max);
    return 0;
}
