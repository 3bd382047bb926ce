/*
 * reports/report.h: the plain data model of a run and the writers over it
 * (report.json, junit.xml, the console summary). The writers know nothing
 * of how the figures were obtained.
 *
 * Ownership: every pointer in these structs is owned by the struct that
 * holds it and freed by report_run_free; strings are heap-allocated.
 * Times: `t` of a point and phase bounds are seconds since the test began.
 * Values are in canonical units (seconds, bytes, fractions); NaN means "no
 * value" and is written as null in JSON.
 */
#ifndef LC_REPORT_H
#define LC_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/lc.h"

enum report_verdict { REPORT_PASS, REPORT_FAIL, REPORT_ERROR };

/* "pass", "fail" or "error". */
const char *report_verdict_name(enum report_verdict v);

struct report_point {
    double t;
    double v;
};

struct report_series {
    char *name; /* metric name, e.g. "goroutines" or "go_goroutines{job=\"x\"}" */
    double baseline, final, min, max; /* NaN when unknown */
    struct report_point *points;
    size_t npoints;
    char *source; /* "proc", "pprof", "prometheus", "pprof+prometheus" (heap_live), "load",
                     "exit"; NULL: not said */
};

/* The fit of a trend() assertion, for its chart: the line
 * v = slope * (t - t_mid) + v_mid over [from, to] of the test's clock,
 * its slope's 95% interval lo..hi (per second), the warm-up before from. */
struct report_trend {
    double from, to, warmup;
    double slope, lo, hi, t_mid, v_mid;
    char *series; /* the series fitted: the metric's, or the one that stands for it */
};

struct report_assertion {
    char *expr;
    int passed;
    int errored;     /* could not be evaluated; message says why */
    double observed; /* NaN when errored */
    double expected;
    char *message;
    char *metric; /* the metric the assertion is about ("goroutines"), or NULL */
    /* --repeat (reports/repeat.c): the runs that evaluated it and those
     * that passed it (runs 0: not repeated); with a verdict that differs
     * across runs, the message of a run with the other verdict */
    unsigned runs, runs_passed;
    char *flaky_message;
    struct report_trend *trend; /* trend() only, when it could be fitted; else NULL */
};

struct report_phase {
    char *name; /* "baseline", "load", "observe", "settle" */
    double start, end;
};

struct report_count {
    char *key; /* status code as text ("200") or error kind ("reset") */
    uint64_t n;
};

struct report_load {
    int present;
    uint64_t requests, errors;
    double duration_s, rps;
    double p50_ms, p90_ms, p99_ms, max_ms;
    struct report_count *status;
    size_t nstatus;
    struct report_count *errors_by_kind;
    size_t nerrors_by_kind;
    struct report_count *grpc_status; /* gRPC calls by code name ("OK"); none for HTTP */
    size_t ngrpc_status;
};

/* Why a culprit is named. */
enum report_basis {
    REPORT_BASIS_GROWTH, /* it grew between the baseline and the end */
    REPORT_BASIS_LEVEL,  /* it holds the most at the end, and a level assertion failed */
};

/* One thing that grew between the baseline and the end, or that holds the
 * most at the end: a goroutine group, a heap allocation site, a kind of
 * file descriptor or socket; or ("finalizer") a kind of descriptor that
 * only the garbage collector leakcheck forced at a snapshot closed: before
 * and after are its counts just before and after that GC, growth how many
 * it closed. */
struct report_culprit {
    char *kind;                   /* "goroutine", "heap", "fd", "socket", "finalizer" */
    char *function;               /* the first frame that is the service's own code, or NULL */
    char *location;               /* "file.go:123", a directory, or a peer address */
    double before, after, growth; /* counts (bytes for heap); before NaN: not known */
    char *detail;                 /* wait state and time, creator, blocking frame, path or peer */
    int proven;                   /* 1: Go's own goroutineleak profile says these are leaked */
    enum report_basis basis;
};

/* The process whose /proc figures (fds, rss, sockets...) the test read:
 * the one leakcheck started or attached to, or the process serving under
 * it when that one is a wrapper (sh -c, go run, an entrypoint script). */
struct report_measured {
    int present;      /* 0: no /proc figures were read */
    long pid;         /* the last one measured */
    char *command;    /* its command line, or NULL */
    char *how;        /* "listening on 127.0.0.1:8080", or why the started one */
    long started_pid; /* the process leakcheck started or attached to */
    unsigned changes; /* how often the measured process changed after readiness */
};

