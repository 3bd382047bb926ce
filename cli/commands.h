/*
 * cli/commands.h: the subcommands besides run and validate, each in a
 * file of its own. Each takes the arguments after its name and returns the
 * process exit code (see enum cli_exit in cli.h).
 */
#ifndef LC_COMMANDS_H
#define LC_COMMANDS_H

#include <stddef.h>

/* leakcheck load [flags] URL: a drop-in for hey (cli/cmd_load.c). */
int cmd_load(int argc, char **argv);

/* leakcheck diff BASE CURRENT: growth table of two saved profile texts
 * (cli/cmd_diff.c). */
int cmd_diff(int argc, char **argv);

/* leakcheck compare A.json B.json: per test and metric, A's final value,
 * B's, the change and the verdict; exit 1 when B regressed (the release
 * gate; cli/cmd_compare.c). */
int cmd_compare(int argc, char **argv);

struct report_run;
struct suite;

/* For `run --compare FILE`: reads the previous report.json; returns a new
 * run (free with report_run_free) or NULL with a message printed. */
struct report_run *cmd_compare_load(const char *path);

/* Adds to every test of rr found by name in prev one "compare(METRIC)"
 * assertion per compared metric (the suite's "compare" tolerances over the
 * defaults); a regression fails the test and the run. Returns the number
 * of regressions. */
size_t cmd_compare_apply(struct report_run *rr, const struct report_run *prev,
                         const struct suite *s);

#endif
