/*
 * sources/procfs.c: counters of a live process from /proc/PID (fds and
 * their limit, threads, RSS, sockets, TCP sockets by state).
 *
 * Called every 250 ms on processes with thousands of fds, so one call is
 * one pass over fd/ (readlink of each entry: fds closed meanwhile are
 * skipped), one read each of status and limits into a reused buffer, and
 * the TCP figures from sock_diag (procfs_tcp.c, sources/tcpcount.c) or,
 * where that cannot be used, from net/tcp and net/tcp6 joined with the
 * socket inodes. A process that is gone (or a zombie, whose counters are
 * gone) is ESRCH.
 */
#include "sources/procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sources/procfs_internal.h"

/* Finds the line starting with `key` and returns what follows it, or NULL. */
static const char *field(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *s = text; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL)
        if (strncmp(s, key, n) == 0)
            return s + n;
    return NULL;
}

/* A decimal number after blanks; -1 when there is none. */
static int number_after(const char *s, double *out)
{
    char *end = NULL;
    s += strspn(s, " \t");
    if (*s < '0' || *s > '9')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    *out = (double)v;
    return 0;
}

int procfs_parse_status(const char *text, double *threads, double *rss_bytes)
{
    const char *t = text ? field(text, "Threads:") : NULL;
    const char *r = text ? field(text, "VmRSS:") : NULL;
    double kb;
    if (!t || !r || number_after(t, threads) != 0 || number_after(r, &kb) != 0)
        return -1;
    /* the kernel writes "kB" and means KiB */
    *rss_bytes = kb * 1024.0;
    return 0;
}

int procfs_parse_limits(const char *text, double *soft)
{
    const char *s = text ? field(text, "Max open files") : NULL;
    if (!s)
        return -1;
    s += strspn(s, " \t");
    if (strncmp(s, "unlimited", 9) == 0) {
        *soft = -1;
        return 0;
    }
    return number_after(s, soft);
}

static int gone(pid_t pid, struct lc_error *err)
{
    lc_error_set(err, "process %ld is gone", (long)pid);
    errno = ESRCH;
    return -1;
}

/* Appends /proc/PID/name whole to b (NUL-terminated after). Returns 0, 1
 * when the file does not exist (the process may be gone), -1 with err. */
static int append_proc(pid_t pid, const char *name, struct lc_buf *b, struct lc_error *err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ESRCH)
            return 1;
        lc_error_set(err, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    for (;;) {
        lc_grow((void **)&b->data, &b->cap, b->len + 65536 + 1, 1);
        ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;
            close(fd);
            b->data[b->len] = '\0';
            if (n == 0)
                return 0;
            if (e == ESRCH || e == ENOENT)
                return 1;
            lc_error_set(err, "cannot read %s: %s", path, strerror(e));
            return -1;
        }
        b->len += (size_t)n;
    }
}

/* Reads /proc/PID/name whole into b (reset first): as append_proc. */
static int read_proc(pid_t pid, const char *name, struct lc_buf *b, struct lc_error *err)
{
    lc_buf_reset(b);
    return append_proc(pid, name, b, err);
}

int procfs_append_text(pid_t pid, const char *name, struct lc_buf *b)
{
    return append_proc(pid, name, b, NULL) == 0 ? 0 : -1;
}

struct fdscan {
    double fds, sockets;
    struct tcpcount_fd *socks;
    size_t nsocks, cap;
};

/* One fd entry: count it, and keep its inode when it is a socket. */
static void one_fd(DIR *d, const char *name, struct fdscan *fs)
{
    char link[256];
    ssize_t n = readlinkat(dirfd(d), name, link, sizeof(link) - 1);
    if (n < 0 && errno == ENOENT)
        return; /* closed between readdir and readlink */
    fs->fds++;
    if (n < 9 || memcmp(link, "socket:[", 8) != 0)
        return;
    link[n] = '\0';
    fs->sockets++;
    lc_grow((void **)&fs->socks, &fs->cap, fs->nsocks + 1, sizeof(*fs->socks));
    fs->socks[fs->nsocks++] =
        (struct tcpcount_fd){strtoull(link + 8, NULL, 10), (int)strtol(name, NULL, 10)};
}

/* One pass over /proc/PID/fd. Returns 0, 1 when the process is gone, -1. */
static int scan_fds(pid_t pid, struct fdscan *fs, struct lc_error *err)
{
    char path[64], self[32] = "";
    snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
    DIR *d = opendir(path);
    if (!d) {
        if (errno == ENOENT || errno == ESRCH)
            return 1;
        lc_error_set(err, "cannot list %s: %s", path, strerror(errno));
        return -1;
    }
    /* reading our own fd/ shows the directory's fd too: not one of ours */
    if (pid == getpid())
        snprintf(self, sizeof(self), "%d", dirfd(d));
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && strcmp(e->d_name, self) != 0)
            one_fd(d, e->d_name, fs);
    closedir(d);
    return 0;
}

