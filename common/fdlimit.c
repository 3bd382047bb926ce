/* common/fdlimit.c: leakcheck's own RLIMIT_NOFILE (see fdlimit.h). */
#include "common/fdlimit.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* the limits before the first raise; saved_ok once they are saved */
static struct rlimit saved;
static volatile int saved_ok;

unsigned long fdlimit_need(unsigned long concurrency, unsigned long requests, unsigned long threads)
{
    unsigned long conns = concurrency ? concurrency : 1;
    if (requests && requests < conns)
        conns = requests;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned long)n : 1;
    }
    if (threads > conns)
        threads = conns;
    return conns + FDLIMIT_PER_THREAD * threads + FDLIMIT_RESERVE;
}

static unsigned long as_ulong(rlim_t v)
{
    return v == RLIM_INFINITY || v > ULONG_MAX ? ULONG_MAX : (unsigned long)v;
}

unsigned long fdlimit_hard(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return ULONG_MAX;
    return as_ulong(rl.rlim_max);
}

int fdlimit_raise(unsigned long need, struct lc_error *err)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return lc_error_set(err, "cannot read the descriptor limit: %s", strerror(errno)), -1;
    if (as_ulong(rl.rlim_cur) >= need)
        return 0;
    if (as_ulong(rl.rlim_max) < need)
        return lc_error_set(err,
                            "the load needs about %lu file descriptors, but leakcheck's hard limit "
                            "is %lu (ulimit -Hn): lower concurrency or raise the hard limit",
                            need, as_ulong(rl.rlim_max)),
               -1;
    if (!saved_ok) {
        saved = rl;
        saved_ok = 1;
    }
    rl.rlim_cur = (rlim_t)need;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        return lc_error_set(err, "cannot raise the descriptor limit from %lu to %lu: %s",
                            as_ulong(saved.rlim_cur), need, strerror(errno)),
               -1;
    return 0;
}

void fdlimit_child_restore(void)
{
    struct rlimit rl;
    if (!saved_ok || getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rl.rlim_cur = saved.rlim_cur < rl.rlim_max ? saved.rlim_cur : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
}

/* fs.nr_open, the most any process may have; 1048576 when unreadable */
static unsigned long nr_open(void)
{
    unsigned long v = 0;
    FILE *f = fopen("/proc/sys/fs/nr_open", "re");
    if (f) {
        if (fscanf(f, "%lu", &v) != 1)
            v = 0;
        fclose(f);
    }
    return v ? v : 1048576ul;
}

const char *fdlimit_check_nofile(unsigned long nofile, char *buf, size_t n)
{
    unsigned long hard = fdlimit_hard(), most = nr_open();
    if (nofile > most)
        snprintf(buf, n,
                 "%lu is above the kernel's ceiling fs.nr_open = %lu (no process may have more "
                 "descriptors)",
                 nofile, most);
    else if (nofile > hard && geteuid() != 0)
        snprintf(buf, n,
                 "%lu is above leakcheck's hard limit %lu (ulimit -Hn), which only root can "
                 "raise",
                 nofile, hard);
    else
        return NULL;
    return buf;
}
