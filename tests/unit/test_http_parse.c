/* tests/unit/test_http_parse.c: the incremental response parser, on
 * responses captured from nginx, Go net/http and libevent evhttp
 * (tests/data/http), fed whole, split at every position and byte by byte,
 * and on malformed, truncated and overflowing input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lc.h"
#include "loadgen/http_parse.h"

#define MAXR 4

/* What parsing a byte stream gave: the responses, then how it ended. */
struct outcome {
    int n;
    int status[MAXR];
    uint64_t body[MAXR];
    int keep[MAXR];
    int end;      /* last enum http_parse_status (after eof when asked) */
    int err;      /* enum http_parse_err when end is HTTP_PARSE_ERROR */
    size_t taken; /* bytes consumed in all */
};

/* Feeds data in pieces: split > 0 cuts once at that offset; step > 0 feeds
 * step bytes at a time. Sends eof at the end when eof is set. */
static void run(const char *data, size_t len, int head, size_t split, size_t step, int eof,
                struct outcome *o)
{
    struct http_parse p;
    memset(o, 0, sizeof *o);
    http_parse_init(&p, head);
    size_t off = 0;
    enum http_parse_status st = HTTP_PARSE_MORE;
    while (off < len) {
        size_t piece = len - off;
        if (step && piece > step)
            piece = step;
        if (split && off < split && off + piece > split)
            piece = split - off;
        size_t used = 0;
        st = http_parse_feed(&p, data + off, piece, &used);
        assert_true(used <= piece);
        off += used;
        if (st == HTTP_PARSE_ERROR)
            break;
        if (st == HTTP_PARSE_DONE) {
            assert_true(o->n < MAXR);
            o->status[o->n] = p.status;
            o->body[o->n] = p.body_bytes;
            o->keep[o->n] = p.keep_alive;
            o->n++;
            http_parse_init(&p, head);
        } else {
            assert_int_equal(used, piece);
        }
    }
    if (eof && st != HTTP_PARSE_ERROR) {
        st = http_parse_eof(&p);
        if (st == HTTP_PARSE_DONE && !http_parse_idle(&p)) {
            o->status[o->n] = p.status;
            o->body[o->n] = p.body_bytes;
            o->keep[o->n] = p.keep_alive;
            o->n++;
        }
    }
    o->end = st;
    o->err = st == HTTP_PARSE_ERROR ? p.err : 0;
    o->taken = off;
}

static void same(const struct outcome *a, const struct outcome *b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->end, b->end);
    assert_int_equal(a->err, b->err);
    for (int i = 0; i < a->n; i++) {
        assert_int_equal(a->status[i], b->status[i]);
        assert_int_equal(a->body[i], b->body[i]);
        assert_int_equal(a->keep[i], b->keep[i]);
    }
}

/* Runs data whole, split at every offset and byte by byte; all must agree. */
static void run_all_ways(const char *data, size_t len, int head, int eof, struct outcome *whole)
{
    run(data, len, head, 0, 0, eof, whole);
    struct outcome o;
    for (size_t k = 1; k < len; k++) {
        run(data, len, head, k, 0, eof, &o);
        same(whole, &o);
    }
    run(data, len, head, 0, 1, eof, &o);
    same(whole, &o);
    run(data, len, head, 0, 7, eof, &o);
    same(whole, &o);
}

static const struct {
    const char *file;
    int head;
    int n;
    int status[2];
    uint64_t body[2];
    int keep[2];
} captured[] = {
    {"nginx_empty_200.bin", 0, 1, {200}, {0}, {0}},
    {"nginx_text_200.bin", 0, 1, {200}, {17}, {0}},
    {"nginx_404.bin", 0, 1, {404}, {153}, {0}},
    {"nginx_302.bin", 0, 1, {302}, {145}, {0}},
    {"nginx_static_70000.bin", 0, 1, {200}, {70000}, {0}},
    {"nginx_head.bin", 1, 1, {200}, {0}, {0}},
    {"nginx_http10.bin", 0, 1, {200}, {17}, {0}},
    {"nginx_keepalive_pair.bin", 0, 2, {200, 200}, {0, 0}, {1, 0}},
    {"go_chunked.bin", 0, 1, {200}, {150}, {0}},
    {"go_big_65536.bin", 0, 1, {200}, {65536}, {0}},
    {"go_small.bin", 0, 1, {200}, {14}, {0}},
    {"go_204.bin", 0, 1, {204}, {0}, {0}},
    {"go_trailer.bin", 0, 1, {200}, {20}, {0}},
    {"go_404.bin", 0, 1, {404}, {19}, {0}},
    {"go_keepalive_pair.bin", 0, 2, {200, 200}, {150, 150}, {1, 0}},
    {"evhttp_ok.bin", 0, 1, {200}, {18}, {0}},
    {"evhttp_chunked.bin", 0, 1, {200}, {21}, {0}},
    {"evhttp_404.bin", 0, 1, {404}, {90}, {0}},
    {"evhttp_keepalive_pair.bin", 0, 2, {200, 200}, {18, 18}, {1, 0}},
};

