/*
 * sources/pprof_internal.h: the line reader and record parser shared by
 * pprof.c (goroutine profiles, records) and pprof_heap.c (heap profiles and
 * the runtime.MemStats trailer). Not a public interface.
 */
#ifndef LC_PPROF_INTERNAL_H
#define LC_PPROF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "sources/pprof.h"

/* Parser state: the text left to read and the current line. Lines never
 * include their '\n' (nor a '\r' before it); nothing reads past `end`. */
struct pp {
    const char *p, *end;
    const char *line; /* the current line, `len` bytes, not NUL-terminated */
    size_t len;
    int has_nl; /* the current line ended with '\n' (not cut off by EOF) */
    int lineno; /* 1-based number of the current line */
    struct lc_error *err;
    struct pprof_profile *prof;
    size_t cap_stacks;
    struct pprof_frame *frames; /* the frames of the record being read */
    size_t cap_frames;
    struct pp_seen *seen; /* distinct lines read before (pprof_record.c) */
    size_t nseen, cap_seen;
    struct lc_hindex seen_index;
};

/* Starts reading text into a new, empty profile of that kind (with a
 * store). */
void pp_start(struct pp *pp, const char *text, size_t len, enum pprof_kind kind,
              struct lc_error *err);

/* Ends reading: returns the profile when ok, else frees it and returns
 * NULL. Frees what reading held. */
struct pprof_profile *pp_finish(struct pp *pp, int ok);

/* Moves to the next line. Returns 0 at the end of the text, else 1. */
int pp_next(struct pp *pp);

/* Fails at column `col` of the current line: fills err, returns -1. */
int pp_fail(struct pp *pp, size_t col, const char *fmt, ...) LC_PRINTF(3, 4);

/* At the end of the text (pp_next returned 0): moves the position to where
 * the text ends, so pp_fail(pp, pp->len + 1, ...) points there. */
void pp_at_end(struct pp *pp);

/* Parses a decimal number at s[*i] (no sign), advancing *i. Returns 0, or
 * -1 when there is no digit or it overflows 64 bits. */
int pp_u64(const char *s, size_t n, size_t *i, uint64_t *out);

/* Expects the literal `lit` at line[*i], advancing *i. Returns 0 or -1. */
int pp_lit(const struct pp *pp, size_t *i, const char *lit);

/* Checks the first line for things that are not a text profile at all
 * (empty body, gzip-compressed protobuf from debug=0, HTML). Returns 0 or
 * -1 with err. `what` names the profile ("goroutine profile"). */
int pp_check_start(struct pp *pp, const char *what);

/* Adds a stack and parses its " @ 0x... 0x..." tail at line[at], then reads
 * its "# labels:" and frame lines up to the blank line that ends every
 * record. Returns the new stack, or NULL with err (a record cut off by the
 * end of the text included). */
struct pprof_stack *pp_record(struct pp *pp, size_t at);

/* heap?debug=1 body after the first line; in pprof_heap.c. */
int pp_heap_body(struct pp *pp);

#endif
