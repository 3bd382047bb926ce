/*
 * sources/gdump.h: a parser for Go goroutine dumps -- the text of
 * /debug/pprof/goroutine?debug=2 (runtime.Stack with all=true), of a crash
 * or of SIGQUIT -- from Go 1.19 and Go 1.21+ alike:
 *
 *   goroutine 7 [chan send, 3 minutes, locked to thread]:
 *   goroutine 7 gp=0xc000007c00 m=nil [chan send]:          (newer runtimes)
 *   main.work(...)                      function line; args or (...) inlined
 *   \t/src/main.go:52 +0x3c fp=... sp=... pc=...            file line
 *   ...additional frames elided...                          Go <= 1.20
 *   ...1307 frames elided...                                Go >= 1.21
 *   created by main.start in goroutine 1                    Go >= 1.21 (older: no "in")
 *
 * Lines outside goroutine blocks (signal names, register dumps, "runtime
 * stack:") are skipped. The runtime cuts a dump at 64 MB, possibly
 * mid-line: what is complete is kept and `truncated` is set.
 * See ../shared/FORMATS.md.
 */
#ifndef LC_GDUMP_H
#define LC_GDUMP_H

#include <stddef.h>
#include <stdint.h>

#include "common/lc.h"
#include "sources/pprof.h"

struct gdump_goroutine {
    uint64_t id;
    char *state;      /* wait reason as printed: "chan send", "IO wait", "running" */
    int wait_minutes; /* the "N minutes" figure, or -1 when not printed (< 1 minute) */
    int locked;       /* "locked to thread" */
    /* frames, innermost first; pc is 0 (dumps print offsets, not PCs) */
    struct pprof_frame *frames;
    size_t nframes;
    int elided;            /* some frames were left out */
    uint64_t elided_count; /* how many, when the runtime said (Go >= 1.21), else 0 */
    char *created_by;      /* creator's function, or NULL (main goroutine) */
    char *created_file;    /* or NULL */
    int created_line;
    uint64_t creator_id; /* "in goroutine N" (Go >= 1.21), else 0 */
};

/* The strings and frame lists of the goroutines live in the store, shared
 * by the goroutines of the same stack: read-only. */
struct gdump {
    struct gdump_goroutine *g;
    size_t n;
    int truncated; /* the text ended mid-line or mid-goroutine */
    struct pprof_store *store;
};

/*
 * Parses a dump. Returns a new dump (free with gdump_free) or NULL with err
 * (line and column) when the text holds no goroutine header at all, or a
 * goroutine header is malformed.
 */
struct gdump *gdump_parse(const char *text, size_t len, struct lc_error *err);

/* The goroutines of d waiting on a channel or in a select: wait state
 * "chan send", "chan receive" (nil chan too), "select", "select (no
 * cases)"; not the sync primitives, sleep or I/O. */
size_t gdump_count_blocked(const struct gdump *d);

/* gdump_free(NULL) is a no-op. */
void gdump_free(struct gdump *d);

#endif
