/*
 * tests/fuzz/fuzz_http_parse.c: the load generator's HTTP response parser
 * on arbitrary bytes, read as the responses of one keep-alive connection
 * (after each complete response the parser is reset for the next; at the
 * end of the input the connection closes). Each input is parsed for a GET
 * and for a HEAD, each time fed whole, byte by byte and in pieces of 2 to
 * 14 bytes: http_parse.h promises that the result never depends on how the
 * bytes were split, so the three readings must agree on every response
 * (outcome, status, body bytes, keep-alive, where it ended) and on the
 * error that stopped them.
 */
#include "loadgen/http_parse.h"
#include "tests/fuzz/fuzz.h"

#define MAX_RECORDS 32

struct record {
    enum http_parse_status st;
    unsigned status;
    uint64_t body_bytes;
    unsigned keep_alive;
    unsigned err;
    const char *why;
    size_t end; /* offset after the response (DONE only) */
    int at_eof; /* the outcome came from http_parse_eof */
};

struct reading {
    struct record rec[MAX_RECORDS];
    size_t n;
};

static void note(struct reading *r, const struct http_parse *p, enum http_parse_status st,
                 size_t end, int at_eof)
{
    if (st == HTTP_PARSE_ERROR)
        FUZZ_CHECK(p->err != HTTP_PARSE_ERR_NONE && p->why != NULL);
    if (r->n == MAX_RECORDS)
        return;
    struct record *c = &r->rec[r->n++];
    c->st = st;
    c->status = p->status;
    c->body_bytes = p->body_bytes;
    c->keep_alive = st == HTTP_PARSE_DONE ? p->keep_alive : 0;
    c->err = st == HTTP_PARSE_ERROR ? p->err : 0;
    c->why = st == HTTP_PARSE_ERROR ? p->why : NULL;
    c->end = st == HTTP_PARSE_DONE ? end : 0;
    c->at_eof = at_eof;
}

/* Parses data fed in pieces of `step` bytes (0: all at once). */
static void read_all(const char *data, size_t len, int head, size_t step, struct reading *r)
{
    struct http_parse p;
    size_t pos = 0;
    r->n = 0;
    http_parse_init(&p, head);
    FUZZ_CHECK(http_parse_idle(&p));
    while (pos < len) {
        size_t n = step && len - pos > step ? step : len - pos, used = n + 1;
        enum http_parse_status st = http_parse_feed(&p, data + pos, n, &used);
        FUZZ_CHECK(used <= n);
        if (st == HTTP_PARSE_MORE) {
            FUZZ_CHECK(used == n);
            pos += n;
            continue;
        }
        pos += used;
        note(r, &p, st, pos, 0);
        if (st == HTTP_PARSE_ERROR)
            return;
        http_parse_init(&p, head);
    }
    if (!http_parse_idle(&p))
        note(r, &p, http_parse_eof(&p), pos, 1);
}

static int same_record(const struct record *a, const struct record *b)
{
    return a->st == b->st && a->status == b->status && a->body_bytes == b->body_bytes &&
           a->keep_alive == b->keep_alive && a->err == b->err && a->end == b->end &&
           a->at_eof == b->at_eof &&
           (a->why == b->why || (a->why && b->why && strcmp(a->why, b->why) == 0));
}

static void agree(const struct reading *a, const struct reading *b, size_t step)
{
    for (size_t i = 0; i < a->n && i < b->n; i++) {
        if (same_record(&a->rec[i], &b->rec[i]))
            continue;
        fprintf(stderr,
                "response %zu differs fed in %zu-byte pieces: status %u/%u, outcome %d/%d, "
                "body %llu/%llu, why \"%s\"/\"%s\"\n",
                i, step, a->rec[i].status, b->rec[i].status, (int)a->rec[i].st, (int)b->rec[i].st,
                (unsigned long long)a->rec[i].body_bytes, (unsigned long long)b->rec[i].body_bytes,
                a->rec[i].why ? a->rec[i].why : "", b->rec[i].why ? b->rec[i].why : "");
        abort();
    }
    FUZZ_CHECK(a->n == b->n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct reading whole, split;
    char *text = fuzz_copy(data, size, 0);
    size_t steps[] = {1, 2 + size % 13};
    for (int head = 0; head < 2; head++) {
        read_all(text, size, head, 0, &whole);
        for (size_t i = 0; i < LC_ARRAY_LEN(steps); i++) {
            read_all(text, size, head, steps[i], &split);
            agree(&whole, &split, steps[i]);
        }
    }
    free(text);
    return 0;
}
