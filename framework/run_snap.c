/* framework/run_snap.c: the baseline and final snapshots of a run. */
#include "framework/run_snap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framework/fetch.h"
#include "framework/run_int.h"
#include "framework/target.h"

static int next_fetch(struct run *r, enum run_snap_at at);

/* Go cuts a debug=2 dump at 64 MB; binary profiles are smaller. */
#define SNAP_MAX_BYTES (65u << 20)
/* A fetch may take this long at least (debug=2 stops the world for
 * seconds when there are tens of thousands of goroutines). */
#define SNAP_MIN_TIMEOUT_S 10.0
#define SNAP_DUMP_TIMEOUT_S 20.0

static const struct {
    const char *query; /* after the pprof base URL */
    const char *file;  /* after "baseline-" or "final-" */
} what_info[SNAP__COUNT] = {
    [SNAP_G1] = {"/goroutine?debug=1", "goroutine.txt"},
    [SNAP_H1] = {"/heap?debug=1&gc=1", "heap.txt"},
    [SNAP_G0] = {"/goroutine?debug=0", "goroutine.pb.gz"},
    [SNAP_H0] = {"/heap?debug=0&gc=1", "heap.pb.gz"},
    [SNAP_G2] = {"/goroutine?debug=2", "goroutine-debug2.txt"},
    [SNAP_LEAK] = {"/goroutineleak?debug=1", "goroutineleak.txt"},
};

static const char *at_name(enum run_snap_at at)
{
    return at == RUN_SNAP_BASELINE ? "baseline" : "final";
}

static void save(struct run *r, const struct run_snap_req *q, const char *body, size_t len)
{
    struct lc_error err = {0};
    char *path = lc_asprintf("%s/%s-%s", r->dir, at_name(q->at), what_info[q->what].file);
    if (lc_write_file_atomic(path, body, len, &err) == 0)
        r->snap->side[q->at].saved[q->what] = 1;
    else
        progress(r, "cannot save a profile: %s", err.msg);
    free(path);
}

/* Go names the leak profile "goroutineleak profile: total N"; the
 * goroutine parser reads it once its first word is "goroutine". */
static struct pprof_profile *parse_leaks(const char *body, size_t len, struct lc_error *err)
{
    static const char prefix[] = "goroutineleak profile:";
    if (len < sizeof(prefix) - 1 || memcmp(body, prefix, sizeof(prefix) - 1) != 0) {
        lc_error_set(err, "does not start with \"%s\"", prefix);
        return NULL;
    }
    size_t skip = strlen("goroutineleak") - strlen("goroutine");
    char *copy = lc_strndup(body + skip, len - skip);
    memcpy(copy, "goroutine", strlen("goroutine"));
    struct pprof_profile *p = pprof_parse_goroutine(copy, len - skip, err);
    free(copy);
    return p;
}

/* Parses what the snapshot keeps parsed; returns -1 with err when the body
 * is not what was asked for. */
static int keep(struct run_snap *s, const struct run_snap_req *q, const char *body, size_t len,
                struct lc_error *err)
{
    struct run_snap_side *side = &s->side[q->at];
    switch (q->what) {
    case SNAP_G1:
        return (side->goroutines = pprof_parse_goroutine(body, len, err)) ? 0 : -1;
    case SNAP_H1:
        return (side->heap = pprof_parse_heap(body, len, err)) ? 0 : -1;
    case SNAP_G0:
    case SNAP_H0:
        if (len >= 2 && (unsigned char)body[0] == 0x1f && (unsigned char)body[1] == 0x8b)
            return 0;
        lc_error_set(err, "not a gzip-compressed profile");
        return -1;
    case SNAP_G2:
        return (s->dump = gdump_parse(body, len, err)) ? 0 : -1;
    case SNAP_LEAK:
        return (s->leaks = parse_leaks(body, len, err)) ? 0 : -1;
    case SNAP__COUNT:
        break;
    }
    return -1;
}

