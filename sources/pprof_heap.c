/*
 * sources/pprof_heap.c: heap?debug=1 profiles (runtime/pprof's
 * writeHeapInternal): the header, the records, and the "# runtime.MemStats"
 * trailer with its "# Name = value" lines.
 *
 * Trailer values come in four forms: a number ("# HeapAlloc = 123",
 * "# GCCPUFraction = 0.0123"), a pair ("# Stack = inuse / sys", kept as
 * Stack, StackInuse and StackSys), a boolean ("# DebugGC = false", kept as
 * 0 or 1) and a 256-entry ring ("# PauseNs = [...]", kept as the most recent
 * entry, the one NumGC points at). Unknown lines are skipped. Go always
 * prints DebugGC (MaxRSS may follow): a trailer without it was cut short.
 */
#include "sources/pprof_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RING 256

struct heap_state {
    size_t cap_memstats;
    int debug_gc_seen;
    uint64_t pause_ns[RING], pause_end[RING];
    size_t n_pause_ns, n_pause_end;
    uint64_t sum[4]; /* inuse objects, inuse bytes, alloc objects, alloc bytes */
};

static void add_stat(struct pp *pp, struct heap_state *hs, const char *name, size_t n, double v)
{
    struct pprof_profile *p = pp->prof;
    lc_grow((void **)&p->memstats, &hs->cap_memstats, p->nmemstats + 1, sizeof(*p->memstats));
    p->memstats[p->nmemstats].name = lc_strndup(name, n);
    p->memstats[p->nmemstats].value = v;
    p->nmemstats++;
}

/* "A: B [C: D]" at line[*i]. */
static int four_figures(struct pp *pp, size_t *i, uint64_t v[4])
{
    static const char *const sep[] = {": ", " [", ": ", "]"};
    for (int k = 0; k < 4; k++) {
        if (pp_u64(pp->line, pp->len, i, &v[k]) != 0)
            return pp_fail(pp, *i + 1, "expected a number");
        if (pp_lit(pp, i, sep[k]) != 0)
            return pp_fail(pp, *i + 1, "expected \"%s\"", sep[k]);
    }
    return 0;
}

/* "heap profile: A: B [C: D] @ heap/RATE" */
static int heap_header(struct pp *pp)
{
    struct pprof_profile *p = pp->prof;
    size_t i = 0;
    uint64_t v[4];
    if (pp_check_start(pp, "heap profile") != 0)
        return -1;
    pp_next(pp);
    if (pp_lit(pp, &i, "heap profile: ") != 0)
        return pp_fail(pp, 1, "not a heap profile (expected \"heap profile: ...\")");
    if (four_figures(pp, &i, v) != 0)
        return -1;
    if (pp_lit(pp, &i, " @ heap/") != 0)
        return pp_fail(pp, i + 1, "expected \" @ heap/RATE\"");
    if (pp_u64(pp->line, pp->len, &i, &p->rate) != 0 || i != pp->len || !pp->has_nl)
        return pp_fail(pp, i + 1, "expected the sampling rate and a line end");
    p->inuse_objects = v[0];
    p->inuse_bytes = v[1];
    p->alloc_objects = v[2];
    p->alloc_bytes = v[3];
    p->total = v[0];
    return 0;
}

static int heap_record(struct pp *pp, struct heap_state *hs)
{
    size_t i = 0;
    uint64_t v[4];
    if (four_figures(pp, &i, v) != 0)
        return -1;
    struct pprof_stack *st = pp_record(pp, i);
    if (!st)
        return -1;
    st->inuse_objects = st->count = v[0];
    st->inuse_bytes = v[1];
    st->alloc_objects = v[2];
    st->alloc_bytes = v[3];
    for (int k = 0; k < 4; k++)
        hs->sum[k] = hs->sum[k] + v[k] < hs->sum[k] ? UINT64_MAX : hs->sum[k] + v[k];
    return 0;
}

/* "[1 2 3 ...]" into ring (at most RING entries kept). Returns 0 or -1. */
static int parse_ring(const char *s, size_t n, uint64_t *ring, size_t *count)
{
    size_t i = 1;
    *count = 0;
    if (n < 2 || s[0] != '[' || s[n - 1] != ']')
        return -1;
    while (i < n - 1) {
        uint64_t v;
        if (pp_u64(s, n - 1, &i, &v) != 0)
            return -1;
        if (*count < RING)
            ring[*count] = v;
        (*count)++;
        if (i < n - 1 && s[i++] != ' ')
            return -1;
    }
    return 0;
}

