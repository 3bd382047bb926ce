/* reports/downsample.c: bounding a time series for the reports, so that a
 * day-long soak still gives a report of a few megabytes. */
#include "reports/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Appends the points of bucket [from, to) worth keeping to out: the lowest
 * and the highest finite value and, when there is one, the first gap (a
 * non-finite value), in time order. Returns the new count. */
static size_t keep_bucket(const struct report_point *pts, size_t from, size_t to,
                          struct report_point *out, size_t nout)
{
    size_t lo = to, hi = to, gap = to;
    for (size_t i = from; i < to; i++) {
        double v = pts[i].v;
        if (!isfinite(v)) {
            if (gap == to)
                gap = i;
            continue;
        }
        if (lo == to || v < pts[lo].v)
            lo = i;
        if (hi == to || v > pts[hi].v)
            hi = i;
    }
    size_t idx[3] = {lo, hi, gap};
    /* three values: sort by hand, then drop duplicates and "none" (to) */
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2 - a; b++)
            if (idx[b] > idx[b + 1]) {
                size_t tmp = idx[b];
                idx[b] = idx[b + 1];
                idx[b + 1] = tmp;
            }
    for (int k = 0; k < 3; k++)
        if (idx[k] < to && (k == 0 || idx[k] != idx[k - 1]))
            out[nout++] = pts[idx[k]];
    return nout;
}

/* Bounds a series to max points, keeping each bucket's extremes and gaps
 * (see report.h); caller frees the result. */
struct report_point *report_downsample(const struct report_point *pts, size_t n, size_t max,
                                       size_t *nout)
{
    *nout = 0;
    if (!pts || n == 0)
        return NULL;
    if (max < 8)
        max = 8;
    struct report_point *out = lc_malloc((n < max ? n : max) * sizeof(*out));
    if (n <= max) {
        memcpy(out, pts, n * sizeof(*out));
        *nout = n;
        return out;
    }
    int gaps = 0;
    for (size_t i = 0; i < n && !gaps; i++)
        gaps = !isfinite(pts[i].v);
    /* each bucket gives at most 2 points (3 with gaps); first and last extra */
    size_t nb = (max - 2) / (gaps ? 3 : 2);
    size_t inner = n - 2, k = 0;
    out[k++] = pts[0];
    for (size_t b = 0; b < nb; b++) {
        size_t from = 1 + (size_t)((double)inner * (double)b / (double)nb);
        size_t to = 1 + (size_t)((double)inner * (double)(b + 1) / (double)nb);
        if (b + 1 == nb)
            to = n - 1;
        k = keep_bucket(pts, from, to, out, k);
    }
    out[k++] = pts[n - 1];
    *nout = k;
    return out;
}
