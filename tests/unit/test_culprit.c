/*
 * tests/unit/test_culprit.c: the goroutine and heap diffs (culprit_goroutine.c,
 * culprit_heap.c) and their shared helpers (culprit.c), on profiles captured
 * from the real leaky services of tests/go/ (tests/data/culprits/go1.19/,
 * before and after 400 requests) and from the capture programs (labels,
 * Go 1.27). Expected functions and lines come from the Go sources; counts
 * from an independent reading of the texts.
 */
#include "pprof_check.h"

#include <math.h>

#include "culprits/culprit_goroutine.h"
#include "culprits/culprit_heap.h"
#include "sources/gdump.h"

#define CG "tests/data/culprits/go1.19/"
#define GLEAK_SRC "tests/go/goroutine-leak/main.go"
#define HLEAK_SRC "tests/go/heap-leak/main.go"

static struct pprof_profile *goroutines(const char *path)
{
    size_t n;
    struct lc_error err = {0};
    char *text = load(path, &n);
    struct pprof_profile *p = pprof_parse_goroutine(text, n, &err);
    if (!p)
        fail_msg("%s: %s", path, err.msg);
    free(text);
    return p;
}

static struct pprof_profile *heap(const char *path)
{
    size_t n;
    struct lc_error err = {0};
    char *text = load(path, &n);
    struct pprof_profile *p = pprof_parse_heap(text, n, &err);
    if (!p)
        fail_msg("%s: %s", path, err.msg);
    free(text);
    return p;
}

static struct gdump *dump(const char *path)
{
    size_t n;
    struct lc_error err = {0};
    char *text = load(path, &n);
    struct gdump *d = gdump_parse(text, n, &err);
    if (!d)
        fail_msg("%s: %s", path, err.msg);
    free(text);
    return d;
}

/* The count of the record whose frame lines hold `func`, read from the
 * text: the "N @ ..." line above it. 0 when there is none. */
static unsigned long record_count(const char *path, const char *func)
{
    size_t n;
    char *text = load(path, &n), *save = NULL;
    unsigned long count = 0, sum = 0;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (l[0] >= '0' && l[0] <= '9')
            count = strtoul(l, NULL, 10);
        else if (l[0] == '#' && strstr(l, func))
            sum += count, count = 0;
    }
    free(text);
    return sum;
}

static void test_std_and_pick(void **state)
{
    (void)state;
    const char *std[] = {"net/http.(*conn).serve",
                         "sync.(*Mutex).Lock",
                         "internal/poll.runtime_pollWait",
                         "runtime/pprof.Do",
                         "time.Sleep",
                         "vendor/golang.org/x/net/http2/hpack.(*Decoder).Write"};
    const char *own[] = {"main.main",
                         "github.com/bufbuild/buf/private/buf/buflsp.Serve.func1",
                         "golang.org/x/sync/errgroup.(*Group).Go.func1",
                         "leakcheck/testsvc/internal/svc.(*Server).Run",
                         "main.genericWait[...]",
                         ""};
    for (size_t i = 0; i < LC_ARRAY_LEN(std); i++)
        if (!culprit_is_std(std[i]))
            fail_msg("%s should be standard library", std[i]);
    for (size_t i = 0; i < LC_ARRAY_LEN(own); i++)
        if (culprit_is_std(own[i]))
            fail_msg("%s should not be standard library", own[i]);
    assert_true(culprit_is_runtime("runtime.gopark"));
    assert_false(culprit_is_runtime("runtime/pprof.Do"));
    /* frames of the captured Go 1.19 profile */
    struct pprof_profile *p = goroutines(G119 "goroutine-debug1.txt");
    for (size_t i = 0; i < p->nstacks; i++) {
        const struct pprof_stack *st = &p->stacks[i];
        long k = culprit_pick_frame(st->frames, st->nframes);
        assert_true(k >= 0);
        const char *leaf = st->frames[0].func, *picked = st->frames[k].func;
        if (strcmp(leaf, "time.Sleep") == 0)
            assert_string_equal(picked, "main.waitInSleep");
        else if (strcmp(leaf, "sync.runtime_SemacquireMutex") == 0)
            assert_string_equal(picked, "main.waitOnMutex");
        else if (strcmp(leaf, "os/signal.signal_recv") == 0)
            assert_string_equal(picked, "os/signal.loop"); /* all std: the outermost */
        else if (strcmp(leaf, "main.recvInlined") == 0)
            assert_string_equal(picked, "main.recvInlined");
        char *key = culprit_stack_key(st->frames, st->nframes);
        assert_null(strstr(key, "runtime.main")); /* package runtime is left out */
        free(key);
    }
    pprof_free(p);
}

