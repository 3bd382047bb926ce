/* cli/cli.h: what the commands share (cli/main.c picks the command,
 * cli/commands.h lists them). */
#ifndef LC_CLI_H
#define LC_CLI_H

#include <stdio.h>

#include "common/lc.h"
#include "suite/checks.h"
#include "suite/suite.h"

/* Exit codes, mapped in one place. */
enum cli_exit {
    CLI_OK = 0,          /* every test passed */
    CLI_FAILED = 1,      /* an assertion failed */
    CLI_USAGE = 2,       /* usage or suite error: nothing was started, or a test stopped at
                            its first scrape on a metric name its service does not expose */
    CLI_INFRA = 3,       /* a target or source fault, or reports not written */
    CLI_INTERRUPTED = 130,
};

/* Prints leakcheck's usage (every command, the exit codes) to out. */
void cli_usage(FILE *out);

/* 1 when arg asks for help (-h, --help). */
int cli_is_help(const char *arg);

/* Prints "leakcheck: " and the message, and a line break, to stderr. */
void cli_error(const char *fmt, ...) LC_PRINTF(1, 2);

/*
 * Loads the suite at path and checks every assertion; prints faults and
 * warnings (with comparing, for run --compare, not the one about a test
 * without assertions). Each test gets a free port with pick_ports (run),
 * port 0 without (validate: nothing is started, and 100,000 tests need
 * not find 100,000 free ports). Returns NULL on any fault, else the
 * suite, with its checks in *checks (the caller frees both).
 */
struct suite *cli_load_checked(const char *path, int comparing, int pick_ports,
                               struct checks **checks);

struct report_run;

/* The exit code of a run's report (cli/cmd_run.c): 130 interrupted, 2 a
 * suite error, else 0, 1 or 3 by the verdict. */
int cli_run_exit_code(const struct report_run *rr);

/* Checks that folder out can be written (creating it) and removes the
 * reports a previous run left there (cli/cmd_run.c). 0, or -1 (printed). */
int cli_prepare_out(const char *out);

#endif
