/*
 * tests/unit/tcp_helpers.h: loopback TCP sockets for the tests that count
 * them (test_procfs.c, test_tcpcount.c): listeners and connected pairs.
 */
#ifndef LC_TEST_TCP_HELPERS_H
#define LC_TEST_TCP_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* Loopback address of family with port (host order) into a; its length. */
static inline socklen_t loopback(int family, uint16_t port, struct sockaddr_storage *a)
{
    memset(a, 0, sizeof(*a));
    if (family == AF_INET) {
        struct sockaddr_in *a4 = (struct sockaddr_in *)a;
        a4->sin_family = AF_INET;
        a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a4->sin_port = htons(port);
        return sizeof(*a4);
    }
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)a;
    a6->sin6_family = AF_INET6;
    a6->sin6_addr = in6addr_loopback;
    a6->sin6_port = htons(port);
    return sizeof(*a6);
}

/* A listener on loopback of family (an AF_INET6 one on [::] and dual-stack
 * when dual), its port into *port. Returns the fd, or -1 (no IPv6 here). */
static inline int listener_on(int family, int dual, uint16_t *port)
{
    struct sockaddr_storage a;
    socklen_t len = loopback(family, 0, &a);
    int off = 0, fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (dual) {
        ((struct sockaddr_in6 *)&a)->sin6_addr = in6addr_any;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    }
    if (bind(fd, (struct sockaddr *)&a, len) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&a)->sin_port
                                    : ((struct sockaddr_in6 *)&a)->sin6_port);
    return fd;
}

static inline int listener(int family, uint16_t *port)
{
    return listener_on(family, 0, port);
}

/* A client of `family` connected to port, and its end accepted from l. */
static inline void connect_pair(int family, int l, uint16_t port, int *client, int *server)
{
    struct sockaddr_storage a;
    socklen_t len = loopback(family, port, &a);
    *client = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(*client >= 0);
    assert_int_equal(connect(*client, (struct sockaddr *)&a, len), 0);
    *server = accept(l, NULL, NULL);
    assert_true(*server >= 0);
}

#endif