static void test_goroutine_leak(void **state)
{
    (void)state;
    struct pprof_profile *b = goroutines(CG "goroutine-leak-baseline-goroutine.txt");
    struct pprof_profile *f = goroutines(CG "goroutine-leak-final-goroutine.txt");
    struct gdump *d = dump(CG "goroutine-leak-final-goroutine-debug2.txt");
    struct culprit_list l = {0};
    struct culprit_goroutine_opts o = {10, NULL, d, NULL};
    assert_int_equal(culprit_goroutines(b, f, &o, &l), 1);
    const struct culprit *c = &l.items[0];
    assert_string_equal(c->kind, "goroutine");
    assert_string_equal(c->function, "main.(*service).priceWithin.func1");
    char want[256];
    snprintf(want, sizeof(want), "/" GLEAK_SRC ":%d",
             src_line(GLEAK_SRC, "func (s *service) priceWithin(", "ch <- s.engine.price(sku)"));
    if (!ends_with(c->location, want))
        fail_msg("location %s, want ...%s", c->location, want);
    unsigned long n = record_count(CG "goroutine-leak-final-goroutine.txt", "priceWithin.func1");
    assert_true(n >= 10);
    assert_true(c->before == 0 && c->after == (double)n && c->growth == (double)n);
    assert_non_null(strstr(c->detail, "chan send"));
    snprintf(want, sizeof(want), "created by main.(*service).priceWithin at ");
    assert_non_null(strstr(c->detail, want));
    snprintf(want, sizeof(want), GLEAK_SRC ":%d",
             src_line(GLEAK_SRC, "func (s *service) priceWithin(", "go func() {"));
    assert_non_null(strstr(c->detail, want));
    assert_false(c->proven);
    culprit_list_free(&l);
    /* without the dump: a guess from the leaf, which is the service's own */
    o.dump = NULL;
    culprit_goroutines(b, f, &o, &l);
    assert_non_null(strstr(l.items[0].detail, "channel send, receive or select"));
    culprit_list_free(&l);
    /* a growth threshold above the leak: nothing; 1: also the record that
     * has no frame line at all ("1 @ 0x..."), which must name nothing */
    o.min_growth = (double)n + 1;
    assert_int_equal(culprit_goroutines(b, f, &o, &l), 0);
    o.min_growth = 1;
    culprit_goroutines(b, f, &o, &l);
    for (size_t i = 0; i < l.n; i++)
        assert_string_not_equal(l.items[i].function, "(unknown)");
    culprit_list_free(&l);
    /* Go's goroutineleak profile has this format; here the final profile
     * stands in for it: groups in it are proven, whatever their growth */
    o.min_growth = 1e9;
    o.leaks = f;
    assert_true(culprit_goroutines(b, f, &o, &l) >= 1);
    int seen = 0;
    for (size_t i = 0; i < l.n; i++) {
        assert_true(l.items[i].proven);
        assert_non_null(strstr(l.items[i].detail, "proven leaked"));
        seen |= strcmp(l.items[i].function, "main.(*service).priceWithin.func1") == 0;
    }
    assert_true(seen);
    culprit_list_free(&l);
    gdump_free(d);
    pprof_free(b);
    pprof_free(f);
}

