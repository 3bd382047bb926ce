/*
 * tests/unit/test_pprof.c: goroutine debug=1 profiles captured from real Go
 * programs (tests/data/pprof/: Go 1.19 from tests/data/capture/, Go 1.27
 * from buf), label values, errors and damaged input. Expected frames come
 * from the capture program's source, found by text, not typed in. Heap
 * profiles: test_pprof_heap.c.
 */
#include "pprof_check.h"

/* The stack whose leaf is `leaf` and whose labels are `labels` (NULL: none). */
static const struct pprof_stack *find(const struct pprof_profile *p, const char *leaf,
                                      const char *labels)
{
    for (size_t i = 0; i < p->nstacks; i++) {
        const struct pprof_stack *st = &p->stacks[i];
        if (st->nframes == 0 || strcmp(st->frames[0].func, leaf) != 0)
            continue;
        if ((labels == NULL) != (st->labels == NULL))
            continue;
        if (!labels || strcmp(labels, st->labels) == 0)
            return st;
    }
    fail_msg("no stack with leaf %s", leaf);
    return NULL;
}

static void frame_is(const struct pprof_frame *f, const char *func, const char *file, int line)
{
    assert_string_equal(f->func, func);
    if (!ends_with(f->file, file))
        fail_msg("frame %s: file %s does not end with %s", func, f->file, file);
    assert_int_equal(f->line, line);
    assert_true(f->pc != 0);
}

static struct pprof_profile *parse_g(const char *text, size_t len)
{
    struct lc_error err = {0};
    struct pprof_profile *p = pprof_parse_goroutine(text, len, &err);
    if (!p)
        fail_msg("line %d col %d: %s", err.line, err.col, err.msg);
    uint64_t sum = 0;
    for (size_t i = 0; i < p->nstacks; i++)
        sum += p->stacks[i].count;
    assert_int_equal(sum, p->total);
    unsigned long long total = 0;
    assert_int_equal(sscanf(text, "goroutine profile: total %llu", &total), 1);
    assert_int_equal(total, p->total);
    check_against_text(text, p);
    return p;
}

/* The Go 1.19 goroutine profile, parsed once for the tests that read it. */
struct fixture {
    char *text;
    struct pprof_profile *p;
};

static int setup_g119(void **state)
{
    struct fixture *f = lc_calloc(1, sizeof(*f));
    size_t n;
    f->text = load(G119 "goroutine-debug1.txt", &n);
    f->p = parse_g(f->text, n);
    *state = f;
    return 0;
}

static int teardown_g119(void **state)
{
    struct fixture *f = *state;
    pprof_free(f->p);
    free(f->text);
    free(f);
    return 0;
}

/* Known groups of the capture program: the stack with leaf `leaf` (and no
 * labels) has `count` goroutines and frame `idx` is `func` at the line of
 * `needle` after `anchor` in the program's source file `src`. */
static const struct group {
    const char *leaf;
    unsigned count;
    size_t idx;
    const char *func, *src, *anchor, *needle;
} groups[] = {
    {"main.waitOnChan", 3, 0, "main.waitOnChan", "main.go", "func waitOnChan()", "<-never"},
    {"main.waitInSelect", 2, 0, "main.waitInSelect", "main.go", "func waitInSelect()", "select {"},
    {"main.recvInlined", 1, 0, "main.recvInlined", "main.go", "func recvInlined(", "return <-ch"},
    {"main.recvInlined", 1, 1, "main.callsInlined", "main.go", "func callsInlined()",
     "recvInlined(never)"},
    {"main.waitInSpacedFile", 1, 0, "main.waitInSpacedFile", "wait here.go",
     "func waitInSpacedFile()", "<-never"},
    {"main.genericWait[...]", 1, 0, "main.genericWait[...]", "main.go", "func genericWait[",
     "<-ch"},
    {"main.(*pool).wait", 1, 0, "main.(*pool).wait", "main.go", "func (p *pool) wait()", "<-p.ch"},
    {"sync.runtime_SemacquireMutex", 1, 2, "sync.(*Mutex).Lock", NULL, NULL, NULL},
    {"sync.runtime_SemacquireMutex", 1, 3, "main.waitOnMutex", "main.go", "func waitOnMutex()",
     "locked.Lock()"},
    {"time.Sleep", 1, 1, "main.waitInSleep", "main.go", "func waitInSleep()", "time.Sleep("},
};

