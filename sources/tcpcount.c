/*
 * sources/tcpcount.c: a process's TCP sockets by state from sock_diag,
 * walking the kernel's tables only when something may have changed (see
 * tcpcount.h for the rules).
 *
 * The process's socket inodes are kept across rounds, sorted, each with
 * what is known of it: a TCP socket with its addresses and cookie (looked
 * up exactly each round), a listener, not TCP at all (never looked for),
 * or TCP but in no table (created and not connected yet, or reset:
 * searched again when the namespace's open counters move).
 */
#include "sources/tcpcount.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "sources/sockdiag.h"
#include "sources/twtrack.h"

/* a filtered dump at least this often, whatever the counters say */
#define REFRESH_S 5.0
/* the walks churn asks for, at most this often unless set otherwise */
#define WALK_GAP_S 1.0
#define ALL_STATES 0xfffu
#define BIT(state) (1u << (state))

enum kind {
    K_NEW,      /* not classified yet */
    K_NEED,     /* TCP, to be found by a dump */
    K_TCP,      /* TCP with known addresses */
    K_LISTEN,   /* listening (found by this round's LISTEN dump) */
    K_OTHER,    /* not TCP */
    K_UNHASHED, /* TCP, in no table when last searched */
};

struct entry {
    uint64_t inode;
    int fd;
    enum kind kind;
    int family;    /* of a K_NEED: AF_UNSPEC when unknown */
    int refreshed; /* state read this round */
    struct sockdiag_sock s;
};

struct tcpcount {
    pid_t pid;
    struct sockdiag *sd;
    struct entry *e;
    size_t ne, cap;
    struct entry *old; /* the previous round's entries (reused buffer) */
    size_t cap_old;
    uint16_t ports[SOCKDIAG_MAX_PORTS]; /* listening ports at the last round */
    size_t nports;
    struct tcpcount_counters ref; /* at the last round */
    int have_ref;
    double last_refresh; /* lc_now() of the last dump filtered on the ports */
    double last_walk;    /* lc_now() of the last round that walked */
    double walk_gap;     /* rounds walk at most this often after the first */
    int walk_due;        /* a change seen by a round that could not walk */
    struct twtrack tw;   /* TIME_WAIT on those ports */
    struct lc_buf text;
    struct tcpcount_stats st;
};

/* 0 when pid is in our network namespace; -1 with err and errno EXDEV. */
static int same_netns(pid_t pid, struct lc_error *err)
{
    char path[64];
    struct stat self, it;
    snprintf(path, sizeof(path), "/proc/%ld/ns/net", (long)pid);
    if (stat("/proc/self/ns/net", &self) != 0 || stat(path, &it) != 0) {
        lc_error_set(err, "cannot compare the network namespace of process %ld: %s", (long)pid,
                     strerror(errno));
    } else if (self.st_dev != it.st_dev || self.st_ino != it.st_ino) {
        lc_error_set(err, "process %ld is in another network namespace", (long)pid);
    } else {
        return 0;
    }
    errno = EXDEV;
    return -1;
}

struct tcpcount *tcpcount_new(pid_t pid, struct lc_error *err)
{
    if (same_netns(pid, err) != 0)
        return NULL;
    struct sockdiag *sd = sockdiag_new(err);
    if (!sd)
        return NULL;
    struct tcpcount *tc = lc_calloc(1, sizeof(*tc));
    tc->pid = pid;
    tc->sd = sd;
    tc->walk_gap = WALK_GAP_S;
    return tc;
}

void tcpcount_free(struct tcpcount *tc)
{
    if (!tc)
        return;
    sockdiag_free(tc->sd);
    free(tc->e);
    free(tc->old);
    twtrack_free(&tc->tw);
    lc_buf_free(&tc->text);
    free(tc);
}

void tcpcount_set_walk_gap(struct tcpcount *tc, double seconds)
{
    tc->walk_gap = seconds > 0 ? seconds : 0;
}

void tcpcount_get_stats(const struct tcpcount *tc, struct tcpcount_stats *st)
{
    *st = tc->st;
}

static int cmp_entry(const void *a, const void *b)
{
    uint64_t x = ((const struct entry *)a)->inode, y = ((const struct entry *)b)->inode;
    return (x > y) - (x < y);
}

