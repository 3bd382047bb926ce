/*
 * tests/unit/test_fdsnap.c: file descriptor snapshots (culprits/fdsnap.c)
 * from the /proc texts captured from the Go capture program
 * (tests/data/proc/go-capture/: fd.txt, net_tcp, net_tcp6, with
 * sockets.txt, the program's own list of its sockets, as the independent
 * answer), and live on this test process: files, TCP connections both
 * ways, CLOSE_WAIT, pipes, then their diff.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "culprits/fdsnap.h"

#define PROC "tests/data/proc/go-capture/"

static char *load(const char *path)
{
    struct lc_error err = {0};
    char *t = lc_read_file(path, 16u << 20, NULL, &err);
    if (!t)
        fail_msg("%s", err.msg);
    return t;
}

struct row {
    char table[8], state[16], lip[64], rip[64];
    unsigned lport, rport;
    char owner[8];
};

/* "127.0.0.1:80", "[::1]:80", and IPv4-mapped addresses as IPv4. */
static void ep(const char *ip, unsigned port, char *out, size_t len)
{
    if (strncmp(ip, "::ffff:", 7) == 0 && strchr(ip + 7, '.'))
        snprintf(out, len, "%s:%u", ip + 7, port);
    else if (strchr(ip, ':'))
        snprintf(out, len, "[%s]:%u", ip, port);
    else
        snprintf(out, len, "%s:%u", ip, port);
}

static void test_captured(void **state)
{
    (void)state;
    char *fds = load(PROC "fd.txt"), *tcp = load(PROC "net_tcp"), *tcp6 = load(PROC "net_tcp6");
    char *socks = load(PROC "sockets.txt");
    struct fdsnap_texts t = {.fds = fds, .tcp = tcp, .tcp6 = tcp6};
    struct lc_error err = {0};
    struct fdsnap *s = fdsnap_from_texts(&t, &err);
    if (!s)
        fail_msg("%s", err.msg);
    size_t lines = 0;
    for (const char *p = fds; *p; p++)
        lines += *p == '\n';
    assert_int_equal(fdsnap_count(s), lines);
    /* the program's own sockets, classed the documented way */
    struct row rows[64];
    size_t n = 0;
    unsigned listen[16];
    size_t nlisten = 0;
    char *save = NULL;
    for (char *l = strtok_r(socks, "\n", &save); l && n < 64; l = strtok_r(NULL, "\n", &save)) {
        struct row *r = &rows[n];
        if (sscanf(l, "%7s %15s %63s %u %63s %u %7s", r->table, r->state, r->lip, &r->lport, r->rip,
                   &r->rport, r->owner) != 7 ||
            strcmp(r->owner, "own") != 0)
            continue;
        if (strcmp(r->state, "LISTEN") == 0 && nlisten < 16)
            listen[nlisten++] = r->lport;
        n++;
    }
    assert_true(n >= 8);
    for (size_t i = 0; i < n; i++) {
        char what[160], e[96];
        const struct row *r = &rows[i];
        int accepted = 0;
        for (size_t k = 0; k < nlisten; k++)
            accepted |= listen[k] == r->lport;
        if (strcmp(r->state, "LISTEN") == 0) {
            ep(r->lip, r->lport, e, sizeof(e));
            snprintf(what, sizeof(what), "TCP sockets LISTEN on %s", e);
        } else {
            ep(accepted ? r->lip : r->rip, accepted ? r->lport : r->rport, e, sizeof(e));
            snprintf(what, sizeof(what), "TCP sockets %s to %s", r->state, e);
        }
        size_t want = 0;
        for (size_t k = 0; k < n; k++) {
            const struct row *q = &rows[k];
            int acc = 0;
            for (size_t j = 0; j < nlisten; j++)
                acc |= listen[j] == q->lport;
            char e2[96];
            ep(strcmp(q->state, "LISTEN") == 0 || acc ? q->lip : q->rip,
               strcmp(q->state, "LISTEN") == 0 || acc ? q->lport : q->rport, e2, sizeof(e2));
            want += strcmp(q->state, r->state) == 0 && strcmp(e, e2) == 0;
        }
        if (fdsnap_class_count(s, what) != want)
            fail_msg("%s: %zu, want %zu", what, fdsnap_class_count(s, what), want);
    }
    /* files by directory, pipes, the epoll descriptor */
    size_t devnull = 0, pipes = 0;
    for (const char *p = fds; (p = strstr(p, " /dev/null\n")) != NULL; p++)
        devnull++;
    for (const char *p = fds; (p = strstr(p, " pipe:[")) != NULL; p++)
        pipes++;
    assert_int_equal(fdsnap_class_count(s, "files in /dev"), devnull);
    assert_int_equal(fdsnap_class_count(s, "pipes"), pipes);
    assert_int_equal(fdsnap_class_count(s, "anonymous inodes anon_inode:[eventpoll]"), 1);
    /* diffed against nothing, everything is growth, and no baseline
     * count is claimed */
    struct culprit_list l = {0};
    assert_true(fdsnap_diff(NULL, s, 1, &l) > 0);
    for (size_t i = 0; i < l.n; i++)
        assert_null(strstr(l.items[i].detail, "at baseline"));
    size_t nbase = l.n;
    assert_int_equal(fdsnap_diff(s, s, 1, &l), 0);
    assert_int_equal(l.n, nbase);
    culprit_list_free(&l);
    fdsnap_free(s);
    free(fds);
    free(tcp);
    free(tcp6);
    free(socks);
}

