/*
 * loadgen/http_parse.c: the incremental HTTP/1.1 response parser.
 *
 * The header section, chunk-size lines and trailers are read line by line
 * straight from the caller's buffer; bodies are skipped by count. A line cut
 * by the end of a read keeps its first HTTP_PARSE_STASH bytes in the parser,
 * which is enough for every field this parser interprets: the lines it reads
 * values from (status, Content-Length, Transfer-Encoding, Connection, chunk
 * sizes) are rejected when longer, whether or not they were cut, so the
 * result never depends on how the bytes were split.
 */
#include "loadgen/http_parse.h"

#include <string.h>
#include <strings.h>

#include "common/lc.h"

enum {
    S_STATUS,
    S_HEADER,
    S_BODY_CL,
    S_BODY_EOF,
    S_CHUNK_SIZE,
    S_CHUNK_DATA,
    S_CHUNK_CRLF,
    S_TRAILER,
    S_DONE,
};

enum {
    F_HEAD = 1 << 0,     /* the request was HEAD */
    F_SEEN = 1 << 1,     /* a byte of the response arrived */
    F_CL = 1 << 2,       /* Content-Length seen */
    F_TE = 1 << 3,       /* Transfer-Encoding seen */
    F_CHUNKED = 1 << 4,  /* ... and its last coding is chunked */
    F_CLOSE = 1 << 5,    /* Connection: close */
    F_KA = 1 << 6,       /* Connection: keep-alive */
    F_INTEREST = 1 << 7, /* the last header was one of the above */
};

enum step { STEP_MORE, STEP_CONT, STEP_DONE, STEP_ERR };

#define CHUNK_LINE_MAX 4096

static enum step fail(struct http_parse *p, const char *why)
{
    p->err = HTTP_PARSE_ERR_MALFORMED;
    p->why = why;
    return STEP_ERR;
}

static enum step finish(struct http_parse *p)
{
    p->state = S_DONE;
    return STEP_DONE;
}

void http_parse_init(struct http_parse *p, int head)
{
    p->remaining = 0;
    p->content_length = 0;
    p->body_bytes = 0;
    p->why = NULL;
    p->header_bytes = 0;
    p->line_len = 0;
    p->status = 0;
    p->flags = head ? F_HEAD : 0;
    p->state = S_STATUS;
    p->err = HTTP_PARSE_ERR_NONE;
    p->keep_alive = 0;
    p->minor = 0;
    p->last = 0;
}

