/*
 * sources/pprof.h: parsers for Go's net/http/pprof text profiles:
 * goroutine?debug=1 and heap?debug=1 (Go 1.19 and 1.21+ alike).
 * See ../shared/FORMATS.md for the format and its pitfalls.
 */
#ifndef LC_PPROF_H
#define LC_PPROF_H

#include <stddef.h>
#include <stdint.h>

#include "common/lc.h"

/* One frame: function name ("" when unknown), file ("" when unknown), line
 * (0 when unknown). Inlined calls give several frames for one PC. The
 * strings and frame lists of a parsed profile live in its store, shared
 * between records: read-only. */
struct pprof_frame {
    char *func;
    char *file;
    int line;
    uint64_t pc;
};

/* One record. Goroutine profiles fill `count`; heap profiles fill the four
 * heap figures (count = inuse_objects). `labels` is the raw text of the
 * "# labels: {...}" line, or NULL. Records with the same frames share one
 * frame list (NULL when nframes is 0). */
struct pprof_stack {
    uint64_t count;
    uint64_t inuse_objects, inuse_bytes, alloc_objects, alloc_bytes;
    char *labels;
    struct pprof_frame *frames;
    size_t nframes;
};

enum pprof_kind { PPROF_GOROUTINE, PPROF_HEAP };

struct pprof_profile {
    enum pprof_kind kind;
    /* goroutine: the "total N" figure; heap: in-use objects of the header */
    uint64_t total;
    /* heap header: in-use objects/bytes, allocated objects/bytes, sampling rate */
    uint64_t inuse_objects, inuse_bytes, alloc_objects, alloc_bytes, rate;
    struct pprof_stack *stacks;
    size_t nstacks;
    /* heap only: "# Name = value" lines of the runtime.MemStats trailer */
    struct pprof_memstat {
        char *name;
        double value;
    } *memstats;
    size_t nmemstats;
    /* owns the strings, labels and frame lists of the records; NULL when
     * they are borrowed from elsewhere (a profile made of a dump) */
    struct pprof_store *store;
};

/* Strings and frame lists, each distinct one stored once (in an arena):
 * what profiles and goroutine dumps hold. */
struct pprof_store;

/* A new, empty store; free with pprof_store_free. */
struct pprof_store *pprof_store_new(void);

/* The stored copy of p[0..n) (NUL-terminated): the same pointer for equal
 * strings, valid until the store is freed. */
char *pprof_store_str(struct pprof_store *s, const char *p, size_t n);

/* A copy of p[0..n) (NUL-terminated) that is not looked up: for text that
 * rarely repeats (a record's labels). */
char *pprof_store_text(struct pprof_store *s, const char *p, size_t n);

/* The stored copy of frames f[0..n), whose strings must come from
 * pprof_store_str of the same store: the same pointer for equal lists
 * (NULL when n is 0). */
struct pprof_frame *pprof_store_frames(struct pprof_store *s, const struct pprof_frame *f,
                                       size_t n);

/* Bytes the store holds, for measurements (0 for NULL). */
size_t pprof_store_size(const struct pprof_store *s);

/* pprof_store_free(NULL) is a no-op. */
void pprof_store_free(struct pprof_store *s);

/*
 * Parses a goroutine?debug=1 profile. Returns a new profile (free with
 * pprof_free) or NULL with err (line and column where known) when the text
 * is not such a profile or ends mid-record (a truncated profile is a failed
 * sample, not data).
 */
struct pprof_profile *pprof_parse_goroutine(const char *text, size_t len, struct lc_error *err);

/* Parses a heap?debug=1 profile, MemStats trailer included. Same contract. */
struct pprof_profile *pprof_parse_heap(const char *text, size_t len, struct lc_error *err);

/* Takes up to n goroutines off record i of a goroutine profile and off
 * its total; a record left with none is removed (the records after it
 * move down by one). */
void pprof_drop(struct pprof_profile *p, size_t i, uint64_t n);

/* 1 when the stack's innermost named frame is in top, or any of its frames
 * in any (NULL-terminated lists of function names, each may be NULL). */
int pprof_stack_listed(const struct pprof_stack *st, char *const *top, char *const *any);

/* The profile's total without the records pprof_stack_listed picks. */
uint64_t pprof_count_unlisted(const struct pprof_profile *p, char *const *top, char *const *any);

/* pprof_free(NULL) is a no-op. */
void pprof_free(struct pprof_profile *p);

/* Looks up a MemStats figure by its Go name ("HeapAlloc", "HeapInuse",
 * "HeapObjects", "HeapSys", "NumGC", ...). Returns 0 and sets *out, or -1. */
int pprof_memstat(const struct pprof_profile *p, const char *name, double *out);

/* What a Go process has mapped, in MemStats' figures (NaN: not known). */
struct go_mem {
    double sys, heap_sys, heap_inuse, heap_alloc, heap_released;
};

/* The heap a Go memory limit leaves, as Go's pacer counts it: the limit
 * less the memory not in heap objects (Sys - HeapSys + HeapInuse -
 * HeapAlloc) and less what is mapped beyond the limit (Sys - HeapReleased
 * - limit, when positive). INFINITY without a limit (limit INFINITY); NaN
 * when the limit or a figure is not known. */
double go_heap_room(double limit, const struct go_mem *m);

/* A goal at or above this share of the room, or within GO_LIMIT_HEADROOM
 * bytes of it, may be the memory limit's, not GOGC's: Go takes the lower
 * of the two, the limit's less a headroom (1.21 on: 3%, at least 1 MiB). */
#define GO_LIMIT_NEAR 0.9
#define GO_LIMIT_HEADROOM 2097152.0

/* The live heap a Go GC left: next_gc (the heap goal that GC set) over
 * 1 + gogc/100, gogc being the process's GOGC percent, num_gc its GCs so
 * far, room its go_heap_room. NaN before the first GC, with gogc < 0
 * (GOGC=off) or NaN, an absurd goal, or one the memory limit may have set
 * (near the room, or room NaN). */
double go_live_heap(double next_gc, double num_gc, double gogc, double room);

/* go_live_heap of the heap profile's NextGC and NumGC, the room under the
 * memory limit `limit` (INFINITY: none) from its MemStats; NaN without
 * them. */
double pprof_live_heap(const struct pprof_profile *p, double gogc, double limit);

/*
 * Looks up one label in a stack's raw `labels` text, which Go prints as
 * {"key":"value", ...} with Go-quoted strings. Returns the unquoted value
 * (caller frees), or NULL when labels is NULL, the key is absent or the
 * text is malformed.
 */
char *pprof_label_value(const char *labels, const char *key);

#endif
