/* sources/gdump.c: Go goroutine dumps (debug=2, crash, SIGQUIT). */
#include "sources/gdump.h"

#include <stdlib.h>
#include <string.h>

struct gd {
    struct gdump *d;
    size_t cap_g;
    struct gdump_goroutine *cur; /* the goroutine being read, or NULL */
    struct pprof_frame *frames;  /* its frames, stored when it ends */
    size_t nframes, cap_f;
    int want_file; /* 0, 1: the last frame awaits its file line, 2: created by */
};

/* Parses a decimal number of at most 19 digits at s[*i]; -1 when none. */
static int dec(const char *s, size_t n, size_t *i, uint64_t *out)
{
    size_t start = *i;
    *out = 0;
    while (*i < n && s[*i] >= '0' && s[*i] <= '9' && *i - start < 19)
        *out = *out * 10 + (uint64_t)(s[(*i)++] - '0');
    return *i > start ? 0 : -1;
}

static int starts(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && memcmp(s, lit, k) == 0;
}

/* "N minutes" and "locked to thread" after the wait reason. */
static void state_extras(struct gdump_goroutine *g, const char *s, size_t n)
{
    size_t i = 0;
    uint64_t v;
    if (dec(s, n, &i, &v) == 0 && starts(s + i, n - i, " minute"))
        g->wait_minutes = v > 1000000000 ? 1000000000 : (int)v;
    else if (n == 16 && memcmp(s, "locked to thread", 16) == 0)
        g->locked = 1;
}

/* "[STATE, extras...]" between open and close (exclusive). */
static void parse_state(struct pprof_store *store, struct gdump_goroutine *g, const char *s,
                        size_t n)
{
    const char *comma = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == ',' && s[i + 1] == ' ') {
            comma = s + i;
            break;
        }
    g->state = pprof_store_str(store, s, comma ? (size_t)(comma - s) : n);
    while (comma) {
        const char *part = comma + 2;
        const char *next = NULL;
        for (const char *p = part; p + 1 < s + n; p++)
            if (p[0] == ',' && p[1] == ' ') {
                next = p;
                break;
            }
        state_extras(g, part, (size_t)((next ? next : s + n) - part));
        comma = next;
    }
}

/* The goroutine being read ends: its frames (a file line that never came
 * gives "", so that readers need no NULL checks) are stored, shared with
 * the goroutines of the same stack. */
static void end_goroutine(struct gd *gd)
{
    struct gdump_goroutine *g = gd->cur;
    if (!g)
        return;
    for (size_t k = 0; k < gd->nframes; k++)
        if (!gd->frames[k].file)
            gd->frames[k].file = pprof_store_str(gd->d->store, "", 0);
    g->frames = pprof_store_frames(gd->d->store, gd->frames, gd->nframes);
    g->nframes = gd->nframes;
    gd->nframes = 0;
    gd->cur = NULL;
}

/* Returns 1 for a goroutine header (filled into a new goroutine), 0 for
 * any other line, -1 (with err) for a header that is malformed. */
static int header(struct gd *gd, const char *s, size_t n, int lineno, struct lc_error *err)
{
    size_t i = 10;
    uint64_t id;
    if (!starts(s, n, "goroutine ") || dec(s, n, &i, &id) != 0 || i >= n ||
        (s[i] != ' ' && s[i] != '['))
        return 0;
    const char *open = memchr(s + i, '[', n - i);
    if (!open || n < 2 || s[n - 1] != ':' || s[n - 2] != ']' || open > s + n - 2) {
        lc_error_at(err, lineno, (int)i + 1,
                    "malformed goroutine header (expected \"goroutine N [state]:\")");
        return -1;
    }
    end_goroutine(gd);
    if (gd->d->n == gd->cap_g)
        lc_grow((void **)&gd->d->g, &gd->cap_g, gd->d->n + 1, sizeof(*gd->d->g));
    struct gdump_goroutine *g = &gd->d->g[gd->d->n++];
    memset(g, 0, sizeof(*g));
    g->id = id;
    g->wait_minutes = -1;
    parse_state(gd->d->store, g, open + 1, (size_t)(s + n - 2 - (open + 1)));
    gd->cur = g;
    gd->want_file = 0;
    return 1;
}

/* "\tFILE:LINE +0xOFF fp=... sp=... pc=..." (everything after the line
 * number optional; FILE may hold spaces and colons). */
static void file_line(struct pprof_store *store, const char *s, size_t n, char **file, int *line)
{
    size_t best = n, i;
    uint64_t v = 0, best_v = 0;
    for (size_t c = 0; c < n; c++) {
        if (s[c] != ':')
            continue;
        i = c + 1;
        if (dec(s, n, &i, &v) == 0 && (i == n || s[i] == ' ')) {
            best = c;
            best_v = v;
        }
    }
    if (best == n) {
        size_t k = 0;
        while (k + 3 < n && !(s[k] == ' ' && s[k + 1] == '+' && s[k + 2] == '0'))
            k++;
        *file = pprof_store_str(store, s, k + 3 < n ? k : n);
        *line = 0;
        return;
    }
    *file = pprof_store_str(store, s, best);
    *line = best_v > 2147483647u ? 0 : (int)best_v;
}

