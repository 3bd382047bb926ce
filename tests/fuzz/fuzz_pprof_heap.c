/*
 * tests/fuzz/fuzz_pprof_heap.c: pprof_parse_heap on arbitrary text (an
 * exact-size buffer, not NUL-terminated), then the figures leakcheck reads
 * from the MemStats trailer are looked up.
 */
#include "sources/pprof.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"HeapAlloc", "HeapInuse", "HeapObjects",
                                        "HeapSys",   "NumGC",     ""};
    char *text = fuzz_copy(data, size, 0);
    struct lc_error err = {0};
    struct pprof_profile *p = pprof_parse_heap(text, size, &err);
    if (p) {
        FUZZ_CHECK(p->kind == PPROF_HEAP);
        for (size_t i = 0; i < p->nstacks; i++)
            for (size_t j = 0; j < p->stacks[i].nframes; j++)
                FUZZ_CHECK(p->stacks[i].frames[j].func && p->stacks[i].frames[j].file);
        for (size_t i = 0; i < p->nmemstats; i++)
            FUZZ_CHECK(p->memstats[i].name != NULL);
        for (size_t i = 0; i < LC_ARRAY_LEN(names); i++) {
            double v;
            (void)pprof_memstat(p, names[i], &v);
        }
        pprof_free(p);
    } else {
        FUZZ_CHECK(err.msg[0] != '\0');
    }
    free(text);
    return 0;
}
