/*
 * run/sampler_int.h: the sampler's state, shared by its files: sampler.c
 * (rounds, fetches, the pprof and /proc values) and sampler_prom.c (what
 * a scrape keeps and puts).
 */
#ifndef LC_SAMPLER_INT_H
#define LC_SAMPLER_INT_H

#include "run/heap_pace.h"
#include "run/sampler.h"
#include "sources/gcount.h"
#include "sources/prom.h"

/* A source that fails this many rounds in a row ends the test. */
#define MAX_FAILS_IN_A_ROW 3
#define PROFILE_MAX_BYTES (64u << 20)
#define METRICS_MAX_BYTES (16u << 20)

/* FETCH_INDEX is the goroutine source too: its failures count as the
 * goroutine profile's (fails[FETCH_GOROUTINE]) */
enum fetch_kind { FETCH_GOROUTINE, FETCH_HEAP, FETCH_PROM, FETCH_INDEX, FETCH__COUNT };
#define INDEX_MAX_BYTES (1u << 20)

struct sampler;

struct pending {
    struct sampler *s;
    enum fetch_kind kind;
};

struct sampler {
    struct fetch *f;
    const struct suite_test *t;
    pid_t pid;
    struct timeline *tl;
    double t0;
    struct load_series *load;
    const struct expr_metric **prom;
    size_t nprom, capprom;
    /* the distinct metric names of prom[]: the only samples a scrape keeps */
    const char **prom_names;
    size_t nprom_names, capprom_names;
    /* built-in metrics read from the scrape (metric_from_prom) */
    const struct metric_def *stand_in[8];
    size_t nstand_in;
    int prom_seen;                 /* a scrape parsed */
    struct prom_names *prom_first; /* its names, when it lacked one of prom_names */
    /* the round under way */
    int busy;
    int outstanding;
    double round_t;
    enum phase round_phase;
    sampler_done_cb *cb;
    void *cb_arg;
    struct pending pend[FETCH__COUNT];
    int fails[FETCH__COUNT + 1]; /* + /proc */
    char fatal[1024];
    struct pprof_profile *g_base, *g_last;
    struct gcount gc;                  /* count or dump (gcount.h) */
    unsigned long round_no;            /* rounds started, this one included */
    struct heap_pace heap;             /* which rounds ask for the heap profile */
    pid_t gogc_pid;                    /* whose GOGC and limit these are (0: not read yet) */
    double gogc;                       /* its GOGC percent, -1: off */
    double limit;                      /* its memory limit (GOMEMLIMIT), INFINITY: none */
    double gogc_said, limit_said;      /* the two as the scrape says them, or NaN */
    int heap_asked;                    /* this round fetches the heap profile */
    double heap_gc, scrape_gc;         /* this round's GC counts: the heap profile's and
                                          the scrape's (NaN: none) */
    double live_gc;                    /* the GC count of the last heap_live point, -1: none */
    int scrape_same;                   /* the scrape's process is the heap profiles': 1,
                                          another: -1, not known yet: 0 */
    double agreed_gc;                  /* the heap profile's GC count when the two first
                                          agreed, -1: not yet */
    int disagreed;                     /* rounds in which the two counts disagreed */
    double last_scrape_gc;             /* the last scrape's GC count, -1: none */
    int scrape_live;                   /* a scrape has given heap_live points */
    int scrape_valued;                 /* ... and one of them had a value */
    struct report_observer_cost *cost; /* where dumps are counted, or NULL */
};

/* Adds v to series name at the round's time and phase. */
void sampler_put(struct sampler *s, const char *name, double v);

/* Counts a source's failure; the third in a row makes the test fatal. */
void sampler_failed(struct sampler *s, int src, const char *what, const char *msg);

/* The target's GC settings, which heap_live is read with: its GOGC percent
 * (-1: off) and memory limit (INFINITY: none), as its collector says them
 * when the scrape is trusted, else from a local target's environment, read
 * once; 100 and none otherwise. */
void sampler_go_gc(struct sampler *s, double *gogc, double *limit);

/* 1 when the scrape's Go figures (GOGC, the GC's goal) may be taken for
 * the target's: no heap profile to check them against, or their GC count
 * agreed with a heap profile's. */
int sampler_scrape_trusted(const struct sampler *s);

/* Compares this round's GC counts, once both are known. */
void sampler_match_gc(struct sampler *s);

/* At sampler_new: the names every scrape keeps. */
void sampler_prom_init(struct sampler *s);

/* The first scrape that parsed (r its fetch). */
void sampler_prom_first_scrape(struct sampler *s, const struct prom_set *set,
                               const struct fetch_result *r);

/* Puts a round's scrape (NULL: it failed) and frees it. */
void sampler_prom_values(struct sampler *s, struct prom_set *set);

#endif
