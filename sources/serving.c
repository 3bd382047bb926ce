/* sources/serving.c: the process that serves, among a target's descendants. */
#include "sources/serving.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/lc.h"
#include "common/procstat.h"
#include "sources/procfs.h"

#define NET_MAX_BYTES (64u << 20)
#define COMMAND_MAX 500

struct serving {
    pid_t root;
    int group;
    enum serving_mode mode;
    int *ports;
    size_t nports;
    pid_t pid;
    int listener; /* pid was found listening */
    int resolved; /* serving_resolve ran once */
    uint64_t sig; /* the listening sockets on the ports at the last look */
    double last;  /* lc_now() of the last look */
    unsigned changes;
    char *command;
    char how[192];
};

/* One process of the system, from /proc/PID/stat. */
struct proc_row {
    pid_t pid, ppid, pgrp;
    unsigned long long start; /* clock ticks after boot */
    int depth;                /* below root; -1: not a descendant */
};

static int port_in(int port, const int *ports, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ports[i] == port)
            return 1;
    return 0;
}

/* The TCP LISTEN rows of root's network namespace (ours when root is gone)
 * on any of ports, into *out (caller frees). Returns how many. */
static size_t listening_rows(pid_t root, const int *ports, size_t nports, struct procfs_tcp **out)
{
    static const struct {
        const char *name;
        int family;
    } tables[] = {{"tcp", AF_INET}, {"tcp6", AF_INET6}};
    struct procfs_tcp *rows = NULL;
    size_t n = 0, cap = 0, k = 0;
    for (size_t i = 0; i < LC_ARRAY_LEN(tables); i++) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%ld/net/%s", (long)root, tables[i].name);
        char *text = lc_read_file(path, NET_MAX_BYTES, NULL, NULL);
        if (!text) {
            snprintf(path, sizeof(path), "/proc/net/%s", tables[i].name);
            text = lc_read_file(path, NET_MAX_BYTES, NULL, NULL);
        }
        /* a malformed row keeps the rows before it: good enough to look for listeners */
        if (text)
            procfs_parse_net_tcp(text, tables[i].family, &rows, &n, &cap, NULL);
        free(text);
    }
    for (size_t i = 0; i < n; i++)
        if (rows[i].state == PROCFS_TCP_LISTEN && port_in(rows[i].lport, ports, nports))
            rows[k++] = rows[i];
    *out = rows;
    return k;
}

/* Reads ppid, pgrp and start time of pid. Returns 0, or -1 when it is gone
 * or a zombie (which holds no descriptors). */
static int read_stat(pid_t pid, struct proc_row *row)
{
    struct lc_procstat st;
    if (lc_procstat_read(pid, &st) != 0 || st.state == 'Z' || st.state == 'X')
        return -1;
    *row = (struct proc_row){pid, st.ppid, st.pgrp, st.starttime, -1};
    return 0;
}

/* Every live process of the system, in /proc order (caller frees). */
static struct proc_row *proc_table(size_t *n)
{
    struct proc_row *rows = NULL;
    size_t cap = 0;
    *n = 0;
    DIR *d = opendir("/proc");
    if (!d)
        return NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        struct proc_row row;
        if (read_stat((pid_t)strtol(e->d_name, NULL, 10), &row) != 0)
            continue;
        lc_grow((void **)&rows, &cap, *n + 1, sizeof(*rows));
        rows[(*n)++] = row;
    }
    closedir(d);
    return rows;
}

