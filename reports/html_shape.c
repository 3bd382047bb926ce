/*
 * reports/html_shape.c: where an assertion's limit goes on the chart of
 * the metric it reads. The report holds each assertion's text, its
 * observed and expected values; the shape of the text says how expected
 * relates to the series:
 *   m OP x, max(m) OP x, min(m) OP x, avg(m) OP x  -> a line at expected
 *     (m OP x after the load; over the load for its per-interval figures)
 *   baseline(m) OP x                               -> over the baseline phase
 *   growth(m) OP x                                 -> at baseline + expected
 *   m stay within N[unit|%] of baseline            -> expected ± N (or N%)
 *   compare(m) (the release gate)                  -> at expected
 * slope(m), trend(m), "and"/"or"/"not" and arithmetic on the left are
 * not drawn as a limit: their expected value is not a level of the series
 * (a trend's fit is drawn instead: html_trends_for).
 */
#include "reports/html_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum shape_reduce {
    SR_FINAL,
    SR_BASELINE,
    SR_MIN,
    SR_MAX,
    SR_AVG,
    SR_GROWTH,
    SR_SLOPE,
    SR_COMPARE,
    SR_TREND
};

struct shape {
    char metric[256];
    enum shape_reduce reduce;
    int within; /* "stay within" */
    double tol; /* its tolerance (canonical units, or a fraction with pct) */
    int pct;
    char op[3]; /* "<", "<=", ">", ">=", "==", "!=" */
    int drawable;
};

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static size_t ident_len(const char *p)
{
    size_t n = 0;
    if (!(isalpha((unsigned char)p[0]) || p[0] == '_'))
        return 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == ':' || p[n] == '.')
        n++;
    return n;
}

/* Reads a metric reference (name and an optional {label="v",...}) into
 * out in canonical form (no blanks outside quotes). Returns the text after
 * it, or NULL. */
static const char *read_metric(const char *p, char *out, size_t len)
{
    size_t n = ident_len(p), k = 0;
    if (n == 0 || n + 1 >= len)
        return NULL;
    memcpy(out, p, n);
    k = n;
    p += n;
    if (*skip_ws(p) == '{') {
        int quoted = 0;
        for (p = skip_ws(p); *p; p++) {
            if (!quoted && (*p == ' ' || *p == '\t'))
                continue;
            if (k + 2 >= len)
                return NULL;
            out[k++] = *p;
            if (*p == '"' && p[-1] != '\\')
                quoted = !quoted;
            if (!quoted && *p == '}') {
                p++;
                break;
            }
        }
    }
    out[k] = '\0';
    return p;
}

/* 1 when text holds the word w outside quotes (and, or, not). */
static int has_word(const char *text, const char *w)
{
    size_t wl = strlen(w);
    int quoted = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        if (quoted || strncmp(p, w, wl) != 0)
            continue;
        int before = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        int after = !(isalnum((unsigned char)p[wl]) || p[wl] == '_');
        if (before && after)
            return 1;
    }
    return 0;
}

/* "20", "10%", "8MB", "250ms" after "stay within". */
static const char *read_tol(const char *p, struct shape *sh)
{
    static const struct {
        const char *name;
        double scale;
    } units[] = {{"%", 0.01},  {"ns", 1e-9},      {"us", 1e-6},        {"ms", 1e-3},
                 {"s", 1},     {"m", 60},         {"h", 3600},         {"B", 1},
                 {"KB", 1024}, {"MB", 1048576.0}, {"GB", 1073741824.0}};
    const char *end = NULL;
    if (lc_parse_double(p, &end, &sh->tol) != 0 || !isfinite(sh->tol))
        return NULL;
    size_t n = 0;
    while (isalpha((unsigned char)end[n]) || end[n] == '%')
        n++;
    for (size_t i = 0; n > 0 && i < LC_ARRAY_LEN(units); i++) {
        if (strlen(units[i].name) == n && strncmp(end, units[i].name, n) == 0) {
            sh->tol *= units[i].scale;
            sh->pct = units[i].name[0] == '%';
            return end + n;
        }
    }
    return n == 0 ? end : NULL;
}

static void parse_rest(const char *p, struct shape *sh)
{
    static const char *const ops[] = {"<=", ">=", "==", "!=", "<", ">"};
    p = skip_ws(p);
    if (strncmp(p, "stay", 4) == 0 && sh->reduce == SR_FINAL) {
        p = skip_ws(p + 4);
        if (strncmp(p, "within", 6) != 0 || !(p = read_tol(skip_ws(p + 6), sh)))
            return;
        p = skip_ws(p);
        if (strncmp(p, "of", 2) != 0 || strncmp(skip_ws(p + 2), "baseline", 8) != 0)
            return;
        sh->within = 1;
        sh->drawable = *skip_ws(skip_ws(p + 2) + 8) == '\0';
        return;
    }
    for (size_t i = 0; i < LC_ARRAY_LEN(ops); i++) {
        if (strncmp(p, ops[i], strlen(ops[i])) == 0) {
            snprintf(sh->op, sizeof(sh->op), "%s", ops[i]);
            sh->drawable =
                strcmp(ops[i], "!=") != 0 && sh->reduce != SR_SLOPE && sh->reduce != SR_TREND;
            return;
        }
    }
}

