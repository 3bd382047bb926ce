/* cli/cmd_validate.c: leakcheck validate SUITE.json: checks a suite and
 * its assertions without starting anything; several files, each checked. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"

/* leakcheck validate SUITE.json...: every file is checked (and its faults
 * printed); exit 2 when any is not valid. */
int cmd_validate(int argc, char **argv)
{
    if (argc == 1 && cli_is_help(argv[0])) {
        cli_usage(stdout);
        return CLI_OK;
    }
    if (argc < 1) {
        cli_error("usage: leakcheck validate SUITE.json...");
        return CLI_USAGE;
    }
    int code = CLI_OK;
    for (int i = 0; i < argc; i++) {
        struct checks *c = NULL;
        struct suite *s = cli_load_checked(argv[i], 0, 0, &c);
        if (!s) {
            code = CLI_USAGE;
            continue;
        }
        printf("%s: suite \"%s\" is valid (%zu test%s)\n", argv[i], s->name, s->ntests,
               s->ntests == 1 ? "" : "s");
        checks_free(c);
        suite_free(s);
    }
    if (argc > 1 && code != CLI_OK)
        cli_error("not every suite is valid");
    return code;
}
