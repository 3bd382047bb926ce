/*
 * reports/html_int.h (internal to the report.html writer: html.c,
 * html_chart.c, html_shape.c, html_load.c, html_page.c): escaping, SVG time-series
 * charts, and where an assertion's limit goes on its metric's chart.
 */
#ifndef LC_REPORT_HTML_INT_H
#define LC_REPORT_HTML_INT_H

#include "common/lc.h"
#include "reports/report.h"
#include "reports/units.h"

/* Appends s cleaned by report_text_clean (flags as there) and escaped for
 * HTML text and quoted attribute values (& < > " '). s may be NULL. */
void html_esc(struct lc_buf *b, const char *s, unsigned flags);

/* Appends v formatted in unit u (report_fmt_value), escaped. */
void html_value(struct lc_buf *b, double v, enum report_unit u);

/* One series drawn on a chart. */
struct html_plot {
    const char *name; /* legend and tooltip label */
    const struct report_point *pts;
    size_t n;
    int color; /* 0 .. 3: the palette entry */
};

/* A horizontal line from t0 to t1 (a baseline or a limit). */
struct html_hline {
    double y, t0, t1;
    const char *cls; /* "base", "limit" or "limit fail" */
    char label[96];  /* drawn at the right end of the line, plain text */
    char title[256]; /* hover text: the assertion, plain text */
};

/* Points in [t0, t1] below lo or above hi are failing points (marked). */
struct html_zone {
    double lo, hi, t0, t1;
};

/* A trend() fit drawn on a chart: its line over the fitted span and the
 * band between the lines of its slope's interval (through the same
 * median point), red when the assertion failed. */
struct html_trend {
    const struct report_trend *fit;
    int failing;
    char title[256]; /* hover text: the assertion's message, plain text */
};

struct html_chart {
    const char *id; /* unique in the page, for the tooltip */
    enum report_unit unit;
    const struct report_phase *phases;
    size_t nphases;
    double tmax; /* the end of the time axis */
    const struct html_plot *plots;
    size_t nplots;
    const struct html_hline *lines;
    size_t nlines;
    const struct html_zone *zones;
    size_t nzones;
    const struct html_trend *trends;
    size_t ntrends;
    double warm0, warm1; /* the warm-up trend() leaves out, shaded; none unless warm1 > warm0 */
};

/* Appends one <svg class="chart"> for c: phases shaded and named, axes with
 * ticks in the unit, each plot as polylines broken at NaN gaps, the lines,
 * and failing points as red circles; each plot's points in data-tv for the
 * page's tooltip script. */
void html_chart_svg(struct lc_buf *b, const struct html_chart *c);

/* The lines and failing-point zones that the assertions of test t draw on
 * the chart of series s: a dashed baseline, then one limit per assertion
 * about s whose limit can be placed (see html_shape.c). lines and zones
 * each have room for max entries; returns the number of lines, *nzones the
 * number of zones. */
size_t html_limits_for(const struct report_test *t, const struct report_series *s, double tmax,
                       struct html_hline *lines, size_t max, struct html_zone *zones,
                       size_t *nzones);

/* The trend() fits drawn on the chart of series s (those of assertions
 * about s), at most max; returns how many. *extra: the series a fit was
 * made on instead of s (heap_live for heap_inuse), to draw beside it, or
 * NULL. */
size_t html_trends_for(const struct report_test *t, const struct report_series *s,
                       struct html_trend *out, size_t max, const struct report_series **extra);

/* The warm-up of test t's trend() assertions (*w0 .. *w1 on its clock);
 * returns 0, or -1 (both NaN) when it has none. */
int html_warmup_of(const struct report_test *t, double *w0, double *w1);

/* The metric an assertion is about (a->metric, or the first metric named
 * in its text, in canonical form) into out; 0, or -1 when there is none. */
int html_assert_metric(const struct report_assertion *a, char *out, size_t len);

/* Appends the load panel of t (figures, requests/s and latency charts,
 * status codes, errors by kind); nothing when the test had no load. */
void html_load_panel(struct lc_buf *b, const struct report_test *t, double tmax);

/* The page's style sheet and its optional tooltip script (html_page.c), as
 * NULL-terminated arrays of lines. */
extern const char *const html_css[];
extern const char *const html_js[];

/* Returns the series of t named name (borrowed), or NULL. */
const struct report_series *html_series(const struct report_test *t, const char *name);

#endif
