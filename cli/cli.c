/* cli/cli.c: subcommands, their flags, and exit codes. */
#include "cli/cli.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suite/checks.h"
#include "cli/commands.h"
#include "run/fetch.h"
#include "target/ports.h"
#include "run/runner.h"
#include "suite/suite.h"
#include "reports/report.h"

#define LEAKCHECK_VERSION "0.1.0"

static void usage(FILE *out)
{
    fputs("usage: leakcheck run SUITE.json [--out DIR] [--compare PREVIOUS/report.json] [--quiet]\n"
          "                     [--no-color] [--insecure]\n"
          "       leakcheck validate SUITE.json\n"
          "       leakcheck compare A/report.json B/report.json [--tol METRIC=N%]\n"
          "       leakcheck load [hey's flags] URL\n"
          "       leakcheck diff [--min N] [--top N] BASE CURRENT\n"
          "       leakcheck --version\n"
          "\n"
          "run       start (or attach to) each test's target, sample a baseline, drive load,\n"
          "          keep sampling, settle, check the assertions; write report.json,\n"
          "          junit.xml and report.html into --out (default leakcheck-out/); with\n"
          "          --compare, a metric grown beyond its tolerance since that run fails;\n"
          "          https sources must have valid certificates unless --insecure\n"
          "validate  check a suite and its assertions without starting anything\n"
          "compare   table of two runs' final values; exit 1 when B regressed against A\n"
          "load      drive HTTP load like hey (leakcheck load -h for its flags)\n"
          "diff      what grew between two saved profile texts (goroutine or heap)\n"
          "\n"
          "exit codes: 0 all passed, 1 an assertion failed, 2 usage or suite error,\n"
          "            3 infrastructure error (target or source fault), 130 interrupted\n",
          out);
}

/* 1 when arg asks for help. */
static int is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* Each test's port: free, and unlike the ports of the tests before it. */
struct picked {
    int *ports;
    size_t n;
};

static int free_port_cb(size_t index, void *arg)
{
    struct picked *pk = arg;
    int port = ports_pick(pk->ports, pk->n);
    pk->ports = lc_realloc(pk->ports, (index + 1) * sizeof(int));
    pk->ports[index] = port;
    pk->n = index + 1;
    return port;
}

struct run_args {
    const char *suite;
    const char *out;
    const char *compare; /* previous report.json, or NULL */
    int quiet;
    int color;
};

/* Fills a from run's arguments. Returns 0, 1 for -h/--help, -1 (printed) on a mistake. */
static int parse_run_args(int argc, char **argv, struct run_args *a)
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
        else if (is_help(argv[i]))
            return 1;
        else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "leakcheck: unknown option %s\n", argv[i]);
            return -1;
        } else if (!a->suite)
            a->suite = argv[i];
        else {
            fprintf(stderr, "leakcheck: one suite at a time (got %s and %s)\n", a->suite, argv[i]);
            return -1;
        }
    }
    if (!a->suite) {
        fprintf(stderr, "leakcheck: which suite? (leakcheck run SUITE.json)\n");
        return -1;
    }
    return 0;
}

/* Prints the suite's warnings to stderr. With run --compare a test without
 * assertions gets compare() ones, so that warning is left out then. */
static void print_warnings(const struct suite *s, int comparing)
{
    for (size_t i = 0; i < s->nwarnings; i++) {
        const struct suite_warning *w = &s->warnings[i];
        if (comparing && w->kind == SUITE_WARN_NO_ASSERTIONS)
            continue;
        fprintf(stderr, "leakcheck: %s:%d:%d: warning: %s\n", s->path, w->line, w->col, w->msg);
    }
}

/* Loads the suite and checks every assertion; prints faults and warnings.
 * NULL on any fault. */
static struct suite *load_checked(const char *path, int comparing, struct checks **checks)
{
    struct lc_error err = {0};
    struct picked pk = {0};
    struct suite *s = suite_load(path, free_port_cb, &pk, &err);
    free(pk.ports);
    if (!s) {
        if (err.line > 0)
            fprintf(stderr, "leakcheck: %s:%d:%d: %s\n", path, err.line, err.col, err.msg);
        else
            fprintf(stderr, "leakcheck: %s: %s\n", path, err.msg);
        return NULL;
    }
    print_warnings(s, comparing);
    *checks = checks_new(s, stderr);
    if (!*checks) {
        suite_free(s);
        return NULL;
    }
    return s;
}

static int write_reports(struct report_run *rr, const char *out)
{
    struct lc_error err = {0};
    char *json = lc_asprintf("%s/report.json", out);
    char *junit = lc_asprintf("%s/junit.xml", out);
    char *html = lc_asprintf("%s/report.html", out);
    int rc = 0;
    if (report_json_write(rr, json, &err) != 0 || report_junit_write(rr, junit, &err) != 0 ||
        report_html_write(rr, html, &err) != 0) {
        fprintf(stderr, "leakcheck: cannot write the reports: %s\n", err.msg);
        rc = -1;
    }
    free(json);
    free(junit);
    free(html);
    return rc;
}

static int exit_code_of(const struct report_run *rr)
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

/* A folder name for each test: its name made safe for a path (letters,
 * digits, '.', '_' and '-', never starting with '.'), made unique, and
 * never one of the report files. */
