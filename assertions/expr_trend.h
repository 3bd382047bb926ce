/*
 * assertions/expr_trend.h: trend(m), the robust slope of a series over the
 * load phase after its warm-up: the floor (minimum per window) of a
 * sawtooth such as a Go heap, or the level (median per window) of a
 * count, fitted with Theil-Sen, with Sen's 95% confidence interval.
 */
#ifndef LC_EXPR_TREND_H
#define LC_EXPR_TREND_H

#include <stddef.h>

#include "common/lc.h"

/* What a window of the series stands for. */
enum expr_trend_kind {
    EXPR_TREND_LEVEL, /* the median of the window: counts (goroutines, fds) */
    EXPR_TREND_FLOOR, /* the minimum of the window: a sawtooth's post-GC floor (heap) */
    EXPR_TREND_LOWER, /* the minimum of the window, no sawtooth needed: a series whose noise
                         only adds (the live heap at each GC, which counts what was allocated
                         while the GC marked) */
};

/* Warm-up when the test sets none: this fraction of the load, at most
 * EXPR_TREND_WARMUP_MAX seconds. */
#define EXPR_TREND_WARMUP_FRACTION (1.0 / 3.0)
#define EXPR_TREND_WARMUP_MAX 1800.0

/* The warm-up of a load of `load` seconds: `warmup`, or when < 0 (or NaN)
 * the default. */
double expr_trend_warmup(double load, double warmup);

/* The fitted trend of one series. Times are on the series' clock. */
struct expr_trend {
    double slope, lo, hi; /* per second; lo..hi is the 95% confidence interval */
    double t_mid, v_mid;  /* the line passes through (t_mid, v_mid): slope * (t - t_mid) + v_mid */
    double from, to;      /* the span fitted: the load after the warm-up */
    double warmup;        /* seconds left out at the start of the load */
    size_t windows;       /* windows the span was cut into (points of the fit) */
    size_t drops;         /* FLOOR: falls of the series in the span (GC cycles) */
    enum expr_trend_kind kind;
    const char *basis; /* the message's word for what was fitted when not "floor" or "level"
                          (static; set by the caller after the fit), or NULL */
    const char *series; /* the series fitted when not the metric's own (static), or NULL */
};

/*
 * Fits the trend of the n points (t[i], v[i]) (t ascending, seconds; NaN
 * values are gaps): drops the first `warmup` seconds (< 0: the default
 * fraction), cuts the rest into 5 to 24 windows of at least about 10
 * samples (FLOOR: each at least 3 falls of the sawtooth long), takes each
 * window's minimum (FLOOR) or median (LEVEL), and fits a Theil-Sen line
 * with Sen's 95% interval. Returns 0 with *out filled, or -1 with err when
 * too few samples or sawtooth cycles remain after the warm-up.
 */
int expr_trend_fit(const double *t, const double *v, size_t n, double warmup,
                   enum expr_trend_kind kind, struct expr_trend *out, struct lc_error *err);

/*
 * Describes a fit in one line for people, per hour in human units:
 * "heap_inuse floor rising 2.1MB/h, 95% CI 1.7MB/h..2.6MB/h, over 50m after 10m warm-up".
 * `bytes`: the values are bytes.
 */
void expr_trend_describe(const struct expr_trend *tr, const char *metric, int bytes, char *buf,
                         size_t len);

/* Formats a per-second rate per hour: "2.1MB/h" (bytes) or "312/h". */
void expr_trend_fmt_rate(double per_s, int bytes, char *buf, size_t len);

#endif
