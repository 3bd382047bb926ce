/* culprits/fdsnap.c: file descriptor snapshots in classes, and their diff. */
#include "culprits/fdsnap.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "culprits/fdsnap_internal.h"
#include "sources/procfs.h"

#define NET_MAX_BYTES (64u << 20)

/* The network tables of the process's namespace, and its sockets. */
struct net {
    struct procfs_tcp *tcp, *udp;
    size_t ntcp, nudp, cap_tcp, cap_udp;
    struct unix_sock {
        uint64_t inode;
        char *path;
    } * unx;
    size_t nunx, cap_unx;
    uint16_t *listen;
    size_t nlisten, cap_listen;
    /* leakcheck's own ends: the process's sockets connected to them are left out */
    const struct procfs_endpoint *own;
    size_t nown;
};

static void add(struct fdsnap *s, const char *kind, const char *what, const char *location,
                const char *sample, int dir, int deleted)
{
    int added;
    size_t i = culprit_table_put(s->t, what, &added);
    if (added) {
        lc_grow((void **)&s->c, &s->cap, i + 1, sizeof(*s->c));
        s->c[i] = (struct fdclass){
            lc_strdup(kind), lc_strdup(location), sample ? lc_strdup(sample) : NULL, 0, 0, 0, 0};
    }
    struct fdclass *c = &s->c[i];
    s->last = i;
    c->count++;
    c->opened += dir == 1;
    c->accepted += dir == 2;
    c->deleted += deleted != 0;
}

static int cmp_tcp_inode(const void *a, const void *b)
{
    const struct procfs_tcp *x = a, *y = b;
    return (x->inode > y->inode) - (x->inode < y->inode);
}

static const struct procfs_tcp *find_row(const struct procfs_tcp *rows, size_t n, uint64_t inode)
{
    struct procfs_tcp key = {.inode = inode};
    return n ? bsearch(&key, rows, n, sizeof(*rows), cmp_tcp_inode) : NULL;
}

static int listening_on(const struct net *n, uint16_t port)
{
    for (size_t i = 0; i < n->nlisten; i++)
        if (n->listen[i] == port)
            return 1;
    return 0;
}

static void tcp_socket(struct fdsnap *s, const struct net *n, const struct procfs_tcp *r)
{
    char local[64], remote[64], what[160];
    const char *st = procfs_tcp_state_name(r->state);
    procfs_endpoint(r->family, r->local, r->lport, local, sizeof(local));
    procfs_endpoint(r->family, r->remote, r->rport, remote, sizeof(remote));
    if (r->state == PROCFS_TCP_LISTEN) {
        snprintf(what, sizeof(what), "TCP sockets LISTEN on %s", local);
        add(s, "socket", what, local, NULL, 0, 0);
    } else if (listening_on(n, r->lport)) {
        snprintf(what, sizeof(what), "TCP sockets %s to %s", st, local);
        add(s, "socket", what, local, remote, 2, 0);
    } else {
        snprintf(what, sizeof(what), "TCP sockets %s to %s", st, remote);
        add(s, "socket", what, remote, local, 1, 0);
    }
}

static void socket_fd(struct fdsnap *s, const struct net *n, uint64_t inode)
{
    char ep[64], what[PATH_MAX + 64];
    const struct procfs_tcp *r = find_row(n->tcp, n->ntcp, inode);
    if (r) {
        tcp_socket(s, n, r);
        return;
    }
    if ((r = find_row(n->udp, n->nudp, inode)) != NULL) {
        procfs_endpoint(r->family, r->local, r->lport, ep, sizeof(ep));
        snprintf(what, sizeof(what), "UDP sockets on %s", ep);
        add(s, "socket", what, ep, NULL, 0, 0);
        return;
    }
    for (size_t i = 0; i < n->nunx; i++) {
        if (n->unx[i].inode != inode)
            continue;
        const char *path = n->unx[i].path;
        snprintf(what, sizeof(what), "unix sockets%s%s", path ? " at " : " (unnamed)",
                 path ? path : "");
        add(s, "socket", what, path ? path : "unix", NULL, 0, 0);
        return;
    }
    add(s, "socket", "sockets of another kind (not TCP, UDP or unix)", "socket", NULL, 0, 0);
}

/* 1 when link is a TCP socket connected to one of leakcheck's own ends. */
static int own_socket(const struct net *n, const char *link)
{
    if (!n->nown || strncmp(link, "socket:[", 8) != 0)
        return 0;
    const struct procfs_tcp *r = find_row(n->tcp, n->ntcp, strtoull(link + 8, NULL, 10));
    return r && procfs_peer_is(r, n->own, n->nown);
}

