/*
 * assertions/expr.h: the assertion language.
 *
 * One assertion is one string, e.g.
 *     goroutines stay within 20 of baseline
 *     goroutines stay within 10% of baseline
 *     max(fds) <= baseline(fds) + 10
 *     growth(heap_inuse) < 8MB and p99 < 250ms
 *     slope(rss) < 1MB/s
 *     trend(heap_inuse) < 1MB/h
 *     http_requests_in_flight{handler="/api"} == 0
 *
 * The module knows nothing of where values come from: the caller supplies
 * them through expr_value_cb. Canonical units: seconds for time, bytes for
 * sizes (1KB = 1024 B), a plain fraction for percent (1% = 0.01); a unit
 * followed by "/s", "/m" or "/h" divides by that time (1MB/s = 1048576).
 */
#ifndef LC_EXPR_H
#define LC_EXPR_H

#include <stddef.h>

#include "assertions/expr_trend.h"
#include "common/lc.h"

struct expr;

/* How a metric reference reads its time series. */
enum expr_reduce {
    EXPR_FINAL,    /* bare `m`: the last value (after settle) */
    EXPR_BASELINE, /* baseline(m): median of the baseline-phase samples */
    EXPR_MIN,      /* min(m) over the whole run */
    EXPR_MAX,      /* max(m) over the whole run */
    EXPR_AVG,      /* avg(m) over the whole run */
    EXPR_GROWTH,   /* growth(m) = final - baseline */
    EXPR_SLOPE,    /* slope(m): least-squares slope per second over the load phase */
    EXPR_TREND,    /* trend(m): robust slope of the floor or level after the warm-up
                      (expr_trend.h); read through expr_series_cb, only as the left side
                      of <, <=, > or >= */
};

struct expr_label {
    const char *name;
    const char *value;
};

/* A metric reference: a name and an optional Prometheus-style label
 * selector (label="value" pairs, all of which must match). `text` is the
 * reference in canonical form: name{a="x",b="y"} (labels in written order,
 * values re-escaped), or just the name. All pointers are borrowed from the
 * parsed expression and live as long as it does. */
struct expr_metric {
    const char *name;
    const struct expr_label *labels;
    size_t nlabels;
    const char *text;
};

/* What trend(m) is computed from, filled by an expr_series_cb: the points
 * of the load phase, t ascending (seconds), NaN values as gaps. t and v
 * are allocated by the callback with malloc and freed by the evaluator. */
struct expr_series {
    double *t, *v;
    size_t n;
    double warmup;             /* seconds of the load to leave out; < 0: the default */
    enum expr_trend_kind kind; /* FLOOR for a sawtooth (heap), LEVEL for a count */
    int bytes;                 /* the values are bytes (the message says MB/h) */
    /* what stands for m when it is not m's own floor or level (a static
     * string, e.g. "live heap at each GC (heap_live)"), or NULL */
    const char *basis;
    const char *series; /* the series fitted when not m's own ("heap_live", static), or NULL */
};

/* Fills *out with the series of m for trend(m). Returns 0, or -1 with err
 * (then nothing is allocated). */
typedef int expr_series_cb(const struct expr_metric *m, struct expr_series *out,
                           struct lc_error *err, void *arg);

/* Looks up one value. Returns 0 and sets *out, or -1 when the value cannot
 * be had (no samples, metric absent), with a message in err. */
typedef int expr_value_cb(const struct expr_metric *m, enum expr_reduce reduce, double *out,
                          struct lc_error *err, void *arg);

/* Says whether a metric reference can be resolved at all: returns 1 when
 * known, 0 when not (then expr_check reports it with its column; the
 * callback may put a hint such as "did you mean goroutines?" in hint,
 * a buffer of hintlen bytes, or leave it empty). */
typedef int expr_known_cb(const struct expr_metric *m, char *hint, size_t hintlen, void *arg);

/* Called once for every metric reference in the expression, in order. */
typedef void expr_visit_cb(const struct expr_metric *m, enum expr_reduce reduce, void *arg);