static void test_captured(void **state)
{
    (void)state;
    for (size_t i = 0; i < LC_ARRAY_LEN(captured); i++) {
        char path[256];
        snprintf(path, sizeof path, "tests/data/http/%s", captured[i].file);
        struct lc_error err = {0};
        size_t len = 0;
        char *data = lc_read_file(path, 1 << 20, &len, &err);
        if (!data)
            fail_msg("%s", err.msg);
        struct outcome o;
        run_all_ways(data, len, captured[i].head, 0, &o);
        if (o.n != captured[i].n || o.end != HTTP_PARSE_DONE || o.taken != len)
            fail_msg("%s: %d responses, end %d, %zu of %zu bytes", path, o.n, o.end, o.taken, len);
        for (int r = 0; r < o.n; r++) {
            assert_int_equal(o.status[r], captured[i].status[r]);
            assert_int_equal(o.body[r], captured[i].body[r]);
            assert_int_equal(o.keep[r], captured[i].keep[r]);
        }
        free(data);
    }
}

/* A text case: expected outcome of a response given as a C string. */
struct tcase {
    const char *text;
    int end;
    int err;
    int status;
    uint64_t body;
    int keep;
};

static void check_text(const struct tcase *c, int head, int eof)
{
    struct outcome o;
    run_all_ways(c->text, strlen(c->text), head, eof, &o);
    if (o.end != c->end || o.err != c->err)
        fail_msg("%.60s: end %d err %d, wanted end %d err %d", c->text, o.end, o.err, c->end,
                 c->err);
    if (c->end == HTTP_PARSE_DONE) {
        assert_int_equal(o.n, 1);
        assert_int_equal(o.status[0], c->status);
        assert_int_equal(o.body[0], c->body);
        assert_int_equal(o.keep[0], c->keep);
    }
}

#define OK HTTP_PARSE_DONE, 0
#define BAD HTTP_PARSE_ERROR, HTTP_PARSE_ERR_MALFORMED

static void test_malformed(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"HTTP/2 200 OK\r\n\r\n", BAD, 0, 0, 0},
        {"HTTX/1.1 200 OK\r\n\r\n", BAD, 0, 0, 0},
        {"HTTP/1.1 20 OK\r\n\r\n", BAD, 0, 0, 0},
        {"HTTP/1.1 099 Odd\r\n\r\n", BAD, 0, 0, 0},
        {"HTTP/1.1 200OK\r\n\r\n", BAD, 0, 0, 0},
        {"garbage\r\n\r\n", BAD, 0, 0, 0},
        {"\r\nHTTP/1.1 200 OK\r\n\r\n", BAD, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n", BAD, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx", BAD, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", BAD, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", BAD, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", BAD, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n", BAD, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", BAD, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc", BAD, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", BAD, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n", BAD, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", BAD, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", BAD, 0, 0,
         0},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", BAD, 0, 0,
         0},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n", BAD, 0, 0,
         0},
        {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", BAD, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 2\r\n\r\nx", BAD, 0, 0, 0},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++)
        check_text(&cases[i], 0, 0);
}

static void test_valid_variants(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"HTTP/1.1 200 OK\nContent-Length: 2\n\nok", OK, 200, 2, 1},
        {"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", OK, 200, 0, 1},
        {"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 3\r\n\r\nbad", OK, 503, 3, 1},
        {"HTTP/1.1 200 OK\r\nContent-Length:  5 \r\nConnection: Close\r\n\r\nhello", OK, 200, 5, 0},
        {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", OK, 200, 2, 1},
        {"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", OK, 200, 2, 0},
        {"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok", OK, 200, 2, 1},
        {"HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n", OK, 200,
         0, 0},
        {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx", OK, 201,
         1, 1},
        {"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n", OK, 304, 0, 1},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=\"a b\"\r\nhello\r\n"
         "A \r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n",
         OK, 200, 15, 1},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 9\r\n\r\n"
         "1\r\nz\r\n0\r\n\r\n",
         OK, 200, 1, 1},
        {"HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 1\r\n\r\nx", OK, 200, 1, 1},
        {"HTTP/1.1 200 OK\r\nContent-Length: 0000000000000000000000000001\r\n\r\nx", OK, 200, 1, 1},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++)
        check_text(&cases[i], 0, 0);
}

