/* run/run_serving.c: the process whose /proc figures a run reads
 * (sources/serving.h picks it; this file ties it to the run). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>

#include "run/run_internal.h"
#include "run/sampler.h"
#include "sources/serving.h"
#include "target/target.h"

/* The port of an http(s) URL (80 or 443 when it names none); 0 without one. */
static int url_port(const char *url)
{
    CURLU *u = url ? curl_url() : NULL;
    char *port = NULL;
    long p = 0;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
        p = strtol(port, NULL, 10);
    curl_free(port);
    curl_url_cleanup(u);
    return p > 0 && p < 65536 ? (int)p : 0;
}

static void add_port(int *ports, size_t *n, int port)
{
    for (size_t i = 0; i < *n; i++)
        if (ports[i] == port)
            return;
    if (port > 0)
        ports[(*n)++] = port;
}

/* The port "measure": {"listening": PORT} names. */
static int listening_port(const struct suite_test *t)
{
    return t->target.measure_port > 0 ? t->target.measure_port : t->port;
}

void run_serving_start(struct run *r)
{
    const struct suite_test *t = r->t;
    int ports[4];
    size_t n = 0;
    enum serving_mode mode = SERVING_AUTO;
    if (!r->target || !t->sample.proc)
        return;
    if (t->target.measure == SUITE_MEASURE_STARTED)
        mode = SERVING_STARTED;
    if (t->target.measure == SUITE_MEASURE_LISTENING) {
        mode = SERVING_LISTENING;
        add_port(ports, &n, listening_port(t));
    } else {
        /* the test's own ${port} first: the service's main port when the
         * suite uses it; then the ports the service is sampled on */
        add_port(ports, &n, t->port);
        add_port(ports, &n, url_port(t->sample.pprof));
        add_port(ports, &n, url_port(t->sample.prometheus));
        add_port(ports, &n, url_port(t->target.ready));
    }
    r->serving = serving_new(target_pid(r->target), t->target.command != NULL, mode, ports, n);
}

int run_serving_ready(struct run *r)
{
    struct serving *s = r->serving;
    if (!s)
        return 0;
    int changed = serving_resolve(s);
    pid_t pid = serving_pid(s);
    if (pid == 0) {
        snprintf(r->ready_last, sizeof(r->ready_last),
                 "neither pid %ld nor any process it started listens on port %d "
                 "(target.measure)",
                 (long)serving_root(s), listening_port(r->t));
        return -1;
    }
    if (changed)
        progress(r, "measuring pid %ld (%s), not the target's pid %ld: %s", (long)pid,
                 serving_how(s), (long)serving_root(s), serving_command(s));
    sampler_set_pid(r->sampler, pid);
    return 0;
}

pid_t run_measured_pid(struct run *r)
{
    struct serving *s = r->serving;
    if (!s)
        return r->target ? target_pid(r->target) : 0;
    pid_t before = serving_pid(s);
    if (serving_check(s, lc_now()))
        progress(r, "now measuring pid %ld (%s) instead of pid %ld: %s", (long)serving_pid(s),
                 serving_how(s), (long)before, serving_command(s));
    if (r->sampler)
        sampler_set_pid(r->sampler, serving_pid(s));
    return serving_pid(s);
}

void run_serving_report(struct run *r, struct report_test *rt)
{
    struct serving *s = r->serving;
    if (!s || !r->sampling || serving_pid(s) <= 0)
        return;
    struct report_measured *m = &rt->measured;
    m->present = 1;
    m->pid = (long)serving_pid(s);
    m->command = lc_strdup(serving_command(s));
    m->how = lc_strdup(serving_how(s));
    m->started_pid = (long)serving_root(s);
    m->changes = serving_changes(s);
}
