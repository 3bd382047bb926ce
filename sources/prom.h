/*
 * sources/prom.h: a parser for the Prometheus text exposition format
 * 0.0.4 and OpenMetrics text, and label-selector sums over its samples.
 */
#ifndef LC_PROM_H
#define LC_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "common/lc.h"

struct prom_label {
    char *name;
    char *value; /* unescaped */
};

struct prom_sample {
    char *name;
    struct prom_label *labels;
    size_t nlabels;
    double value; /* NaN and ±Inf as parsed */
    int has_timestamp;
    int64_t timestamp_ms;
};

struct lc_arena;

/* Strings and label arrays live in the set's arena (prom_free releases
 * them); equal names, and a label value equal to the previous kept
 * sample's, may share one copy: treat them as read-only. */
struct prom_set {
    struct prom_sample *samples;
    size_t nsamples;
    struct lc_arena *arena; /* private */
};

/*
 * Parses an exposition (CRLF, trailing spaces, tabs, OpenMetrics "# EOF"
 * and exemplars tolerated). Returns a new set (free with prom_free) or NULL
 * with err giving the line and column of the first bad line.
 */
struct prom_set *prom_parse(const char *text, size_t len, struct lc_error *err);

/*
 * As prom_parse, checking every line just as strictly (the same errors at
 * the same line and column), but keeping only the samples whose metric name
 * is exactly one of names[0..nnames) (names are matched as written: a
 * histogram's "x_bucket", "x_sum" and "x_count" are three names). The
 * other samples' labels are never copied, so a large exposition costs
 * little memory when few metrics are wanted. nnames 0 (names may then be
 * NULL) keeps no sample but still checks the text. The names are borrowed
 * for the call only.
 */
struct prom_set *prom_parse_only(const char *text, size_t len, const char *const *names,
                                 size_t nnames, struct lc_error *err);

/* prom_free(NULL) is a no-op. */
void prom_free(struct prom_set *s);

/* A selector's label matcher: label `name` must equal `value`. */
struct prom_matcher {
    const char *name;
    const char *value;
};

/*
 * Sums the values of every sample named `name` whose labels include all the
 * matchers. Returns the number of samples that matched (0: *out untouched).
 */
size_t prom_sum(const struct prom_set *s, const char *name, const struct prom_matcher *m, size_t nm,
                double *out);

/* The metric names one exposition holds: of its samples, and of the
 * families its "# HELP" and "# TYPE" lines declare (a family declared
 * with no sample yet is exposed all the same). */
struct prom_names;

/* Scans an exposition for its names (lines that are not samples or HELP or
 * TYPE comments are skipped: check the text with prom_parse first).
 * Returns a new set (free with prom_names_free); never NULL. */
struct prom_names *prom_names_scan(const char *text, size_t len);

/* The number of distinct names. */
size_t prom_names_count(const struct prom_names *n);

/* 1 when name is one of them. */
int prom_names_has(const struct prom_names *n, const char *name);

/*
 * The names nearest to word, for "did you mean": at most max of them into
 * out (borrowed from n), each within the edit distance of a likely typo
 * (lc_suggest's: 2, or 1 for words of 3 bytes or fewer) of the whole name
 * or of the part after one of its underscores -- a forgotten namespace
 * (`goroutines` for go_goroutines, `open_fds` for process_open_fds) is a
 * typo too. Nearest first, a part counting half an edit more than the
 * whole name; then the shorter name, then in byte order. Returns how many.
 */
size_t prom_names_nearest(const struct prom_names *n, const char *word, const char **out,
                          size_t max);

/* prom_names_free(NULL) is a no-op. */
void prom_names_free(struct prom_names *n);

/*
 * Go's collector (client_golang): the series leakcheck reads for the live
 * heap, to keep when a scrape is parsed with prom_parse_only.
 */
extern const char *const prom_go_heap_names[];
extern const size_t prom_go_heap_nnames;

/* The target's GOGC percent as its collector reports it (go_gc_gogc_percent,
 * client_golang 1.20 on: GOGC or debug.SetGCPercent), -1 for off. Returns
 * 0 and sets *out, or -1 (absent, several series, or no int32 as Go
 * takes GOGC). */
int prom_go_gogc(const struct prom_set *s, double *out);

/* The target's memory limit as its collector reports it
 * (go_gc_gomemlimit_bytes, client_golang 1.20 on: GOMEMLIMIT or
 * debug.SetMemoryLimit), INFINITY for none (math.MaxInt64). Returns 0 and
 * sets *out, or -1 (absent, several series, negative). */
int prom_go_memlimit(const struct prom_set *s, double *out);

/* The live heap at the last GC: go_memstats_next_gc_bytes (the goal that
 * GC set) over 1 + gogc/100, as pprof_live_heap reads a heap profile, into
 * *out, and the GCs so far (go_gc_duration_seconds_count) into *numgc.
 * *out is NaN before the first GC, with gogc < 0 (GOGC=off), an absurd
 * goal, or one the memory limit `limit` (INFINITY: none) may have set
 * (go_live_heap; the room from the scrape's go_memstats_{sys,heap_sys,
 * heap_inuse,heap_alloc,heap_released}_bytes). Returns -1 when the scrape
 * lacks the goal or the count (not Go's collector, or one without the GC
 * summary), else 0. */
int prom_go_live_heap(const struct prom_set *s, double gogc, double limit, double *out,
                      double *numgc);

#endif
