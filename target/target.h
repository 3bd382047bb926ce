/*
 * target/target.h: the service under test: started in its own process
 * group with its env, cwd and RLIMIT_NOFILE, its output captured into files;
 * or attached to by pid. Stopped with SIGTERM, then SIGKILL after a grace
 * period, the whole group, so that no process is left behind.
 */
#ifndef LC_TARGET_H
#define LC_TARGET_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/lc.h"
#include "suite/suite.h"

struct target;

/* The process group of the target started last (0 when none), so that a
 * signal handler that must exit at once can SIGKILL it first. */
extern volatile sig_atomic_t target_group;

/*
 * Starts the target described by t (t->command), or attaches to t->pid or
 * the pid in t->pid_file. Output goes to logdir/stdout.log and
 * logdir/stderr.log. Returns a new target, or NULL with err (a command that
 * cannot be run, a pid that does not exist) -- nothing is left running then.
 */
struct target *target_start(const struct suite_target *t, const char *logdir, struct lc_error *err);

/* The process id (of the group leader when started). */
pid_t target_pid(const struct target *tg);

/*
 * Checks, without blocking, whether the target has ended. Returns 1 when it
 * has (then target_exit_reason says how), 0 when it still runs.
 */
int target_poll(struct target *tg);

/* "exited with status 2", "killed by signal 9 (Killed)", "is gone"; borrowed. */
const char *target_exit_reason(const struct target *tg);

/* The exit status of a started target that has ended (as target_poll saw
 * it): its exit code, or 128 + the signal's number when a signal ended it
 * (as shells say it). -1 while it runs, for an attached target, or when
 * the status is not known. */
int target_exit_code(const struct target *tg);

/* Returns the last `lines` lines of the target's stderr (caller frees), or
 * NULL when there is none (attached targets have none). */
char *target_log_tail(const struct target *tg, int lines);

/* Bytes dropped from the middle of a started target's stdout (stream 0) or
 * stderr (1) log (each keeps its first and last MiB), known once it has
 * been stopped; 0 otherwise. */
uint64_t target_log_dropped(const struct target *tg, int stream);

/*
 * Stops a started target: SIGTERM to its process group, SIGKILL to the group
 * after the grace period. Attached targets are left running. Returns 0 when
 * the target ended on SIGTERM, 1 when it had to be killed, -1 when it had
 * already ended before.
 */
int target_stop(struct target *tg);

/* Stops (if started and still running) and frees; NULL is a no-op. */
void target_free(struct target *tg);

#endif
