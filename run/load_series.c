/* run/load_series.c: the load's figures per interval, and over the
 * whole load as the final values. */
#include "run/load_series.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "loadgen/hist.h"
#include "loadgen/loadgen.h"

/* The latency series and the percentile each reads (100: the maximum). */
static const struct {
    const char *name;
    double q;
} latencies[] = {{"p50", 50}, {"p75", 75},    {"p90", 90},         {"p95", 95},
                 {"p99", 99}, {"p999", 99.9}, {"latency_max", 100}};

/* The load's cumulative figures at one sample: an interval's edge. */
struct edge {
    struct hist *h;
    uint64_t requests, errors;
    double elapsed; /* the load's own clock: it stops at the load's end */
};

struct load_series {
    struct loadgen *lg;
    struct timeline *tl;
    double t0, min_window;
    /* [0]: the start of the last interval added; [1]: its end, where the
     * open interval starts */
    struct edge e[2];
    int added; /* intervals added since the start */
    int over;  /* the interval ending with the load was added */
    struct hist *now, *win;
};

struct load_series *load_series_new(struct loadgen *lg, struct timeline *tl, double t0,
                                    double min_window)
{
    struct load_series *ls = lc_calloc(1, sizeof(*ls));
    ls->lg = lg;
    ls->tl = tl;
    ls->t0 = t0;
    ls->min_window = min_window;
    ls->e[0].h = hist_new();
    ls->e[1].h = hist_new();
    ls->now = hist_new();
    ls->win = hist_new();
    return ls;
}

void load_series_free(struct load_series *ls)
{
    if (!ls)
        return;
    hist_free(ls->e[0].h);
    hist_free(ls->e[1].h);
    hist_free(ls->now);
    hist_free(ls->win);
    free(ls);
}

/* The figure in seconds, or NaN when h holds nothing. */
static double latency(const struct hist *h, double q)
{
    return hist_count(h) ? (double)hist_percentile(h, q) / 1e6 : NAN;
}

static double ratio(uint64_t part, uint64_t whole)
{
    return whole ? (double)part / (double)whole : NAN;
}

/* Sets the final values: the figures of the whole load so far. */
static void set_whole(struct load_series *ls, const struct loadgen_stats *st)
{
    timeline_set_final(ls->tl, "rps", st->rps);
    timeline_set_final(ls->tl, "error_rate", ratio(st->errors, st->requests));
    for (size_t i = 0; i < LC_ARRAY_LEN(latencies); i++)
        timeline_set_final(ls->tl, latencies[i].name, latency(ls->now, latencies[i].q));
}

/* Adds one point to every interval series: rps, error rate and latencies
 * (of win). */
static void add_point(struct load_series *ls, double t, enum phase phase, double rps,
                      double err_rate, const struct hist *win)
{
    timeline_add(ls->tl, "rps", t, phase, rps);
    timeline_add(ls->tl, "error_rate", t, phase, err_rate);
    for (size_t i = 0; i < LC_ARRAY_LEN(latencies); i++)
        timeline_add(ls->tl, latencies[i].name, t, phase, win ? latency(win, latencies[i].q) : NAN);
}

/* Adds the interval from e[1] to now (st) and moves the edges on. */
static void add_interval(struct load_series *ls, const struct loadgen_stats *st)
{
    const struct edge *from = &ls->e[1];
    double len = st->elapsed_s - from->elapsed;
    uint64_t n = st->requests > from->requests ? st->requests - from->requests : 0;
    uint64_t nerr = st->errors > from->errors ? st->errors - from->errors : 0;
    hist_reset(ls->win);
    hist_merge(ls->win, ls->now);
    hist_subtract(ls->win, from->h);
    /* at the interval's end on the load's own clock: the load's end, when
     * the round came after it */
    add_point(ls, st->started_s + st->elapsed_s - ls->t0, PHASE_LOAD, len > 0 ? (double)n / len : 0,
              ratio(nerr, n), ls->win);
    ls->added++;
    struct hist *spare = ls->e[0].h;
    ls->e[0] = ls->e[1];
    ls->e[1] = (struct edge){ls->now, st->requests, st->errors, st->elapsed_s};
    ls->now = spare;
}

void load_series_sample(struct load_series *ls, double t, enum phase phase)
{
    struct loadgen_stats st;
    /* asked first: when it says done, the snapshot holds everything */
    int done = loadgen_done(ls->lg);
    hist_reset(ls->now);
    loadgen_snapshot(ls->lg, &st, ls->now);
    timeline_add(ls->tl, "requests", t, phase, (double)st.requests);
    timeline_add(ls->tl, "errors", t, phase, (double)st.errors);
    timeline_add(ls->tl, "late_sends", t, phase, (double)st.late_sends);
    set_whole(ls, &st);
    if (ls->over) {
        add_point(ls, t, phase, 0, NAN, NULL);
        return;
    }
    double open = st.elapsed_s - ls->e[1].elapsed;
    /* a short interval counts a handful of requests: a noisy rate */
    if (open < ls->min_window && !done)
        return;
    if (open < ls->min_window && ls->added > 0) {
        /* the load ended soon after the last interval: one interval of both */
        timeline_pop(ls->tl, "rps");
        timeline_pop(ls->tl, "error_rate");
        for (size_t i = 0; i < LC_ARRAY_LEN(latencies); i++)
            timeline_pop(ls->tl, latencies[i].name);
        struct edge last = ls->e[1];
        ls->e[1] = ls->e[0];
        ls->e[0] = last;
        ls->added--;
    }
    add_interval(ls, &st);
    ls->over = done;
}
