/* target/target.c: starting, watching and stopping the service under test. */
#include "target/target.h"
#include "target/exec.h"
#include "target/keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t target_group;

struct target {
    pid_t pid;
    struct keeper *keeper; /* owns the tree of a started target */
    int owned;             /* started by us: we stop it */
    int ended;
    int status;       /* from waitpid when owned */
    int status_known; /* status holds what waitpid said */
    double grace_s;
    char *stderr_path;
    char reason[128];
};

/* The log files, and the pipes the target writes them through (the keeper
 * keeps their head and tail). Closed by spawn's cleanup. */
struct logs {
    int file[2];
    int pipe_out[2], pipe_err[2];
};

static int open_logs(struct target *tg, struct logs *l, const char *logdir, struct lc_error *err)
{
    char *outp = lc_asprintf("%s/stdout.log", logdir);
    tg->stderr_path = lc_asprintf("%s/stderr.log", logdir);
    l->file[0] = open(outp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    l->file[1] = open(tg->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    free(outp);
    if (l->file[0] < 0 || l->file[1] < 0) {
        lc_error_set(err, "cannot create target logs in %s: %s", logdir, strerror(errno));
        return -1;
    }
    if (pipe2(l->pipe_out, O_CLOEXEC) != 0 || pipe2(l->pipe_err, O_CLOEXEC) != 0) {
        lc_error_set(err, "pipe: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void close_fd(int fd)
{
    if (fd >= 0)
        close(fd);
}

static int spawn(struct target *tg, const struct suite_target *t, const char *logdir,
                 struct lc_error *err)
{
    struct logs l = {{-1, -1}, {-1, -1}, {-1, -1}};
    int pipefd[2] = {-1, -1};
    char **env = NULL, **shargv = NULL;
    int rc = -1;
    if (open_logs(tg, &l, logdir, err) != 0)
        goto cleanup;
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        lc_error_set(err, "pipe: %s", strerror(errno));
        goto cleanup;
    }
    env = exec_env(t);
    shargv = exec_sh_argv(t);
    struct exec_args ea = {t, env, shargv, l.pipe_out[1], l.pipe_err[1], pipefd[1]};
    int log_in[2] = {l.pipe_out[0], l.pipe_err[0]};
    pid_t pid = 0;
    tg->keeper = keeper_start(exec_child, &ea, log_in, l.file, &pid, err);
    if (!tg->keeper)
        goto cleanup;
    target_group = pid;
    close(pipefd[1]);
    pipefd[1] = -1;
    int msg[2];
    ssize_t n;
    while ((n = read(pipefd[0], msg, sizeof(msg))) < 0 && errno == EINTR)
        ;
    if (n == (ssize_t)sizeof(msg)) {
        keeper_free(tg->keeper);
        tg->keeper = NULL;
        target_group = 0;
        exec_error(err, t, env, msg[0], msg[1]);
        goto cleanup;
    }
    tg->pid = pid;
    tg->owned = 1;
    rc = 0;
cleanup:
    free(shargv);
    free(env);
    for (int i = 0; i < 2; i++) {
        close_fd(pipefd[i]);
        close_fd(l.file[i]);
        close_fd(l.pipe_out[i]);
        close_fd(l.pipe_err[i]);
    }
    return rc;
}

static int read_pid_file(const char *path, pid_t *pid, struct lc_error *err)
{
    char *text = lc_read_file(path, 64, NULL, err);
    if (!text)
        return -1;
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    while (end && (*end == '\n' || *end == ' ' || *end == '\r'))
        end++;
    int ok = errno == 0 && end != text && *end == '\0' && v > 0 && v < (1L << 30);
    if (!ok)
        lc_error_set(err, "%s does not hold a process id", path);
    else
        *pid = (pid_t)v;
    free(text);
    return ok ? 0 : -1;
}

struct target *target_start(const struct suite_target *t, const char *logdir, struct lc_error *err)
{
    struct target *tg = lc_calloc(1, sizeof(*tg));
    tg->grace_s = t->stop_grace_s;
    if (t->command) {
        if (spawn(tg, t, logdir, err) != 0)
            goto fail;
        return tg;
    }
    tg->pid = t->pid;
    if (t->pid_file && read_pid_file(t->pid_file, &tg->pid, err) != 0)
        goto fail;
    if (kill(tg->pid, 0) != 0 && errno == ESRCH) {
        lc_error_set(err, "no process with pid %ld to attach to", (long)tg->pid);
        goto fail;
    }
    return tg;
fail:
    free(tg->stderr_path);
    free(tg);
    return NULL;
}

pid_t target_pid(const struct target *tg)
{
    return tg->pid;
}

static void describe_status(struct target *tg)
{
    int st = tg->status;
    if (!tg->status_known)
        snprintf(tg->reason, sizeof(tg->reason), "ended (its exit status is not known)");
    else if (WIFEXITED(st))
        snprintf(tg->reason, sizeof(tg->reason), "exited with status %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(tg->reason, sizeof(tg->reason), "was killed by signal %d (%s)", WTERMSIG(st),
                 strsignal(WTERMSIG(st)));
    else
        snprintf(tg->reason, sizeof(tg->reason), "ended");
}

/* An exited process whose parent has not reaped it still answers kill(0). */
static int is_zombie(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    char *stat = lc_read_file(path, 4096, NULL, NULL);
    if (!stat)
        return 0;
    const char *paren = strrchr(stat, ')');
    int z = paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
    free(stat);
    return z;
}

int target_poll(struct target *tg)
{
    if (tg->ended)
        return 1;
    if (!tg->owned) {
        if ((kill(tg->pid, 0) != 0 && errno == ESRCH) || is_zombie(tg->pid)) {
            tg->ended = 1;
            snprintf(tg->reason, sizeof(tg->reason), "is gone (pid %ld)", (long)tg->pid);
        }
        return tg->ended;
    }
    int r = keeper_poll(tg->keeper, &tg->status);
    if (r != 0) {
        tg->ended = 1;
        tg->status_known = r == 1;
        describe_status(tg);
    }
    return tg->ended;
}

const char *target_exit_reason(const struct target *tg)
{
    return tg->ended ? tg->reason : "is running";
}

int target_exit_code(const struct target *tg)
{
    if (!tg->ended || !tg->status_known)
        return -1;
    if (WIFEXITED(tg->status))
        return WEXITSTATUS(tg->status);
    if (WIFSIGNALED(tg->status))
        return 128 + WTERMSIG(tg->status);
    return -1;
}

char *target_log_tail(const struct target *tg, int lines)
{
    if (!tg->stderr_path)
        return NULL;
    FILE *f = fopen(tg->stderr_path, "rb");
    if (!f)
        return NULL;
    char buf[8192];
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    long from = size > (long)sizeof(buf) - 1 ? size - (long)sizeof(buf) + 1 : 0;
    fseek(f, from, SEEK_SET);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    if (n == 0)
        return NULL;
    char *p = buf + n;
    int seen = 0;
    while (p > buf && seen < lines) {
        p--;
        if (*p == '\n')
            seen++;
    }
    if (*p == '\n')
        p++;
    return lc_strdup(p);
}

/* Waits up to secs for the owned target to end. Returns 1 when it did. */
static int wait_end(struct target *tg, double secs)
{
    double until = lc_now() + secs;
    struct timespec ts = {0, 10 * 1000 * 1000};
    while (!target_poll(tg)) {
        if (lc_now() >= until)
            return 0;
        nanosleep(&ts, NULL);
    }
    return 1;
}

int target_stop(struct target *tg)
{
    if (!tg->owned)
        return target_poll(tg) ? -1 : 0;
    int already = target_poll(tg);
    /* the group may outlive its leader: signal it in any case */
    kill(-tg->pid, SIGTERM);
    if (already) {
        kill(-tg->pid, SIGKILL);
        /* what it left behind (a daemon, a server its wrapper forked) */
        keeper_finish(tg->keeper, tg->grace_s);
        if (target_group == tg->pid)
            target_group = 0;
        return -1;
    }
    int rc = 1;
    double until = lc_now() + tg->grace_s;
    struct timespec ts = {0, 10 * 1000 * 1000};
    if (wait_end(tg, tg->grace_s)) {
        rc = 0;
        /* a wrapper (sh -c, go run) ends at once on SIGTERM; the server it
         * started, in the same group, still gets the grace to shut down */
        while (kill(-tg->pid, 0) == 0 && lc_now() < until)
            nanosleep(&ts, NULL);
    }
    kill(-tg->pid, SIGKILL);
    if (rc)
        wait_end(tg, 5.0);
    keeper_finish(tg->keeper, tg->grace_s);
    if (target_group == tg->pid)
        target_group = 0;
    return rc;
}

uint64_t target_log_dropped(const struct target *tg, int stream)
{
    return keeper_dropped(tg->keeper, stream);
}

void target_free(struct target *tg)
{
    if (!tg)
        return;
    if (tg->owned && !tg->ended)
        target_stop(tg);
    keeper_free(tg->keeper);
    free(tg->stderr_path);
    free(tg);
}
