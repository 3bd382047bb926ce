/*
 * run/runner.h: running one test of a suite through its phases --
 * start (or attach to) the target, wait until ready, baseline, load,
 * observe, settle -- sampling all along, then checking its assertions.
 */
#ifndef LC_RUNNER_H
#define LC_RUNNER_H

#include <signal.h>
#include <stddef.h>

#include "assertions/expr.h"
#include "suite/suite.h"
#include "reports/report.h"

/* Progress lines go to stderr unless quiet. */
struct runner_opts {
    const char *suite_path; /* the suite file, for messages at a place in it (or NULL) */
    const char *out_dir;    /* the run's --out directory (exists) */
    const char *test_dir;   /* this test's folder in it (created by the runner) */
    int quiet;
    int live; /* stderr is a terminal: one status line, updated in place */
    struct checkpoint *ckpt; /* the run's checkpoints (run/checkpoint.h), or NULL: off */
    size_t ndone;            /* the run's tests finished before this one */
};

/*
 * Runs test t, whose assertions are already parsed and checked (exprs, one
 * per t->asserts). Fills rt (a test of the run's report). Never leaves the
 * target running. Returns 0 when the test ran to the end (whatever its
 * verdict), 1 when it was interrupted by SIGINT or SIGTERM.
 */
int runner_run_test(const struct suite_test *t, struct expr *const *exprs,
                    const struct runner_opts *opts, struct report_test *rt);

/* The first SIGINT or SIGTERM received since runner_install_signals (0:
 * none). A test under way stops at it; the caller starts no further test. */
extern volatile sig_atomic_t runner_signal;

/* Installs the handlers: the first signal sets runner_signal, a second one
 * exits at once with status 130. */
void runner_install_signals(void);

#endif
