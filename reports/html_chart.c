/* reports/html_chart.c: inline SVG time-series charts for report.html. */
#include "reports/html_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/text.h"

/* The drawing area in viewBox units; the page scales it to its column. */
#define CW 640.0
#define CH 232.0
#define ML 60.0 /* room for the value labels */
#define MR 14.0
#define MT 20.0 /* room for the phase names */
#define MB 24.0 /* room for the time labels */
#define PW (CW - ML - MR)
#define PH (CH - MT - MB)
/* A limit further from the data than this many data ranges is drawn as a
 * note at the edge rather than squashing the data into a flat line. */
#define FAR_LIMIT 1.5
/* Failing points marked per chart, at most (the rest are like them). */
#define MAX_MARKS 300

/* Appends s cleaned and escaped for HTML text and attributes. */
void html_esc(struct lc_buf *b, const char *s, unsigned flags)
{
    char *clean = report_text_dup(s, flags);
    const char *run = clean;
    for (const char *p = clean;; p++) {
        const char *rep = *p == '&'    ? "&amp;"
                          : *p == '<'  ? "&lt;"
                          : *p == '>'  ? "&gt;"
                          : *p == '"'  ? "&quot;"
                          : *p == '\'' ? "&#39;"
                                       : NULL;
        if (!rep && *p)
            continue;
        lc_buf_append(b, run, (size_t)(p - run));
        if (!*p)
            break;
        lc_buf_puts(b, rep);
        run = p + 1;
    }
    free(clean);
}

/* Appends v in unit u, escaped. */
void html_value(struct lc_buf *b, double v, enum report_unit u)
{
    char buf[64];
    report_fmt_value(v, u, buf, sizeof(buf));
    html_esc(b, buf, REPORT_TEXT_ONE_LINE);
}

struct scale {
    double lo, hi, step; /* value axis */
    double tmax;
    double tdiv; /* the time axis' unit in seconds: 1, 60 or 3600 */
};

/* Runs of 3 hours or more are read in hours, of 20 minutes or more in
 * minutes (a 24-hour soak's ticks say "6h", not "21600s"). */
#define HOURS_FROM 10800.0
#define MINUTES_FROM 1200.0

static double time_unit(double tmax, const char **name)
{
    *name = tmax >= HOURS_FROM ? "h" : tmax >= MINUTES_FROM ? "m" : "s";
    return tmax >= HOURS_FROM ? 3600 : tmax >= MINUTES_FROM ? 60 : 1;
}

/* A tick's label in the axis' unit: "6h", "1.5h", "40m"; seconds as before. */
static void fmt_tick(const struct scale *s, double t, char *buf, size_t len)
{
    if (s->tdiv == 1)
        report_fmt_offset(t, buf, len);
    else
        snprintf(buf, len, "%g%s", round(t / s->tdiv * 100) / 100, s->tdiv == 60 ? "m" : "h");
}

static double sx(const struct scale *s, double t)
{
    return ML + (s->tmax > 0 ? t / s->tmax : 0) * PW;
}

static double sy(const struct scale *s, double v)
{
    return MT + PH - (v - s->lo) / (s->hi - s->lo) * PH;
}

/* A step of 1, 2 or 5 times a power of ten near span/5, in the unit's own
 * scale (powers of 1024 for bytes) so that ticks read "8MB", "16MB". */
static double nice_step(double span, double maxabs, enum report_unit u)
{
    double unit = 1;
    if (u == REPORT_UNIT_BYTES)
        while (maxabs / unit >= 1024 && unit < 1099511627776.0)
            unit *= 1024;
    double raw = span / unit / 5;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag * unit;
}

/* The value range: the data, zero when it is near, the lines unless they
 * are far off; rounded out to whole steps. */
static void value_scale(const struct html_chart *c, struct scale *s)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t p = 0; p < c->nplots; p++)
        for (size_t i = 0; i < c->plots[p].n; i++) {
            double v = c->plots[p].pts[i].v;
            if (isfinite(v)) {
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
        }
    if (!isfinite(lo))
        lo = 0, hi = 1;
    /* leaks are judged by size: a count or a size starts at zero */
    if (lo > 0)
        lo = 0;
    double span = hi - lo;
    for (size_t i = 0; i < c->nlines; i++) {
        double y = c->lines[i].y;
        if (isfinite(y) && (span == 0 ? fabs(y) <= 2 * fabs(hi) + 1
                                      : y >= lo - FAR_LIMIT * span && y <= hi + FAR_LIMIT * span))
            lo = fmin(lo, y), hi = fmax(hi, y);
    }
    if (hi == lo && lo == 0) { /* all zero: a range above it */
        hi = 1;
    } else if (hi == lo) { /* one negative value (positive ones start at zero) */
        hi = 0;
        lo *= 1.2;
    }
    s->step = nice_step(hi - lo, fmax(fabs(lo), fabs(hi)), c->unit);
    s->lo = floor(lo / s->step + 1e-9) * s->step;
    s->hi = ceil(hi / s->step - 1e-9) * s->step;
    if (s->hi <= s->lo)
        s->hi = s->lo + s->step;
}

