/*
 * suite/suite_json.c: paths into a JSON document, and a locator that
 * finds the line and column of a key or value by scanning the raw text.
 *
 * The scanner only has to walk text that jansson has already accepted, but
 * it still checks every bound, so that bad input can only make it fail.
 */
#include "suite/suite_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void suite_path_push_key(struct suite_path *p, const char *key)
{
    if (p->depth < SUITE_PATH_MAX) {
        p->at[p->depth].key = key;
        p->at[p->depth].index = 0;
    }
    p->depth++;
}

void suite_path_push_index(struct suite_path *p, size_t index)
{
    if (p->depth < SUITE_PATH_MAX) {
        p->at[p->depth].key = NULL;
        p->at[p->depth].index = index;
    }
    p->depth++;
}

void suite_path_pop(struct suite_path *p)
{
    if (p->depth > 0)
        p->depth--;
}

void suite_path_format(const struct suite_path *p, size_t n, char *out, size_t outlen)
{
    struct lc_buf b = {0};
    if (n > p->depth)
        n = p->depth;
    if (n > SUITE_PATH_MAX)
        n = SUITE_PATH_MAX;
    if (n == 0)
        lc_buf_puts(&b, "top level");
    for (size_t i = 0; i < n; i++) {
        if (p->at[i].key)
            lc_buf_printf(&b, "%s%s", i > 0 ? "." : "", p->at[i].key);
        else
            lc_buf_printf(&b, "[%zu]", p->at[i].index);
    }
    snprintf(out, outlen, "%s", b.data);
    lc_buf_free(&b);
}

struct scan {
    const char *t;
    size_t len;
    size_t i;
};

static void skip_ws(struct scan *s)
{
    while (s->i < s->len && strchr(" \t\r\n", s->t[s->i]) && s->t[s->i] != '\0')
        s->i++;
}

static int hex4(const struct scan *s, size_t at, unsigned *out)
{
    unsigned v = 0;
    if (at + 4 > s->len)
        return -1;
    for (size_t k = 0; k < 4; k++) {
        int d = lc_hex_digit(s->t[at + k]);
        if (d < 0)
            return -1;
        v = v * 16 + (unsigned)d;
    }
    *out = v;
    return 0;
}

static void put_utf8(struct lc_buf *b, unsigned cp)
{
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    lc_buf_append(b, u, n);
}

/* Decodes a \uXXXX escape (and its low surrogate, when it has one) at
 * s->i, which points just after the 'u'. */
static int unicode_escape(struct scan *s, struct lc_buf *b)
{
    unsigned cp, lo;
    if (hex4(s, s->i, &cp) != 0)
        return -1;
    s->i += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF && s->i + 6 <= s->len && s->t[s->i] == '\\' &&
        s->t[s->i + 1] == 'u' && hex4(s, s->i + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        s->i += 6;
    }
    put_utf8(b, cp);
    return 0;
}

/* Reads one character of a string's body at s->i (not its closing quote):
 * a plain byte or an escape; appends what it stands for to b when b is not
 * NULL. */
static int read_char(struct scan *s, struct lc_buf *b)
{
    static const char esc_in[] = "\"\\/bfnrt";
    static const char esc_out[] = "\"\\/\b\f\n\r\t";
    char c = s->t[s->i++];
    if (c != '\\') {
        if (b)
            lc_buf_append(b, &c, 1);
        return 0;
    }
    if (s->i >= s->len)
        return -1;
    char e = s->t[s->i++];
    const char *k = e ? strchr(esc_in, e) : NULL;
    if (e == 'u') {
        struct lc_buf scratch = {0};
        int rc = unicode_escape(s, b ? b : &scratch);
        lc_buf_free(&scratch);
        return rc;
    }
    if (!k)
        return -1;
    if (b)
        lc_buf_append(b, &esc_out[k - esc_in], 1);
    return 0;
}

/* Reads the string at s->i (its opening quote) past its closing quote;
 * decodes it into b when b is not NULL. */
static int read_string(struct scan *s, struct lc_buf *b)
{
    if (s->i >= s->len || s->t[s->i] != '"')
        return -1;
    s->i++;
    while (s->i < s->len) {
        if (s->t[s->i] == '"') {
            s->i++;
            return 0;
        }
        if (read_char(s, b) != 0)
            return -1;
    }
    return -1;
}

