/*
 * sources/tcpcount.h: a process's own TCP sockets by state, counted
 * every sample round from sock_diag (sources/sockdiag.h) instead of the
 * whole /proc/PID/net/tcp and tcp6 tables, with the same figures
 * (procfs_tally_tcp's): its sockets ESTABLISHED, CLOSE_WAIT and LISTEN by
 * inode, and the TIME_WAIT sockets on the ports it listens on.
 *
 * Any dump walks the kernel's whole connection table (on a large machine
 * that alone is a few milliseconds), so a round walks only when something
 * may have changed and otherwise asks the kernel about the process's own
 * sockets one by one:
 * - listening sockets: a dump of LISTEN, which walks only the small
 *   listening table, every round;
 * - sockets already known (addresses and cookie from an earlier walk):
 *   exact lookups, batched;
 * - a socket inode not seen before: its protocol from the
 *   system.sockprotoname attribute of /proc/PID/fd/N (UDP, UNIX and the
 *   like are never looked for); a TCP one is searched by a dump filtered
 *   in the kernel to the listening ports, then, if still missing, by a
 *   dump of every socket;
 * - TIME_WAIT on the listening ports: kept between walks by
 *   sources/twtrack.h; a dump filtered on the ports when they changed,
 *   when the namespace's PassiveOpens counter moved (a connection may
 *   have been accepted and closed between two rounds), and at least every
 *   5 s otherwise (a TIME_WAIT socket killed early by a reset is seen
 *   then).
 * Churn (connections accepted or made every round) would make every round
 * walk: a round walks at most once per walk gap (1 s unless set), and a
 * change seen in between is walked at the first round after the gap, so
 * TIME_WAIT and newly made connections may show up to that late; known
 * sockets, listeners and closes of known sockets are exact every round.
 * The process must be in the caller's network namespace (sock_diag only
 * sees that one); tcpcount_new and tcpcount_read check it.
 */
#ifndef LC_TCPCOUNT_H
#define LC_TCPCOUNT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/lc.h"
#include "sources/procfs.h"

/* A socket fd of the process: its inode and fd number. */
struct tcpcount_fd {
    uint64_t inode;
    int fd;
};

/* The namespace's counters of connections accepted and made. */
struct tcpcount_counters {
    uint64_t passive_opens, active_opens;
};

/* What the rounds cost so far, for tests and benchmarks. */
struct tcpcount_stats {
    unsigned long rounds, filtered_walks, full_walks, lookups, protocol_reads;
};

struct tcpcount;

/*
 * Prepares counting for process pid. Returns NULL with err when sock_diag
 * cannot be used for it: no netlink socket (errno EPROTONOSUPPORT, EPERM,
 * ...), or pid in another network namespace or its namespace unreadable
 * (errno EXDEV). Caller frees.
 */
struct tcpcount *tcpcount_new(pid_t pid, struct lc_error *err);

/* tcpcount_free(NULL) is a no-op. */
void tcpcount_free(struct tcpcount *tc);

/*
 * One round: socks are the process's socket fds (n of them, sorted by
 * inode, as /proc/PID/fd listed them just before). Sets out's
 * tcp_established, tcp_close_wait, tcp_time_wait and tcp_listen; leaves
 * the rest alone. Returns 0, or -1 with err when sock_diag failed or the
 * process moved to another namespace: the caller counts from /proc
 * instead and should free tc (its knowledge may be incomplete).
 */
int tcpcount_read(struct tcpcount *tc, const struct tcpcount_fd *socks, size_t n,
                  struct procfs_sample *out, struct lc_error *err);

/*
 * After a tcpcount_read that set out: takes the process's TCP sockets
 * whose peer is one of own[] (leakcheck's own connections to it) out of
 * out's tcp_established and tcp_close_wait. Returns their number (0 when
 * nown is 0).
 */
size_t tcpcount_drop_peers(const struct tcpcount *tc, const struct procfs_endpoint *own,
                           size_t nown, struct procfs_sample *out);

/* Rounds of tc walk the tables at most once per seconds (0: whenever a
 * change asks for it); the first round always walks. */
void tcpcount_set_walk_gap(struct tcpcount *tc, double seconds);

/* The cost counters of tc so far. */
void tcpcount_get_stats(const struct tcpcount *tc, struct tcpcount_stats *st);

/*
 * Parses the text of /proc/PID/net/snmp into c. Returns 0, or -1 when a
 * value is missing (c is then partly set).
 */
int tcpcount_parse_counters(const char *snmp, struct tcpcount_counters *c);

/* Reads pid's /proc/PID/net/snmp (into b, reused) and parses it into c.
 * Returns 0, or -1 when it is unreadable or a value is missing. */
int tcpcount_read_counters(pid_t pid, struct lc_buf *b, struct tcpcount_counters *c);

#endif
