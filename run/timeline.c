/*
 * run/timeline.c: series storage and reductions.
 *
 * Bounded for days: a series that reaches TIMELINE_MAX_POINTS points is
 * thinned in place (compact): a sample is a point of level 0; a point of
 * level L is the lowest or the highest (in time order) of a bucket of
 * 2^L samples. Thinning brings the samples added since the last time to
 * the level of the others and, when the series is still over three
 * quarters full, merges every two buckets into one a level up; buckets
 * never straddle a phase. Between thinnings new samples merge as they
 * come (merge_tail), so every stretch of the series has about the same
 * resolution. The first and the last point, every bucket's extremes (so
 * min and max) and the phase bounds stay exact; avg is kept exactly from
 * a running sum. The baseline median, slope and trend() see the buckets'
 * extremes: the floor of a sawtooth (per-window minima) is kept exactly,
 * a median or a least-squares line over lows and highs stays close to
 * the one over all points.
 */
#include "run/timeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct series {
    char *name;
    struct timeline_point *pts;
    size_t n, cap;
    unsigned char top; /* the level of the points but the newest (compact) */
    size_t taken;      /* points ever added (minus those popped) */
    size_t valued;     /* ... of which with a value, and their sum: avg */
    double sum;
    int has_final; /* final stands for the series (timeline_set_final) */
    double final;
    int has_base; /* base replaces the median of the baseline points */
    double base;
    size_t nan_served; /* points that are NaN because the source served NaN */
};

struct timeline {
    struct series *s;
    size_t n, cap;
};

struct timeline *timeline_new(void)
{
    return lc_calloc(1, sizeof(struct timeline));
}

void timeline_free(struct timeline *tl)
{
    if (!tl)
        return;
    for (size_t i = 0; i < tl->n; i++) {
        free(tl->s[i].name);
        free(tl->s[i].pts);
    }
    free(tl->s);
    free(tl);
}

static struct series *find(const struct timeline *tl, const char *name)
{
    for (size_t i = 0; i < tl->n; i++)
        if (strcmp(tl->s[i].name, name) == 0)
            return &tl->s[i];
    return NULL;
}

static struct series *find_or_add(struct timeline *tl, const char *name)
{
    struct series *s = find(tl, name);
    if (!s) {
        lc_grow((void **)&tl->s, &tl->cap, tl->n + 1, sizeof(*tl->s));
        s = &tl->s[tl->n++];
        memset(s, 0, sizeof(*s));
        s->name = lc_strdup(name);
    }
    return s;
}

void timeline_set_baseline(struct timeline *tl, const char *name, double v)
{
    struct series *s = find_or_add(tl, name);
    s->has_base = !isnan(v);
    s->base = v;
}

/* Appends to out the points of one group [from, to) worth keeping, at
 * level lv: its lowest and highest valued point in time order, or its
 * first point when none has a value (a gap stays a gap). Returns the new
 * count. */
static size_t keep_extremes(const struct timeline_point *p, size_t from, size_t to,
                            unsigned char lv, struct timeline_point *out, size_t k)
{
    size_t lo = to, hi = to;
    for (size_t i = from; i < to; i++) {
        if (isnan(p[i].v))
            continue;
        if (lo == to || p[i].v < p[lo].v)
            lo = i;
        if (hi == to || p[i].v > p[hi].v)
            hi = i;
    }
    if (lo == to)
        lo = hi = from;
    out[k] = p[lo < hi ? lo : hi];
    out[k++].level = lv;
    if (lo != hi) {
        out[k] = p[lo < hi ? hi : lo];
        out[k++].level = lv;
    }
    return k;
}

/* Brings the inner points (the first and last stay) to level lv: each run
 * of points of one level L < lv and one phase, in groups of 2^(lv-L+1)
 * (two buckets of level lv-1 make one of lv), becomes its groups'
 * extremes; a remainder too short for a group stays as it is. */
