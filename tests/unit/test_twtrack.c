/*
 * tests/unit/test_twtrack.c: TIME_WAIT sockets on listening ports kept
 * between walks (sources/twtrack.c), against this kernel: a real
 * TIME_WAIT socket made by the test, and sockets the kernel never had, on
 * a clock the test moves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sources/procfs.h"
#include "sources/twtrack.h"
#include "tests/unit/tcp_helpers.h"

struct collect {
    struct twtrack *t;
    uint16_t port;
    double now;
};

static void collect_cb(const struct sockdiag_sock *s, void *arg)
{
    struct collect *c = arg;
    if (s->sport == c->port)
        twtrack_add(c->t, s, 0, c->now);
}

/* Watched sockets: one that is TIME_WAIT now is counted, a gone one
 * dropped, one an fd holds taken out; a flood says so. t holds one real
 * TIME_WAIT socket; fake is one the kernel never had. */
static void watched(struct twtrack *t, struct sockdiag *sd, struct sockdiag_sock fake)
{
    struct lc_error err = {0};
    unsigned long n = 0;
    struct sockdiag_sock was = t->tw[0].s, gone = fake;
    was.state = PROCFS_TCP_FIN_WAIT2;
    gone.state = PROCFS_TCP_FIN_WAIT2;
    twtrack_closed(t, &was);
    twtrack_add(t, &gone, 0, 2000);
    twtrack_add(t, &gone, 1, 2000); /* held by an fd: not watched */
    assert_int_equal(t->nwatch, 2);
    assert_int_equal(twtrack_refresh(t, sd, 2001, &n, &err), 0);
    assert_true(t->nwatch == 0 && twtrack_count(t) == 2);
    /* take: a watched socket an fd holds now */
    struct sockdiag_sock got, held = was;
    held.inode = 77;
    twtrack_closed(t, &held);
    assert_int_equal(twtrack_take(t, 78, &got), 0);
    assert_int_equal(twtrack_take(t, 0, &got), 0);
    assert_int_equal(twtrack_take(t, 77, &got), 1);
    assert_true(got.inode == 77 && t->nwatch == 0);
    /* a flood: beyond what it keeps, it says so */
    for (int i = 0; i < 5000 && !t->overflow; i++)
        twtrack_closed(t, &gone);
    assert_true(t->overflow);
    twtrack_clear(t);
    assert_true(!t->overflow && twtrack_count(t) == 0 && t->nwatch == 0);
}

/* TIME_WAIT kept between walks, on the clock it is given: looked up once
 * its time is up, dropped when the kernel no longer has it; watched
 * sockets that turn TIME_WAIT counted, gone ones dropped. */
static void test_twtrack(void **state)
{
    (void)state;
    struct lc_error err = {0};
    struct sockdiag *sd = sockdiag_or_skip();
    uint16_t port = 0;
    int l = listener(AF_INET, &port), c, s;
    connect_pair(AF_INET, l, port, &c, &s);
    close(s);
    usleep(20000);
    close(c);
    struct twtrack t = {0};
    struct collect col = {&t, port, 1000.0};
    struct sockdiag_query q = {AF_UNSPEC, 0xfff, &port, 1};
    for (double end = lc_now() + 2; twtrack_count(&t) == 0 && lc_now() < end; usleep(5000)) {
        twtrack_clear(&t);
        assert_int_equal(sockdiag_dump(sd, &q, collect_cb, &col, &err), 0);
    }
    assert_int_equal(twtrack_count(&t), 1);
    assert_true(t.tw[0].expires > 1000 + 50 && t.tw[0].expires <= 1000 + 60);
    unsigned long n = 0;
    /* nothing is due: no lookup */
    assert_int_equal(twtrack_refresh(&t, sd, 1030, &n, &err), 0);
    assert_true(n == 0 && twtrack_count(&t) == 1);
    /* its time is up but the kernel still has it: kept */
    assert_int_equal(twtrack_refresh(&t, sd, 1061, &n, &err), 0);
    assert_true(n == 1 && twtrack_count(&t) == 1);
    /* one the kernel never had (another port) is dropped once due */
    struct sockdiag_sock fake = t.tw[0].s;
    fake.sport = 1;
    fake.expires_ms = 0;
    twtrack_add(&t, &fake, 0, 2000);
    assert_int_equal(twtrack_count(&t), 2);
    assert_int_equal(twtrack_refresh(&t, sd, 2000, &n, &err), 0);
    assert_int_equal(twtrack_count(&t), 1);
    watched(&t, sd, fake);
    twtrack_free(&t);
    close(l);
    sockdiag_free(sd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_twtrack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
