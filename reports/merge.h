/*
 * reports/merge.h: `leakcheck merge`: the reports of a sharded run's
 * shards (run --shard I/N) put back together as one run, as if one
 * machine had run the whole suite.
 */
#ifndef LC_MERGE_H
#define LC_MERGE_H

#include <stddef.h>

#include "reports/report.h"

/*
 * Merges the n shard reports shards[] (labels[i] names shard i in
 * messages: its folder) into a new run (free with report_run_free): the
 * tests in suite order, each once; the tests --test left out; the worst
 * verdict; interrupted when a shard was; the earliest start and the span
 * to the latest end. The shards' tests are moved (shards[] keep the
 * rest); *origin gets, per merged test, the index in shards[] it came
 * from (caller frees). Returns NULL with err naming the fault: a report that is no
 * shard, a different suite (hash) or shard count, a shard missing or
 * given twice, a plan that differs, a test in two shards or in a shard
 * the plan does not give it to, a test missing from its shard's report
 * (unless that shard was interrupted), two tests in one folder.
 */
struct report_run *report_merge(struct report_run **shards, const char *const *labels, size_t n,
                                size_t **origin, struct lc_error *err);

#endif
