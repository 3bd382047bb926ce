/* culprits/culprit_heap.c: heap allocation sites that grew. */
#include "culprits/culprit_heap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * The debug=1 text holds the sums of the samples, not estimates of the
 * heap: Go scales only its protobuf output. Like `go tool pprof` reading
 * this text, each record is scaled by 1 / (1 - e^(-avg/rate)), avg being
 * the record's average object size and rate the sampling rate, which the
 * header's "@ heap/N" gives as N = 2 * rate.
 */
static void scaled(const struct pprof_profile *p, const struct pprof_stack *st, double *bytes,
                   double *objects)
{
    double rate = (double)p->rate / 2.0;
    *bytes = (double)st->inuse_bytes;
    *objects = (double)st->inuse_objects;
    if (rate <= 1 || st->inuse_objects == 0 || st->inuse_bytes == 0)
        return;
    double avg = *bytes / *objects;
    double scale = 1.0 / (1.0 - exp(-avg / rate));
    *bytes *= scale;
    *objects *= scale;
}

struct site {
    double bytes[2], objects[2];   /* base, final */
    const struct pprof_stack *rep; /* the final stack with the most in-use bytes */
    long frame;                    /* the naming frame of rep */
    int rep_side;                  /* which profile rep is from */
};

static void tally(struct culprit_table *t, struct site **ss, size_t *cap,
                  const struct pprof_profile *p, int side)
{
    for (size_t i = 0; p && i < p->nstacks; i++) {
        const struct pprof_stack *st = &p->stacks[i];
        long k = culprit_pick_frame(st->frames, st->nframes);
        char *loc = k >= 0 ? culprit_location(&st->frames[k]) : lc_strdup("?");
        char *key = lc_asprintf("%s\n%s", k >= 0 ? st->frames[k].func : "", loc);
        int added;
        size_t si = culprit_table_put(t, key, &added);
        free(key);
        free(loc);
        if (added) {
            lc_grow((void **)ss, cap, si + 1, sizeof(**ss));
            (*ss)[si] = (struct site){.frame = k};
        }
        struct site *s = &(*ss)[si];
        double bytes, objects;
        scaled(p, st, &bytes, &objects);
        s->bytes[side] += bytes;
        s->objects[side] += objects;
        if (!s->rep || (side == 1 && (s->rep_side == 0 || st->inuse_bytes > s->rep->inuse_bytes))) {
            s->rep = st;
            s->frame = k;
            s->rep_side = side;
        }
    }
}

/* level: what the site holds ("1 in-use object (1 at baseline)", the
 * baseline left out when there was no baseline profile), else how it
 * changed ("in-use objects 10 -> 1290 (+1280)"). */
static char *describe(const struct site *s, int level, int have_base)
{
    struct lc_buf b = {0};
    if (level) {
        lc_buf_printf(&b, "%.0f in-use object%s", s->objects[1], s->objects[1] == 1 ? "" : "s");
        if (have_base)
            lc_buf_printf(&b, " (%.0f at baseline)", s->objects[0]);
    } else {
        lc_buf_printf(&b, "in-use objects %.0f -> %.0f (%+.0f)", s->objects[0], s->objects[1],
                      s->objects[1] - s->objects[0]);
    }
    /* the innermost named frame: what did the allocating */
    for (size_t i = 0; i < s->rep->nframes; i++) {
        const struct pprof_frame *f = &s->rep->frames[i];
        if (!f->func || !*f->func)
            continue;
        if ((long)i != s->frame)
            lc_buf_printf(&b, "; allocated in %s", f->func);
        break;
    }
    /* goroutine stacks' descriptors: the runtime allocates them, and keeps
     * them for reuse, so this site follows the number of goroutines */
    if (s->frame >= 0 && strcmp(s->rep->frames[s->frame].func, "runtime.malg") == 0)
        lc_buf_puts(&b, "; goroutine descriptors: they follow the number of goroutines");
    return b.data;
}

/* Sites of final (against base) whose in-use bytes grew by at least min
 * (level 0) or hold at least min at the end (level 1). */
static size_t scan(const struct pprof_profile *base, const struct pprof_profile *final, double min,
                   int level, struct culprit_list *out)
{
    struct culprit_table *t = culprit_table_new();
    struct site *ss = NULL;
    size_t cap = 0, before = out->n;
    tally(t, &ss, &cap, base, 0);
    tally(t, &ss, &cap, final, 1);
    for (size_t i = 0; i < culprit_table_size(t); i++) {
        const struct site *s = &ss[i];
        double v = level ? s->bytes[1] : s->bytes[1] - s->bytes[0];
        if (v <= 0 || v < min || !s->rep)
            continue;
        const struct pprof_frame *f = s->frame >= 0 ? &s->rep->frames[s->frame] : NULL;
        char *loc = f ? culprit_location(f) : NULL;
        culprit_list_add(out, "heap", f ? f->func : "(unknown)", loc, s->bytes[0], s->bytes[1],
                         describe(s, level, base != NULL));
        free(loc);
    }
    free(ss);
    culprit_table_free(t);
    return out->n - before;
}

size_t culprit_heap(const struct pprof_profile *base, const struct pprof_profile *final,
                    double min_bytes, struct culprit_list *out)
{
    return scan(base, final, min_bytes, 0, out);
}

size_t culprit_heap_holders(const struct pprof_profile *base, const struct pprof_profile *final,
                            double min_bytes, struct culprit_list *out)
{
    return scan(base, final, min_bytes, 1, out);
}

double culprit_heap_total(const struct pprof_profile *p)
{
    double total = 0;
    for (size_t i = 0; p && i < p->nstacks; i++) {
        double bytes, objects;
        scaled(p, &p->stacks[i], &bytes, &objects);
        total += bytes;
    }
    return total;
}
