/*
 * sources/pprof_record.c: the records of goroutine and heap profiles --
 * a " @ 0xPC 0xPC ..." line, maybe "# labels: {...}", frame lines, a
 * blank line -- read into the profile's store.
 *
 * A profile of 100,000 goroutines repeats a few dozen distinct lines: the
 * same PC lists and the same frame lines record after record (pprof labels
 * make records of one stack distinct). A line seen before was checked then
 * and parses the same, so the parse remembers each distinct line (up to
 * SEEN_MAX of them) and its frame: a repeat costs a hash and a comparison.
 */
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "sources/pprof_internal.h"

/* Lines remembered at most (a profile of distinct stacks must not make the
 * table as large as the text). */
#define SEEN_MAX 65536u

/* A line seen before: a frame line (and its frame) or a PC list. */
struct pp_seen {
    const char *text; /* in the text being parsed */
    size_t len;
    int is_frame;
    struct pprof_frame frame;
};

/* A hash of a line from its length, its first 32 bytes (a frame line's PC
 * and function) and its last 16 (the file's end and line number): enough
 * to tell lines apart; equal hashes are compared in full. */
static uint64_t line_hash(const char *s, size_t n, int is_frame)
{
    uint64_t h = lc_hash(s, n < 32 ? n : 32, (uint64_t)is_frame);
    return n > 32 ? lc_hash(s + n - 16, 16, h) : h;
}

/* What seen() looks for, for lc_hindex_find. */
struct seen_key {
    const struct pp *pp;
    const char *s;
    size_t n;
    int is_frame;
};

static int seen_same(size_t entry, void *arg)
{
    const struct seen_key *k = arg;
    const struct pp_seen *e = &k->pp->seen[entry];
    return e->len == k->n && e->is_frame == k->is_frame && memcmp(e->text, k->s, k->n) == 0;
}

/* The line s[0..n) as seen before, or NULL; *h gets its hash. */
static const struct pp_seen *seen(struct pp *pp, const char *s, size_t n, int is_frame, uint64_t *h)
{
    struct seen_key key = {pp, s, n, is_frame};
    *h = line_hash(s, n, is_frame);
    long i = lc_hindex_find(&pp->seen_index, *h, seen_same, &key);
    return i >= 0 ? &pp->seen[i] : NULL;
}

/* Remembers the line s[0..n) (checked), with its frame when it is one. */
static void remember(struct pp *pp, const char *s, size_t n, uint64_t h, int is_frame,
                     const struct pprof_frame *f)
{
    if (pp->nseen >= SEEN_MAX)
        return;
    lc_grow((void **)&pp->seen, &pp->cap_seen, pp->nseen + 1, sizeof(*pp->seen));
    pp->seen[pp->nseen] = (struct pp_seen){s, n, is_frame, {0}};
    if (f)
        pp->seen[pp->nseen].frame = *f;
    lc_hindex_add(&pp->seen_index, h, pp->nseen++);
}

/* Parses "0x" and 1 to 16 hex digits at s[*i]. */
static int hex_u64(const char *s, size_t n, size_t *i, uint64_t *out)
{
    size_t k = *i;
    uint64_t v = 0;
    if (k + 2 > n || s[k] != '0' || s[k + 1] != 'x')
        return -1;
    k += 2;
    size_t start = k;
    while (k < n && k - start < 17) {
        int d = lc_hex_digit(s[k]);
        if (d < 0)
            break;
        v = (v << 4) | (unsigned)d;
        k++;
    }
    if (k == start || k - start > 16)
        return -1;
    *i = k;
    *out = v;
    return 0;
}

static size_t skip_tabs(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] == '\t')
        i++;
    return i;
}

static size_t to_tab(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] != '\t')
        i++;
    return i;
}

/* The length of the name in "pkg.Func+0xOFF" (the name may hold spaces:
 * "interface {}"). */
static size_t func_name_len(const char *s, size_t n)
{
    for (size_t k = n; k >= 3; k--)
        if (s[k - 3] == '+' && s[k - 2] == '0' && s[k - 1] == 'x')
            return k - 3;
    return n;
}

/* "path/with spaces/file.go:LINE": the number is after the last ':'. */
static int file_line(struct pp *pp, size_t at, struct pprof_frame *f)
{
    const char *s = pp->line + at;
    size_t n = pp->len - at;
    size_t colon = n;
    while (colon > 0 && s[colon - 1] != ':')
        colon--;
    uint64_t line = 0;
    size_t k = colon;
    if (colon == 0 || pp_u64(s, n, &k, &line) != 0 || k != n || line > INT32_MAX)
        return pp_fail(pp, at + colon + 1, "expected FILE:LINE at the end of a frame line");
    f->file = pprof_store_str(pp->prof->store, s, colon - 1);
    f->line = (int)line;
    return 0;
}

