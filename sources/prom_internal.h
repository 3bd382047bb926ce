/*
 * sources/prom_internal.h: the parser state that prom.c (lines, what is
 * kept, the public interface) and prom_syntax.c (the syntax of a sample
 * line: names, label sets, values, timestamps, exemplars) share. Not a
 * public interface.
 */
#ifndef LC_PROM_INTERNAL_H
#define LC_PROM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "sources/prom.h"

/* A label of a sample line as it stands in the text: offsets into the
 * line of its name and of its value between the quotes, and how many
 * escapes the value holds. Nothing is copied while a line is checked. */
struct prom_lab {
    size_t name, nname;
    size_t val, nval, nesc;
};

/* A string stored for the last kept sample, to share with the next one. */
struct prom_kept {
    const char *s;
    size_t n;
};

struct pr {
    const char *p, *end;
    const char *line; /* the current line without its line end or trailing blanks */
    size_t len;
    int lineno;
    int om;  /* OpenMetrics: the last non-blank line is "# EOF" */
    int eof; /* "# EOF" seen */
    struct lc_error *err;
    struct prom_set *set;
    size_t cap;
    int filter; /* keep only the samples named in names[] */
    const char *const *names;
    size_t *name_lens; /* strlen of each of names[] (SIZE_MAX for a NULL name) */
    size_t nnames;
    /* the labels of the current sample line, and those of the sample line
     * before (last_*), whose text the current one mostly repeats */
    struct prom_lab *labs, *last_labs;
    size_t nlabs, cap_labs, nlast, cap_last;
    const char *last_line; /* NULL before the first sample line */
    size_t last_len, last_start, last_nname;
    int last_keep;        /* whether its metric is wanted */
    int last_kept;        /* whether it was kept (so kept_* hold its strings) */
    size_t nshared;       /* labels of the current line that repeat last_line's */
    size_t nshared_names; /* labels whose name (at least) does */
    /* the strings stored for the last kept sample, shared when equal */
    struct lc_strset *strs; /* other metric and label names: stored once */
    struct prom_kept kept_name, *kept_lnames, *kept_values;
    size_t cap_kept;
};

/* The index at which a failure is reported: r->err is filled. */
#define PROM_FAILED SIZE_MAX

/* Fails at 0-based column i of the current line: fills r->err, returns -1. */
int prom_fail(struct pr *r, size_t i, const char *fmt, ...) LC_PRINTF(3, 4);

/* Characters of names: NAME_FIRST may start one, NAME_REST may follow,
 * NAME_COLON is ':' (in metric names only); BLANK separates fields. */
enum { PROM_NAME_FIRST = 1, PROM_NAME_REST = 2, PROM_NAME_COLON = 4, PROM_BLANK = 8 };
extern const unsigned char prom_char_class[256];

static inline size_t prom_skip_blanks(const char *l, size_t i, size_t n)
{
    while (i < n && (prom_char_class[(unsigned char)l[i]] & PROM_BLANK))
        i++;
    return i;
}

/* The end of the name at l[i] (i itself when there is none): a metric
 * name when colon is set (':' allowed), else a label name. */
size_t prom_name_end(const char *l, size_t i, size_t n, int colon);

/*
 * A label set of the current line, checked from line[i]: on its '{' when
 * in_label is 0, or right after a label's closing quote (the labels before
 * already in r->labs) when 1. The labels are noted in r->labs when collect
 * is set (an exemplar's are not); nothing is copied. Returns the index
 * after the '}', or PROM_FAILED.
 */
size_t prom_label_set(struct pr *r, size_t i, int in_label, int collect);

/* The value, timestamp and exemplar of a sample, from line[i], into s.
 * Returns 0 or -1 (r->err filled). */
int prom_sample_tail(struct pr *r, size_t i, struct prom_sample *s);

#endif