static void classify_link(struct fdsnap *s, const struct net *n, const char *link);

/* One descriptor: its class, and the descriptor itself (taking link over). */
static void classify(struct fdsnap *s, const struct net *n, int fd, char *link)
{
    if (own_socket(n, link)) {
        free(link);
        return;
    }
    classify_link(s, n, link);
    lc_grow((void **)&s->ents, &s->capents, s->nents + 1, sizeof(*s->ents));
    s->ents[s->nents++] = (struct fdent){fd, link, s->last};
}

/* Counts one descriptor in its class, by what readlink said. */
static void classify_link(struct fdsnap *s, const struct net *n, const char *link)
{
    char what[PATH_MAX + 64];
    s->nfds++;
    if (strncmp(link, "socket:[", 8) == 0) {
        socket_fd(s, n, strtoull(link + 8, NULL, 10));
    } else if (strncmp(link, "pipe:[", 6) == 0) {
        add(s, "fd", "pipes", "pipe", NULL, 0, 0);
    } else if (strncmp(link, "anon_inode:", 11) == 0) {
        snprintf(what, sizeof(what), "anonymous inodes %s", link);
        add(s, "fd", what, link, NULL, 0, 0);
    } else if (link[0] == '/') {
        size_t len = strlen(link);
        int deleted = len > 10 && strcmp(link + len - 10, " (deleted)") == 0;
        char *path = lc_strndup(link, deleted ? len - 10 : len);
        char *slash = strrchr(path, '/');
        char *dir = lc_strndup(path, slash == path ? 1 : (size_t)(slash - path));
        snprintf(what, sizeof(what), "files in %s", dir);
        add(s, "fd", what, dir, slash + 1, 0, deleted);
        free(dir);
        free(path);
    } else {
        snprintf(what, sizeof(what), "descriptors to %s", link);
        add(s, "fd", what, link, NULL, 0, 0);
    }
}

