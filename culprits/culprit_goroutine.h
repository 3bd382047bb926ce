/*
 * culprits/culprit_goroutine.h: which goroutines grew between two
 * goroutine?debug=1 profiles, named by the service's own function.
 *
 * Records are grouped by the function names of their stacks (not by
 * addresses, not by labels: records that differ only in pprof labels are
 * one group). A group that grew becomes a culprit of kind "goroutine":
 * `function` is the first frame that is not standard library (see
 * culprit_pick_frame), `location` its file:line, and `detail` says where
 * the goroutines block and, with a debug=2 dump of the final state, their
 * wait state, how long the oldest has waited and who created them.
 */
#ifndef LC_CULPRIT_GOROUTINE_H
#define LC_CULPRIT_GOROUTINE_H

#include <stdint.h>

#include "culprits/culprit.h"
#include "sources/gdump.h"
#include "sources/pprof.h"
#include "suite/suite.h"

/* 1 when the stack matches the ignore list (top_function: its innermost
 * named frame; any_function: any frame). ig may be NULL (nothing ignored). */
int culprit_goroutine_ignored(const struct pprof_stack *st, const struct suite_ignore *ig);

/* The profile's goroutines that the ignore list keeps (the total of the
 * records not ignored). */
uint64_t culprit_goroutine_kept(const struct pprof_profile *p, const struct suite_ignore *ig);

struct culprit_goroutine_opts {
    double min_growth;                 /* groups growing by less are left out */
    const struct suite_ignore *ignore; /* or NULL */
    const struct gdump *dump;          /* debug=2 of the final state, or NULL */
    const struct pprof_profile *leaks; /* Go's goroutineleak profile (debug=1), or NULL */
};

/*
 * Diffs base against final (both goroutine profiles; base may be NULL for
 * "nothing before") and appends a culprit for every group that grew by at
 * least o->min_growth, plus every group Go's goroutineleak profile proves
 * leaked that grew at all (proven = 1). Returns the number appended.
 */
size_t culprit_goroutines(const struct pprof_profile *base, const struct pprof_profile *final,
                          const struct culprit_goroutine_opts *o, struct culprit_list *out);

/*
 * The level culprits of a goroutine count: appends a culprit for every
 * group of final (not ignored) holding at least min_held goroutines (at
 * least 1), whatever its growth; before is its count in base (0 when base
 * is NULL: the caller knows whether that means "not known"). o->min_growth
 * is not used. Returns the number appended.
 */
size_t culprit_goroutine_holders(const struct pprof_profile *base,
                                 const struct pprof_profile *final,
                                 const struct culprit_goroutine_opts *o, double min_held,
                                 struct culprit_list *out);

#endif
