/*
 * culprits/fdsnap_internal.h: what an fd snapshot holds, shared by
 * fdsnap.c (taking one, classes, growth) and fdsnap_gc.c (what a garbage
 * collection closed). Not a public interface.
 */
#ifndef LC_FDSNAP_INTERNAL_H
#define LC_FDSNAP_INTERNAL_H

#include <stddef.h>

#include "culprits/culprit.h"

struct fdclass {
    char *kind;     /* "fd" or "socket" */
    char *location; /* directory, endpoint, or what the link says */
    char *sample;   /* a file name, or the other end of a connection */
    size_t count, opened, accepted, deleted;
};

/* One descriptor: its number, what readlink said, its class. Two snapshots
 * hold the same descriptor when both number and link are equal (a socket's
 * or a pipe's link names its inode; a file's, its path). */
struct fdent {
    int fd;
    char *link;
    size_t cls;
};

struct fdsnap {
    struct culprit_table *t; /* class text ("files in /tmp") -> index */
    struct fdclass *c;
    size_t cap;
    size_t nfds;
    struct fdent *ents; /* sorted by fdsnap_ent_cmp */
    size_t nents, capents;
    size_t last; /* the class the last descriptor went to (while building) */
};

/* qsort/bsearch order of descriptors: by number, then link. */
int fdsnap_ent_cmp(const void *a, const void *b);

#endif
