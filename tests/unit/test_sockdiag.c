/*
 * tests/unit/test_sockdiag.c: the sock_diag message parser on answers
 * captured from a real kernel (tests/data/sockdiag/, sockets.txt says
 * what the capture program made), cut short and tampered with; the port
 * filter's bytecode read by an independent copy of the kernel's audit and
 * interpreter (sockdiag_check.h), then sent to this kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/procfs.h"
#include "sources/sockdiag.h"
#include "tests/unit/sockdiag_check.h"
#include "tests/unit/tcp_helpers.h"

#define D "tests/data/sockdiag/"

/* One line of sockets.txt: "STATE FAMILY SPORT DPORT INODE". */
struct made {
    char state[16];
    int family;
    unsigned sport, dport;
    unsigned long inode;
};

static size_t load_made(struct made *m, size_t max, unsigned *lookup)
{
    FILE *f = fopen(D "sockets.txt", "r");
    char line[256];
    size_t n = 0;
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "LOOKUP %u %u %u", &lookup[0], &lookup[1], &lookup[2]) == 3)
            continue;
        assert_true(n < max);
        assert_int_equal(sscanf(line, "%15s %d %u %u %lu", m[n].state, &m[n].family, &m[n].sport,
                                &m[n].dport, &m[n].inode),
                         5);
        n++;
    }
    fclose(f);
    return n;
}

static unsigned char *load_bin(const char *name, size_t *len)
{
    struct lc_error err = {0};
    char path[128];
    snprintf(path, sizeof(path), D "%s", name);
    unsigned char *b = (unsigned char *)lc_read_file(path, 1u << 20, len, &err);
    if (!b)
        fail_msg("%s", err.msg);
    return b;
}

struct got {
    struct sockdiag_sock s[64];
    uint32_t seq[64];
    int error[64];
    size_t n;
    int stop_at; /* the callback refuses its nth call (1-based); 0: never */
};

static int got_cb(uint32_t seq, int error, const struct sockdiag_sock *s, void *arg)
{
    struct got *g = arg;
    assert_true(g->n < 64);
    assert_true(error ? s == NULL : s != NULL);
    g->seq[g->n] = seq;
    g->error[g->n] = error;
    if (s)
        g->s[g->n] = *s;
    g->n++;
    return (int)g->n == g->stop_at ? -1 : 0;
}

/* Parses NAME-0.bin and NAME-1.bin (the dump's NLMSG_DONE) with seq. */
static void parse_dump(const char *name, uint32_t seq, struct got *g)
{
    char file[64];
    struct lc_error err = {0};
    memset(g, 0, sizeof(*g));
    for (int k = 0; k < 2; k++) {
        size_t len;
        snprintf(file, sizeof(file), "%s-%d.bin", name, k);
        unsigned char *b = load_bin(file, &len);
        int rc = sockdiag_parse(b, len, seq, seq + 1, got_cb, g, &err);
        if (rc < 0)
            fail_msg("%s: %s", file, err.msg);
        assert_int_equal(rc, k == 1 ? SOCKDIAG_DONE : SOCKDIAG_MORE);
        free(b);
    }
}

static int state_of(const char *name)
{
    for (int s = 1; s <= 11; s++)
        if (strcmp(procfs_tcp_state_name(s), name) == 0)
            return s;
    return strcmp(name, "FIN_WAIT2") == 0 ? PROCFS_TCP_FIN_WAIT2 : -1;
}

/* The made sockets of `family` (0: all) and states `mask` are exactly in g. */
static void expect(const struct got *g, const struct made *m, size_t nm, int family, unsigned mask,
                   unsigned sport)
{
    size_t want = 0;
    for (size_t i = 0; i < nm; i++) {
        int st = state_of(m[i].state);
        if ((family && m[i].family != family) || !(mask & (1u << st)) ||
            (sport && m[i].sport != sport))
            continue;
        want++;
        size_t k = 0;
        while (k < g->n && !(g->s[k].sport == m[i].sport && g->s[k].dport == m[i].dport &&
                             g->s[k].family == m[i].family))
            k++;
        if (k == g->n)
            fail_msg("%s %u -> %u not in the answer", m[i].state, m[i].sport, m[i].dport);
        assert_int_equal(g->s[k].state, st);
        assert_int_equal(g->s[k].inode, m[i].inode);
        assert_int_equal(g->error[k], 0);
        /* loopback addresses, IPv4 ones mapped when the socket is IPv6 */
        static const unsigned char v6lo[16] = {[15] = 1};
        static const unsigned char mapped[16] = {[10] = 0xff, [11] = 0xff, 127, 0, 0, 1};
        const unsigned char *src = g->s[k].src;
        if (m[i].family == AF_INET)
            assert_memory_equal(src, "\x7f\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0", 16);
        else if (st != PROCFS_TCP_LISTEN)
            assert_true(!memcmp(src, v6lo, 16) || !memcmp(src, mapped, 16));
    }
    assert_int_equal(g->n, want); /* a namespace of its own: nothing else */
}

