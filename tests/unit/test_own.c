/*
 * tests/unit/test_own.c: what leakcheck leaves out as its own
 * (run/own.c): the two goroutines that serve a goroutine profile
 * request, in profiles Go 1.19 wrote for leakcheck's sampler
 * (tests/data/pprof/go1.19/goroutine-debug1-own-*.txt); and, live, the
 * fetcher's one kept-alive connection, its local addresses, and a process
 * reading its own /proc with those addresses left out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/own.h"
#include "lg_servers.h"

#define DATA "tests/data/pprof/go1.19/"

static struct pprof_profile *load_profile(const char *name)
{
    struct lc_error err = {0};
    size_t len = 0;
    char *text = lc_read_file(name, 1u << 20, &len, &err);
    if (!text)
        fail_msg("%s", err.msg);
    struct pprof_profile *p = pprof_parse_goroutine(text, len, &err);
    if (!p)
        fail_msg("%s: %s", name, err.msg);
    free(text);
    return p;
}

static uint64_t records_with(const struct pprof_profile *p, const char *func)
{
    uint64_t n = 0;
    for (size_t i = 0; i < p->nstacks; i++)
        for (size_t k = 0; k < p->stacks[i].nframes; k++)
            if (strcmp(p->stacks[i].frames[k].func, func) == 0) {
                n += p->stacks[i].count;
                break;
            }
    return n;
}

static uint64_t sum(const struct pprof_profile *p)
{
    uint64_t n = 0;
    for (size_t i = 0; i < p->nstacks; i++)
        n += p->stacks[i].count;
    return n;
}

/* The request's reader goroutine is blocked in its read. */
static void test_drop_reader(void **state)
{
    (void)state;
    struct pprof_profile *p = load_profile(DATA "goroutine-debug1-own-reader.txt");
    assert_int_equal(p->total, 6);
    size_t nstacks = p->nstacks;
    assert_int_equal(own_drop_goroutines(p), 2);
    assert_int_equal(p->total, 4);
    assert_int_equal(sum(p), 4);
    assert_int_equal(p->nstacks, nstacks - 2);
    assert_int_equal(records_with(p, "runtime/pprof.writeGoroutine"), 0);
    assert_int_equal(records_with(p, "net/http.(*connReader).backgroundRead"), 0);
    /* the service's own goroutines are all still there */
    assert_int_equal(records_with(p, "net/http.(*Server).Serve"), 1);
    assert_int_equal(records_with(p, "main.main.func2"), 1);
    /* a second call finds no request of ours any more */
    assert_int_equal(own_drop_goroutines(p), 0);
    assert_int_equal(p->total, 4);
    pprof_free(p);
}

/* The reader goroutine was created but has not run: runtime.goexit alone. */
static void test_drop_unstarted(void **state)
{
    (void)state;
    struct pprof_profile *p = load_profile(DATA "goroutine-debug1-own-unstarted.txt");
    assert_int_equal(p->total, 6);
    assert_int_equal(records_with(p, "net/http.(*connReader).backgroundRead"), 0);
    assert_int_equal(own_drop_goroutines(p), 2);
    assert_int_equal(p->total, 4);
    assert_int_equal(sum(p), 4);
    assert_int_equal(records_with(p, "main.main.func2"), 1);
    pprof_free(p);
}

/* Not served by net/http (no handler record): nothing is ours to drop. */
static void test_drop_nothing(void **state)
{
    (void)state;
    static const char text[] = "goroutine profile: total 3\n"
                               "3 @ 0x1 0x2\n"
                               "#\t0x1\tmain.worker+0x1\t/src/main.go:10\n"
                               "#\t0x2\tnet/http.(*connReader).backgroundRead+0x1\t/x.go:1\n"
                               "\n";
    struct lc_error err = {0};
    struct pprof_profile *p = pprof_parse_goroutine(text, sizeof(text) - 1, &err);
    if (!p)
        fail_msg("%s", err.msg);
    assert_int_equal(own_drop_goroutines(p), 0);
    assert_int_equal(p->total, 3);
    /* pprof_drop: part of a record, then more than is left */
    pprof_drop(p, 0, 2);
    assert_int_equal(p->total, 1);
    assert_int_equal(p->stacks[0].count, 1);
    pprof_drop(p, 0, 5);
    assert_int_equal(p->total, 0);
    assert_int_equal(p->nstacks, 0);
    assert_int_equal(own_drop_goroutines(NULL), 0);
    pprof_free(p);
}