static void test_goroutine_go119_groups(void **state)
{
    const struct pprof_profile *p = ((struct fixture *)*state)->p;
    assert_int_equal(p->kind, PPROF_GOROUTINE);
    for (size_t i = 0; i < LC_ARRAY_LEN(groups); i++) {
        const struct group *g = &groups[i];
        const struct pprof_stack *st = find(p, g->leaf, NULL);
        assert_int_equal(st->count, g->count);
        assert_true(g->idx < st->nframes);
        const struct pprof_frame *f = &st->frames[g->idx];
        assert_string_equal(f->func, g->func);
        if (!g->src)
            continue;
        char path[128], tail[64];
        snprintf(path, sizeof(path), SRC "%s", g->src);
        snprintf(tail, sizeof(tail), "/tests/data/capture/%s", g->src);
        frame_is(f, g->func, tail, src_line(path, g->anchor, g->needle));
    }
    assert_true(ends_with(find(p, "time.Sleep", NULL)->frames[0].file, "/src/runtime/time.go"));
    /* IO wait: one goroutine reads a socket from main.waitOnRead */
    int found = 0;
    for (size_t i = 0; i < p->nstacks; i++) {
        const struct pprof_stack *st = &p->stacks[i];
        const struct pprof_frame *last = &st->frames[st->nframes - 1];
        if (strcmp(last->func, "main.waitOnRead") != 0)
            continue;
        assert_string_equal(st->frames[0].func, "internal/poll.runtime_pollWait");
        assert_int_equal(last->line, src_line(SRC "main.go", "func waitOnRead(", "c.Read(b[:])"));
        found++;
    }
    assert_int_equal(found, 1);
}

static void test_goroutine_labels(void **state)
{
    const struct pprof_profile *p = ((struct fixture *)*state)->p;
    /* same stack, different labels: separate records */
    const struct pprof_stack *beta =
        find(p, "main.waitOnChan", "{\"role\":\"reader\", \"shard\":\"3\", \"worker\":\"beta\"}");
    const struct pprof_stack *alpha =
        find(p, "main.waitOnChan", "{\"role\":\"reader\", \"shard\":\"3\", \"worker\":\"alpha\"}");
    assert_int_equal(beta->count, 2);
    assert_int_equal(alpha->count, 1);
    assert_int_equal(beta->nframes, 3);
    assert_string_equal(beta->frames[1].func, "main.labelled.func1");
    assert_string_equal(beta->frames[2].func, "runtime/pprof.Do");
    const char *want[][2] = {{"worker", "beta"}, {"shard", "3"}, {"role", "reader"}};
    for (size_t i = 0; i < LC_ARRAY_LEN(want); i++) {
        char *v = pprof_label_value(beta->labels, want[i][0]);
        assert_non_null(v);
        assert_string_equal(v, want[i][1]);
        free(v);
    }
    assert_null(pprof_label_value(beta->labels, "work"));
    assert_null(pprof_label_value(NULL, "worker"));
    const struct pprof_stack *req =
        find(p, "time.Sleep", "{\"request\":\"GET /x?y=\\\"z\\\"\\tend\"}");
    char *v = pprof_label_value(req->labels, "request");
    assert_string_equal(v, "GET /x?y=\"z\"\tend");
    free(v);
    const char *odd = "{\"k\":\"\\u00e9\\x41\\U0001F600\", \"bad\":\"\\q\"}";
    v = pprof_label_value(odd, "k");
    assert_string_equal(v, "\xc3\xa9"
                           "A\xf0\x9f\x98\x80");
    free(v);
    assert_null(pprof_label_value(odd, "bad"));
    assert_null(pprof_label_value("{\"k\":\"v", "k"));
}

