/*
 * tests/fuzz/fuzz_prom.c: prom_parse on arbitrary text (an exact-size
 * buffer, not NUL-terminated); then prom_sum for every sample's name, with
 * and without its first label as a matcher (which must match it).
 */
#include "framework/prom.h"
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size, 0);
    struct lc_error err = {0};
    struct prom_set *s = prom_parse(text, size, &err);
    if (s) {
        sums(s);
        prom_free(s);
    } else {
        FUZZ_CHECK(err.msg[0] != '\0');
    }
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