/* Records that differ only by labels are one group; the ignore lists. */
static void test_labels_and_ignore(void **state)
{
    (void)state;
    struct pprof_profile *p = goroutines(G119 "goroutine-debug1.txt");
    struct culprit_list l = {0};
    struct culprit_goroutine_opts o = {1, NULL, NULL, NULL};
    culprit_goroutines(NULL, p, &o, &l);
    size_t labelled = 0;
    double want = 0;
    for (size_t i = 0; i < p->nstacks; i++)
        if (p->stacks[i].labels && strcmp(p->stacks[i].frames[0].func, "main.waitOnChan") == 0)
            want += (double)p->stacks[i].count;
    for (size_t i = 0; i < l.n; i++) {
        const struct culprit *c = &l.items[i];
        if (strcmp(c->function, "main.waitOnChan") != 0 || !strstr(c->detail, "labels"))
            continue;
        labelled++;
        assert_true(c->after == want);
        assert_non_null(strstr(c->detail, "more labelled records"));
    }
    assert_int_equal(labelled, 1);
    assert_true(want >= 2);
    culprit_list_free(&l);
    /* ignored: top_function by the innermost frame, any_function anywhere */
    char *top[] = {"main.waitOnChan", NULL}, *any[] = {"runtime/pprof.Do", NULL};
    struct suite_ignore ig = {top, 1, any, 1};
    uint64_t ignored = 0;
    for (size_t i = 0; i < p->nstacks; i++) {
        const struct pprof_stack *st = &p->stacks[i];
        int hit = strcmp(st->frames[0].func, top[0]) == 0;
        for (size_t k = 0; k < st->nframes; k++)
            hit |= strcmp(st->frames[k].func, any[0]) == 0;
        ignored += hit ? st->count : 0;
        assert_int_equal(culprit_goroutine_ignored(st, &ig), hit);
    }
    assert_true(ignored > 0);
    assert_int_equal(culprit_goroutine_kept(p, &ig), p->total - ignored);
    assert_int_equal(culprit_goroutine_kept(p, NULL), p->total);
    o.ignore = &ig;
    culprit_goroutines(NULL, p, &o, &l);
    for (size_t i = 0; i < l.n; i++) {
        assert_string_not_equal(l.items[i].function, "main.waitOnChan");
        assert_null(strstr(l.items[i].detail, "labels"));
    }
    culprit_list_free(&l);
    pprof_free(p);
}

static void test_go127(void **state)
{
    (void)state;
    struct pprof_profile *p = goroutines(G12X "buf-goroutine-debug1.txt");
    struct culprit_list l = {0};
    struct culprit_goroutine_opts o = {1, NULL, NULL, NULL};
    assert_int_equal(culprit_goroutines(p, p, &o, &l), 0);
    culprit_goroutines(NULL, p, &o, &l);
    int found = 0;
    for (size_t i = 0; i < l.n; i++)
        found |= strcmp(l.items[i].function,
                        "github.com/bufbuild/buf/private/buf/buflsp.Serve.func1") == 0 &&
                 ends_with(l.items[i].location, "buflsp.go:92");
    assert_true(found);
    culprit_list_sort(&l);
    for (size_t i = 1; i < l.n; i++)
        assert_true(l.items[i - 1].growth >= l.items[i].growth);
    culprit_list_free(&l);
    pprof_free(p);
}

