/*
 * framework/prom.h: a parser for the Prometheus text exposition format
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
    double value;       /* NaN and ±Inf as parsed */
    int has_timestamp;
    int64_t timestamp_ms;
};

struct prom_set {
    struct prom_sample *samples;
    size_t nsamples;
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
size_t prom_sum(const struct prom_set *s, const char *name, const struct prom_matcher *m,
                size_t nm, double *out);

#endif