/* Go 1.27 (buf): the same grammar, with paths trimmed (-trimpath). */
static void test_goroutine_go12x(void **state)
{
    (void)state;
    size_t n;
    char *t = load(G12X "buf-goroutine-debug1.txt", &n);
    struct pprof_profile *p = parse_g(t, n);
    assert_true(p->nstacks >= 6);
    const struct pprof_stack *st = find(p, "os/signal.signal_recv", NULL);
    assert_int_equal(st->nframes, 2);
    assert_string_equal(st->frames[0].file, "runtime/sigqueue.go");
    assert_string_equal(st->frames[1].func, "os/signal.loop");
    assert_string_equal(st->frames[1].file, "os/signal/signal_unix.go");
    find(p, "internal/poll.runtime_pollWait", NULL);
    pprof_free(p);
    free(t);
}

/* A profile cut anywhere is an error with a position, never data. */
static void test_goroutine_every_prefix_rejected(void **state)
{
    (void)state;
    const char *files[] = {G119 "goroutine-debug1.txt", G12X "buf-goroutine-debug1.txt"};
    for (size_t f = 0; f < LC_ARRAY_LEN(files); f++) {
        size_t n;
        char *t = load(files[f], &n);
        for (size_t k = 0; k < n; k++) {
            struct lc_error err = {0};
            struct pprof_profile *p = pprof_parse_goroutine(t, k, &err);
            if (p)
                fail_msg("%s cut at %zu parsed", files[f], k);
            assert_true(err.msg[0] != '\0');
            assert_true(k == 0 || err.line >= 1);
        }
        free(t);
    }
}

static void expect_error(int heap, const char *text, int line, int col, const char *words)
{
    struct lc_error err = {0};
    size_t n = strlen(text);
    struct pprof_profile *p =
        heap ? pprof_parse_heap(text, n, &err) : pprof_parse_goroutine(text, n, &err);
    assert_null(p);
    if (!strstr(err.msg, words))
        fail_msg("\"%s\" lacks \"%s\"", err.msg, words);
    if (err.line != line || (col && err.col != col))
        fail_msg("%s: at %d:%d, expected %d:%d", text, err.line, err.col, line, col);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        int heap;
        const char *text;
        int line, col;
        const char *words;
    } bad[] = {
        {0, "", 0, 0, "empty"},
        {1, "\x1f\x8b\x08\x00", 1, 1, "debug=1"},
        {0, "<html><body>404</body></html>\n", 1, 1, "HTML"},
        {0, "heap profile: 1: 2 [3: 4] @ heap/1024\n", 1, 1, "not a goroutine profile"},
        {1, "goroutine profile: total 1\n", 1, 1, "not a heap profile"},
        {0, "goroutine profile: total 1\n1 @ 0x1\n#\t0xZZ\tf+0x1\ta.go:1\n\n", 3, 3, "hex PC"},
        {0, "goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tf+0x1\ta.go:x\n\n", 3, 0, "FILE:LINE"},
        {0, "goroutine profile: total 1\n99999999999999999999 @ 0x1\n\n", 2, 1, "a record"},
        {0, "goroutine profile: total 1\n1 @ 0x1 0x12345678901234567\n\n", 2, 9, "hex PC"},
        {0, "goroutine profile: total 2\n1 @ 0x1\n\n", 4, 1, "header says 2"},
        {0, "goroutine profile: total 1\n1 @ 0x1\nfoo\n\n", 3, 1, "frame line"},
        {0, "goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tf+0x1\ta.go:1\n", 4, 1, "cut short"},
        {0, "goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tf+0x1\ta.go:1", 3, 19, "cut short"},
        {0, "goroutine profile: total 1\n1 @ 0x1\n#\t0x1\n# labels: {}\n\n", 4, 1, "labels"},
        {1, "heap profile: 1: 2 [3: 4] @ heap/1024\n1: 2 [3: 4] @ 0x1\n\n", 4, 1, "MemStats"},
        {1, "heap profile: 1: 2 [3: 4] @ heap/1024\n1: 2 [3: 5] @ 0x1\n\n# runtime.MemStats\n", 4,
         1, "header's figures"},
        {1, "heap profile: 0: 0 [0: 0] @ heap/1024\n\n# runtime.MemStats\n# Alloc = 1\n", 5, 1,
         "before DebugGC"},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(bad); i++)
        expect_error(bad[i].heap, bad[i].text, bad[i].line, bad[i].col, bad[i].words);
}

