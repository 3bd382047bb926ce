/* cli/cli_select.c: run --test REGEX, the tests a run selects. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "suite/suite.h"

unsigned char *cli_pick_tests(const struct suite *s, const char *re)
{
    regex_t rx;
    int rc = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char msg[256];
        regerror(rc, &rx, msg, sizeof(msg));
        fprintf(stderr, "leakcheck: --test %s: not a regular expression: %s\n", re, msg);
        return NULL;
    }
    unsigned char *picked = lc_calloc(s->ntests + 1, 1);
    size_t n = 0;
    for (size_t i = 0; i < s->ntests; i++) {
        picked[i] = regexec(&rx, s->tests[i].name, 0, NULL, 0) == 0;
        n += picked[i];
    }
    regfree(&rx);
    if (n == 0) {
        fprintf(stderr, "leakcheck: --test %s matches no test of %s (", re, s->path);
        for (size_t i = 0; i < s->ntests; i++)
            fprintf(stderr, "%s\"%s\"", i ? ", " : "", s->tests[i].name);
        fputs(")\n", stderr);
        free(picked);
        return NULL;
    }
    return picked;
}
