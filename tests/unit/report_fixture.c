/* tests/unit/report_fixture.c: the report tests' shared run (built in
 * memory, written into a temporary folder) and their JSON and schema
 * checks (report_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/lc.h"
#include "report_fixture.h"

#define GCC_LOG "tests/data/reports/gcc_color_stderr.txt"

static struct report_series *add_series(struct report_test *t, const char *name, double base,
                                        double final, const double *ts, const double *vs, size_t n)
{
    t->series = lc_realloc(t->series, (t->nseries + 1) * sizeof(*t->series));
    struct report_series *s = &t->series[t->nseries++];
    *s = (struct report_series){lc_strdup(name), base, final, 1, 50, NULL, n, NULL};
    s->points = lc_calloc(n, sizeof(*s->points));
    for (size_t i = 0; i < n; i++)
        s->points[i] = (struct report_point){ts[i], vs[i]};
    return s;
}

void add_assertion(struct report_test *t, const char *expr, int passed, int errored,
                   double observed, double expected, const char *msg)
{
    t->assertions = lc_realloc(t->assertions, (t->nassertions + 1) * sizeof(*t->assertions));
    t->assertions[t->nassertions++] = (struct report_assertion){lc_strdup(expr),
                                                                passed,
                                                                errored,
                                                                observed,
                                                                expected,
                                                                lc_strdup(msg),
                                                                NULL,
                                                                0,
                                                                0,
                                                                NULL,
                                                                NULL};
}

static void add_load(struct report_test *t)
{
    struct report_load *l = &t->load;
    *l = (struct report_load){1,    1000, 13, 10.0, 100.0, 1.5,  4.25, 9.75,
                              31.0, NULL, 2,  NULL, 1,     NULL, 0};
    l->status = lc_calloc(2, sizeof(*l->status));
    l->status[0] = (struct report_count){lc_strdup("200"), 990};
    l->status[1] = (struct report_count){lc_strdup("503"), 10};
    l->errors_by_kind = lc_calloc(1, sizeof(*l->errors_by_kind));
    l->errors_by_kind[0] = (struct report_count){lc_strdup("reset"), 3};
}

static void build_pass(struct report_run *r)
{
    struct report_test *t = report_add_test(r);
    t->name = lc_strdup(NAME1);
    t->verdict = REPORT_PASS;
    t->started_at = 1700000000.25;
    t->duration_s = 12.34;
    t->dir = lc_strdup("out/t1");
    add_assertion(t, "max(fds) <= baseline(fds) + 10", 1, 0, 12, 20, "fds = 12, expected <= 20");
    const double ts[] = {0, 0.25, 0.1 + 0.2, 1.5}, vs[] = {10, NAN, 12.5, INFINITY};
    add_series(t, "go_goroutines{job=\"x\"}", 10, 11, ts, vs, 4);
    t->phases = lc_calloc(2, sizeof(*t->phases));
    t->phases[0] = (struct report_phase){lc_strdup("baseline"), 0, 1};
    t->phases[1] = (struct report_phase){lc_strdup("load"), 1, 11.5};
    t->nphases = 2;
    add_load(t);
    /* measured: the started process itself */
    t->measured =
        (struct report_measured){1, 77, lc_strdup("./svc"), lc_strdup("listening"), 77, 0};
    /* watching cost little: not on the console */
    t->cost = (struct report_observer_cost){.present = 1,
                                            .count_rounds = 40,
                                            .dump_rounds = 1,
                                            .target_cpu_s = 0.2,
                                            .cpu_window_s = 12};
    report_cost_add(&t->cost.goroutine_dumps, 0.004);
}

