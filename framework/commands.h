/*
 * framework/commands.h: the subcommands besides run and validate, each in a
 * file of its own. Each takes the arguments after its name and returns the
 * process exit code (see enum cli_exit in cli.h).
 */
#ifndef LC_COMMANDS_H
#define LC_COMMANDS_H

/* leakcheck load [flags] URL: a drop-in for hey (framework/cmd_load.c). */
int cmd_load(int argc, char **argv);

/* leakcheck diff BASE CURRENT: growth table of two saved profile texts
 * (framework/cmd_diff.c). */
int cmd_diff(int argc, char **argv);

#endif