/* Reads the shape of an assertion's text; sh->drawable says whether a
 * limit can be placed. Returns 0, or -1 when no metric is named at all. */
static int shape_of(const struct report_assertion *a, struct shape *sh)
{
    static const char *const fns[] = {"",       "baseline", "min",     "max",  "avg",
                                      "growth", "slope",    "compare", "trend"};
    memset(sh, 0, sizeof(*sh));
    const char *p = skip_ws(a->expr ? a->expr : "");
    size_t n = ident_len(p);
    if (n > 0 && *skip_ws(p + n) == '(') {
        for (size_t i = 1; i < LC_ARRAY_LEN(fns); i++)
            if (strlen(fns[i]) == n && strncmp(p, fns[i], n) == 0)
                sh->reduce = (enum shape_reduce)i;
        if (sh->reduce == SR_FINAL)
            return -1;
        p = skip_ws(skip_ws(p + n) + 1);
        if (!(p = read_metric(p, sh->metric, sizeof(sh->metric))) || *(p = skip_ws(p)) != ')')
            return -1;
        p++;
    } else if (!(p = read_metric(p, sh->metric, sizeof(sh->metric)))) {
        return -1;
    }
    if (sh->reduce == SR_COMPARE) {
        snprintf(sh->op, sizeof(sh->op), "<=");
        sh->drawable = 1;
    } else {
        parse_rest(p, sh);
    }
    if (has_word(a->expr, "and") || has_word(a->expr, "or") || has_word(a->expr, "not"))
        sh->drawable = 0;
    if (a->metric && *a->metric)
        snprintf(sh->metric, sizeof(sh->metric), "%s", a->metric);
    return 0;
}

/* The metric an assertion reads, into out; 0, or -1 when none is named. */
int html_assert_metric(const struct report_assertion *a, char *out, size_t len)
{
    struct shape sh;
    if (shape_of(a, &sh) != 0)
        return -1;
    snprintf(out, len, "%s", sh.metric);
    return 0;
}

static const struct report_phase *phase(const struct report_test *t, const char *name)
{
    for (size_t i = 0; t->phases && i < t->nphases; i++)
        if (t->phases[i].name && strcmp(t->phases[i].name, name) == 0)
            return &t->phases[i];
    return NULL;
}

/* Where a limit on the final value applies: once the load is over (the
 * observe and settle phases), or the whole run without load. */
static double after_load(const struct report_test *t)
{
    const struct report_phase *p = phase(t, "observe");
    if (!p)
        p = phase(t, "settle");
    if (p)
        return p->start;
    p = phase(t, "load");
    return p ? p->end : 0;
}

/* Sets the line's span, and returns the level of the limit (NaN: none). */
static double place(const struct report_test *t, const struct report_series *s,
                    const struct report_assertion *a, const struct shape *sh, double tmax,
                    struct html_hline *l)
{
    const struct report_phase *base = phase(t, "baseline"), *load = phase(t, "load");
    l->t0 = 0;
    l->t1 = tmax;
    switch (sh->reduce) {
    case SR_BASELINE:
        l->t0 = base ? base->start : 0;
        l->t1 = base ? base->end : tmax;
        return a->expected;
    case SR_GROWTH:
        l->t0 = after_load(t);
        return s->baseline + a->expected;
    case SR_FINAL:
    case SR_COMPARE:
        l->t0 = after_load(t);
        /* the whole load's figure: drawn over the intervals it is made of */
        if (report_per_interval(s->name) && load) {
            l->t0 = load->start;
            l->t1 = load->end;
        }
        return a->expected;
    case SR_MIN:
    case SR_MAX:
    case SR_AVG:
        return a->expected;
    case SR_SLOPE:
    case SR_TREND:
        break;
    }
    return NAN;
}