/* "#\t0xPC\tpkg.Func+0xOFF\tfile:line", or "#\t0xPC" for an unknown function. */
static int parse_frame(struct pp *pp, struct pprof_frame *f)
{
    const char *s = pp->line;
    size_t n = pp->len;
    size_t i = skip_tabs(s, n, 1);
    if (hex_u64(s, n, &i, &f->pc) != 0)
        return pp_fail(pp, i + 1, "expected a hex PC (0x...) in a frame line");
    if (i < n && s[i] != '\t')
        return pp_fail(pp, i + 1, "unexpected text after the frame's PC");
    struct pprof_store *store = pp->prof->store;
    i = skip_tabs(s, n, i);
    if (i == n) {
        f->func = f->file = pprof_store_str(store, "", 0);
        return 0;
    }
    size_t fe = to_tab(s, n, i);
    f->func = pprof_store_str(store, s + i, func_name_len(s + i, fe - i));
    i = skip_tabs(s, n, fe);
    if (i == n) {
        f->file = pprof_store_str(store, "", 0);
        return 0;
    }
    return file_line(pp, i, f);
}

/* " @ 0xPC 0xPC ..." at line[at]: checked, not kept (frames carry PCs). */
static int parse_pcs(struct pp *pp, size_t at)
{
    uint64_t h;
    if (seen(pp, pp->line + at, pp->len - at, 0, &h))
        return 0;
    size_t i = at;
    if (pp_lit(pp, &i, " @") != 0)
        return pp_fail(pp, i + 1, "expected \" @\" and the stack's PCs");
    while (i < pp->len) {
        if (pp->line[i] != ' ')
            return pp_fail(pp, i + 1, "expected a space between PCs");
        while (i < pp->len && pp->line[i] == ' ')
            i++;
        uint64_t pc;
        if (i < pp->len && hex_u64(pp->line, pp->len, &i, &pc) != 0)
            return pp_fail(pp, i + 1, "expected a hex PC (0x...)");
    }
    remember(pp, pp->line + at, pp->len - at, h, 0, NULL);
    return 0;
}

static struct pprof_stack *new_stack(struct pp *pp)
{
    struct pprof_profile *p = pp->prof;
    lc_grow((void **)&p->stacks, &pp->cap_stacks, p->nstacks + 1, sizeof(*p->stacks));
    struct pprof_stack *st = &p->stacks[p->nstacks++];
    memset(st, 0, sizeof(*st));
    return st;
}

/* One line inside a record: labels, a frame (into pp->frames[*n]), or an
 * unknown '#' comment. */
static int record_line(struct pp *pp, struct pprof_stack *st, size_t *n)
{
    static const char lbl[] = "# labels: ";
    if (pp->len >= sizeof(lbl) - 1 && memcmp(pp->line, lbl, sizeof(lbl) - 1) == 0) {
        if (st->labels || *n)
            return pp_fail(pp, 1, "a labels line belongs right after the record's first line");
        st->labels = pprof_store_text(pp->prof->store, pp->line + sizeof(lbl) - 1,
                                      pp->len - (sizeof(lbl) - 1));
        return 0;
    }
    if (pp->len >= 2 && pp->line[0] == '#' && pp->line[1] == '\t') {
        if (*n == pp->cap_frames)
            lc_grow((void **)&pp->frames, &pp->cap_frames, *n + 1, sizeof(*pp->frames));
        struct pprof_frame *f = &pp->frames[(*n)++];
        uint64_t h;
        const struct pp_seen *e = seen(pp, pp->line, pp->len, 1, &h);
        if (e) {
            *f = e->frame;
            return 0;
        }
        memset(f, 0, sizeof(*f));
        if (parse_frame(pp, f) != 0)
            return -1;
        remember(pp, pp->line, pp->len, h, 1, f);
        return 0;
    }
    if (pp->len >= 1 && pp->line[0] == '#')
        return 0;
    return pp_fail(pp, 1,
                   "expected a frame line (\"#\\t0x...\") or the blank line ending the record");
}

struct pprof_stack *pp_record(struct pp *pp, size_t at)
{
    int first = pp->lineno;
    struct pprof_stack *st = new_stack(pp);
    size_t n = 0;
    if (parse_pcs(pp, at) != 0)
        return NULL;
    for (;;) {
        if (!pp_next(pp)) {
            pp_at_end(pp);
            pp_fail(pp, pp->len + 1,
                    "the text ends inside the record of line %d (profile cut short)", first);
            return NULL;
        }
        if (pp->len == 0) {
            /* records of the same stack (with other labels) share one list */
            st->frames = pprof_store_frames(pp->prof->store, pp->frames, n);
            st->nframes = n;
            return st;
        }
        if (record_line(pp, st, &n) != 0)
            return NULL;
    }
}