static int cmp_pid(const void *a, const void *b)
{
    const struct proc_row *x = a, *y = b;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Sets depth on root (0) and on its descendants; with group, members of
 * process group root whose parent is not a descendant (orphans a wrapper
 * left behind) count as its children. Sorts rows by pid. */
static void mark_descendants(struct proc_row *rows, size_t n, pid_t root, int group)
{
    if (n == 0)
        return;
    qsort(rows, n, sizeof(*rows), cmp_pid);
    for (size_t i = 0; i < n; i++)
        rows[i].depth = rows[i].pid == root ? 0 : -1;
    for (int pass = 0; pass < 2; pass++) {
        /* a pass per generation: a few at most */
        for (int changed = 1; changed;) {
            changed = 0;
            for (size_t i = 0; i < n; i++) {
                struct proc_row key = {.pid = rows[i].ppid};
                const struct proc_row *parent =
                    rows[i].depth < 0 ? bsearch(&key, rows, n, sizeof(*rows), cmp_pid) : NULL;
                if (parent && parent->depth >= 0) {
                    rows[i].depth = parent->depth + 1;
                    changed = 1;
                }
            }
        }
        for (size_t i = 0; group && i < n; i++)
            if (rows[i].depth < 0 && rows[i].pgrp == root)
                rows[i].depth = 1;
    }
}

/* The first of the socket inodes that pid has among its descriptors, or 0. */
static uint64_t held(pid_t pid, const uint64_t *inodes, size_t ninodes)
{
    char path[64], link[64];
    snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    uint64_t found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        ssize_t len = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
        if (len < 9 || memcmp(link, "socket:[", 8) != 0)
            continue;
        link[len] = '\0';
        uint64_t ino = strtoull(link + 8, NULL, 10);
        for (size_t i = 0; i < ninodes && !found; i++)
            found = inodes[i] == ino ? ino : 0;
    }
    closedir(d);
    return found;
}

/* Deeper first, then younger, then the higher pid. */
static int cmp_preferred(const void *a, const void *b)
{
    const struct proc_row *x = a, *y = b;
    if (x->depth != y->depth)
        return y->depth - x->depth;
    if (x->start != y->start)
        return x->start < y->start ? 1 : -1;
    return (y->pid > x->pid) - (y->pid < x->pid);
}

/* The preferred descendant of root holding a socket of rows[] listening on
 * port; 0 when none. */
static pid_t find_in(pid_t root, int group, const struct procfs_tcp *rows, size_t nrows, int port,
                     char *how, size_t howlen)
{
    uint64_t *inodes = lc_calloc(nrows + 1, sizeof(*inodes)), ino = 0;
    size_t ninodes = 0, nprocs = 0, k = 0;
    pid_t found = 0;
    for (size_t i = 0; i < nrows; i++)
        if (rows[i].lport == port && rows[i].inode)
            inodes[ninodes++] = rows[i].inode;
    struct proc_row *procs = ninodes ? proc_table(&nprocs) : NULL;
    mark_descendants(procs, nprocs, root, group);
    for (size_t i = 0; i < nprocs; i++)
        if (procs[i].depth >= 0)
            procs[k++] = procs[i];
    if (k)
        qsort(procs, k, sizeof(*procs), cmp_preferred);
    for (size_t i = 0; i < k && !found; i++)
        if ((ino = held(procs[i].pid, inodes, ninodes)) != 0)
            found = procs[i].pid;
    /* the address of the very socket it holds (0.0.0.0 and [::] may both listen) */
    for (size_t i = 0; found && how && i < nrows; i++) {
        if (rows[i].inode != ino)
            continue;
        char ep[64];
        procfs_endpoint(rows[i].family, rows[i].local, rows[i].lport, ep, sizeof(ep));
        snprintf(how, howlen, "listening on %s", ep);
        break;
    }
    free(procs);
    free(inodes);
    return found;
}

pid_t serving_find_listener(pid_t root, int group, int port, char *how, size_t howlen)
{
    struct procfs_tcp *rows = NULL;
    size_t n = listening_rows(root, &port, 1, &rows);
    pid_t pid = find_in(root, group, rows, n, port, how, howlen);
    free(rows);
    return pid;
}

/* An order-independent digest of the listening sockets' inodes. */
static uint64_t digest(const struct procfs_tcp *rows, size_t n)
{
    uint64_t sum = n;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = rows[i].inode * 0x9e3779b97f4a7c15ULL;
        sum += x ^ (x >> 29);
    }
    return sum;
}

/* /proc/PID/cmdline with its NULs as spaces (caller frees); "" when gone. */
static char *read_command(pid_t pid)
{
    char path[64];
    size_t len = 0;
    snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
    char *text = lc_read_file(path, 1u << 20, &len, NULL);
    if (!text)
        return lc_strdup("");
    while (len > 0 && text[len - 1] == '\0')
        len--;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\0')
            text[i] = ' ';
    if (len > COMMAND_MAX) {
        memcpy(text + COMMAND_MAX - 3, "...", 3);
        len = COMMAND_MAX;
    }
    text[len] = '\0';
    return text;
}

