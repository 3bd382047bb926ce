/*
 * tests/unit/test_procfs.c: /proc texts captured from the Go capture program
 * (tests/data/proc/go-capture/, with sockets.txt: the sockets it made and
 * their states, as it printed them), and procfs_read on this very process:
 * counts that move by what the test opens, and ESRCH for a gone child.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sources/procfs.h"
#include "tests/unit/tcp_helpers.h"

#define D "tests/data/proc/go-capture/"

static char *load(const char *path)
{
    struct lc_error err = {0};
    char *t = lc_read_file(path, 16u << 20, NULL, &err);
    if (!t)
        fail_msg("%s", err.msg);
    return t;
}

struct tables {
    struct procfs_tcp *rows;
    size_t n, cap, n4;
};

static void load_tables(struct tables *t)
{
    const char *files[] = {D "net_tcp", D "net_tcp6"};
    memset(t, 0, sizeof(*t));
    for (int i = 0; i < 2; i++) {
        char *text = load(files[i]);
        struct lc_error err = {0};
        size_t before = t->n, lines = 0;
        if (procfs_parse_net_tcp(text, i ? AF_INET6 : AF_INET, &t->rows, &t->n, &t->cap, &err))
            fail_msg("%s: %d: %s", files[i], err.line, err.msg);
        for (char *s = text; *s; s++)
            lines += *s == '\n';
        assert_int_equal(t->n - before, lines - 1); /* all rows but the header */
        if (i == 0)
            t->n4 = t->n;
        free(text);
    }
}

/* One line of sockets.txt: "TABLE STATE LIP LPORT RIP RPORT OWNER". */
struct sock {
    char table[8], state[16], lip[64], rip[64], owner[8];
    unsigned lport, rport;
};

static size_t load_socks(struct sock *s, size_t max)
{
    char *text = load(D "sockets.txt"), *save = NULL;
    size_t n = 0;
    for (char *l = strtok_r(text, "\n", &save); l && n < max; l = strtok_r(NULL, "\n", &save)) {
        struct sock *k = &s[n++];
        assert_int_equal(sscanf(l, "%7s %15s %63s %u %63s %u %7s", k->table, k->state, k->lip,
                                &k->lport, k->rip, &k->rport, k->owner),
                         7);
    }
    free(text);
    assert_true(n >= 10);
    return n;
}

static const struct procfs_tcp *row_of(const struct tables *t, const struct sock *k)
{
    int v6 = strcmp(k->table, "tcp6") == 0;
    unsigned char la[16] = {0}, ra[16] = {0};
    assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, k->lip, la), 1);
    assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, k->rip, ra), 1);
    size_t from = v6 ? t->n4 : 0, to = v6 ? t->n : t->n4;
    for (size_t i = from; i < to; i++) {
        const struct procfs_tcp *r = &t->rows[i];
        if (r->lport == k->lport && r->rport == k->rport && !memcmp(r->local, la, v6 ? 16 : 4) &&
            !memcmp(r->remote, ra, v6 ? 16 : 4))
            return r;
    }
    fail_msg("no row for %s %s:%u", k->table, k->lip, k->lport);
    return NULL;
}

