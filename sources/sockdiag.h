/*
 * sources/sockdiag.h: TCP sockets from the kernel's sock_diag netlink
 * interface (NETLINK_SOCK_DIAG, the one ss(8) uses), in the network
 * namespace of the calling process.
 *
 * Two requests: a dump of the sockets in a set of states, filtered in the
 * kernel to a few local ports (an inet_diag bytecode program), and a
 * batch of exact lookups of sockets already known by their addresses and
 * cookie. Neither formats text: a dump costs the kernel one walk of its
 * hash table plus a fixed-size record per socket that passes the filter,
 * a lookup one hash probe.
 *
 * The message parser (sockdiag_parse) and the filter builder
 * (sockdiag_bytecode) are pure functions, tested on captured bytes and
 * fuzzed; every length is checked before it is trusted.
 */
#ifndef LC_SOCKDIAG_H
#define LC_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

#include "common/lc.h"

/* The most local ports a dump can be filtered on. */
#define SOCKDIAG_MAX_PORTS 64

/* One TCP socket as the kernel describes it. */
struct sockdiag_sock {
    int family;                     /* AF_INET or AF_INET6 */
    int state;                      /* enum procfs_tcp_state */
    uint16_t sport, dport;          /* host byte order */
    unsigned char src[16], dst[16]; /* network order; IPv4 in the first 4 bytes */
    uint32_t ifindex;
    uint32_t cookie[2];
    uint32_t expires_ms; /* until its timer fires (TIME_WAIT: until it goes) */
    uint64_t inode;      /* 0 when no process holds it (TIME_WAIT, SYN_RECV) */
};

struct sockdiag;

/*
 * Opens a sock_diag socket. Returns NULL with err and errno when the
 * kernel has none for us (EPROTONOSUPPORT, EPERM in some containers,
 * EAFNOSUPPORT). Caller frees with sockdiag_free.
 */
struct sockdiag *sockdiag_new(struct lc_error *err);

/* sockdiag_free(NULL) is a no-op. */
void sockdiag_free(struct sockdiag *sd);

struct sockdiag_query {
    int family;      /* AF_INET, AF_INET6, or AF_UNSPEC for both in one walk */
    unsigned states; /* a bit (1 << state) per wanted state */
    /* only sockets whose local port is one of these (at most
     * SOCKDIAG_MAX_PORTS); nsports 0: every socket */
    const uint16_t *sports;
    size_t nsports;
};

/* Called once per socket of a dump; s is valid during the call only. */
typedef void sockdiag_sock_cb(const struct sockdiag_sock *s, void *arg);

/*
 * Dumps the TCP sockets that q selects, calling cb for each. AF_UNSPEC is
 * asked with the older request (TCPDIAG_GETSOCK, which covers both
 * families in one walk of the kernel's table); a kernel that refuses it is
 * asked once per family from then on. Returns 0, or -1 with err (and the
 * socket unusable until sockdiag_free) on a refusal, a malformed or
 * truncated answer, or no answer within 5 s.
 */
int sockdiag_dump(struct sockdiag *sd, const struct sockdiag_query *q, sockdiag_sock_cb *cb,
                  void *arg, struct lc_error *err);

/*
 * Looks up n known sockets by family, addresses, ports, interface and
 * cookie (as a dump returned them), in batches of requests sent together.
 * For each found[i] is set to 1 and socks[i] updated (state, inode,
 * expires_ms), or to
 * 0 when the kernel has no such socket any more. Returns 0, or -1 with err
 * on a malformed answer or a missing one.
 */
int sockdiag_lookup(struct sockdiag *sd, struct sockdiag_sock *socks, size_t n,
                    unsigned char *found, struct lc_error *err);

/*
 * Writes into out (cap bytes) the inet_diag bytecode that accepts a socket
 * whose local port is one of ports[0..n) (1 <= n <= SOCKDIAG_MAX_PORTS).
 * Returns its length in bytes (a multiple of 4), or 0 when n is out of
 * range or cap is too small.
 */
size_t sockdiag_bytecode(const uint16_t *ports, size_t n, void *out, size_t cap);

/*
 * Called by sockdiag_parse per message of a sequence number in range:
 * error is 0 and s the socket, or error is a negative errno (NLMSG_ERROR)
 * and s NULL. Returns 0 to go on, -1 to stop the parse (which then fails).
 */
typedef int sockdiag_msg_cb(uint32_t seq, int error, const struct sockdiag_sock *s, void *arg);

enum sockdiag_parsed { SOCKDIAG_MORE = 0, SOCKDIAG_DONE = 1 };

/*
 * Parses one datagram of sock_diag answers (len bytes at buf, any
 * alignment). Messages whose sequence number is outside [seq_lo, seq_hi)
 * are stale and skipped. Returns SOCKDIAG_DONE at the end of a dump
 * (NLMSG_DONE), SOCKDIAG_MORE when more datagrams are to come, or -1 with
 * err on a truncated or malformed message, an interrupted dump, a dump
 * that ended in an error, or when cb stops it.
 */
int sockdiag_parse(const void *buf, size_t len, uint32_t seq_lo, uint32_t seq_hi,
                   sockdiag_msg_cb *cb, void *arg, struct lc_error *err);

#endif
