/* run/sampler_prom.c: what a Prometheus scrape keeps, and the values it puts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run/sampler_int.h"
#include "suite/metrics.h"

/* Adds name to the names a scrape keeps (once). */
static void keep_prom_name(struct sampler *s, const char *name)
{
    for (size_t i = 0; i < s->nprom_names; i++)
        if (strcmp(s->prom_names[i], name) == 0)
            return;
    lc_grow((void **)&s->prom_names, &s->capprom_names, s->nprom_names + 1, sizeof(*s->prom_names));
    s->prom_names[s->nprom_names++] = name;
}

/* A target elsewhere: the built-in metrics its Prometheus collectors
 * measure, when the test does not sample their own source. */
static void find_stand_ins(struct sampler *s)
{
    size_t n = 0;
    const struct metric_def *defs = metric_builtins(&n);
    for (size_t i = 0; i < n && s->nstand_in < LC_ARRAY_LEN(s->stand_in); i++)
        if (metric_from_prom(s->t, &defs[i])) {
            s->stand_in[s->nstand_in++] = &defs[i];
            keep_prom_name(s, defs[i].prom);
        }
}

void sampler_prom_init(struct sampler *s)
{
    find_stand_ins(s);
    /* the live heap from Go's collector too, where the scrape has it */
    for (size_t i = 0; s->t->sample.prometheus && i < prom_go_heap_nnames; i++)
        keep_prom_name(s, prom_go_heap_names[i]);
}

void sampler_add_prom(struct sampler *s, const struct expr_metric *m)
{
    for (size_t i = 0; i < s->nprom; i++)
        if (strcmp(s->prom[i]->text, m->text) == 0)
            return;
    lc_grow((void **)&s->prom, &s->capprom, s->nprom + 1, sizeof(*s->prom));
    s->prom[s->nprom++] = m;
    keep_prom_name(s, m->name);
}

int sampler_scrape_trusted(const struct sampler *s)
{
    return !s->t->sample.pprof || s->scrape_same == 1;
}

/* Fetched in one round (the scrape after the heap profile, whose MemStats
 * are read as it ends), the two counts of one process differ by the GCs
 * in between: a few. Another process's (a sidecar's /metrics) differ
 * more: after 3 rounds that disagree, for good. Two idle processes may
 * agree by chance: the scrape is the target's once they agreed again
 * after more GCs than that slack. */
#define DISAGREEMENTS 3

void sampler_match_gc(struct sampler *s)
{
    if (isnan(s->heap_gc) || isnan(s->scrape_gc) || s->scrape_same != 0)
        return;
    double slack = 3 + 0.1 * fmax(s->heap_gc, s->scrape_gc);
    if (fabs(s->heap_gc - s->scrape_gc) > slack) {
        if (++s->disagreed >= DISAGREEMENTS)
            s->scrape_same = -1;
    } else if (s->agreed_gc < 0) {
        s->agreed_gc = s->heap_gc;
    } else if (s->heap_gc > s->agreed_gc + slack) {
        s->scrape_same = 1;
    }
}

/* heap_live from a scrape: a point per GC cycle (the goal is the same
 * every scrape until the next GC), in the rounds without a heap profile,
 * when the scrape is the target's and its GOGC is known (said by the
 * scrape, or from a local target's environment): a target elsewhere
 * never gets a guessed 100. */
static void prom_live_heap(struct sampler *s, const struct prom_set *set)
{
    double v, n, g = NAN, limit = INFINITY;
    if (set && prom_go_gogc(set, &v) == 0)
        s->gogc_said = v;
    if (set && prom_go_memlimit(set, &v) == 0)
        s->limit_said = v;
    if (!set) {
        if (!s->heap_asked && s->scrape_live)
            sampler_put(s, "heap_live", NAN); /* a gap, not a line across it */
        return;
    }
    if (sampler_scrape_trusted(s))
        sampler_go_gc(s, &g, &limit);
    if (isnan(s->gogc_said) && s->pid <= 0)
        g = NAN;
    if (prom_go_live_heap(set, g, limit, &v, &n) != 0)
        return;
    /* a count that fell: a new process (a restart elsewhere) starts over */
    if (n < s->last_scrape_gc) {
        s->live_gc = -1;
        if (s->scrape_same == 0)
            s->agreed_gc = -1;
    }
    s->last_scrape_gc = n;
    s->scrape_gc = n;
    sampler_match_gc(s);
    if (s->heap_asked || !sampler_scrape_trusted(s) || isnan(g) || !(n > s->live_gc))
        return;
    sampler_put(s, "heap_live", v);
    s->live_gc = n;
    s->scrape_live = 1;
    s->scrape_valued |= !isnan(v);
}

void sampler_prom_values(struct sampler *s, struct prom_set *set)
{
    for (size_t i = 0; i < s->nprom; i++) {
        const struct expr_metric *m = s->prom[i];
        struct prom_matcher *mm = lc_calloc(m->nlabels + 1, sizeof(*mm));
        for (size_t k = 0; k < m->nlabels; k++)
            mm[k] = (struct prom_matcher){m->labels[k].name, m->labels[k].value};
        double v = NAN;
        size_t found = set ? prom_sum(set, m->name, mm, m->nlabels, &v) : 0;
        if (!found)
            v = NAN; /* absent in this scrape: a gap, not a zero */
        sampler_put(s, m->text, v);
        if (found && isnan(v))
            timeline_note_nan(s->tl, m->text);
        free(mm);
    }
    for (size_t i = 0; i < s->nstand_in; i++) {
        const struct metric_def *d = s->stand_in[i];
        double v = NAN;
        if (!set || !prom_sum(set, d->prom, NULL, 0, &v))
            v = NAN;
        sampler_put(s, d->name, v);
        if (set && isnan(v) && prom_sum(set, d->prom, NULL, 0, &v))
            timeline_note_nan(s->tl, d->name);
    }
    prom_live_heap(s, set);
    prom_free(set);
}

/* 1 when an assertion or a stand-in reads name (not only the live heap) */
static int asked(const struct sampler *s, const char *name)
{
    for (size_t i = 0; i < s->nprom; i++)
        if (strcmp(s->prom[i]->name, name) == 0)
            return 1;
    for (size_t i = 0; i < s->nstand_in; i++)
        if (strcmp(s->stand_in[i]->prom, name) == 0)
            return 1;
    return 0;
}

/* The first scrape that parses: when it lacks a name an assertion asks
 * for, every name it has is kept, so that the runner can tell a typo from
 * a series the service has not created yet (sampler_prom_first). */
void sampler_prom_first_scrape(struct sampler *s, const struct prom_set *set,
                               const struct fetch_result *r)
{
    s->prom_seen = 1;
    for (size_t i = 0; i < s->nprom_names; i++) {
        if (!asked(s, s->prom_names[i]))
            continue; /* the live heap's, read where the service has them */
        size_t k = 0;
        while (k < set->nsamples && strcmp(set->samples[k].name, s->prom_names[i]) != 0)
            k++;
        if (k == set->nsamples) {
            s->prom_first = prom_names_scan(r->body, r->len);
            return;
        }
    }
}

int sampler_scrape_live(const struct sampler *s)
{
    return s->scrape_valued;
}

const struct prom_names *sampler_prom_first(const struct sampler *s)
{
    return s->prom_first;
}