static void test_captured_dumps(void **state)
{
    (void)state;
    struct made m[32];
    unsigned lk[3];
    size_t nm = load_made(m, 32, lk);
    struct got g;
    parse_dump("v2-inet", 100, &g);
    expect(&g, m, nm, AF_INET, 0xfff, 0);
    parse_dump("v2-inet6", 200, &g);
    expect(&g, m, nm, AF_INET6, 0xfff, 0);
    parse_dump("compat-all", 300, &g);
    expect(&g, m, nm, 0, 0xfff, 0);
    parse_dump("compat-listen", 400, &g);
    expect(&g, m, nm, 0, 1u << PROCFS_TCP_LISTEN, 0);
    assert_int_equal(g.n, 2);
    /* filtered on L4's port: its accepted end, FIN_WAIT2 and TIME_WAIT */
    parse_dump("compat-port", 500, &g);
    expect(&g, m, nm, 0, 0xfff & ~(1u << PROCFS_TCP_LISTEN), m[0].sport);
    assert_int_equal(g.n, 3);
    /* answers to another request are stale: skipped, DONE included */
    size_t len;
    unsigned char *b = load_bin("compat-all-0.bin", &len);
    memset(&g, 0, sizeof(g));
    assert_int_equal(sockdiag_parse(b, len, 301, 400, got_cb, &g, NULL), SOCKDIAG_MORE);
    assert_int_equal(g.n, 0);
    free(b);
    b = load_bin("compat-all-1.bin", &len);
    assert_int_equal(sockdiag_parse(b, len, 301, 400, got_cb, &g, NULL), SOCKDIAG_MORE);
    free(b);
}

static void test_captured_lookups(void **state)
{
    (void)state;
    struct made m[32];
    unsigned lk[3];
    load_made(m, 32, lk);
    struct got g = {0};
    struct lc_error err = {0};
    for (int k = 0; k < 2; k++) {
        size_t len;
        char file[32];
        snprintf(file, sizeof(file), "lookup-%d.bin", k);
        unsigned char *b = load_bin(file, &len);
        assert_int_equal(sockdiag_parse(b, len, 600, 602, got_cb, &g, &err), SOCKDIAG_MORE);
        free(b);
    }
    assert_int_equal(g.n, 2);
    assert_true(g.seq[0] == 600 && g.error[0] == 0);
    assert_true(g.s[0].sport == lk[0] && g.s[0].dport == lk[1] && g.s[0].inode == lk[2]);
    assert_int_equal(g.s[0].state, PROCFS_TCP_ESTABLISHED);
    assert_true(g.seq[1] == 601 && g.error[1] == -ENOENT);
}

/* Each message boundary of a datagram, in order. */
static size_t boundaries(const unsigned char *b, size_t len, size_t *at, size_t max)
{
    size_t n = 0, off = 0;
    while (off < len && n < max) {
        struct nlmsghdr h;
        memcpy(&h, b + off, sizeof(h));
        off += NLMSG_ALIGN(h.nlmsg_len);
        at[n++] = off < len ? off : len;
    }
    return n;
}

/* Every cut of every captured answer: a cut between messages parses what
 * came before it; any other is an error with a message, never a read past
 * the end (the copy is exactly the cut's size, for the sanitizers). */
static void test_every_cut(void **state)
{
    (void)state;
    static const char *files[] = {"v2-inet-0.bin",    "v2-inet6-0.bin", "compat-all-0.bin",
                                  "compat-all-1.bin", "lookup-0.bin",   "lookup-1.bin"};
    static const uint32_t seqs[] = {100, 200, 300, 300, 600, 600};
    for (size_t f = 0; f < LC_ARRAY_LEN(files); f++) {
        size_t len, at[64];
        unsigned char *b = load_bin(files[f], &len);
        size_t nb = boundaries(b, len, at, 64);
        for (size_t cut = 1; cut < len; cut++) {
            unsigned char *c = lc_malloc(cut);
            memcpy(c, b, cut);
            struct got g = {0};
            struct lc_error err = {0};
            int rc = sockdiag_parse(c, cut, seqs[f], seqs[f] + 2, got_cb, &g, &err);
            int boundary = 0;
            for (size_t i = 0; i < nb; i++)
                boundary |= at[i] == cut;
            if (boundary) {
                assert_true(rc >= 0);
            } else {
                assert_int_equal(rc, -1);
                assert_true(err.msg[0] != '\0');
            }
            free(c);
        }
        free(b);
    }
}