static void build_fail(struct report_run *r)
{
    struct report_test *t = report_add_test(r);
    t->name = lc_strdup("fail");
    t->verdict = REPORT_FAIL;
    t->started_at = 1700000012.5;
    t->duration_s = 3;
    add_assertion(t, EXPR_FAIL, 0, 0, 2003, 3, MSG_FAIL);
    add_assertion(t, "slope(rss) < 1MB/s", 0, 1, NAN, 1048576, "no samples of rss\x1b[31m!");
    add_assertion(t, EXPR_FAIL, 1, 0, 5, 3, "ok");
    const double ts[] = {0, 1}, vs[] = {3, 2003};
    add_series(t, "goroutines", NAN, 2003, ts, vs, 2);
    t->log_tail = lc_strdup("fine\n");
    /* one long debug=2 dump: said on the console */
    t->cost = (struct report_observer_cost){.present = 1,
                                            .count_rounds = 8,
                                            .dump_rounds = 2,
                                            .target_cpu_s = NAN,
                                            .cpu_window_s = NAN};
    report_cost_add(&t->cost.goroutine_dumps, 0.010);
    report_cost_add(&t->cost.goroutine_dumps, 0.020);
    report_cost_add(&t->cost.full_dumps, 0.250);
    t->measured = (struct report_measured){1,
                                           4321,
                                           lc_strdup("/tmp/b001/exe/main -addr :8080"),
                                           lc_strdup("listening on 127.0.0.1:8080"),
                                           4300,
                                           1};
}

static void build_error(struct report_run *r, const char *gcc_log)
{
    struct report_test *t = report_add_test(r);
    t->name = lc_strdup("error test");
    t->verdict = REPORT_ERROR;
    t->started_at = NAN;
    t->duration_s = 1.0;
    t->error = lc_strdup("target exited with status 2 before ready");
    t->log_tail = lc_asprintf("%s\xff\xfe bad \xc3(\n\x01tail end\nexit status 2\n", gcc_log);
}

int setup(void **state)
{
    struct fixture *f = lc_calloc(1, sizeof(*f));
    struct lc_error err = {0};
    snprintf(f->dir, sizeof(f->dir), "/tmp/lc_report_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    f->gcc_log = lc_read_file(GCC_LOG, 1 << 20, NULL, &err);
    if (!f->gcc_log) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    struct report_run *r = lc_calloc(1, sizeof(*r));
    r->suite = lc_strdup(SUITE);
    r->suite_file = lc_strdup("suites/demo.json");
    r->verdict = REPORT_FAIL;
    r->started_at = 1700000000.25;
    r->duration_s = 30.5;
    r->interrupted = 1;
    build_pass(r);
    build_fail(r);
    build_error(r, f->gcc_log);
    f->run = r;
    *state = f;
    return 0;
}

/* Removes the temporary folder and what is in it (files only). */
int teardown(void **state)
{
    struct fixture *f = *state;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *p = lc_asprintf("%s/%s", f->dir, e->d_name);
        if (unlink(p) != 0)
            rmdir(p);
        free(p);
    }
    if (d)
        closedir(d);
    rmdir(f->dir);
    report_run_free(f->run);
    free(f->gcc_log);
    free(f);
    return 0;
}

char *path_in(struct fixture *f, const char *name)
{
    return lc_asprintf("%s/%s", f->dir, name);
}

/* Fails when any temporary file of an atomic write is left in dir. */
void assert_no_temp_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        assert_null(strstr(e->d_name, ".tmp."));
    closedir(d);
}

json_t *get(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        fail_msg("key \"%s\" missing", key);
    return v;
}

void assert_num(json_t *o, const char *key, double want)
{
    json_t *v = get(o, key);
    assert_true(json_is_number(v));
    assert_true(fabs(json_number_value(v) - want) < 1e-9);
}

void assert_str(json_t *o, const char *key, const char *want)
{
    json_t *v = get(o, key);
    assert_true(json_is_string(v));
    assert_string_equal(json_string_value(v), want);
}

/* Runs argv and returns its exit status (-1 when it could not run). */
static int run_prog(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int xmllint_validate_with(const char *schema, const char *file)
{
    if (access(schema, R_OK) != 0)
        fail_msg("JUnit schema %s not found (run from the source root)", schema);
    char *argv[] = {"xmllint", "--noout", "--schema", (char *)schema, (char *)file, NULL};
    int rc = run_prog(argv);
    if (rc == 127)
        fail_msg("xmllint not found (Debian package libxml2-utils)");
    return rc;
}
