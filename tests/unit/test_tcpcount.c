/*
 * tests/unit/test_tcpcount.c: a process's TCP figures from sock_diag
 * against the same figures from /proc/PID/net/tcp (procfs_read_from with
 * each source) on real loopback sockets this test makes and closes, and
 * against what the test knows it made; the rounds' cost (no walk of the
 * kernel's table when nothing changed) in a network namespace of the
 * test's own; the fallbacks (another namespace, too many listening
 * ports); the namespace counters' parser on captured texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "sources/procfs_internal.h"
#include "sources/sockdiag.h"
#include "sources/tcpcount.h"
#include "tests/unit/tcp_helpers.h"

#define C "tests/data/proc/net-counters/"

static char *load(const char *path)
{
    struct lc_error err = {0};
    char *t = lc_read_file(path, 1u << 20, NULL, &err);
    if (!t)
        fail_msg("%s", err.msg);
    return t;
}

/* The value of column name in the table of prefix, read independently. */
static uint64_t column_of(const char *text, const char *prefix, const char *name)
{
    char *copy = lc_strdup(text), *save = NULL, *head = NULL, *vals = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        if (strncmp(l, prefix, strlen(prefix)) == 0 && l[strlen(prefix)] == ':')
            *(head ? &vals : &head) = l;
    assert_non_null(vals);
    char *hs = NULL, *vs = NULL, *h = strtok_r(head, " ", &hs), *v = strtok_r(vals, " ", &vs);
    while (h && v && strcmp(h, name) != 0)
        h = strtok_r(NULL, " ", &hs), v = strtok_r(NULL, " ", &vs);
    assert_non_null(v);
    uint64_t x = strtoull(v, NULL, 10);
    free(copy);
    return x;
}

static void test_counters(void **state)
{
    (void)state;
    char *snmp = load(C "snmp");
    struct tcpcount_counters c;
    assert_int_equal(tcpcount_parse_counters(snmp, &c), 0);
    assert_true(c.active_opens == column_of(snmp, "Tcp", "ActiveOpens"));
    assert_true(c.passive_opens == column_of(snmp, "Tcp", "PassiveOpens"));
    assert_true(c.passive_opens > 0 && c.active_opens > 0);
    /* missing pieces, a value that is not a number, a header alone */
    assert_int_equal(tcpcount_parse_counters(NULL, &c), -1);
    assert_int_equal(tcpcount_parse_counters("Udp: InDatagrams\nUdp: 5\n", &c), -1);
    assert_int_equal(tcpcount_parse_counters("Tcp: ActiveOpens\n", &c), -1);
    assert_int_equal(tcpcount_parse_counters("Tcp: ActiveOpens PassiveOpens\nTcp: 1\n", &c), -1);
    assert_int_equal(tcpcount_parse_counters("Tcp: ActiveOpens PassiveOpens\nTcp: 1 x\n", &c), -1);
    assert_int_equal(tcpcount_parse_counters("Tcp: ActiveOpens PassiveOpens\nIp: 1 2\n", &c), -1);
    /* "TcpExt:" is another table; values must follow their header */
    assert_int_equal(tcpcount_parse_counters("TcpExt: ActiveOpens PassiveOpens\nTcpExt: 1 2\n", &c),
                     -1);
    assert_int_equal(tcpcount_parse_counters("Ip: 1\nTcp: MaxConn ActiveOpens PassiveOpens\n"
                                             "Tcp: -1 3 4",
                                             &c),
                     0);
    assert_true(c.active_opens == 3 && c.passive_opens == 4);
    free(snmp);
}

/* The four figures of this process from one source. */
static struct procfs_sample read_src(enum procfs_tcp_source src)
{
    struct procfs_sample s;
    struct lc_error err = {0};
    if (procfs_read_from(getpid(), src, &s, &err) != 0)
        fail_msg("procfs_read_from(%d): %s", (int)src, err.msg);
    assert_int_equal(s.tcp_netlink, src == PROCFS_TCP_NETLINK);
    return s;
}

struct want {
    double est, cw, tw, listen;
};