/* A datagram of one message: header fields and a payload of plen bytes. */
static size_t one(unsigned char *out, uint16_t type, uint16_t flags, uint32_t seq,
                  const void *payload, size_t plen)
{
    struct nlmsghdr h = {.nlmsg_len = (uint32_t)(sizeof(h) + plen),
                         .nlmsg_type = type,
                         .nlmsg_flags = flags,
                         .nlmsg_seq = seq};
    memcpy(out, &h, sizeof(h));
    if (plen)
        memcpy(out + sizeof(h), payload, plen);
    return sizeof(h) + plen;
}

static int parse_fails(const unsigned char *b, size_t len, const char *words)
{
    struct got g = {0};
    struct lc_error err = {0};
    int rc = sockdiag_parse(b, len, 7, 8, got_cb, &g, &err);
    if (rc != -1 || !strstr(err.msg, words))
        fail_msg("want an error with \"%s\", got %d \"%s\"", words, rc, err.msg);
    return (int)g.n;
}

static void test_hostile_messages(void **state)
{
    (void)state;
    unsigned char b[512], msg[sizeof(struct inet_diag_msg)] = {0};
    struct inet_diag_msg m = {.idiag_family = AF_INET, .idiag_state = 1, .idiag_inode = 9};
    memcpy(msg, &m, sizeof(m));
    size_t len = one(b, SOCK_DIAG_BY_FAMILY, 0, 7, msg, sizeof(msg));
    struct nlmsghdr h;
    /* lengths that lie */
    static const uint32_t lies[] = {0, 15, 16 + sizeof(m) + 1, 0xffffffffu};
    for (size_t i = 0; i < LC_ARRAY_LEN(lies); i++) {
        memcpy(&h, b, sizeof(h));
        h.nlmsg_len = lies[i];
        memcpy(b, &h, sizeof(h));
        parse_fails(b, len, "claims");
    }
    /* a socket message too short for its struct, and an unknown family */
    len = one(b, SOCK_DIAG_BY_FAMILY, 0, 7, msg, sizeof(msg) - 1);
    parse_fails(b, len, "malformed");
    m.idiag_family = AF_UNIX;
    memcpy(msg, &m, sizeof(m));
    len = one(b, TCPDIAG_GETSOCK, 0, 7, msg, sizeof(msg));
    parse_fails(b, len, "malformed");
    /* errors: short, positive, absurd; a dump that ended in one */
    int e = -EPERM;
    len = one(b, NLMSG_ERROR, 0, 7, &e, 3);
    parse_fails(b, len, "malformed");
    e = 5;
    len = one(b, NLMSG_ERROR, 0, 7, &e, sizeof(e));
    parse_fails(b, len, "malformed");
    e = -100000;
    len = one(b, NLMSG_ERROR, 0, 7, &e, sizeof(e));
    parse_fails(b, len, "malformed");
    e = -EPERM;
    len = one(b, NLMSG_DONE, NLM_F_MULTI, 7, &e, sizeof(e));
    parse_fails(b, len, "failed");
    e = INT32_MIN; /* found by the fuzzer: -e overflowed */
    len = one(b, NLMSG_DONE, NLM_F_MULTI, 7, &e, sizeof(e));
    parse_fails(b, len, "malformed");
    /* an unknown type, an interrupted dump, a header cut short */
    len = one(b, 0x1234, 0, 7, msg, 8);
    parse_fails(b, len, "unexpected");
    m.idiag_family = AF_INET;
    memcpy(msg, &m, sizeof(m));
    len = one(b, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI | NLM_F_DUMP_INTR, 7, msg, sizeof(msg));
    parse_fails(b, len, "interrupted");
    parse_fails(b, 10, "truncated");
}

/* What the callback decides; messages that are nothing; any alignment. */
static void test_callback_and_alignment(void **state)
{
    (void)state;
    unsigned char b[512], msg[sizeof(struct inet_diag_msg)] = {0};
    struct inet_diag_msg m = {.idiag_family = AF_INET, .idiag_state = 1, .idiag_inode = 9};
    memcpy(msg, &m, sizeof(m));
    size_t len;
    int e;
    /* a refusal the callback does not accept, and a socket it stops at */
    e = -EINVAL;
    len = one(b, NLMSG_ERROR, 0, 7, &e, sizeof(e));
    struct got g = {.stop_at = 1};
    struct lc_error err = {0};
    assert_int_equal(sockdiag_parse(b, len, 7, 8, got_cb, &g, &err), -1);
    assert_non_null(strstr(err.msg, "refused"));
    len = one(b, SOCK_DIAG_BY_FAMILY, 0, 7, msg, sizeof(msg));
    len += one(b + len, SOCK_DIAG_BY_FAMILY, 0, 7, msg, sizeof(msg));
    memset(&g, 0, sizeof(g));
    g.stop_at = 1;
    assert_int_equal(sockdiag_parse(b, len, 7, 8, got_cb, &g, &err), -1);
    assert_int_equal(g.n, 1);
    /* an acknowledgement and a NOOP are nothing; the message need not be
     * aligned in memory; a last message without its padding is whole */
    e = 0;
    len = one(b + 1, NLMSG_ERROR, 0, 7, &e, sizeof(e));
    len += one(b + 1 + len, NLMSG_NOOP, 0, 7, NULL, 0);
    len += one(b + 1 + len, SOCK_DIAG_BY_FAMILY, 0, 7, msg, sizeof(msg) - 2 + 2);
    memset(&g, 0, sizeof(g));
    assert_int_equal(sockdiag_parse(b + 1, len, 7, 8, got_cb, &g, NULL), SOCKDIAG_MORE);
    assert_true(g.n == 1 && g.s[0].inode == 9 && g.s[0].family == AF_INET);
}

