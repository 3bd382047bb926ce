/*
 * target/ports.c: picking the port a test's target will listen on.
 *
 * The port is picked when the suite loads and bound by the target only when
 * its test starts, maybe many minutes later. A port from the ephemeral range
 * (what bind to port 0 hands out) can meanwhile become the local port of an
 * outgoing connection, or of its TIME_WAIT remains, and the target's listen
 * then fails with EADDRINUSE. Ports below that range are only ever taken by
 * an explicit bind.
 */
#include "target/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

enum { PORTS_LOW = 10000, PORTS_TRIES = 200 };

/* The first port of the ephemeral range (32768 when it cannot be read). */
static int ephemeral_low(void)
{
    int lo = 32768, hi = 60999;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
    if (f) {
        if (fscanf(f, "%d %d", &lo, &hi) != 2)
            lo = 32768;
        fclose(f);
    }
    return lo;
}

/* 1 when port can be bound on every IPv4 address, so nobody holds it. */
static int bindable(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_ANY)};
    int ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

/* What bind to port 0 on 127.0.0.1 hands out, or -1. */
static int kernel_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static int is_taken(int port, const int *taken, size_t ntaken)
{
    for (size_t i = 0; i < ntaken; i++)
        if (taken[i] == port)
            return 1;
    return 0;
}

int ports_pick(const int *taken, size_t ntaken)
{
    int lo = ephemeral_low();
    if (lo - PORTS_LOW < 1000) {
        /* a machine whose ephemeral range starts low: take what it gives */
        for (int i = 0; i < PORTS_TRIES; i++) {
            int p = kernel_port();
            if (p > 0 && !is_taken(p, taken, ntaken))
                return p;
        }
        return -1;
    }
    /* a random start, so that parallel runs rarely try the same ports */
    unsigned span = (unsigned)(lo - PORTS_LOW);
    unsigned seed = 0;
    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
        seed = (unsigned)getpid() * 2654435761u;
    for (unsigned i = 0; i < PORTS_TRIES; i++) {
        int p = PORTS_LOW + (int)((seed + i * 7919u) % span);
        if (!is_taken(p, taken, ntaken) && bindable(p))
            return p;
    }
    return -1;
}