int http_parse_idle(const struct http_parse *p)
{
    return !(p->flags & F_SEEN);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static enum step parse_status_line(struct http_parse *p, const char *l, size_t n)
{
    if (n < 12 || n > HTTP_PARSE_STASH || memcmp(l, "HTTP/1.", 7) != 0 || !is_digit(l[7]) ||
        l[8] != ' ' || !is_digit(l[9]) || !is_digit(l[10]) || !is_digit(l[11]) ||
        (n > 12 && l[12] != ' '))
        return fail(p, "bad status line");
    p->minor = (uint8_t)(l[7] - '0');
    p->status = (uint16_t)((l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0'));
    if (p->status < 100)
        return fail(p, "status code below 100");
    p->state = S_HEADER;
    return STEP_CONT;
}

static void trim(const char **v, size_t *n)
{
    while (*n && (**v == ' ' || **v == '\t')) {
        (*v)++;
        (*n)--;
    }
    while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t'))
        (*n)--;
}

static enum step parse_content_length(struct http_parse *p, const char *v, size_t n)
{
    uint64_t x = 0;
    if (n == 0)
        return fail(p, "empty Content-Length");
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(v[i]))
            return fail(p, "junk in Content-Length");
        unsigned d = (unsigned)(v[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return fail(p, "Content-Length overflows");
        x = x * 10 + d;
    }
    if ((p->flags & F_CL) && x != p->content_length)
        return fail(p, "conflicting Content-Length headers");
    p->flags |= F_CL;
    p->content_length = x;
    return STEP_CONT;
}

/* Walks the comma-separated tokens of a Transfer-Encoding (te) or
 * Connection value and sets the flags they mean. */
static void parse_tokens(struct http_parse *p, const char *v, size_t n, int te)
{
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && v[j] != ',')
            j++;
        const char *t = v + i;
        size_t tn = j - i;
        trim(&t, &tn);
        if (te) {
            if (tn) { /* only the last coding decides */
                if (tn == 7 && strncasecmp(t, "chunked", 7) == 0)
                    p->flags |= F_CHUNKED;
                else
                    p->flags &= (uint16_t)~F_CHUNKED;
            }
        } else if (tn == 5 && strncasecmp(t, "close", 5) == 0) {
            p->flags |= F_CLOSE;
        } else if (tn == 10 && strncasecmp(t, "keep-alive", 10) == 0) {
            p->flags |= F_KA;
        }
        i = j + 1;
    }
}

static enum step parse_header(struct http_parse *p, const char *l, size_t n, size_t total)
{
    /* one pass finds the colon and checks the name; only the first
     * HTTP_PARSE_STASH bytes count, as for a cut line */
    size_t scan = n < HTTP_PARSE_STASH ? n : HTTP_PARSE_STASH, nl = 0;
    p->flags &= (uint16_t)~F_INTEREST;
    while (nl < scan && l[nl] != ':') {
        if (l[nl] == ' ' || l[nl] == '\t')
            return fail(p, "bad header name");
        nl++;
    }
    if (nl == scan)
        return total > HTTP_PARSE_STASH ? STEP_CONT : fail(p, "header line without a colon");
    if (nl == 0)
        return fail(p, "bad header name");
    const char *colon = l + nl;
    int kind = 0;
    char c0 = (char)(l[0] | 0x20);
    if (nl == 14 && c0 == 'c' && strncasecmp(l, "content-length", 14) == 0)
        kind = 1;
    else if (nl == 17 && c0 == 't' && strncasecmp(l, "transfer-encoding", 17) == 0)
        kind = 2;
    else if (nl == 10 && c0 == 'c' && strncasecmp(l, "connection", 10) == 0)
        kind = 3;
    if (!kind)
        return STEP_CONT;
    if (total > HTTP_PARSE_STASH)
        return fail(p, "Content-Length, Transfer-Encoding or Connection line too long");
    p->flags |= F_INTEREST;
    const char *v = colon + 1;
    size_t vn = n - nl - 1;
    trim(&v, &vn);
    if (kind == 1)
        return parse_content_length(p, v, vn);
    if (kind == 2)
        p->flags |= F_TE;
    parse_tokens(p, v, vn, kind == 2);
    return STEP_CONT;
}

static enum step end_headers(struct http_parse *p)
{
    if (p->status < 200) {
        if (p->status == 101)
            return fail(p, "unexpected 101 Switching Protocols");
        /* an interim response: the real one follows */
        p->flags &= F_HEAD | F_SEEN;
        p->header_bytes = 0;
        p->state = S_STATUS;
        return STEP_CONT;
    }
    uint8_t keep = !(p->flags & F_CLOSE) && (p->minor >= 1 || (p->flags & F_KA));
    p->keep_alive = keep;
    if ((p->flags & F_HEAD) || p->status == 204 || p->status == 304)
        return finish(p);
    if (p->flags & F_TE) {
        p->state = (p->flags & F_CHUNKED) ? S_CHUNK_SIZE : S_BODY_EOF;
    } else if (p->flags & F_CL) {
        p->remaining = p->content_length;
        if (p->remaining == 0)
            return finish(p);
        p->state = S_BODY_CL;
    } else {
        p->state = S_BODY_EOF;
    }
    if (p->state == S_BODY_EOF)
        p->keep_alive = 0;
    return STEP_CONT;
}

static enum step parse_chunk_size(struct http_parse *p, const char *l, size_t n, size_t total)
{
    uint64_t x = 0;
    size_t i = 0;
    if (n > HTTP_PARSE_STASH)
        n = HTTP_PARSE_STASH; /* as if cut, so any split reads the same */
    for (; i < n && lc_hex_digit(l[i]) >= 0; i++) {
        if (x >> 60)
            return fail(p, "chunk size overflows");
        x = (x << 4) | (uint64_t)lc_hex_digit(l[i]);
    }
    if (i == 0)
        return fail(p, "chunk size is not hexadecimal");
    while (i < n && (l[i] == ' ' || l[i] == '\t'))
        i++;
    if (i < n && l[i] != ';')
        return fail(p, "junk after chunk size");
    if (i == n && total > n)
        return fail(p, "chunk size line too long");
    if (x == 0) {
        p->header_bytes = 0;
        p->state = S_TRAILER;
    } else {
        p->remaining = x;
        p->state = S_CHUNK_DATA;
    }
    return STEP_CONT;
}

static enum step dispatch_line(struct http_parse *p, const char *l, size_t n, size_t total)
{
    switch (p->state) {
    case S_STATUS:
        return parse_status_line(p, l, total);
    case S_HEADER:
        if (n == 0)
            return end_headers(p);
        if (l[0] == ' ' || l[0] == '\t') /* obsolete line folding */
            return (p->flags & F_INTEREST) ? fail(p, "folded Content-Length, "
                                                     "Transfer-Encoding or Connection")
                                           : STEP_CONT;
        return parse_header(p, l, n, total);
    case S_CHUNK_SIZE:
        return parse_chunk_size(p, l, n, total);
    case S_CHUNK_CRLF:
        if (n != 0)
            return fail(p, "no CRLF after chunk data");
        p->state = S_CHUNK_SIZE;
        return STEP_CONT;
    case S_TRAILER:
        return n == 0 ? finish(p) : STEP_CONT;
    default:
        return fail(p, "bytes after the end of the response");
    }
}

static void stash_add(struct http_parse *p, const char *s, size_t n)
{
    size_t have = p->line_len < HTTP_PARSE_STASH ? p->line_len : HTTP_PARSE_STASH;
    size_t room = HTTP_PARSE_STASH - have;
    if (n > room)
        n = room;
    memcpy(p->stash + have, s, n);
}

/* Reads one line (or the start of one) at data[*pos]. */
static enum step line_step(struct http_parse *p, const char *data, size_t len, size_t *pos)
{
    const char *start = data + *pos;
    size_t avail = len - *pos;
    const char *nl = memchr(start, '\n', avail);
    size_t part = nl ? (size_t)(nl - start) : avail;
    int in_header = p->state == S_STATUS || p->state == S_HEADER || p->state == S_TRAILER;
    size_t limit = in_header ? HTTP_PARSE_MAX_HEADER - p->header_bytes : CHUNK_LINE_MAX;
    if ((size_t)p->line_len + part + (nl ? 1 : 0) > limit)
        return fail(p, in_header ? "header section too large" : "chunk size line too long");
    if (!nl) {
        stash_add(p, start, part);
        p->line_len += (uint32_t)part;
        if (part)
            p->last = start[part - 1];
        *pos = len;
        return STEP_MORE;
    }
    size_t total = p->line_len + part;
    char last = part ? start[part - 1] : p->last;
    const char *l = start;
    if (p->line_len) {
        stash_add(p, start, part);
        l = p->stash;
    }
    if (total && last == '\r')
        total--;
    size_t n = total < HTTP_PARSE_STASH ? total : HTTP_PARSE_STASH;
    if (l == start)
        n = total;
    if (in_header)
        p->header_bytes += (uint32_t)(p->line_len + part + 1);
    *pos += part + 1;
    p->line_len = 0;
    return dispatch_line(p, l, n, total);
}

enum http_parse_status http_parse_feed(struct http_parse *p, const char *data, size_t len,
                                       size_t *used)
{
    size_t pos = 0;
    if (len)
        p->flags |= F_SEEN;
    if (p->state == S_DONE && len) {
        *used = 0;
        fail(p, "bytes after the end of the response");
        return HTTP_PARSE_ERROR;
    }
    while (pos < len) {
        if (p->state == S_BODY_CL || p->state == S_CHUNK_DATA) {
            uint64_t take = len - pos < p->remaining ? len - pos : p->remaining;
            p->remaining -= take;
            p->body_bytes += take;
            pos += take;
            if (p->remaining == 0) {
                if (p->state == S_BODY_CL) {
                    p->state = S_DONE;
                    *used = pos;
                    return HTTP_PARSE_DONE;
                }
                p->state = S_CHUNK_CRLF;
            }
            continue;
        }
        if (p->state == S_BODY_EOF) {
            p->body_bytes += len - pos;
            pos = len;
            break;
        }
        enum step r = line_step(p, data, len, &pos);
        if (r == STEP_DONE || r == STEP_ERR) {
            *used = pos;
            return r == STEP_DONE ? HTTP_PARSE_DONE : HTTP_PARSE_ERROR;
        }
    }
    *used = pos;
    return HTTP_PARSE_MORE;
}

enum http_parse_status http_parse_eof(struct http_parse *p)
{
    switch (p->state) {
    case S_BODY_EOF:
        p->state = S_DONE;
        p->keep_alive = 0;
        return HTTP_PARSE_DONE;
    case S_DONE:
        return HTTP_PARSE_DONE;
    case S_STATUS:
    case S_HEADER:
        p->err = HTTP_PARSE_ERR_RESET;
        p->why = "connection closed before the response header ended";
        return HTTP_PARSE_ERROR;
    default:
        p->err = HTTP_PARSE_ERR_TRUNCATED;
        p->why = "connection closed before the body ended";
        return HTTP_PARSE_ERROR;
    }
}