static double time_step(double tmax)
{
    static const double steps[] = {0.1,  0.2,   0.5,   1,     2,     5,      10,    15,
                                   30,   60,    120,   300,   600,   900,    1800,  3600,
                                   7200, 10800, 21600, 43200, 86400, 172800, 604800};
    for (size_t i = 0; i < LC_ARRAY_LEN(steps); i++)
        if (steps[i] >= tmax / 7)
            return steps[i];
    return tmax / 7;
}

/* Labels already placed on a chart, so that the next one does not cover
 * them (a limit close to the baseline, two limits off the same edge). */
struct labels {
    double x0[32], x1[32], y[32];
    size_t n;
};

/* The width of a label in viewBox units: about 6 per character at 10.5px. */
static double label_width(const char *s)
{
    double n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n * 6.0;
}

/* Moves a right-aligned label ending at *x on baseline *y until it covers
 * no placed label: leftwards along its line (dy == 0), or by dy lines. */
static void place_label(struct labels *ls, double *x, double *y, double w, double dy)
{
    for (int tries = 0; tries < 8; tries++) {
        size_t k = 0;
        while (k < ls->n &&
               !(fabs(ls->y[k] - *y) < 11 && *x - w < ls->x1[k] + 6 && *x > ls->x0[k] - 6))
            k++;
        if (k == ls->n)
            break;
        if (dy == 0)
            *x = fmax(ls->x0[k] - 10, ML + w);
        else
            *y += dy;
    }
    if (ls->n < LC_ARRAY_LEN(ls->x0)) {
        ls->x0[ls->n] = *x - w;
        ls->x1[ls->n] = *x;
        ls->y[ls->n++] = *y;
    }
}

static void draw_phases(struct lc_buf *b, const struct html_chart *c, const struct scale *s,
                        struct labels *ls)
{
    for (size_t i = 0; c->phases && i < c->nphases; i++) {
        const struct report_phase *p = &c->phases[i];
        if (!isfinite(p->start) || !isfinite(p->end) || p->end <= p->start)
            continue;
        double x0 = sx(s, p->start), x1 = sx(s, fmin(p->end, s->tmax));
        lc_buf_puts(b, "<rect class=\"ph ph-");
        html_esc(b, p->name, REPORT_TEXT_ONE_LINE);
        lc_buf_printf(b, "\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", x0, MT,
                      x1 - x0, PH);
        if (x1 - x0 >= 44) {
            if (ls->n < LC_ARRAY_LEN(ls->x0)) {
                ls->x0[ls->n] = x0 + 3;
                ls->x1[ls->n] = x0 + 3 + label_width(p->name ? p->name : "");
                ls->y[ls->n++] = MT - 6;
            }
            lc_buf_printf(b, "<text class=\"phl\" x=\"%.1f\" y=\"%.1f\">", x0 + 3, MT - 6);
            html_esc(b, p->name, REPORT_TEXT_ONE_LINE);
            lc_buf_puts(b, "</text>");
        }
    }
}

/* The warm-up trend() leaves out: shaded over the phases, named inside
 * the plot's top edge. */
static void draw_warmup(struct lc_buf *b, const struct html_chart *c, const struct scale *s)
{
    if (!(c->warm1 > c->warm0) || !isfinite(c->warm0) || c->warm0 >= s->tmax)
        return;
    double x0 = sx(s, fmax(0, c->warm0)), x1 = sx(s, fmin(c->warm1, s->tmax));
    lc_buf_printf(b,
                  "<g class=\"warmup\"><title>warm-up: left out of trend()</title>"
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                  x0, MT, x1 - x0, PH);
    if (x1 - x0 >= 48)
        lc_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">warm-up</text>", x0 + 3, MT + 11);
    lc_buf_puts(b, "</g>");
}

/* The y of a trend line of slope k at t, kept inside the plot. */
static double trend_y(const struct scale *s, const struct report_trend *f, double k, double t)
{
    return fmin(fmax(sy(s, f->v_mid + k * (t - f->t_mid)), MT), MT + PH);
}

/* A fit: the band between the lines of its interval's two slopes (a bow
 * tie through the median point: where the data are, the slope is surest)
 * and the fitted line over it. */