static void test_captured_rows_have_known_states(void **state)
{
    (void)state;
    struct tables t;
    struct sock socks[64];
    load_tables(&t);
    size_t n = load_socks(socks, LC_ARRAY_LEN(socks));
    size_t mapped = 0;
    for (size_t i = 0; i < n; i++) {
        const struct procfs_tcp *r = row_of(&t, &socks[i]);
        assert_string_equal(procfs_tcp_state_name(r->state), socks[i].state);
        assert_int_equal(r->family, strcmp(socks[i].table, "tcp6") ? AF_INET : AF_INET6);
        /* TIME_WAIT sockets belong to no process: inode 0 */
        assert_int_equal(r->inode == 0, strcmp(socks[i].owner, "none") == 0);
        static const unsigned char v4mapped[12] = {[10] = 0xff, [11] = 0xff};
        if (r->family == AF_INET6 && !memcmp(r->local, v4mapped, 12)) {
            assert_memory_equal(r->local + 12, "\x7f\0\0\x01", 4);
            mapped++;
        }
    }
    assert_int_equal(mapped, 2);
    assert_string_equal(procfs_tcp_state_name(PROCFS_TCP_LISTEN), "LISTEN");
    assert_string_equal(procfs_tcp_state_name(99), "UNKNOWN");
    assert_string_equal(procfs_tcp_state_name(0), "UNKNOWN");
    free(t.rows);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The capture program's fds (fd.txt) joined with the tables give exactly
 * the sockets it says it owns; TIME_WAIT counts only on its listening ports. */
static void test_captured_tally(void **state)
{
    (void)state;
    struct tables t;
    struct sock socks[64];
    load_tables(&t);
    size_t n = load_socks(socks, LC_ARRAY_LEN(socks));
    uint64_t inodes[256];
    size_t ni = 0;
    char *fds = load(D "fd.txt");
    for (char *s = strstr(fds, "socket:["); s && ni < 256; s = strstr(s + 1, "socket:["))
        inodes[ni++] = strtoull(s + 8, NULL, 10);
    free(fds);
    qsort(inodes, ni, sizeof(*inodes), cmp_u64);
    double est = 0, cw = 0, lis = 0, tw = 0;
    for (size_t i = 0; i < n; i++) {
        const char *st = socks[i].state;
        est += !strcmp(st, "ESTABLISHED"), cw += !strcmp(st, "CLOSE_WAIT");
        lis += !strcmp(st, "LISTEN");
        for (size_t k = 0; k < n && !strcmp(st, "TIME_WAIT"); k++)
            tw += !strcmp(socks[k].state, "LISTEN") && socks[k].lport == socks[i].lport;
    }
    assert_int_equal(ni, est + cw + lis); /* all its sockets are TCP ones */
    struct procfs_sample out = {.fds = 7};
    procfs_tally_tcp(t.rows, t.n, inodes, ni, &out);
    assert_true(out.tcp_established == est && out.tcp_close_wait == cw);
    assert_true(out.tcp_listen == lis && out.tcp_time_wait == tw);
    assert_true(tw == 1 && out.fds == 7);
    procfs_tally_tcp(t.rows, t.n, NULL, 0, &out);
    assert_true(out.tcp_established == 0 && out.tcp_time_wait == 0);
    free(t.rows);
}

static void test_status_and_limits(void **state)
{
    (void)state;
    char *st = load(D "status"), *lim = load(D "limits");
    double threads = 0, rss = 0, soft = 0, want;
    assert_int_equal(procfs_parse_status(st, &threads, &rss), 0);
    assert_int_equal(sscanf(strstr(st, "\nThreads:"), "\nThreads: %lf", &want), 1);
    assert_true(threads == want && threads >= 2);
    assert_int_equal(sscanf(strstr(st, "\nVmRSS:"), "\nVmRSS: %lf kB", &want), 1);
    assert_true(rss == want * 1024);
    assert_int_equal(procfs_parse_limits(lim, &soft), 0);
    assert_int_equal(sscanf(strstr(lim, "Max open files"), "Max open files %lf", &want), 1);
    assert_true(soft == want);
    /* the same text with the soft limit "unlimited" */
    char *m = strstr(lim, "Max open files") + 14;
    m += strspn(m, " ");
    size_t digits = strspn(m, "0123456789");
    struct lc_buf b = {0};
    lc_buf_append(&b, lim, (size_t)(m - lim));
    lc_buf_puts(&b, "unlimited");
    lc_buf_puts(&b, m + digits);
    assert_int_equal(procfs_parse_limits(b.data, &soft), 0);
    assert_true(soft == -1);
    /* a kernel thread has no VmRSS line */
    char *vm = strstr(st, "\nVmRSS:");
    memcpy(vm + 1, "VmXXX", 5);
    assert_int_equal(procfs_parse_status(st, &threads, &rss), -1);
    assert_int_equal(procfs_parse_limits("Limit Soft Limit\nMax processes 5 5\n", &soft), -1);
    lc_buf_free(&b);
    free(st);
    free(lim);
}

static void test_malformed_rows(void **state)
{
    (void)state;
    static const char *bad[] = {
        "  sl  local_address\n   0: 0100007F:1F90 00000000:0000 0A 0:0 0:0 0 0 0\n",
        "  sl  local_address\n   0: 0100007G:1F90 00000000:0000 0A 0:0 0:0 0 0 0 12\n",
        "  sl  local_address\n   0: 0100007F1F90x 00000000:0000 0A 0:0 0:0 0 0 0 12\n",
        "  sl  local_address\n   0: 0100007F:1F90 00000000:0000 0A1 0:0 0:0 0 0 0 12\n",
        "  sl  local_address\n   0: 0100007F:1F90 00000000:0000 0A 0:0 0:0 0 0 0 1x\n",
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(bad); i++) {
        struct procfs_tcp *rows = NULL;
        size_t n = 0, cap = 0;
        struct lc_error err = {0};
        assert_int_equal(procfs_parse_net_tcp(bad[i], AF_INET, &rows, &n, &cap, &err), -1);
        assert_int_equal(err.line, 2);
        assert_non_null(strstr(err.msg, "malformed"));
        free(rows);
    }
    struct procfs_tcp *rows = NULL;
    size_t n = 0, cap = 0;
    const char *v4row = "   0: 0100007F:1F90 00000000:0000 0A 0:0 0:0 0 0 0 12\n";
    assert_int_equal(procfs_parse_net_tcp(v4row, AF_INET6, &rows, &n, &cap, NULL), -1);
    assert_int_equal(procfs_parse_net_tcp(v4row, AF_INET, &rows, &n, &cap, NULL), 0);
    assert_true(n == 1 && rows[0].lport == 8080 && rows[0].inode == 12);
    assert_memory_equal(rows[0].local, "\x7f\0\0\x01", 4);
    free(rows);
}

static struct procfs_sample now(void)
{
    struct procfs_sample s;
    struct lc_error err = {0};
    if (procfs_read(getpid(), &s, &err) != 0)
        fail_msg("procfs_read: %s", err.msg);
    return s;
}

/* Polls until `field` of this process reaches want (the kernel moves
 * sockets between states a moment after close). */
static void wait_for(size_t field, double want)
{
    for (int i = 0; i < 200; i++) {
        struct procfs_sample s = now();
        if (*(double *)((char *)&s + field) == want)
            return;
        usleep(10000);
    }
    fail_msg("counter at offset %zu never reached %g", field, want);
}

static void test_live_fds_and_sockets(void **state)
{
    (void)state;
    enum { N = 20, M = 5 };
    struct procfs_sample base = now(), s;
    int files[N], c[M], sv[M];
    for (int i = 0; i < N; i++)
        files[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    s = now();
    assert_true(s.fds == base.fds + N && s.sockets == base.sockets);
    uint16_t port = 0;
    int l = listener(AF_INET, &port);
    assert_true(l >= 0);
    for (int i = 0; i < M; i++)
        connect_pair(AF_INET, l, port, &c[i], &sv[i]);
    s = now();
    assert_true(s.fds == base.fds + N + 1 + 2 * M);
    assert_true(s.sockets == base.sockets + 1 + 2 * M);
    assert_true(s.tcp_listen == base.tcp_listen + 1);
    assert_true(s.tcp_established == base.tcp_established + 2 * M);
    /* the kernel's soft limit (valgrind shows getrlimit a lower one) */
    char *lim = load("/proc/self/limits");
    double soft = 0;
    assert_int_equal(sscanf(strstr(lim, "Max open files"), "Max open files %lf", &soft), 1);
    assert_true(s.fd_limit == soft && soft >= 64);
    free(lim);
    for (int i = 0; i < N; i++)
        close(files[i]);
    for (int i = 0; i < M; i++)
        close(c[i]), close(sv[i]);
    close(l);
    s = now();
    assert_true(s.fds == base.fds && s.sockets == base.sockets);
    assert_true(s.tcp_listen == base.tcp_listen);
}

/* The server closes first: the client end sits in CLOSE_WAIT; then the
 * client closes and the server end lingers in TIME_WAIT on the listening
 * port, counted although no process owns it. */
static void close_wait_then_time_wait(int family)
{
    uint16_t port = 0;
    int l = listener(family, &port), c, sv;
    if (l < 0 && family == AF_INET6)
        return; /* no IPv6 loopback here */
    assert_true(l >= 0);
    struct procfs_sample base = now();
    connect_pair(family, l, port, &c, &sv);
    close(sv);
    wait_for(offsetof(struct procfs_sample, tcp_close_wait), base.tcp_close_wait + 1);
    close(c);
    wait_for(offsetof(struct procfs_sample, tcp_time_wait), base.tcp_time_wait + 1);
    close(l);
    /* without the listener its port's TIME_WAIT is no longer ours */
    wait_for(offsetof(struct procfs_sample, tcp_time_wait), base.tcp_time_wait);
}

static void test_live_close_wait_time_wait(void **state)
{
    (void)state;
    close_wait_then_time_wait(AF_INET);
    close_wait_then_time_wait(AF_INET6);
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *parked(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void test_live_threads_and_rss(void **state)
{
    (void)state;
    struct procfs_sample base = now();
    pthread_t th;
    pthread_mutex_lock(&mu);
    assert_int_equal(pthread_create(&th, NULL, parked, NULL), 0);
    assert_true(now().threads == base.threads + 1);
    pthread_mutex_unlock(&mu);
    pthread_join(th, NULL);
    size_t big = 64u << 20;
    char *p = lc_malloc(big);
    memset(p, 1, big);
    struct procfs_sample s = now();
    assert_true(s.rss >= base.rss + 0.9 * (double)big);
    free(p);
}

static void test_gone_is_esrch(void **state)
{
    (void)state;
    struct procfs_sample s;
    struct lc_error err = {0};
    pid_t kid = fork();
    assert_true(kid >= 0);
    if (kid == 0)
        _exit(0);
    /* a zombie: exited, not reaped yet */
    char path[64], buf[256] = "";
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)kid);
    for (int i = 0; i < 500 && !strstr(buf, ") Z "); i++) {
        FILE *f = fopen(path, "r");
        buf[f ? fread(buf, 1, sizeof(buf) - 1, f) : 0] = '\0';
        if (f)
            fclose(f);
        usleep(2000);
    }
    assert_non_null(strstr(buf, ") Z "));
    errno = 0;
    assert_int_equal(procfs_read(kid, &s, &err), -1);
    assert_int_equal(errno, ESRCH);
    assert_int_equal(waitpid(kid, NULL, 0), kid);
    errno = 0;
    assert_int_equal(procfs_read(kid, &s, &err), -1);
    assert_int_equal(errno, ESRCH);
    assert_non_null(strstr(err.msg, "gone"));
}

/* Thousands of fds: one call stays cheap. */
static void test_many_fds(void **state)
{
    (void)state;
    enum { PAIRS = 1500 };
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < 4 * PAIRS && rl.rlim_max >= 4 * PAIRS) {
        rl.rlim_cur = 4 * PAIRS;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < 4 * PAIRS)
        skip();
    struct procfs_sample base = now();
    int(*sp)[2] = lc_calloc(PAIRS, sizeof(*sp));
    for (int i = 0; i < PAIRS; i++)
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp[i]), 0);
    double t0 = lc_now();
    struct procfs_sample s = now();
    double took = lc_now() - t0;
    print_message("procfs_read with %.0f fds: %.1f ms\n", s.fds, took * 1e3);
    assert_true(s.fds == base.fds + 2 * PAIRS && s.sockets == base.sockets + 2 * PAIRS);
    assert_true(took < 2.0);
    for (int i = 0; i < PAIRS; i++)
        close(sp[i][0]), close(sp[i][1]);
    free(sp);
}

