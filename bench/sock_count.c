/*
 * bench/sock_count.c: what one /proc sample round costs leakcheck with
 * many TCP sockets on the machine, counted both ways: the whole
 * /proc/PID/net/tcp and tcp6 tables (PROCFS_TCP_TABLES, the old way) and
 * sock_diag (PROCFS_TCP_NETLINK). Built and run by bench/sock_count.sh.
 *
 *   sock_count pairs N             N connected pairs on 127.0.0.1 (2N sockets)
 *   sock_count target CHURN_MS     a small target: a listener, 3 pairs, a
 *                                  CLOSE_WAIT, a TIME_WAIT on its port; with
 *                                  CHURN_MS > 0 one more connection opened
 *                                  and closed (server first) that often
 *   sock_count measure PID ROUNDS INTERVAL_MS
 *                                  ROUNDS rounds of procfs_read_from(PID)
 *                                  with each source in turn, INTERVAL_MS
 *                                  apart; prints the CPU time per round
 *   sock_count lo-up               brings the loopback interface up (in a
 *                                  new network namespace)
 *
 * The helpers print "ready" when set up and run until stdin closes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sources/procfs.h"
#include "sources/procfs_internal.h"

static void die(const char *what)
{
    fprintf(stderr, "sock_count: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int listen_any(struct sockaddr_in *a)
{
    socklen_t len = sizeof(*a);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    *a = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (l < 0 || bind(l, (struct sockaddr *)a, sizeof(*a)) != 0 || listen(l, 4096) != 0 ||
        getsockname(l, (struct sockaddr *)a, &len) != 0)
        die("listen");
    return l;
}

static void pair(int l, const struct sockaddr_in *a, int *c, int *s)
{
    *c = socket(AF_INET, SOCK_STREAM, 0);
    if (*c < 0 || connect(*c, (const struct sockaddr *)a, sizeof(*a)) != 0)
        die("connect");
    if ((*s = accept(l, NULL, NULL)) < 0)
        die("accept");
}

/* Runs until stdin closes, calling tick every ms milliseconds (0: never). */
static void wait_stdin(int ms, void (*tick)(void))
{
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        struct pollfd p = {.fd = 0, .events = POLLIN};
        char b[64];
        if (poll(&p, 1, ms > 0 ? ms : -1) > 0 && read(0, b, sizeof(b)) <= 0)
            return;
        if (tick)
            tick();
    }
}

static int churn_l;
static struct sockaddr_in churn_a;

static void churn(void)
{
    int c, s;
    pair(churn_l, &churn_a, &c, &s);
    close(s); /* the server closes first: TIME_WAIT on the listening port */
    close(c);
}

static int target(int churn_ms)
{
    int c, s;
    churn_l = listen_any(&churn_a);
    for (int i = 0; i < 3; i++)
        pair(churn_l, &churn_a, &c, &s);
    pair(churn_l, &churn_a, &c, &s);
    close(c); /* s: CLOSE_WAIT */
    churn();
    wait_stdin(churn_ms, churn_ms > 0 ? churn : NULL);
    return 0;
}

static int pairs(int n)
{
    struct sockaddr_in a;
    int l = listen_any(&a), c, s;
    for (int i = 0; i < n; i++)
        pair(l, &a, &c, &s);
    wait_stdin(0, NULL);
    return 0;
}

static double thread_cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *name, double *ms, int n, const struct procfs_sample *s)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += ms[i];
    qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
    printf("%-8s %8.3f %8.3f %8.3f %8.3f   est %g cw %g tw %g listen %g\n", name, sum / n,
           ms[n / 2], ms[n * 9 / 10], ms[n - 1], s->tcp_established, s->tcp_close_wait,
           s->tcp_time_wait, s->tcp_listen);
}

static int measure(pid_t pid, int rounds, int interval_ms)
{
    static const enum procfs_tcp_source src[2] = {PROCFS_TCP_TABLES, PROCFS_TCP_NETLINK};
    double *ms[2] = {calloc((size_t)rounds, sizeof(double)),
                     calloc((size_t)rounds, sizeof(double))};
    struct procfs_sample last[2];
    struct lc_error err = {0};
    for (int i = 0; i < rounds; i++) {
        for (int k = 0; k < 2; k++) {
            double t0 = thread_cpu();
            if (procfs_read_from(pid, src[k], &last[k], &err) != 0) {
                fprintf(stderr, "sock_count: round %d: %s\n", i, err.msg);
                return 1;
            }
            ms[k][i] = (thread_cpu() - t0) * 1e3;
        }
        usleep((useconds_t)interval_ms * 1000);
    }
    printf("source   mean(ms)  p50(ms)  p90(ms)  max(ms)   last round's figures\n");
    report("tables", ms[0], rounds, &last[0]);
    report("netlink", ms[1], rounds, &last[1]);
    struct tcpcount_stats st;
    if (procfs_tcp_get_stats(pid, &st) == 0)
        printf("netlink rounds %lu: filtered walks %lu, full walks %lu, lookups %lu, "
               "protocol reads %lu\n",
               st.rounds, st.filtered_walks, st.full_walks, st.lookups, st.protocol_reads);
    free(ms[0]);
    free(ms[1]);
    return 0;
}

static int lo_up(void)
{
    struct ifreq ifr = {0};
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
    if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
        die("SIOCGIFFLAGS lo");
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
        die("SIOCSIFFLAGS lo");
    close(fd);
    return 0;
}

/* argv[i] as a number from min to 10^7, or -1. */
static int num(char **argv, int i, int min)
{
    char *end;
    long v = strtol(argv[i], &end, 10);
    return *end || end == argv[i] || v < min || v > 10000000 ? -1 : (int)v;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "lo-up") == 0)
        return lo_up();
    if (argc == 3 && strcmp(argv[1], "pairs") == 0 && num(argv, 2, 1) > 0)
        return pairs(num(argv, 2, 1));
    if (argc == 3 && strcmp(argv[1], "target") == 0 && num(argv, 2, 0) >= 0)
        return target(num(argv, 2, 0));
    if (argc == 5 && strcmp(argv[1], "measure") == 0 && num(argv, 2, 1) > 0 &&
        num(argv, 3, 1) > 0 && num(argv, 4, 0) >= 0)
        return measure((pid_t)num(argv, 2, 1), num(argv, 3, 1), num(argv, 4, 0));
    fprintf(stderr,
            "usage: sock_count pairs N | target CHURN_MS | measure PID ROUNDS MS | lo-up\n");
    return 2;
}
