/*
 * cli/cmd_diff.c: leakcheck diff BASE CURRENT -- the growth table of
 * two saved profile texts, like `go tool pprof -base` but readable in a
 * terminal. The kind is read from each file's first line: a goroutine
 * profile (goroutine?debug=1, or Go's goroutineleak profile), a goroutine
 * dump (goroutine?debug=2; a CURRENT dump also gives wait states and
 * creators) or a heap profile (heap?debug=1).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "culprits/culprit_goroutine.h"
#include "culprits/culprit_heap.h"
#include "sources/gdump.h"

#define DIFF_MAX_BYTES (256u << 20)

enum diff_kind { DK_GOROUTINE, DK_DUMP, DK_HEAP };

struct input {
    const char *path;
    enum diff_kind kind;
    struct pprof_profile *p; /* what is diffed (a dump is turned into one) */
    struct gdump *dump;      /* when the file is a dump */
};

static void usage(FILE *out)
{
    fputs("usage: leakcheck diff [--min N] [--top N] BASE CURRENT\n"
          "\n"
          "Prints what grew from BASE to CURRENT, two saved profile texts of the same\n"
          "kind: goroutine?debug=1 (or debug=2) or heap?debug=1, as leakcheck run saves\n"
          "them (baseline-goroutine.txt, final-goroutine.txt, ...).\n"
          "  --min N   leave out groups that grew by less than N (default 1; heap: bytes)\n"
          "  --top N   print at most N groups (default 20; 0: all)\n",
          out);
}

/* A dump as a goroutine profile: one record per goroutine, whose frames
 * are the dump's (borrowed: the profile has no store of its own). */
static struct pprof_profile *profile_of_dump(const struct gdump *d)
{
    struct pprof_profile *p = lc_calloc(1, sizeof(*p));
    p->kind = PPROF_GOROUTINE;
    p->stacks = lc_calloc(d->n + 1, sizeof(*p->stacks));
    for (size_t i = 0; i < d->n; i++) {
        struct pprof_stack *st = &p->stacks[p->nstacks++];
        st->count = 1;
        st->frames = d->g[i].frames;
        st->nframes = d->g[i].nframes;
    }
    p->total = d->n;
    return p;
}

static int load_input(struct input *in)
{
    struct lc_error err = {0};
    size_t len = 0;
    char *text = lc_read_file(in->path, DIFF_MAX_BYTES, &len, &err);
    if (!text) {
        cli_error("%s", err.msg);
        return -1;
    }
    if (strncmp(text, "heap profile:", 13) == 0) {
        in->kind = DK_HEAP;
        in->p = pprof_parse_heap(text, len, &err);
    } else if (strncmp(text, "goroutineleak profile:", 22) == 0) {
        in->kind = DK_GOROUTINE;
        memcpy(text + 4, "goroutine", 9);
        in->p = pprof_parse_goroutine(text + 4, len - 4, &err);
    } else if (strncmp(text, "goroutine profile:", 18) == 0) {
        in->kind = DK_GOROUTINE;
        in->p = pprof_parse_goroutine(text, len, &err);
    } else {
        in->kind = DK_DUMP;
        if ((in->dump = gdump_parse(text, len, &err)) != NULL)
            in->p = profile_of_dump(in->dump);
        else
            lc_error_prefix(&err, "not a goroutine or heap profile (debug=1) nor a goroutine "
                                  "dump (debug=2)");
    }
    free(text);
    if (!in->p)
        cli_error("%s:%d:%d: %s", in->path, err.line, err.col, err.msg);
    return in->p ? 0 : -1;
}

/* Bytes for people: 1.5 MiB, 320 KiB, 12 B. */
static void bytes_str(double v, char *out, size_t len)
{
    double a = v < 0 ? -v : v;
    if (a >= 1024.0 * 1024 * 1024)
        snprintf(out, len, "%.1fGiB", v / (1024.0 * 1024 * 1024));
    else if (a >= 1024.0 * 1024)
        snprintf(out, len, "%.1fMiB", v / (1024.0 * 1024));
    else if (a >= 1024.0)
        snprintf(out, len, "%.1fKiB", v / 1024.0);
    else
        snprintf(out, len, "%.0fB", v);
}

