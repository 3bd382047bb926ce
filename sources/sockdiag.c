/*
 * sources/sockdiag.c: TCP sockets over NETLINK_SOCK_DIAG.
 *
 * A request is one datagram to the kernel (port id 0); the answers are
 * datagrams of netlink messages: a dump ends with NLMSG_DONE, a lookup
 * gets one message back (the socket, or NLMSG_ERROR). The kernel answers
 * a lookup while it handles the send, so after sendto() every answer is
 * already queued and is read without waiting. Every message is copied out
 * of the receive buffer with memcpy after its length is checked: nothing
 * is read at an offset the message did not vouch for.
 */
#include "sources/sockdiag.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* what a dump answer may take: the kernel fills at most 32 KiB per datagram */
#define RECV_BYTES (64u << 10)
#define LOOKUP_BATCH 32
#define ANSWER_TIMEOUT_S 5

struct sockdiag {
    int fd;
    uint32_t seq;
    int no_compat; /* the kernel refused TCPDIAG_GETSOCK: one dump per family */
    int broken;    /* a malformed answer was seen: the stream cannot be trusted */
    unsigned char *buf;
};

struct sockdiag *sockdiag_new(struct lc_error *err)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) {
        int e = errno;
        lc_error_set(err, "no sock_diag netlink socket: %s", strerror(e));
        errno = e;
        return NULL;
    }
    struct timeval tv = {.tv_sec = ANSWER_TIMEOUT_S};
    int rcvbuf = 1 << 20; /* room for a batch of lookups; the kernel caps it */
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    struct sockdiag *sd = lc_calloc(1, sizeof(*sd));
    sd->fd = fd;
    sd->seq = (uint32_t)getpid() << 8;
    sd->buf = lc_malloc(RECV_BYTES);
    return sd;
}

void sockdiag_free(struct sockdiag *sd)
{
    if (!sd)
        return;
    close(sd->fd);
    free(sd->buf);
    free(sd);
}

size_t sockdiag_bytecode(const uint16_t *ports, size_t n, void *out, size_t cap)
{
    /* Per port, "sport >= p && sport <= p" as ss(8) compiles it; the
     * blocks are or-ed by a jump to the end after each. Reaching the end
     * exactly accepts; jumping 4 bytes past it rejects. The kernel's
     * audit wants every "no" target on the chain of "yes" steps, which
     * here visits every op in order. */
    enum { BLOCK = 4 * sizeof(struct inet_diag_bc_op), JMP = sizeof(struct inet_diag_bc_op) };
    if (n < 1 || n > SOCKDIAG_MAX_PORTS)
        return 0;
    size_t len = n * BLOCK + (n - 1) * JMP;
    if (cap < len)
        return 0;
    struct inet_diag_bc_op *op = out;
    for (size_t i = 0; i < n; i++) {
        size_t rest = len - (i + 1) * BLOCK - i * JMP; /* bytes after this block */
        op[0] = (struct inet_diag_bc_op){INET_DIAG_BC_S_GE, 8, BLOCK + JMP};
        op[1] = (struct inet_diag_bc_op){0, 0, ports[i]};
        op[2] = (struct inet_diag_bc_op){INET_DIAG_BC_S_LE, 8, BLOCK / 2 + JMP};
        op[3] = (struct inet_diag_bc_op){0, 0, ports[i]};
        op += 4;
        if (i + 1 < n) {
            *op++ = (struct inet_diag_bc_op){INET_DIAG_BC_JMP, JMP, (uint16_t)rest};
        }
    }
    return len;
}

/* The socket of a SOCK_DIAG_BY_FAMILY or TCPDIAG_GETSOCK message. */
static int decode(const unsigned char *p, size_t len, struct sockdiag_sock *s)
{
    struct inet_diag_msg m;
    if (len < sizeof(m))
        return -1;
    memcpy(&m, p, sizeof(m));
    if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6)
        return -1;
    memset(s, 0, sizeof(*s));
    s->family = m.idiag_family;
    s->state = m.idiag_state;
    s->sport = ntohs(m.id.idiag_sport);
    s->dport = ntohs(m.id.idiag_dport);
    memcpy(s->src, m.id.idiag_src, s->family == AF_INET ? 4 : 16);
    memcpy(s->dst, m.id.idiag_dst, s->family == AF_INET ? 4 : 16);
    s->ifindex = m.id.idiag_if;
    s->cookie[0] = m.id.idiag_cookie[0];
    s->cookie[1] = m.id.idiag_cookie[1];
    s->expires_ms = m.idiag_expires;
    s->inode = m.idiag_inode;
    return 0;
}

