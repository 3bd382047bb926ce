/*
 * target/exec.h: the target's process from fork to exec. The child resets
 * what leakcheck set (signals, fds, the nofile limit), enters cwd, and
 * execs the command the way execvpe and env(1) do, but searching the
 * target's own PATH and running a file without #! under /bin/sh. It
 * allocates nothing: what it needs is made before the fork.
 */
#ifndef LC_TARGET_EXEC_H
#define LC_TARGET_EXEC_H

#include "common/lc.h"
#include "suite/suite.h"

/* What the target's process needs to exec (made before the fork). out and
 * errfd become its stdout and stderr; a failure is written to errpipe as
 * int[2] {stage, errno}, which exec_error reads. */
struct exec_args {
    const struct suite_target *t;
    char **env, **shargv;
    int out, errfd, errpipe;
};

/* environ plus the suite's NAME=value entries (which override); free the
 * array only (its strings are borrowed). */
char **exec_env(const struct suite_target *t);

/* {"/bin/sh", NULL, command[1..]}: the argv for a script without #!
 * (free the array only). */
char **exec_sh_argv(const struct suite_target *t);

/* In the child (arg: struct exec_args *): never returns. */
void exec_child(void *arg);

/* The parent's message for a child that failed at stage with errno e. */
void exec_error(struct lc_error *err, const struct suite_target *t, char **env, int stage, int e);

#endif
