/* target/keeper.c: the process that owns the target's tree (see keeper.h). */
#include "target/keeper.h"
#include "target/keeper_log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/procstat.h"

/* What the keeper tells leakcheck, one message a write (atomic on a pipe). */
enum { MSG_PID, MSG_EXIT, MSG_DROPPED, MSG_DONE };
struct msg {
    int kind;
    int value;
    uint64_t big;
};

/* How long the keeper goes on killing a tree that keeps forking. */
#define KILL_FOR_S 5.0

struct keeper {
    pid_t pid;
    int ctl;    /* write end: a grace period, or nothing, then closed */
    int status; /* read end of the keeper's messages */
    int ended, exit_status, gone, finished, signalled;
    uint64_t dropped[2];
};

/* The keeper's side: its pipes and the target's logs. */
struct kside {
    int ctl, st, sfd;
    pid_t target;
    struct keeper_log log[2];
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void send_msg(int fd, int kind, int value, uint64_t big)
{
    struct msg m = {kind, value, big};
    while (write(fd, &m, sizeof(m)) < 0 && errno == EINTR)
        ;
}

/* The parent of pid from /proc/PID/stat, or -1. */
static pid_t parent_of(pid_t pid)
{
    struct lc_procstat st;
    return lc_procstat_read(pid, &st) == 0 ? st.ppid : -1;
}

/* Sends sig to every descendant of the keeper (found through /proc: a
 * subreaper's descendants all lead back to it). Returns how many. */
static int signal_tree(int sig)
{
    size_t n = 0, cap = 256;
    pid_t *pid = malloc(cap * sizeof(*pid)), *ppid = malloc(cap * sizeof(*ppid));
    char *mine = NULL;
    int count = 0;
    DIR *d = opendir("/proc");
    if (!pid || !ppid || !d)
        goto cleanup;
    for (struct dirent *e; (e = readdir(d));) {
        char *end;
        long v = strtol(e->d_name, &end, 10);
        if (*end || v <= 0)
            continue;
        if (n == cap) {
            cap *= 2;
            pid_t *a = realloc(pid, cap * sizeof(*pid)), *b = realloc(ppid, cap * sizeof(*ppid));
            if (a)
                pid = a;
            if (b)
                ppid = b;
            if (!a || !b)
                goto cleanup;
        }
        pid[n] = (pid_t)v;
        ppid[n++] = parent_of((pid_t)v);
    }
    mine = calloc(n ? n : 1, 1);
    if (!mine)
        goto cleanup;
    pid_t self = getpid();
    for (int grew = 1; grew;) {
        grew = 0;
        for (size_t i = 0; i < n; i++) {
            if (mine[i] || ppid[i] <= 0)
                continue;
            int in = ppid[i] == self;
            for (size_t j = 0; j < n && !in; j++)
                in = mine[j] && pid[j] == ppid[i];
            if (in) {
                mine[i] = 1;
                grew = 1;
                kill(pid[i], sig);
                count++;
            }
        }
    }
cleanup:
    if (d)
        closedir(d);
    free(mine);
    free(ppid);
    free(pid);
    return count;
}

/* Takes in what the target wrote, so that its logs are whole. */
static void drain_logs(struct kside *k)
{
    for (int i = 0; i < 2; i++) {
        keeper_log_read(&k->log[i], 1);
        keeper_log_flush(&k->log[i]);
    }
}

/* Reaps every child that has ended, telling leakcheck about the target
 * (once its logs hold what it wrote). Returns 1 when no child is left. */
static int reap(struct kside *k)
{
    for (;;) {
        int ws;
        pid_t r = waitpid(-1, &ws, WNOHANG);
        if (r == k->target) {
            drain_logs(k);
            send_msg(k->st, MSG_EXIT, ws, 0);
        }
        if (r > 0)
            continue;
        return r < 0 && errno == ECHILD;
    }
}

/* The end of the keeper: SIGTERM to the tree and grace_s for it to go
 * (none when grace_s <= 0), then SIGKILL until nothing is left. */
static void end_tree(struct kside *k, double grace_s)
{
    struct timespec tick = {0, 5 * 1000 * 1000};
    int count = 0;
    if (!reap(k) && grace_s > 0) {
        count = signal_tree(SIGTERM);
        for (double until = now_s() + grace_s; !reap(k) && now_s() < until;) {
            drain_logs(k);
            nanosleep(&tick, NULL);
        }
    }
    for (double until = now_s() + KILL_FOR_S; !reap(k) && now_s() < until;) {
        int n = signal_tree(SIGKILL);
        count = n > count ? n : count;
        drain_logs(k);
        nanosleep(&tick, NULL);
    }
    drain_logs(k);
    for (int i = 0; i < 2; i++) {
        send_msg(k->st, MSG_DROPPED, i, keeper_log_dropped(&k->log[i]));
        keeper_log_close(&k->log[i]);
    }
    send_msg(k->st, MSG_DONE, count, 0);
    _exit(0);
}

/* Closes every descriptor but the n of keep (sorted here). */
static void close_except(int *keep, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (keep[j] < keep[i]) {
                int t = keep[i];
                keep[i] = keep[j];
                keep[j] = t;
            }
    unsigned from = 3;
    for (int i = 0; i < n; i++) {
        if ((unsigned)keep[i] > from)
            close_range(from, (unsigned)keep[i] - 1, 0);
        if ((unsigned)keep[i] + 1 > from)
            from = (unsigned)keep[i] + 1;
    }
    close_range(from, ~0U, 0);
}

/* Ignores the signals a terminal or a group kill would send it, and has
 * SIGCHLD come through a signalfd. Returns the signalfd, or -1. */
static int keeper_signals(void)
{
    struct sigaction ign = {.sa_handler = SIG_IGN};
    sigemptyset(&ign.sa_mask);
    int ignored[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGXFSZ};
    for (size_t i = 0; i < LC_ARRAY_LEN(ignored); i++)
        sigaction(ignored[i], &ign, NULL);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    return signalfd(-1, &chld, SFD_CLOEXEC);
}

/* Until leakcheck ends the pipe or dies: reaps, keeps the logs. Returns
 * the grace period leakcheck gave (0: none, or it died). */
static double keeper_loop(struct kside *k)
{
    double grace = 0;
    for (;;) {
        struct pollfd p[4] = {{.fd = k->ctl, .events = POLLIN},
                              {.fd = k->sfd, .events = POLLIN},
                              {.fd = k->log[0].in, .events = POLLIN},
                              {.fd = k->log[1].in, .events = POLLIN}};
        int dirty = k->log[0].dirty || k->log[1].dirty;
        int n = poll(p, 4, dirty ? 500 : -1);
        if (n == 0)
            for (int i = 0; i < 2; i++)
                keeper_log_flush(&k->log[i]);
        if (n <= 0)
            continue;
        for (int i = 0; i < 2; i++)
            if (p[2 + i].revents)
                keeper_log_read(&k->log[i], 0);
        if (p[1].revents) {
            struct signalfd_siginfo si;
            if (read(k->sfd, &si, sizeof(si)) < 0) { /* reap anyway */
            }
            reap(k);
        }
        if (p[0].revents) {
            /* a grace period: leakcheck ends the run; nothing: it died */
            if (read(k->ctl, &grace, sizeof(grace)) != (ssize_t)sizeof(grace) || !(grace >= 0))
                grace = 0;
            return grace > 60 ? 60 : grace;
        }
    }
}

/* The keeper's life: never returns. */
static void keeper_main(struct kside *k, keeper_exec_cb *exec_cb, void *arg, const int *log_in,
                        const int *log_file)
{
    setpgid(0, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    k->sfd = keeper_signals();
    pid_t pid = k->sfd < 0 ? -1 : fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        exec_cb(arg); /* resets the signal mask and dispositions */
        _exit(127);
    }
    if (pid > 0)
        setpgid(pid, pid);
    k->target = pid;
    send_msg(k->st, MSG_PID, pid, 0);
    if (pid < 0)
        _exit(1);
    int keep[] = {k->ctl, k->st, k->sfd, log_in[0], log_in[1], log_file[0], log_file[1]};
    close_except(keep, (int)LC_ARRAY_LEN(keep));
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3 && null >= 0; fd++)
        dup2(null, fd);
    if (null > 2)
        close(null);
    for (int i = 0; i < 2; i++)
        keeper_log_init(&k->log[i], log_in[i], log_file[i]);
    end_tree(k, keeper_loop(k));
}

