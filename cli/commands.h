/*
 * cli/commands.h: the commands, one file each (cli/cmd_NAME.c), as
 * cli/main.c's table calls them: argv holds the arguments after the
 * command's name; each returns the exit code (enum cli_exit).
 */
#ifndef LC_COMMANDS_H
#define LC_COMMANDS_H

/* leakcheck run SUITE.json [--out DIR] [--compare FILE] ... (cli/cmd_run.c). */
int cmd_run(int argc, char **argv);

/* leakcheck validate SUITE.json... (cli/cmd_validate.c). */
int cmd_validate(int argc, char **argv);

/* leakcheck load [flags] URL: a drop-in for hey (cli/cmd_load.c). */
int cmd_load(int argc, char **argv);

/* leakcheck diff BASE CURRENT: growth table of two saved profile texts
 * (cli/cmd_diff.c). */
int cmd_diff(int argc, char **argv);

/* leakcheck compare A.json B.json: per test and metric, A's final value,
 * B's, the change and the verdict (cli/cmd_compare.c). */
int cmd_compare(int argc, char **argv);

#include <stddef.h>

struct report_run;
struct suite;
struct compare_tol;

/* leakcheck compare --json (cli/cmd_compare_json.c): prints the
 * comparison of b with a as JSON on stdout (per test of b: each metric's
 * a, b, change as a fraction, tolerance, limit and verdict; the tests only
 * in a). Returns the number of regressions. Paths pa, pb are echoed. */
size_t cmd_compare_json(const struct report_run *a, const struct report_run *b, const char *pa,
                        const char *pb, const struct compare_tol *tols, size_t ntols);

/* For `run --test REGEX` (cli/cli_select.c): which tests of s the POSIX
 * extended regex re matches (searched in the name, as go test -run does):
 * a new array of s->ntests flags (caller frees), or NULL with a message
 * printed when re is not a regex or matches no test. */
unsigned char *cli_pick_tests(const struct suite *s, const char *re);

struct report_shard;

/* run's shard options (each NULL when not given). */
struct cli_shard_args {
    const char *flag;      /* --shard I/N */
    const char *count;     /* --shard-count N */
    const char *durations; /* --durations FILE */
};

/*
 * For `run --shard` (cli/cli_shard.c): resolves the shard from a's flags
 * or the CI's variables (CI_NODE_INDEX/CI_NODE_TOTAL, JOB_COMPLETION_INDEX
 * with --shard-count or LEAKCHECK_SHARD_COUNT); with one, fills *out with
 * the plan of every shard (balanced by --durations' report when given) and
 * marks in *picked (allocated when NULL: caller frees) the tests another
 * shard runs. Without one, leaves both alone. Returns 0, or -1 after
 * printing why (a bad value, --durations alone, an unreadable report).
 */
int cli_shard_plan(const struct suite *s, const struct cli_shard_args *a, struct report_shard *out,
                   unsigned char **picked);

/*
 * For `leakcheck merge` (cli/cli_copy.c): copies the test folder dir of
 * the report in folder from to the same place under to (files and
 * folders; links are not followed). dir must be relative and below the
 * report's folder (no "..", ".", empty or absolute part). A folder that
 * does not exist is nothing to copy. Returns 0, or -1 with err.
 */
struct lc_error;
int cli_copy_test_dir(const char *from, const char *dir, const char *to, struct lc_error *err);

/* leakcheck merge SHARD_OUT... --out DIR (cli/cmd_merge.c). */
int cmd_merge(int argc, char **argv);

#endif