static int listener(unsigned *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 64), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static int dial(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

static const struct culprit *find(const struct culprit_list *l, const char *needle)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].detail && strstr(l->items[i].detail, needle))
            return &l->items[i];
    fail_msg("no culprit says \"%s\"", needle);
    return NULL;
}

static void test_live(void **state)
{
    (void)state;
    struct lc_error err = {0};
    char dir[] = "/tmp/lc_fdsnap_XXXXXX", what[160];
    assert_non_null(mkdtemp(dir));
    unsigned port;
    int lfd = listener(&port);
    struct fdsnap *before = fdsnap_take(getpid(), &err);
    assert_non_null(before);
    int fds[64], nfd = 0;
    for (int i = 0; i < 12; i++) {
        char path[64];
        snprintf(path, sizeof(path), "%s/doc-%d.json", dir, i);
        fds[nfd++] = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    }
    for (int i = 0; i < 5; i++) { /* both ends here: 10 ESTABLISHED */
        fds[nfd++] = dial(port);
        fds[nfd++] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    }
    for (int i = 0; i < 4; i++) { /* the client hangs up: CLOSE_WAIT here */
        int c = dial(port);
        fds[nfd++] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        close(c);
    }
    usleep(100000);
    struct fdsnap *after = fdsnap_take(getpid(), &err);
    assert_non_null(after);
    assert_int_equal(fdsnap_count(after), fdsnap_count(before) + (size_t)nfd);
    struct culprit_list l = {0};
    assert_int_equal(fdsnap_diff(before, after, 3, &l), 3);
    snprintf(what, sizeof(what), "12 files in %s", dir);
    const struct culprit *c = find(&l, what);
    assert_string_equal(c->kind, "fd");
    assert_string_equal(c->location, dir);
    assert_true(c->growth == 12);
    snprintf(what, sizeof(what), "10 TCP sockets ESTABLISHED to 127.0.0.1:%u", port);
    c = find(&l, what);
    assert_string_equal(c->kind, "socket");
    assert_non_null(strstr(c->detail, "5 opened by this process, 5 accepted by it"));
    snprintf(what, sizeof(what), "4 TCP sockets CLOSE_WAIT to 127.0.0.1:%u", port);
    c = find(&l, what);
    assert_non_null(strstr(c->detail, "the peer hung up"));
    culprit_list_free(&l);
    assert_int_equal(fdsnap_diff(before, after, 13, &l), 0);
    /* level culprits: what holds at least 12 at the end, grown or not */
    assert_int_equal(fdsnap_holders(after, after, 12, &l), 1);
    snprintf(what, sizeof(what), "12 files in %s (12 at baseline)", dir);
    c = find(&l, what);
    assert_true(c->before == 12 && c->after == 12 && c->growth == 0);
    culprit_list_free(&l);
    assert_int_equal(fdsnap_holders(NULL, after, 12, &l), 1);
    assert_null(strstr(l.items[0].detail, "at baseline"));
    culprit_list_free(&l);
    assert_int_equal(fdsnap_holders(before, after, 13, &l), 0);
    /* a threshold of nothing still wants one descriptor per class */
    assert_true(fdsnap_holders(before, after, 0, &l) >= 4);
    culprit_list_free(&l);
    for (int i = 0; i < nfd; i++)
        close(fds[i]);
    close(lfd);
    for (int i = 0; i < 12; i++) {
        char path[64];
        snprintf(path, sizeof(path), "%s/doc-%d.json", dir, i);
        unlink(path);
    }
    rmdir(dir);
    fdsnap_free(before);
    fdsnap_free(after);
}