/* Odd but valid: CRLF line ends, a frame with only a PC, one without a
 * file, an unknown '#' line, a function name with spaces. */
static void test_odd_but_valid(void **state)
{
    (void)state;
    const char *text = "goroutine profile: total 3\r\n"
                       "2 @ 0x4977a1 0x1\r\n"
                       "#\t0x4977a1\r\n"
                       "#\t0x2\t\ttype:.eq.[2]interface {}+0x10\r\n"
                       "# some future comment\r\n"
                       "#\t0x3\tmain.f+0x1\t\t/a dir/x\ty.go:7\r\n"
                       "\r\n"
                       "1 @ 0x5\n\n";
    struct lc_error err = {0};
    struct pprof_profile *p = pprof_parse_goroutine(text, strlen(text), &err);
    assert_non_null(p);
    assert_int_equal(p->nstacks, 2);
    const struct pprof_stack *st = &p->stacks[0];
    assert_int_equal(st->nframes, 3);
    assert_true(st->frames[0].pc == 0x4977a1);
    assert_string_equal(st->frames[0].func, "");
    assert_string_equal(st->frames[0].file, "");
    assert_int_equal(st->frames[0].line, 0);
    assert_string_equal(st->frames[1].func, "type:.eq.[2]interface {}");
    assert_string_equal(st->frames[1].file, "");
    assert_string_equal(st->frames[2].file, "/a dir/x\ty.go");
    assert_int_equal(st->frames[2].line, 7);
    assert_int_equal(p->stacks[1].nframes, 0);
    pprof_free(p);
}

/* Random damage to real profiles: errors or data, never a crash (run under
 * valgrind to see reads out of bounds). */
static void test_damaged_input(void **state)
{
    (void)state;
    const char *files[] = {G119 "goroutine-debug1.txt", G119 "heap-debug1.txt"};
    uint32_t x = 2463534242u;
    for (size_t f = 0; f < LC_ARRAY_LEN(files); f++) {
        size_t n;
        char *t = load(files[f], &n);
        char *d = lc_malloc(n);
        for (int round = 0; round < 300; round++) {
            memcpy(d, t, n);
            for (int k = 0; k < 1 + round % 8; k++) {
                x ^= x << 13, x ^= x >> 17, x ^= x << 5;
                d[x % n] = "\t\n :#@0x[]/-9\r\"{}"[(x >> 8) % 18];
            }
            struct lc_error err = {0};
            pprof_free(pprof_parse_goroutine(d, n, &err));
            pprof_free(pprof_parse_heap(d, n, &err));
            pprof_free(pprof_parse_goroutine(d, x % n, &err));
        }
        free(d);
        free(t);
    }
}

/* A profile of `n` records: record i is stack i % nstacks (or, with
 * nstacks 0, a stack of its own: its own PC and function), labelled. */
static char *records(size_t n, size_t nstacks, size_t *len)
{
    struct lc_buf b = {0};
    lc_buf_printf(&b, "goroutine profile: total %zu\n", n);
    for (size_t i = 0; i < n; i++) {
        size_t k = nstacks ? i % nstacks : i;
        lc_buf_printf(&b, "1 @ 0x%zx 0x46b9a1\n# labels: {\"req\":\"r%zu\"}\n", 0x400000 + k, i);
        lc_buf_printf(&b, "#\t0x%zx\tmain.work%zu+0x34\t/src/main.go:%zu\n", 0x400000 + k, k,
                      10 + k);
        lc_buf_puts(&b, "#\t0x46b9a0\tmain.main+0x20\t/src/main.go:5\n\n");
    }
    *len = b.len;
    return b.data;
}