static void test_heap_leak(void **state)
{
    (void)state;
    struct pprof_profile *b = heap(CG "heap-leak-baseline-heap.txt");
    struct pprof_profile *f = heap(CG "heap-leak-final-heap.txt");
    struct culprit_list l = {0};
    assert_true(culprit_heap(b, f, 1 << 20, &l) >= 1);
    culprit_list_sort(&l);
    const struct culprit *c = &l.items[0];
    assert_string_equal(c->kind, "heap");
    assert_string_equal(c->function, "main.render");
    char want[256];
    snprintf(want, sizeof(want), "/" HLEAK_SRC ":%d",
             src_line(HLEAK_SRC, "func render(", "fmt.Fprintf(&b, \"%s  %-32s"));
    if (!ends_with(c->location, want))
        fail_msg("location %s, want ...%s", c->location, want);
    assert_non_null(strstr(c->detail, "bytes.growSlice"));
    /* estimates from samples against what the runtime counted */
    double hb, hf;
    assert_int_equal(pprof_memstat(b, "HeapInuse", &hb), 0);
    assert_int_equal(pprof_memstat(f, "HeapInuse", &hf), 0);
    if (!(c->growth > 0.5 * (hf - hb) && c->growth < 2.0 * (hf - hb)))
        fail_msg("estimated growth %.0f, HeapInuse grew by %.0f", c->growth, hf - hb);
    /* the raw sample sums are far smaller: the estimate is scaled up */
    double raw = 0;
    for (size_t i = 0; i < f->nstacks; i++)
        raw += (double)f->stacks[i].inuse_bytes;
    assert_true(c->growth > raw);
    culprit_list_free(&l);
    assert_int_equal(culprit_heap(b, f, 1e12, &l), 0);
    assert_int_equal(culprit_heap(f, f, 1, &l), 0);
    pprof_free(b);
    pprof_free(f);
}

/* Level culprits: the largest holders at the end, whatever they grew by. */
static void test_holders(void **state)
{
    (void)state;
    struct pprof_profile *b = heap(CG "heap-leak-baseline-heap.txt");
    struct pprof_profile *f = heap(CG "heap-leak-final-heap.txt");
    struct culprit_list l = {0};
    double total = culprit_heap_total(f), hf;
    assert_int_equal(pprof_memstat(f, "HeapInuse", &hf), 0);
    if (!(total > 0.5 * hf && total < 2.0 * hf))
        fail_msg("estimated in-use total %.0f, HeapInuse %.0f", total, hf);
    assert_true(culprit_heap_total(NULL) == 0);
    /* compared with itself nothing grew, yet main.render holds the most */
    assert_int_equal(culprit_heap(f, f, 1, &l), 0);
    assert_true(culprit_heap_holders(f, f, 0.1 * total, &l) >= 1);
    culprit_list_sort(&l);
    const struct culprit *c = &l.items[0];
    for (size_t i = 1; i < l.n; i++)
        assert_true(l.items[i].after >= 0.1 * total);
    assert_string_equal(c->function, "main.render");
    assert_true(c->growth == 0 && c->after > 0.5 * total);
    assert_non_null(strstr(c->detail, " in-use objects ("));
    assert_non_null(strstr(c->detail, " at baseline)"));
    culprit_list_free(&l);
    /* without a baseline, its figure is not claimed */
    assert_true(culprit_heap_holders(NULL, f, 0.1 * total, &l) >= 1);
    assert_null(strstr(l.items[0].detail, "at baseline"));
    culprit_list_free(&l);
    assert_int_equal(culprit_heap_holders(b, f, 2 * total, &l), 0);
    pprof_free(b);
    pprof_free(f);

    struct pprof_profile *g = goroutines(CG "goroutine-leak-final-goroutine.txt");
    struct culprit_goroutine_opts o = {1, NULL, NULL, NULL};
    double kept = (double)culprit_goroutine_kept(g, NULL);
    assert_int_equal(culprit_goroutines(g, g, &o, &l), 0);
    assert_true(culprit_goroutine_holders(g, g, &o, 0.1 * kept, &l) >= 1);
    culprit_list_sort(&l);
    c = &l.items[0];
    assert_string_equal(c->function, "main.(*service).priceWithin.func1");
    assert_true(c->before == c->after && c->after >= 0.1 * kept);
    for (size_t i = 0; i < l.n; i++)
        assert_true(l.items[i].after >= 0.1 * kept);
    culprit_list_free(&l);
    /* a threshold of nothing still wants one goroutine */
    size_t n = culprit_goroutine_holders(g, g, &o, 0, &l);
    assert_true(n > 1);
    for (size_t i = 0; i < l.n; i++)
        assert_true(l.items[i].after >= 1);
    culprit_list_free(&l);
    pprof_free(g);
}

