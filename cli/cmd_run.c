/* cli/cmd_run.c: leakcheck run SUITE.json: runs a suite (run/run_suite.h)
 * and writes its reports; the exit code says how it went. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "reports/term.h"
#include "run/fetch.h"
#include "run/run_suite.h"
#include "run/runner.h"

struct run_args {
    const char *suite;
    const char *out;
    const char *compare; /* previous report.json, or NULL */
    int quiet;
    int color;
};

/* Fills a from run's arguments. Returns 0, 1 for -h/--help, -1 (printed) on a mistake. */
static int cmd_run_args(int argc, char **argv, struct run_args *a)
{
    a->out = "leakcheck-out";
    const char *nc = getenv("NO_COLOR");
    a->color = isatty(STDOUT_FILENO) && !(nc && *nc);
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            a->out = argv[++i];
        else if (strncmp(argv[i], "--out=", 6) == 0)
            a->out = argv[i] + 6;
        else if (strcmp(argv[i], "--compare") == 0 && i + 1 < argc)
            a->compare = argv[++i];
        else if (strncmp(argv[i], "--compare=", 10) == 0)
            a->compare = argv[i] + 10;
        else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
            a->quiet = 1;
        else if (strcmp(argv[i], "--no-color") == 0)
            a->color = 0;
        else if (strcmp(argv[i], "--insecure") == 0)
            fetch_set_insecure(1);
        else if (cli_is_help(argv[i]))
            return 1;
        else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            cli_error("unknown option %s", argv[i]);
            return -1;
        } else if (!a->suite)
            a->suite = argv[i];
        else {
            cli_error("one suite at a time (got %s and %s)", a->suite, argv[i]);
            return -1;
        }
    }
    if (!a->suite) {
        cli_error("which suite? (leakcheck run SUITE.json)");
        return -1;
    }
    return 0;
}

static int cmd_run_exit_code(const struct report_run *rr)
{
    if (rr->interrupted)
        return CLI_INTERRUPTED;
    /* a suite that names what its service does not expose must be fixed:
     * running it again (as CI does on 3) cannot help */
    for (size_t i = 0; i < rr->ntests; i++)
        if (rr->tests[i].suite_error)
            return CLI_USAGE;
    return rr->verdict == REPORT_PASS   ? CLI_OK
           : rr->verdict == REPORT_FAIL ? CLI_FAILED
                                        : CLI_INFRA;
}

/* leakcheck run: see cli_usage. */
int cmd_run(int argc, char **argv)
{
    struct run_args a = {0};
    int parsed = cmd_run_args(argc, argv, &a);
    if (parsed > 0)
        cli_usage(stdout);
    if (parsed != 0)
        return parsed > 0 ? CLI_OK : CLI_USAGE;
    struct checks *c = NULL;
    struct suite *s = cli_load_checked(a.suite, a.compare != NULL, 1, &c);
    if (!s)
        return CLI_USAGE;
    /* the previous report is read before anything starts: a typo costs nothing */
    struct report_run *prev = a.compare ? run_suite_compare_load(a.compare) : NULL;
    if (a.compare && !prev) {
        checks_free(c);
        suite_free(s);
        return CLI_USAGE;
    }
    struct lc_error err = {0};
    char *probe = lc_asprintf("%s/.leakcheck-write-test", a.out);
    /* find out now, not after the whole suite ran, that reports cannot be written */
    int writable = lc_mkdirs(a.out, &err) == 0 && lc_write_file_atomic(probe, "", 0, &err) == 0;
    if (writable) {
        unlink(probe);
        /* a run cut short must not leave the last run's verdict for CI to read */
        static const char *old[] = {"report.json", "junit.xml", "report.html"};
        for (size_t i = 0; i < LC_ARRAY_LEN(old); i++) {
            char *p = lc_asprintf("%s/%s", a.out, old[i]);
            unlink(p);
            free(p);
        }
    }
    free(probe);
    if (!writable) {
        cli_error("%s", err.msg);
        report_run_free(prev);
        checks_free(c);
        suite_free(s);
        return CLI_INFRA;
    }
    runner_install_signals();
    struct report_run *rr = lc_calloc(1, sizeof(*rr));
    rr->suite = lc_strdup(s->name);
    rr->suite_file = lc_strdup(s->path);
    rr->started_at = lc_wall();
    struct run_suite_opts o = {.out = a.out, .quiet = a.quiet};
    run_suite(s, c, &o, rr);
    if (prev)
        run_suite_compare_apply(rr, prev, s);
    int code = cmd_run_exit_code(rr);
    /* the summary cleans what it prints and adds its own colours */
    FILE *raw = report_term_raw(stdout);
    report_console_write(rr, raw, a.color);
    fflush(raw);
    if (run_suite_write_reports(rr, a.out) != 0)
        code = CLI_INFRA;
    else if (!a.quiet)
        printf("reports: %s/report.json, %s/junit.xml, %s/report.html\n", a.out, a.out, a.out);
    report_run_free(rr);
    report_run_free(prev);
    checks_free(c);
    suite_free(s);
    return code;
}
