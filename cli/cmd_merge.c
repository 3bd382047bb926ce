/* cli/cmd_merge.c: leakcheck merge SHARD_OUT... --out DIR: the reports of
 * a run's shards (run --shard I/N) put back together as one run: one
 * report.json, junit.xml and report.html, the test folders copied, and
 * the exit code of the whole suite's verdict. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "reports/merge.h"
#include "reports/report.h"
#include "reports/term.h"
#include "run/run_suite.h"

struct merge_args {
    const char **shards; /* the shards' --out folders (or their report.json) */
    size_t nshards;
    const char *out;
    const char *source_root;
    int quiet;
};

static int merge_args_parse(int argc, char **argv, struct merge_args *a)
{
    a->out = "leakcheck-out";
    a->shards = lc_calloc((size_t)argc + 1, sizeof(*a->shards));
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            a->out = argv[++i];
        else if (strncmp(argv[i], "--out=", 6) == 0)
            a->out = argv[i] + 6;
        else if (strcmp(argv[i], "--source-root") == 0 && i + 1 < argc)
            a->source_root = argv[++i];
        else if (strncmp(argv[i], "--source-root=", 14) == 0)
            a->source_root = argv[i] + 14;
        else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
            a->quiet = 1;
        else if (cli_is_help(argv[i]))
            return 1;
        else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            cli_error("unknown option %s", argv[i]);
            return -1;
        } else
            a->shards[a->nshards++] = argv[i];
    }
    if (a->nshards == 0) {
        cli_error("which shards? (leakcheck merge SHARD_OUT... --out DIR)");
        return -1;
    }
    return 0;
}

/* The folder of a shard given as its folder or its report.json. */
static char *shard_dir(const char *arg)
{
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
        return lc_strdup(arg);
    char *copy = lc_strdup(arg), *dir = lc_strdup(dirname(copy));
    free(copy);
    return dir;
}

/* Reads every shard's report into sh[] (dirs[] their folders); -1 (printed). */
static int read_shards(const struct merge_args *a, struct report_run **sh, char **dirs)
{
    for (size_t i = 0; i < a->nshards; i++) {
        struct lc_error err = {0};
        struct stat st;
        dirs[i] = shard_dir(a->shards[i]);
        int isdir = stat(a->shards[i], &st) == 0 && S_ISDIR(st.st_mode);
        char *path = isdir ? lc_asprintf("%s/report.json", a->shards[i]) : lc_strdup(a->shards[i]);
        sh[i] = report_json_read(path, &err);
        free(path);
        if (!sh[i]) {
            cli_error("merge: %s", err.msg);
            return -1;
        }
    }
    return 0;
}

/* --out must not be a shard's folder: its test folders would be copied
 * onto themselves and its report replaced. */
static int out_is_shard(const struct merge_args *a, char **dirs)
{
    char *out = realpath(a->out, NULL);
    int clash = 0;
    for (size_t i = 0; out && !clash && i < a->nshards; i++) {
        char *d = realpath(dirs[i], NULL);
        clash = d && strcmp(d, out) == 0;
        if (clash)
            cli_error("merge: --out %s is the folder of shard %s: give another", a->out,
                      a->shards[i]);
        free(d);
    }
    free(out);
    return clash;
}

/* Copies each merged test's folder from its shard; -1 (printed). */
static int copy_dirs(const struct report_run *m, const size_t *origin, char **dirs, const char *out)
{
    for (size_t i = 0; i < m->ntests; i++) {
        struct lc_error err = {0};
        if (m->tests[i].dir && cli_copy_test_dir(dirs[origin[i]], m->tests[i].dir, out, &err)) {
            cli_error("merge: test \"%s\": %s", m->tests[i].name, err.msg);
            return -1;
        }
    }
    return 0;
}

/* The source root of the culprits' file=/line=: --source-root, else the
 * suite's directory when the suite file is here too. */
static char *source_root(const struct merge_args *a, const struct report_run *m)
{
    if (a->source_root)
        return realpath(a->source_root, NULL);
    char *suite = m->suite_file ? realpath(m->suite_file, NULL) : NULL;
    char *root = suite ? lc_strdup(dirname(suite)) : NULL;
    free(suite);
    return root;
}

/* Merges, copies the folders and writes the reports; the exit code. */
static int merge_write(const struct merge_args *a, struct report_run **sh, char **dirs)
{
    struct lc_error err = {0};
    size_t *origin = NULL;
    struct report_run *m = report_merge(sh, a->shards, a->nshards, &origin, &err);
    int code = CLI_INFRA;
    if (!m) {
        cli_error("merge: %s", err.msg);
        goto cleanup;
    }
    if (out_is_shard(a, dirs)) {
        code = CLI_USAGE;
        goto cleanup;
    }
    if (cli_prepare_out(a->out) != 0 || copy_dirs(m, origin, dirs, a->out) != 0)
        goto cleanup;
    m->source_root = source_root(a, m);
    FILE *raw = report_term_raw(stdout);
    if (a->quiet)
        report_console_summary(m, raw, 0);
    else
        report_console_write(m, raw, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
    fflush(raw);
    if (run_suite_write_reports(m, a->out, NULL) != 0)
        goto cleanup;
    printf("merged %zu shards: %s/report.json, %s/junit.xml, %s/report.html\n", a->nshards, a->out,
           a->out, a->out);
    code = cli_run_exit_code(m);
cleanup:
    free(origin);
    report_run_free(m);
    return code;
}

int cmd_merge(int argc, char **argv)
{
    struct merge_args a = {0};
    int parsed = merge_args_parse(argc, argv, &a), code = CLI_USAGE;
    struct report_run **sh = NULL;
    char **dirs = NULL;
    if (parsed > 0)
        cli_usage(stdout);
    if (parsed != 0) {
        code = parsed > 0 ? CLI_OK : CLI_USAGE;
        goto cleanup;
    }
    sh = lc_calloc(a.nshards + 1, sizeof(*sh));
    dirs = lc_calloc(a.nshards + 1, sizeof(*dirs));
    code = read_shards(&a, sh, dirs) == 0 ? merge_write(&a, sh, dirs) : CLI_INFRA;
cleanup:
    for (size_t i = 0; sh && i < a.nshards; i++) {
        report_run_free(sh[i]);
        free(dirs[i]);
    }
    free(sh);
    free(dirs);
    free(a.shards);
    return code;
}