/* Skips one value of any kind; nesting is counted, not recursed into. */
static int skip_value(struct scan *s)
{
    size_t depth = 0;
    skip_ws(s);
    do {
        if (s->i >= s->len)
            return -1;
        char c = s->t[s->i];
        if (c == '"') {
            if (read_string(s, NULL) != 0)
                return -1;
        } else if (c == '{' || c == '[') {
            depth++;
            s->i++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return -1;
            depth--;
            s->i++;
        } else if (depth > 0 || (c != ',' && !strchr(" \t\r\n", c))) {
            /* a scalar, or punctuation and spaces inside a container */
            s->i++;
            while (depth == 0 && s->i < s->len && s->t[s->i] != '\0' &&
                   !strchr(",]} \t\r\n", s->t[s->i]))
                s->i++;
        } else {
            return -1;
        }
    } while (depth > 0);
    return 0;
}

/* At an object's '{': moves to the member named key, leaving s->i at its
 * key (key_pos) or its value. */
static int find_key(struct scan *s, const char *key, int key_pos)
{
    skip_ws(s);
    if (s->i >= s->len || s->t[s->i] != '{')
        return -1;
    s->i++;
    for (;;) {
        skip_ws(s);
        size_t at = s->i;
        struct lc_buf name = {0};
        int rc = read_string(s, &name);
        int match = rc == 0 && strcmp(name.data ? name.data : "", key) == 0;
        lc_buf_free(&name);
        if (rc != 0)
            return -1;
        skip_ws(s);
        if (s->i >= s->len || s->t[s->i] != ':')
            return -1;
        s->i++;
        skip_ws(s);
        if (match) {
            if (key_pos)
                s->i = at;
            return 0;
        }
        if (skip_value(s) != 0)
            return -1;
        skip_ws(s);
        if (s->i >= s->len || s->t[s->i] != ',')
            return -1;
        s->i++;
    }
}

/* At element number from of an array (its first character): moves on to
 * element number index. */
static int skip_elements(struct scan *s, size_t from, size_t index)
{
    for (size_t k = from; k < index; k++) {
        if (skip_value(s) != 0)
            return -1;
        skip_ws(s);
        if (s->i >= s->len || s->t[s->i] != ',')
            return -1;
        s->i++;
    }
    skip_ws(s);
    return s->i < s->len && s->t[s->i] != ']' ? 0 : -1;
}

/* At an array's '[': moves to element number index. */
static int find_index(struct scan *s, size_t index)
{
    skip_ws(s);
    if (s->i >= s->len || s->t[s->i] != '[')
        return -1;
    s->i++;
    skip_ws(s);
    if (index == 0)
        return s->i < s->len && s->t[s->i] != ']' ? 0 : -1;
    return skip_elements(s, 0, index);
}

/* Line and column of byte offset off, counted on from (from, l, c); a
 * column counts characters, that is bytes that do not continue a UTF-8
 * sequence. */
