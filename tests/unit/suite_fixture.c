/* tests/unit/suite_fixture.c: the suite loading tests' port callback
 * (suite_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/lc.h"
#include "suite_fixture.h"

int free_port_cb(size_t index, void *arg)
{
    struct ports *p = arg;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    p->calls++;
    if ((int)index == p->fail_at || index >= LC_ARRAY_LEN(p->port))
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    p->port[index] = ntohs(sa.sin_port);
    return p->port[index];
}
