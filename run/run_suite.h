/*
 * run/run_suite.h: a whole suite's run: a folder for each test, the tests
 * in order (stopping at an interruption), the verdict of the run, and its
 * reports (report.json, junit.xml, report.html).
 */
#ifndef LC_RUN_SUITE_H
#define LC_RUN_SUITE_H

#include "reports/report.h"
#include "suite/checks.h"
#include "suite/suite.h"

/* What run_suite_opts.picked says of a test. */
enum run_pick {
    RUN_PICK_SKIP = 0,  /* --test left it out: listed as skipped */
    RUN_PICK_RUN = 1,   /* run it */
    RUN_PICK_OTHER = 2, /* another shard runs it (the run's shard plan names it) */
};

struct run_suite_opts {
    const char *out; /* the folder of the reports; each test gets one below */
    int quiet;       /* no progress on stderr, no verdict block as each test ends */
    unsigned repeat; /* runs of each test (--repeat; 0 or 1: one), folded by report_repeat_add */
    int color;       /* ANSI colours in the verdict blocks */
    const unsigned char *picked;     /* per test: an enum run_pick; NULL: run all */
    const struct report_run *prev;   /* --compare's report, applied as each test ends, or NULL */
    double checkpoint_s; /* --checkpoint: -1 not given (the suite's, else the default), 0 off */
};

/* The checkpoint interval of a run of s with o (0: none): --checkpoint,
 * else the suite's "checkpoint", else CHECKPOINT_DEFAULT_S when the run
 * is planned longer than CHECKPOINT_LONG_RUN_S (the picked tests' phases,
 * times --repeat; a load of a number of requests counts nothing). */
double run_suite_checkpoint_s(const struct suite *s, const struct run_suite_opts *o);

/*
 * Runs every test of s in order (c: its checked assertions) into rr, which
 * holds the suite's name; sets rr's verdict (the worst test's), duration
 * and interrupted (a signal, or a test cut short). A test o->picked skips
 * out is named in rr's skipped list. As each test ends, the comparison
 * with o->prev is added to it and (unless quiet) its verdict block printed.
 */
void run_suite(struct suite *s, struct checks *c, const struct run_suite_opts *o,
               struct report_run *rr);

/* Writes out/report.json, out/junit.xml and out/report.html (each
 * atomically; safe in a thread of its own). Returns 0, or -1 with err. */
int run_suite_write_files(const struct report_run *rr, const char *out, struct lc_error *err);

/* Writes out/report.json, out/junit.xml and out/report.html, and the
 * markdown summary to md unless it is NULL. Returns 0, or -1 after
 * printing why on stderr. */
int run_suite_write_reports(struct report_run *rr, const char *out, const char *md);

/* Reads the previous report for run --compare; NULL after printing why. */
struct report_run *run_suite_compare_load(const char *path);

/* Adds the comparison with prev to every test of rr, with the suite's
 * tolerances (s may be NULL) over the defaults. Returns the number of
 * regressions. */
size_t run_suite_compare_apply(struct report_run *rr, const struct report_run *prev,
                               const struct suite *s);

#endif