/* status: threads and RSS; a zombie counts as gone. */
static int read_status(pid_t pid, struct lc_buf *b, struct procfs_sample *out, struct lc_error *err)
{
    int rc = read_proc(pid, "status", b, err);
    if (rc != 0)
        return rc;
    const char *st = field(b->data, "State:");
    if (st && (st[strspn(st, " \t")] == 'Z' || st[strspn(st, " \t")] == 'X'))
        return 1;
    if (procfs_parse_status(b->data, &out->threads, &out->rss) != 0) {
        lc_error_set(err, "/proc/%ld/status lacks Threads or VmRSS", (long)pid);
        return -1;
    }
    return 0;
}

static int cmp_sock(const void *a, const void *b)
{
    uint64_t x = ((const struct tcpcount_fd *)a)->inode, y = ((const struct tcpcount_fd *)b)->inode;
    return (x > y) - (x < y);
}

/* Drops from fs (sorted) the sockets whose row says their peer is one of
 * own[]: they are not the process's to count. */
static void drop_own(struct fdscan *fs, const struct procfs_tcp *rows, size_t n,
                     const struct procfs_endpoint *own, size_t nown)
{
    for (size_t i = 0; i < n && nown && fs->nsocks; i++) {
        if (!procfs_peer_is(&rows[i], own, nown))
            continue;
        struct tcpcount_fd key = {rows[i].inode, 0};
        struct tcpcount_fd *hit =
            bsearch(&key, fs->socks, fs->nsocks, sizeof(*fs->socks), cmp_sock);
        if (!hit)
            continue;
        memmove(hit, hit + 1, (size_t)(fs->socks + fs->nsocks - hit - 1) * sizeof(*hit));
        fs->nsocks--;
        fs->fds--;
        fs->sockets--;
    }
}

/* net/tcp and net/tcp6 joined with the socket inodes (sorted), less the
 * sockets whose peer is one of own[]. */
static int read_tables(pid_t pid, struct lc_buf *b, struct fdscan *fs,
                       const struct procfs_endpoint *own, size_t nown, struct procfs_sample *out,
                       struct lc_error *err)
{
    static const struct {
        const char *name;
        int family;
    } tables[] = {{"net/tcp", AF_INET}, {"net/tcp6", AF_INET6}};
    struct procfs_tcp *rows = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (size_t i = 0; i < LC_ARRAY_LEN(tables) && rc == 0; i++) {
        rc = read_proc(pid, tables[i].name, b, err);
        /* no tcp6 table: IPv6 is off; no tcp table: the process is gone */
        if (rc == 1 && tables[i].family == AF_INET6)
            rc = 0;
        else if (rc == 0 && procfs_parse_net_tcp(b->data, tables[i].family, &rows, &n, &cap, err))
            rc = -1;
    }
    if (rc == 0) {
        drop_own(fs, rows, n, own, nown);
        uint64_t *inodes = lc_malloc((fs->nsocks ? fs->nsocks : 1) * sizeof(*inodes));
        for (size_t i = 0; i < fs->nsocks; i++)
            inodes[i] = fs->socks[i].inode;
        procfs_tally_tcp(rows, n, inodes, fs->nsocks, out);
        free(inodes);
    }
    free(rows);
    return rc;
}

/* The TCP figures: from sock_diag when src allows and it works, else
 * from the tables; the sockets whose peer is one of own[] left out of
 * them and of fs's counts. */
static int read_tcp(pid_t pid, enum procfs_tcp_source src, struct lc_buf *b, struct fdscan *fs,
                    const struct procfs_endpoint *own, size_t nown, struct procfs_sample *out,
                    struct lc_error *err)
{
    if (fs->nsocks) /* socks is NULL when there are none; qsort must not see NULL */
        qsort(fs->socks, fs->nsocks, sizeof(*fs->socks), cmp_sock);
    out->tcp_netlink = 0;
    if (src != PROCFS_TCP_TABLES) {
        size_t owned = 0;
        int rc = procfs_tcp_netlink(pid, src, fs->socks, fs->nsocks, own, nown, &owned, out, err);
        if (rc <= 0) {
            out->tcp_netlink = rc == 0;
            fs->fds -= (double)owned;
            fs->sockets -= (double)owned;
            return rc;
        }
    }
    return read_tables(pid, b, fs, own, nown, out, err);
}

static int read_limits(pid_t pid, struct lc_buf *b, struct procfs_sample *out, struct lc_error *err)
{
    int rc = read_proc(pid, "limits", b, err);
    if (rc == 0 && procfs_parse_limits(b->data, &out->fd_limit) != 0) {
        lc_error_set(err, "/proc/%ld/limits has no \"Max open files\" line", (long)pid);
        rc = -1;
    }
    return rc;
}

int procfs_read(pid_t pid, struct procfs_sample *out, struct lc_error *err)
{
    return procfs_read_excluding(pid, PROCFS_TCP_AUTO, NULL, 0, out, err);
}

