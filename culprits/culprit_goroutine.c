/* culprits/culprit_goroutine.c: goroutine groups that grew between two
 * goroutine?debug=1 profiles, enriched from a debug=2 dump and Go's
 * goroutineleak profile. */
#include "culprits/culprit_goroutine.h"

#include <stdlib.h>
#include <string.h>

/* The innermost frame that has a function name, or NULL. */
static const struct pprof_frame *leaf_frame(const struct pprof_frame *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (f[i].func && *f[i].func)
            return &f[i];
    return NULL;
}

int culprit_goroutine_ignored(const struct pprof_stack *st, const struct suite_ignore *ig)
{
    return ig ? pprof_stack_listed(st, ig->top_function, ig->any_function) : 0;
}

uint64_t culprit_goroutine_kept(const struct pprof_profile *p, const struct suite_ignore *ig)
{
    return ig ? pprof_count_unlisted(p, ig->top_function, ig->any_function) : p->total;
}

/* One group of the diff. */
struct group {
    double before, after;
    const struct pprof_stack *rep; /* the largest final record (else base) */
    int final_rep;                 /* rep is from the final profile */
    size_t nlabelled;              /* final records with pprof labels */
    uint64_t proven;               /* goroutines Go's goroutineleak profile proves leaked */
};

/* What the debug=2 dump says about the goroutines of one stack key. */
struct dump_group {
    size_t count, locked;
    int max_minutes, mixed_states;
    const struct gdump_goroutine *first;
};

struct index {
    struct culprit_stacks *t;
    struct dump_group *g;
    size_t cap;
    struct culprit_table *by_site; /* "function\nlocation" -> same index space */
    long *site_to_group;
    size_t cap_site;
};

/* "function\nfile:line" of the frame that names the stack, or NULL. */
static char *site_key(const struct pprof_frame *f, size_t n)
{
    long k = culprit_pick_frame(f, n);
    if (k < 0)
        return NULL;
    char *loc = culprit_location(&f[k]);
    char *key = lc_asprintf("%s\n%s", f[k].func, loc);
    free(loc);
    return key;
}

static void index_site(struct index *ix, const struct gdump_goroutine *g, size_t gi)
{
    char *sk = site_key(g->frames, g->nframes);
    if (!sk)
        return;
    int added;
    size_t si = culprit_table_put(ix->by_site, sk, &added);
    if (added) {
        lc_grow((void **)&ix->site_to_group, &ix->cap_site, si + 1, sizeof(*ix->site_to_group));
        ix->site_to_group[si] = (long)gi;
    }
    free(sk);
}

static void index_dump(struct index *ix, const struct gdump *d)
{
    ix->t = culprit_stacks_new();
    ix->by_site = culprit_table_new();
    for (size_t i = 0; d && i < d->n; i++) {
        const struct gdump_goroutine *g = &d->g[i];
        int added;
        size_t gi = culprit_stacks_put(ix->t, g->frames, g->nframes, &added);
        if (added) {
            lc_grow((void **)&ix->g, &ix->cap, gi + 1, sizeof(*ix->g));
            ix->g[gi] = (struct dump_group){.max_minutes = -1, .first = g};
            index_site(ix, g, gi);
        }
        struct dump_group *dg = &ix->g[gi];
        dg->count++;
        dg->locked += g->locked != 0;
        if (g->wait_minutes > dg->max_minutes)
            dg->max_minutes = g->wait_minutes;
        if (strcmp(g->state, dg->first->state) != 0)
            dg->mixed_states = 1;
    }
}

static void index_free(struct index *ix)
{
    culprit_stacks_free(ix->t);
    culprit_table_free(ix->by_site);
    free(ix->g);
    free(ix->site_to_group);
}

/* The dump's goroutines of a group: same stack key, else same naming
 * frame (debug=1 and debug=2 cut deep stacks at different depths). */
static const struct dump_group *dump_match(const struct index *ix, const struct pprof_stack *st)
{
    long gi = culprit_stacks_find(ix->t, st->frames, st->nframes);
    if (gi >= 0)
        return &ix->g[gi];
    char *sk = site_key(st->frames, st->nframes);
    long si = sk ? culprit_table_find(ix->by_site, sk) : -1;
    free(sk);
    return si >= 0 ? &ix->g[ix->site_to_group[si]] : NULL;
}

/* What a leaf function says about the wait when there is no dump (debug=1
 * hides the runtime frames, so a leaf in the service's own code is a
 * channel operation or a select). */
static const char *state_guess(const char *leaf)
{
    if (strcmp(leaf, "time.Sleep") == 0)
        return "sleep";
    if (strcmp(leaf, "internal/poll.runtime_pollWait") == 0)
        return "IO wait";
    if (strncmp(leaf, "sync.runtime_Semacquire", 23) == 0)
        return "semacquire (sync.Mutex, RWMutex or WaitGroup)";
    if (strcmp(leaf, "sync.runtime_notifyListWait") == 0)
        return "sync.Cond.Wait";
    if (!culprit_is_std(leaf))
        return "channel send, receive or select";
    return NULL;
}

static void put_state(struct lc_buf *b, const struct dump_group *dg, const char *leaf)
{
    if (dg) {
        lc_buf_printf(b, "%s%s", dg->first->state, dg->mixed_states ? " (and other states)" : "");
        const char *st = dg->first->state;
        if (dg->max_minutes >= 1)
            lc_buf_printf(b, ", oldest waiting %d minute%s", dg->max_minutes,
                          dg->max_minutes == 1 ? "" : "s");
        else if (strcmp(st, "running") != 0 && strcmp(st, "runnable") != 0)
            lc_buf_puts(b, ", waiting < 1 minute");
        if (dg->locked)
            lc_buf_printf(b, ", %zu locked to a thread", dg->locked);
    } else if (leaf && state_guess(leaf)) {
        lc_buf_puts(b, state_guess(leaf));
    }
}

