/*
 * sources/procfs_net.c: rows of /proc/PID/net/tcp and tcp6, and the count
 * of a process's own TCP sockets by state.
 *
 * A row reads `sl local rem st tx:rx tr:when retrnsmt uid timeout inode
 * ...`. Addresses are 32-bit words in network byte order printed as host
 * integers (127.0.0.1 is 0100007F on x86), one word for IPv4 and four for
 * IPv6; ports are plain hex. The tables list every socket of the network
 * namespace: a process owns the rows whose inode is one of its fds.
 */
#include "sources/procfs.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

const char *procfs_tcp_state_name(int state)
{
    static const char *const names[] = {
        "UNKNOWN",   "ESTABLISHED", "SYN_SENT",   "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
        "TIME_WAIT", "CLOSE",       "CLOSE_WAIT", "LAST_ACK", "LISTEN",    "CLOSING",
    };
    if (state < 1 || state >= (int)LC_ARRAY_LEN(names))
        return "UNKNOWN";
    return names[state];
}

void procfs_endpoint(int family, const unsigned char *a, uint16_t port, char *out, size_t len)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char ip[INET6_ADDRSTRLEN] = "?";
    if (family == AF_INET || memcmp(a, mapped, 12) == 0) {
        inet_ntop(AF_INET, family == AF_INET ? a : a + 12, ip, sizeof(ip));
        snprintf(out, len, "%s:%u", ip, port);
    } else {
        inet_ntop(AF_INET6, a, ip, sizeof(ip));
        snprintf(out, len, "[%s]:%u", ip, port);
    }
}

/* n hex digits at s into *v. */
static int hexn(const char *s, size_t n, uint32_t *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = lc_hex_digit(s[i]);
        if (d < 0)
            return -1;
        *v = (*v << 4) | (uint32_t)d;
    }
    return 0;
}

