/*
 * common/fdlimit.h: leakcheck's own descriptor limit (RLIMIT_NOFILE).
 *
 * A load of N connections holds N sockets at once, besides leakcheck's own
 * descriptors (event loops, sources, /proc files, reports). The soft limit
 * a shell hands out (often 1024) is raised to what the load needs, up to
 * the hard limit; a load that cannot fit under the hard limit is refused
 * when the suite is read. A started target gets the soft limit leakcheck
 * started with, not the raised one (target.c calls fdlimit_child_restore).
 */
#ifndef LC_FDLIMIT_H
#define LC_FDLIMIT_H

#include "common/lc.h"

/* Descriptors leakcheck keeps for itself besides the load's connections,
 * and per worker thread (its event loop's epoll and notification fds). */
#define FDLIMIT_RESERVE 64ul
#define FDLIMIT_PER_THREAD 4ul

/* The descriptors a load needs: one per connection that can be open at
 * once (concurrency, or fewer when requests is smaller), FDLIMIT_PER_THREAD
 * per worker thread (threads, or the number of cores; at most one per
 * connection) and FDLIMIT_RESERVE. requests and threads 0 mean unset. */
unsigned long fdlimit_need(unsigned long concurrency, unsigned long requests,
                           unsigned long threads);

/* Leakcheck's hard RLIMIT_NOFILE (RLIM_INFINITY as ULONG_MAX). */
unsigned long fdlimit_hard(void);

/* Raises leakcheck's soft RLIMIT_NOFILE to need when it is lower (never
 * lowers it). Returns 0, or -1 with err naming need and the hard limit
 * when the hard limit is lower than need. */
int fdlimit_raise(unsigned long need, struct lc_error *err);

/* In a forked child before exec (async-signal-safe): puts back the soft
 * limit leakcheck started with, if fdlimit_raise changed it. */
void fdlimit_child_restore(void);

/* Checks a target's "nofile": returns NULL when the child can set it, else
 * a message with the numbers (written into buf of n bytes). An
 * unprivileged process cannot go above its hard limit; none can go above
 * the kernel's fs.nr_open. */
const char *fdlimit_check_nofile(unsigned long nofile, char *buf, size_t n);

#endif