/* The outcome of one evaluation. `observed` and `expected` describe the
 * comparison that decided the result (for `and`/`or`, the first failing
 * one, or the last one when all passed): the left and right values; for
 * "stay within", the final value and the baseline. `message` is one line a
 * person understands, e.g.
 *   "goroutines ended at 2003, baseline 3: +2000, allowed ±20"
 *   "fds = 300, expected <= 256" */
struct expr_result {
    int passed;
    double observed;
    double expected;
    char message[512];
    /* when the deciding comparison was on trend(m): its fit (for charts) */
    int has_trend;
    struct expr_trend trend;
};

/*
 * Parses one assertion. Returns a new expression (free with expr_free) or
 * NULL with err->msg set and err->col the 1-based column of the fault
 * (err->line is 1).
 */
struct expr *expr_parse(const char *text, struct lc_error *err);

/* Frees an expression; expr_free(NULL) is a no-op. */
void expr_free(struct expr *e);

/* Returns the text the expression was parsed from (borrowed). */
const char *expr_text(const struct expr *e);

/* Checks every metric reference with `known`. Returns 0, or -1 with err
 * naming the first unknown metric and its column (hint appended). */
int expr_check(const struct expr *e, expr_known_cb *known, void *arg, struct lc_error *err);

/* Calls visit for every metric reference. */
void expr_visit(const struct expr *e, expr_visit_cb *visit, void *arg);

/* What an assertion limits: a level, or growth from the baseline. */
enum expr_basis {
    EXPR_BASIS_LEVEL,  /* final values, max(), min(), avg() against limits: `fds <= 256` */
    EXPR_BASIS_GROWTH, /* some reference reads the baseline or a trend: baseline(), growth(),
                          slope(), trend(), `stays within N of baseline` */
};

/* The basis of an assertion: growth when any metric reference reads the
 * baseline or the slope, else level. */
enum expr_basis expr_basis(const struct expr *e);

/*
 * Calls visit for every metric reference the expression caps from above:
 * one whose larger values can make it fail (`fds` in `fds < 256`,
 * `256 > fds`, `fds == 0`, `not (fds > 256)`, `-fds > -256`). A reference
 * only bounded from below (`min(goroutines) >= 2`) is not visited. Factors
 * and divisors are taken as positive. For culprits: what holds such a
 * metric is what would have to shrink.
 */
void expr_visit_capped(const struct expr *e, expr_visit_cb *visit, void *arg);

/* Says whether a metric is measured in seconds (arg: the caller's). */
typedef int expr_is_time_cb(const struct expr_metric *m, void *arg);

/*
 * Looks for a time limit written without a unit: a non-zero plain number
 * (`500`, not `500ms` nor `0`) compared with, or given as the tolerance
 * of, a side in seconds (a metric is_time says is, alone or in a sum,
 * difference or product with plain numbers). Returns 0 when there is none,
 * 1 with warn set at the number's column for the first one found
 * ("'500' at column 7 has no unit: p99 is in seconds, ...").
 */
int expr_check_units(const struct expr *e, expr_is_time_cb *is_time, void *arg,
                     struct lc_error *warn);

/*
 * Evaluates the expression. Returns 0 with *res filled (passed or not), or
 * -1 when a value could not be had or the arithmetic is undefined (division
 * by zero), with err set: such an assertion is an error, not a failure.
 */
int expr_eval(const struct expr *e, expr_value_cb *value, void *arg, struct expr_result *res,
              struct lc_error *err);

/*
 * As expr_eval, and reads trend(m) through series (NULL: trend() is an
 * error). `trend(m) < L` (or <=) fails only when the whole 95% interval
 * of the slope lies above L; `trend(m) > L` (or >=) only when it lies
 * below L: a slope the data cannot tell from the limit passes.
 */
int expr_eval_full(const struct expr *e, expr_value_cb *value, expr_series_cb *series, void *arg,
                   struct expr_result *res, struct lc_error *err);

/*
 * Renders a parse error for people: appends `text` (line breaks shown as
 * blanks), a newline, and a caret under the 1-based byte column `col`
 * (clamped to the text; tabs before it are kept so the caret lines up).
 * No newline is appended after the caret. E.g. for col 8:
 *     fds <= )
 *            ^
 */
void expr_caret(const char *text, int col, struct lc_buf *out);

#endif
