/*
 * tests/fuzz/fuzz_pprof_goroutine.c: pprof_parse_goroutine on arbitrary text
 * (an exact-size buffer, not NUL-terminated), then every stack's frames and
 * labels are walked and a label looked up, and the first records are
 * grouped (culprit_stacks) exactly as their culprit_stack_key strings
 * compare; the whole input is also read as a "# labels:" value by
 * pprof_label_value.
 */
#include "culprits/culprit.h"
#include "sources/pprof.h"
#include "tests/fuzz/fuzz.h"

static void walk(const struct pprof_profile *p)
{
    for (size_t i = 0; i < p->nstacks; i++) {
        const struct pprof_stack *s = &p->stacks[i];
        for (size_t j = 0; j < s->nframes; j++)
            FUZZ_CHECK(s->frames[j].func && s->frames[j].file);
        if (s->labels) {
            free(pprof_label_value(s->labels, "k"));
            free(pprof_label_value(s->labels, ""));
        }
    }
}

static void groups(const struct pprof_profile *p)
{
    size_t n = p->nstacks < 24 ? p->nstacks : 24;
    struct culprit_stacks *t = culprit_stacks_new();
    char *key[24];
    size_t g[24];
    for (size_t i = 0; i < n; i++) {
        key[i] = culprit_stack_key(p->stacks[i].frames, p->stacks[i].nframes);
        g[i] = culprit_stacks_put(t, p->stacks[i].frames, p->stacks[i].nframes, NULL);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            FUZZ_CHECK((g[i] == g[j]) == (strcmp(key[i], key[j]) == 0));
    for (size_t i = 0; i < n; i++)
        free(key[i]);
    culprit_stacks_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size, 0);
    struct lc_error err = {0};
    struct pprof_profile *p = pprof_parse_goroutine(text, size, &err);
    if (p) {
        FUZZ_CHECK(p->kind == PPROF_GOROUTINE);
        walk(p);
        groups(p);
        pprof_free(p);
    } else {
        FUZZ_CHECK(err.msg[0] != '\0');
    }
    free(text);

    char *labels = fuzz_copy(data, size, 1);
    free(pprof_label_value(labels, "a"));
    free(labels);
    return 0;
}
