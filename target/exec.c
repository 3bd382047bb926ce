/* target/exec.c: the target's process from fork to exec (exec.h). */
#include "target/exec.h"

#include "common/fdlimit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

extern char **environ;

/* How far the child got, sent back to the parent on failure. */
enum { ST_OUTPUT, ST_CWD, ST_NOFILE, ST_RUN, ST_INTERP };

char **exec_env(const struct suite_target *t)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = lc_calloc(n + t->nenv + 1, sizeof(char *));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int overridden = 0;
        for (size_t j = 0; j < t->nenv && !overridden; j++) {
            size_t len = strcspn(t->env[j], "=");
            overridden = strncmp(environ[i], t->env[j], len) == 0 && environ[i][len] == '=';
        }
        if (!overridden)
            env[k++] = environ[i];
    }
    for (size_t j = 0; j < t->nenv; j++)
        env[k++] = t->env[j];
    return env;
}

/* The PATH of env, the target's environment (glibc's default without one). */
static const char *env_path(char **env)
{
    for (char **e = env; *e; e++)
        if (strncmp(*e, "PATH=", 5) == 0)
            return *e + 5;
    return "/bin:/usr/bin";
}

/*
 * In the child: execve(file); a file without a #! line runs under /bin/sh,
 * as execvpe and env(1) do (shargv is {"/bin/sh", NULL, argv[1..]}).
 * Returns with errno set: ST_INTERP when file exists but its interpreter
 * or loader does not, ST_RUN otherwise.
 */
static int try_exec(const char *file, char *const argv[], char **shargv, char **env)
{
    execve(file, argv, env);
    if (errno == ENOEXEC) {
        shargv[1] = (char *)file;
        execve("/bin/sh", shargv, env);
        errno = ENOEXEC;
    } else if (errno == ENOENT && access(file, F_OK) == 0) {
        errno = ENOENT;
        return ST_INTERP;
    }
    return ST_RUN;
}

/* 1 for the errors after which the next PATH entry is tried, as glibc does. */
static int try_next(int e)
{
    return e == ENOENT || e == ENOTDIR || e == EACCES || e == ESTALE || e == ENODEV ||
           e == ETIMEDOUT;
}

/*
 * In the child: execvpe, except that a bare command name is looked up in
 * the target's own PATH (suite env), where glibc's execvpe would use
 * leakcheck's. No allocation: only execve between fork and exec. Returns
 * (see try_exec) when nothing could be run.
 */
static int exec_search(char *const argv[], char **shargv, char **env)
{
    const char *name = argv[0];
    if (strchr(name, '/'))
        return try_exec(name, argv, shargv, env);
    size_t nl = strlen(name);
    int denied = 0, interp = 0;
    char file[4096];
    for (const char *p = env_path(env);;) {
        const char *end = strchrnul(p, ':');
        /* an empty entry is the working directory */
        const char *dir = end > p ? p : ".";
        size_t dl = end > p ? (size_t)(end - p) : 1;
        if (dl + nl + 2 <= sizeof(file)) {
            memcpy(file, dir, dl);
            file[dl] = '/';
            memcpy(file + dl + 1, name, nl + 1);
            interp |= try_exec(file, argv, shargv, env) == ST_INTERP;
            if (!try_next(errno))
                return ST_RUN;
            denied |= errno == EACCES;
        }
        if (*end == '\0')
            break;
        p = end + 1;
    }
    errno = denied ? EACCES : ENOENT;
    return interp && !denied ? ST_INTERP : ST_RUN;
}

/* In the child: never returns. Reports a failure as an errno on errpipe. */
static void child_exec(const struct suite_target *t, char **env, char **shargv, int out, int errfd,
                       int errpipe)
{
    int stage = ST_OUTPUT, e = 0;
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
        goto fail;
    /* nothing of ours leaks into the target: its fd count is its own */
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    /* whatever leakcheck inherited or set (SIGPIPE ignored; a CI agent or
     * nohup ignoring SIGHUP or SIGINT), the target starts with every
     * signal at its default, as a login shell would give it */
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, NULL); /* EINVAL for the few the kernel reserves */
    stage = ST_CWD;
    if (t->cwd && chdir(t->cwd) != 0)
        goto fail;
    stage = ST_NOFILE;
    fdlimit_child_restore(); /* the limit leakcheck was given, not the one its load needs */
    if (t->nofile > 0) {
        struct rlimit rl = {(rlim_t)t->nofile, (rlim_t)t->nofile};
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            goto fail;
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    stage = exec_search(t->command, shargv, env);
fail:
    e = errno;
    int msg[2] = {stage, e};
    if (write(errpipe, msg, sizeof(msg)) < 0)
        _exit(126);
    _exit(127);
}

void exec_error(struct lc_error *err, const struct suite_target *t, char **env, int stage, int e)
{
    static const char *const verb[] = {"redirect output", "enter cwd", "set nofile", "run", "run"};
    const char *what = stage == ST_CWD ? t->cwd : t->command[0];
    if (stage < ST_OUTPUT || stage > ST_INTERP)
        stage = ST_RUN;
    if (stage == ST_INTERP)
        lc_error_set(err,
                     "cannot run %s: it exists, but the interpreter of its #! line (or its "
                     "loader) does not",
                     what);
    else if (stage == ST_NOFILE && e == EPERM)
        lc_error_set(err,
                     "cannot set nofile %ld for %s: above the hard limit %lu (ulimit -Hn), which "
                     "leakcheck may not raise",
                     t->nofile, what, fdlimit_hard());
    else if (stage == ST_RUN && e == ENOENT && !strchr(what, '/'))
        lc_error_set(err, "cannot run %s: not found in the target's PATH %s", what, env_path(env));
    else
        lc_error_set(err, "cannot %s %s: %s", verb[stage], what, strerror(e));
}

void exec_child(void *arg)
{
    struct exec_args *a = arg;
    child_exec(a->t, a->env, a->shargv, a->out, a->errfd, a->errpipe);
}

char **exec_sh_argv(const struct suite_target *t)
{
    char **v = lc_calloc(t->ncommand + 2, sizeof(char *));
    v[0] = "/bin/sh";
    for (size_t i = 1; i < t->ncommand; i++)
        v[i + 1] = t->command[i];
    return v;
}