/* What watching cost the target: its stop-the-world fetches, each with
 * its fetch time (from the request to the whole response: an upper bound
 * of the world's stop, which is part of it), and its CPU time. */
struct report_cost_item {
    unsigned count;
    double seconds;     /* the fetch times added up */
    double max_seconds; /* the longest */
};

struct report_observer_cost {
    int present;                             /* 0: nothing was sampled of the target */
    struct report_cost_item goroutine_dumps; /* goroutine?debug=1 and debug=0 */
    struct report_cost_item full_dumps;      /* goroutine?debug=2 */
    struct report_cost_item forced_gcs;      /* profiles fetched with gc=1 */
    struct report_cost_item heap_profiles;   /* heap profiles without gc=1 (not stopping) */
    unsigned count_rounds; /* rounds that read the goroutine count from the index page */
    unsigned dump_rounds;  /* rounds that dumped goroutine?debug=1 */
    double target_cpu_s;   /* utime+stime of the measured process over the window, or NaN */
    double cpu_window_s;   /* the wall time that CPU time was read over, or NaN */
};

/* Adds one fetch of secs to item. */
void report_cost_add(struct report_cost_item *item, double secs);

/* A port leakcheck picked for a test: "port" (${port}) or a ${port:NAME}. */
struct report_port {
    char *name;
    int port;
};

struct report_test {
    char *name;
    struct report_port *ports; /* "port" first, then the named ones; NULL when none */
    size_t nports;
    enum report_verdict verdict;
    char *error;       /* NULL, or why the test could not be run to the end */
    int suite_error;   /* the error is the suite's (a metric name the service does not expose):
                          the run exits 2, not 3 */
    double started_at; /* wall clock, seconds since the epoch */
    double duration_s;
    struct report_assertion *assertions;
    size_t nassertions;
    struct report_series *series;
    size_t nseries;
    struct report_phase *phases;
    size_t nphases;
    struct report_load load;
    struct report_culprit *culprits; /* largest first */
    size_t nculprits;
    char *pprof_base_cmd; /* "go tool pprof -base ... ...", or NULL */
    char *dir;            /* the test's folder under --out, or NULL */
    char *log_tail;       /* last lines of the target's stderr, or NULL */
    /* bytes dropped from the middle of the target's stdout.log and
     * stderr.log (each keeps its first and last MiB) */
    uint64_t log_dropped[2];
    struct report_measured measured;

    struct report_observer_cost cost; /* what watching it cost the target */

    unsigned runs, runs_passed; /* --repeat: runs of the test and passing ones (0: one run) */
    /* a checkpoint's test under way (run/checkpoint.h): its verdict is
     * error, its error says how far it got, its assertions are not judged */
    int running;
};

/* run --shard I/N: the plan of every shard (the same on every machine) and
 * which one this run is; `leakcheck merge` checks the shards against it. */
struct report_shard {
    unsigned index, count; /* 1-based index of count; count 0: not a shard */
    char *balanced_by;     /* --durations FILE, or NULL: by name */
    char **names;          /* every test of the suite, in suite order */
    unsigned *of;          /* per name: the shard that runs it */
    size_t n;
    unsigned merged; /* a merged report: how many shards it holds (count is then 0) */
};

struct report_run {
    char *suite;
    char *suite_hash; /* shard_suite_hash of the suite file, or NULL */
    struct report_shard shard;
    char *suite_file;
    char *source_root; /* absolute; culprits' files under it get JUnit file=/line=; or NULL */
    enum report_verdict verdict;
    double started_at; /* wall clock */
    double duration_s;
    int interrupted;
    struct report_test *tests;
    size_t ntests;
    char *test_filter; /* run --test REGEX, or NULL */
    char **skipped;    /* names of the tests --test left out, in suite order */
    size_t nskipped;
    /* a checkpoint of a run under way (run/checkpoint.h): how far it got */
    int incomplete;
    char *at_test;       /* the test under way, or NULL: between tests */
    char *at_phase;      /* its phase ("starting" before it is ready), or NULL */
    double at_s;         /* seconds into that test */
    double checkpoint_s; /* the interval of the checkpoints */
};

/* Frees what sh holds and zeroes it. */
void report_shard_clear(struct report_shard *sh);

