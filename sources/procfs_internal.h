/*
 * sources/procfs_internal.h: what procfs.c and procfs_tcp.c share: the
 * choice of sock_diag for a process's TCP figures, and its state per
 * process.
 */
#ifndef LC_PROCFS_INTERNAL_H
#define LC_PROCFS_INTERNAL_H

#include "sources/procfs.h"
#include "sources/tcpcount.h"

/* Makes sure pid's sock_diag state exists (a no-op when it cannot). */
void procfs_tcp_prepare(pid_t pid);

/*
 * Counts pid's TCP sockets (socks: its socket fds, sorted by inode) from
 * sock_diag into out's four tcp fields, less those whose peer is one of
 * own[] (nown may be 0): *owned receives their number. Returns 0; 1 when
 * src is PROCFS_TCP_AUTO and the tables must be read instead (sock_diag
 * unusable for pid, or it failed this round); -1 with err when src is
 * PROCFS_TCP_NETLINK and it could not count.
 */
int procfs_tcp_netlink(pid_t pid, enum procfs_tcp_source src, const struct tcpcount_fd *socks,
                       size_t n, const struct procfs_endpoint *own, size_t nown, size_t *owned,
                       struct procfs_sample *out, struct lc_error *err);

/* The cost counters of pid's sock_diag state so far. Returns 0, or -1
 * when there is none. */
int procfs_tcp_get_stats(pid_t pid, struct tcpcount_stats *st);

/* The walk gap (tcpcount_set_walk_gap) of every process's state made
 * from now on; 1 s until set (tests set 0 to see each change at once). */
void procfs_tcp_set_walk_gap(double seconds);

/* Drops pid's sock_diag state (the process is gone). */
void procfs_tcp_forget(pid_t pid);

#endif
