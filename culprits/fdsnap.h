/*
 * culprits/fdsnap.h: what a process's file descriptors are, in classes
 * that say what leaked, and the classes that grew between two snapshots.
 *
 * From /proc/PID/fd (readlink of each fd) joined with the process's
 * network tables (/proc/PID/net/tcp, tcp6, udp, udp6, unix):
 *   - regular files, by directory ("files in /tmp/spool", with a sample name);
 *   - TCP sockets by state and endpoint: an accepted connection (its local
 *     port is one the process listens on) by the local address it was
 *     accepted on, any other by its peer ("ESTABLISHED to 127.0.0.1:41234");
 *   - UDP sockets by local address, unix sockets by path, other sockets;
 *   - pipes, anonymous inodes by kind ("anon_inode:[eventpoll]"), the rest
 *     by link text.
 */
#ifndef LC_FDSNAP_H
#define LC_FDSNAP_H

#include <stddef.h>
#include <sys/types.h>

#include "common/lc.h"
#include "culprits/culprit.h"
#include "sources/procfs.h"

struct fdsnap;

/*
 * Snapshots a live process. fds closed while reading are skipped; a
 * network table that cannot be read leaves its sockets unclassified
 * ("sockets" of no known kind). Returns a new snapshot, or NULL with err
 * when /proc/PID/fd cannot be listed (the process is gone, or no access).
 */
struct fdsnap *fdsnap_take(pid_t pid, struct lc_error *err);

/* fdsnap_take, leaving out the TCP sockets whose peer is one of own[]
 * (leakcheck's own connections to the process). */
struct fdsnap *fdsnap_take_excluding(pid_t pid, const struct procfs_endpoint *own, size_t nown,
                                     struct lc_error *err);

/* The texts a snapshot is made of, as /proc gives them (any may be NULL
 * but fds): `fds` holds one "FD LINK" line per descriptor (the fd number,
 * a space, what readlink returned). */
struct fdsnap_texts {
    const char *fds;
    const char *tcp, *tcp6, *udp, *udp6, *unix_sockets;
    /* TCP sockets whose peer is one of these are left out (own may be NULL) */
    const struct procfs_endpoint *own;
    size_t nown;
};

/* Builds a snapshot from captured texts. Returns NULL with err (line) when
 * an fds line is not "NUMBER LINK" or a tcp table is malformed. */
struct fdsnap *fdsnap_from_texts(const struct fdsnap_texts *t, struct lc_error *err);

/* Number of descriptors in the snapshot. */
size_t fdsnap_count(const struct fdsnap *s);

/* Number of descriptors in the class described as `what` (the text a
 * culprit's detail starts with after its count, e.g. "TCP sockets
 * CLOSE_WAIT to 127.0.0.1:43471" or "files in /tmp"). For tests. */
size_t fdsnap_class_count(const struct fdsnap *s, const char *what);

/*
 * Appends a culprit for every class of final that holds at least
 * min_growth more descriptors than in base (base may be NULL): kind
 * "socket" or "fd", location the directory, peer or local address,
 * detail a sentence such as "600 TCP sockets ESTABLISHED to
 * 127.0.0.1:41234 (0 at baseline): 300 opened by this process, 300
 * accepted by it" (without "(N at baseline)" when base is NULL). Returns
 * the number appended.
 */
size_t fdsnap_diff(const struct fdsnap *base, const struct fdsnap *final, double min_growth,
                   struct culprit_list *out);

/*
 * The level culprits of the descriptor counts: appends a culprit, as
 * fdsnap_diff does, for every class of final holding at least min_count
 * descriptors (at least 1) at the end, whatever its growth. Returns the
 * number appended.
 */
size_t fdsnap_holders(const struct fdsnap *base, const struct fdsnap *final, double min_count,
                      struct culprit_list *out);

/*
 * The descriptors a garbage collection closed (culprits/fdsnap_gc.c):
 * old and pre are taken a moment apart just before leakcheck forces a GC,
 * post once its finalizers have run. A descriptor open in both old and pre
 * (same number, same link) and gone in post was closed by the collector:
 * dropped without Close. Descriptors that live for less than the moment
 * between old and pre never count. Appends a culprit of kind "finalizer"
 * for every class of pre with at least min_closed such descriptors (a
 * connection to itself counts once per pair): before and after are the
 * class's counts in pre and post, growth the number closed, detail
 * "380 files in /tmp/spool were closed only by the garbage collector
 * (WHEN): dropped without Close, e.g. f-17.tmp". Classes already in
 * `named` (may be NULL) are skipped, and those appended are added to it.
 * Any snapshot NULL: nothing. Returns the number appended.
 */
size_t fdsnap_gc_closed(const struct fdsnap *old, const struct fdsnap *pre,
                        const struct fdsnap *post, double min_closed, const char *when,
                        struct culprit_table *named, struct culprit_list *out);

/* fdsnap_free(NULL) is a no-op. */
void fdsnap_free(struct fdsnap *s);

#endif
