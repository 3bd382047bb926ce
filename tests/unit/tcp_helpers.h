/*
 * tests/unit/tcp_helpers.h: loopback TCP sockets for the tests that count
 * or fetch over them (test_procfs.c, test_tcpcount.c, test_fetch.c):
 * listeners, connected pairs, and a network namespace of the test's own.
 */
#ifndef LC_TEST_TCP_HELPERS_H
#define LC_TEST_TCP_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sources/sockdiag.h"

/* A sock_diag socket, or the test skipped (saying why) when there is none. */
static inline struct sockdiag *sockdiag_or_skip(void)
{
    struct lc_error err = {0};
    struct sockdiag *sd = sockdiag_new(&err);
    if (!sd) {
        print_message("no sock_diag here (%s): skipped\n", err.msg);
        skip();
    }
    return sd;
}

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

/* ioctl SIOCSIF* on interface name with ifr prepared; 0 or -1. */
static inline int set_if(const char *name, unsigned long op, struct ifreq *ifr)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;
    snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
    rc = fd >= 0 && ioctl(fd, op, ifr) == 0 ? 0 : -1;
    if (fd >= 0)
        close(fd);
    return rc;
}

/*
 * Moves this process into a new network namespace with loopback up (needs
 * root), where nothing else opens or closes sockets and no address leads
 * off the machine. Returns 1, or 0 (with a message) when it stays where
 * it is; exits when the namespace was made but loopback cannot come up.
 */
static inline int enter_private_netns(void)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    if (unshare(CLONE_NEWNET) != 0) {
        print_message("not root (%s): in the machine's network namespace\n", strerror(errno));
        return 0;
    }
    if (set_if("lo", SIOCGIFFLAGS, &ifr) != 0 ||
        (ifr.ifr_flags |= IFF_UP, set_if("lo", SIOCSIFFLAGS, &ifr) != 0)) {
        fprintf(stderr, "cannot bring up lo in the new network namespace\n");
        exit(1);
    }
    return 1;
}

/* Adds the IPv4 address ip (not loopback) to lo as lo:1, in a namespace
 * of the test's own. Returns 0 or -1. */
static inline int add_lo_address(const char *ip)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    struct sockaddr_in *a = (struct sockaddr_in *)&ifr.ifr_addr;
    a->sin_family = AF_INET;
    if (inet_pton(AF_INET, ip, &a->sin_addr) != 1)
        return -1;
    return set_if("lo:1", SIOCSIFADDR, &ifr);
}

#endif