/* One message of len payload bytes at p. Returns SOCKDIAG_MORE, _DONE or -1. */
static int message(const struct nlmsghdr *h, const unsigned char *p, size_t len, size_t at,
                   sockdiag_msg_cb *cb, void *arg, struct lc_error *err)
{
    struct sockdiag_sock s;
    int e = 0;
    if (h->nlmsg_flags & NLM_F_DUMP_INTR) {
        lc_error_set(err, "sock_diag: the dump was interrupted (the table changed under it)");
        return -1;
    }
    switch (h->nlmsg_type) {
    case NLMSG_NOOP:
        return SOCKDIAG_MORE;
    case NLMSG_DONE:
        if (len >= sizeof(e))
            memcpy(&e, p, sizeof(e));
        if (e > 0 || e < -4095)
            break;
        if (e < 0) {
            lc_error_set(err, "sock_diag: the dump failed: %s", strerror(-e));
            return -1;
        }
        return SOCKDIAG_DONE;
    case NLMSG_ERROR:
        if (len < sizeof(e))
            break;
        memcpy(&e, p, sizeof(e));
        if (e > 0 || e < -4095)
            break;
        if (e == 0) /* an acknowledgement: nothing to report */
            return SOCKDIAG_MORE;
        if (cb(h->nlmsg_seq, e, NULL, arg) != 0) {
            lc_error_set(err, "sock_diag refused the request: %s", strerror(-e));
            return -1;
        }
        return SOCKDIAG_MORE;
    case SOCK_DIAG_BY_FAMILY:
    case TCPDIAG_GETSOCK:
        if (decode(p, len, &s) != 0)
            break;
        if (cb(h->nlmsg_seq, 0, &s, arg) != 0) {
            lc_error_set(err, "sock_diag: an answer does not match its request");
            return -1;
        }
        return SOCKDIAG_MORE;
    default:
        lc_error_set(err, "sock_diag: unexpected message type %u at byte %zu",
                     (unsigned)h->nlmsg_type, at);
        return -1;
    }
    lc_error_set(err, "sock_diag: malformed message (type %u, %zu bytes) at byte %zu",
                 (unsigned)h->nlmsg_type, len, at);
    return -1;
}

int sockdiag_parse(const void *buf, size_t len, uint32_t seq_lo, uint32_t seq_hi,
                   sockdiag_msg_cb *cb, void *arg, struct lc_error *err)
{
    const unsigned char *p = buf;
    size_t off = 0;
    while (off < len) {
        struct nlmsghdr h;
        if (len - off < sizeof(h)) {
            lc_error_set(err, "sock_diag: truncated message header at byte %zu", off);
            return -1;
        }
        memcpy(&h, p + off, sizeof(h));
        if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - off) {
            lc_error_set(err, "sock_diag: message at byte %zu claims %u bytes, %zu left", off,
                         (unsigned)h.nlmsg_len, len - off);
            return -1;
        }
        /* unsigned: also right when the sequence numbers wrap */
        if (h.nlmsg_seq - seq_lo < seq_hi - seq_lo) {
            int rc = message(&h, p + off + sizeof(h), h.nlmsg_len - sizeof(h), off, cb, arg, err);
            if (rc != SOCKDIAG_MORE)
                return rc;
        }
        size_t step = ((size_t)h.nlmsg_len + 3) & ~(size_t)3;
        off += step < len - off ? step : len - off;
    }
    return SOCKDIAG_MORE;
}

/* Sends one datagram to the kernel. */
static int send_kernel(struct sockdiag *sd, const void *msg, size_t len, struct lc_error *err)
{
    struct sockaddr_nl to = {.nl_family = AF_NETLINK};
    for (;;) {
        ssize_t n = sendto(sd->fd, msg, len, 0, (struct sockaddr *)&to, sizeof(to));
        if (n == (ssize_t)len)
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        lc_error_set(err, "sock_diag: cannot send a request: %s",
                     n < 0 ? strerror(errno) : "short write");
        return -1;
    }
}

/*
 * Reads answers with sequence numbers in [lo, hi) until a dump is done or,
 * with *pending, until it is 0 (cb counts down; nothing left to read then
 * is an error). Returns 0 or -1 with err.
 */