static void test_table(void **state)
{
    (void)state;
    struct culprit_table *t = culprit_table_new();
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        int added = 0;
        assert_int_equal(culprit_table_put(t, key, &added), (size_t)i);
        assert_true(added);
    }
    for (int i = 999; i >= 0; i--) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(culprit_table_find(t, key), i);
        assert_string_equal(culprit_table_key(t, (size_t)i), key);
    }
    int added = 1;
    assert_int_equal(culprit_table_put(t, "k5", &added), 5);
    assert_false(added);
    assert_int_equal(culprit_table_find(t, "nope"), -1);
    assert_int_equal(culprit_table_size(t), 1000);
    culprit_table_free(t);
    culprit_table_free(NULL);
}

/* The stacks of one set of frame lists: their key strings, and which
 * group culprit_stacks puts each in. */
struct stack_ref {
    const struct pprof_frame *f;
    size_t n;
};

static void check_groups_like_keys(const struct stack_ref *st, size_t n)
{
    struct culprit_stacks *t = culprit_stacks_new();
    char **key = lc_calloc(n, sizeof(*key));
    size_t *group = lc_calloc(n, sizeof(*group));
    for (size_t i = 0; i < n; i++) {
        key[i] = culprit_stack_key(st[i].f, st[i].n);
        int added = -1, fresh = 1;
        for (size_t j = 0; j < i; j++)
            fresh = fresh && strcmp(key[j], key[i]) != 0;
        group[i] = culprit_stacks_put(t, st[i].f, st[i].n, &added);
        assert_int_equal(added, fresh);
        assert_int_equal(culprit_stack_unnamed(st[i].f, st[i].n), key[i][0] == '\0');
    }
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(culprit_stacks_find(t, st[i].f, st[i].n), (long)group[i]);
        for (size_t j = 0; j < n; j++)
            if ((group[i] == group[j]) != (strcmp(key[i], key[j]) == 0))
                fail_msg("stacks %zu and %zu: groups %zu and %zu, keys\n%s---\n%s", i, j,
                         group[i], group[j], key[i], key[j]);
    }
    for (size_t i = 0; i < n; i++)
        free(key[i]);
    free(key);
    free(group);
    culprit_stacks_free(t);
}

/* Every record of captured profiles and dumps (two stores: the same
 * function names are different pointers): grouped exactly when their
 * culprit_stack_key strings are equal. */
static void test_stacks_group_like_keys(void **state)
{
    (void)state;
    struct pprof_profile *p[] = {goroutines(CG "goroutine-leak-baseline-goroutine.txt"),
                                 goroutines(CG "goroutine-leak-final-goroutine.txt"),
                                 goroutines(G119 "goroutine-debug1.txt")};
    struct gdump *d = dump(CG "goroutine-leak-final-goroutine-debug2.txt");
    struct stack_ref st[512];
    size_t n = 0;
    for (size_t k = 0; k < LC_ARRAY_LEN(p); k++)
        for (size_t i = 0; i < p[k]->nstacks && n < LC_ARRAY_LEN(st); i++)
            st[n++] = (struct stack_ref){p[k]->stacks[i].frames, p[k]->stacks[i].nframes};
    for (size_t i = 0; i < d->n && n < LC_ARRAY_LEN(st); i++)
        st[n++] = (struct stack_ref){d->g[i].frames, d->g[i].nframes};
    assert_true(n > 40);
    check_groups_like_keys(st, n);
    for (size_t k = 0; k < LC_ARRAY_LEN(p); k++)
        pprof_free(p[k]);
    gdump_free(d);
}