/* 20,000 labelled records of three stacks: the records of a stack share
 * one frame list and its strings; the store holds the labels and little
 * else. */
static void test_records_share_frames(void **state)
{
    (void)state;
    size_t len;
    char *t = records(20000, 3, &len);
    struct pprof_profile *p = parse_g(t, len);
    assert_int_equal(p->nstacks, 20000);
    for (size_t i = 3; i < p->nstacks; i++) {
        const struct pprof_stack *st = &p->stacks[i], *same = &p->stacks[i % 3];
        assert_ptr_equal(st->frames, same->frames);
        assert_int_equal(st->nframes, 2);
        assert_ptr_not_equal(st->frames, p->stacks[(i + 1) % 3].frames);
        char want[32];
        snprintf(want, sizeof(want), "{\"req\":\"r%zu\"}", i);
        assert_string_equal(st->labels, want);
    }
    assert_ptr_equal(p->stacks[0].frames[1].func, p->stacks[1].frames[1].func);
    assert_int_equal(p->stacks[2].frames[0].line, 12);
    /* a copy of each record's labels (17 bytes, 32 in the arena) and
     * little else: a copy of its frames too (2 x 32 bytes) would not fit */
    assert_true(pprof_store_size(p->store) < 20000 * 48);
    pprof_free(p);
    free(t);
}

/* Records of distinct stacks, more of them than the parser remembers lines
 * (a profile of unrelated goroutines): each read in full, none mixed up. */
static void test_distinct_stacks_flood(void **state)
{
    (void)state;
    size_t len, n = 70000;
    char *t = records(n, 0, &len);
    struct pprof_profile *p = parse_g(t, len);
    assert_int_equal(p->nstacks, n);
    for (size_t i = 0; i < n; i += 997) {
        char want[32];
        snprintf(want, sizeof(want), "main.work%zu", i);
        assert_string_equal(p->stacks[i].frames[0].func, want);
        assert_true(p->stacks[i].frames[0].pc == 0x400000 + i);
        assert_int_equal(p->stacks[i].frames[0].line, (int)(10 + i));
        assert_string_equal(p->stacks[i].frames[1].func, "main.main");
    }
    pprof_free(p);
    free(t);
}

/* Frame lines alike at both ends (the same PC, file and line; function
 * names differing only in their middle) are different lines. */
static void test_lines_differing_in_the_middle(void **state)
{
    (void)state;
    struct lc_buf b = {0};
    enum { N = 200 };
    lc_buf_printf(&b, "goroutine profile: total %d\n", N);
    for (int i = 0; i < N; i++)
        lc_buf_printf(&b,
                      "1 @ 0x46b9a1\n#\t0x46b9a0\tmain.(*aLongReceiverTypeName).m%03d_"
                      "and_a_long_tail+0x34\t/src/a/long/path/main.go:7\n\n",
                      i);
    struct pprof_profile *p = parse_g(b.data, b.len);
    for (int i = 0; i < N; i++) {
        char want[64];
        snprintf(want, sizeof(want), "main.(*aLongReceiverTypeName).m%03d_and_a_long_tail", i);
        assert_string_equal(p->stacks[i].frames[0].func, want);
    }
    pprof_free(p);
    lc_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_goroutine_go119_groups, setup_g119, teardown_g119),
        cmocka_unit_test_setup_teardown(test_goroutine_labels, setup_g119, teardown_g119),
        cmocka_unit_test(test_goroutine_go12x),
        cmocka_unit_test(test_goroutine_every_prefix_rejected),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_odd_but_valid),
        cmocka_unit_test(test_damaged_input),
        cmocka_unit_test(test_records_share_frames),
        cmocka_unit_test(test_distinct_stacks_flood),
        cmocka_unit_test(test_lines_differing_in_the_middle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