static struct entry *find(struct tcpcount *tc, uint64_t inode)
{
    struct entry key = {.inode = inode};
    return inode ? bsearch(&key, tc->e, tc->ne, sizeof(*tc->e), cmp_entry) : NULL;
}

static int is_port(const uint16_t *ports, size_t n, uint16_t p)
{
    for (size_t i = 0; i < n; i++)
        if (ports[i] == p)
            return 1;
    return 0;
}

/* An entry of the previous round whose fd is gone: a socket on a
 * listening port may still become TIME_WAIT there. */
static void gone(struct tcpcount *tc, const struct entry *e)
{
    if (e->kind == K_TCP && is_port(tc->ports, tc->nports, e->s.sport))
        twtrack_closed(&tc->tw, &e->s);
}

/* This round's entries: the fds, with what earlier rounds knew of each. */
static void merge(struct tcpcount *tc, const struct tcpcount_fd *socks, size_t n)
{
    struct entry *t = tc->old;
    size_t tcap = tc->cap_old, nold = tc->ne, j = 0;
    tc->old = tc->e, tc->cap_old = tc->cap; /* the previous round's, sorted */
    tc->e = t, tc->cap = tcap, tc->ne = 0;
    lc_grow((void **)&tc->e, &tc->cap, n ? n : 1, sizeof(*tc->e));
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && socks[i].inode == socks[i - 1].inode)
            continue; /* one socket behind two fds (dup) */
        for (; j < nold && tc->old[j].inode < socks[i].inode; j++)
            gone(tc, &tc->old[j]);
        struct entry *e = &tc->e[tc->ne++];
        if (j < nold && tc->old[j].inode == socks[i].inode)
            *e = tc->old[j++];
        else
            *e = (struct entry){.inode = socks[i].inode, .kind = K_NEW};
        e->fd = socks[i].fd;
        e->refreshed = 0;
        if (e->kind == K_LISTEN) /* listening is re-read every round */
            e->kind = K_NEED, e->family = e->s.family;
    }
    for (; j < nold; j++)
        gone(tc, &tc->old[j]);
}

/* Sorts K_NEW entries into K_NEED (with a family when known) or K_OTHER. */
static void classify(struct tcpcount *tc)
{
    for (size_t i = 0; i < tc->ne; i++) {
        struct entry *e = &tc->e[i];
        if (e->kind != K_NEW)
            continue;
        /* accepted since a walk saw it waiting on a listening port */
        if (twtrack_take(&tc->tw, e->inode, &e->s)) {
            e->kind = K_TCP; /* looked up below */
            e->family = e->s.family;
            continue;
        }
        char path[64], proto[32];
        snprintf(path, sizeof(path), "/proc/%ld/fd/%d", (long)tc->pid, e->fd);
        ssize_t n = getxattr(path, "system.sockprotoname", proto, sizeof(proto) - 1);
        tc->st.protocol_reads++;
        e->kind = K_NEED;
        e->family = AF_UNSPEC;
        if (n < 0) {
            if (errno == ENOENT) /* closed since the fd scan */
                e->kind = K_OTHER;
            continue;
        }
        proto[n] = '\0';
        if (strcmp(proto, "TCP") == 0)
            e->family = AF_INET;
        else if (strcmp(proto, "TCPv6") == 0)
            e->family = AF_INET6;
        else
            e->kind = K_OTHER;
    }
}

struct walk {
    struct tcpcount *tc;
    int count_tw; /* this dump lists the listening ports' sockets */
    double now;
};

static void listen_cb(const struct sockdiag_sock *s, void *arg)
{
    struct walk *w = arg;
    struct entry *e = find(w->tc, s->inode);
    if (!e || s->state != PROCFS_TCP_LISTEN || e->kind == K_LISTEN)
        return;
    e->kind = K_LISTEN;
    e->s = *s;
    e->refreshed = 1;
}

static void walk_cb(const struct sockdiag_sock *s, void *arg)
{
    struct walk *w = arg;
    struct entry *e = find(w->tc, s->inode);
    if (w->count_tw && is_port(w->tc->ports, w->tc->nports, s->sport))
        twtrack_add(&w->tc->tw, s, e != NULL, w->now);
    if (!e || e->kind == K_LISTEN || e->kind == K_OTHER || s->state == PROCFS_TCP_TIME_WAIT)
        return;
    e->kind = K_TCP;
    e->family = s->family;
    e->s = *s;
    e->refreshed = 1;
}