struct serving *serving_new(pid_t root, int group, enum serving_mode mode, const int *ports,
                            size_t nports)
{
    struct serving *s = lc_calloc(1, sizeof(*s));
    s->root = root;
    s->group = group;
    s->mode = mode;
    s->ports = lc_calloc(nports + 1, sizeof(*s->ports));
    if (nports)
        memcpy(s->ports, ports, nports * sizeof(*ports));
    s->nports = mode == SERVING_LISTENING && nports > 1 ? 1 : nports;
    s->pid = mode == SERVING_LISTENING ? 0 : root;
    s->command = lc_strdup("");
    return s;
}

/* "8080", "8080 or 9090", ... */
static void ports_text(const struct serving *s, char *out, size_t len)
{
    size_t off = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->nports && off < len; i++) {
        int w = snprintf(out + off, len - off, "%s%d", i == 0 ? "" : " or ", s->ports[i]);
        off += w > 0 ? (size_t)w : 0;
    }
}

/* Measures pid from now on (how already written). Returns 1 when it changed. */
static int choose(struct serving *s, pid_t pid, int listener)
{
    int changed = pid != s->pid || !s->resolved;
    if (changed && s->resolved && pid > 0)
        s->changes++;
    if (changed || s->command[0] == '\0') {
        free(s->command);
        s->command = read_command(pid);
    }
    s->pid = pid;
    s->listener = listener;
    s->resolved = 1;
    return changed && (pid != s->root || s->changes > 0);
}

int serving_resolve(struct serving *s)
{
    struct procfs_tcp *rows = NULL;
    char how[sizeof(s->how)];
    size_t n = s->mode == SERVING_STARTED ? 0 : listening_rows(s->root, s->ports, s->nports, &rows);
    s->sig = digest(rows, n);
    s->last = lc_now();
    pid_t found = 0;
    /* a port nothing listens on costs nothing: find_in stops at no inode */
    for (size_t i = 0; n && i < s->nports && !found; i++)
        found = find_in(s->root, s->group, rows, n, s->ports[i], how, sizeof(how));
    free(rows);
    if (found) {
        memcpy(s->how, how, sizeof(how));
        return choose(s, found, 1);
    }
    /* one that listened may be restarting: keep it, gaps meanwhile */
    if (s->listener || s->mode == SERVING_LISTENING)
        return 0;
    char ports[64];
    ports_text(s, ports, sizeof(ports));
    const char *what = s->group ? "the started process" : "the attached process";
    if (s->mode == SERVING_STARTED)
        snprintf(s->how, sizeof(s->how), "%s (\"measure\": \"started\")", what);
    else
        snprintf(s->how, sizeof(s->how), "%s (nothing it started listens on port %s)", what, ports);
    return choose(s, s->root, 0);
}

/* 1 while pid runs (a zombie does not). */
static int alive(pid_t pid)
{
    struct proc_row row;
    if (kill(pid, 0) != 0)
        return errno == EPERM;
    return read_stat(pid, &row) == 0;
}

int serving_check(struct serving *s, double now)
{
    if (s->mode == SERVING_STARTED)
        return 0;
    if (!s->resolved || s->pid <= 0 || !alive(s->pid))
        return serving_resolve(s);
    /* a listener is followed when it ends; the tables are read (they run
     * to megabytes on a busy host) only to see one appear */
    if (s->listener || now - s->last < SERVING_RECHECK_S)
        return 0;
    struct procfs_tcp *rows = NULL;
    size_t n = listening_rows(s->root, s->ports, s->nports, &rows);
    uint64_t sig = digest(rows, n);
    free(rows);
    s->last = now;
    return sig != s->sig ? serving_resolve(s) : 0;
}

pid_t serving_pid(const struct serving *s)
{
    return s->pid;
}

pid_t serving_root(const struct serving *s)
{
    return s->root;
}

const char *serving_command(const struct serving *s)
{
    return s->command;
}

const char *serving_how(const struct serving *s)
{
    return s->how;
}

unsigned serving_changes(const struct serving *s)
{
    return s->changes;
}

void serving_free(struct serving *s)
{
    if (!s)
        return;
    free(s->command);
    free(s->ports);
    free(s);
}