static char *describe(const struct group *g, const struct dump_group *dg, uint64_t proven)
{
    struct lc_buf b = {0};
    const struct pprof_frame *leaf = leaf_frame(g->rep->frames, g->rep->nframes);
    put_state(&b, dg, leaf ? leaf->func : NULL);
    long k = culprit_pick_frame(g->rep->frames, g->rep->nframes);
    if (leaf && leaf != &g->rep->frames[k]) {
        char *loc = culprit_location(leaf);
        lc_buf_printf(&b, "%sstopped in %s at %s", b.len ? "; " : "", leaf->func, loc);
        free(loc);
    }
    if (dg && dg->first->created_by) {
        lc_buf_printf(&b, "%screated by %s", b.len ? "; " : "", dg->first->created_by);
        if (dg->first->created_file && *dg->first->created_file)
            lc_buf_printf(&b, " at %s:%d", dg->first->created_file, dg->first->created_line);
    }
    if (proven)
        lc_buf_printf(&b, "%sproven leaked by Go's goroutineleak profile (%llu)", b.len ? "; " : "",
                      (unsigned long long)proven);
    if (g->rep->labels)
        lc_buf_printf(&b, "%slabels %s", b.len ? "; " : "", g->rep->labels);
    if (g->rep->labels && g->nlabelled > 1)
        lc_buf_printf(&b, " (and %zu more labelled records)", g->nlabelled - 1);
    lc_buf_puts(&b, "");
    return b.data;
}

/* Adds a profile's records to the groups: side 0 base, 1 final, 2 Go's
 * goroutineleak profile (whose records are never ignored). */
static void tally(struct culprit_stacks *t, struct group **gs, size_t *cap,
                  const struct pprof_profile *p, int side, const struct suite_ignore *ig)
{
    for (size_t i = 0; p && i < p->nstacks; i++) {
        const struct pprof_stack *st = &p->stacks[i];
        if (culprit_goroutine_ignored(st, ig))
            continue;
        int added;
        size_t gi = culprit_stacks_put(t, st->frames, st->nframes, &added);
        if (added) {
            lc_grow((void **)gs, cap, gi + 1, sizeof(**gs));
            (*gs)[gi] = (struct group){0};
        }
        struct group *g = &(*gs)[gi];
        if (side == 2) {
            g->proven += st->count;
            continue;
        }
        if (side == 0) {
            g->before += (double)st->count;
            if (!g->rep)
                g->rep = st;
            continue;
        }
        g->nlabelled += st->labels != NULL;
        if (!g->final_rep || st->count > g->rep->count)
            g->rep = st;
        g->after += (double)st->count;
        g->final_rep = 1;
    }
}

static void add_culprit(struct culprit_list *out, const struct group *g, const struct index *ix,
                        uint64_t proven)
{
    const struct pprof_stack *st = g->rep;
    long k = culprit_pick_frame(st->frames, st->nframes);
    char *loc = k >= 0 ? culprit_location(&st->frames[k]) : NULL;
    const struct dump_group *dg = dump_match(ix, st);
    struct culprit *c =
        culprit_list_add(out, "goroutine", k >= 0 ? st->frames[k].func : "(unknown)", loc,
                         g->before, g->after, describe(g, dg, proven));
    c->proven = proven > 0;
    free(loc);
}

/* Groups of final (against base) selected by growth (min_held 0) or, for
 * level culprits, by what they hold at the end (min_held > 0). */
static size_t scan(const struct pprof_profile *base, const struct pprof_profile *final,
                   const struct culprit_goroutine_opts *o, double min_held,
                   struct culprit_list *out)
{
    struct culprit_stacks *t = culprit_stacks_new();
    struct group *gs = NULL;
    size_t cap = 0, before = out->n;
    struct index ix = {0};
    tally(t, &gs, &cap, base, 0, o->ignore);
    tally(t, &gs, &cap, final, 1, o->ignore);
    tally(t, &gs, &cap, o->leaks, 2, NULL);
    index_dump(&ix, o->dump);
    for (size_t i = 0; i < culprit_stacks_size(t); i++) {
        const struct group *g = &gs[i];
        double growth = g->after - g->before;
        /* a record without a named frame (only runtime.goexit, which Go
         * leaves out) names nothing */
        if ((min_held > 0 ? g->after < min_held : growth <= 0) || !g->rep ||
            culprit_stack_unnamed(g->rep->frames, g->rep->nframes))
            continue;
        if (min_held > 0 || growth >= o->min_growth || g->proven > 0)
            add_culprit(out, g, &ix, g->proven);
    }
    index_free(&ix);
    free(gs);
    culprit_stacks_free(t);
    return out->n - before;
}

size_t culprit_goroutines(const struct pprof_profile *base, const struct pprof_profile *final,
                          const struct culprit_goroutine_opts *o, struct culprit_list *out)
{
    return scan(base, final, o, 0, out);
}

size_t culprit_goroutine_holders(const struct pprof_profile *base,
                                 const struct pprof_profile *final,
                                 const struct culprit_goroutine_opts *o, double min_held,
                                 struct culprit_list *out)
{
    return scan(base, final, o, min_held < 1 ? 1 : min_held, out);
}