/* GOGC in an environment block: Go's percent, "off", absent, garbage. */
static void test_gogc(void **state)
{
    (void)state;
    static const char a[] = "PATH=/bin\0GOGC=50\0HOME=/";
    assert_true(procfs_parse_gogc(a, sizeof(a)) == 50);
    static const char off[] = "GOGC=off\0";
    assert_true(procfs_parse_gogc(off, sizeof(off)) == -1);
    static const char neg[] = "GOGC=-1";
    assert_true(procfs_parse_gogc(neg, sizeof(neg) - 1) == -1);
    static const char none[] = "NOTGOGC=5\0XGOGC=7\0GOGCX=9";
    assert_true(procfs_parse_gogc(none, sizeof(none)) == 100);
    static const char junk[] = "GOGC=lots\0GOGC=";
    assert_true(procfs_parse_gogc(junk, sizeof(junk)) == 100);
    assert_true(procfs_parse_gogc("", 0) == 100);
    /* an unterminated last entry, a value longer than any number */
    static const char longv[] = "GOGC=200000000000000000000000000000000000000000";
    assert_true(procfs_parse_gogc(longv, sizeof(longv) - 1) == 100);
    /* atoi32 takes no '+' nor blank, and leading zeros at any length */
    static const char plus[] = "GOGC=+50", blank[] = "GOGC= 50",
                      zeros[] = "GOGC=0000000000000000000000050";
    assert_true(procfs_parse_gogc(plus, sizeof(plus) - 1) == 100);
    assert_true(procfs_parse_gogc(blank, sizeof(blank) - 1) == 100);
    assert_true(procfs_parse_gogc(zeros, sizeof(zeros) - 1) == 50);
    static const char zero[] = "GOGC=0", dash[] = "GOGC=-";
    assert_true(procfs_parse_gogc(zero, sizeof(zero) - 1) == 0);
    assert_true(procfs_parse_gogc(dash, sizeof(dash) - 1) == 0);
    /* Go's runtime takes the first GOGC of the block */
    static const char twice[] = "GOGC=50\0GOGC=200";
    assert_true(procfs_parse_gogc(twice, sizeof(twice) - 1) == 50);
}

