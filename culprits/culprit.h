/*
 * culprits/culprit.h: what the culprit analyses share -- a list of
 * culprits (struct culprit, plain: run/ turns them into the report's) being built, which Go frames are the
 * service's own code, stack keys made of function names, and a table of
 * groups keyed by string.
 *
 * The analyses themselves: culprit_goroutine.h (goroutine groups),
 * culprit_heap.h (allocation sites), fdsnap.h (file descriptors, sockets).
 */
#ifndef LC_CULPRIT_H
#define LC_CULPRIT_H

#include <stddef.h>

#include "sources/pprof.h"

/* Why a culprit is named. */
enum culprit_basis {
    CULPRIT_GROWTH, /* it grew between the baseline and the end */
    CULPRIT_LEVEL,  /* it holds the most at the end (set by run/ only) */
};

/* One thing that grew, or holds the most at the end: a goroutine group, a
 * heap allocation site, a kind of file descriptor or socket, or
 * ("finalizer") a kind of descriptor only a forced GC closed. */
struct culprit {
    char *kind;     /* "goroutine", "heap", "fd", "socket", "finalizer" */
    char *function; /* the first frame that is the service's own code, or NULL */
    char *location; /* "file.go:123", a directory, or a peer address */
    double before, after, growth; /* counts (bytes for heap); before NaN: not known */
    char *detail;   /* wait state and time, creator, blocking frame, path or peer */
    int proven;     /* 1: Go's own goroutineleak profile says these are leaked */
    enum culprit_basis basis;
};

/* Culprits being collected; start with {0}. Items own their strings. */
struct culprit_list {
    struct culprit *items;
    size_t n, cap;
};

/*
 * Appends a culprit. kind, function and location are copied (function and
 * location may be NULL); detail is taken over (may be NULL). growth is
 * after - before. Returns the new item (borrowed: it moves on the next add).
 */
struct culprit *culprit_list_add(struct culprit_list *l, const char *kind,
                                        const char *function, const char *location, double before,
                                        double after, char *detail);

/* Sorts by growth, largest first (ties: larger `after` first). */
void culprit_list_sort(struct culprit_list *l);

/* Frees what one culprit holds (not the culprit itself). */
void culprit_free_fields(struct culprit *c);

/* Frees every item's strings and the array; the list is empty after. */
void culprit_list_free(struct culprit_list *l);

/*
 * 1 when func (as Go prints it: "net/http.(*conn).serve",
 * "sync.(*Mutex).Lock", "main.main") belongs to Go's standard library,
 * judged by the first element of its package path ("net", "sync",
 * "internal", "runtime", ...); 0 for "main", modules ("github.com/...",
 * "golang.org/x/...", "example/svc") and unknown ("").
 */
int culprit_is_std(const char *func);

/* 1 when func is in package runtime itself ("runtime.gopark"; not
 * "runtime/pprof.Do"). */
int culprit_is_runtime(const char *func);

/*
 * The frame that names a stack (frames[0] is the innermost): the first
 * frame, from the innermost, that is not standard library; when every
 * frame is, the outermost frame not in package runtime (the goroutine's
 * entry function, or what allocated). Returns its index, or -1 when there
 * is no frame with a function name.
 */
long culprit_pick_frame(const struct pprof_frame *frames, size_t n);

/* "file:line" of a frame, "file" without a line, or "?" (caller frees). */
char *culprit_location(const struct pprof_frame *f);

/* The function names of frames, innermost first, one per line, leaving out
 * frames of package runtime and frames with no name (caller frees). Two
 * stacks with equal keys are one group whatever their addresses. */
char *culprit_stack_key(const struct pprof_frame *frames, size_t n);

/* 1 when the stack's key is empty: no named frame outside package runtime. */
int culprit_stack_unnamed(const struct pprof_frame *frames, size_t n);

/*
 * Groups of stacks, two stacks being one group when their culprit_stack_key
 * would be equal (compared frame by frame, no key is built), each group
 * with a dense index 0, 1, 2... in order of first insertion. The frames
 * are borrowed: they must outlive the table. Looking up the frame list of
 * the lookup before (records that differ only in labels share one) costs
 * a comparison of two pointers.
 */
struct culprit_stacks;

struct culprit_stacks *culprit_stacks_new(void);

/* Returns the index of the group of frames[0..n), adding it when new;
 * *added says which (may be NULL). */
size_t culprit_stacks_put(struct culprit_stacks *t, const struct pprof_frame *frames, size_t n,
                          int *added);

/* Returns the index of the group of frames[0..n), or -1 when absent. */
long culprit_stacks_find(const struct culprit_stacks *t, const struct pprof_frame *frames,
                         size_t n);

/* Number of groups. */
size_t culprit_stacks_size(const struct culprit_stacks *t);

/* culprit_stacks_free(NULL) is a no-op. */
void culprit_stacks_free(struct culprit_stacks *t);

/* A set of string keys, each with a dense index 0, 1, 2... in order of
 * first insertion. */
struct culprit_table;

struct culprit_table *culprit_table_new(void);

/* Returns the index of key, adding it (copied) when new; *added says
 * which (may be NULL). */
size_t culprit_table_put(struct culprit_table *t, const char *key, int *added);

/* Returns the index of key, or -1 when absent. */
long culprit_table_find(const struct culprit_table *t, const char *key);

/* Number of keys. */
size_t culprit_table_size(const struct culprit_table *t);

/* The key of index i (borrowed; i < culprit_table_size). */
const char *culprit_table_key(const struct culprit_table *t, size_t i);

/* culprit_table_free(NULL) is a no-op. */
void culprit_table_free(struct culprit_table *t);

#endif