static size_t count_kind(const struct tcpcount *tc, enum kind k, int *families)
{
    size_t n = 0;
    for (size_t i = 0; i < tc->ne; i++)
        if (tc->e[i].kind == k) {
            n++;
            *families |= tc->e[i].family == AF_INET ? 1 : tc->e[i].family == AF_INET6 ? 2 : 3;
        }
    return n;
}

/* The process's listening ports, sorted and distinct. Returns 0, or -1
 * when there are more than a filter holds. */
static int listening_ports(struct tcpcount *tc, uint16_t *ports, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < tc->ne; i++) {
        if (tc->e[i].kind != K_LISTEN || is_port(ports, *n, tc->e[i].s.sport))
            continue;
        if (*n == SOCKDIAG_MAX_PORTS)
            return -1;
        size_t k = (*n)++;
        for (; k > 0 && ports[k - 1] > tc->e[i].s.sport; k--)
            ports[k] = ports[k - 1];
        ports[k] = tc->e[i].s.sport;
    }
    return 0;
}

static int dump(struct tcpcount *tc, int family, unsigned states, size_t nports, struct walk *w,
                struct lc_error *err)
{
    struct sockdiag_query q = {family, states, tc->ports, nports};
    if (nports)
        tc->st.filtered_walks++;
    else if (states != BIT(PROCFS_TCP_LISTEN))
        tc->st.full_walks++;
    return sockdiag_dump(tc->sd, &q, walk_cb, w, err);
}

/* Exact lookups of the TCP sockets no dump refreshed this round. */
static int lookups(struct tcpcount *tc, struct lc_error *err)
{
    size_t n = 0, k = 0;
    for (size_t i = 0; i < tc->ne; i++)
        n += tc->e[i].kind == K_TCP && !tc->e[i].refreshed;
    if (n == 0)
        return 0;
    struct sockdiag_sock *s = lc_malloc(n * sizeof(*s));
    unsigned char *found = lc_malloc(n);
    for (size_t i = 0; i < tc->ne; i++)
        if (tc->e[i].kind == K_TCP && !tc->e[i].refreshed)
            s[k++] = tc->e[i].s;
    int rc = sockdiag_lookup(tc->sd, s, n, found, err);
    tc->st.lookups += n;
    for (size_t i = 0, j = 0; rc == 0 && i < tc->ne; i++) {
        struct entry *e = &tc->e[i];
        if (e->kind != K_TCP || e->refreshed)
            continue;
        if (found[j] && s[j].inode == e->inode)
            e->s = s[j], e->refreshed = 1;
        else
            e->kind = K_UNHASHED; /* reset or closed, still held by an fd */
        j++;
    }
    free(found);
    free(s);
    return rc;
}

/* The dumps this round needs: listening ports filtered (TIME_WAIT and new
 * accepted sockets), then every socket for TCP inodes still unknown. A
 * round within walk_gap of the last walk only notes that one is due (the
 * first round after the gap walks, changes or not). */
static int walks(struct tcpcount *tc, int tw_dirty, int may_walk, struct lc_error *err)
{
    struct walk w = {.tc = tc, .count_tw = 1, .now = lc_now()};
    int fam = 0;
    size_t need = count_kind(tc, K_NEED, &fam);
    if (tc->nports == 0)
        twtrack_clear(&tc->tw);
    if (!(tw_dirty && tc->nports) && !need && !tc->walk_due)
        return 0;
    if (!may_walk) {
        tc->walk_due = 1;
        return 0;
    }
    tc->walk_due = 0;
    tc->last_walk = w.now;
    if (tc->nports) {
        twtrack_clear(&tc->tw);
        if (dump(tc, AF_UNSPEC, ALL_STATES & ~BIT(PROCFS_TCP_LISTEN), tc->nports, &w, err) != 0)
            return -1;
        tc->last_refresh = w.now;
        fam = 0;
        need = count_kind(tc, K_NEED, &fam);
    }
    if (need) {
        w.count_tw = 0;
        int family = fam == 1 ? AF_INET : fam == 2 ? AF_INET6 : AF_UNSPEC;
        unsigned states = ALL_STATES & ~BIT(PROCFS_TCP_LISTEN) & ~BIT(PROCFS_TCP_TIME_WAIT);
        if (dump(tc, family, states, 0, &w, err) != 0)
            return -1;
        for (size_t i = 0; i < tc->ne; i++)
            if (tc->e[i].kind == K_NEED)
                tc->e[i].kind = K_UNHASHED;
    }
    return 0;
}

