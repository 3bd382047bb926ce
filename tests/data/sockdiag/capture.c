/*
 * tests/data/sockdiag/capture.c: captures real sock_diag answers for
 * tests/unit/test_sockdiag.c. Run by capture.sh (as root: it works in a
 * network namespace of its own, so that the answers hold its sockets and
 * nothing else).
 *
 * It makes, on loopback: a listener on 127.0.0.1 (L4) and a dual-stack one
 * on [::] (L6); ESTABLISHED pairs to L4, to L6 over IPv4 (the accepted end
 * is AF_INET6 with a mapped address) and to L6 over ::1; a CLOSE_WAIT
 * client of L4 (its server end closed first, left in FIN_WAIT2); a
 * TIME_WAIT on L4's port (server closed first, then the client). Then it
 * sends each request below and writes every datagram of the answer to
 * NAME-K.bin, and what it made to sockets.txt:
 * "STATE FAMILY SPORT DPORT INODE" (INODE 0: no fd holds it).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIE(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), exit(1))

static int nl;
static FILE *socks;

static void lo_up(void)
{
    struct ifreq ifr = {0};
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
        DIE("SIOCGIFFLAGS: %s", strerror(errno));
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
        DIE("SIOCSIFFLAGS: %s", strerror(errno));
    close(fd);
}

static unsigned long inode_of(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        DIE("fstat: %s", strerror(errno));
    return (unsigned long)st.st_ino;
}

static int listener(int family, uint16_t *port)
{
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct sockaddr *a = family == AF_INET ? (struct sockaddr *)&a4 : (struct sockaddr *)&a6;
    socklen_t len = family == AF_INET ? sizeof(a4) : sizeof(a6);
    int off = 0, fd = socket(family, SOCK_STREAM, 0);
    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    if (bind(fd, a, len) != 0 || listen(fd, 16) != 0 || getsockname(fd, a, &len) != 0)
        DIE("listener: %s", strerror(errno));
    *port = ntohs(family == AF_INET ? a4.sin_port : a6.sin6_port);
    fprintf(socks, "LISTEN %d %u 0 %lu\n", family, *port, inode_of(fd));
    return fd;
}

static uint16_t local_port(int fd)
{
    struct sockaddr_storage a;
    socklen_t len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    return ntohs(a.ss_family == AF_INET ? ((struct sockaddr_in *)&a)->sin_port
                                        : ((struct sockaddr_in6 *)&a)->sin6_port);
}

/* A client over `family` to port, and its accepted end on l (of lfamily). */
static void pair(int l, int lfamily, int family, uint16_t port, int *c, int *s)
{
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT,
                              .sin6_port = htons(port)};
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                             .sin_port = htons(port)};
    *c = socket(family, SOCK_STREAM, 0);
    if (connect(*c, family == AF_INET ? (struct sockaddr *)&a4 : (struct sockaddr *)&a6,
                family == AF_INET ? sizeof(a4) : sizeof(a6)) != 0)
        DIE("connect: %s", strerror(errno));
    if ((*s = accept(l, NULL, NULL)) < 0)
        DIE("accept: %s", strerror(errno));
    (void)lfamily;
}

static void save(const char *name, int k, const void *buf, size_t len)
{
    char path[128];
    snprintf(path, sizeof(path), "%s-%d.bin", name, k);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
        DIE("%s: %s", path, strerror(errno));
}

/* Sends msg and saves the answer's datagrams until `replies` messages of
 * type NLMSG_DONE/NLMSG_ERROR/data (lookups) or NLMSG_DONE (dumps). */
static void ask(const char *name, const void *msg, size_t len, int lookups)
{
    static unsigned char buf[1 << 16];
    struct sockaddr_nl to = {.nl_family = AF_NETLINK};
    if (sendto(nl, msg, len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)len)
        DIE("%s: send: %s", name, strerror(errno));
    for (int k = 0, answers = 0;; k++) {
        ssize_t n = recv(nl, buf, sizeof(buf), 0);
        if (n <= 0)
            DIE("%s: recv: %s", name, strerror(errno));
        save(name, k, buf, (size_t)n);
        int done = 0;
        for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            answers++;
            done |= h->nlmsg_type == NLMSG_DONE;
        }
        if (lookups ? answers == lookups : done)
            return;
    }
}

static void dump(const char *name, uint32_t seq, int family, unsigned states, uint16_t port)
{
    unsigned char msg[256] = {0};
    struct nlmsghdr *h = (void *)msg;
    size_t len = NLMSG_HDRLEN;
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    h->nlmsg_seq = seq;
    if (family == AF_UNSPEC) {
        struct inet_diag_req *r = (void *)(msg + len);
        h->nlmsg_type = TCPDIAG_GETSOCK;
        r->idiag_family = AF_INET;
        r->idiag_states = states;
        len += sizeof(*r);
    } else {
        struct inet_diag_req_v2 *r = (void *)(msg + len);
        h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
        r->sdiag_family = (uint8_t)family;
        r->sdiag_protocol = IPPROTO_TCP;
        r->idiag_states = states;
        len += sizeof(*r);
    }
    if (port) { /* sport >= port && sport <= port, as ss compiles it */
        struct nlattr *a = (void *)(msg + len);
        struct inet_diag_bc_op *op = (void *)(a + 1);
        op[0] = (struct inet_diag_bc_op){INET_DIAG_BC_S_GE, 8, 20};
        op[1] = (struct inet_diag_bc_op){0, 0, port};
        op[2] = (struct inet_diag_bc_op){INET_DIAG_BC_S_LE, 8, 12};
        op[3] = (struct inet_diag_bc_op){0, 0, port};
        a->nla_type = INET_DIAG_REQ_BYTECODE;
        a->nla_len = NLA_HDRLEN + 4 * sizeof(*op);
        len += NLA_ALIGN(a->nla_len);
    }
    h->nlmsg_len = (uint32_t)len;
    ask(name, msg, len, 0);
}