/* Adds the line (or two, for "stay within") and the failing zone. */
static size_t add_limit(const struct report_test *t, const struct report_series *s,
                        const struct report_assertion *a, const struct shape *sh, double tmax,
                        struct html_hline *lines, size_t room, struct html_zone *zone, int *zoned)
{
    struct html_hline l = {0};
    double y = place(t, s, a, sh, tmax, &l), lo = -INFINITY, hi = INFINITY;
    enum report_unit u = report_unit_of(s->name);
    char v1[64], v2[64];
    if (!isfinite(y) || room == 0)
        return 0;
    l.cls = a->passed || a->errored ? "limit" : "limit fail";
    snprintf(l.title, sizeof(l.title), "%s", a->expr ? a->expr : "");
    size_t n = 0;
    if (sh->within) {
        double d = sh->pct ? fabs(y) * sh->tol : sh->tol;
        lo = y - d, hi = y + d;
        report_fmt_value(hi, u, v1, sizeof(v1));
        report_fmt_value(lo, u, v2, sizeof(v2));
        lines[n] = l, lines[n].y = hi;
        snprintf(lines[n++].label, sizeof(l.label), "limit \xe2\x89\xa4 %s", v1);
        /* a count never goes below zero: a negative floor says nothing */
        if (room > 1 && !(lo < 0 && s->min >= 0)) {
            lines[n] = l, lines[n].y = lo;
            snprintf(lines[n++].label, sizeof(l.label), "limit \xe2\x89\xa5 %s", v2);
        }
    } else {
        const char *sym = strcmp(sh->op, "<") == 0    ? "<"
                          : strcmp(sh->op, "<=") == 0 ? "\xe2\x89\xa4"
                          : strcmp(sh->op, ">") == 0  ? ">"
                          : strcmp(sh->op, ">=") == 0 ? "\xe2\x89\xa5"
                                                      : "=";
        static const char *const red[] = {"",     "baseline ", "min ", "max ",
                                          "avg ", "",          "",     "previous run: "};
        if (sh->op[0] == '<')
            hi = y;
        else if (sh->op[0] == '>')
            lo = y;
        else
            lo = hi = y;
        report_fmt_value(y, u, v1, sizeof(v1));
        l.y = y;
        snprintf(l.label, sizeof(l.label), "%slimit %s %s", red[sh->reduce], sym, v1);
        lines[n++] = l;
    }
    /* a failed assertion marks the points beyond its limit where it applies */
    if (!a->passed && !a->errored && sh->reduce != SR_AVG) {
        *zone = (struct html_zone){lo, hi, l.t0, l.t1};
        *zoned = 1;
    }
    return n;
}

/* The baseline line, then each placeable limit of t's assertions on the
 * chart of s, with the zones of failing points; returns the line count. */
size_t html_limits_for(const struct report_test *t, const struct report_series *s, double tmax,
                       struct html_hline *lines, size_t max, struct html_zone *zones,
                       size_t *nzones)
{
    size_t n = 0;
    char v[64];
    *nzones = 0;
    if (max > 0 && isfinite(s->baseline)) {
        struct html_hline *l = &lines[n++];
        memset(l, 0, sizeof(*l));
        l->y = s->baseline;
        l->t0 = 0;
        l->t1 = tmax;
        l->cls = "base";
        report_fmt_value(s->baseline, report_unit_of(s->name), v, sizeof(v));
        snprintf(l->label, sizeof(l->label), "baseline %s", v);
        snprintf(l->title, sizeof(l->title), "baseline: the median of the baseline samples");
    }
    for (size_t i = 0; t->assertions && i < t->nassertions && n < max; i++) {
        const struct report_assertion *a = &t->assertions[i];
        struct shape sh;
        if (shape_of(a, &sh) != 0 || !sh.drawable || strcmp(sh.metric, s->name) != 0)
            continue;
        int zoned = 0;
        n += add_limit(t, s, a, &sh, tmax, lines + n, max - n, &zones[*nzones], &zoned);
        *nzones += (size_t)zoned;
    }
    return n;
}

size_t html_trends_for(const struct report_test *t, const struct report_series *s,
                       struct html_trend *out, size_t max, const struct report_series **extra)
{
    size_t n = 0;
    char metric[256];
    *extra = NULL;
    for (size_t i = 0; t->assertions && i < t->nassertions && n < max; i++) {
        const struct report_assertion *a = &t->assertions[i];
        if (!a->trend || html_assert_metric(a, metric, sizeof(metric)) != 0 ||
            strcmp(metric, s->name) != 0)
            continue;
        out[n] = (struct html_trend){a->trend, !a->passed && !a->errored, ""};
        snprintf(out[n].title, sizeof(out[n].title), "%s: %s", a->expr ? a->expr : "",
                 a->message ? a->message : "");
        if (a->trend->series && strcmp(a->trend->series, s->name) != 0)
            *extra = html_series(t, a->trend->series);
        n++;
    }
    return n;
}

int html_warmup_of(const struct report_test *t, double *w0, double *w1)
{
    *w0 = *w1 = NAN;
    for (size_t i = 0; t->assertions && i < t->nassertions; i++) {
        const struct report_trend *tr = t->assertions[i].trend;
        if (tr && tr->warmup > 0 && isfinite(tr->from)) {
            *w0 = tr->from - tr->warmup;
            *w1 = tr->from;
            return 0;
        }
    }
    return -1;
}
