/*
 * target/keeper.h: a small process between leakcheck and its target that
 * owns the target's whole process tree, so that nothing the target starts
 * outlives the run, even when leakcheck is killed with SIGKILL.
 *
 * What it relies on (Linux, no privilege needed): the keeper is a child
 * subreaper (PR_SET_CHILD_SUBREAPER, Linux 3.4), so every process the
 * target starts -- through `sh -c`, `go run`, a double fork, `setsid` --
 * stays its descendant when its parent ends, instead of going to init. It
 * holds the read end of a pipe from leakcheck: when leakcheck ends that
 * pipe (keeper_finish) or dies (the kernel closes it), the keeper kills
 * every descendant it has, reaps them, and exits. It runs in its own
 * process group and ignores SIGINT, SIGTERM, SIGHUP and SIGQUIT, so that a
 * Ctrl-C or a signal to leakcheck's group does not take it away before its
 * work is done. The target gets SIGKILL if the keeper itself is killed.
 */
#ifndef LC_KEEPER_H
#define LC_KEEPER_H

#include <stdint.h>
#include <sys/types.h>

#include "common/lc.h"

struct keeper;

/* Runs in the target's process (the keeper's child): execs it; never
 * returns. */
typedef void keeper_exec_cb(void *arg);

/*
 * Forks the keeper, which forks the target (in its own process group) and
 * runs exec_cb(arg) there. The keeper closes every descriptor of
 * leakcheck's once the target is started, except log_in[0..1], the read
 * ends of the pipes the target's stdout and stderr go to, which it keeps
 * in the files log_file[0..1] with their head and tail (keeper_log.h).
 * The caller closes its own copies of all of them. Sets *target to the
 * target's pid. Returns the keeper, or NULL with err (fork failed);
 * nothing is left running then.
 */
struct keeper *keeper_start(keeper_exec_cb *exec_cb, void *arg, const int *log_in,
                            const int *log_file, pid_t *target, struct lc_error *err);

/* Bytes dropped from the middle of the target's stdout (stream 0) or
 * stderr (1) log, known once keeper_finish has returned. */
uint64_t keeper_dropped(const struct keeper *k, int stream);

/*
 * Checks, without blocking, whether the target has ended. Returns 1 and
 * its wait status in *status when it has, 0 while it runs, -1 when the
 * keeper is gone without saying (its status is then unknown).
 */
int keeper_poll(struct keeper *k, int *status);

/*
 * Ends the run of the tree: every process the target left (a daemon that
 * outlived it, a wrapper's server) gets SIGTERM, then SIGKILL after
 * grace_s; the keeper reaps them and exits, and is reaped. Returns the
 * number of processes the keeper had to signal, or -1 when that is not
 * known. Idempotent.
 */
int keeper_finish(struct keeper *k, double grace_s);

/* keeper_finish with no grace when not done yet, then frees; NULL is a
 * no-op. */
void keeper_free(struct keeper *k);

#endif
