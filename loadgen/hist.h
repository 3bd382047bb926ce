/*
 * loadgen/hist.h: a log-linear latency histogram (HdrHistogram-style):
 * 3 significant digits from 1 µs to 1 hour, fixed memory, exact merge.
 * Values are recorded in microseconds.
 */
#ifndef LC_HIST_H
#define LC_HIST_H

#include <stdint.h>

struct hist;

/* Returns a new empty histogram; caller frees with hist_free. */
struct hist *hist_new(void);
/* hist_free(NULL) is a no-op. */
void hist_free(struct hist *h);
/* Records one value in microseconds (clamped to the range). Not thread-safe
 * against other writers; safe against one concurrent hist_merge reader. */
void hist_record(struct hist *h, uint64_t usec);
/* Adds every count of src into dst. */
void hist_merge(struct hist *dst, const struct hist *src);
/*
 * Removes from dst the values of src, an earlier snapshot of the same
 * recording (every count of src at most dst's), leaving what was recorded
 * in between: counts, count and sum exactly; min and max exactly when the
 * values in between moved them, else to within their bucket (0.1%). So
 * merging an earlier snapshot with the differences of the later ones gives
 * back the later snapshot exactly. A count of src above dst's (not an
 * earlier snapshot) leaves 0 there, never a wrapped-around count.
 */
void hist_subtract(struct hist *dst, const struct hist *src);
/* Empties the histogram. */
void hist_reset(struct hist *h);
/* Number of recorded values. */
uint64_t hist_count(const struct hist *h);
/* The value (µs) at percentile q in [0,100]; 0 when empty. Within 0.1%. */
uint64_t hist_percentile(const struct hist *h, double q);
uint64_t hist_max(const struct hist *h);
uint64_t hist_min(const struct hist *h);
double hist_mean(const struct hist *h);
/* Number of recorded values in buckets up to and including usec's bucket
 * (exact to the bucket width, 0.1%), for response-time histograms. */
uint64_t hist_count_upto(const struct hist *h, uint64_t usec);

/*
 * The portable form: every histogram has the same buckets, named by
 * HIST_LAYOUT; a bucket is its lowest value and its width (µs). A reader
 * of another layout must refuse the buckets rather than guess.
 */
/* exact below 2048 µs, then 1024 buckets per power of two, 1 µs to 1 h */
#define HIST_LAYOUT "lc-log-linear-v1"
/* The sum of the recorded values (µs). */
uint64_t hist_sum(const struct hist *h);
/* Walks the non-empty buckets: start with *i = 0; returns 1 with the
 * bucket's lowest value, width and count (and *i past it), 0 at the end. */
int hist_bucket_next(const struct hist *h, unsigned *i, uint64_t *lo, uint64_t *width,
                     uint64_t *count);
/* Adds count values to the bucket that starts at lo and is width wide
 * (as hist_bucket_next gives them). Returns -1 when the layout has no such
 * bucket. Leaves sum, min and max to hist_set_totals. */
int hist_add_bucket(struct hist *h, uint64_t lo, uint64_t width, uint64_t count);
/* After hist_add_bucket: sets the sum, min and max. Returns -1 (changing
 * nothing) when they cannot be those of the buckets: min not in the
 * lowest non-empty bucket, max not in the highest, a sum outside
 * count x [min, max], or values on an empty histogram. */
int hist_set_totals(struct hist *h, uint64_t sum, uint64_t min, uint64_t max);

#endif