/* The first ESTABLISHED socket of the v2 AF_INET answer, looked up exactly,
 * with a lookup of a socket that does not exist after it. */
static void lookups(uint32_t seq)
{
    unsigned char buf[1 << 16], msg[2 * (NLMSG_HDRLEN + sizeof(struct inet_diag_req_v2))] = {0};
    FILE *f = fopen("v2-inet-0.bin", "rb");
    size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
    int left = (int)n;
    struct inet_diag_msg *found = NULL;
    for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
        struct inet_diag_msg *m = NLMSG_DATA(h);
        if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY && m->idiag_state == 1 && !found)
            found = m;
    }
    if (f)
        fclose(f);
    if (!found)
        DIE("no ESTABLISHED socket in v2-inet-0.bin");
    for (int i = 0; i < 2; i++) {
        struct nlmsghdr *h = (void *)(msg + i * (NLMSG_HDRLEN + sizeof(struct inet_diag_req_v2)));
        struct inet_diag_req_v2 *r = NLMSG_DATA(h);
        h->nlmsg_len = NLMSG_HDRLEN + sizeof(*r);
        h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
        h->nlmsg_flags = NLM_F_REQUEST;
        h->nlmsg_seq = seq + (uint32_t)i;
        r->sdiag_family = AF_INET;
        r->sdiag_protocol = IPPROTO_TCP;
        r->idiag_states = ~0u;
        r->id = found->id;
        if (i == 1) /* nobody listens on port 1 */
            r->id.idiag_sport = htons(1);
    }
    fprintf(socks, "LOOKUP %u %u %u\n", ntohs(found->id.idiag_sport),
            ntohs(found->id.idiag_dport), found->idiag_inode);
    ask("lookup", msg, sizeof(msg), 2);
}

int main(void)
{
    if (unshare(CLONE_NEWNET) != 0)
        DIE("unshare(CLONE_NEWNET): %s (run as root)", strerror(errno));
    lo_up();
    if ((nl = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG)) < 0)
        DIE("netlink: %s", strerror(errno));
    if (!(socks = fopen("sockets.txt", "w")))
        DIE("sockets.txt: %s", strerror(errno));
    uint16_t p4, p6;
    int l4 = listener(AF_INET, &p4), l6 = listener(AF_INET6, &p6), c[5], s[5];
    pair(l4, AF_INET, AF_INET, p4, &c[0], &s[0]);
    pair(l6, AF_INET6, AF_INET, p6, &c[1], &s[1]);
    pair(l6, AF_INET6, AF_INET6, p6, &c[2], &s[2]);
    pair(l4, AF_INET, AF_INET, p4, &c[3], &s[3]);
    pair(l4, AF_INET, AF_INET, p4, &c[4], &s[4]);
    static const int fam[3][2] = {{AF_INET, AF_INET}, {AF_INET, AF_INET6}, {AF_INET6, AF_INET6}};
    for (int i = 0; i < 3; i++) {
        uint16_t sp = i == 0 ? p4 : p6;
        fprintf(socks, "ESTABLISHED %d %u %u %lu\n", fam[i][0], local_port(c[i]), sp,
                inode_of(c[i]));
        fprintf(socks, "ESTABLISHED %d %u %u %lu\n", fam[i][1], sp, local_port(c[i]),
                inode_of(s[i]));
    }
    uint16_t cw = local_port(c[3]), tw = local_port(c[4]);
    close(s[3]);
    shutdown(s[4], SHUT_RDWR);
    close(s[4]);
    usleep(100000);
    close(c[4]);
    usleep(100000);
    fprintf(socks, "CLOSE_WAIT %d %u %u %lu\n", AF_INET, cw, p4, inode_of(c[3]));
    fprintf(socks, "FIN_WAIT2 %d %u %u 0\n", AF_INET, p4, cw);
    fprintf(socks, "TIME_WAIT %d %u %u 0\n", AF_INET, p4, tw);
    dump("v2-inet", 100, AF_INET, 0xfff, 0);
    dump("v2-inet6", 200, AF_INET6, 0xfff, 0);
    dump("compat-all", 300, AF_UNSPEC, 0xfff, 0);
    dump("compat-listen", 400, AF_UNSPEC, 1u << 10, 0);
    dump("compat-port", 500, AF_UNSPEC, 0xfff & ~(1u << 10), p4);
    lookups(600);
    fclose(socks);
    return 0;
}
