/*
 * cli/commands.h: the commands, one file each (cli/cmd_NAME.c), as
 * cli/main.c's table calls them: argv holds the arguments after the
 * command's name; each returns the exit code (enum cli_exit).
 */
#ifndef LC_COMMANDS_H
#define LC_COMMANDS_H

/* leakcheck run SUITE.json [--out DIR] [--compare FILE] ... (cli/cmd_run.c). */
int cmd_run(int argc, char **argv);

/* leakcheck validate SUITE.json (cli/cmd_validate.c). */
int cmd_validate(int argc, char **argv);

/* leakcheck load [flags] URL: a drop-in for hey (cli/cmd_load.c). */
int cmd_load(int argc, char **argv);

/* leakcheck diff BASE CURRENT: growth table of two saved profile texts
 * (cli/cmd_diff.c). */
int cmd_diff(int argc, char **argv);

/* leakcheck compare A.json B.json: per test and metric, A's final value,
 * B's, the change and the verdict (cli/cmd_compare.c). */
int cmd_compare(int argc, char **argv);

#endif