static int receive(struct sockdiag *sd, uint32_t lo, uint32_t hi, size_t *pending,
                   sockdiag_msg_cb *cb, void *arg, struct lc_error *err)
{
    while (!pending || *pending > 0) {
        struct sockaddr_nl from = {0};
        struct iovec iov = {.iov_base = sd->buf, .iov_len = RECV_BYTES};
        struct msghdr mh = {
            .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1};
        ssize_t n = recvmsg(sd->fd, &mh, pending ? MSG_DONTWAIT : 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EPROTO;
            lc_error_set(err, "sock_diag: %s",
                         pending && e == EAGAIN ? "lookups left unanswered"
                         : e == EAGAIN          ? "no answer within 5 s"
                                                : strerror(e));
            return -1;
        }
        if (mh.msg_flags & MSG_TRUNC) {
            lc_error_set(err, "sock_diag: an answer did not fit in %u bytes", RECV_BYTES);
            return -1;
        }
        if (from.nl_pid != 0)
            continue; /* not from the kernel */
        int rc = sockdiag_parse(sd->buf, (size_t)n, lo, hi, cb, arg, err);
        if (rc < 0)
            return -1;
        if (rc == SOCKDIAG_DONE && !pending)
            return 0;
    }
    return 0;
}

struct dump_state {
    sockdiag_sock_cb *cb;
    void *arg;
    int refused; /* the errno of an NLMSG_ERROR answer */
};

static int dump_cb(uint32_t seq, int error, const struct sockdiag_sock *s, void *arg)
{
    struct dump_state *d = arg;
    (void)seq;
    if (error) {
        d->refused = -error;
        return -1;
    }
    d->cb(s, d->arg);
    return 0;
}

/* The dump request of q for one family (AF_UNSPEC: the older request). */
static size_t dump_request(uint32_t seq, int family, const struct sockdiag_query *q,
                           unsigned char *msg)
{
    struct nlmsghdr h = {.nlmsg_type = family == AF_UNSPEC ? TCPDIAG_GETSOCK : SOCK_DIAG_BY_FAMILY,
                         .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                         .nlmsg_seq = seq};
    size_t len = NLMSG_HDRLEN;
    if (family == AF_UNSPEC) {
        struct inet_diag_req r = {.idiag_family = AF_INET, .idiag_states = q->states};
        memcpy(msg + len, &r, sizeof(r));
        len += NLMSG_ALIGN(sizeof(r));
    } else {
        struct inet_diag_req_v2 r = {.sdiag_family = (uint8_t)family,
                                     .sdiag_protocol = IPPROTO_TCP,
                                     .idiag_states = q->states};
        memcpy(msg + len, &r, sizeof(r));
        len += NLMSG_ALIGN(sizeof(r));
    }
    if (q->nsports) {
        size_t bc = sockdiag_bytecode(q->sports, q->nsports, msg + len + NLA_HDRLEN, 2048);
        struct nlattr a = {.nla_len = (uint16_t)(NLA_HDRLEN + bc),
                           .nla_type = INET_DIAG_REQ_BYTECODE};
        memcpy(msg + len, &a, sizeof(a));
        len += NLA_ALIGN(a.nla_len);
    }
    h.nlmsg_len = (uint32_t)len;
    memcpy(msg, &h, sizeof(h));
    return len;
}

static int dump_family(struct sockdiag *sd, int family, const struct sockdiag_query *q,
                       struct dump_state *d, struct lc_error *err)
{
    unsigned char msg[NLMSG_HDRLEN + sizeof(struct inet_diag_req) + NLA_HDRLEN + 2048];
    uint32_t seq = ++sd->seq;
    d->refused = 0;
    if (send_kernel(sd, msg, dump_request(seq, family, q, msg), err) != 0)
        return -1;
    return receive(sd, seq, seq + 1, NULL, dump_cb, d, err);
}