static void compact_to(struct series *s, unsigned char lv)
{
    struct timeline_point *p = s->pts;
    size_t n = s->n, k = 1, i = 1;
    while (i < n - 1) {
        size_t end = i;
        while (end < n - 1 && p[end].level == p[i].level && p[end].phase == p[i].phase)
            end++;
        size_t g = p[i].level < lv ? (size_t)2 << (lv - p[i].level) : end - i + 1;
        for (; i + g <= end; i += g)
            k = keep_extremes(p, i, i + g, lv, p, k);
        for (; i < end; i++)
            p[k++] = p[i];
    }
    p[k++] = p[n - 1];
    s->n = k;
}

/* Makes room in a full series (see the top of the file): brings every
 * point to the coarsest level there is, then, when that is not enough,
 * one level coarser. */
static void compact(struct series *s)
{
    unsigned char top = 0;
    for (size_t i = 1; i + 1 < s->n; i++)
        top = s->pts[i].level > top ? s->pts[i].level : top;
    compact_to(s, top);
    if (s->n > TIMELINE_MAX_POINTS / 4 * 3 && top < 40)
        compact_to(s, ++top);
    s->top = top;
}

/* Merges the newest points (but the very last, which stays exact) as
 * they come, like a binary counter: four of one level below the series'
 * and of one phase become two a level up, so the newest part of the
 * series is as coarse as the rest within a few points, not a stretch of
 * samples that would take half of a chart. */
static void merge_tail(struct series *s)
{
    struct timeline_point *p = s->pts;
    while (s->n >= 6) {
        size_t end = s->n - 1;
        unsigned char lv = p[end - 1].level;
        if (lv >= s->top)
            return;
        for (size_t i = end - 4; i < end - 1; i++)
            if (p[i].level != lv || p[i].phase != p[end - 1].phase)
                return;
        size_t k = keep_extremes(p, end - 4, end, (unsigned char)(lv + 1), p, end - 4);
        p[k++] = p[end];
        s->n = k;
    }
}

void timeline_add(struct timeline *tl, const char *name, double t, enum phase phase, double v)
{
    struct series *s = find_or_add(tl, name);
    if (s->n >= TIMELINE_MAX_POINTS)
        compact(s);
    lc_grow((void **)&s->pts, &s->cap, s->n + 1, sizeof(*s->pts));
    s->pts[s->n++] = (struct timeline_point){t, v, phase, 0};
    merge_tail(s);
    s->taken++;
    if (!isnan(v)) {
        s->valued++;
        s->sum += v;
    }
}

void timeline_note_nan(struct timeline *tl, const char *name)
{
    find_or_add(tl, name)->nan_served++;
}

void timeline_set_final(struct timeline *tl, const char *name, double v)
{
    struct series *s = find_or_add(tl, name);
    s->has_final = 1;
    s->final = v;
}

void timeline_pop(struct timeline *tl, const char *name)
{
    struct series *s = find(tl, name);
    if (!s || s->n == 0)
        return;
    /* the last point is never merged into a bucket: it leaves exactly */
    double v = s->pts[--s->n].v;
    s->taken--;
    if (!isnan(v)) {
        s->valued--;
        s->sum -= v;
    }
}

size_t timeline_bytes(const struct timeline *tl)
{
    size_t b = sizeof(*tl) + tl->cap * sizeof(*tl->s);
    for (size_t i = 0; i < tl->n; i++)
        b += tl->s[i].cap * sizeof(*tl->s[i].pts) + strlen(tl->s[i].name) + 1;
    return b;
}

size_t timeline_nseries(const struct timeline *tl)
{
    return tl->n;
}

const char *timeline_name(const struct timeline *tl, size_t i)
{
    return tl->s[i].name;
}

const struct timeline_point *timeline_points(const struct timeline *tl, size_t i, size_t *n)
{
    *n = tl->s[i].n;
    return tl->s[i].pts;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int median_of_phase(const struct series *s, enum phase p, double *out)
{
    if (p == PHASE_BASELINE && s->has_base) {
        *out = s->base;
        return 0;
    }
    double *vals = lc_malloc(s->n * sizeof(double));
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->pts[i].phase == p && !isnan(s->pts[i].v))
            vals[k++] = s->pts[i].v;
    if (k > 0) {
        qsort(vals, k, sizeof(double), cmp_double);
        *out = k % 2 ? vals[k / 2] : (vals[k / 2 - 1] + vals[k / 2]) / 2.0;
    }
    free(vals);
    return k > 0 ? 0 : -1;
}