static void test_errors(void **state)
{
    (void)state;
    struct lc_error err = {0};
    struct fdsnap_texts t = {.fds = "0 /dev/null\nnot a line\n"};
    assert_null(fdsnap_from_texts(&t, &err));
    assert_int_equal(err.line, 2);
    t.fds = "0 socket:[1]\n";
    t.tcp = "  sl  local_address\n   0: garbage\n";
    assert_null(fdsnap_from_texts(&t, &err));
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    assert_null(fdsnap_take(child, &err));
    assert_non_null(strstr(err.msg, "cannot list"));
    assert_null(fdsnap_take(0, &err));
    fdsnap_free(NULL);
}

/* A /proc/net/tcp row: local and remote as the kernel prints them. */
#define TCP_HEAD                                                                                   \
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "  \
    "inode\n"
#define TCP_ROW(sl, local, remote, st, inode)                                                      \
    "   " sl ": " local " " remote " " st                                                          \
    " 00000000:00000000 00:00000000 00000000     0        0 " inode                                \
    " 1 0000000000000000 20 4 30 10 -1\n"

static struct fdsnap *from(const char *fds, const char *tcp, const char *tcp6,
                           const struct procfs_endpoint *own, size_t nown)
{
    struct lc_error err = {0};
    struct fdsnap_texts t = {.fds = fds, .tcp = tcp, .tcp6 = tcp6, .own = own, .nown = nown};
    struct fdsnap *s = fdsnap_from_texts(&t, &err);
    if (!s)
        fail_msg("%s", err.msg);
    return s;
}

/* What a forced GC closed: files by directory, connections by peer; only
 * what was open at both reads before it (old and pre) counts. */
static void test_gc_closed(void **state)
{
    (void)state;
    /* 127.0.0.1:40001..40004 -> 127.0.0.1:8080 (0x1F90), opened here */
    static const char tcp[] = TCP_HEAD TCP_ROW("0", "0100007F:9C41", "0100007F:1F90", "01", "101")
        TCP_ROW("1", "0100007F:9C42", "0100007F:1F90", "01", "102")
            TCP_ROW("2", "0100007F:9C43", "0100007F:1F90", "01", "103")
                TCP_ROW("3", "0100007F:9C44", "0100007F:1F90", "01", "104");
    static const char common[] = "0 /dev/null\n3 /tmp/spool/f-1.log\n4 /tmp/spool/f-2.log\n"
                                 "5 /tmp/spool/f-3.log\n6 /tmp/spool/f-4.log\n"
                                 "7 /tmp/spool/f-5.log\n8 /tmp/keep/a\n9 socket:[101]\n"
                                 "10 socket:[102]\n11 socket:[103]\n12 socket:[104]\n";
    /* /tmp/busy churns: its files live shorter than the moment between
     * old and pre (the numbers come back with other names) */
    char *otext = lc_asprintf("%s13 /tmp/busy/t-1\n14 /tmp/busy/t-2\n15 /tmp/busy/t-3\n", common);
    char *ptext = lc_asprintf("%s13 /tmp/busy/t-4\n14 /tmp/busy/t-5\n15 /tmp/busy/t-6\n"
                              "16 /tmp/busy/t-7\n17 /tmp/spool/f-6.log\n",
                              common);
    struct fdsnap *old = from(otext, tcp, NULL, NULL, 0), *pre = from(ptext, tcp, NULL, NULL, 0);
    /* after the GC: a new spool file on a number of old, /tmp/keep kept */
    struct fdsnap *post = from("0 /dev/null\n3 /tmp/spool/f-7.log\n8 /tmp/keep/a\n"
                               "13 /tmp/busy/t-8\n14 /tmp/busy/t-9\n",
                               tcp, NULL, NULL, 0);
    struct culprit_list l = {0};
    struct culprit_table *named = culprit_table_new();
    assert_int_equal(fdsnap_gc_closed(old, pre, post, 3, "at the end of the test", named, &l), 2);
    /* f-6 is gone too, but it was not open at the first read */
    const struct culprit *c = find(&l, "5 files in /tmp/spool were closed only by the "
                                              "garbage collector (at the end of the test): "
                                              "dropped without Close, e.g. f-");
    assert_string_equal(c->kind, "finalizer");
    assert_string_equal(c->location, "/tmp/spool");
    assert_true(c->before == 6 && c->after == 1 && c->growth == 5);
    c = find(&l, "4 TCP sockets ESTABLISHED to 127.0.0.1:8080 were closed only by the garbage "
                 "collector (at the end of the test): dropped without Close (from 127.0.0.1:4000");
    assert_string_equal(c->kind, "finalizer");
    assert_string_equal(c->location, "127.0.0.1:8080");
    /* named once: another snapshot does not name them again */
    assert_int_equal(fdsnap_gc_closed(old, pre, post, 3, "at the end of the baseline", named, &l),
                     0);
    culprit_list_free(&l);
    /* the threshold; nothing closed; churn alone; a snapshot missing */
    assert_int_equal(fdsnap_gc_closed(old, pre, post, 6, "x", NULL, &l), 0);
    assert_int_equal(fdsnap_gc_closed(old, pre, pre, 1, "x", NULL, &l), 0);
    /* read the other way round, t-4..t-7 and f-6 are what "closed" */
    assert_int_equal(fdsnap_gc_closed(pre, pre, old, 1, "x", NULL, &l), 2);
    find(&l, "4 files in /tmp/busy were closed");
    culprit_list_free(&l);
    assert_int_equal(fdsnap_gc_closed(post, pre, post, 1, "x", NULL, &l), 0);
    assert_int_equal(fdsnap_gc_closed(NULL, pre, post, 1, "x", NULL, &l), 0);
    assert_int_equal(fdsnap_gc_closed(old, pre, NULL, 1, "x", NULL, &l), 0);
    assert_int_equal(l.n, 0);
    culprit_table_free(named);
    fdsnap_free(old);
    fdsnap_free(pre);
    fdsnap_free(post);
    free(otext);
    free(ptext);
}

