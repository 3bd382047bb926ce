/*
 * assertions/expr_trend.c: the robust trend of a series (expr_trend.h).
 *
 * Why windows: a Go heap is a sawtooth (it climbs to the GC target and
 * drops), and a least-squares line through it follows wherever the last
 * cycle happened to end. The minimum of a window that spans a few GC
 * cycles is the live heap plus a little, whatever the phase; the median
 * of a window of a count ignores the requests in flight. Why Theil-Sen:
 * the median of the pairwise slopes is unmoved by a few odd windows (a
 * stalled GC, a burst), and Sen's interval, from Kendall's statistic,
 * needs no assumption about the noise's distribution.
 */
#include "assertions/expr_trend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assertions/expr_int.h"

#define TREND_MIN_WINDOWS 5
#define TREND_MAX_WINDOWS 24
#define TREND_WINDOW_SAMPLES 10 /* samples a window should have */
#define TREND_WINDOW_DROPS 3    /* FLOOR: falls of the sawtooth a window should span */
#define TREND_Z95 1.959964

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_sorted(const double *x, size_t n)
{
    return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2.0;
}

/* The index of the first point at or after `from`, and the count of
 * valued points and of descents (runs of values each below the one
 * before) from there on. */
static size_t span_start(const double *t, const double *v, size_t n, double from, size_t *valued,
                         size_t *drops)
{
    size_t i0 = 0, k = 0, d = 0;
    while (i0 < n && t[i0] < from)
        i0++;
    /* a descent counts once: sweeping after a GC lowers the heap over a
     * few samples */
    double prev = NAN;
    int falling = 0;
    for (size_t i = i0; i < n; i++) {
        if (isnan(v[i]))
            continue;
        k++;
        int falls = !isnan(prev) && v[i] < prev;
        d += (size_t)(falls && !falling);
        falling = falls;
        prev = v[i];
    }
    *valued = k;
    *drops = d;
    return i0;
}

/* How many windows the span is cut into: about TREND_WINDOW_SAMPLES
 * samples each (and, for a floor, TREND_WINDOW_DROPS falls), within
 * TREND_MIN_WINDOWS..TREND_MAX_WINDOWS. 0 when too few samples or cycles. */
static size_t window_count(size_t valued, size_t drops, enum expr_trend_kind kind,
                           struct lc_error *err)
{
    size_t w = valued / TREND_WINDOW_SAMPLES;
    if (w < TREND_MIN_WINDOWS)
        w = valued / 3 < TREND_MIN_WINDOWS ? valued / 3 : TREND_MIN_WINDOWS;
    if (w > TREND_MAX_WINDOWS)
        w = TREND_MAX_WINDOWS;
    if (w < TREND_MIN_WINDOWS) {
        lc_error_set(err,
                     "%zu samples after the warm-up, %d needed (sample more often or run longer)",
                     valued, 3 * TREND_MIN_WINDOWS);
        return 0;
    }
    /* a series that never falls has no sawtooth: its floor is itself */
    if (kind == EXPR_TREND_FLOOR && drops > 0) {
        size_t by_drops = drops / TREND_WINDOW_DROPS;
        if (by_drops < TREND_MIN_WINDOWS) {
            lc_error_set(err,
                         "only %zu falls (GC cycles) after the warm-up, %d needed to tell "
                         "the floor of the sawtooth (run longer)",
                         drops, TREND_MIN_WINDOWS * TREND_WINDOW_DROPS);
            return 0;
        }
        if (by_drops < w)
            w = by_drops;
    }
    return w;
}

/* Reduces the points of [a, b) to one (time, value): the minimum and its
 * time (FLOOR) or the median value at the middle time (LEVEL). Returns 0
 * when the window has no value. */
static int window_point(const double *t, const double *v, size_t i0, size_t n, double a, double b,
                        enum expr_trend_kind kind, double *scratch, double *wt, double *wv)
{
    size_t k = 0;
    double tmin = NAN, vmin = INFINITY, tfirst = NAN, tlast = NAN;
    for (size_t i = i0; i < n && t[i] < b; i++) {
        if (t[i] < a || isnan(v[i]))
            continue;
        if (v[i] < vmin) {
            vmin = v[i];
            tmin = t[i];
        }
        if (k == 0)
            tfirst = t[i];
        tlast = t[i];
        scratch[k++] = v[i];
    }
    if (k == 0)
        return 0;
    if (kind != EXPR_TREND_LEVEL) {
        *wt = tmin;
        *wv = vmin;
    } else {
        qsort(scratch, k, sizeof(double), cmp_double);
        *wt = (tfirst + tlast) / 2;
        *wv = median_sorted(scratch, k);
    }
    return 1;
}

/* Theil-Sen over m points: the median pairwise slope, Sen's 95% interval
 * (ranks from the variance of Kendall's S without tie correction, which
 * only widens it), and the line through the medians. */
