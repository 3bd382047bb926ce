/*
 * sources/procfs.h: OS counters of a process from /proc/PID: open fds and
 * their limit, threads, RSS, sockets and the process's own TCP sockets by
 * state (its socket inodes matched with the kernel's sock_diag answers, or
 * joined with /proc/PID/net/tcp and tcp6 where sock_diag cannot be used).
 */
#ifndef LC_PROCFS_H
#define LC_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "common/lc.h"

/* TCP states as the kernel numbers them (hex in /proc/net/tcp). */
enum procfs_tcp_state {
    PROCFS_TCP_ESTABLISHED = 1,
    PROCFS_TCP_SYN_SENT = 2,
    PROCFS_TCP_SYN_RECV = 3,
    PROCFS_TCP_FIN_WAIT1 = 4,
    PROCFS_TCP_FIN_WAIT2 = 5,
    PROCFS_TCP_TIME_WAIT = 6,
    PROCFS_TCP_CLOSE = 7,
    PROCFS_TCP_CLOSE_WAIT = 8,
    PROCFS_TCP_LAST_ACK = 9,
    PROCFS_TCP_LISTEN = 10,
    PROCFS_TCP_CLOSING = 11,
};

/* Returns the state's name ("ESTABLISHED", "CLOSE_WAIT", ...) or "UNKNOWN". */
const char *procfs_tcp_state_name(int state);

/* One row of /proc/PID/net/tcp or tcp6. Addresses in network byte order;
 * IPv4 rows use the first 4 bytes with family AF_INET; IPv4-mapped IPv6
 * rows stay AF_INET6. */
struct procfs_tcp {
    int family;
    unsigned char local[16];
    unsigned char remote[16];
    uint16_t lport, rport;
    int state;
    uint64_t inode;
};

/* Writes an address of a procfs_tcp row as "127.0.0.1:8080" or "[::1]:8080"
 * into out (IPv4-mapped IPv6 addresses as IPv4). */
void procfs_endpoint(int family, const unsigned char *addr, uint16_t port, char *out, size_t len);

/* Parses the text of /proc/PID/net/tcp (family AF_INET) or tcp6 (AF_INET6).
 * Appends the rows to *rows (grown with lc_grow; caller frees) and *n.
 * Returns 0, or -1 with err on a malformed row. */
int procfs_parse_net_tcp(const char *text, int family, struct procfs_tcp **rows, size_t *n,
                         size_t *cap, struct lc_error *err);

/* From /proc/PID/status text: Threads and VmRSS (converted to bytes).
 * Returns 0, or -1 when a field is missing. */
int procfs_parse_status(const char *text, double *threads, double *rss_bytes);

/* From /proc/PID/limits text: the soft "Max open files" (-1 for unlimited).
 * Returns 0, or -1 when the line is missing. */
int procfs_parse_limits(const char *text, double *soft);

/* One end of a TCP connection, as the tables print it (IPv4 in the first 4
 * bytes with family AF_INET). */
struct procfs_endpoint {
    int family;
    unsigned char addr[16];
    uint16_t port;
};

/* The endpoint of a socket address (AF_INET or AF_INET6). Returns 0, or -1
 * for any other family. */
int procfs_endpoint_of(const struct sockaddr_storage *sa, struct procfs_endpoint *out);

/* 1 when the row's remote end is one of own[] (an IPv4 address and its
 * IPv4-mapped IPv6 form are the same address). */
int procfs_peer_is(const struct procfs_tcp *row, const struct procfs_endpoint *own, size_t nown);

struct procfs_sample {
    double fds, fd_limit, threads, rss, sockets;
    double tcp_established, tcp_close_wait, tcp_time_wait, tcp_listen;
    int tcp_netlink; /* 1 when the tcp_* figures came from sock_diag */
};

/* Where the tcp_* figures of a sample come from. */
enum procfs_tcp_source {
    PROCFS_TCP_AUTO,    /* sock_diag, else the tables */
    PROCFS_TCP_NETLINK, /* sock_diag only: an error when it cannot be used */
    PROCFS_TCP_TABLES,  /* /proc/PID/net/tcp and tcp6 */
};

/*
 * Counts a process's own TCP sockets by state: rows whose inode is in
 * `inodes` (sorted ascending) go to out->tcp_established, tcp_close_wait and
 * tcp_listen; TIME_WAIT rows (inode 0, owned by no process) on a port where
 * one of those sockets listens go to out->tcp_time_wait. Those four fields
 * are set; the others are left alone.
 */
void procfs_tally_tcp(const struct procfs_tcp *rows, size_t n, const uint64_t *inodes,
                      size_t ninodes, struct procfs_sample *out);

/*
 * Reads every figure of a live process. fds that vanish between readdir and
 * readlink are skipped. tcp_time_wait counts TIME_WAIT sockets on a port
 * the process listens on (the kernel no longer ties them to any process).
 * The tcp_* figures come from sock_diag (sources/tcpcount.h: cheap with
 * many sockets on the machine) when the process is in our network
 * namespace and netlink works, else from /proc/PID/net/tcp and tcp6.
 * Returns 0; -1 with errno ESRCH and err when the process is gone; -1 with
 * err on any other failure. Safe to call from several threads.
 */
int procfs_read(pid_t pid, struct procfs_sample *out, struct lc_error *err);

/* procfs_read with the source of the tcp_* figures chosen (for tests and
 * benchmarks: PROCFS_TCP_NETLINK fails instead of falling back). */
int procfs_read_from(pid_t pid, enum procfs_tcp_source src, struct procfs_sample *out,
                     struct lc_error *err);

/* Appends the text of /proc/PID/NAME to b (NUL-terminated after it).
 * Returns 0, or -1 when it cannot be read. */
int procfs_append_text(pid_t pid, const char *name, struct lc_buf *b);

/* GOGC in a process environment block (NAME=value entries each ended by
 * a NUL, len bytes; the first GOGC counts, as for Go): its percent, -1 for
 * "off" (or negative), 100 when unset or unreadable. */
double procfs_parse_gogc(const char *env, size_t len);

/* GOMEMLIMIT in an environment block: the memory limit in bytes, INFINITY
 * when unset, "off", or no byte count Go takes ("512MiB", "1000000"). */
double procfs_parse_gomemlimit(const char *env, size_t len);

/* A Go process's GC settings from /proc/PID/environ: GOGC and GOMEMLIMIT
 * as the two parsers read them; when it cannot be read, GOGC 100 and the
 * limit NaN (not known). */
void procfs_go_gc(pid_t pid, double *gogc, double *limit);

/*
 * procfs_read_from, leaving out the process's TCP sockets whose peer is
 * one of own[] (leakcheck's own connections to it): they count in none of
 * fds, sockets and tcp_*. own may be NULL when nown is 0.
 */
int procfs_read_excluding(pid_t pid, enum procfs_tcp_source src, const struct procfs_endpoint *own,
                          size_t nown, struct procfs_sample *out, struct lc_error *err);

#endif
