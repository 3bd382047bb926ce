/* reports/merge.c: the shards of a run put back together (reports/merge.h). */
#include "reports/merge.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int same(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

/* Each report is a shard of the first's suite and count, each index once,
 * none missing. */
static int check_set(struct report_run **sh, const char *const *lab, size_t n, struct lc_error *err)
{
    unsigned count = sh[0]->shard.count;
    for (size_t i = 0; i < n; i++) {
        const struct report_run *r = sh[i];
        if (!r->shard.count) {
            lc_error_set(err, "%s: not a shard's report (no \"shard\": run it with --shard I/N)",
                         lab[i]);
            return -1;
        }
        if (!r->suite_hash || !same(r->suite_hash, sh[0]->suite_hash)) {
            lc_error_set(err, "%s: a different suite (%s, %s) than %s (%s, %s)", lab[i],
                         r->suite_file ? r->suite_file : "?",
                         r->suite_hash ? r->suite_hash : "no hash", lab[0],
                         sh[0]->suite_file ? sh[0]->suite_file : "?",
                         sh[0]->suite_hash ? sh[0]->suite_hash : "no hash");
            return -1;
        }
        if (r->shard.count != count) {
            lc_error_set(err, "%s: shard %u/%u, but %s is shard %u/%u: different shard counts",
                         lab[i], r->shard.index, r->shard.count, lab[0], sh[0]->shard.index, count);
            return -1;
        }
        for (size_t k = 0; k < i; k++) {
            if (sh[k]->shard.index == r->shard.index) {
                lc_error_set(err, "shard %u/%u given twice: %s and %s", r->shard.index, count,
                             lab[k], lab[i]);
                return -1;
            }
        }
    }
    for (unsigned idx = 1; idx <= count; idx++) {
        size_t k = 0;
        while (k < n && sh[k]->shard.index != idx)
            k++;
        if (k == n) {
            lc_error_set(err, "shard %u/%u missing (%zu of %u shards given)", idx, count, n, count);
            return -1;
        }
    }
    return 0;
}

/* Every shard planned the same split as the first. */
static int check_plans(struct report_run **sh, const char *const *lab, size_t n,
                       struct lc_error *err)
{
    const struct report_shard *p = &sh[0]->shard;
    for (size_t i = 1; i < n; i++) {
        const struct report_shard *q = &sh[i]->shard;
        if (q->n != p->n) {
            lc_error_set(err, "%s plans %zu tests, %s %zu: not the same suite", lab[i], q->n,
                         lab[0], p->n);
            return -1;
        }
        for (size_t t = 0; t < p->n; t++) {
            if (!same(q->names[t], p->names[t]) || q->of[t] != p->of[t]) {
                lc_error_set(err,
                             "%s gives test \"%s\" to shard %u, %s gives \"%s\" to shard %u: the "
                             "shards split differently (one balanced by --durations?)",
                             lab[i], q->names[t], q->of[t], lab[0], p->names[t], p->of[t]);
                return -1;
            }
        }
    }
    return 0;
}

/* The plan's position of name, or p->n. */
static size_t plan_pos(const struct report_shard *p, const char *name)
{
    for (size_t t = 0; t < p->n; t++)
        if (same(p->names[t], name))
            return t;
    return p->n;
}

/* Where each planned test is: from[t] the shard report that holds it
 * (n: none yet), at[t] its position there. Fails on a test twice, or in
 * a shard that was not given it. */
static int locate(struct report_run **sh, const char *const *lab, size_t n, size_t *from,
                  size_t *at, struct lc_error *err)
{
    const struct report_shard *p = &sh[0]->shard;
    for (size_t t = 0; t < p->n; t++)
        from[t] = n;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < sh[i]->ntests; j++) {
            const char *name = sh[i]->tests[j].name;
            size_t t = plan_pos(p, name);
            if (t == p->n || p->of[t] != sh[i]->shard.index) {
                lc_error_set(err, "%s holds test \"%s\", which the plan gives to %s", lab[i], name,
                             t == p->n ? "no shard" : "another shard");
                return -1;
            }
            if (from[t] != n) {
                lc_error_set(err, "test \"%s\" is in two shards: %s and %s", name, lab[from[t]],
                             lab[i]);
                return -1;
            }
            from[t] = i;
            at[t] = j;
        }
    }
    return 0;
}

