/*
 * suite/shard.h: run --shard I/N, which tests of a suite one machine of N
 * runs. The split depends only on the tests' names (and, with
 * --durations, on a previous run's durations), never on the machine, the
 * order of the suite file or --test: every test lands in exactly one shard.
 */
#ifndef LC_SHARD_H
#define LC_SHARD_H

#include <stddef.h>

#include "common/lc.h"

/* The most shards a run can be split into. */
#define SHARD_MAX 10000

/* Shard index of count, 1-based (GitLab's CI_NODE_INDEX is; Kubernetes'
 * JOB_COMPLETION_INDEX, 0-based, is read plus one). count 0: not sharded. */
struct shard_spec {
    unsigned index, count;
};

/* Where the shard comes from: each string NULL when not given. */
struct shard_inputs {
    const char *flag;       /* --shard I/N */
    const char *count_flag; /* --shard-count N (with JOB_COMPLETION_INDEX) */
    const char *ci_index;   /* $CI_NODE_INDEX (GitLab parallel:, 1-based) */
    const char *ci_total;   /* $CI_NODE_TOTAL */
    const char *job_index;  /* $JOB_COMPLETION_INDEX (Kubernetes Indexed Job, 0-based) */
    const char *count_env;  /* $LEAKCHECK_SHARD_COUNT */
};

/*
 * Resolves the shard: --shard first, then CI_NODE_INDEX/CI_NODE_TOTAL,
 * then JOB_COMPLETION_INDEX with --shard-count or LEAKCHECK_SHARD_COUNT.
 * Fills *out (count 0 when none applies). Returns 0, or -1 with err
 * naming the flag or variable and its value (not a number, I outside
 * 1..N, N outside 1..SHARD_MAX, an index without a count).
 */
int shard_resolve(const struct shard_inputs *in, struct shard_spec *out, struct lc_error *err);

/*
 * Assigns each of n tests a shard from 1 to count into out[n].
 * durations NULL: the tests sorted by name (byte order) are dealt
 * round-robin. Otherwise (durations[i] NaN or negative: unknown, counted
 * as the mean of the known ones, or 1 when none is known) the longest test
 * goes first onto the least loaded shard (ties: the smaller name first,
 * the lower shard). Fills planned[count] with each shard's planned
 * seconds when planned is not NULL.
 */
void shard_assign(const char *const *names, const double *durations, size_t n, unsigned count,
                  unsigned *out, double *planned);

/*
 * The identity of a suite's content: "fnv1a64:" and 16 hex digits of
 * FNV-1a over the file's bytes (a check that shards ran the same file,
 * not a defence against forgery). Returns a new string (caller frees), or
 * NULL with err when the file cannot be read.
 */
char *shard_suite_hash(const char *path, struct lc_error *err);

#endif