static void draw_trend(struct lc_buf *b, const struct html_trend *tr, const struct scale *s)
{
    const struct report_trend *f = tr->fit;
    if (!isfinite(f->from) || !isfinite(f->to) || !isfinite(f->v_mid) || !isfinite(f->slope) ||
        f->to <= f->from)
        return;
    double t0 = fmax(0, f->from), t1 = fmin(f->to, s->tmax);
    double tm = fmin(fmax(f->t_mid, t0), t1);
    double lo = isfinite(f->lo) ? f->lo : f->slope, hi = isfinite(f->hi) ? f->hi : f->slope;
    lc_buf_printf(b, "<g class=\"trend%s\"><title>", tr->failing ? " fail" : "");
    html_esc(b, tr->title, REPORT_TEXT_ONE_LINE);
    double y0a = trend_y(s, f, lo, t0), y0b = trend_y(s, f, hi, t0);
    double y1a = trend_y(s, f, lo, t1), y1b = trend_y(s, f, hi, t1);
    double ym = trend_y(s, f, f->slope, tm);
    /* upper edge left to right (smaller y is higher), lower edge back */
    lc_buf_printf(b,
                  "</title><polygon class=\"band\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f "
                  "%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>",
                  sx(s, t0), fmin(y0a, y0b), sx(s, tm), ym, sx(s, t1), fmin(y1a, y1b), sx(s, t1),
                  fmax(y1a, y1b), sx(s, tm), ym, sx(s, t0), fmax(y0a, y0b));
    lc_buf_printf(b, "<line class=\"fit\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>",
                  sx(s, t0), trend_y(s, f, f->slope, t0), sx(s, t1), trend_y(s, f, f->slope, t1));
}

static void draw_axes(struct lc_buf *b, const struct html_chart *c, const struct scale *s)
{
    char buf[64];
    for (double v = s->lo; v <= s->hi + s->step * 1e-6; v += s->step) {
        double y = sy(s, v);
        lc_buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
                      ML, ML + PW, y, y);
        report_fmt_value(fabs(v) < s->step * 1e-6 ? 0 : v, c->unit, buf, sizeof(buf));
        lc_buf_printf(b, "<text class=\"yl\" x=\"%.1f\" y=\"%.1f\">", ML - 6, y + 4);
        html_esc(b, buf, REPORT_TEXT_ONE_LINE);
        lc_buf_puts(b, "</text>");
    }
    double ts = time_step(s->tmax);
    for (double t = 0; t <= s->tmax + ts * 1e-6; t += ts) {
        double x = sx(s, t);
        fmt_tick(s, t, buf, sizeof(buf));
        lc_buf_printf(b, "<line class=\"tick\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
                      x, x, MT + PH, MT + PH + 4);
        lc_buf_printf(b, "<text class=\"xl\" x=\"%.1f\" y=\"%.1f\">%s</text>", x, CH - 6, buf);
    }
    lc_buf_printf(b, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                  ML, MT, PW, PH);
}

/* One plot: polylines broken wherever a value is missing; a lone point
 * between two gaps as a dot. Its points go in data-tv for the tooltip. */
static void draw_plot(struct lc_buf *b, const struct html_plot *p, const struct scale *s)
{
    lc_buf_printf(b, "<g class=\"plot c%d\" data-name=\"", p->color & 3);
    html_esc(b, p->name, REPORT_TEXT_ONE_LINE);
    lc_buf_puts(b, "\" data-tv=\"");
    for (size_t i = 0; i < p->n; i++) {
        double v = p->pts[i].v;
        if (isfinite(v))
            lc_buf_printf(b, "%s%.6g,%.6g", i ? " " : "", p->pts[i].t, v);
        else
            lc_buf_printf(b, "%s%.6g,null", i ? " " : "", p->pts[i].t);
    }
    lc_buf_puts(b, "\">");
    for (size_t i = 0; i < p->n;) {
        size_t j = i;
        while (j < p->n && isfinite(p->pts[j].v) && isfinite(p->pts[j].t))
            j++;
        if (j - i == 1)
            lc_buf_printf(b, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"2\"/>",
                          sx(s, p->pts[i].t), sy(s, p->pts[i].v));
        else if (j - i > 1) {
            lc_buf_puts(b, "<polyline points=\"");
            for (size_t k = i; k < j; k++)
                lc_buf_printf(b, "%s%.1f,%.1f", k > i ? " " : "", sx(s, p->pts[k].t),
                              sy(s, p->pts[k].v));
            lc_buf_puts(b, "\"/>");
        }
        i = j > i ? j : i + 1;
    }
    lc_buf_puts(b, "</g>");
}

/* A line inside the range is drawn; one outside it becomes a note at the
 * top or bottom edge ("limit 500ms ↑ (off the chart)"). */
