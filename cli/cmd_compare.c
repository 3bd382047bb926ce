/*
 * cli/cmd_compare.c: the release gate on the command line.
 *
 *   leakcheck compare A.json B.json [--tol METRIC=N%|off]...
 *       prints, per test and metric, A's final value, B's, the change and
 *       the verdict; exits 1 when B regressed against A, 2 on bad usage or
 *       an unreadable report, else 0.
 *   leakcheck run SUITE --compare previous/report.json
 *       (cli/cmd_run.c) reads the previous report before anything starts and
 *       adds the comparison to every test after the run (run/run_suite.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "common/metric_table.h"
#include "reports/compare.h"
#include "reports/report.h"
#include "reports/units.h"
#include "suite/suite.h"

static void usage(FILE *out)
{
    fputs("usage: leakcheck compare A.json B.json [--tol METRIC=N%|off]... [--json]\n"
          "compares the final values of B (this run) with A (a previous run), test by test;\n"
          "a metric regresses when B > A * (1 + tolerance) + slack. Defaults:",
          out);
    /* the metric table's tolerances */
    size_t n = 0, k = 0;
    const struct metric_def *defs = metric_builtins(&n);
    for (size_t i = 0; i < n; i++) {
        if (defs[i].tolerance == METRIC_NO_GATE)
            continue;
        fprintf(out, "%s%s %g%%",
                k == 0   ? " "
                : k == 1 ? ",\n"
                         : ", ",
                defs[i].name, defs[i].tolerance * 100);
        k++;
    }
    fputs(". Exit 1 when B regressed. --json prints\n"
          "the comparison as one JSON document.\n",
          out);
}

/* "goroutines=5%" into a tolerance (the metric newly allocated, even on
 * failure: the caller frees it); 0 or -1 with a message. */
static int parse_tol_arg(const char *arg, struct compare_tol *t)
{
    struct lc_error err = {0};
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        fprintf(stderr, "leakcheck compare: --tol wants METRIC=N%% or METRIC=off, got %s\n", arg);
        return -1;
    }
    t->metric = lc_strndup(arg, (size_t)(eq - arg));
    if (compare_parse_tol(eq + 1, &t->frac, &err) != 0) {
        fprintf(stderr, "leakcheck compare: --tol %s: %s\n", t->metric, err.msg);
        return -1;
    }
    return 0;
}

static void print_entry(const struct compare_entry *e)
{
    enum report_unit u = report_unit_of(e->metric);
    char a[64], b[64], change[32], allowed[32];
    report_fmt_value(e->prev, u, a, sizeof(a));
    report_fmt_value(e->cur, u, b, sizeof(b));
    if (isfinite(e->prev) && isfinite(e->cur) && e->prev > 0)
        snprintf(change, sizeof(change), "%+.1f%%", (e->cur - e->prev) / e->prev * 100);
    else if (isfinite(e->prev) && isfinite(e->cur))
        snprintf(change, sizeof(change), "%+g", e->cur - e->prev);
    else
        snprintf(change, sizeof(change), "n/a");
    snprintf(allowed, sizeof(allowed), "+%g%%", e->frac * 100);
    const char *verdict = e->regressed                              ? "REGRESSED"
                          : !isfinite(e->prev) || !isfinite(e->cur) ? "not compared"
                                                                    : "ok";
    printf("  %-24s %12s %12s %10s %9s  %s\n", e->metric, a, b, change, allowed, verdict);
}

/* Prints the table of every test of b against its namesake in a; returns
 * the number of regressions. */
static size_t print_table(const struct report_run *a, const struct report_run *b,
                          const struct compare_tol *tols, size_t ntols)
{
    size_t regressions = 0;
    for (size_t i = 0; b->tests && i < b->ntests; i++) {
        const struct report_test *tb = &b->tests[i];
        const struct report_test *ta = compare_find_test(a, tb->name);
        printf("%s\n", tb->name);
        if (!ta) {
            printf("  (not in A: nothing to compare)\n");
            continue;
        }
        printf("  %-24s %12s %12s %10s %9s  %s\n", "metric", "A", "B", "change", "allowed",
               "verdict");
        size_t n = 0;
        struct compare_entry *e = compare_tests(ta, tb, tols, ntols, &n);
        for (size_t k = 0; k < n; k++) {
            print_entry(&e[k]);
            regressions += (size_t)e[k].regressed;
        }
        free(e);
    }
    for (size_t i = 0; a->tests && i < a->ntests; i++)
        if (!compare_find_test(b, a->tests[i].name))
            printf("%s\n  (only in A: not run in B)\n", a->tests[i].name);
    return regressions;
}

static int run_compare(const char *pa, const char *pb, const struct compare_tol *over, size_t nover,
                       int as_json)
{
    struct lc_error err = {0};
    int code = CLI_USAGE;
    struct report_run *a = report_json_read(pa, &err), *b = NULL;
    if (!a || !(b = report_json_read(pb, &err))) {
        fprintf(stderr, "leakcheck compare: %s\n", err.msg);
        goto cleanup;
    }
    size_t ntols = 0;
    struct compare_tol *tols = compare_tols_merge(over, nover, &ntols);
    if (as_json) {
        size_t nj = cmd_compare_json(a, b, pa, pb, tols, ntols);
        free(tols);
        code = nj > 0 ? CLI_FAILED : CLI_OK;
        goto cleanup;
    }
    printf("A: %s\nB: %s\n\n", pa, pb);
    size_t n = print_table(a, b, tols, ntols);
    free(tols);
    if (n > 0)
        printf("\n%zu regression%s: B is worse than A beyond the tolerance\n", n,
               n == 1 ? "" : "s");
    else
        printf("\nno regressions\n");
    code = n > 0 ? CLI_FAILED : CLI_OK;
cleanup:
    report_run_free(a);
    report_run_free(b);
    return code;
}

/* leakcheck compare A.json B.json [--tol METRIC=N%|off]...: returns the
 * exit code (1 when B regressed, 2 on usage or read errors, else 0). */
int cmd_compare(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL};
    size_t nfiles = 0, nover = 0;
    int as_json = 0;
    struct compare_tol *over = lc_calloc((size_t)argc + 1, sizeof(*over));
    int code = CLI_USAGE;
    for (int i = 0; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            usage(stdout);
            code = CLI_OK;
            goto cleanup;
        } else if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
        } else if (strcmp(argv[i], "--tol") == 0 && i + 1 < argc) {
            if (parse_tol_arg(argv[++i], &over[nover++]) != 0)
                goto cleanup;
        } else if (strncmp(argv[i], "--tol=", 6) == 0) {
            if (parse_tol_arg(argv[i] + 6, &over[nover++]) != 0)
                goto cleanup;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "leakcheck compare: unknown option %s\n", argv[i]);
            goto cleanup;
        } else if (nfiles < 2) {
            files[nfiles++] = argv[i];
        } else {
            nfiles++;
        }
    }
    if (nfiles != 2) {
        usage(stderr);
        goto cleanup;
    }
    code = run_compare(files[0], files[1], over, nover, as_json);
cleanup:
    for (size_t i = 0; i < nover; i++)
        free((char *)over[i].metric);
    free(over);
    return code;
}
