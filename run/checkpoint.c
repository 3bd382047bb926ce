/* run/checkpoint.c: the reports of a run under way, written by a thread. */
#include "run/checkpoint.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run_suite.h"

struct checkpoint {
    char *out;
    double interval_s;
    const struct report_run *rr;
    pthread_t thread;
    int started;        /* a thread was started and not joined */
    atomic_int writing; /* the thread is under way */
    struct report_run *snap; /* what the thread writes (its own, see snap_free) */
    int snap_running;        /* its last test is the test under way (owned) */
    char error[1024];        /* the thread's failure, or "" */
    int error_shown;
    struct checkpoint_stats stats;
};

struct checkpoint *checkpoint_new(const char *out, double interval_s, const struct report_run *rr)
{
    if (!(interval_s > 0))
        return NULL;
    struct checkpoint *c = lc_calloc(1, sizeof(*c));
    c->out = lc_strdup(out);
    c->interval_s = interval_s;
    c->rr = rr;
    return c;
}

double checkpoint_interval(const struct checkpoint *c)
{
    return c->interval_s;
}

/* Frees what a snapshot owns: the test under way (its last test when
 * `running`), the tests array and where it was; the finished tests and
 * the run's strings are the run's. */
static void snap_free(struct report_run *s, int running)
{
    if (!s)
        return;
    if (running && s->ntests > 0)
        report_test_clear(&s->tests[s->ntests - 1]);
    free(s->tests);
    free(s->at_test);
    free(s->at_phase);
    free(s);
}

static void *writer(void *arg)
{
    struct checkpoint *c = arg;
    struct report_run *s = c->snap;
    struct lc_error err = {0};
    double t0 = lc_now();
    if (run_suite_write_files(s, c->out, &err) != 0)
        snprintf(c->error, sizeof(c->error), "%s", err.msg);
    else
        c->stats.written++;
    double took = lc_now() - t0;
    if (took > c->stats.max_write_s)
        c->stats.max_write_s = took;
    atomic_store(&c->writing, 0);
    return NULL;
}

void checkpoint_join(struct checkpoint *c)
{
    if (!c || !c->started)
        return;
    pthread_join(c->thread, NULL);
    c->started = 0;
    snap_free(c->snap, c->snap_running);
    c->snap = NULL;
    if (c->error[0] && !c->error_shown) {
        fprintf(stderr, "leakcheck: warning: checkpoint: %s\n", c->error);
        c->error_shown = 1;
    }
}

/* The run as far as it got: the finished tests (shared), the test under
 * way (taken) and where it was. */
static struct report_run *snap_new(const struct checkpoint *c, size_t ndone,
                                   struct report_test *running, const char *phase, double at_s)
{
    const struct report_run *rr = c->rr;
    struct report_run *s = lc_calloc(1, sizeof(*s));
    *s = *rr;
    s->tests = lc_calloc(ndone + 1, sizeof(*s->tests));
    s->ntests = 0;
    s->verdict = REPORT_PASS;
    for (size_t i = 0; i < ndone && i < rr->ntests; i++) {
        s->tests[s->ntests++] = rr->tests[i];
        if (rr->tests[i].verdict > s->verdict)
            s->verdict = rr->tests[i].verdict;
    }
    if (running) {
        s->tests[s->ntests++] = *running;
        s->verdict = REPORT_ERROR;
    }
    s->duration_s = rr->started_at > 0 ? lc_wall() - rr->started_at : 0;
    s->incomplete = 1;
    s->at_test = running && running->name ? lc_strdup(running->name) : NULL;
    s->at_phase = phase ? lc_strdup(phase) : NULL;
    s->at_s = at_s;
    s->checkpoint_s = c->interval_s;
    return s;
}

int checkpoint_write(struct checkpoint *c, size_t ndone, struct report_test *running,
                     const char *phase, double at_s)
{
    if (c->started && atomic_load(&c->writing)) {
        c->stats.skipped++;
        if (running)
            report_test_clear(running);
        free(running);
        return 1;
    }
    checkpoint_join(c);
    c->snap = snap_new(c, ndone, running, phase, at_s);
    c->snap_running = running != NULL;
    free(running); /* its contents moved into the snapshot */
    atomic_store(&c->writing, 1);
    if (pthread_create(&c->thread, NULL, writer, c) != 0) {
        /* no thread: write here, late rather than never */
        writer(c);
        snap_free(c->snap, c->snap_running);
        c->snap = NULL;
        return 0;
    }
    c->started = 1;
    return 0;
}

int checkpoint_ready(struct checkpoint *c)
{
    if (c->started && atomic_load(&c->writing)) {
        c->stats.skipped++;
        return 0;
    }
    return 1;
}

void checkpoint_note_build(struct checkpoint *c, double secs)
{
    if (secs > c->stats.max_build_s)
        c->stats.max_build_s = secs;
}

struct checkpoint_stats checkpoint_stats(struct checkpoint *c)
{
    checkpoint_join(c);
    return c->stats;
}

void checkpoint_free(struct checkpoint *c)
{
    if (!c)
        return;
    checkpoint_join(c);
    free(c->out);
    free(c);
}