static void tally(const struct tcpcount *tc, struct procfs_sample *out)
{
    out->tcp_established = out->tcp_close_wait = out->tcp_listen = 0;
    for (size_t i = 0; i < tc->ne; i++) {
        const struct entry *e = &tc->e[i];
        out->tcp_listen += e->kind == K_LISTEN;
        out->tcp_established += e->kind == K_TCP && e->s.state == PROCFS_TCP_ESTABLISHED;
        out->tcp_close_wait += e->kind == K_TCP && e->s.state == PROCFS_TCP_CLOSE_WAIT;
    }
    out->tcp_time_wait = (double)twtrack_count(&tc->tw);
}

size_t tcpcount_drop_peers(const struct tcpcount *tc, const struct procfs_endpoint *own,
                           size_t nown, struct procfs_sample *out)
{
    size_t n = 0;
    for (size_t i = 0; i < tc->ne && nown; i++) {
        const struct entry *e = &tc->e[i];
        if (e->kind != K_TCP)
            continue;
        struct procfs_tcp row = {.family = e->s.family, .rport = e->s.dport};
        memcpy(row.remote, e->s.dst, sizeof(row.remote));
        if (!procfs_peer_is(&row, own, nown))
            continue;
        out->tcp_established -= e->s.state == PROCFS_TCP_ESTABLISHED;
        out->tcp_close_wait -= e->s.state == PROCFS_TCP_CLOSE_WAIT;
        n++;
    }
    return n;
}

int tcpcount_read(struct tcpcount *tc, const struct tcpcount_fd *socks, size_t n,
                  struct procfs_sample *out, struct lc_error *err)
{
    struct tcpcount_counters now;
    uint16_t ports[SOCKDIAG_MAX_PORTS];
    size_t np;
    if (same_netns(tc->pid, err) != 0)
        return -1;
    tc->st.rounds++;
    int have_now = tcpcount_read_counters(tc->pid, &tc->text, &now) == 0;
    int fresh = have_now && tc->have_ref;
    merge(tc, socks, n);
    struct walk w = {.tc = tc};
    struct sockdiag_query lq = {AF_UNSPEC, BIT(PROCFS_TCP_LISTEN), NULL, 0};
    if (sockdiag_dump(tc->sd, &lq, listen_cb, &w, err) != 0)
        return -1;
    if (listening_ports(tc, ports, &np) != 0) {
        lc_error_set(err, "process %ld listens on more than %d ports", (long)tc->pid,
                     SOCKDIAG_MAX_PORTS);
        return -1;
    }
    /* a connection accepted and closed since the last round left nothing
     * to look up: only PassiveOpens tells */
    int tw_dirty = !fresh || now.passive_opens != tc->ref.passive_opens || np != tc->nports ||
                   memcmp(ports, tc->ports, np * sizeof(*ports)) != 0 || tc->tw.overflow ||
                   lc_now() - tc->last_refresh >= REFRESH_S;
    memcpy(tc->ports, ports, np * sizeof(*ports));
    tc->nports = np;
    int may_walk = !tc->have_ref || lc_now() - tc->last_walk >= tc->walk_gap;
    if ((!tw_dirty || !may_walk) && np && twtrack_refresh(&tc->tw, tc->sd, lc_now(), &tc->st.lookups, err) != 0)
        return -1;
    classify(tc);
    /* sockets in no table are searched again once a connection was made */
    if (!fresh || now.active_opens != tc->ref.active_opens ||
        now.passive_opens != tc->ref.passive_opens)
        for (size_t i = 0; i < tc->ne; i++)
            if (tc->e[i].kind == K_UNHASHED)
                tc->e[i].kind = K_NEED;
    if (walks(tc, tw_dirty, may_walk, err) != 0 || lookups(tc, err) != 0)
        return -1;
    tc->ref = now;
    tc->have_ref = have_now;
    tally(tc, out);
    return 0;
}