static void draw_hline(struct lc_buf *b, const struct html_hline *l, const struct scale *s,
                       struct labels *ls)
{
    if (!isfinite(l->y))
        return;
    double x0 = sx(s, fmax(0, l->t0)), x1 = sx(s, fmin(s->tmax, l->t1));
    int above = l->y > s->hi, far = above || l->y < s->lo;
    double w = label_width(l->label) + (far ? 90 : 0), x = far ? ML + PW - 4 : x1 - 4;
    /* a note above the range goes in the top margin, beside the phase names */
    double y = above ? MT - 6 : far ? MT + PH - 5 : sy(s, l->y);
    lc_buf_puts(b, "<g class=\"");
    html_esc(b, l->cls, REPORT_TEXT_ONE_LINE);
    lc_buf_puts(b, "\"><title>");
    html_esc(b, l->title[0] ? l->title : l->label, REPORT_TEXT_ONE_LINE);
    lc_buf_puts(b, "</title>");
    if (!far) {
        lc_buf_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", x0, x1, y, y);
        /* the label sits above the line, or below it near the top edge */
        y = y - MT < 14 ? y + 13 : y - 5;
    }
    place_label(ls, &x, &y, w, far ? (above ? 12 : -12) : 0);
    lc_buf_printf(b, "<text class=\"hl%s\" x=\"%.1f\" y=\"%.1f\">", far ? " far" : "", x, y);
    html_esc(b, l->label, REPORT_TEXT_ONE_LINE);
    if (far)
        lc_buf_puts(b, above ? " \xe2\x86\x91 (off the chart)" : " \xe2\x86\x93 (off the chart)");
    lc_buf_puts(b, "</text></g>");
}

static void draw_marks(struct lc_buf *b, const struct html_chart *c, const struct scale *s)
{
    size_t marks = 0;
    char buf[64], tb[64];
    for (size_t z = 0; z < c->nzones; z++) {
        const struct html_zone *zn = &c->zones[z];
        for (size_t p = 0; p < c->nplots && p < 1; p++) {
            for (size_t i = 0; i < c->plots[p].n && marks < MAX_MARKS; i++) {
                struct report_point pt = c->plots[p].pts[i];
                if (!isfinite(pt.v) || pt.t < zn->t0 || pt.t > zn->t1 ||
                    (pt.v >= zn->lo && pt.v <= zn->hi))
                    continue;
                report_fmt_value(pt.v, c->unit, buf, sizeof(buf));
                report_fmt_offset(pt.t, tb, sizeof(tb));
                lc_buf_printf(b, "<circle class=\"bad\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.2\">",
                              sx(s, pt.t), sy(s, fmin(fmax(pt.v, s->lo), s->hi)));
                lc_buf_puts(b, "<title>beyond the limit: ");
                html_esc(b, buf, REPORT_TEXT_ONE_LINE);
                lc_buf_printf(b, " at %s</title></circle>", tb);
                marks++;
            }
        }
    }
}

static const char *unit_name(enum report_unit u)
{
    switch (u) {
    case REPORT_UNIT_BYTES:
        return "bytes";
    case REPORT_UNIT_SECONDS:
        return "seconds";
    case REPORT_UNIT_FRACTION:
        return "fraction";
    case REPORT_UNIT_RATE:
        return "rate";
    case REPORT_UNIT_COUNT:
        break;
    }
    return "count";
}

/* Appends the chart's <svg> (see html_int.h). */
void html_chart_svg(struct lc_buf *b, const struct html_chart *c)
{
    struct scale s = {.tmax = c->tmax > 0 ? c->tmax : 1};
    const char *tunit;
    s.tdiv = time_unit(s.tmax, &tunit);
    value_scale(c, &s);
    lc_buf_printf(b,
                  "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
                  "data-map=\"%.1f %.1f %.6g\" data-unit=\"%s\" data-tunit=\"%s\">",
                  CW, CH, ML, PW, s.tmax, unit_name(c->unit), tunit);
    struct labels ls = {.n = 0};
    draw_phases(b, c, &s, &ls);
    draw_warmup(b, c, &s);
    draw_axes(b, c, &s);
    for (size_t i = 0; i < c->nlines; i++)
        draw_hline(b, &c->lines[i], &s, &ls);
    for (size_t i = 0; i < c->nplots; i++)
        draw_plot(b, &c->plots[i], &s);
    for (size_t i = 0; i < c->ntrends; i++)
        draw_trend(b, &c->trends[i], &s);
    draw_marks(b, c, &s);
    lc_buf_printf(b, "<line class=\"guide\" x1=\"0\" x2=\"0\" y1=\"%.1f\" y2=\"%.1f\"/>", MT,
                  MT + PH);
    lc_buf_puts(b, "</svg>");
}
