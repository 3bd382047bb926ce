/* cli/main.c: leakcheck's entry point: picks the command from a table;
 * help and the version are answered here, once. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "reports/term.h"
#include "run/fetch.h"

#ifndef LEAKCHECK_VERSION
#error "LEAKCHECK_VERSION comes from meson.build's project version"
#endif

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} commands[] = {
    {"run", cmd_run},         {"validate", cmd_validate}, {"load", cmd_load},
    {"compare", cmd_compare}, {"diff", cmd_diff},         {"merge", cmd_merge},
};

int main(int argc, char **argv)
{
    /* a target that goes away must not kill us through a write */
    signal(SIGPIPE, SIG_IGN);
    /* past `ulimit -f` a write fails with EFBIG (reported, the temporary
     * file removed) instead of the signal killing us with no report */
    signal(SIGXFSZ, SIG_IGN);
    /* test names, target logs and server answers reach the terminal */
    report_term_guard();
    fetch_global_init();
    if (argc < 2) {
        cli_usage(stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    for (size_t i = 0; i < LC_ARRAY_LEN(commands); i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].fn(argc - 2, argv + 2);
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("leakcheck %s\n", LEAKCHECK_VERSION);
        return CLI_OK;
    }
    if (strcmp(cmd, "help") == 0 || cli_is_help(cmd)) {
        cli_usage(stdout);
        return CLI_OK;
    }
    cli_error("unknown command \"%s\"", cmd);
    cli_usage(stderr);
    return CLI_USAGE;
}