static void parse_unix(struct net *n, const char *text)
{
    for (const char *p = text; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char *line = lc_strndup(p, len), *save = NULL, *tok[8] = {0};
        size_t k = 0;
        for (char *t = strtok_r(line, " \t", &save); t && k < 8; t = strtok_r(NULL, " \t", &save))
            tok[k++] = t;
        if (k >= 7 && strchr(tok[0], ':') && tok[6][0] >= '0' && tok[6][0] <= '9') {
            lc_grow((void **)&n->unx, &n->cap_unx, n->nunx + 1, sizeof(*n->unx));
            n->unx[n->nunx].inode = strtoull(tok[6], NULL, 10);
            n->unx[n->nunx++].path = k >= 8 ? lc_strdup(tok[7]) : NULL;
        }
        free(line);
        p = e ? e + 1 : p + len;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The ports the process listens on: LISTEN rows whose inode is one of its
 * sockets (the tables hold the whole namespace). */
static void find_listen(struct net *n, char **links, size_t nlinks)
{
    uint64_t *inodes = lc_calloc(nlinks + 1, sizeof(*inodes));
    size_t ni = 0;
    for (size_t i = 0; i < nlinks; i++)
        if (strncmp(links[i], "socket:[", 8) == 0)
            inodes[ni++] = strtoull(links[i] + 8, NULL, 10);
    qsort(inodes, ni, sizeof(*inodes), cmp_u64);
    for (size_t i = 0; i < n->ntcp; i++) {
        const struct procfs_tcp *r = &n->tcp[i];
        if (r->state != PROCFS_TCP_LISTEN || !ni ||
            !bsearch(&r->inode, inodes, ni, sizeof(*inodes), cmp_u64))
            continue;
        lc_grow((void **)&n->listen, &n->cap_listen, n->nlisten + 1, sizeof(*n->listen));
        n->listen[n->nlisten++] = r->lport;
    }
    free(inodes);
}

static int load_net(struct net *n, const struct fdsnap_texts *t, struct lc_error *err)
{
    if ((t->tcp && procfs_parse_net_tcp(t->tcp, AF_INET, &n->tcp, &n->ntcp, &n->cap_tcp, err)) ||
        (t->tcp6 && procfs_parse_net_tcp(t->tcp6, AF_INET6, &n->tcp, &n->ntcp, &n->cap_tcp, err)))
        return -1;
    /* UDP rows share the TCP layout; a table that does not parse is left out */
    if (t->udp && procfs_parse_net_tcp(t->udp, AF_INET, &n->udp, &n->nudp, &n->cap_udp, NULL))
        n->nudp = 0;
    if (t->udp6 && procfs_parse_net_tcp(t->udp6, AF_INET6, &n->udp, &n->nudp, &n->cap_udp, NULL))
        n->nudp = 0;
    if (n->ntcp)
        qsort(n->tcp, n->ntcp, sizeof(*n->tcp), cmp_tcp_inode);
    if (n->nudp)
        qsort(n->udp, n->nudp, sizeof(*n->udp), cmp_tcp_inode);
    parse_unix(n, t->unix_sockets);
    return 0;
}

static void free_net(struct net *n)
{
    free(n->tcp);
    free(n->udp);
    for (size_t i = 0; i < n->nunx; i++)
        free(n->unx[i].path);
    free(n->unx);
    free(n->listen);
}

/* Takes the links over (the array's slots are left NULL). */
static struct fdsnap *build(char **links, const int *nums, size_t nlinks,
                            const struct fdsnap_texts *t, struct lc_error *err)
{
    struct net n = {.own = t->own, .nown = t->nown};
    if (load_net(&n, t, err) != 0) {
        free_net(&n);
        return NULL;
    }
    find_listen(&n, links, nlinks);
    struct fdsnap *s = lc_calloc(1, sizeof(*s));
    s->t = culprit_table_new();
    for (size_t i = 0; i < nlinks; i++) {
        classify(s, &n, nums[i], links[i]);
        links[i] = NULL;
    }
    if (s->nents)
        qsort(s->ents, s->nents, sizeof(*s->ents), fdsnap_ent_cmp);
    free_net(&n);
    return s;
}

static void free_links(char **links, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(links[i]);
    free(links);
}

struct fdsnap *fdsnap_from_texts(const struct fdsnap_texts *t, struct lc_error *err)
{
    char **links = NULL;
    int *nums = NULL;
    size_t n = 0, cap = 0, capn = 0;
    int line = 0;
    for (const char *p = t->fds; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        size_t digits = strspn(p, "0123456789");
        line++;
        if (len > 0 && (digits == 0 || digits >= len || p[digits] != ' ')) {
            lc_error_at(err, line, 1, "expected \"FD LINK\" (an fd number, a space, a link)");
            free_links(links, n);
            free(nums);
            return NULL;
        }
        if (len > 0) {
            lc_grow((void **)&links, &cap, n + 1, sizeof(*links));
            lc_grow((void **)&nums, &capn, n + 1, sizeof(*nums));
            nums[n] = (int)strtol(p, NULL, 10);
            links[n++] = lc_strndup(p + digits + 1, len - digits - 1);
        }
        p = e ? e + 1 : p + len;
    }
    struct fdsnap *s = build(links, nums, n, t, err);
    free_links(links, n);
    free(nums);
    return s;
}

/* readlink of every fd of pid; ENOENT (closed meanwhile) is skipped. */
static int read_links(pid_t pid, char ***links, int **nums, size_t *n, struct lc_error *err)
{
    char path[64], self[32] = "";
    size_t cap = 0, capn = 0;
    snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
    DIR *d = opendir(path);
    if (!d) {
        lc_error_set(err, "cannot list %s: %s", path, strerror(errno));
        return -1;
    }
    /* reading our own fd/ shows the directory's fd too: not one of ours */
    if (pid == getpid())
        snprintf(self, sizeof(self), "%d", dirfd(d));
    struct dirent *e;
    char link[PATH_MAX + 1];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, self) == 0)
            continue;
        ssize_t len = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
        if (len < 0)
            continue;
        lc_grow((void **)links, &cap, *n + 1, sizeof(**links));
        lc_grow((void **)nums, &capn, *n + 1, sizeof(**nums));
        (*nums)[*n] = (int)strtol(e->d_name, NULL, 10);
        (*links)[(*n)++] = lc_strndup(link, (size_t)len);
    }
    closedir(d);
    return 0;
}

/* /proc/PID/NAME, or NULL when it cannot be read. */
static char *net_text(pid_t pid, const char *name)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/net/%s", (long)pid, name);
    return lc_read_file(path, NET_MAX_BYTES, NULL, NULL);
}

struct fdsnap *fdsnap_take(pid_t pid, struct lc_error *err)
{
    return fdsnap_take_excluding(pid, NULL, 0, err);
}