struct keeper *keeper_start(keeper_exec_cb *exec_cb, void *arg, const int *log_in,
                            const int *log_file, pid_t *target, struct lc_error *err)
{
    int ctl[2] = {-1, -1}, st[2] = {-1, -1};
    struct keeper *k = NULL;
    if (pipe2(ctl, O_CLOEXEC) != 0 || pipe2(st, O_CLOEXEC) != 0) {
        lc_error_set(err, "pipe: %s", strerror(errno));
        goto fail;
    }
    pid_t pid = fork();
    if (pid < 0) {
        lc_error_set(err, "fork: %s", strerror(errno));
        goto fail;
    }
    if (pid == 0) {
        close(ctl[1]);
        close(st[0]);
        struct kside side = {.ctl = ctl[0], .st = st[1], .sfd = -1};
        keeper_main(&side, exec_cb, arg, log_in, log_file);
    }
    close(ctl[0]);
    close(st[1]);
    k = lc_calloc(1, sizeof(*k));
    k->pid = pid;
    k->ctl = ctl[1];
    k->status = st[0];
    struct msg m = {0};
    ssize_t n;
    while ((n = read(k->status, &m, sizeof(m))) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof(m) || m.kind != MSG_PID || m.value <= 0) {
        lc_error_set(err, "fork: cannot start the target");
        keeper_free(k);
        return NULL;
    }
    fcntl(k->status, F_SETFL, O_NONBLOCK);
    *target = m.value;
    return k;
fail:
    for (int i = 0; i < 2; i++) {
        if (ctl[i] >= 0)
            close(ctl[i]);
        if (st[i] >= 0)
            close(st[i]);
    }
    return NULL;
}

