/* run/run_suite.c: a whole suite's run, test by test, and its reports. */
#include "run/run_suite.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/compare.h"
#include "reports/term.h"
#include "run/checkpoint.h"
#include "run/runner.h"

/* A folder name longer than this is cut and given a hash of the whole
 * test name: a file system's limit is 255 bytes a name, and the "-N" that
 * makes a name unique must still fit. */
#define DIR_NAME_MAX 100
#define DIR_NAME_KEEP 80

/* FNV-1a of s: the same name gives the same folder, on any machine. */
static unsigned name_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Cuts a safe name longer than DIR_NAME_MAX to its first DIR_NAME_KEEP
 * bytes and a stable hash of the test's full name. */
static void shorten(struct lc_buf *b, const char *test_name)
{
    if (b->len <= DIR_NAME_MAX)
        return;
    b->len = DIR_NAME_KEEP;
    while (b->len > 0 && b->data[b->len - 1] == '-')
        b->len--;
    b->data[b->len] = '\0';
    lc_buf_printf(b, "-%08x", name_hash(test_name));
}

/* A folder name for each test: its name made safe for a path (letters,
 * digits, '.', '_' and '-', never starting with '.'), shortened with a
 * hash when long, made unique, and never one of the report files. */
static char **run_suite_dirs(const struct suite *s, const char *out)
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
        shorten(&b, s->tests[i].name);
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

/* --repeat: runs test t a->repeat times, each in its folder's run-K, and
 * folds the runs into rt. Returns 1 when interrupted. */
static int run_repeated(const struct suite_test *t, struct expr *const *exprs,
                        struct runner_opts *opts, const struct run_suite_opts *a,
                        struct report_test *rt)
{
    const char *dir = opts->test_dir;
    int interrupted = 0;
    for (unsigned k = 1; k <= a->repeat && !interrupted && !runner_signal; k++) {
        struct report_test one = {0};
        char *sub = lc_asprintf("%s/run-%u", dir, k);
        opts->test_dir = sub;
        if (!a->quiet)
            fprintf(stderr, "leakcheck:   run %u/%u\n", k, a->repeat);
        interrupted = runner_run_test(t, exprs, opts, &one);
        report_repeat_add(rt, &one);
        free(sub);
    }
    opts->test_dir = dir;
    return interrupted || runner_signal;
}

/* Ends test rt: the comparison with the previous run (when there is one),
 * the run's verdict, and (unless quiet) its verdict block on stdout now,
 * not when the whole suite ends. */
static void end_test(struct report_run *rr, struct report_test *rt, const struct suite *s,
                     const struct run_suite_opts *a)
{
    if (a->prev) {
        struct report_run one = *rr;
        one.tests = rt;
        one.ntests = 1;
        run_suite_compare_apply(&one, a->prev, s);
    }
    if (rt->verdict > rr->verdict)
        rr->verdict = rt->verdict;
    if (!a->quiet) {
        /* the block cleans what it prints and adds its own colours */
        FILE *raw = report_term_raw(stdout);
        report_console_test(rt, raw, a->color);
        fflush(raw);
    }
}

/* "leakcheck: test 1/2: NAME", with its ports when it names some. */
static void print_test_start(const struct suite *s, size_t i)
{
    const struct suite_test *t = &s->tests[i];
    fprintf(stderr, "leakcheck: test %zu/%zu: %s", i + 1, s->ntests, t->name);
    if (t->nnamed_ports)
        fprintf(stderr, " (ports: port %d", t->port);
    for (size_t k = 0; k < t->nnamed_ports; k++)
        fprintf(stderr, ", %s %d", t->named_ports[k].name, t->named_ports[k].port);
    fputs(t->nnamed_ports ? ")\n" : "\n", stderr);
}

/* The planned length of test t: its phases (a load of a number of
 * requests has none). */
static double planned_s(const struct suite_test *t)
{
    double load = t->load.duration_s;
    for (size_t i = 0; i < t->load.nstages; i++)
        load += t->load.stages[i].duration_s;
    return t->baseline_s + load + t->observe_s + t->settle_s;
}

double run_suite_checkpoint_s(const struct suite *s, const struct run_suite_opts *o)
{
    if (o->checkpoint_s >= 0)
        return o->checkpoint_s;
    if (s->checkpoint_s >= 0)
        return s->checkpoint_s;
    double total = 0;
    for (size_t i = 0; i < s->ntests; i++)
        if (!o->picked || o->picked[i])
            total += planned_s(&s->tests[i]) * (o->repeat > 1 ? o->repeat : 1);
    return total > CHECKPOINT_LONG_RUN_S ? CHECKPOINT_DEFAULT_S : 0;
}