static void test_eof_cases(void **state)
{
    (void)state;
    static const struct tcase cases[] = {
        {"", HTTP_PARSE_ERROR, HTTP_PARSE_ERR_RESET, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nContent-Le", HTTP_PARSE_ERROR, HTTP_PARSE_ERR_RESET, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", HTTP_PARSE_ERROR,
         HTTP_PARSE_ERR_TRUNCATED, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", HTTP_PARSE_ERROR,
         HTTP_PARSE_ERR_TRUNCATED, 0, 0, 0},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n",
         HTTP_PARSE_ERROR, HTTP_PARSE_ERR_TRUNCATED, 0, 0, 0},
        /* no length: the body ends at close */
        {"HTTP/1.1 200 OK\r\nServer: x\r\n\r\nuntil close", OK, 200, 11, 0},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nab", OK, 200, 5, 0},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++)
        check_text(&cases[i], 0, 1);
    /* HEAD: a Content-Length but no body */
    static const struct tcase head = {"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", OK, 200, 0,
                                      1};
    check_text(&head, 1, 0);
}

/* Builds "HTTP/1.1 200 OK\r\n" + headers of total size hsize + body. */
static char *big_header(size_t hsize, const char *name, size_t nlines)
{
    struct lc_buf b = {0};
    lc_buf_puts(&b, "HTTP/1.1 200 OK\r\n");
    size_t per = hsize / nlines;
    for (size_t i = 0; i < nlines; i++) {
        lc_buf_printf(&b, "%s: ", name);
        for (size_t j = 0; j < per; j++)
            lc_buf_append(&b, "v", 1);
        lc_buf_puts(&b, "\r\n");
    }
    lc_buf_puts(&b, "Content-Length: 2\r\n\r\nok");
    return b.data;
}

static void test_huge_headers(void **state)
{
    (void)state;
    struct outcome o;
    /* one 70 KB line, many lines adding up to 70 KB: both too large */
    char *one = big_header(70000, "X-Big", 1);
    run(one, strlen(one), 0, 0, 0, 0, &o);
    assert_int_equal(o.end, HTTP_PARSE_ERROR);
    assert_int_equal(o.err, HTTP_PARSE_ERR_MALFORMED);
    run(one, strlen(one), 0, 0, 1, 0, &o);
    assert_int_equal(o.end, HTTP_PARSE_ERROR);
    run(one, strlen(one), 0, 0, 4096, 0, &o);
    assert_int_equal(o.end, HTTP_PARSE_ERROR);
    free(one);
    char *many = big_header(70000, "X-Many", 700);
    run(many, strlen(many), 0, 0, 333, 0, &o);
    assert_int_equal(o.end, HTTP_PARSE_ERROR);
    free(many);
    /* 60 KB of headers is fine, however it is cut */
    char *fine = big_header(60000, "Set-Cookie", 3);
    struct outcome whole;
    run(fine, strlen(fine), 0, 0, 0, 0, &whole);
    assert_int_equal(whole.end, HTTP_PARSE_DONE);
    assert_int_equal(whole.body[0], 2);
    for (size_t step = 1; step < 300; step += 37) {
        run(fine, strlen(fine), 0, 0, step, 0, &o);
        same(&whole, &o);
    }
    free(fine);
    /* the lines the parser reads values from are bounded: rejected however cut */
    char *longcl = big_header(200, "Connection", 1);
    run_all_ways(longcl, strlen(longcl), 0, 0, &o);
    assert_int_equal(o.end, HTTP_PARSE_ERROR);
    free(longcl);
    char zeros[400] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    size_t z = strlen(zeros);
    memset(zeros + z, '0', 200);
    memcpy(zeros + z + 200, "1\r\nx\r\n0\r\n\r\n", 12);
    run_all_ways(zeros, strlen(zeros), 0, 0, &o);
    assert_int_equal(o.end, HTTP_PARSE_ERROR);
    assert_int_equal(o.err, HTTP_PARSE_ERR_MALFORMED);
}

static void test_trailing_bytes(void **state)
{
    (void)state;
    const char *two = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 404 NF\r\n";
    struct http_parse p;
    http_parse_init(&p, 0);
    assert_true(http_parse_idle(&p));
    size_t used = 0;
    assert_int_equal(http_parse_feed(&p, two, strlen(two), &used), HTTP_PARSE_DONE);
    assert_false(http_parse_idle(&p));
    assert_int_equal(used, 39);
    /* a finished parser rejects more bytes */
    assert_int_equal(http_parse_feed(&p, two + used, 4, &used), HTTP_PARSE_ERROR);
    assert_non_null(p.why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captured),       cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_valid_variants), cmocka_unit_test(test_eof_cases),
        cmocka_unit_test(test_huge_headers),   cmocka_unit_test(test_trailing_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