/* GOMEMLIMIT: Go's byte counts, "off", absent, and what Go would refuse */
static void test_gomemlimit(void **state)
{
    (void)state;
    static const struct {
        const char *value; /* NULL: unset */
        double want;
    } cases[] = {
        {"GOMEMLIMIT=512MiB", 536870912.0},
        {"GOMEMLIMIT=1000000", 1e6},
        {"GOMEMLIMIT=1000000B", 1e6},
        {"GOMEMLIMIT=3KiB", 3072},
        {"GOMEMLIMIT=2GiB", 2147483648.0},
        {"GOMEMLIMIT=1TiB", 1099511627776.0},
        {"GOMEMLIMIT=0", 0},
        {"GOMEMLIMIT=off", INFINITY},
        {NULL, INFINITY},
        /* what Go does not start with: a sign, a space, SI units, a
         * fraction, more than an int64 */
        {"GOMEMLIMIT=-1", INFINITY},
        {"GOMEMLIMIT=+5MiB", INFINITY},
        {"GOMEMLIMIT=5 MiB", INFINITY},
        {"GOMEMLIMIT=5MB", INFINITY},
        {"GOMEMLIMIT=5mib", INFINITY},
        {"GOMEMLIMIT=1.5GiB", INFINITY},
        {"GOMEMLIMIT=MiB", INFINITY},
        {"GOMEMLIMIT=", INFINITY},
        {"GOMEMLIMIT=9223372036854775807", INFINITY},
        {"GOMEMLIMIT=8388608TiB", INFINITY},
        {"GOMEMLIMIT=99999999999999999999999", INFINITY},
        {"GOMEMLIMIT=5MiKiB", INFINITY},
        {"GOMEMLIMIT=5iB", INFINITY},
        {"GOMEMLIMIT=KiB", INFINITY},
        {"GOMEMLIMIT=B", INFINITY},
        /* as Go's atoi64 reads: a minus zero, leading zeros past 19 digits */
        {"GOMEMLIMIT=-0", 0},
        {"GOMEMLIMIT=-0MiB", 0},
        {"GOMEMLIMIT=000000000000000000000000000000000000000005MiB", 5242880.0},
        {"GOMEMLIMIT=5B", 5},
        /* Go's atoi64 reads a lone '-' as 0 */
        {"GOMEMLIMIT=-", 0},
        {"GOMEMLIMIT=-KiB", 0},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++) {
        char env[128];
        int n = snprintf(env, sizeof(env), "PATH=/bin%c%s%cHOME=/", '\0',
                         cases[i].value ? cases[i].value : "X=1", '\0');
        double got = procfs_parse_gomemlimit(env, (size_t)n);
        if (!(got == cases[i].want))
            fail_msg("%s: %g", cases[i].value ? cases[i].value : "(unset)", got);
    }
    /* captured: the environment of a Go service started with GOGC=50
     * GOMEMLIMIT=512MiB */
    struct lc_error err = {0};
    size_t n = 0;
    char *env = lc_read_file("tests/data/proc/go-environ/environ", 1 << 16, &n, &err);
    if (!env)
        fail_msg("%s", err.msg);
    assert_true(procfs_parse_gogc(env, n) == 50);
    assert_true(procfs_parse_gomemlimit(env, n) == 536870912.0);
    free(env);
    /* this process: whatever its environment says; none can be read */
    double gogc = 0, limit = 0;
    if (!getenv("GOGC") && !getenv("GOMEMLIMIT")) {
        procfs_go_gc(getpid(), &gogc, &limit);
        assert_true(gogc == 100 && isinf(limit));
    }
    /* no process: GOGC as Go's default, the limit not known */
    procfs_go_gc(999999999, &gogc, &limit);
    assert_true(gogc == 100 && isnan(limit));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captured_rows_have_known_states),
        cmocka_unit_test(test_captured_tally),
        cmocka_unit_test(test_status_and_limits),
        cmocka_unit_test(test_malformed_rows),
        cmocka_unit_test(test_live_fds_and_sockets),
        cmocka_unit_test(test_live_close_wait_time_wait),
        cmocka_unit_test(test_live_threads_and_rss),
        cmocka_unit_test(test_gone_is_esrch),
        cmocka_unit_test(test_many_fds),
        cmocka_unit_test(test_gogc),
        cmocka_unit_test(test_gomemlimit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