/* The sockets whose peer is one of leakcheck's own ends are left out. */
static void test_own_left_out(void **state)
{
    (void)state;
    /* listening on 127.0.0.1:9000 (0x2328); accepted from :50000 (0xC350)
     * over IPv4 and from :50001 (0xC351) over IPv6, IPv4-mapped */
    static const char tcp[] = TCP_HEAD TCP_ROW("0", "0100007F:2328", "00000000:0000", "0A", "200")
        TCP_ROW("1", "0100007F:2328", "0100007F:C350", "01", "201")
            TCP_ROW("2", "0100007F:2328", "0100007F:C352", "01", "203");
    static const char tcp6[] =
        TCP_HEAD TCP_ROW("0", "0000000000000000FFFF00000100007F:2328",
                         "0000000000000000FFFF00000100007F:C351", "01", "202");
    static const char fds[] = "3 socket:[200]\n4 socket:[201]\n5 socket:[202]\n6 socket:[203]\n";
    struct procfs_endpoint own[2] = {{.family = AF_INET, .port = 50000},
                                     {.family = AF_INET6, .port = 50001}};
    static const unsigned char lo4[4] = {127, 0, 0, 1};
    static const unsigned char lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    memcpy(own[0].addr, lo4, 4);
    memcpy(own[1].addr, lo6, 16);
    const char *est = "TCP sockets ESTABLISHED to 127.0.0.1:9000";
    struct fdsnap *all = from(fds, tcp, tcp6, NULL, 0);
    assert_int_equal(fdsnap_count(all), 4);
    assert_int_equal(fdsnap_class_count(all, est), 3);
    struct fdsnap *mine = from(fds, tcp, tcp6, own, 2);
    assert_int_equal(fdsnap_count(mine), 2);
    assert_int_equal(fdsnap_class_count(mine, est), 1);
    assert_int_equal(fdsnap_class_count(mine, "TCP sockets LISTEN on 127.0.0.1:9000"), 1);
    /* the same port on another address is someone else's */
    own[0].addr[3] = 2;
    struct fdsnap *other = from(fds, tcp, tcp6, own, 1);
    assert_int_equal(fdsnap_class_count(other, est), 3);
    fdsnap_free(all);
    fdsnap_free(mine);
    fdsnap_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captured),     cmocka_unit_test(test_live),
        cmocka_unit_test(test_errors),       cmocka_unit_test(test_gc_closed),
        cmocka_unit_test(test_own_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
