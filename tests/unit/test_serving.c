/* tests/unit/test_serving.c: finding the process that serves among real
 * processes this test forks (wrappers that fork, wait, exit, or hand their
 * listening socket down). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/lc.h"
#include "sources/serving.h"

/* What a spawned tree tells the test: who listens, on which port. */
struct listener {
    pid_t pid;
    int port;
};

enum { SHARE = 1, ORPHAN = 2, NO_LISTEN = 4, IPV6 = 8 };

/* A socket listening on 127.0.0.1:port, or [::1]:port with ipv6 (port 0:
 * any free port); *port gets it. */
static int listen_on(int *port, int ipv6)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)*port)};
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)*port)};
    struct sockaddr *sa = ipv6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a;
    socklen_t len = ipv6 ? sizeof(a6) : sizeof(a);
    int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a6.sin6_addr = in6addr_loopback;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, sa, len) != 0 || listen(fd, 8) != 0 || getsockname(fd, sa, &len) != 0)
        _exit(3);
    *port = ntohs(ipv6 ? a6.sin6_port : a.sin_port);
    return fd;
}

/* In the forked child, never returns: `wrappers` processes each fork the
 * next and wait (or, with ORPHAN, the first exits at once), then the last
 * listens (SHARE: the first makes the socket and all inherit it;
 * NO_LISTEN: nobody listens) and writes who it is to out. */
static void tree_main(int wrappers, int port, int flags, int out)
{
    int fd = -1;
    if (flags & SHARE)
        fd = listen_on(&port, flags & IPV6);
    for (int i = 0; i < wrappers; i++) {
        pid_t p = fork();
        if (p < 0)
            _exit(4);
        if (p > 0 && i == 0 && (flags & ORPHAN))
            _exit(0);
        if (p > 0)
            for (;;)
                pause();
        if (!(flags & ORPHAN))
            prctl(PR_SET_PDEATHSIG, SIGKILL);
    }
    if (!(flags & (SHARE | NO_LISTEN)))
        fd = listen_on(&port, flags & IPV6);
    struct listener me = {getpid(), fd >= 0 ? port : 0};
    if (write(out, &me, sizeof(me)) != (ssize_t)sizeof(me))
        _exit(5);
    for (;;)
        pause();
}

/* Forks a tree in its own process group (see tree_main); returns the
 * group's leader and fills *who with the last process of the tree. */
static pid_t spawn(int wrappers, int port, int flags, struct listener *who)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t leader = fork();
    assert_true(leader >= 0);
    if (leader == 0) {
        setpgid(0, 0);
        if (!(flags & ORPHAN))
            prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(p[0]);
        tree_main(wrappers, port, flags, p[1]);
    }
    setpgid(leader, leader);
    close(p[1]);
    assert_int_equal(read(p[0], who, sizeof(*who)), (ssize_t)sizeof(*who));
    close(p[0]);
    return leader;
}

/* Kills the whole group and reaps its leader. */
static void end(pid_t leader)
{
    kill(-leader, SIGKILL);
    waitpid(leader, NULL, 0);
}

/* Waits (up to 5 s) until pid has ended: gone, or a zombie whose sockets
 * are closed. */
static void wait_gone(pid_t pid)
{
    for (int i = 0; i < 500; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
        char *stat = lc_read_file(path, 4096, NULL, NULL);
        const char *paren = stat ? strrchr(stat, ')') : NULL;
        int ended = !stat || (paren && (paren[2] == 'Z' || paren[2] == 'X'));
        free(stat);
        if (ended)
            return;
        usleep(10000);
    }
    fail_msg("pid %ld did not end", (long)pid);
}

static void test_a_forked_child_that_listens(void **state)
{
    (void)state;
    struct listener who;
    pid_t leader = spawn(0, 0, 0, &who);
    char how[128] = "";
    assert_int_equal(serving_find_listener(getpid(), 0, who.port, how, sizeof(how)), who.pid);
    assert_int_equal(who.pid, leader);
    char want[64];
    snprintf(want, sizeof(want), "listening on 127.0.0.1:%d", who.port);
    assert_string_equal(how, want);
    /* over IPv6, where the host has it */
    int s6 = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in6 lo = {.sin6_family = AF_INET6, .sin6_addr = in6addr_loopback};
    if (s6 >= 0 && bind(s6, (struct sockaddr *)&lo, sizeof(lo)) == 0) {
        struct listener six;
        pid_t l6 = spawn(1, 0, IPV6, &six);
        assert_int_equal(serving_find_listener(getpid(), 0, six.port, how, sizeof(how)), six.pid);
        snprintf(want, sizeof(want), "listening on [::1]:%d", six.port);
        assert_string_equal(how, want);
        end(l6);
    }
    if (s6 >= 0)
        close(s6);
    /* a port nothing listens on */
    assert_int_equal(serving_find_listener(getpid(), 0, 1, NULL, 0), 0);
    end(leader);
}

/* A wrapper that forks a decoy that does not listen and one that does,
 * and a wrapper of a wrapper: the listener is found, not the wrappers. */
static void test_the_listener_not_its_wrappers(void **state)
{
    (void)state;
    struct listener decoy, who;
    pid_t d = spawn(1, 0, NO_LISTEN, &decoy);
    pid_t leader = spawn(2, 0, 0, &who);
    assert_true(who.pid != leader);
    assert_int_equal(serving_find_listener(getpid(), 0, who.port, NULL, 0), who.pid);
    assert_int_equal(serving_find_listener(leader, 1, who.port, NULL, 0), who.pid);
    /* a root that is not its ancestor finds nothing */
    assert_int_equal(serving_find_listener(d, 1, who.port, NULL, 0), 0);
    end(leader);
    end(d);
}