struct got {
    int n;
    long status;
};

static void on_got(const struct fetch_result *r, void *arg)
{
    struct got *g = arg;
    g->n++;
    g->status = r->status;
}

static void get(struct event_base *base, struct fetch *f, int port, const char *path)
{
    char url[128];
    struct got g = {0};
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    assert_int_equal(fetch_get(f, url, 5.0, 1024, NULL, on_got, &g), 0);
    while (g.n == 0)
        event_base_loop(base, EVLOOP_ONCE);
    assert_int_equal(g.status, 200);
}

/* One kept-alive connection to the origin; any other closed after use. */
static void test_fetch_keep_alive(void **state)
{
    (void)state;
    struct srv *origin = srv_start("127.0.0.1"), *other = srv_start("127.0.0.1");
    assert_non_null(origin);
    assert_non_null(other);
    struct event_base *base = event_base_new();
    struct lc_error err = {0};
    struct fetch *f = fetch_new(base, &err);
    assert_non_null(f);
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/debug/pprof", origin->port);
    fetch_keep_alive(f, url);
    for (int i = 0; i < 3; i++) {
        get(base, f, origin->port, "/a");
        get(base, f, other->port, "/b");
    }
    /* two at once to the origin take turns on its one connection */
    struct got g1 = {0}, g2 = {0};
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/a", origin->port);
    assert_int_equal(fetch_get(f, url, 5.0, 1024, NULL, on_got, &g1), 0);
    assert_int_equal(fetch_get(f, url, 5.0, 1024, NULL, on_got, &g2), 0);
    while (g1.n == 0 || g2.n == 0)
        event_base_loop(base, EVLOOP_ONCE);
    assert_int_equal(atomic_load(&origin->requests), 5);
    assert_int_equal(atomic_load(&origin->nconns), 1);
    assert_int_equal(atomic_load(&other->requests), 3);
    assert_int_equal(atomic_load(&other->nconns), 3);
    /* only the origin's connection is still open: one local address */
    struct procfs_endpoint *own = NULL;
    size_t nown = own_endpoints(f, &own);
    assert_int_equal(nown, 1);
    assert_int_equal(own[0].family, AF_INET);
    assert_true(own[0].port != 0 && own[0].port != origin->port);
    /* this process serves that connection too: its accepted end (whose
     * peer is ours) is left out, the fetcher's own end is not */
    /* from the tables, and from sock_diag where this machine has it */
    for (int src = PROCFS_TCP_AUTO; src <= PROCFS_TCP_TABLES; src++) {
        struct procfs_sample all, mine;
        if (src == PROCFS_TCP_NETLINK && procfs_read_from(getpid(), src, &all, &err) != 0)
            continue;
        /* the other server closes its ends in its own thread: let it */
        for (int i = 0; i < 50; i++) {
            assert_int_equal(procfs_read_from(getpid(), src, &all, &err), 0);
            assert_int_equal(procfs_read_excluding(getpid(), src, own, nown, &mine, &err), 0);
            if (all.fds == mine.fds + 1 && all.tcp_established == mine.tcp_established + 1)
                break;
            usleep(20000);
        }
        assert_true(all.tcp_established == mine.tcp_established + 1);
        assert_true(all.fds == mine.fds + 1);
        assert_true(all.sockets == mine.sockets + 1);
        assert_true(all.tcp_listen == mine.tcp_listen);
    }
    free(own);
    fetch_free(f);
    event_base_free(base);
    srv_stop(origin);
    srv_stop(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drop_reader),
        cmocka_unit_test(test_drop_unstarted),
        cmocka_unit_test(test_drop_nothing),
        cmocka_unit_test(test_fetch_keep_alive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
