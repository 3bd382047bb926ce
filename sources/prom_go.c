/* sources/prom_go.c: the live heap from Go's Prometheus collector. */
#include <math.h>

#include "sources/pprof.h"
#include "sources/prom.h"

#define NEXT_GC "go_memstats_next_gc_bytes"
#define NUM_GC "go_gc_duration_seconds_count"
#define GOGC "go_gc_gogc_percent"
#define LIMIT "go_gc_gomemlimit_bytes"
#define SYS "go_memstats_sys_bytes"
#define HEAP_SYS "go_memstats_heap_sys_bytes"
#define HEAP_INUSE "go_memstats_heap_inuse_bytes"
#define HEAP_ALLOC "go_memstats_heap_alloc_bytes"
#define HEAP_RELEASED "go_memstats_heap_released_bytes"

const char *const prom_go_heap_names[] = {NEXT_GC,  NUM_GC,     GOGC,       LIMIT,        SYS,
                                          HEAP_SYS, HEAP_INUSE, HEAP_ALLOC, HEAP_RELEASED};
const size_t prom_go_heap_nnames = LC_ARRAY_LEN(prom_go_heap_names);

static int one(const struct prom_set *s, const char *name, double *out)
{
    return s && prom_sum(s, name, NULL, 0, out) == 1 ? 0 : -1;
}

int prom_go_gogc(const struct prom_set *s, double *out)
{
    double v;
    /* as Go takes GOGC: an int32, a negative one meaning off */
    if (one(s, GOGC, &v) != 0 || !(v >= -2147483648.0 && v <= 2147483647.0) || v != floor(v))
        return -1;
    *out = v < 0 ? -1 : v;
    return 0;
}

int prom_go_memlimit(const struct prom_set *s, double *out)
{
    double v;
    if (one(s, LIMIT, &v) != 0 || !(v >= 0))
        return -1;
    *out = v < 9223372036854775807.0 ? v : INFINITY; /* math.MaxInt64: none */
    return 0;
}

/* a figure of the room under the memory limit: NaN when absent */
static double fig(const struct prom_set *s, const char *name)
{
    double v;
    return one(s, name, &v) == 0 ? v : NAN;
}

int prom_go_live_heap(const struct prom_set *s, double gogc, double limit, double *out,
                      double *numgc)
{
    double next, n;
    if (one(s, NEXT_GC, &next) != 0 || one(s, NUM_GC, &n) != 0 || !(n >= 0 && n < 1e18))
        return -1;
    *numgc = n;
    struct go_mem m = {fig(s, SYS), fig(s, HEAP_SYS), fig(s, HEAP_INUSE), fig(s, HEAP_ALLOC),
                       fig(s, HEAP_RELEASED)};
    double room = go_heap_room(limit, &m);
    *out = go_live_heap(next, n, gogc, room);
    return 0;
}
