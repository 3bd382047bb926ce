/* suite/shard.c: which tests a shard runs (suite/shard.h). */
#include "suite/shard.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole number from lo to hi in s, or -1. */
static long parse_num(const char *s, long lo, long hi)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno || v < lo || v > hi)
        return -1;
    return v;
}

static int check_pair(long index, long count, const char *what, const char *val,
                      struct lc_error *err)
{
    if (count < 1) {
        lc_error_set(err, "%s: the shard count must be a whole number from 1 to %d (got '%s')",
                     what, SHARD_MAX, val);
        return -1;
    }
    if (index < 1 || index > count) {
        lc_error_set(err, "%s: the shard index must be from 1 to %ld (got '%s')", what, count, val);
        return -1;
    }
    return 0;
}

/* --shard I/N. */
static int parse_flag(const char *s, struct shard_spec *out, struct lc_error *err)
{
    const char *slash = strchr(s, '/');
    char buf[32];
    if (!slash || (size_t)(slash - s) >= sizeof(buf)) {
        lc_error_set(err, "--shard wants I/N (1-based: 1/4 ... 4/4), got '%s'", s);
        return -1;
    }
    memcpy(buf, s, (size_t)(slash - s));
    buf[slash - s] = '\0';
    long count = parse_num(slash + 1, 1, SHARD_MAX);
    long index = parse_num(buf, 0, SHARD_MAX);
    if (check_pair(index, count, "--shard (I/N, 1-based)", s, err) != 0)
        return -1;
    *out = (struct shard_spec){(unsigned)index, (unsigned)count};
    return 0;
}

/* JOB_COMPLETION_INDEX (0-based) with a count from the flag or the variable. */
static int from_job(const struct shard_inputs *in, struct shard_spec *out, struct lc_error *err)
{
    const char *cs = in->count_flag ? in->count_flag : in->count_env;
    const char *cname = in->count_flag ? "--shard-count" : "LEAKCHECK_SHARD_COUNT";
    if (!cs) {
        lc_error_set(err,
                     "JOB_COMPLETION_INDEX is set (%s) but no shard count: give "
                     "--shard-count N or LEAKCHECK_SHARD_COUNT (the Job's completions)",
                     in->job_index);
        return -1;
    }
    long count = parse_num(cs, 1, SHARD_MAX);
    long index = parse_num(in->job_index, 0, SHARD_MAX - 1);
    if (count < 1) {
        lc_error_set(err, "%s: the shard count must be a whole number from 1 to %d (got '%s')",
                     cname, SHARD_MAX, cs);
        return -1;
    }
    if (index < 0 || index >= count) {
        lc_error_set(err, "JOB_COMPLETION_INDEX (0-based) must be from 0 to %ld (got '%s')",
                     count - 1, in->job_index);
        return -1;
    }
    *out = (struct shard_spec){(unsigned)index + 1, (unsigned)count};
    return 0;
}

int shard_resolve(const struct shard_inputs *in, struct shard_spec *out, struct lc_error *err)
{
    *out = (struct shard_spec){0, 0};
    if (in->flag)
        return parse_flag(in->flag, out, err);
    if (in->ci_index || in->ci_total) {
        if (!in->ci_index || !in->ci_total) {
            lc_error_set(err, "CI_NODE_INDEX and CI_NODE_TOTAL go together (only %s is set)",
                         in->ci_index ? "CI_NODE_INDEX" : "CI_NODE_TOTAL");
            return -1;
        }
        long count = parse_num(in->ci_total, 1, SHARD_MAX);
        long index = parse_num(in->ci_index, 0, SHARD_MAX);
        if (count < 1 || index < 1 || index > count) {
            lc_error_set(err, "CI_NODE_INDEX/CI_NODE_TOTAL: want 1..N of N from 1 to %d, got %s/%s",
                         SHARD_MAX, in->ci_index, in->ci_total);
            return -1;
        }
        *out = (struct shard_spec){(unsigned)index, (unsigned)count};
        return 0;
    }
    if (in->job_index)
        return from_job(in, out, err);
    if (in->count_flag) {
        lc_error_set(err, "--shard-count goes with JOB_COMPLETION_INDEX, which is not set "
                          "(or give --shard I/N)");
        return -1;
    }
    return 0;
}

struct shard_item {
    const char *name;
    double d;
    size_t i;
};

static int by_name(const void *a, const void *b)
{
    const struct shard_item *x = a, *y = b;
    return strcmp(x->name, y->name);
}

/* Longest first; equal ones by name, so that every machine agrees. */
static int by_duration(const void *a, const void *b)
{
    const struct shard_item *x = a, *y = b;
    if (x->d != y->d)
        return x->d > y->d ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Unknown durations (NaN, negative) become the mean of the known ones. */
static void fill_durations(struct shard_item *it, const double *durations, size_t n)
{
    double sum = 0;
    size_t known = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(durations[i]) && durations[i] >= 0) {
            sum += durations[i];
            known++;
        }
    }
    double mean = known ? sum / (double)known : 1;
    for (size_t i = 0; i < n; i++)
        it[i].d = isfinite(durations[i]) && durations[i] >= 0 ? durations[i] : mean;
}

void shard_assign(const char *const *names, const double *durations, size_t n, unsigned count,
                  unsigned *out, double *planned)
{
    struct shard_item *it = lc_calloc(n + 1, sizeof(*it));
    double *load = lc_calloc(count + 1, sizeof(*load));
    for (size_t i = 0; i < n; i++)
        it[i] = (struct shard_item){names[i], 1, i};
    if (durations)
        fill_durations(it, durations, n);
    qsort(it, n, sizeof(*it), durations ? by_duration : by_name);
    for (size_t k = 0; k < n; k++) {
        unsigned s = (unsigned)(k % count);
        if (durations) {
            s = 0;
            for (unsigned j = 1; j < count; j++)
                if (load[j] < load[s])
                    s = j;
        }
        load[s] += it[k].d;
        out[it[k].i] = s + 1;
    }
    for (unsigned j = 0; planned && j < count; j++)
        planned[j] = load[j];
    free(load);
    free(it);
}

char *shard_suite_hash(const char *path, struct lc_error *err)
{
    size_t len = 0;
    char *text = lc_read_file(path, (size_t)1 << 30, &len, err);
    if (!text)
        return NULL;
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)text[i];
        h *= 1099511628211ull;
    }
    free(text);
    return lc_asprintf("fnv1a64:%016llx", (unsigned long long)h);
}
