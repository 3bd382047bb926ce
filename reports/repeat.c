/*
 * reports/repeat.c: --repeat N, the runs of one test folded into one
 * report test. A verdict that differs across runs is flaky: nobody can
 * tell from one night whether the service or the check is at fault, so
 * every report says how many runs passed.
 */
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

static int ok(const struct report_assertion *a)
{
    return a->passed && !a->errored;
}

/* Moves the verdict, figures and message of src into dst (same assertion). */
static void take_verdict(struct report_assertion *dst, struct report_assertion *src)
{
    dst->passed = src->passed;
    dst->errored = src->errored;
    dst->observed = src->observed;
    dst->expected = src->expected;
    free(dst->message);
    dst->message = src->message;
    src->message = NULL;
    /* the fit goes with the verdict it drew */
    struct report_trend *tr = dst->trend;
    dst->trend = src->trend;
    src->trend = tr;
}

static struct report_assertion *find(struct report_test *t, const char *expr)
{
    for (size_t i = 0; t->assertions && i < t->nassertions; i++)
        if (t->assertions[i].expr && expr && strcmp(t->assertions[i].expr, expr) == 0)
            return &t->assertions[i];
    return NULL;
}

/* Folds run's assertions into acc's: the first failing run's verdict
 * wins, and the other verdict's message is kept for the flaky marker. */
static void merge_assertions(struct report_test *acc, struct report_test *run)
{
    for (size_t i = 0; run->assertions && i < run->nassertions; i++) {
        struct report_assertion *a = &run->assertions[i], *m = find(acc, a->expr);
        if (!m) {
            acc->assertions = lc_realloc(acc->assertions,
                                         (acc->nassertions + 1) * sizeof(*acc->assertions));
            m = &acc->assertions[acc->nassertions++];
            *m = *a;
            memset(a, 0, sizeof(*a));
            m->runs = 1;
            m->runs_passed = (unsigned)ok(m);
            continue;
        }
        m->runs++;
        m->runs_passed += (unsigned)ok(a);
        if (ok(m) && !ok(a)) {
            char *passing = m->message;
            m->message = NULL;
            take_verdict(m, a);
            if (!m->flaky_message)
                m->flaky_message = passing;
            else
                free(passing);
        } else if (!ok(m) && ok(a) && !m->flaky_message && a->message) {
            m->flaky_message = lc_strdup(a->message);
        }
    }
}

void report_repeat_add(struct report_test *acc, struct report_test *run)
{
    if (acc->runs == 0) {
        *acc = *run;
        memset(run, 0, sizeof(*run));
        acc->runs = 1;
        acc->runs_passed = acc->verdict == REPORT_PASS;
        for (size_t i = 0; acc->assertions && i < acc->nassertions; i++) {
            acc->assertions[i].runs = 1;
            acc->assertions[i].runs_passed = (unsigned)ok(&acc->assertions[i]);
        }
        return;
    }
    unsigned runs = acc->runs + 1;
    unsigned passed = acc->runs_passed + (run->verdict == REPORT_PASS);
    merge_assertions(acc, run);
    if (run->verdict > acc->verdict) {
        /* the worse run's details, the merged assertions */
        struct report_test keep = *acc;
        *acc = *run;
        *run = keep;
        acc->assertions = keep.assertions;
        acc->nassertions = keep.nassertions;
        run->assertions = NULL;
        run->nassertions = 0;
    }
    report_test_clear(run);
    acc->runs = runs;
    acc->runs_passed = passed;
}

int report_assertion_flaky(const struct report_assertion *a)
{
    return a->runs > 1 && a->runs_passed > 0 && a->runs_passed < a->runs;
}

int report_test_flaky(const struct report_test *t)
{
    if (t->runs > 1 && t->runs_passed > 0 && t->runs_passed < t->runs)
        return 1;
    for (size_t i = 0; t->assertions && i < t->nassertions; i++)
        if (report_assertion_flaky(&t->assertions[i]))
            return 1;
    return 0;
}