static int same(const struct procfs_sample *s, const struct want *w)
{
    return s->tcp_established == w->est && s->tcp_close_wait == w->cw &&
           s->tcp_time_wait == w->tw && s->tcp_listen == w->listen;
}

/* Both sources reach what the test made (the kernel moves sockets between
 * states a moment after a close). */
static void both_reach(const struct want *w, const char *step)
{
    struct procfs_sample n, t;
    /* well within the 5 s after which a walk is due anyway */
    for (double end = lc_now() + 1.0; lc_now() < end;) {
        n = read_src(PROCFS_TCP_NETLINK);
        t = read_src(PROCFS_TCP_TABLES);
        if (same(&n, w) && same(&t, w))
            return;
        usleep(2000);
    }
    fail_msg("%s: want est %g cw %g tw %g listen %g; netlink %g %g %g %g; tables %g %g %g %g", step,
             w->est, w->cw, w->tw, w->listen, n.tcp_established, n.tcp_close_wait, n.tcp_time_wait,
             n.tcp_listen, t.tcp_established, t.tcp_close_wait, t.tcp_time_wait, t.tcp_listen);
}

/* 1 when the test runs in a network namespace of its own. */
static int private_netns;

static int have_netlink(void)
{
    struct procfs_sample s;
    struct lc_error err = {0};
    procfs_tcp_forget(getpid());
    if (procfs_read_from(getpid(), PROCFS_TCP_NETLINK, &s, &err) == 0)
        return 1;
    print_message("no sock_diag here (%s): skipped\n", err.msg);
    return 0;
}

/*
 * A random walk of opens and closes (fixed seed): after each step both
 * sources must reach what the test knows it has. Listeners are IPv4,
 * IPv6, and dual-stack IPv6 reached over IPv4 (its accepted ends are
 * IPv6 sockets with mapped addresses).
 */
enum { LISTENERS = 3, PAIRS = 24 };
struct pair {
    int c, s; /* -1 once closed */
    int on;   /* listener index */
};
struct world {
    int l[LISTENERS];
    uint16_t port[LISTENERS];
    int cfamily[LISTENERS];
    struct pair p[PAIRS];
    double tw_on[LISTENERS]; /* TIME_WAIT sockets on each listener's port */
    struct want w;
};

static void step(struct world *wd, unsigned r)
{
    struct pair *p = &wd->p[r % PAIRS];
    int on = (int)(r % LISTENERS), c, s;
    switch ((r / PAIRS) % 5) {
    case 4: /* accepted and closed, server first, between two rounds: no fd
             * ever showed it, TIME_WAIT on the listening port */
        if (wd->l[on] < 0)
            return;
        connect_pair(wd->cfamily[on], wd->l[on], wd->port[on], &c, &s);
        close(s);
        usleep(1000); /* the FIN reaches the client before it closes */
        close(c);
        wd->tw_on[on]++, wd->w.tw++;
        return;
    case 0: /* open a pair where there is none */
        if (p->c >= 0 || p->s >= 0)
            return;
        p->on = (int)(r % LISTENERS);
        if (wd->l[p->on] < 0)
            return;
        connect_pair(wd->cfamily[p->on], wd->l[p->on], wd->port[p->on], &p->c, &p->s);
        wd->w.est += 2;
        return;
    case 1: /* the server closes first: the client in CLOSE_WAIT */
        if (p->s < 0)
            return;
        close(p->s), p->s = -1;
        wd->w.est -= p->c >= 0 ? 2 : 0;
        wd->w.cw += p->c >= 0 ? 1 : -1;
        return;
    case 2: /* the client closes: the server's end, if it closed first,
             * goes TIME_WAIT on the listening port */
        if (p->c < 0)
            return;
        close(p->c), p->c = -1;
        if (p->s >= 0) {
            wd->w.est -= 2, wd->w.cw += 1; /* the server's end now */
        } else {
            wd->w.cw -= 1;
            if (wd->l[p->on] >= 0)
                wd->tw_on[p->on]++, wd->w.tw++;
        }
        return;
    default: /* the client closes first, then the server: TIME_WAIT on the
              * client's port, not counted */
        if (p->c < 0 || p->s < 0)
            return;
        close(p->c), p->c = -1;
        wd->w.est -= 2, wd->w.cw += 1;
        return;
    }
}