static void test_bytecode(void **state)
{
    (void)state;
    unsigned char bc[2048];
    uint16_t ports[SOCKDIAG_MAX_PORTS + 1];
    for (size_t i = 0; i <= SOCKDIAG_MAX_PORTS; i++)
        ports[i] = (uint16_t)(i == 0 ? 0 : i == 1 ? 65535 : 1000 + 37 * i);
    assert_int_equal(sockdiag_bytecode(ports, 0, bc, sizeof(bc)), 0);
    assert_int_equal(sockdiag_bytecode(ports, SOCKDIAG_MAX_PORTS + 1, bc, sizeof(bc)), 0);
    assert_int_equal(sockdiag_bytecode(ports, 2, bc, 10), 0);
    static const size_t counts[] = {1, 2, 3, 7, SOCKDIAG_MAX_PORTS};
    for (size_t c = 0; c < LC_ARRAY_LEN(counts); c++) {
        size_t n = counts[c], len = sockdiag_bytecode(ports, n, bc, sizeof(bc));
        assert_true(len > 0 && len % 4 == 0);
        assert_int_equal(bc_audit(bc, (int)len), 0);
        for (uint32_t p = 0; p <= 65535; p++) {
            int want = 0;
            for (size_t i = 0; i < n; i++)
                want |= ports[i] == p;
            if (bc_run(bc, (int)len, (uint16_t)p, (uint16_t)(p ^ 0x5a5a)) != want)
                fail_msg("%zu ports: sport %u %s", n, p, want ? "rejected" : "accepted");
        }
    }
}

/* A listener of our own found by a filtered dump of this kernel, and the
 * filter really applied: a port nobody listens on finds nothing. */
static int found_port;
static unsigned long want_inode;
static void live_cb(const struct sockdiag_sock *s, void *arg)
{
    (*(int *)arg)++;
    if (s->inode == want_inode && s->state == PROCFS_TCP_LISTEN)
        found_port = s->sport;
}

static void test_live_filter(void **state)
{
    (void)state;
    struct lc_error err = {0};
    struct sockdiag *sd = sockdiag_or_skip();
    uint16_t port = 0;
    int l = listener(AF_INET, &port);
    struct stat st;
    assert_int_equal(fstat(l, &st), 0);
    want_inode = st.st_ino;
    uint16_t ports[3] = {1, port, 2};
    /* both families in one walk (TCPDIAG_GETSOCK), then IPv4 alone (v2) */
    static const int families[] = {AF_UNSPEC, AF_INET};
    int count = 0;
    for (size_t i = 0; i < LC_ARRAY_LEN(families); i++) {
        struct sockdiag_query q = {families[i], 1u << PROCFS_TCP_LISTEN, ports, 3};
        found_port = 0, count = 0;
        assert_int_equal(sockdiag_dump(sd, &q, live_cb, &count, &err), 0);
        assert_int_equal(found_port, port);
        assert_int_equal(count, 1);
    }
    struct sockdiag_query none = {AF_UNSPEC, 1u << PROCFS_TCP_LISTEN, ports, 1};
    count = 0;
    assert_int_equal(sockdiag_dump(sd, &none, live_cb, &count, &err), 0);
    assert_int_equal(count, 0);
    struct sockdiag_query bad = {AF_UNIX, 1, NULL, 0};
    assert_int_equal(sockdiag_dump(sd, &bad, live_cb, &count, &err), -1);
    close(l);
    sockdiag_free(sd);
    sockdiag_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captured_dumps),
        cmocka_unit_test(test_captured_lookups),
        cmocka_unit_test(test_every_cut),
        cmocka_unit_test(test_hostile_messages),
        cmocka_unit_test(test_callback_and_alignment),
        cmocka_unit_test(test_bytecode),
        cmocka_unit_test(test_live_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