/* 1 when shard report r lists name among the tests --test left out. */
static int skipped_in(const struct report_run *r, const char *name)
{
    for (size_t k = 0; k < r->nskipped; k++)
        if (same(r->skipped[k], name))
            return 1;
    return 0;
}

/* Moves the tests into m in plan order; a planned test its shard neither
 * ran nor skipped (and that shard was not interrupted) is an error. */
static int gather(struct report_run **sh, const char *const *lab, size_t n, const size_t *from,
                  const size_t *at, struct report_run *m, size_t *origin, struct lc_error *err)
{
    const struct report_shard *p = &sh[0]->shard;
    for (size_t t = 0; t < p->n; t++) {
        if (from[t] < n) {
            origin[m->ntests] = from[t];
            struct report_test *dst = report_add_test(m), *src = &sh[from[t]]->tests[at[t]];
            *dst = *src;
            memset(src, 0, sizeof(*src));
            if (dst->verdict > m->verdict)
                m->verdict = dst->verdict;
            continue;
        }
        size_t i = 0;
        while (sh[i]->shard.index != p->of[t])
            i++;
        if (skipped_in(sh[i], p->names[t]))
            report_add_skipped(m, p->names[t]);
        else if (!sh[i]->interrupted) {
            lc_error_set(err,
                         "test \"%s\" is missing from %s (shard %u/%u), which was not "
                         "interrupted",
                         p->names[t], lab[i], p->of[t], p->count);
            return -1;
        }
    }
    for (size_t i = 0; i < m->ntests; i++) {
        for (size_t k = 0; m->tests[i].dir && k < i; k++) {
            if (same(m->tests[k].dir, m->tests[i].dir)) {
                lc_error_set(err, "tests \"%s\" and \"%s\" both have the folder %s",
                             m->tests[k].name, m->tests[i].name, m->tests[i].dir);
                return -1;
            }
        }
    }
    return 0;
}

/* The run's own fields: the first shard's suite, the earliest start, the
 * span to the latest end, interrupted when any shard was. */
static void merge_head(struct report_run **sh, size_t n, struct report_run *m)
{
    m->suite = sh[0]->suite ? lc_strdup(sh[0]->suite) : NULL;
    m->suite_file = sh[0]->suite_file ? lc_strdup(sh[0]->suite_file) : NULL;
    m->suite_hash = lc_strdup(sh[0]->suite_hash);
    m->test_filter = sh[0]->test_filter ? lc_strdup(sh[0]->test_filter) : NULL;
    m->shard.merged = (unsigned)n;
    double start = INFINITY, end = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        m->interrupted |= sh[i]->interrupted;
        if (sh[i]->started_at > 0 && sh[i]->started_at < start)
            start = sh[i]->started_at;
        if (sh[i]->started_at > 0 && isfinite(sh[i]->duration_s) &&
            sh[i]->started_at + sh[i]->duration_s > end)
            end = sh[i]->started_at + sh[i]->duration_s;
    }
    m->started_at = isfinite(start) ? start : 0;
    m->duration_s = isfinite(start) && isfinite(end) ? end - start : NAN;
    m->verdict = REPORT_PASS;
}

struct report_run *report_merge(struct report_run **shards, const char *const *labels, size_t n,
                                size_t **origin, struct lc_error *err)
{
    *origin = NULL;
    if (n == 0) {
        lc_error_set(err, "no shard reports given");
        return NULL;
    }
    if (check_set(shards, labels, n, err) != 0 || check_plans(shards, labels, n, err) != 0)
        return NULL;
    size_t np = shards[0]->shard.n;
    size_t *from = lc_calloc(np + 1, sizeof(*from)), *at = lc_calloc(np + 1, sizeof(*at));
    struct report_run *m = NULL;
    if (locate(shards, labels, n, from, at, err) != 0)
        goto cleanup;
    m = lc_calloc(1, sizeof(*m));
    merge_head(shards, n, m);
    *origin = lc_calloc(np + 1, sizeof(**origin));
    if (gather(shards, labels, n, from, at, m, *origin, err) != 0) {
        report_run_free(m);
        m = NULL;
        free(*origin);
        *origin = NULL;
    }
cleanup:
    free(at);
    free(from);
    return m;
}
