/* sources/prom_go.c: the live heap from Go's Prometheus collector. */
#include <math.h>

#include "sources/pprof.h"
#include "sources/prom.h"

#define NEXT_GC "go_memstats_next_gc_bytes"
#define NUM_GC "go_gc_duration_seconds_count"
#define GOGC "go_gc_gogc_percent"

const char *const prom_go_heap_names[] = {NEXT_GC, NUM_GC, GOGC};
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

int prom_go_live_heap(const struct prom_set *s, double gogc, double *out, double *numgc)
{
    double next, n;
    if (one(s, NEXT_GC, &next) != 0 || one(s, NUM_GC, &n) != 0 || !(n >= 0 && n < 1e18))
        return -1;
    *numgc = n;
    *out = go_live_heap(next, n, gogc);
    return 0;
}
