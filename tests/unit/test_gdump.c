/*
 * tests/unit/test_gdump.c: goroutine dumps captured from real programs --
 * Go 1.19 debug=2 (tests/data/pprof/go1.19/, tests/data/culprits/go1.19/
 * from dumpsrc: frames elided, locked to thread, nil channel, minutes),
 * Go 1.27 debug=2 from buf, Go 1.26 SIGQUIT and stack-overflow dumps from
 * esbuild ("gp= m=" headers, "...N frames elided...", "in goroutine N"),
 * dumps cut short, and input that is no dump. Expected lines come from the
 * programs' sources or from an independent scan of the text.
 */
#include "pprof_check.h"

#include "sources/gdump.h"

#define CULP "tests/data/culprits/"
#define DUMPSRC CULP "dumpsrc/main.go"

static struct gdump *parse_file(const char *path, char **text)
{
    size_t n;
    struct lc_error err = {0};
    *text = load(path, &n);
    struct gdump *d = gdump_parse(*text, n, &err);
    if (!d)
        fail_msg("%s: line %d col %d: %s", path, err.line, err.col, err.msg);
    return d;
}

/* Goroutine headers counted in the text, independently of the parser. */
static size_t count_headers(const char *text)
{
    size_t n = 0;
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        unsigned long long id;
        char c;
        if (sscanf(p, "goroutine %llu%c", &id, &c) == 2 && (c == ' ' || c == '['))
            n++;
    }
    return n;
}

static const struct gdump_goroutine *by_id(const struct gdump *d, uint64_t id)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->g[i].id == id)
            return &d->g[i];
    fail_msg("no goroutine %llu", (unsigned long long)id);
    return NULL;
}

static const struct gdump_goroutine *by_leaf(const struct gdump *d, const char *leaf)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->g[i].nframes && strcmp(d->g[i].frames[0].func, leaf) == 0)
            return &d->g[i];
    fail_msg("no goroutine with leaf %s", leaf);
    return NULL;
}

/* goroutines_blocked: channel and select waits only, whatever follows the
 * state (a nil channel, no cases, minutes, locked to thread). */
static void test_count_blocked(void **state)
{
    (void)state;
    char *text;
    struct gdump *d = parse_file("tests/data/pprof/go1.19/goroutine-debug2.txt", &text);
    assert_int_equal(gdump_count_blocked(d), 13); /* 11 chan receive, 2 select */
    gdump_free(d);
    free(text);
    static const char dump[] =
        "goroutine 1 [chan send]:\nmain.a()\n\t/a.go:1 +0x1\n\n"
        "goroutine 2 [chan receive (nil chan), 5 minutes]:\nmain.a()\n\t/a.go:1 +0x1\n\n"
        "goroutine 3 [select (no cases), locked to thread]:\nmain.a()\n\t/a.go:1 +0x1\n\n"
        "goroutine 4 [select, 2 minutes]:\nmain.a()\n\t/a.go:1 +0x1\n\n"
        "goroutine 5 [sync.Cond.Wait]:\nmain.a()\n\t/a.go:1 +0x1\n\n"
        "goroutine 6 [semacquire]:\nmain.a()\n\t/a.go:1 +0x1\n\n"
        "goroutine 7 [IO wait]:\nmain.a()\n\t/a.go:1 +0x1\n\n"
        "goroutine 8 [chan]:\nmain.a()\n\t/a.go:1 +0x1\n\n"
        "goroutine 9 [selected]:\nmain.a()\n\t/a.go:1 +0x1\n";
    struct lc_error err = {0};
    d = gdump_parse(dump, sizeof(dump) - 1, &err);
    if (!d)
        fail_msg("%s", err.msg);
    assert_int_equal(d->n, 9);
    assert_int_equal(gdump_count_blocked(d), 4);
    gdump_free(d);
    assert_int_equal(gdump_count_blocked(NULL), 0);
}