static void print_table(const struct culprit_list *l, int heap, size_t top)
{
    char g[32], b[32], a[32];
    printf("%10s %10s %10s  %s\n", "growth", "before", "after", "function at location");
    for (size_t i = 0; i < l->n && (top == 0 || i < top); i++) {
        const struct culprit *c = &l->items[i];
        if (heap) {
            bytes_str(c->growth, g + 1, sizeof(g) - 1);
            g[0] = '+';
            bytes_str(c->before, b, sizeof(b));
            bytes_str(c->after, a, sizeof(a));
        } else {
            snprintf(g, sizeof(g), "%+.0f", c->growth);
            snprintf(b, sizeof(b), "%.0f", c->before);
            snprintf(a, sizeof(a), "%.0f", c->after);
        }
        printf("%10s %10s %10s  %s at %s\n", g, b, a, c->function ? c->function : "?",
               c->location ? c->location : "?");
        if (c->detail && *c->detail)
            printf("%32s  %s\n", "", c->detail);
    }
    if (top && l->n > top)
        printf("(%zu more; --top 0 shows all)\n", l->n - top);
}

static int parse_num(const char *flag, const char *s, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (!*s || *end || v < 0) {
        fprintf(stderr, "leakcheck: %s wants a number >= 0, got \"%s\"\n", flag, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, struct input in[2], double *min, double *top)
{
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if ((strcmp(argv[i], "--min") == 0 || strcmp(argv[i], "--top") == 0) && i + 1 < argc) {
            if (parse_num(argv[i], argv[i + 1], argv[i][2] == 'm' ? min : top) != 0)
                return -1;
            i++;
        } else if (cli_is_help(argv[i])) {
            usage(stdout);
            return 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cli_error("unknown option %s", argv[i]);
            usage(stderr);
            return -1;
        } else if (n < 2) {
            in[n++].path = argv[i];
        } else {
            cli_error("diff takes two files");
            return -1;
        }
    }
    if (n != 2) {
        usage(stderr);
        return -1;
    }
    return 0;
}

int cmd_diff(int argc, char **argv)
{
    struct input in[2] = {{0}, {0}};
    double min = 1, top = 20;
    int rc = parse_args(argc, argv, in, &min, &top);
    if (rc != 0)
        return rc > 0 ? CLI_OK : CLI_USAGE;
    rc = CLI_USAGE;
    if (load_input(&in[0]) != 0 || load_input(&in[1]) != 0)
        goto cleanup;
    int heap0 = in[0].kind == DK_HEAP, heap1 = in[1].kind == DK_HEAP;
    if (heap0 != heap1) {
        fprintf(stderr,
                "leakcheck: %s is a %s profile and %s a %s profile: compare like with "
                "like\n",
                in[0].path, heap0 ? "heap" : "goroutine", in[1].path, heap1 ? "heap" : "goroutine");
        goto cleanup;
    }
    struct culprit_list l = {0};
    if (heap0) {
        culprit_heap(in[0].p, in[1].p, min > 0 ? min : 1, &l);
        double hb = NAN, ha = NAN;
        pprof_memstat(in[0].p, "HeapInuse", &hb);
        pprof_memstat(in[1].p, "HeapInuse", &ha);
        printf("HeapInuse: %.0f -> %.0f bytes; allocation sites (estimated from samples):\n", hb,
               ha);
    } else {
        struct culprit_goroutine_opts o = {min > 0 ? min : 1, NULL, in[1].dump, NULL};
        culprit_goroutines(in[0].p, in[1].p, &o, &l);
        printf("goroutines: %llu -> %llu (%+lld)\n", (unsigned long long)in[0].p->total,
               (unsigned long long)in[1].p->total,
               (long long)in[1].p->total - (long long)in[0].p->total);
    }
    culprit_list_sort(&l);
    if (l.n == 0)
        printf("nothing grew by %g or more\n", min > 0 ? min : 1);
    else
        print_table(&l, heap0, (size_t)top);
    culprit_list_free(&l);
    rc = CLI_OK;
cleanup:
    for (int i = 0; i < 2; i++) {
        pprof_free(in[i].p);
        gdump_free(in[i].dump);
    }
    return rc;
}
