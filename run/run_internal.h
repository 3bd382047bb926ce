/* run/run_internal.h: the state of one test run, shared by runner.c and
 * run_report.c (internal to run/). */
#ifndef LC_RUN_INT_H
#define LC_RUN_INT_H

#include <stdarg.h>

#include "run/obs_cost.h"
#include "run/peak.h"
#include "run/runner.h"
#include "run/timeline.h"

struct event_base;
struct event;
struct fetch;
struct target;
struct sampler;
struct loadgen;
struct run_snap;
struct prom_names;
struct serving;

struct run {
    const struct suite_test *t;
    struct expr *const *exprs;
    const struct runner_opts *opts;
    char *dir;
    struct event_base *base;
    struct fetch *fetch;
    struct target *target;
    struct serving *serving; /* which process /proc is read of (run_serving.c), or NULL */
    struct timeline *tl;
    struct sampler *sampler;
    struct loadgen *lg;
    struct event *tick, *phase_timer, *poll, *ready_timer;
    struct event *ckpt_timer; /* the checkpoints (run/checkpoint.h), or NULL */
    double t0;
    double ready_deadline;
    char ready_last[512];
    enum phase phase;
    enum phase round_phase; /* the phase the round under way started in */
    int phase_seen[PHASE__COUNT];
    double phase_start[PHASE__COUNT], phase_end[PHASE__COUNT];
    int sampling, load_started, load_joined, finishing, completed, interrupted;
    int baseline_snapped;  /* the baseline snapshot was asked for */
    int names_checked;     /* the first Prometheus scrape's names were checked */
    int suite_error;       /* r->error is the suite's fault (run_check_names) */
    struct run_snap *snap;  /* snapshots for the culprits (run_snap.h), or NULL */
    struct peak_watch peak; /* when a batch job's counts reach a new high */
    /* a snapshot waiting for the sample round under way to end */
    int snap_wanted;
    int snap_wanted_at; /* enum run_snap_at */
    void (*snap_wanted_done)(struct run *r);

    struct report_observer_cost cost; /* what watching cost the target (obs_cost.h) */
    struct obs_cpu cpu;               /* its CPU time while watched */
    unsigned long rounds_started, final_round, rounds_skipped;
    double last_progress;
    int live_shown; /* the live status line is on the terminal */
    char error[2048];
};

/* Records why the run stops (the first reason stays) and breaks the loop
 * (runner.c). */
void run_fail(struct run *r, const char *fmt, ...) LC_PRINTF(2, 3);

/* 1 when the run's target runs to completion ("exits": true), run_batch.c. */
int run_batch(const struct run *r);

/* After each sample round of a batch job: takes a peak snapshot when a
 * count reached a new high (peak.h), not during the baseline. */
void run_batch_round(struct run *r);

/* From the loop's poll, for a batch job: when it has exited, records
 * exit_code, makes the peak snapshot the final one and ends the run; when
 * it outlived target.exit_timeout, fails the run. Returns 1 when the run
 * ends, 0 otherwise (and always for a target that does not exit). */
int run_batch_poll(struct run *r);

/* "during the load phase" and the like. */
const char *run_phase_desc(const struct run *r);

/* Prints a progress message line (unless quiet), above the live status
 * line on a terminal (run/progress.c). */
void progress(struct run *r, const char *fmt, ...) LC_PRINTF(2, 3);

/* Shows the test's status: on a terminal one line updated in place a few
 * times a second; elsewhere (CI logs) a plain line every few seconds. */
void progress_tick(struct run *r);

/* Clears the live status line at the end of the test. */
void progress_end(struct run *r);

/* 1 when every assertion that reads a final value holds now. */
int run_settled(struct run *r);

/* An expr_series_cb whose arg is the run: the load phase's points of m,
 * the test's warm-up, FLOOR for the heap figures sampled without a GC
 * (run/run_trend.c). */
int run_series_cb(const struct expr_metric *m, struct expr_series *out, struct lc_error *err,
                  void *arg);

/* The expr_value_cb over the run's timeline (arg: struct run *). */
int run_value_cb(const struct expr_metric *m, enum expr_reduce reduce, double *out,
                 struct lc_error *err, void *arg);

/* Fills the report test from the finished run. */
void run_report(struct run *r, struct report_test *rt);

/* Fills rt with the test under way for a checkpoint: its series, phases
 * and load so far, its assertions not judged yet (what the samples so far
 * say in their messages), verdict error with an error saying how far it
 * got (run_report.c). */
void run_report_partial(struct run *r, struct report_test *rt);

/* The phase the test is in for a checkpoint: "starting" before the
 * target is ready. */
const char *run_phase_now(const struct run *r);

/*
 * Checks the Prometheus metric names of the assertions against the names of
 * the first scrape (sampler_prom_first) and prints, like validate, what is
 * not there. A name the scrape lacks stops the test as a suite error when
 * it looks misspelt (a scraped name is near it: the suggestions follow) or
 * when its assertion reads its baseline, which can then never be had; then
 * r->error and r->suite_error are set and 1 is returned. Otherwise (it may
 * be a series the service creates at its first use) a warning, and 0
 * (run_names.c).
 */
int run_check_names(struct run *r, const struct prom_names *names);
/* run_serving.c: after target_start, sets up r->serving (when the test
 * reads /proc of a target) from the test's "measure" and ports. */
void run_serving_start(struct run *r);

/* run_serving.c: at readiness, finds the process to measure and gives it
 * to the sampler. Returns 0, or -1 with r->ready_last saying why when
 * "measure": {"listening": PORT} finds no listener yet (retry later). */
int run_serving_ready(struct run *r);

/* run_serving.c: the process to read /proc of now (0: none): the cheap
 * check of serving_check, a progress line when it changed, and the
 * sampler told. Once per sample round and at each snapshot. */
pid_t run_measured_pid(struct run *r);

/* run_serving.c: fills rt->measured. */
void run_serving_report(struct run *r, struct report_test *rt);

/* Fills rt->culprits and rt->pprof_base_cmd from the run's snapshots
 * (run_culprits.c); the assertions must be in rt already (culprits of the
 * kind a failed assertion is about come first). */
void run_culprits(struct run *r, struct report_test *rt);

#endif