/* Stacks made to look alike: runtime frames and unnamed frames anywhere
 * (left out), names that are prefixes of others or run together, no
 * frames at all, the same list at two addresses. */
static void test_stacks_that_look_alike(void **state)
{
    (void)state;
    static struct pprof_frame f[][4] = {
        {{"main.a", "", 0, 0}, {"main.bc", "", 0, 0}},
        {{"main.ab", "", 0, 0}, {"c", "", 0, 0}},
        {{"runtime.gopark", "", 0, 0}, {"main.a", "", 0, 0}, {"main.bc", "", 0, 0}},
        {{"main.a", "", 0, 0}, {"", "", 0, 0}, {"main.bc", "", 0, 0}, {"runtime.goexit", "", 0, 0}},
        {{"main.a", "", 0, 0}},
        {{"main.a", "", 0, 0}, {"main.b", "", 0, 0}, {"main.c", "", 0, 0}},
        {{"runtime.goexit", "", 0, 0}},
        {{"", "", 0, 0}},
        {{"runtime/pprof.Do", "", 0, 0}, {"main.a", "", 0, 0}},
        {{"main.a", "a.go", 1, 1}, {"main.bc", "b.go", 2, 2}},
    };
    static const size_t len[] = {2, 2, 3, 4, 1, 3, 1, 1, 2, 2};
    struct pprof_frame copy[2] = {{"main.a", "", 0, 0}, {"main.bc", "", 0, 0}};
    struct stack_ref st[LC_ARRAY_LEN(len) + 2];
    for (size_t i = 0; i < LC_ARRAY_LEN(len); i++)
        st[i] = (struct stack_ref){f[i], len[i]};
    st[LC_ARRAY_LEN(len)] = (struct stack_ref){copy, 2};
    st[LC_ARRAY_LEN(len) + 1] = (struct stack_ref){NULL, 0};
    check_groups_like_keys(st, LC_ARRAY_LEN(st));
}

/* A flood of distinct stacks (more than the cache of frame lists holds):
 * each its own group, found again in any order. */
static void test_stacks_flood(void **state)
{
    (void)state;
    enum { N = 20000 };
    struct pprof_frame *f = lc_calloc(2 * N, sizeof(*f));
    char *names = lc_calloc(N, 16);
    struct culprit_stacks *t = culprit_stacks_new();
    for (size_t i = 0; i < N; i++) {
        snprintf(names + 16 * i, 16, "main.f%zu", i);
        f[2 * i] = (struct pprof_frame){names + 16 * i, "", 0, 0};
        f[2 * i + 1] = (struct pprof_frame){"main.main", "", 0, 0};
        int added = 0;
        assert_int_equal(culprit_stacks_put(t, &f[2 * i], 2, &added), i);
        assert_true(added);
    }
    for (size_t i = N; i-- > 0;) {
        int added = 1;
        assert_int_equal(culprit_stacks_put(t, &f[2 * i], 2, &added), i);
        assert_false(added);
        assert_int_equal(culprit_stacks_find(t, &f[2 * i], 1), -1); /* main.fI alone */
    }
    assert_int_equal(culprit_stacks_size(t), N);
    culprit_stacks_free(t);
    culprit_stacks_free(NULL);
    free(names);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_std_and_pick),
        cmocka_unit_test(test_goroutine_leak),
        cmocka_unit_test(test_labels_and_ignore),
        cmocka_unit_test(test_go127),
        cmocka_unit_test(test_heap_leak),
        cmocka_unit_test(test_holders),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_stacks_group_like_keys),
        cmocka_unit_test(test_stacks_that_look_alike),
        cmocka_unit_test(test_stacks_flood),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