static void test_go119(void **state)
{
    (void)state;
    char *text;
    struct gdump *d = parse_file(G119 "goroutine-debug2.txt", &text);
    assert_int_equal(d->n, count_headers(text));
    assert_false(d->truncated);
    /* an inlined frame ("(...)", no offset) above its caller */
    const struct gdump_goroutine *g = by_leaf(d, "main.recvInlined");
    assert_string_equal(g->state, "chan receive");
    assert_int_equal(g->wait_minutes, -1);
    assert_int_equal(g->nframes, 2);
    assert_true(ends_with(g->frames[0].file, "/tests/data/capture/main.go"));
    assert_int_equal(g->frames[0].line,
                     src_line(SRC "main.go", "func recvInlined(", "return <-ch"));
    assert_string_equal(g->frames[1].func, "main.callsInlined");
    assert_string_equal(g->created_by, "main.startWaiters");
    assert_int_equal(g->creator_id, 0);
    assert_true(g->created_line > 0);
    /* a space in the file name, a generic function, a mutex wait */
    g = by_leaf(d, "main.waitInSpacedFile");
    assert_true(ends_with(g->frames[0].file, "/wait here.go"));
    assert_int_equal(g->frames[0].line,
                     src_line(SRC "wait here.go", "func waitInSpacedFile()", "<-never"));
    assert_non_null(by_leaf(d, "main.genericWait[...]"));
    g = by_leaf(d, "sync.runtime_SemacquireMutex");
    assert_string_equal(g->state, "semacquire");
    assert_string_equal(g->frames[3].func, "main.waitOnMutex");
    /* the main goroutine has no creator */
    g = by_id(d, 1);
    assert_null(g->created_by);
    assert_string_equal(g->frames[0].func, "main.main");
    gdump_free(d);
    free(text);
}

static void test_go127_buf(void **state)
{
    (void)state;
    char *text;
    struct gdump *d = parse_file(G12X "buf-goroutine-debug2.txt", &text);
    assert_int_equal(d->n, count_headers(text));
    const struct gdump_goroutine *g = by_id(d, 33);
    assert_string_equal(g->state, "running");
    assert_string_equal(g->created_by, "net/http.(*Server).Serve");
    assert_int_equal(g->creator_id, 12);
    assert_string_equal(g->created_file, "net/http/server.go");
    assert_int_equal(g->created_line, 3604);
    /* "runtime.goexit({})": arguments in braces */
    g = by_id(d, 34);
    assert_string_equal(g->frames[g->nframes - 1].func, "runtime.goexit");
    assert_string_equal(g->frames[g->nframes - 1].file, "runtime/asm_amd64.s");
    assert_int_equal(g->creator_id, 33);
    g = by_id(d, 14);
    assert_string_equal(g->frames[g->nframes - 1].func, "go.lsp.dev/jsonrpc2.(*conn).run");
    gdump_free(d);
    free(text);
}

static void test_go126_sigquit(void **state)
{
    (void)state;
    char *text;
    struct gdump *d = parse_file(G12X "esbuild-sigquit.txt", &text);
    assert_int_equal(d->n, count_headers(text));
    const struct gdump_goroutine *g = by_id(d, 0);
    assert_string_equal(g->state, "idle");
    assert_string_equal(g->frames[0].func, "runtime.futex");
    /* "... +0x21 fp=0x... sp=0x... pc=0x..." after the line number */
    assert_string_equal(g->frames[0].file, "runtime/sys_linux_amd64.s");
    assert_int_equal(g->frames[0].line, 569);
    g = by_id(d, 2);
    assert_string_equal(g->state, "force gc (idle)");
    assert_string_equal(g->created_by, "runtime.init.7");
    assert_int_equal(g->creator_id, 1);
    g = by_id(d, 17);
    assert_string_equal(g->state, "GC sweep wait");
    gdump_free(d);
    free(text);
}

