/* cli/cli.c: what the commands share: the usage, help flags, error
 * messages, and loading a suite with its checks. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/ports.h"

void cli_usage(FILE *out)
{
    fputs("usage: leakcheck run SUITE.json [--out DIR] [--compare PREVIOUS/report.json]\n"
          "                     [--quiet|-q] [--no-color] [--insecure] [--repeat N]\n"
          "                     [--test REGEX] [--summary-md FILE] [--source-root DIR]\n"
          "                     [--checkpoint DUR]\n"
          "                     [--shard I/N] [--shard-count N] [--durations PREV/report.json]\n"
          "       leakcheck merge SHARD_OUT... [--out DIR] [--source-root DIR] [--quiet|-q]\n"
          "       leakcheck validate SUITE.json...\n"
          "       leakcheck compare A/report.json B/report.json [--tol METRIC=N%] [--json]\n"
          "       leakcheck load [hey's flags] URL\n"
          "       leakcheck diff [--min N] [--top N] BASE CURRENT\n"
          "       leakcheck --version\n"
          "\n"
          "run       start (or attach to) each test's target, sample a baseline, drive load,\n"
          "          keep sampling, settle, check the assertions; write report.json,\n"
          "          junit.xml and report.html into --out (default leakcheck-out/); with\n"
          "          --compare, a metric grown beyond its tolerance since that run fails;\n"
          "          https sources must have valid certificates unless --insecure;\n"
          "          --test runs only the tests whose name matches REGEX (extended);\n"
          "          --summary-md writes a markdown summary (for $GITHUB_STEP_SUMMARY);\n"
          "          --source-root: JUnit file= of culprits relative to DIR (default:\n"
          "          the suite's directory); --checkpoint rewrites the reports of a run\n"
          "          under way every DUR (\"complete\": false; off: never; default 1m for a\n"
          "          run planned over 10m)\n"
          "          --shard I/N (1-based) runs the I-th of N\n"
          "          parts of the tests (without it: CI_NODE_INDEX/CI_NODE_TOTAL, or\n"
          "          JOB_COMPLETION_INDEX (0-based) with --shard-count N or\n"
          "          LEAKCHECK_SHARD_COUNT); --durations balances them by a previous run\n"
          "merge     one report of the shards' --out folders, exit code of the whole\n"
          "          suite; exit 3 when a shard is missing, doubled or of another suite\n"
          "validate  check a suite and its assertions without starting anything\n"
          "compare   table of two runs' final values (--json: as JSON); exit 1 when B\n"
          "          regressed against A\n"
          "load      drive HTTP load like hey (leakcheck load -h for its flags)\n"
          "diff      what grew between two saved profile texts (goroutine or heap)\n"
          "\n"
          "exit codes: 0 all passed, 1 an assertion failed, 2 usage or suite error,\n"
          "            3 infrastructure error (target or source fault), 130 interrupted\n",
          out);
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("leakcheck: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Each port of each test: free, and unlike every port picked before it. */
struct picked {
    int *ports;
    size_t n;
};

static int cli_free_port_cb(size_t index, void *arg)
{
    struct picked *pk = arg;
    int port = ports_pick(pk->ports, pk->n);
    (void)index;
    pk->ports = lc_realloc(pk->ports, (pk->n + 1) * sizeof(int));
    pk->ports[pk->n++] = port;
    return port;
}

/* Prints the suite's warnings to stderr. With run --compare a test without
 * assertions gets compare() ones, so that warning is left out then. */
static void cli_print_warnings(const struct suite *s, int comparing)
{
    for (size_t i = 0; i < s->nwarnings; i++) {
        const struct suite_warning *w = &s->warnings[i];
        if (comparing && w->kind == SUITE_WARN_NO_ASSERTIONS)
            continue;
        cli_error("%s:%d:%d: warning: %s", s->path, w->line, w->col, w->msg);
    }
}

/* Loads the suite and checks every assertion; prints faults and warnings.
 * NULL on any fault. */
struct suite *cli_load_checked(const char *path, int comparing, int pick_ports,
                               struct checks **checks)
{
    struct lc_error err = {0};
    struct picked pk = {0};
    struct suite *s = suite_load(path, pick_ports ? cli_free_port_cb : NULL, &pk, &err);
    free(pk.ports);
    if (!s) {
        if (err.line > 0)
            cli_error("%s:%d:%d: %s", path, err.line, err.col, err.msg);
        else
            cli_error("%s: %s", path, err.msg);
        return NULL;
    }
    cli_print_warnings(s, comparing);
    *checks = checks_new(s, stderr);
    if (!*checks) {
        suite_free(s);
        return NULL;
    }
    return s;
}