int sockdiag_dump(struct sockdiag *sd, const struct sockdiag_query *q, sockdiag_sock_cb *cb,
                  void *arg, struct lc_error *err)
{
    struct dump_state d = {cb, arg, 0};
    int rc = -1;
    if (sd->broken || q->nsports > SOCKDIAG_MAX_PORTS ||
        (q->family != AF_INET && q->family != AF_INET6 && q->family != AF_UNSPEC)) {
        lc_error_set(err, sd->broken ? "sock_diag: unusable after a malformed answer"
                                     : "sock_diag: bad query");
        return -1;
    }
    if (q->family == AF_UNSPEC && !sd->no_compat) {
        rc = dump_family(sd, AF_UNSPEC, q, &d, err);
        if (rc == 0 || !d.refused)
            goto out;
        sd->no_compat = 1; /* answered nothing yet: ask per family */
    }
    for (int f = 0; f < 2; f++) {
        int family = f == 0 ? AF_INET : AF_INET6;
        if (q->family != AF_UNSPEC && q->family != family)
            continue;
        rc = dump_family(sd, family, q, &d, err);
        /* no IPv6 in this kernel: no IPv6 sockets */
        if (rc != 0 && family == AF_INET6 && d.refused == ENOENT && q->family == AF_UNSPEC)
            rc = 0;
        if (rc != 0)
            break;
    }
out:
    if (rc != 0 && !d.refused)
        sd->broken = 1;
    return rc;
}

struct lookup_state {
    struct sockdiag_sock *socks;
    unsigned char *found;
    uint32_t base;
    size_t pending;
    unsigned char answered[LOOKUP_BATCH];
};

static int lookup_cb(uint32_t seq, int error, const struct sockdiag_sock *s, void *arg)
{
    struct lookup_state *l = arg;
    size_t i = seq - l->base; /* parse keeps seq within the batch */
    if (l->answered[i])
        return 0;
    if (error && error != -ENOENT && error != -ESTALE)
        return -1;
    l->answered[i] = 1;
    l->pending--;
    struct sockdiag_sock *want = &l->socks[i];
    /* the same socket: a lookup may fall back on a listener on that port */
    if (error || s->family != want->family || s->sport != want->sport || s->dport != want->dport ||
        s->cookie[0] != want->cookie[0] || s->cookie[1] != want->cookie[1]) {
        l->found[i] = 0;
        return 0;
    }
    want->state = s->state;
    want->inode = s->inode;
    want->expires_ms = s->expires_ms;
    l->found[i] = 1;
    return 0;
}

static size_t lookup_request(uint32_t seq, const struct sockdiag_sock *s, unsigned char *msg)
{
    struct nlmsghdr h = {.nlmsg_len = NLMSG_HDRLEN + sizeof(struct inet_diag_req_v2),
                         .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                         .nlmsg_flags = NLM_F_REQUEST,
                         .nlmsg_seq = seq};
    struct inet_diag_req_v2 r = {
        .sdiag_family = (uint8_t)s->family, .sdiag_protocol = IPPROTO_TCP, .idiag_states = ~0u};
    r.id.idiag_sport = htons(s->sport);
    r.id.idiag_dport = htons(s->dport);
    memcpy(r.id.idiag_src, s->src, 16);
    memcpy(r.id.idiag_dst, s->dst, 16);
    r.id.idiag_if = s->ifindex;
    r.id.idiag_cookie[0] = s->cookie[0];
    r.id.idiag_cookie[1] = s->cookie[1];
    memcpy(msg, &h, sizeof(h));
    memcpy(msg + NLMSG_HDRLEN, &r, sizeof(r));
    return NLMSG_ALIGN(h.nlmsg_len);
}

int sockdiag_lookup(struct sockdiag *sd, struct sockdiag_sock *socks, size_t n,
                    unsigned char *found, struct lc_error *err)
{
    enum { ONE = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct inet_diag_req_v2)) };
    unsigned char msg[LOOKUP_BATCH * ONE];
    if (sd->broken) {
        lc_error_set(err, "sock_diag: unusable after a malformed answer");
        return -1;
    }
    for (size_t at = 0; at < n; at += LOOKUP_BATCH) {
        size_t k = n - at < LOOKUP_BATCH ? n - at : LOOKUP_BATCH, len = 0;
        struct lookup_state l = {socks + at, found + at, sd->seq + 1, k, {0}};
        for (size_t i = 0; i < k; i++)
            len += lookup_request(l.base + (uint32_t)i, &socks[at + i], msg + len);
        sd->seq += (uint32_t)k;
        if (send_kernel(sd, msg, len, err) != 0 ||
            receive(sd, l.base, l.base + (uint32_t)k, &l.pending, lookup_cb, &l, err) != 0) {
            sd->broken = 1;
            return -1;
        }
    }
    return 0;
}
