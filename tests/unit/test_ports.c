/* tests/unit/test_ports.c: the ports picked for the targets of a suite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "target/ports.h"

static int ephemeral_low(void)
{
    int lo = 0, hi = 0;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%d %d", &lo, &hi), 2);
    fclose(f);
    return lo;
}

/* A listening socket on 127.0.0.1:port, or -1. */
static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 8) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* Every port is outside the ephemeral range, where no outgoing connection
 * can take it, distinct from the ones before it, and a target can listen
 * on it. */
static void test_ports_below_ephemeral_distinct_and_usable(void **state)
{
    (void)state;
    int lo = ephemeral_low();
    enum { N = 40 };
    int ports[N], fds[N];
    for (int i = 0; i < N; i++) {
        ports[i] = ports_pick(ports, (size_t)i);
        assert_true(ports[i] > 0);
        if (lo >= 11000)
            assert_true(ports[i] < lo);
        for (int j = 0; j < i; j++)
            assert_int_not_equal(ports[i], ports[j]);
        fds[i] = listen_on(ports[i]);
        assert_true(fds[i] >= 0);
    }
    /* ports that are bound now (ours, listening) are never handed out */
    for (int k = 0; k < 200; k++) {
        int p = ports_pick(NULL, 0);
        for (int j = 0; j < N; j++)
            assert_int_not_equal(p, ports[j]);
    }
    for (int i = 0; i < N; i++)
        close(fds[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ports_below_ephemeral_distinct_and_usable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