/* A plain value: an integer, a float, true or false. Returns 0 or -1. */
static int plain_value(const char *s, size_t n, double *out)
{
    size_t i = 0;
    uint64_t u;
    if (n == 4 && memcmp(s, "true", 4) == 0)
        *out = 1;
    else if (n == 5 && memcmp(s, "false", 5) == 0)
        *out = 0;
    else if (pp_u64(s, n, &i, &u) == 0 && i == n)
        *out = (double)u;
    else {
        char tmp[64];
        const char *end = NULL;
        if (n == 0 || n >= sizeof(tmp))
            return -1;
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        if (lc_parse_double(tmp, &end, out) != 0 || end != tmp + n)
            return -1;
    }
    return 0;
}

/* "A / B": the pair of in-use and system bytes (Stack, MSpan, MCache). */
static int pair_value(struct pp *pp, struct heap_state *hs, const char *name, size_t nl,
                      const char *s, size_t n)
{
    size_t i = 0;
    uint64_t a, b;
    if (pp_u64(s, n, &i, &a) != 0 || i + 3 > n || memcmp(s + i, " / ", 3) != 0)
        return -1;
    i += 3;
    if (pp_u64(s, n, &i, &b) != 0 || i != n || nl > 64)
        return -1;
    char full[80];
    add_stat(pp, hs, name, nl, (double)a);
    memcpy(full, name, nl);
    memcpy(full + nl, "Inuse", 5);
    add_stat(pp, hs, full, nl + 5, (double)a);
    memcpy(full + nl, "Sys", 3);
    add_stat(pp, hs, full, nl + 3, (double)b);
    return 0;
}

/* One "# Name = value" trailer line; anything else is skipped. */
static void trailer_line(struct pp *pp, struct heap_state *hs)
{
    const char *s = pp->line;
    size_t n = pp->len, i = 2;
    if (n < 2 || s[0] != '#' || s[1] != ' ')
        return;
    while (i < n && (s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
                     (s[i] >= '0' && s[i] <= '9')))
        i++;
    size_t nl = i - 2;
    if (nl == 0 || i + 3 > n || memcmp(s + i, " = ", 3) != 0)
        return;
    const char *name = s + 2, *v = s + i + 3;
    size_t vn = n - i - 3;
    double d;
    if (vn > 0 && v[0] == '[') {
        if (nl == 7 && memcmp(name, "PauseNs", 7) == 0)
            parse_ring(v, vn, hs->pause_ns, &hs->n_pause_ns);
        else if (nl == 8 && memcmp(name, "PauseEnd", 8) == 0)
            parse_ring(v, vn, hs->pause_end, &hs->n_pause_end);
    } else if (plain_value(v, vn, &d) == 0) {
        add_stat(pp, hs, name, nl, d);
        if (nl == 7 && memcmp(name, "DebugGC", 7) == 0)
            hs->debug_gc_seen = 1;
    } else {
        pair_value(pp, hs, name, nl, v, vn);
    }
}

/* PauseNs and PauseEnd: the ring entry of the most recent GC. */
static void add_rings(struct pp *pp, struct heap_state *hs)
{
    double numgc;
    /* Go's NumGC is a uint32: anything else (1e300, NaN) names no ring entry */
    if (pprof_memstat(pp->prof, "NumGC", &numgc) != 0 || !(numgc >= 0 && numgc <= 4294967295.0))
        return;
    uint64_t n = (uint64_t)numgc;
    size_t idx = (size_t)((n + RING - 1) % RING);
    if (hs->n_pause_ns == RING)
        add_stat(pp, hs, "PauseNs", 7, n ? (double)hs->pause_ns[idx] : 0);
    if (hs->n_pause_end == RING)
        add_stat(pp, hs, "PauseEnd", 8, n ? (double)hs->pause_end[idx] : 0);
}

