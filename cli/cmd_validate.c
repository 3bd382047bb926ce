/* cli/cmd_validate.c: leakcheck validate SUITE.json: checks a suite and
 * its assertions without starting anything. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"

/* leakcheck validate: see cli_usage. */
int cmd_validate(int argc, char **argv)
{
    if (argc == 1 && cli_is_help(argv[0])) {
        cli_usage(stdout);
        return CLI_OK;
    }
    if (argc != 1) {
        cli_error("usage: leakcheck validate SUITE.json");
        return CLI_USAGE;
    }
    struct checks *c = NULL;
    struct suite *s = cli_load_checked(argv[0], 0, 0, &c);
    if (!s)
        return CLI_USAGE;
    printf("%s: suite \"%s\" is valid (%zu test%s)\n", argv[0], s->name, s->ntests,
           s->ntests == 1 ? "" : "s");
    checks_free(c);
    suite_free(s);
    return CLI_OK;
}