/* 1 when the plan's test i runs in another shard than r's. */
int report_shard_other(const struct report_run *r, size_t i);

/* Appends name (copied) to r's skipped tests. */
void report_add_skipped(struct report_run *r, const char *name);

/* Frees everything the run holds, and the run; report_run_free(NULL) is a no-op. */
void report_run_free(struct report_run *r);

/* Frees a trend fit (NULL is a no-op). */
void report_trend_free(struct report_trend *tr);

/* Appends a zeroed test to the run (grown with lc_grow) and returns it (borrowed). */
struct report_test *report_add_test(struct report_run *r);

/* Frees what test t holds and zeroes it. */
void report_test_clear(struct report_test *t);

/*
 * --repeat: adds one more run of a test to acc (zeroed before the first),
 * taking what run holds (run is left zeroed). acc keeps the details
 * (series, culprits, folder...) of the first run with the worst verdict
 * and that verdict; each assertion (matched by its text) fails when it
 * failed in any run, counts its runs and passing runs, and keeps the
 * message of a run with the other verdict when the verdict differs.
 */
void report_repeat_add(struct report_test *acc, struct report_test *run);

/* 1 when an assertion's verdict differed across the runs of --repeat. */
int report_assertion_flaky(const struct report_assertion *a);

/* 1 when the test's verdict, or any of its assertions', differed across
 * the runs of --repeat. */
int report_test_flaky(const struct report_test *t);

/* Writes into b the built-in metrics of t read from the target's
 * Prometheus collectors (source "prometheus": a target elsewhere, without
 * /proc or pprof), ", "-separated; returns how many. */
size_t report_stand_ins(const struct report_test *t, struct lc_buf *b);

/* Writes report.json to path atomically. Returns 0 or -1 with err. */
int report_json_write(const struct report_run *r, const char *path, struct lc_error *err);

/* Writes JUnit XML (valid against Jenkins' junit-10.xsd) to path atomically:
 * one <testsuite> per test, one <testcase> per assertion; an errored test
 * gets an <error>. Returns 0 or -1 with err. */
int report_junit_write(const struct report_run *r, const char *path, struct lc_error *err);

/* Prints the short summary: each test, each assertion, pass/fail. `color`
 * turns on ANSI colours. */
void report_console_write(const struct report_run *r, FILE *out, int color);

/* Prints one test's verdict block (as report_console_write does for each),
 * for printing each test as it ends. */
void report_console_test(const struct report_test *t, FILE *out, int color);

/* Prints the closing summary after the blocks were printed test by test:
 * one line per test (verdict, name, duration), the skipped tests, and the
 * count line. */
void report_console_summary(const struct report_run *r, FILE *out, int color);

/* Writes a markdown summary to path atomically (for $GITHUB_STEP_SUMMARY or
 * a merge-request note): a table of the tests' verdicts, then per test that
 * did not pass its failing assertions (the comparison with the previous
 * run among them) and its top culprit; the skipped tests. Returns 0 or -1
 * with err. */
int report_markdown_write(const struct report_run *r, const char *path, struct lc_error *err);

/* Writes report.html to path atomically: one self-contained page (inline CSS
 * and SVG, no network) with a verdict banner per test, the assertions, the
 * culprits, a chart per sampled metric with the phases shaded and the limits
 * drawn, and the load panel. Returns 0 or -1 with err. */
int report_html_write(const struct report_run *r, const char *path, struct lc_error *err);

/* Reads a report.json written by report_json_write back into a new run
 * (free with report_run_free): tests, assertions, metrics and their series,
 * phases, load and culprits. Returns NULL with err (the path and what is
 * wrong) when the file cannot be read or is not such a report. */
struct report_run *report_json_read(const char *path, struct lc_error *err);

/* The most points a series keeps in report.json and report.html. */
#define REPORT_MAX_POINTS 1000

/*
 * Downsamples n points (in time order) to at most max (>= 8) for a report:
 * the first and last points are kept, and each bucket of consecutive points
 * keeps its lowest and highest value (in time order), so spikes survive; a
 * bucket that holds a NaN keeps one NaN too, so gaps survive. Returns a new
 * array (caller frees; NULL when n is 0) and its length in *nout; with n <=
 * max, a plain copy.
 */
struct report_point *report_downsample(const struct report_point *pts, size_t n, size_t max,
                                       size_t *nout);

#endif
