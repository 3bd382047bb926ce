/*
 * tests/fuzz/fuzz_pprof_goroutine.c: pprof_parse_goroutine on arbitrary text
 * (an exact-size buffer, not NUL-terminated), then every stack's frames and
 * labels are walked and a label looked up; the whole input is also read as
 * a "# labels:" value by pprof_label_value.
 */
#include "framework/pprof.h"
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size, 0);
    struct lc_error err = {0};
    struct pprof_profile *p = pprof_parse_goroutine(text, size, &err);
    if (p) {
        FUZZ_CHECK(p->kind == PPROF_GOROUTINE);
        walk(p);
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
