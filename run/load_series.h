/*
 * run/load_series.h: what the load did, on the timeline, interval by
 * interval. Between two load samples at least min_window apart (or up to
 * the load's end), it adds one point to each of
 *   rps                        requests finished / the time the load ran
 *   error_rate                 failed / finished (a gap when none finished)
 *   p50 p75 p90 p95 p99 p999   latency percentiles of the responses that
 *   latency_max                completed in the interval (gaps when none)
 * from the difference of the cumulative counters and latency histograms
 * (loadgen/hist.h subtracts exactly), at the interval's end, and sets each
 * series' final value (timeline_set_final) to the figure over the whole
 * load, which is what an assertion on the bare name reads. After the load
 * every round adds rps 0 and gaps. requests, errors and late_sends stay
 * cumulative counters (their final value is their last point).
 */
#ifndef LC_LOAD_SERIES_H
#define LC_LOAD_SERIES_H

#include "run/timeline.h"

struct load_series;
struct loadgen;

/*
 * Starts the series of load lg in tl, whose times are seconds since t0 (an
 * lc_now() reading), with intervals of at least min_window seconds (a
 * shorter last one is merged into the one before). Borrows lg and tl.
 */
struct load_series *load_series_new(struct loadgen *lg, struct timeline *tl, double t0,
                                    double min_window);

/* Samples the load at test time t in a round tagged phase. */
void load_series_sample(struct load_series *ls, double t, enum phase phase);

/* load_series_free(NULL) is a no-op. */
void load_series_free(struct load_series *ls);

#endif
