/* cli/cmd_run.c: leakcheck run SUITE.json: runs a suite (run/run_suite.h)
 * and writes its reports; the exit code says how it went. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "reports/term.h"
#include "run/checkpoint.h"
#include "run/fetch.h"
#include "run/run_suite.h"
#include "run/runner.h"
#include "suite/shard.h"

struct run_args {
    const char *suite;
    const char *out;
    const char *compare;     /* previous report.json, or NULL */
    const char *source_root; /* --source-root, or NULL: the suite's directory */
    const char *summary_md;  /* --summary-md FILE, or NULL */
    const char *test_re;     /* --test REGEX, or NULL: every test */
    const char *shard;       /* --shard I/N, or NULL */
    const char *shard_count; /* --shard-count N (with JOB_COMPLETION_INDEX), or NULL */
    const char *durations;   /* --durations FILE (a previous report.json), or NULL */
    int quiet;
    int color;
    unsigned repeat; /* --repeat N, at least 1 */
    double checkpoint_s; /* --checkpoint DUR: -1 not given, 0 off */
};

/* --repeat N: a whole number from 1 to CMD_RUN_MAX_REPEAT. */
#define CMD_RUN_MAX_REPEAT 1000
static int parse_repeat(const char *s, unsigned *out)
{
    char *end = NULL;
    long n = strtol(s, &end, 10);
    if (end == s || *end != '\0' || n < 1 || n > CMD_RUN_MAX_REPEAT) {
        cli_error("--repeat wants a whole number from 1 to %d, got '%s'", CMD_RUN_MAX_REPEAT, s);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

/* --checkpoint DUR: a duration of at least CHECKPOINT_MIN_S, or off/0. */
static int parse_checkpoint(const char *s, double *out)
{
    struct lc_error err = {0};
    if (strcmp(s, "off") == 0) {
        *out = 0;
        return 0;
    }
    if (lc_parse_duration(s, out, &err) != 0) {
        cli_error("--checkpoint: %s", err.msg);
        return -1;
    }
    if (*out > 0 && *out < CHECKPOINT_MIN_S) {
        cli_error("--checkpoint wants at least %gms (or off), got '%s'", CHECKPOINT_MIN_S * 1e3, s);
        return -1;
    }
    return 0;
}

/* run's options that take a value, as "--name V" or "--name=V". */
static const char **value_opt(struct run_args *a, const char *arg, size_t *len)
{
    const struct {
        const char *name;
        const char **dst;
    } opts[] = {{"--out", &a->out},
                {"--compare", &a->compare},
                {"--summary-md", &a->summary_md},
                {"--test", &a->test_re},
                {"--source-root", &a->source_root},
                {"--shard", &a->shard},
                {"--shard-count", &a->shard_count},
                {"--durations", &a->durations}};
    for (size_t i = 0; i < LC_ARRAY_LEN(opts); i++) {
        *len = strlen(opts[i].name);
        if (strncmp(arg, opts[i].name, *len) == 0 && (arg[*len] == '\0' || arg[*len] == '='))
            return opts[i].dst;
    }
    return NULL;
}

/* Fills a from run's arguments. Returns 0, 1 for -h/--help, -1 (printed) on a mistake. */
static int cmd_run_args(int argc, char **argv, struct run_args *a)
{
    a->out = "leakcheck-out";
    a->checkpoint_s = -1;
    const char *nc = getenv("NO_COLOR");
    a->color = isatty(STDOUT_FILENO) && !(nc && *nc);
    for (int i = 0; i < argc; i++) {
        size_t len = 0;
        const char **dst = value_opt(a, argv[i], &len);
        if (dst && argv[i][len] == '=')
            *dst = argv[i] + len + 1;
        else if (dst && i + 1 < argc)
            *dst = argv[++i];
        else if (dst) {
            cli_error("%s wants a value", argv[i]);
            return -1;
        } else if ((strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) ||
                   strncmp(argv[i], "--repeat=", 9) == 0) {
            if (parse_repeat(argv[i][8] == '=' ? argv[i] + 9 : argv[++i], &a->repeat) < 0)
                return -1;
        } else if ((strcmp(argv[i], "--checkpoint") == 0 && i + 1 < argc) ||
                   strncmp(argv[i], "--checkpoint=", 13) == 0) {
            if (parse_checkpoint(argv[i][12] == '=' ? argv[i] + 13 : argv[++i], &a->checkpoint_s) < 0)
                return -1;
        } else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
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

/* The exit code of rr's verdict (cli/cli.h); merge uses it too. */
int cli_run_exit_code(const struct report_run *rr)
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

/* What a run holds from its start to its end. */
struct run_ctx {
    const struct run_args *a;
    struct suite *s;
    struct checks *c;
    char *root;              /* the source root, absolute */
    unsigned char *picked;   /* per test: RUN_PICK_* (--test, --shard); NULL: all */
    struct report_shard shard; /* --shard's plan (count 0: none); moved into the run */
    struct report_run *prev; /* --compare's report, or NULL */
};

/* Checks that --out can be written (before anything starts, not after
 * the whole suite ran) and removes the last run's reports, so that a run
 * cut short leaves no old verdict for CI to read. 0, or -1 (printed). */
int cli_prepare_out(const char *out)
{
    struct lc_error err = {0};
    char *probe = lc_asprintf("%s/.leakcheck-write-test", out);
    int writable = lc_mkdirs(out, &err) == 0 && lc_write_file_atomic(probe, "", 0, &err) == 0;
    if (writable) {
        unlink(probe);
        static const char *old[] = {"report.json", "junit.xml", "report.html"};
        for (size_t i = 0; i < LC_ARRAY_LEN(old); i++) {
            char *p = lc_asprintf("%s/%s", out, old[i]);
            unlink(p);
            free(p);
        }
    } else {
        cli_error("%s", err.msg);
    }
    free(probe);
    return writable ? 0 : -1;
}

/* Reads what run needs before anything starts into x: the suite and its
 * checks, the source root, the test selection, the previous report; a
 * typo in any costs nothing. CLI_OK, or the exit code (printed). */
static int cmd_run_prepare(struct run_ctx *x)
{
    const struct run_args *a = x->a;
    x->s = cli_load_checked(a->suite, a->compare != NULL, 1, &x->c);
    if (!x->s)
        return CLI_USAGE;
    x->root = a->source_root ? realpath(a->source_root, NULL) : lc_strdup(x->s->dir);
    if (!x->root) {
        cli_error("--source-root %s: %s", a->source_root, strerror(errno));
        return CLI_USAGE;
    }
    if (a->test_re && !(x->picked = cli_pick_tests(x->s, a->test_re)))
        return CLI_USAGE;
    struct cli_shard_args sa = {a->shard, a->shard_count, a->durations};
    if (cli_shard_plan(x->s, &sa, &x->shard, &x->picked) != 0)
        return CLI_USAGE;
    x->prev = a->compare ? run_suite_compare_load(a->compare) : NULL;
    if (a->compare && !x->prev)
        return CLI_USAGE;
    return cli_prepare_out(a->out) == 0 ? CLI_OK : CLI_INFRA;
}

/* leakcheck run: see cli_usage. */
int cmd_run(int argc, char **argv)
{
    struct run_args a = {0};
    struct run_ctx x = {.a = &a};
    struct report_run *rr = NULL;
    int parsed = cmd_run_args(argc, argv, &a);
    if (parsed > 0)
        cli_usage(stdout);
    if (parsed != 0)
        return parsed > 0 ? CLI_OK : CLI_USAGE;
    int code = cmd_run_prepare(&x);
    if (code != CLI_OK)
        goto cleanup;
    runner_install_signals();
    rr = lc_calloc(1, sizeof(*rr));
    rr->suite = lc_strdup(x.s->name);
    rr->suite_file = lc_strdup(x.s->path);
    rr->suite_hash = shard_suite_hash(x.s->path, NULL);
    rr->shard = x.shard;
    memset(&x.shard, 0, sizeof(x.shard));
    rr->source_root = lc_strdup(x.root);
    rr->test_filter = a.test_re ? lc_strdup(a.test_re) : NULL;
    rr->started_at = lc_wall();
    struct run_suite_opts o = {
        .out = a.out, .quiet = a.quiet, .repeat = a.repeat, .color = a.color, .picked = x.picked,
        .prev = x.prev, .checkpoint_s = a.checkpoint_s};
    run_suite(x.s, x.c, &o, rr);
    code = cli_run_exit_code(rr);
    /* the summary cleans what it prints and adds its own colours */
    FILE *raw = report_term_raw(stdout);
    if (a.quiet)
        report_console_write(rr, raw, a.color);
    else
        report_console_summary(rr, raw, a.color);
    fflush(raw);
    if (run_suite_write_reports(rr, a.out, a.summary_md) != 0)
        code = CLI_INFRA;
    else if (!a.quiet)
        printf("reports: %s/report.json, %s/junit.xml, %s/report.html%s%s\n", a.out, a.out, a.out,
               a.summary_md ? ", " : "", a.summary_md ? a.summary_md : "");
cleanup:
    report_run_free(rr);
    report_run_free(x.prev);
    report_shard_clear(&x.shard);
    free(x.picked);
    free(x.root);
    checks_free(x.c);
    suite_free(x.s);
    return code;
}
