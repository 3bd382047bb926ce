/* cli/cli.h: the command line. */
#ifndef LC_CLI_H
#define LC_CLI_H

/* Exit codes, mapped in one place. */
enum cli_exit {
    CLI_OK = 0,          /* every test passed */
    CLI_FAILED = 1,      /* an assertion failed */
    CLI_USAGE = 2,       /* usage or suite error: nothing was started, or a test stopped at
                            its first scrape on a metric name its service does not expose */
    CLI_INFRA = 3,       /* a target or source fault, or reports not written */
    CLI_INTERRUPTED = 130,
};

/* Runs the command line; returns the process exit code. */
int cli_main(int argc, char **argv);

#endif