static void test_go126_elided(void **state)
{
    (void)state;
    char *text;
    struct gdump *d = parse_file(CULP "go1.2x/esbuild-stack-overflow.txt", &text);
    assert_int_equal(d->n, count_headers(text));
    const struct gdump_goroutine *g = by_id(d, 21);
    assert_string_equal(g->state, "running");
    assert_true(g->elided);
    unsigned long long want = 0;
    const char *e = strstr(text, " frames elided...");
    while (e > text && e[-1] >= '0' && e[-1] <= '9')
        e--;
    assert_int_equal(sscanf(e, "%llu", &want), 1);
    assert_int_equal(g->elided_count, want);
    /* the runtime prints 50 function lines before and after the cut;
     * inlined "(...)" frames are function lines too */
    assert_true(g->nframes >= 100);
    assert_string_equal(g->frames[0].func,
                        "github.com/evanw/esbuild/internal/js_parser.(*parser).parsePrefix");
    assert_string_equal(g->created_by,
                        "github.com/evanw/esbuild/internal/bundler.(*scanner).maybeParseFile");
    assert_int_equal(g->creator_id, 1);
    /* "runtime stack:" before it belongs to no goroutine */
    for (size_t i = 0; i < d->n; i++)
        for (size_t k = 0; k < d->g[i].nframes; k++)
            assert_string_not_equal(d->g[i].frames[k].func, "runtime.throw");
    gdump_free(d);
    free(text);
}

static void test_go119_dumpsrc(void **state)
{
    (void)state;
    char *text;
    struct gdump *d = parse_file(CULP "go1.19/dump-debug2.txt", &text);
    assert_int_equal(d->n, count_headers(text));
    const struct gdump_goroutine *g = by_leaf(d, "main.lockedWait");
    assert_string_equal(g->state, "select (no cases)");
    assert_true(g->locked);
    g = by_leaf(d, "main.nilReceive");
    assert_string_equal(g->state, "chan receive (nil chan)");
    assert_false(g->locked);
    assert_int_equal(g->frames[0].line, src_line(DUMPSRC, "func nilReceive()", "<-ch"));
    /* Go <= 1.20: at most 100 frames, then a line with no count */
    g = by_leaf(d, "syscall.Syscall");
    assert_string_equal(g->state, "syscall");
    assert_true(g->elided);
    assert_int_equal(g->elided_count, 0);
    assert_int_equal(g->nframes, 100);
    assert_string_equal(g->frames[1].func, "main.descend");
    assert_string_equal(g->created_by, "main.start");
    size_t senders = 0;
    for (size_t i = 0; i < d->n; i++)
        senders += strcmp(d->g[i].state, "chan send") == 0 &&
                   strcmp(d->g[i].frames[0].func, "main.sendForever") == 0;
    assert_int_equal(senders, 4);
    gdump_free(d);
    free(text);
}

static void test_go119_minutes(void **state)
{
    (void)state;
    char *text;
    struct gdump *d = parse_file(CULP "go1.19/dump-debug2-minutes.txt", &text);
    const struct gdump_goroutine *g = by_leaf(d, "main.lockedWait");
    assert_string_equal(g->state, "select (no cases)");
    assert_true(g->wait_minutes >= 1);
    assert_true(g->locked);
    g = by_leaf(d, "main.sendForever");
    assert_string_equal(g->state, "chan send");
    assert_true(g->wait_minutes >= 1);
    gdump_free(d);
    free(text);
}

/* The runtime cuts a dump at 64 MB, mid-line: complete goroutines are kept. */
static void test_truncated(void **state)
{
    (void)state;
    size_t n;
    char *text = load(G119 "goroutine-debug2.txt", &n);
    const char *cut = strstr(text, "main.waitInSpacedFile()");
    assert_non_null(cut);
    size_t at = (size_t)(cut - text) + 10; /* in the middle of that line */
    char *part = lc_strndup(text, at);
    struct lc_error err = {0};
    struct gdump *d = gdump_parse(part, at, &err);
    assert_non_null(d);
    assert_true(d->truncated);
    assert_int_equal(d->n, count_headers(part));
    /* the goroutine cut short has its header but not the cut frame */
    assert_int_equal(d->g[d->n - 1].nframes, 0);
    gdump_free(d);
    /* cut right after a function line: its file line is missing */
    const char *nl = strchr(cut, '\n');
    at = (size_t)(nl - text) + 1;
    d = gdump_parse(text, at, &err);
    assert_non_null(d);
    assert_true(d->truncated);
    assert_string_equal(d->g[d->n - 1].frames[0].file, "");
    gdump_free(d);
    free(part);
    free(text);
}