static void count_lines(const char *t, size_t from, size_t off, int *line, int *col)
{
    int l = *line, c = *col;
    for (size_t k = from; k < off; k++) {
        if (t[k] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)t[k] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Line and column of off, from the memo's last one when it is before off. */
static void line_col(struct suite_json_memo *m, const char *t, size_t off, int *line, int *col)
{
    size_t from = 0;
    *line = 1;
    *col = 1;
    if (m && m->lc_line > 0 && m->lc_off <= off) {
        from = m->lc_off;
        *line = m->lc_line;
        *col = m->lc_col;
    }
    count_lines(t, from, off, line, col);
    if (m) {
        m->lc_off = off;
        m->lc_line = *line;
        m->lc_col = *col;
    }
}

/* How many leading levels of path the memo's last walk can stand for: equal
 * levels are taken as they are; an array index at or after the memo's is
 * reached from the memo's element (*skip_from says which, else SIZE_MAX).
 * Leaves s at the value of the last level taken. */
static size_t resume(struct suite_json_memo *m, struct scan *s, const struct suite_path *path,
                     size_t n, int key_last, size_t *skip_from)
{
    *skip_from = SIZE_MAX;
    if (!m || m->text != s->t || m->len != s->len)
        return 0;
    size_t k = 0;
    for (; k < n && k < m->depth; k++) {
        const char *key = path->at[k].key;
        if (key_last && k + 1 == n)
            break; /* the memo holds values, not keys */
        if (key ? !m->lv[k].is_key || strcmp(m->lv[k].key, key) != 0
                : m->lv[k].is_key || m->lv[k].index > path->at[k].index)
            break;
        s->i = m->lv[k].at;
        if (!key && m->lv[k].index < path->at[k].index) {
            *skip_from = m->lv[k].index;
            return k + 1;
        }
    }
    return k;
}

/* Records level k of a walk in the memo (a key too long for it ends it). */
static void remember(struct suite_json_memo *m, const struct scan *s, const struct suite_path *path,
                     size_t k)
{
    const char *key = path->at[k].key;
    if (!m || (key && strlen(key) >= sizeof(m->lv[k].key))) {
        if (m)
            m->depth = k;
        return;
    }
    m->lv[k].is_key = key != NULL;
    snprintf(m->lv[k].key, sizeof(m->lv[k].key), "%s", key ? key : "");
    m->lv[k].index = path->at[k].index;
    m->lv[k].at = s->i;
    m->depth = k + 1;
}

/* Moves s along path to the key or value its last component names (see
 * suite_json_locate), resuming from and updating memo when there is one. */
static int walk(struct suite_json_memo *m, struct scan *s, const struct suite_path *path,
                enum suite_pos which)
{
    size_t n = path->depth < SUITE_PATH_MAX ? path->depth : SUITE_PATH_MAX;
    int key_last = which == SUITE_POS_KEY;
    size_t skip_from;
    size_t k = resume(m, s, path, n, key_last, &skip_from);
    if (skip_from != SIZE_MAX) {
        if (skip_elements(s, skip_from, path->at[k - 1].index) != 0)
            return -1;
        remember(m, s, path, k - 1);
    }
    if (m && (m->text != s->t || m->len != s->len)) {
        memset(m, 0, sizeof(*m));
        m->text = s->t;
        m->len = s->len;
    }
    for (; k < n; k++) {
        int last = k + 1 == n;
        int rc = path->at[k].key ? find_key(s, path->at[k].key, last && key_last)
                                 : find_index(s, path->at[k].index);
        if (rc != 0)
            return -1;
        if (!(last && key_last && path->at[k].key))
            remember(m, s, path, k);
        else if (m)
            m->depth = k;
    }
    skip_ws(s);
    return s->i < s->len ? 0 : -1;
}

int suite_json_locate_m(struct suite_json_memo *memo, const char *text, size_t len,
                        const struct suite_path *path, enum suite_pos which, int *line, int *col)
{
    struct scan s = {text, len, 0};
    *line = 0;
    *col = 0;
    if (walk(memo, &s, path, which) != 0)
        return -1;
    line_col(memo, text, s.i, line, col);
    return 0;
}

int suite_json_locate(const char *text, size_t len, const struct suite_path *path,
                      enum suite_pos which, int *line, int *col)
{
    return suite_json_locate_m(NULL, text, len, path, which, line, col);
}

/* Walks the string at s->i (its opening quote, at column col) and records
 * in *cols the column each decoded byte comes from, then the closing
 * quote's. */
static int string_cols(struct scan *s, int col, int **cols, size_t *ncols)
{
    struct lc_buf b = {0};
    size_t cap = 16, n = 0;
    int *map = lc_malloc(cap * sizeof(*map));
    int rc = -1;
    s->i++;
    while (s->i < s->len && s->t[s->i] != '"') {
        size_t from = s->i, had = b.len;
        /* a byte that continues a UTF-8 sequence is in the same column */
        col += ((unsigned char)s->t[from] & 0xC0) != 0x80;
        if (read_char(s, &b) != 0)
            goto cleanup;
        for (size_t k = had; k < b.len; k++) {
            if (n + 1 >= cap) {
                cap *= 2;
                map = lc_realloc(map, cap * sizeof(*map));
            }
            map[n++] = col;
        }
        /* an escape is several characters wide (all ASCII) */
        col += (int)(s->i - from - 1);
    }
    if (s->i >= s->len)
        goto cleanup;
    map[n++] = col + 1;
    *cols = map;
    *ncols = n;
    map = NULL;
    rc = 0;
cleanup:
    free(map);
    lc_buf_free(&b);
    return rc;
}

int suite_json_string_cols_m(struct suite_json_memo *memo, const char *text, size_t len,
                             const struct suite_path *path, int *line, int *col, int **cols,
                             size_t *ncols)
{
    struct scan s = {text, len, 0};
    *line = 0;
    *col = 0;
    *cols = NULL;
    *ncols = 0;
    if (walk(memo, &s, path, SUITE_POS_VALUE) != 0 || text[s.i] != '"')
        return -1;
    line_col(memo, text, s.i, line, col);
    return string_cols(&s, *col, cols, ncols);
}

int suite_json_string_cols(const char *text, size_t len, const struct suite_path *path, int *line,
                           int *col, int **cols, size_t *ncols)
{
    return suite_json_string_cols_m(NULL, text, len, path, line, col, cols, ncols);
}