static void on_snap_fetched(const struct fetch_result *res, void *arg)
{
    const struct run_snap_req *q = arg;
    struct run *r = q->r;
    struct run_snap *s = r->snap;
    struct lc_error err = {0};
    /* no goroutineleak profile (before Go 1.26, or built without the
     * experiment): net/http/pprof answers 404, which is no news */
    int silent = q->what == SNAP_LEAK && (!res->ok || res->status == 404);
    if (fetch_check(res, &err) == 0 && keep(s, q, res->body, res->len, &err) == 0)
        save(r, q, res->body, res->len);
    if (err.msg[0] && !silent)
        progress(r, "%s snapshot: %s", at_name(q->at), err.msg);
    if (!next_fetch(r, q->at) && s->done)
        s->done(r);
}

/* One fetch at a time, in this order: whatever a handler holds while it
 * writes (compress/flate writers for debug=0 run to megabytes) must not be
 * live when the next forces a GC, and the heap profile the culprits are
 * computed from comes last, alone. */
static const enum run_snap_what order[] = {SNAP_G1, SNAP_G2, SNAP_LEAK, SNAP_G0, SNAP_H0, SNAP_H1};

static int start(struct run *r, enum run_snap_at at, enum run_snap_what what)
{
    struct run_snap *s = r->snap;
    struct run_snap_req *q = &s->reqs[at][what];
    double timeout = r->t->sample.timeout_s;
    if (timeout < SNAP_MIN_TIMEOUT_S)
        timeout = SNAP_MIN_TIMEOUT_S;
    if (what == SNAP_G2 && timeout < SNAP_DUMP_TIMEOUT_S)
        timeout = SNAP_DUMP_TIMEOUT_S;
    *q = (struct run_snap_req){r, at, what};
    char *url = lc_asprintf("%s%s", r->t->sample.pprof, what_info[what].query);
    int rc = fetch_get(r->fetch, url, timeout, SNAP_MAX_BYTES, NULL, on_snap_fetched, q);
    if (rc != 0)
        progress(r, "%s snapshot: libcurl could not start GET %s", at_name(at), url);
    free(url);
    return rc;
}

/* Starts the next fetch of snapshot `at`; returns 1 when one is under way. */
static int next_fetch(struct run *r, enum run_snap_at at)
{
    struct run_snap *s = r->snap;
    while (s->next < LC_ARRAY_LEN(order)) {
        enum run_snap_what w = order[s->next++];
        if (at == RUN_SNAP_BASELINE && (w == SNAP_G2 || w == SNAP_LEAK))
            continue;
        if (start(r, at, w) == 0) {
            s->pending = 1;
            return 1;
        }
    }
    s->pending = 0;
    return 0;
}

int run_snap_take(struct run *r, enum run_snap_at at, run_snap_done_cb *done)
{
    if (!r->snap)
        r->snap = lc_calloc(1, sizeof(*r->snap));
    struct run_snap *s = r->snap;
    pid_t pid = r->target ? target_pid(r->target) : 0;
    /* first, before our own fetches add connections to the target */
    if (pid > 0 && r->t->sample.proc) {
        struct lc_error err = {0};
        fdsnap_free(s->side[at].fds);
        if (!(s->side[at].fds = fdsnap_take(pid, &err)))
            progress(r, "%s snapshot of file descriptors: %s", at_name(at), err.msg);
    }
    if (!r->t->sample.pprof || !r->fetch)
        return 0;
    s->done = done;
    s->next = 0;
    return next_fetch(r, at);
}

void run_snap_free(struct run_snap *s)
{
    if (!s)
        return;
    for (int i = 0; i < 2; i++) {
        pprof_free(s->side[i].goroutines);
        pprof_free(s->side[i].heap);
        fdsnap_free(s->side[i].fds);
    }
    gdump_free(s->dump);
    pprof_free(s->leaks);
    free(s);
}