static char **test_dirs(const struct suite *s, const char *out)
{
    static const char *reserved[] = {"report.json", "junit.xml", "report.html"};
    char **dirs = lc_calloc(s->ntests + 1, sizeof(char *));
    for (size_t i = 0; i < s->ntests; i++) {
        struct lc_buf b = {0};
        for (const char *p = s->tests[i].name; *p; p++) {
            int ok = isalnum((unsigned char)*p) || *p == '_' || (*p == '.' && b.len > 0);
            if (ok)
                lc_buf_append(&b, p, 1);
            else if (b.len > 0 && b.data[b.len - 1] != '-')
                lc_buf_append(&b, "-", 1);
        }
        while (b.len > 0 && b.data[b.len - 1] == '-')
            b.data[--b.len] = '\0';
        if (b.len == 0)
            lc_buf_puts(&b, "test");
        char *name = lc_strdup(b.data);
        for (int n = 2;; n++) {
            int taken = 0;
            for (size_t k = 0; k < LC_ARRAY_LEN(reserved); k++)
                taken |= strcmp(name, reserved[k]) == 0;
            for (size_t k = 0; k < i; k++)
                taken |= strcmp(dirs[k] + strlen(out) + 1, name) == 0;
            if (!taken)
                break;
            free(name);
            name = lc_asprintf("%s-%d", b.data, n);
        }
        dirs[i] = lc_asprintf("%s/%s", out, name);
        free(name);
        lc_buf_free(&b);
    }
    return dirs;
}

static void run_tests(struct suite *s, struct checks *c, const struct run_args *a,
                      struct report_run *rr)
{
    struct runner_opts opts = {
        .suite_path = s->path, .out_dir = a->out, .quiet = a->quiet, .live = isatty(STDERR_FILENO)};
    char **dirs = test_dirs(s, a->out);
    double t0 = lc_now();
    rr->verdict = REPORT_PASS;
    for (size_t i = 0; i < s->ntests; i++) {
        if (runner_signal) {
            rr->interrupted = 1;
            break;
        }
        struct report_test *rt = report_add_test(rr);
        opts.test_dir = dirs[i];
        if (!a->quiet)
            fprintf(stderr, "leakcheck: test %zu/%zu: %s\n", i + 1, s->ntests, s->tests[i].name);
        int interrupted = runner_run_test(&s->tests[i], checks_exprs(c, i), &opts, rt);
        if (rt->verdict > rr->verdict)
            rr->verdict = rt->verdict;
        if (interrupted) {
            rr->interrupted = 1;
            break;
        }
    }
    rr->duration_s = lc_now() - t0;
    for (size_t i = 0; i < s->ntests; i++)
        free(dirs[i]);
    free(dirs);
}

static int cmd_run(int argc, char **argv)
{
    struct run_args a = {0};
    int parsed = parse_run_args(argc, argv, &a);
    if (parsed > 0)
        usage(stdout);
    if (parsed != 0)
        return parsed > 0 ? CLI_OK : CLI_USAGE;
    struct checks *c = NULL;
    struct suite *s = load_checked(a.suite, a.compare != NULL, &c);
    if (!s)
        return CLI_USAGE;
    /* the previous report is read before anything starts: a typo costs nothing */
    struct report_run *prev = a.compare ? cmd_compare_load(a.compare) : NULL;
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
        fprintf(stderr, "leakcheck: %s\n", err.msg);
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
    run_tests(s, c, &a, rr);
    if (prev)
        cmd_compare_apply(rr, prev, s);
    int code = exit_code_of(rr);
    report_console_write(rr, stdout, a.color);
    if (write_reports(rr, a.out) != 0)
        code = CLI_INFRA;
    else if (!a.quiet)
        printf("reports: %s/report.json, %s/junit.xml, %s/report.html\n", a.out, a.out, a.out);
    report_run_free(rr);
    report_run_free(prev);
    checks_free(c);
    suite_free(s);
    return code;
}

static int cmd_validate(int argc, char **argv)
{
    if (argc == 1 && is_help(argv[0])) {
        usage(stdout);
        return CLI_OK;
    }
    if (argc != 1) {
        fprintf(stderr, "leakcheck: usage: leakcheck validate SUITE.json\n");
        return CLI_USAGE;
    }
    struct checks *c = NULL;
    struct suite *s = load_checked(argv[0], 0, &c);
    if (!s)
        return CLI_USAGE;
    printf("%s: suite \"%s\" is valid (%zu test%s)\n", argv[0], s->name, s->ntests,
           s->ntests == 1 ? "" : "s");
    checks_free(c);
    suite_free(s);
    return CLI_OK;
}

int cli_main(int argc, char **argv)
{
    /* a target that goes away must not kill us through a write */
    signal(SIGPIPE, SIG_IGN);
    fetch_global_init();
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "validate") == 0)
        return cmd_validate(argc - 2, argv + 2);
    if (strcmp(cmd, "load") == 0)
        return cmd_load(argc - 2, argv + 2);
    if (strcmp(cmd, "compare") == 0)
        return cmd_compare(argc - 2, argv + 2);
    if (strcmp(cmd, "diff") == 0)
        return cmd_diff(argc - 2, argv + 2);
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("leakcheck %s\n", LEAKCHECK_VERSION);
        return CLI_OK;
    }
    if (strcmp(cmd, "help") == 0 || is_help(cmd)) {
        usage(stdout);
        return CLI_OK;
    }
    fprintf(stderr, "leakcheck: unknown command \"%s\"\n", cmd);
    usage(stderr);
    return CLI_USAGE;
}
