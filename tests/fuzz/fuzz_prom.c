/*
 * tests/fuzz/fuzz_prom.c: prom_parse on arbitrary text (an exact-size
 * buffer, not NUL-terminated); then prom_sum for every sample's name, with
 * and without its first label as a matcher (which must match it); and
 * prom_parse_only keeping the first sample's metric, which must fail with
 * the same error or keep exactly the full parse's samples of that name;
 * and the names of the text, with those nearest to go_goroutines; and Go's
 * live heap (prom_go_gogc, prom_go_memlimit, prom_go_live_heap), which must
 * be an int32 GOGC, a limit of 0 or more, and a positive finite live heap
 * below the goal, or nothing.
 */
#include <math.h>

#include "sources/prom.h"
#include "tests/fuzz/fuzz.h"

static void sums(const struct prom_set *s)
{
    for (size_t i = 0; i < s->nsamples && i < 64; i++) {
        const struct prom_sample *smp = &s->samples[i];
        double out = 0;
        FUZZ_CHECK(smp->name != NULL);
        FUZZ_CHECK(prom_sum(s, smp->name, NULL, 0, &out) >= 1);
        if (smp->nlabels == 0)
            continue;
        struct prom_matcher m = {smp->labels[0].name, smp->labels[0].value};
        FUZZ_CHECK(m.name && m.value);
        FUZZ_CHECK(prom_sum(s, smp->name, &m, 1, &out) >= 1);
    }
}

static int same_sample(const struct prom_sample *a, const struct prom_sample *b)
{
    int same = strcmp(a->name, b->name) == 0 && a->nlabels == b->nlabels &&
               a->has_timestamp == b->has_timestamp && a->timestamp_ms == b->timestamp_ms &&
               ((a->value != a->value && b->value != b->value) || a->value == b->value);
    for (size_t k = 0; same && k < a->nlabels; k++)
        same = strcmp(a->labels[k].name, b->labels[k].name) == 0 &&
               strcmp(a->labels[k].value, b->labels[k].value) == 0;
    return same;
}

/* prom_parse_only keeping `name` agrees with the full parse s (or err). */
static void only_agrees(const char *text, size_t size, const struct prom_set *s,
                        const struct lc_error *err, const char *name)
{
    struct lc_error e2 = {0};
    struct prom_set *o = prom_parse_only(text, size, &name, 1, &e2);
    FUZZ_CHECK(!o == !s);
    if (!o) {
        FUZZ_CHECK(strcmp(err->msg, e2.msg) == 0 && err->line == e2.line && err->col == e2.col);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < s->nsamples; i++)
        if (strcmp(s->samples[i].name, name) == 0)
            FUZZ_CHECK(k < o->nsamples && same_sample(&s->samples[i], &o->samples[k++]));
    FUZZ_CHECK(k == o->nsamples);
    prom_free(o);
}

/* The GOGC and live heap a scrape gives are ones Go could have. */
static void go_heap(const struct prom_set *s)
{
    double gogc = 100, limit = INFINITY, live = 0, numgc = -1, next = 0;
    if (prom_go_gogc(s, &gogc) == 0)
        FUZZ_CHECK(gogc == floor(gogc) && gogc >= -1 && gogc <= 2147483647.0);
    if (prom_go_memlimit(s, &limit) == 0)
        FUZZ_CHECK(limit >= 0);
    if (prom_go_live_heap(s, gogc, limit, &live, &numgc) != 0)
        return;
    FUZZ_CHECK(numgc >= 0 && numgc < 1e18);
    FUZZ_CHECK(isnan(live) || (live > 0 && isfinite(live)));
    if (!isnan(live))
        FUZZ_CHECK(prom_sum(s, "go_memstats_next_gc_bytes", NULL, 0, &next) == 1 && live <= next);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size, 0);
    struct lc_error err = {0};
    struct prom_set *s = prom_parse(text, size, &err);
    if (s) {
        sums(s);
        go_heap(s);
    } else {
        FUZZ_CHECK(err.msg[0] != '\0');
    }
    only_agrees(text, size, s, &err, s && s->nsamples ? s->samples[0].name : "x");
    prom_free(s);
    /* the names of any text, and those nearest to one of them */
    struct prom_names *n = prom_names_scan(text, size);
    const char *near[3];
    if (prom_names_count(n) > 0) {
        size_t k = prom_names_nearest(n, "go_goroutines", near, 3);
        FUZZ_CHECK(k <= 3);
        for (size_t i = 0; i < k; i++)
            FUZZ_CHECK(prom_names_has(n, near[i]));
    }
    prom_names_free(n);
    free(text);
    return 0;
}
