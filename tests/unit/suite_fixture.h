/* tests/unit/suite_fixture.h: what the suite loading tests share: the
 * data folder and the port callback that hands out real free loopback
 * ports (or fails on purpose at a chosen test). */
#ifndef LC_TEST_SUITE_FIXTURE_H
#define LC_TEST_SUITE_FIXTURE_H

#include <stddef.h>

#define DATA "tests/data/suites/"

/* Ports handed out, by test index. */
struct ports {
    int port[16];
    size_t calls;
    int fail_at; /* index at which to return -1, or -1 */
};

/* A real free loopback port, the way leakcheck picks one: bind port 0.
 * arg is a struct ports; returns -1 at index fail_at or past port[]. */
int free_port_cb(size_t index, void *arg);

#endif
