/* run/timeline.c: series storage and reductions. */
#include "run/timeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct series {
    char *name;
    struct timeline_point *pts;
    size_t n, cap;
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

void timeline_add(struct timeline *tl, const char *name, double t, enum phase phase, double v)
{
    struct series *s = find_or_add(tl, name);
    lc_grow((void **)&s->pts, &s->cap, s->n + 1, sizeof(*s->pts));
    s->pts[s->n++] = (struct timeline_point){t, v, phase};
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
    if (s && s->n > 0)
        s->n--;
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
    *out = r == EXPR_AVG ? acc / (double)k : acc;
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
    if (s->nan_served >= s->n)
        lc_error_set(err, "%s was NaN in all of its %zu samples (the source served NaN)", name,
                     s->n);
    else if (s->nan_served)
        lc_error_set(err,
                     "%s had no value in any of its %zu samples: the source served NaN in %zu, "
                     "and in the others it was absent or the source failed",
                     name, s->n, s->nan_served);
    else
        lc_error_set(err,
                     "%s had no value in any of its %zu samples (absent from the source, or the "
                     "source failed)",
                     name, s->n);
    return -1;
}