/* A socket made by a wrapper and inherited by its child: the deepest
 * holder serves (the wrapper only handed it down). */
static void test_an_inherited_listener_is_the_deepest_holders(void **state)
{
    (void)state;
    struct listener who;
    pid_t leader = spawn(1, 0, SHARE, &who);
    assert_true(who.pid != leader);
    assert_int_equal(serving_find_listener(leader, 1, who.port, NULL, 0), who.pid);
    end(leader);
}

/* A wrapper that forks its server and exits: the orphan is found through
 * the process group, not through its parent. */
static void test_an_orphan_of_the_group(void **state)
{
    (void)state;
    struct listener who;
    pid_t leader = spawn(1, 0, ORPHAN, &who);
    waitpid(leader, NULL, 0);
    pid_t by_group = serving_find_listener(leader, 1, who.port, NULL, 0);
    pid_t by_parent = serving_find_listener(leader, 0, who.port, NULL, 0);
    /* first: an orphan does not die with this test */
    kill(who.pid, SIGKILL);
    assert_int_equal(by_group, who.pid);
    assert_int_equal(by_parent, 0);
}

/* The tracker follows a server that exits and is started again on the
 * same port, and keeps the gone one meanwhile. */
static void test_the_tracker_follows_a_restart(void **state)
{
    (void)state;
    struct listener first, second;
    pid_t a = spawn(1, 0, 0, &first);
    int port = first.port;
    struct serving *s = serving_new(getpid(), 0, SERVING_AUTO, &port, 1);
    assert_int_equal(serving_resolve(s), 1);
    assert_int_equal(serving_pid(s), first.pid);
    assert_int_equal(serving_root(s), getpid());
    assert_non_null(strstr(serving_how(s), "listening on 127.0.0.1:"));
    assert_int_equal(serving_changes(s), 0);
    assert_int_equal(serving_check(s, lc_now()), 0);
    end(a);
    wait_gone(first.pid);
    /* gone, nothing listens: kept (a gap, not the wrapper's figures) */
    assert_int_equal(serving_check(s, lc_now()), 0);
    assert_int_equal(serving_pid(s), first.pid);
    pid_t b = spawn(0, port, 0, &second);
    assert_int_equal(serving_check(s, lc_now()), 1);
    assert_int_equal(serving_pid(s), second.pid);
    assert_int_equal(serving_changes(s), 1);
    end(b);
    serving_free(s);
}

/* Nothing listens at first: the root is measured, and a listener that
 * shows up later is found at the next look (not before the recheck time). */
static void test_auto_falls_back_then_finds(void **state)
{
    (void)state;
    struct listener probe;
    pid_t p = spawn(0, 0, 0, &probe); /* a free port: its own, closed again */
    int port = probe.port;
    end(p);
    struct serving *s = serving_new(getpid(), 1, SERVING_AUTO, &port, 1);
    assert_int_equal(serving_pid(s), getpid());
    assert_int_equal(serving_resolve(s), 0);
    assert_int_equal(serving_pid(s), getpid());
    char want[96];
    snprintf(want, sizeof(want), "the started process (nothing it started listens on port %d)",
             port);
    assert_string_equal(serving_how(s), want);
    assert_non_null(strstr(serving_command(s), "test_serving"));
    struct listener who;
    pid_t leader = spawn(1, port, 0, &who);
    assert_int_equal(serving_check(s, lc_now()), 0);
    assert_int_equal(serving_check(s, lc_now() + SERVING_RECHECK_S + 1), 1);
    assert_int_equal(serving_pid(s), who.pid);
    assert_int_equal(serving_changes(s), 1);
    end(leader);
    serving_free(s);
}

static void test_started_and_listening_modes(void **state)
{
    (void)state;
    struct listener who;
    pid_t leader = spawn(1, 0, 0, &who);
    int port = who.port;
    struct serving *s = serving_new(getpid(), 1, SERVING_STARTED, &port, 1);
    assert_int_equal(serving_resolve(s), 0);
    assert_int_equal(serving_pid(s), getpid());
    assert_int_equal(serving_check(s, lc_now() + 10), 0);
    assert_int_equal(serving_pid(s), getpid());
    assert_non_null(strstr(serving_how(s), "\"started\""));
    serving_free(s);
    int ports[] = {1, port};
    s = serving_new(getpid(), 1, SERVING_LISTENING, ports, 2);
    /* only the one port counts, and nothing before it listens */
    assert_int_equal(serving_pid(s), 0);
    assert_int_equal(serving_resolve(s), 0);
    assert_int_equal(serving_pid(s), 0);
    serving_free(s);
    s = serving_new(getpid(), 1, SERVING_LISTENING, &port, 1);
    assert_int_equal(serving_resolve(s), 1);
    assert_int_equal(serving_pid(s), who.pid);
    serving_free(s);
    end(leader);
    serving_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_forked_child_that_listens),
        cmocka_unit_test(test_the_listener_not_its_wrappers),
        cmocka_unit_test(test_an_inherited_listener_is_the_deepest_holders),
        cmocka_unit_test(test_an_orphan_of_the_group),
        cmocka_unit_test(test_the_tracker_follows_a_restart),
        cmocka_unit_test(test_auto_falls_back_then_finds),
        cmocka_unit_test(test_started_and_listening_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