static int check_totals(struct pp *pp, const struct heap_state *hs)
{
    const struct pprof_profile *p = pp->prof;
    /* Go 1.21+ adds 1 to the header's alloc bytes when they equal the in-use
     * bytes (so pprof does not take it for a 2-column profile). */
    if (hs->sum[0] != p->inuse_objects || hs->sum[1] != p->inuse_bytes ||
        hs->sum[2] != p->alloc_objects ||
        (hs->sum[3] != p->alloc_bytes && hs->sum[3] + 1 != p->alloc_bytes))
        return pp_fail(pp, 1,
                       "the records add up to %llu: %llu [%llu: %llu], not to the header's "
                       "figures (profile cut short?)",
                       (unsigned long long)hs->sum[0], (unsigned long long)hs->sum[1],
                       (unsigned long long)hs->sum[2], (unsigned long long)hs->sum[3]);
    return 0;
}

static int trailer(struct pp *pp, struct heap_state *hs)
{
    while (pp_next(pp)) {
        if (pp->len > 0 && pp->line[0] != '#')
            return pp_fail(pp, 1, "unexpected text in the runtime.MemStats trailer");
        trailer_line(pp, hs);
    }
    if (!pp->has_nl)
        return pp_fail(pp, pp->len + 1, "the last line is cut off (profile cut short)");
    pp_at_end(pp);
    if (!hs->debug_gc_seen)
        return pp_fail(pp, pp->len + 1,
                       "the runtime.MemStats trailer ends before DebugGC (profile cut short)");
    add_rings(pp, hs);
    return 0;
}

int pp_heap_body(struct pp *pp)
{
    static const char ms[] = "# runtime.MemStats";
    struct heap_state *hs = lc_calloc(1, sizeof(*hs));
    int rc = -1;
    while (pp_next(pp)) {
        if (pp->len == 0 && pp->has_nl)
            continue;
        if (pp->len == sizeof(ms) - 1 && memcmp(pp->line, ms, pp->len) == 0) {
            if (check_totals(pp, hs) == 0)
                rc = trailer(pp, hs);
            goto cleanup;
        }
        if (pp->line[0] < '0' || pp->line[0] > '9') {
            pp_fail(pp, 1, "expected a record (\"N: N [N: N] @ 0x...\") or the MemStats trailer");
            goto cleanup;
        }
        if (heap_record(pp, hs) != 0)
            goto cleanup;
    }
    pp_at_end(pp);
    pp_fail(pp, pp->len + 1, "no \"# runtime.MemStats\" trailer (profile cut short)");
cleanup:
    free(hs);
    return rc;
}

struct pprof_profile *pprof_parse_heap(const char *text, size_t len, struct lc_error *err)
{
    struct pp pp;
    pp_start(&pp, text, len, PPROF_HEAP, err);
    return pp_finish(&pp, heap_header(&pp) == 0 && pp_heap_body(&pp) == 0);
}

double go_heap_room(double limit, const struct go_mem *m)
{
    if (isinf(limit) && limit > 0)
        return INFINITY;
    double over = m->sys - m->heap_released - limit;
    if (isnan(over))
        return NAN;
    return limit - (m->sys - m->heap_sys) - (m->heap_inuse - m->heap_alloc) - fmax(over, 0);
}

/* NextGC is the heap goal the last GC set: the heap it marked live times
 * 1 + GOGC/100 (Go 1.18+ adds the stacks and globals to what is scaled,
 * which a goroutine-heavy service's figure includes a part of). */
double go_live_heap(double next_gc, double num_gc, double gogc, double room)
{
    /* before the first GC the goal is Go's 4 MB minimum, not a live heap;
     * with GOGC=off (and no memory limit) it is absurdly high; GOGC=0 sets
     * it at the marked heap */
    if (!(gogc >= 0) || !(num_gc >= 1) || !(next_gc > 0 && next_gc < 1e18) ||
        !(next_gc < fmin(GO_LIMIT_NEAR * room, room - GO_LIMIT_HEADROOM)))
        return NAN;
    return next_gc / (1.0 + gogc / 100.0);
}

double pprof_live_heap(const struct pprof_profile *p, double gogc, double limit)
{
    static const char *const names[] = {"NextGC",    "NumGC",     "Sys",         "HeapSys",
                                        "HeapInuse", "HeapAlloc", "HeapReleased"};
    double v[LC_ARRAY_LEN(names)];
    for (size_t i = 0; i < LC_ARRAY_LEN(names); i++)
        if (!p || pprof_memstat(p, names[i], &v[i]) != 0)
            v[i] = NAN;
    struct go_mem m = {v[2], v[3], v[4], v[5], v[6]};
    return go_live_heap(v[0], v[1], gogc, go_heap_room(limit, &m));
}
