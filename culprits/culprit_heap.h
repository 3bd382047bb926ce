/*
 * culprits/culprit_heap.h: allocation sites whose in-use heap grew between
 * two heap?debug=1 profiles.
 *
 * A site is the frame that names an allocation stack (the first frame that
 * is not standard library, see culprit_pick_frame) and its file:line;
 * stacks through the same site are added up. Figures are in-use bytes and
 * objects estimated from the profile's samples (one per 512 KiB allocated
 * by default) the way `go tool pprof` does, so small sites are rough.
 */
#ifndef LC_CULPRIT_HEAP_H
#define LC_CULPRIT_HEAP_H

#include "culprits/culprit.h"
#include "sources/pprof.h"

/*
 * Diffs base against final (heap profiles; base may be NULL) and appends a
 * culprit of kind "heap" (before/after/growth in in-use bytes; detail:
 * in-use objects and the innermost allocating function) for every site
 * whose in-use bytes grew by at least min_bytes. Returns the number
 * appended.
 */
size_t culprit_heap(const struct pprof_profile *base, const struct pprof_profile *final,
                    double min_bytes, struct culprit_list *out);

/*
 * The level culprits of the heap: appends a culprit, as culprit_heap does,
 * for every site of final holding at least min_bytes in use at the end
 * (and more than nothing), whatever its growth. Returns the number
 * appended.
 */
size_t culprit_heap_holders(const struct pprof_profile *base, const struct pprof_profile *final,
                            double min_bytes, struct culprit_list *out);

/* The in-use bytes of every site of a heap profile, estimated as above
 * (the sum the holders' shares are taken of); 0 for NULL. */
double culprit_heap_total(const struct pprof_profile *p);

#endif