/* Least-squares slope over the points whose phase is in [from, to]. */
static int slope_over(const struct series *s, enum phase from, enum phase to, double *out)
{
    double st = 0, sv = 0, stt = 0, stv = 0;
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct timeline_point *p = &s->pts[i];
        if (p->phase < from || p->phase > to || isnan(p->v))
            continue;
        st += p->t;
        sv += p->v;
        stt += p->t * p->t;
        stv += p->t * p->v;
        k++;
    }
    double den = (double)k * stt - st * st;
    /* two points make a line through anything: a trend needs three */
    if (k < 3 || den <= 0)
        return -1;
    *out = ((double)k * stv - st * sv) / den;
    return 0;
}

static int final_of(const struct series *s, double *out)
{
    if (s->has_final) {
        *out = s->final;
        return isnan(s->final) ? -1 : 0;
    }
    for (size_t i = s->n; i > 0; i--)
        if (!isnan(s->pts[i - 1].v)) {
            *out = s->pts[i - 1].v;
            return 0;
        }
    return -1;
}

static int over_all(const struct series *s, enum expr_reduce r, double *out)
{
    double acc = r == EXPR_MIN ? INFINITY : r == EXPR_MAX ? -INFINITY : 0.0;
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        double v = s->pts[i].v;
        if (isnan(v))
            continue;
        k++;
        if (r == EXPR_MIN)
            acc = v < acc ? v : acc;
        else if (r == EXPR_MAX)
            acc = v > acc ? v : acc;
        else
            acc += v;
    }
    if (k == 0)
        return -1;
    /* the points are buckets' extremes: the mean is the running one */
    *out = r == EXPR_AVG ? s->sum / (double)s->valued : acc;
    return 0;
}

int timeline_reduce(const struct timeline *tl, const char *name, enum expr_reduce r, double *out,
                    struct lc_error *err)
{
    const struct series *s = find(tl, name);
    double fin, base;
    if (s && s->has_final && r == EXPR_FINAL) {
        if (final_of(s, out) == 0)
            return 0;
        lc_error_set(err, "%s had no value over the whole run", name);
        return -1;
    }
    if (!s || s->n == 0) {
        lc_error_set(err, "no samples of %s were taken", name);
        return -1;
    }
    switch (r) {
    case EXPR_FINAL:
        if (final_of(s, out) == 0)
            return 0;
        break;
    case EXPR_BASELINE:
        if (median_of_phase(s, PHASE_BASELINE, out) == 0)
            return 0;
        lc_error_set(err, "no baseline samples of %s", name);
        return -1;
    case EXPR_GROWTH:
        if (final_of(s, &fin) == 0 && median_of_phase(s, PHASE_BASELINE, &base) == 0) {
            *out = fin - base;
            return 0;
        }
        lc_error_set(err, "growth(%s) needs baseline and final samples", name);
        return -1;
    case EXPR_SLOPE:
        if (slope_over(s, PHASE_LOAD, PHASE_LOAD, out) == 0 ||
            slope_over(s, PHASE_LOAD, PHASE_OBSERVE, out) == 0)
            return 0;
        lc_error_set(err, "slope(%s) needs at least three samples during the load (sample more often)",
                     name);
        return -1;
    case EXPR_TREND:
        lc_error_set(err, "trend(%s) is read as a series, not a value", name);
        return -1;
    case EXPR_MIN:
    case EXPR_MAX:
    case EXPR_AVG:
        if (over_all(s, r, out) == 0)
            return 0;
        break;
    }
    if (s->nan_served >= s->taken)
        lc_error_set(err, "%s was NaN in all of its %zu samples (the source served NaN)", name,
                     s->taken);
    else if (s->nan_served)
        lc_error_set(err,
                     "%s had no value in any of its %zu samples: the source served NaN in %zu, "
                     "and in the others it was absent or the source failed",
                     name, s->taken, s->nan_served);
    else
        lc_error_set(err,
                     "%s had no value in any of its %zu samples (absent from the source, or the "
                     "source failed)",
                     name, s->taken);
    return -1;
}