int procfs_read_from(pid_t pid, enum procfs_tcp_source src, struct procfs_sample *out,
                     struct lc_error *err)
{
    return procfs_read_excluding(pid, src, NULL, 0, out, err);
}

int procfs_read_excluding(pid_t pid, enum procfs_tcp_source src, const struct procfs_endpoint *own,
                          size_t nown, struct procfs_sample *out, struct lc_error *err)
{
    struct fdscan fs = {0};
    struct lc_buf b = {0};
    struct procfs_sample s = {0};
    if (pid <= 0) {
        lc_error_set(err, "invalid pid %ld", (long)pid);
        errno = EINVAL;
        return -1;
    }
    /* sock_diag's own socket, when pid is us, is there before fd/ is listed */
    if (src != PROCFS_TCP_TABLES)
        procfs_tcp_prepare(pid);
    int rc = read_status(pid, &b, &s, err);
    if (rc == 0)
        rc = scan_fds(pid, &fs, err);
    if (rc == 0)
        rc = read_limits(pid, &b, &s, err);
    /* no socket, no TCP figure: neither sock_diag nor the tables (the whole
     * namespace's, tens of thousands of rows on a busy host) are asked */
    if (rc == 0 && fs.nsocks > 0)
        rc = read_tcp(pid, src, &b, &fs, own, nown, &s, err);
    s.fds = fs.fds;
    s.sockets = fs.sockets;
    free(fs.socks);
    lc_buf_free(&b);
    if (rc == 1) {
        procfs_tcp_forget(pid);
        return gone(pid, err);
    }
    if (rc != 0)
        return -1;
    *out = s;
    return 0;
}

/* The value of the first NAME= entry of an environment block (as Go's
 * runtime reads it): *val and *vlen, or -1 when there is none. */
static int env_value(const char *env, size_t len, const char *name, const char **val, size_t *vlen)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < len;) {
        const char *e = env + i;
        size_t n = strnlen(e, len - i);
        if (n > nl && e[nl] == '=' && memcmp(e, name, nl) == 0) {
            *val = e + nl + 1;
            *vlen = n - nl - 1;
            return 0;
        }
        i += n + 1;
    }
    return -1;
}

/* Go's runtime atoi64: not empty, an optional '-', then digits, no more
 * than an int64 (no '+', no blank). Returns 0 and sets *out, or -1. */
static int go_atoi(const char *s, size_t n, long long *out)
{
    if (n == 0)
        return -1;
    int neg = s[0] == '-'; /* a lone '-' is 0, as for Go */
    unsigned long long v = 0;
    for (size_t i = (size_t)neg; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (9223372036854775807ULL - (unsigned)(s[i] - '0')) / 10)
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = neg ? -(long long)v : (long long)v;
    return 0;
}

/* Go reads GOGC as a percent ("off" turns the GC off) with atoi32: a value
 * that is no int32 is ignored, leaving the default, 100. */
double procfs_parse_gogc(const char *env, size_t len)
{
    const char *val;
    size_t n;
    long long v;
    if (env_value(env, len, "GOGC", &val, &n) != 0)
        return 100;
    if (n == 3 && memcmp(val, "off", 3) == 0)
        return -1;
    if (go_atoi(val, n, &v) != 0 || v < -2147483648LL || v > 2147483647LL)
        return 100;
    return v < 0 ? -1 : (double)v; /* Go: a negative percent is off */
}

/* Go's byte counts (parseByteCount): an atoi64 of 0 or more, then nothing,
 * B, KiB, MiB, GiB or TiB, the product no more than an int64. */
double procfs_parse_gomemlimit(const char *env, size_t len)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    const char *val;
    size_t n;
    long long v;
    if (env_value(env, len, "GOMEMLIMIT", &val, &n) != 0 || (n == 3 && !memcmp(val, "off", 3)))
        return INFINITY;
    double scale = 1;
    if (n > 0 && val[n - 1] == 'B') {
        n--;
        for (size_t u = 0; u < LC_ARRAY_LEN(units); u++)
            if (n >= 3 && memcmp(val + n - 2, units[u], 2) == 0) {
                n -= 2;
                scale = ldexp(1, 10 * (int)(u + 1));
                break;
            }
    }
    if (go_atoi(val, n, &v) != 0 || v < 0)
        return INFINITY; /* Go would not have started */
    double bytes = (double)v * scale;
    return bytes < 9223372036854775807.0 ? bytes : INFINITY;
}

void procfs_go_gc(pid_t pid, double *gogc, double *limit)
{
    struct lc_buf b = {0};
    int got = append_proc(pid, "environ", &b, NULL) == 0;
    *gogc = got ? procfs_parse_gogc(b.data, b.len) : 100;
    *limit = got ? procfs_parse_gomemlimit(b.data, b.len) : NAN;
    lc_buf_free(&b);
}
