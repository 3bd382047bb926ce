/*
 * sources/procfs_tcp.c: which way a process's TCP figures are counted,
 * and the sock_diag state (struct tcpcount) kept for each process between
 * rounds.
 *
 * procfs_read takes a pid and nothing else, so the state lives here, in a
 * few slots keyed by pid, the least recently used one given up for a new
 * pid. sock_diag is given up for a pid (its slot marked off) when it
 * cannot be used at all (no netlink, another network namespace), and
 * after MAX_FAILS rounds in a row that it failed; until then a failed
 * round is counted from the tables and the state starts afresh. A pid
 * reused by another process is harmless: what is kept is keyed by socket
 * inode and checked against the kernel each round.
 */
#include "sources/procfs_internal.h"

#include <pthread.h>
#include <stdlib.h>

#define SLOTS 8
#define MAX_FAILS 3

static struct slot {
    pid_t pid;
    struct tcpcount *tc;
    int fails;
    int off;
    struct lc_error why; /* why sock_diag is off */
    unsigned long used;
} slots[SLOTS];
static unsigned long clock_;
static double walk_gap = 1.0;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* pid's slot, taken over from the least recently used one when new. */
static struct slot *slot_of(pid_t pid)
{
    struct slot *s = &slots[0];
    for (size_t i = 0; i < SLOTS; i++) {
        if (slots[i].pid == pid) {
            s = &slots[i];
            goto found;
        }
        if (slots[i].used < s->used)
            s = &slots[i];
    }
    tcpcount_free(s->tc);
    *s = (struct slot){.pid = pid};
found:
    s->used = ++clock_;
    return s;
}

/* Creates the slot's state unless it exists or sock_diag is off for it. */
static int ensure(struct slot *s, struct lc_error *err)
{
    if (s->tc)
        return 0;
    struct lc_error e = {0};
    if (!s->off && !(s->tc = tcpcount_new(s->pid, &e))) {
        s->off = 1;
        s->why = e;
    }
    if (s->tc)
        tcpcount_set_walk_gap(s->tc, walk_gap);
    if (s->off)
        lc_error_set(err, "sock_diag is not used for process %ld: %s", (long)s->pid, s->why.msg);
    return s->tc ? 0 : -1;
}

void procfs_tcp_prepare(pid_t pid)
{
    pthread_mutex_lock(&mu);
    (void)ensure(slot_of(pid), NULL);
    pthread_mutex_unlock(&mu);
}

int procfs_tcp_netlink(pid_t pid, enum procfs_tcp_source src, const struct tcpcount_fd *socks,
                       size_t n, const struct procfs_endpoint *own, size_t nown, size_t *owned,
                       struct procfs_sample *out, struct lc_error *err)
{
    *owned = 0;
    struct lc_error e = {0};
    pthread_mutex_lock(&mu);
    struct slot *s = slot_of(pid);
    int rc = ensure(s, &e);
    if (rc == 0 && (rc = tcpcount_read(s->tc, socks, n, out, &e)) != 0) {
        tcpcount_free(s->tc);
        s->tc = NULL;
        s->off = ++s->fails >= MAX_FAILS;
        lc_error_set(&s->why, "failed %d times in a row, last: %s", s->fails, e.msg);
    } else if (rc == 0) {
        s->fails = 0;
        *owned = tcpcount_drop_peers(s->tc, own, nown, out);
    }
    pthread_mutex_unlock(&mu);
    if (rc == 0)
        return 0;
    if (src == PROCFS_TCP_AUTO)
        return 1;
    lc_error_set(err, "%s", e.msg);
    return -1;
}

int procfs_tcp_get_stats(pid_t pid, struct tcpcount_stats *st)
{
    int rc = -1;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < SLOTS; i++)
        if (slots[i].pid == pid && slots[i].tc) {
            tcpcount_get_stats(slots[i].tc, st);
            rc = 0;
        }
    pthread_mutex_unlock(&mu);
    return rc;
}

void procfs_tcp_set_walk_gap(double seconds)
{
    pthread_mutex_lock(&mu);
    walk_gap = seconds;
    pthread_mutex_unlock(&mu);
}

void procfs_tcp_forget(pid_t pid)
{
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < SLOTS; i++)
        if (slots[i].pid == pid) {
            tcpcount_free(slots[i].tc);
            slots[i] = (struct slot){0};
        }
    pthread_mutex_unlock(&mu);
}