/* Reads what the keeper said; with wait_s > 0, waits that long for its end. */
static void read_msgs(struct keeper *k, double wait_s)
{
    double until = now_s() + wait_s;
    while (!k->gone) {
        struct msg m;
        ssize_t n = read(k->status, &m, sizeof(m));
        if (n == (ssize_t)sizeof(m)) {
            if (m.kind == MSG_EXIT) {
                k->ended = 1;
                k->exit_status = m.value;
            } else if (m.kind == MSG_DROPPED && (m.value == 0 || m.value == 1)) {
                k->dropped[m.value] = m.big;
            } else if (m.kind == MSG_DONE) {
                k->signalled = m.value;
            }
            continue;
        }
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            k->gone = 1;
            break;
        }
        double left = until - now_s();
        if (left <= 0)
            break;
        struct pollfd p = {.fd = k->status, .events = POLLIN};
        poll(&p, 1, (int)(left * 1000) + 1);
    }
}

int keeper_poll(struct keeper *k, int *status)
{
    read_msgs(k, 0);
    if (k->ended) {
        *status = k->exit_status;
        return 1;
    }
    return k->gone ? -1 : 0;
}

int keeper_finish(struct keeper *k, double grace_s)
{
    if (!k)
        return -1;
    if (k->finished)
        return k->gone ? k->signalled : -1;
    k->finished = 1;
    if (grace_s > 0 && write(k->ctl, &grace_s, sizeof(grace_s)) < 0) {
        /* the keeper is gone: nothing to tell */
    }
    close(k->ctl);
    k->ctl = -1;
    read_msgs(k, (grace_s > 0 ? grace_s : 0) + KILL_FOR_S + 1);
    if (!k->gone)
        kill(k->pid, SIGKILL); /* stuck: its tree still has the target's pdeathsig */
    while (waitpid(k->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return k->gone ? k->signalled : -1;
}

void keeper_free(struct keeper *k)
{
    if (!k)
        return;
    keeper_finish(k, 0);
    if (k->status >= 0)
        close(k->status);
    free(k);
}

uint64_t keeper_dropped(const struct keeper *k, int stream)
{
    return k && (stream == 0 || stream == 1) ? k->dropped[stream] : 0;
}