/* Every cut of real dumps parses (keeping what is whole) or fails with a
 * message: never a crash, never a goroutine that is not in the text. */
static void test_every_cut(void **state)
{
    (void)state;
    const char *files[] = {G12X "esbuild-sigquit.txt", CULP "go1.2x/esbuild-stack-overflow.txt",
                           CULP "go1.19/dump-debug2-minutes.txt"};
    for (size_t f = 0; f < LC_ARRAY_LEN(files); f++) {
        size_t n;
        char *text = load(files[f], &n);
        for (size_t at = 0; at <= n; at += 7) {
            char *part = lc_strndup(text, at);
            struct lc_error err = {0};
            struct gdump *d = gdump_parse(part, at, &err);
            /* a header cut mid-line is not a goroutine yet */
            char *nl = strrchr(part, '\n');
            if (nl)
                nl[1] = '\0';
            else
                part[0] = '\0';
            if (d)
                assert_int_equal(d->n, count_headers(part));
            else
                assert_true(err.msg[0] != '\0');
            gdump_free(d);
            free(part);
        }
        free(text);
    }
}

static void expect_error(const char *text, size_t len, const char *needle, int line)
{
    struct lc_error err = {0};
    struct gdump *d = gdump_parse(text, len, &err);
    assert_null(d);
    if (!strstr(err.msg, needle))
        fail_msg("error \"%s\" lacks \"%s\"", err.msg, needle);
    assert_int_equal(err.line, line);
}

static void test_errors(void **state)
{
    (void)state;
    size_t n;
    char *text = load(G119 "goroutine-debug1.txt", &n);
    expect_error(text, n, "not a goroutine dump", 1);
    free(text);
    expect_error("", 0, "not a goroutine dump", 1);
    expect_error("\x1f\x8b\x08\x00\x00\x00", 6, "debug=0", 1);
    const char *bad = "goroutine 1 [running]:\nmain.main()\n\t/x.go:1\n\ngoroutine 5 [chan "
                      "receive\nmain.f()\n";
    expect_error(bad, strlen(bad), "malformed goroutine header", 5);
}

/* Goroutines of the same stack (the same functions, files and lines)
 * share one frame list; goroutines of other stacks do not. */
static void test_frames_shared(void **state)
{
    (void)state;
    char *text;
    struct gdump *d = parse_file(CULP "go1.19/goroutine-leak-final-goroutine-debug2.txt", &text);
    size_t shared = 0;
    for (size_t i = 0; i < d->n; i++)
        for (size_t j = i + 1; j < d->n; j++) {
            const struct gdump_goroutine *a = &d->g[i], *b = &d->g[j];
            int same = a->nframes == b->nframes;
            for (size_t k = 0; same && k < a->nframes; k++)
                same = strcmp(a->frames[k].func, b->frames[k].func) == 0 &&
                       strcmp(a->frames[k].file, b->frames[k].file) == 0 &&
                       a->frames[k].line == b->frames[k].line;
            assert_int_equal(same && a->nframes > 0, a->frames == b->frames && a->frames);
            shared += same && a->nframes > 0;
        }
    assert_true(shared > 100); /* 400 leaked goroutines of one stack */
    gdump_free(d);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_go119),         cmocka_unit_test(test_go127_buf),
        cmocka_unit_test(test_go126_sigquit), cmocka_unit_test(test_go126_elided),
        cmocka_unit_test(test_go119_dumpsrc), cmocka_unit_test(test_go119_minutes),
        cmocka_unit_test(test_truncated),     cmocka_unit_test(test_errors),
        cmocka_unit_test(test_every_cut),     cmocka_unit_test(test_frames_shared),
        cmocka_unit_test(test_count_blocked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