/* "pkg.Func(args)" or "pkg.(*T).M(...)": the length of the name before the
 * argument list, found by matching the final ')' backwards. 0 when not
 * such a line. */
static size_t func_name_len(const char *s, size_t n)
{
    if (n < 3 || s[n - 1] != ')')
        return 0;
    int depth = 0;
    for (size_t i = n; i-- > 0;) {
        if (s[i] == ')')
            depth++;
        else if (s[i] == '(' && --depth == 0)
            return i;
    }
    return 0;
}

static void add_frame(struct gd *gd, const char *func, size_t n)
{
    if (gd->nframes == gd->cap_f)
        lc_grow((void **)&gd->frames, &gd->cap_f, gd->nframes + 1, sizeof(*gd->frames));
    struct pprof_frame *f = &gd->frames[gd->nframes++];
    memset(f, 0, sizeof(*f));
    f->func = pprof_store_str(gd->d->store, func, n);
    gd->want_file = 1;
}

static void created_by(struct gd *gd, const char *s, size_t n)
{
    struct gdump_goroutine *g = gd->cur;
    const char *rest = s + 11;
    size_t len = n - 11;
    static const char in_g[] = " in goroutine ";
    for (size_t i = 0; i + sizeof(in_g) - 1 <= len; i++) {
        size_t k = i + sizeof(in_g) - 1;
        if (memcmp(rest + i, in_g, sizeof(in_g) - 1) == 0 &&
            dec(rest, len, &k, &g->creator_id) == 0 && k == len) {
            len = i;
            break;
        }
    }
    g->created_by = pprof_store_str(gd->d->store, rest, len);
    gd->want_file = 2;
}

/* One line inside a goroutine block. */
static void body_line(struct gd *gd, const char *s, size_t n)
{
    struct gdump_goroutine *g = gd->cur;
    uint64_t cnt;
    size_t i = 3;
    if (n > 0 && s[0] == '\t') {
        char *file = NULL;
        int line = 0;
        if (gd->want_file == 0)
            return;
        file_line(gd->d->store, s + 1, n - 1, &file, &line);
        if (gd->want_file == 1) {
            gd->frames[gd->nframes - 1].file = file;
            gd->frames[gd->nframes - 1].line = line;
        } else {
            g->created_file = file;
            g->created_line = line;
        }
        gd->want_file = 0;
    } else if (starts(s, n, "...additional frames elided...")) {
        g->elided = 1;
        gd->want_file = 0;
    } else if (starts(s, n, "...") && dec(s, n, &i, &cnt) == 0 &&
               starts(s + i, n - i, " frames elided...")) {
        g->elided = 1;
        g->elided_count = cnt;
        gd->want_file = 0;
    } else if (starts(s, n, "created by ")) {
        created_by(gd, s, n);
    } else {
        size_t fn = func_name_len(s, n);
        if (fn)
            add_frame(gd, s, fn);
        else
            gd->want_file = 0;
    }
}

struct gdump *gdump_parse(const char *text, size_t len, struct lc_error *err)
{
    struct gd gd = {.d = lc_calloc(1, sizeof(struct gdump))};
    gd.d->store = pprof_store_new();
    const char *p = text, *end = text + len;
    int lineno = 0;
    if (len >= 2 && (unsigned char)text[0] == 0x1f && (unsigned char)text[1] == 0x8b) {
        lc_error_at(err, 1, 1, "a compressed binary profile (debug=0), not a goroutine dump");
        goto fail;
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        lineno++;
        if (!nl) {
            gd.d->truncated = 1; /* the runtime's 64 MB cut, mid-line */
            break;
        }
        size_t n = (size_t)(nl - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        int h = header(&gd, p, n, lineno, err);
        if (h < 0)
            goto fail;
        if (h == 0 && gd.cur) {
            if (n == 0)
                end_goroutine(&gd);
            else
                body_line(&gd, p, n);
        }
        p = nl + 1;
    }
    if (gd.cur && gd.want_file == 1)
        gd.d->truncated = 1;
    end_goroutine(&gd);
    if (gd.d->n == 0) {
        lc_error_at(err, 1, 1, "not a goroutine dump (no \"goroutine N [state]:\" line)");
        goto fail;
    }
    free(gd.frames);
    return gd.d;
fail:
    free(gd.frames);
    gdump_free(gd.d);
    return NULL;
}

size_t gdump_count_blocked(const struct gdump *d)
{
    size_t n = 0;
    for (size_t i = 0; d && i < d->n; i++) {
        const char *st = d->g[i].state ? d->g[i].state : "";
        n += strncmp(st, "chan send", 9) == 0 || strncmp(st, "chan receive", 12) == 0 ||
             strcmp(st, "select") == 0 || strcmp(st, "select (no cases)") == 0;
    }
    return n;
}

void gdump_free(struct gdump *d)
{
    if (!d)
        return;
    pprof_store_free(d->store);
    free(d->g);
    free(d);
}