struct fdsnap *fdsnap_take_excluding(pid_t pid, const struct procfs_endpoint *own, size_t nown,
                                     struct lc_error *err)
{
    char **links = NULL;
    int *nums = NULL;
    size_t n = 0;
    if (pid <= 0) {
        lc_error_set(err, "invalid pid %ld", (long)pid);
        return NULL;
    }
    if (read_links(pid, &links, &nums, &n, err) != 0) {
        free(nums);
        return NULL;
    }
    /* the tables are the whole namespace's: read only to classify sockets */
    int sockets = 0;
    for (size_t i = 0; i < n && !sockets; i++)
        sockets = strncmp(links[i], "socket:[", 8) == 0;
    struct fdsnap_texts t = {.own = own, .nown = nown};
    if (sockets) {
        t.tcp = net_text(pid, "tcp");
        t.tcp6 = net_text(pid, "tcp6");
        t.udp = net_text(pid, "udp");
        t.udp6 = net_text(pid, "udp6");
        t.unix_sockets = net_text(pid, "unix");
    }
    struct fdsnap *s = build(links, nums, n, &t, err);
    free(nums);
    free((char *)t.tcp);
    free((char *)t.tcp6);
    free((char *)t.udp);
    free((char *)t.udp6);
    free((char *)t.unix_sockets);
    free_links(links, n);
    return s;
}

size_t fdsnap_count(const struct fdsnap *s)
{
    return s ? s->nfds : 0;
}

size_t fdsnap_class_count(const struct fdsnap *s, const char *what)
{
    long i = s ? culprit_table_find(s->t, what) : -1;
    return i >= 0 ? s->c[i].count : 0;
}

/* The sentence of a class: counts first (the baseline's unless before is
 * SIZE_MAX: not known), then what they are. */
static char *describe(const struct fdclass *c, const char *what, size_t before)
{
    struct lc_buf b = {0};
    lc_buf_printf(&b, "%zu %s", c->count, what);
    if (before != SIZE_MAX)
        lc_buf_printf(&b, " (%zu at baseline)", before);
    if (c->opened && c->accepted)
        lc_buf_printf(&b, ": %zu opened by this process, %zu accepted by it (both ends)", c->opened,
                      c->accepted);
    else if (c->accepted)
        lc_buf_printf(&b, ": accepted by this process, from %s and others",
                      c->sample ? c->sample : "?");
    else if (c->opened)
        lc_buf_printf(&b, ": opened by this process, from %s and others",
                      c->sample ? c->sample : "?");
    else if (c->sample)
        lc_buf_printf(&b, ", e.g. %s", c->sample);
    if (c->deleted)
        lc_buf_printf(&b, "; %zu already deleted", c->deleted);
    if (strstr(what, " CLOSE_WAIT "))
        lc_buf_puts(&b, "; the peer hung up and this process never closed its end");
    return b.data;
}

/* Classes of final (against base) that grew by at least min (level 0) or
 * hold at least min descriptors at the end (level 1). */
static size_t scan(const struct fdsnap *base, const struct fdsnap *final, double min, int level,
                   struct culprit_list *out)
{
    size_t added = 0;
    for (size_t i = 0; final && i < culprit_table_size(final->t); i++) {
        const struct fdclass *c = &final->c[i];
        const char *what = culprit_table_key(final->t, i);
        size_t before = fdsnap_class_count(base, what);
        if (level ? (double)c->count < min : c->count <= before)
            continue;
        /* a connection the process made to itself is two sockets: count
         * the pair once against the threshold */
        double growth = (double)c->count - (double)before;
        if (c->opened && c->accepted)
            growth /= 2;
        if (!level && growth < min)
            continue;
        culprit_list_add(out, c->kind, NULL, c->location, (double)before, (double)c->count,
                         describe(c, what, !base ? SIZE_MAX : before));
        added++;
    }
    return added;
}

size_t fdsnap_diff(const struct fdsnap *base, const struct fdsnap *final, double min_growth,
                   struct culprit_list *out)
{
    return scan(base, final, min_growth, 0, out);
}

size_t fdsnap_holders(const struct fdsnap *base, const struct fdsnap *final, double min_count,
                      struct culprit_list *out)
{
    return scan(base, final, min_count < 1 ? 1 : min_count, 1, out);
}

void fdsnap_free(struct fdsnap *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < culprit_table_size(s->t); i++) {
        free(s->c[i].kind);
        free(s->c[i].location);
        free(s->c[i].sample);
    }
    free(s->c);
    for (size_t i = 0; i < s->nents; i++)
        free(s->ents[i].link);
    free(s->ents);
    culprit_table_free(s->t);
    free(s);
}
