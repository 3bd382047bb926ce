/* reports/model.c: the run model's helpers: verdict names, growth, freeing. */
#include "reports/report.h"

#include <stdlib.h>
#include <string.h>

#include "common/metric_table.h"

/* Returns "pass", "fail" or "error" (a static string); "error" for an
 * out-of-range value. */
const char *report_verdict_name(enum report_verdict v)
{
    switch (v) {
    case REPORT_PASS:
        return "pass";
    case REPORT_FAIL:
        return "fail";
    case REPORT_ERROR:
        return "error";
    }
    return "error";
}

/* Appends a zeroed test to r and returns it (borrowed: it moves when the
 * next test is added). Aborts only when memory runs out. */
struct report_test *report_add_test(struct report_run *r)
{
    /* The run has no capacity field, so the array is grown from its length
     * each time: safe whatever allocated it before, and suites hold few
     * tests, so the extra reallocations cost nothing that matters. */
    size_t cap = r->ntests;
    lc_grow((void **)&r->tests, &cap, r->ntests + 1, sizeof(*r->tests));
    struct report_test *t = &r->tests[r->ntests++];
    memset(t, 0, sizeof(*t));
    return t;
}

void report_add_skipped(struct report_run *r, const char *name)
{
    r->skipped = lc_realloc(r->skipped, (r->nskipped + 1) * sizeof(*r->skipped));
    r->skipped[r->nskipped++] = lc_strdup(name);
}

int report_shard_other(const struct report_run *r, size_t i)
{
    return r->shard.count && r->shard.of && i < r->shard.n && r->shard.of[i] != r->shard.index;
}

void report_shard_clear(struct report_shard *sh)
{
    free(sh->balanced_by);
    for (size_t i = 0; sh->names && i < sh->n; i++)
        free(sh->names[i]);
    free(sh->names);
    free(sh->of);
    memset(sh, 0, sizeof(*sh));
}

static void free_counts(struct report_count *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++)
        free(c[i].key);
    free(c);
}

void report_trend_free(struct report_trend *tr)
{
    if (!tr)
        return;
    free(tr->series);
    free(tr);
}

static void free_test(struct report_test *t)
{
    free(t->name);
    free(t->error);
    for (size_t i = 0; t->assertions && i < t->nassertions; i++) {
        free(t->assertions[i].expr);
        free(t->assertions[i].message);
        free(t->assertions[i].metric);
        free(t->assertions[i].flaky_message);
        report_trend_free(t->assertions[i].trend);
    }
    free(t->assertions);
    for (size_t i = 0; t->series && i < t->nseries; i++) {
        free(t->series[i].name);
        free(t->series[i].source);
        free(t->series[i].points);
    }
    free(t->series);
    for (size_t i = 0; t->phases && i < t->nphases; i++)
        free(t->phases[i].name);
    free(t->phases);
    free_counts(t->load.status, t->load.nstatus);
    free_counts(t->load.errors_by_kind, t->load.nerrors_by_kind);
    free_counts(t->load.grpc_status, t->load.ngrpc_status);
    for (size_t i = 0; t->culprits && i < t->nculprits; i++) {
        free(t->culprits[i].kind);
        free(t->culprits[i].function);
        free(t->culprits[i].location);
        free(t->culprits[i].detail);
    }
    free(t->culprits);
    for (size_t i = 0; t->ports && i < t->nports; i++)
        free(t->ports[i].name);
    free(t->ports);
    free(t->pprof_base_cmd);
    free(t->dir);
    free(t->log_tail);
    free(t->measured.command);
    free(t->measured.how);
}

void report_test_clear(struct report_test *t)
{
    free_test(t);
    memset(t, 0, sizeof(*t));
}

/* Frees every string and array the run holds, then the run; NULL is a no-op.
 * Arrays whose pointer is NULL are skipped whatever their count says. */
void report_run_free(struct report_run *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->tests && i < r->ntests; i++)
        free_test(&r->tests[i]);
    free(r->tests);
    free(r->suite);
    free(r->suite_file);
    free(r->suite_hash);
    report_shard_clear(&r->shard);
    free(r->source_root);
    free(r->test_filter);
    for (size_t i = 0; r->skipped && i < r->nskipped; i++)
        free(r->skipped[i]);
    free(r->skipped);
    free(r->at_test);
    free(r->at_phase);
    free(r);
}

void report_cost_add(struct report_cost_item *item, double secs)
{
    item->count++;
    item->seconds += secs;
    if (secs > item->max_seconds)
        item->max_seconds = secs;
}

size_t report_stand_ins(const struct report_test *t, struct lc_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; t->series && i < t->nseries; i++) {
        const struct report_series *s = &t->series[i];
        if (s->name && s->source && !strcmp(s->source, "prometheus") && metric_builtin(s->name))
            lc_buf_printf(b, "%s%s", n++ ? ", " : "", s->name);
    }
    return n;
}