void run_suite(struct suite *s, struct checks *c, const struct run_suite_opts *a,
               struct report_run *rr)
{
    struct runner_opts opts = {
        .suite_path = s->path, .out_dir = a->out, .quiet = a->quiet, .live = isatty(STDERR_FILENO)};
    char **dirs = run_suite_dirs(s, a->out);
    double t0 = lc_now();
    rr->verdict = REPORT_PASS;
    rr->checkpoint_s = run_suite_checkpoint_s(s, a);
    opts.ckpt = checkpoint_new(a->out, rr->checkpoint_s, rr);
    if (opts.ckpt && !a->quiet)
        fprintf(stderr, "leakcheck: checkpoint: the reports are rewritten every %gs\n",
                rr->checkpoint_s);
    for (size_t i = 0; i < s->ntests; i++) {
        /* what a checkpoint reads (the tests, the skipped list) must not
         * change under its thread */
        checkpoint_join(opts.ckpt);
        if (a->picked && a->picked[i] != RUN_PICK_RUN) {
            if (a->picked[i] == RUN_PICK_SKIP)
                report_add_skipped(rr, s->tests[i].name);
            continue;
        }
        if (runner_signal) {
            rr->interrupted = 1;
            break;
        }
        struct report_test *rt = report_add_test(rr);
        opts.test_dir = dirs[i];
        opts.ndone = rr->ntests - 1;
        if (!a->quiet)
            print_test_start(s, i);
        int interrupted = a->repeat > 1
                              ? run_repeated(&s->tests[i], checks_exprs(c, i), &opts, a, rt)
                              : runner_run_test(&s->tests[i], checks_exprs(c, i), &opts, rt);
        checkpoint_join(opts.ckpt);
        end_test(rr, rt, s, a);
        if (interrupted) {
            rr->interrupted = 1;
            break;
        }
        /* between tests: the finished ones, with their verdicts */
        if (opts.ckpt && i + 1 < s->ntests)
            checkpoint_write(opts.ckpt, rr->ntests, NULL, NULL, 0);
    }
    if (opts.ckpt && !a->quiet) {
        struct checkpoint_stats st = checkpoint_stats(opts.ckpt);
        fprintf(stderr,
                "leakcheck: checkpoint: %u written, %u skipped (a write under way), longest "
                "write %.1f ms, longest build in the loop %.2f ms\n",
                st.written, st.skipped, st.max_write_s * 1e3, st.max_build_s * 1e3);
    }
    checkpoint_free(opts.ckpt);
    rr->duration_s = lc_now() - t0;
    for (size_t i = 0; i < s->ntests; i++)
        free(dirs[i]);
    free(dirs);
}

int run_suite_write_files(const struct report_run *rr, const char *out, struct lc_error *err)
{
    char *json = lc_asprintf("%s/report.json", out);
    char *junit = lc_asprintf("%s/junit.xml", out);
    char *html = lc_asprintf("%s/report.html", out);
    int rc = report_json_write(rr, json, err) != 0 || report_junit_write(rr, junit, err) != 0 ||
                     report_html_write(rr, html, err) != 0
                 ? -1
                 : 0;
    free(json);
    free(junit);
    free(html);
    return rc;
}

int run_suite_write_reports(struct report_run *rr, const char *out, const char *md)
{
    struct lc_error err = {0};
    if (run_suite_write_files(rr, out, &err) != 0 ||
        (md && report_markdown_write(rr, md, &err) != 0)) {
        fprintf(stderr, "leakcheck: cannot write the reports: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* Reads the previous report for run --compare; NULL with a message. */
struct report_run *run_suite_compare_load(const char *path)
{
    struct lc_error err = {0};
    struct report_run *r = report_json_read(path, &err);
    if (!r)
        fprintf(stderr, "leakcheck: --compare: %s\n", err.msg);
    return r;
}

/* Adds the comparison with prev to every test of rr, with the suite's
 * tolerances over the defaults. Returns the number of regressions. */
size_t run_suite_compare_apply(struct report_run *rr, const struct report_run *prev,
                               const struct suite *s)
{
    size_t nover = s ? s->ncompare : 0, ntols = 0;
    struct compare_tol *over = lc_calloc(nover + 1, sizeof(*over));
    for (size_t i = 0; i < nover; i++)
        over[i] = (struct compare_tol){s->compare[i].metric, s->compare[i].tolerance};
    struct compare_tol *tols = compare_tols_merge(over, nover, &ntols);
    size_t n = compare_apply(rr, prev, tols, ntols);
    free(tols);
    free(over);
    return n;
}