static void test_random_walk_matches_tables(void **state)
{
    (void)state;
    if (!have_netlink())
        skip();
    struct world wd;
    memset(&wd, 0, sizeof(wd));
    static const int lf[LISTENERS] = {AF_INET, AF_INET6, AF_INET6};
    static const int cf[LISTENERS] = {AF_INET, AF_INET6, AF_INET};
    struct procfs_sample base = read_src(PROCFS_TCP_TABLES);
    for (int i = 0; i < LISTENERS; i++) {
        wd.l[i] = listener_on(lf[i], i == 2, &wd.port[i]);
        wd.cfamily[i] = cf[i];
        wd.w.listen += wd.l[i] >= 0;
    }
    if (wd.l[1] < 0)
        print_message("no IPv6 loopback: IPv4 only\n");
    for (int i = 0; i < PAIRS; i++)
        wd.p[i] = (struct pair){-1, -1, 0};
    wd.w.est += base.tcp_established;
    wd.w.cw += base.tcp_close_wait;
    wd.w.listen += base.tcp_listen;
    wd.w.tw += base.tcp_time_wait;
    unsigned seed = 12345;
    char what[64];
    for (int i = 0; i < 160; i++) {
        seed = seed * 1103515245u + 12345u;
        step(&wd, (seed >> 8) % (PAIRS * 5));
        snprintf(what, sizeof(what), "step %d", i);
        both_reach(&wd.w, what);
        if (i == 120) { /* a listener goes: its port's TIME_WAIT is not ours any more */
            close(wd.l[0]), wd.l[0] = -1;
            wd.w.listen -= 1;
            wd.w.tw -= wd.tw_on[0];
            assert_true(wd.tw_on[0] > 0);
            both_reach(&wd.w, "listener closed");
        }
    }
    for (int i = 0; i < PAIRS; i++) {
        if (wd.p[i].c >= 0)
            close(wd.p[i].c);
        if (wd.p[i].s >= 0)
            close(wd.p[i].s);
    }
    for (int i = 0; i < LISTENERS; i++)
        if (wd.l[i] >= 0)
            close(wd.l[i]);
}

static struct tcpcount_stats stats(void)
{
    struct tcpcount_stats st;
    assert_int_equal(procfs_tcp_get_stats(getpid(), &st), 0);
    return st;
}

/* Waits until the NETLINK figures are w; returns the stats before the
 * round that got there (to tell what that round did). */
static struct tcpcount_stats reach(const struct want *w, const char *what)
{
    for (double end = lc_now() + 1.0; lc_now() < end; usleep(2000)) {
        struct tcpcount_stats before = stats();
        struct procfs_sample n = read_src(PROCFS_TCP_NETLINK);
        if (same(&n, w))
            return before;
    }
    fail_msg("%s: never reached", what);
    return stats();
}

/*
 * Quiet rounds walk nothing; each change walks what it needs. Only
 * meaningful where nobody else's sockets move the namespace's counters:
 * in a namespace of the test's own (main), else skipped.
 */