/* "WORDS:PORT" of `len` characters: 8 or 32 hex digits, ':', 4 hex digits. */
static int address(const char *s, size_t len, int family, unsigned char *addr, uint16_t *port)
{
    size_t words = family == AF_INET ? 1 : 4;
    uint32_t v;
    if (len != words * 8 + 5 || s[words * 8] != ':')
        return -1;
    for (size_t w = 0; w < words; w++) {
        if (hexn(s + w * 8, 8, &v) != 0)
            return -1;
        /* the kernel prints the in-memory word as a host integer */
        memcpy(addr + w * 4, &v, 4);
    }
    if (hexn(s + words * 8 + 1, 4, &v) != 0)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

/* Splits a line into blank-separated tokens (at most max). */
static size_t tokens(const char *s, const char *end, const char **tok, size_t *tlen, size_t max)
{
    size_t n = 0;
    while (s < end && n < max) {
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        if (s == end)
            break;
        tok[n] = s;
        while (s < end && *s != ' ' && *s != '\t')
            s++;
        tlen[n] = (size_t)(s - tok[n]);
        n++;
    }
    return n;
}

static int parse_row(const char *s, const char *end, int family, struct procfs_tcp *r)
{
    const char *tok[10];
    size_t tl[10];
    uint32_t st;
    memset(r, 0, sizeof(*r));
    r->family = family;
    if (tokens(s, end, tok, tl, 10) != 10 || tok[0][tl[0] - 1] != ':')
        return -1;
    if (address(tok[1], tl[1], family, r->local, &r->lport) != 0 ||
        address(tok[2], tl[2], family, r->remote, &r->rport) != 0)
        return -1;
    if (tl[3] > 2 || hexn(tok[3], tl[3], &st) != 0)
        return -1;
    r->state = (int)st;
    for (size_t i = 0; i < tl[9]; i++) {
        if (tok[9][i] < '0' || tok[9][i] > '9' || r->inode > UINT64_MAX / 10 - 1)
            return -1;
        r->inode = r->inode * 10 + (uint64_t)(tok[9][i] - '0');
    }
    return 0;
}

int procfs_parse_net_tcp(const char *text, int family, struct procfs_tcp **rows, size_t *n,
                         size_t *cap, struct lc_error *err)
{
    int line = 0;
    if (family != AF_INET && family != AF_INET6) {
        lc_error_set(err, "family must be AF_INET or AF_INET6");
        return -1;
    }
    for (const char *s = text; s && *s;) {
        const char *e = strchr(s, '\n');
        if (!e)
            e = s + strlen(s);
        line++;
        const char *t = s + strspn(s, " \t");
        if (t < e && !(line == 1 && strncmp(t, "sl", 2) == 0)) {
            lc_grow((void **)rows, cap, *n + 1, sizeof(**rows));
            if (parse_row(s, e, family, &(*rows)[*n]) != 0) {
                lc_error_at(err, line, 1, "malformed row in a /proc net/tcp%s table",
                            family == AF_INET6 ? "6" : "");
                return -1;
            }
            (*n)++;
        }
        s = *e ? e + 1 : e;
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

void procfs_tally_tcp(const struct procfs_tcp *rows, size_t n, const uint64_t *inodes,
                      size_t ninodes, struct procfs_sample *out)
{
    uint16_t *ports = NULL;
    size_t nports = 0, cap = 0;
    out->tcp_established = out->tcp_close_wait = out->tcp_listen = out->tcp_time_wait = 0;
    for (size_t i = 0; i < n; i++) {
        const struct procfs_tcp *r = &rows[i];
        if (r->inode == 0 || !inodes ||
            !bsearch(&r->inode, inodes, ninodes, sizeof(*inodes), cmp_u64))
            continue;
        if (r->state == PROCFS_TCP_ESTABLISHED)
            out->tcp_established++;
        else if (r->state == PROCFS_TCP_CLOSE_WAIT)
            out->tcp_close_wait++;
        else if (r->state == PROCFS_TCP_LISTEN) {
            out->tcp_listen++;
            lc_grow((void **)&ports, &cap, nports + 1, sizeof(*ports));
            ports[nports++] = r->lport;
        }
    }
    if (nports)
        qsort(ports, nports, sizeof(*ports), cmp_u16);
    for (size_t i = 0; i < n && nports; i++)
        if (rows[i].state == PROCFS_TCP_TIME_WAIT &&
            bsearch(&rows[i].lport, ports, nports, sizeof(*ports), cmp_u16))
            out->tcp_time_wait++;
    free(ports);
}

int procfs_endpoint_of(const struct sockaddr_storage *sa, struct procfs_endpoint *out)
{
    memset(out, 0, sizeof(*out));
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        out->family = AF_INET;
        memcpy(out->addr, &in->sin_addr, 4);
        out->port = ntohs(in->sin_port);
        return 0;
    }
    if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        out->family = AF_INET6;
        memcpy(out->addr, &in6->sin6_addr, 16);
        out->port = ntohs(in6->sin6_port);
        return 0;
    }
    return -1;
}

/* The IPv4 address of an AF_INET or IPv4-mapped AF_INET6 address, else NULL. */
static const unsigned char *ipv4_of(int family, const unsigned char *a)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (family == AF_INET)
        return a;
    return memcmp(a, mapped, sizeof(mapped)) == 0 ? a + 12 : NULL;
}

int procfs_peer_is(const struct procfs_tcp *row, const struct procfs_endpoint *own, size_t nown)
{
    const unsigned char *r4 = ipv4_of(row->family, row->remote);
    for (size_t i = 0; i < nown; i++) {
        const struct procfs_endpoint *e = &own[i];
        if (e->port != row->rport)
            continue;
        const unsigned char *e4 = ipv4_of(e->family, e->addr);
        if (r4 || e4 ? r4 && e4 && memcmp(r4, e4, 4) == 0 : memcmp(row->remote, e->addr, 16) == 0)
            return 1;
    }
    return 0;
}