static void theil_sen(const double *x, const double *y, size_t m, struct expr_trend *out)
{
    size_t np = m * (m - 1) / 2, k = 0;
    double *s = lc_malloc(np * sizeof(double));
    for (size_t i = 0; i < m; i++)
        for (size_t j = i + 1; j < m; j++)
            if (x[j] != x[i])
                s[k++] = (y[j] - y[i]) / (x[j] - x[i]);
    qsort(s, k, sizeof(double), cmp_double);
    out->slope = k ? median_sorted(s, k) : 0;
    double dm = (double)m;
    double c = TREND_Z95 * sqrt(dm * (dm - 1) * (2 * dm + 5) / 18.0);
    double r1 = round(((double)k - c) / 2), r2 = round(((double)k + c) / 2) + 1;
    size_t i1 = r1 < 1 ? 0 : (size_t)r1 - 1, i2 = r2 > (double)k ? k - 1 : (size_t)r2 - 1;
    out->lo = k ? s[i1] : 0;
    out->hi = k ? s[i2] : 0;
    free(s);
    double *tmp = lc_malloc(m * sizeof(double));
    memcpy(tmp, x, m * sizeof(double));
    qsort(tmp, m, sizeof(double), cmp_double);
    out->t_mid = median_sorted(tmp, m);
    for (size_t i = 0; i < m; i++)
        tmp[i] = y[i] - out->slope * (x[i] - out->t_mid);
    qsort(tmp, m, sizeof(double), cmp_double);
    out->v_mid = median_sorted(tmp, m);
    free(tmp);
}

double expr_trend_warmup(double load, double warmup)
{
    if (warmup < 0 || isnan(warmup))
        return fmin(load * EXPR_TREND_WARMUP_FRACTION, EXPR_TREND_WARMUP_MAX);
    return warmup;
}

/* Fits the trend of (t, v); see expr_trend.h. */
int expr_trend_fit(const double *t, const double *v, size_t n, double warmup,
                   enum expr_trend_kind kind, struct expr_trend *out, struct lc_error *err)
{
    double *scratch = NULL, *wt = NULL, *wv = NULL;
    int rc = -1;
    memset(out, 0, sizeof(*out));
    if (n < 2) {
        lc_error_set(err, "%zu samples during the load", n);
        return -1;
    }
    double load = t[n - 1] - t[0];
    warmup = expr_trend_warmup(load, warmup);
    out->warmup = warmup;
    out->kind = kind;
    out->from = t[0] + warmup;
    out->to = t[n - 1];
    if (out->to <= out->from) {
        lc_error_set(err, "the warm-up (%.0fs) covers the whole load (%.0fs)", warmup, load);
        return -1;
    }
    size_t valued, drops;
    size_t i0 = span_start(t, v, n, out->from, &valued, &drops);
    out->drops = drops;
    size_t w = window_count(valued, drops, kind, err);
    if (w == 0)
        return -1;
    scratch = lc_malloc((n - i0) * sizeof(double));
    wt = lc_malloc(w * sizeof(double));
    wv = lc_malloc(w * sizeof(double));
    double len = (out->to - out->from) / (double)w;
    size_t m = 0;
    for (size_t i = 0; i < w; i++) {
        double a = out->from + len * (double)i;
        double b = i + 1 == w ? INFINITY : a + len;
        m += (size_t)window_point(t, v, i0, n, a, b, kind, scratch, &wt[m], &wv[m]);
    }
    if (m < 3) {
        lc_error_set(err, "only %zu of %zu windows after the warm-up have samples", m, w);
        goto cleanup;
    }
    out->windows = m;
    theil_sen(wt, wv, m, out);
    rc = 0;
cleanup:
    free(wv);
    free(wt);
    free(scratch);
    return rc;
}

/* Formats a per-second rate per hour: "2.1MB/h" or "312/h". */
void expr_trend_fmt_rate(double per_s, int bytes, char *buf, size_t len)
{
    char num[64];
    expr_fmt_value(per_s * 3600, bytes ? UNIT_SIZE : UNIT_NONE, num, sizeof(num));
    if (!bytes) {
        double a = fabs(per_s * 3600);
        snprintf(num, sizeof(num),
                 a >= 100 || a == round(a) ? "%.0f"
                 : a >= 1                  ? "%.1f"
                                           : "%.3g",
                 per_s * 3600);
    }
    snprintf(buf, len, "%s/h", num);
}

/* A span of time for people in the unit that reads best, rounded to what
 * is shown, one decimal at most and none when whole: "40s", "2m" (for
 * 119 to 122 s: sample times are not round), "2.5m", "50m", "1.5h". */
static void fmt_span(double secs, char *buf, size_t len)
{
    double m = round(secs / 6) / 10, h = round(secs / 360) / 10;
    if (h >= 1)
        snprintf(buf, len, h == round(h) ? "%.0fh" : "%.1fh", h);
    else if (m >= 10)
        snprintf(buf, len, "%.0fm", round(secs / 60));
    else if (round(secs) >= 60)
        snprintf(buf, len, m == round(m) ? "%.0fm" : "%.1fm", m);
    else
        snprintf(buf, len, "%.0fs", round(secs));
}

/* "heap_inuse floor rising 2.1MB/h, 95% CI 1.7MB/h..2.6MB/h, over 50m after 10m warm-up" */
void expr_trend_describe(const struct expr_trend *tr, const char *metric, int bytes, char *buf,
                         size_t len)
{
    char s[64], lo[64], hi[64], over[64], wu[64];
    const char *dir = tr->lo > 0 ? "rising" : tr->hi < 0 ? "falling" : "flat";
    expr_trend_fmt_rate(tr->slope, bytes, s, sizeof(s));
    expr_trend_fmt_rate(tr->lo, bytes, lo, sizeof(lo));
    expr_trend_fmt_rate(tr->hi, bytes, hi, sizeof(hi));
    fmt_span(tr->to - tr->from, over, sizeof(over));
    fmt_span(tr->warmup, wu, sizeof(wu));
    const char *what = tr->basis ? tr->basis : tr->kind == EXPR_TREND_FLOOR ? "floor" : "level";
    snprintf(buf, len, "%s %s %s %s, 95%% CI %s..%s, over %s after %s warm-up", metric, what, dir,
             s, lo, hi, over, wu);
}
