/*
 * run/sampler.h: one sample round of every source of a test -- Go
 * pprof text (goroutines, heap), Prometheus /metrics, /proc/PID and the
 * load generator -- committed to the timeline at the round's start time.
 * HTTP sources are fetched on the event loop: the goroutine profile first
 * and alone, then the heap profile and the Prometheus scrape. No round
 * forces a garbage collection (heap?debug=1 without gc=1), and what
 * serves leakcheck's own requests is left out of the counts (own.h).
 */
#ifndef LC_SAMPLER_H
#define LC_SAMPLER_H

#include <sys/types.h>

#include "assertions/expr.h"
#include "run/fetch.h"
#include "suite/suite.h"
#include "run/timeline.h"

struct sampler;
struct loadgen;
struct pprof_profile;
struct prom_names;
struct report_observer_cost;

/* Called on the event loop when a round's values are in the timeline. */
typedef void sampler_done_cb(struct sampler *s, void *arg);

/*
 * Creates a sampler for test t. pid is the process to read /proc of (0:
 * none). Values go into tl at times relative to t0 (lc_now() seconds).
 * Borrows every argument; they must outlive the sampler.
 */
struct sampler *sampler_new(struct fetch *f, const struct suite_test *t, pid_t pid,
                            struct timeline *tl, double t0);

/* Adds a Prometheus series to record (a metric reference of an assertion);
 * the reference is borrowed. Duplicates (same text) are recorded once. */
void sampler_add_prom(struct sampler *s, const struct expr_metric *m);

/* Counts the stop-the-world fetches of the rounds (goroutine dumps) and
 * which rounds read a count, in cost (borrowed; NULL: not counted). */
void sampler_set_cost(struct sampler *s, struct report_observer_cost *cost);

/* The next round started is exact: it fetches the heap profile whatever
 * its pace (sampler.c start_rest), and when the test has an ignore list it
 * takes a goroutine?debug=1 dump whatever the policy says (gcount.h), so
 * that its `goroutines` is exact (without one, the count is). */
void sampler_want_exact(struct sampler *s);

/* Sets the process whose /proc figures the next rounds read (0: none). */
void sampler_set_pid(struct sampler *s, pid_t pid);

/* Sets the load generator (borrowed), started or not, whose figures each
 * round records: per interval of at least half the sampling interval, with
 * the whole load's as final values (run/load_series.h). */
void sampler_set_load(struct sampler *s, struct loadgen *lg);

/* Starts a round tagged with phase; cb runs when it is committed (within
 * this call when the test samples no HTTP source). Returns
 * 0, or -1 when a round is still under way (the tick is skipped). */
int sampler_round(struct sampler *s, enum phase phase, sampler_done_cb *cb, void *arg);

/* 1 while a round is under way. */
int sampler_busy(const struct sampler *s);

/* A message when a source failed too often in a row (the test cannot be
 * trusted to go on), else NULL. Borrowed. */
const char *sampler_fatal(const struct sampler *s);

/* The goroutine profile of the last baseline round and of the latest
 * round (borrowed; NULL when none parsed). */
const struct pprof_profile *sampler_goroutines_baseline(const struct sampler *s);
const struct pprof_profile *sampler_goroutines_last(const struct sampler *s);

/* The metric names of the first Prometheus scrape that parsed, when it
 * lacked a name sampler_add_prom asked for (borrowed; NULL when it had them
 * all, and before it). It holds the names of samples and of the families
 * declared by HELP and TYPE lines (prom_names_scan). */
const struct prom_names *sampler_prom_first(const struct sampler *s);

/* 1 when a scrape of Go's collector gave heap_live a value. */
int sampler_scrape_live(const struct sampler *s);

/* sampler_free(NULL) is a no-op. Must not be called while a round's
 * fetches are under way unless the fetcher is freed first. */
void sampler_free(struct sampler *s);

#endif