static void test_quiet_rounds_do_not_walk(void **state)
{
    (void)state;
    if (!private_netns || !have_netlink())
        skip();
    struct procfs_sample base = read_src(PROCFS_TCP_TABLES);
    uint16_t port = 0;
    int l = listener(AF_INET, &port), c, s, c2, s2, sp[2];
    int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(l >= 0 && u >= 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
    connect_pair(AF_INET, l, port, &c, &s);
    struct want w = {base.tcp_established + 2, base.tcp_close_wait, base.tcp_time_wait,
                     base.tcp_listen + 1};
    reach(&w, "first");
    struct tcpcount_stats a = stats(), b;
    for (int i = 0; i < 10; i++) {
        struct procfs_sample n = read_src(PROCFS_TCP_NETLINK);
        assert_true(same(&n, &w));
    }
    b = stats();
    assert_int_equal(b.filtered_walks, a.filtered_walks);
    assert_int_equal(b.full_walks, a.full_walks);
    assert_int_equal(b.protocol_reads, a.protocol_reads); /* UDP, UNIX: asked once */
    assert_int_equal(b.lookups - a.lookups, 10 * 2);      /* c and s */
    /* an accepted socket is found by the filtered dump, its client (an
     * ephemeral port) needs the full one */
    connect_pair(AF_INET, l, port, &c2, &s2);
    w.est += 2;
    a = reach(&w, "second pair");
    b = stats();
    assert_true(b.filtered_walks == a.filtered_walks + 1 && b.full_walks == a.full_walks + 1);
    /* the server closes first (FIN_WAIT2, no fd), then, rounds later, the
     * client: TIME_WAIT on the listening port with no counter moved */
    close(s2);
    w.est -= 2, w.cw += 1;
    reach(&w, "server closed");
    a = stats();
    read_src(PROCFS_TCP_NETLINK);
    b = stats();
    assert_int_equal(b.filtered_walks, a.filtered_walks);
    close(c2);
    w.cw -= 1, w.tw += 1;
    reach(&w, "client closed");
    close(c), close(s), close(l), close(u), close(sp[0]), close(sp[1]);
}

/* A TCP socket in no table (not connected yet; reset by its peer) counts
 * nowhere, and once connected it counts. */
static void test_unhashed_sockets(void **state)
{
    (void)state;
    if (!have_netlink())
        skip();
    uint16_t port = 0;
    int l = listener(AF_INET, &port), c, s;
    struct procfs_sample base = read_src(PROCFS_TCP_TABLES);
    struct want w = {base.tcp_established, base.tcp_close_wait, base.tcp_time_wait,
                     base.tcp_listen};
    int fresh = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    both_reach(&w, "an unconnected socket");
    struct sockaddr_storage a;
    socklen_t len = loopback(AF_INET, port, &a);
    assert_int_equal(connect(fresh, (struct sockaddr *)&a, len), 0);
    int acc = accept(l, NULL, NULL);
    w.est += 2;
    both_reach(&w, "the socket connected");
    /* the client resets: the server's end leaves every table, its fd stays */
    connect_pair(AF_INET, l, port, &c, &s);
    w.est += 2;
    both_reach(&w, "a second pair");
    struct linger lg = {1, 0};
    assert_int_equal(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
    close(c);
    w.est -= 2;
    both_reach(&w, "reset");
    close(s), close(fresh), close(acc), close(l);
}

/*
 * Churn under a 1 s walk gap: a connection accepted and closed (server
 * first) every 20 ms for 2.5 s makes every round want a walk; the rounds
 * walk at most once a second and the figures still reach the tables' once
 * the churn stops, within the gap.
 */
static void test_churn_walks_once_per_gap(void **state)
{
    (void)state;
    if (!have_netlink())
        skip();
    procfs_tcp_set_walk_gap(1.0);
    procfs_tcp_forget(getpid());
    uint16_t port = 0;
    int l = listener(AF_INET, &port), c, s;
    assert_true(l >= 0);
    read_src(PROCFS_TCP_NETLINK); /* the first round walks */
    struct tcpcount_stats a = stats(), b;
    double start = lc_now();
    int n = 0;
    for (; lc_now() - start < 2.5; n++) {
        connect_pair(AF_INET, l, port, &c, &s);
        close(s);
        usleep(1000);
        close(c);
        read_src(PROCFS_TCP_NETLINK);
        usleep(20000);
    }
    b = stats();
    double secs = lc_now() - start;
    unsigned long walks = b.filtered_walks - a.filtered_walks + b.full_walks - a.full_walks;
    print_message("%d churned rounds in %.2f s: %lu walks\n", n, secs, walks);
    assert_true(n >= 40 && walks >= 1 && walks <= (unsigned long)secs + 1);
    struct procfs_sample t = read_src(PROCFS_TCP_TABLES), x = read_src(PROCFS_TCP_NETLINK);
    struct want w = {t.tcp_established, t.tcp_close_wait, t.tcp_time_wait, t.tcp_listen};
    for (double end = lc_now() + 1.5; !same(&x, &w) && lc_now() < end; usleep(20000))
        x = read_src(PROCFS_TCP_NETLINK);
    assert_true(same(&x, &w));
    close(l);
    procfs_tcp_set_walk_gap(0);
    procfs_tcp_forget(getpid());
}

/* More listening ports than a filter holds: the tables count them. */
static void test_many_listeners_fall_back(void **state)
{
    (void)state;
    if (!have_netlink())
        skip();
    enum { N = SOCKDIAG_MAX_PORTS + 1 };
    int l[N];
    uint16_t port;
    struct procfs_sample base = read_src(PROCFS_TCP_TABLES), s;
    for (int i = 0; i < N; i++)
        assert_true((l[i] = listener(AF_INET, &port)) >= 0);
    struct lc_error err = {0};
    assert_int_equal(procfs_read_from(getpid(), PROCFS_TCP_NETLINK, &s, &err), -1);
    assert_non_null(strstr(err.msg, "more than 64"));
    assert_int_equal(procfs_read(getpid(), &s, &err), 0);
    assert_true(s.tcp_netlink == 0 && s.tcp_listen == base.tcp_listen + N);
    for (int i = 0; i < N; i++)
        close(l[i]);
    procfs_tcp_forget(getpid());
    assert_int_equal(procfs_read(getpid(), &s, &err), 0);
    assert_true(s.tcp_netlink == 1 && s.tcp_listen == base.tcp_listen);
}

/* A process in another network namespace: sock_diag would see ours, so
 * its figures come from its own /proc/PID/net/tcp. */
static void test_other_netns_falls_back(void **state)
{
    (void)state;
    int up[2], down[2];
    assert_int_equal(pipe(up), 0);
    assert_int_equal(pipe(down), 0);
    pid_t kid = fork();
    assert_true(kid >= 0);
    if (kid == 0) {
        close(up[0]);
        close(down[1]);
        char ok = enter_private_netns() ? 'y' : 'n', x;
        uint16_t port = 0;
        int l = ok == 'y' ? listener(AF_INET, &port) : -1, c = -1, s = -1;
        if (l >= 0) {
            struct sockaddr_storage a;
            socklen_t len = loopback(AF_INET, port, &a);
            c = socket(AF_INET, SOCK_STREAM, 0);
            if (connect(c, (struct sockaddr *)&a, len) != 0 || (s = accept(l, NULL, NULL)) < 0)
                ok = 'n';
        }
        if (write(up[1], &ok, 1) != 1 || read(down[0], &x, 1) < 0)
            _exit(1);
        _exit(0);
    }
    close(up[1]);
    close(down[0]);
    char ok = 0;
    assert_int_equal(read(up[0], &ok, 1), 1);
    if (ok == 'y') {
        struct procfs_sample s;
        struct lc_error err = {0};
        assert_int_equal(procfs_read(kid, &s, &err), 0);
        assert_int_equal(s.tcp_netlink, 0);
        assert_true(s.tcp_listen == 1 && s.tcp_established == 2);
        assert_int_equal(procfs_read_from(kid, PROCFS_TCP_NETLINK, &s, &err), -1);
        assert_non_null(strstr(err.msg, "another network namespace"));
    }
    close(down[1]);
    close(up[0]);
    int st;
    assert_int_equal(waitpid(kid, &st, 0), kid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    if (ok != 'y')
        skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_random_walk_matches_tables),
        cmocka_unit_test(test_quiet_rounds_do_not_walk),
        cmocka_unit_test(test_unhashed_sockets),
        cmocka_unit_test(test_churn_walks_once_per_gap),
        cmocka_unit_test(test_many_listeners_fall_back),
        cmocka_unit_test(test_other_netns_falls_back),
    };
    procfs_tcp_set_walk_gap(0); /* each change seen at once, but in the churn test */
    private_netns = enter_private_netns();
    if (!private_netns)
        print_message("other processes' sockets move the counters here: the cost test is "
                      "skipped\n");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
