/* tests/unit/test_grpc.c: the gRPC codec (loadgen/grpc.c) on responses
 * captured from tests/go/grpcsvc (tests/data/grpc, made by
 * tests/data/grpc/capture/capture.go), fed whole, split at every position
 * and byte by byte, and on hostile ones: compressed messages without
 * grpc-encoding, unknown flags, declared lengths beyond the body, junk
 * statuses, HTTP errors without grpc-status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lc.h"
#include "loadgen/grpc.h"

struct capture {
    char *fields;
    size_t fields_len;
    char *body;
    size_t body_len;
};

static void load(const char *name, struct capture *c)
{
    char path[256];
    snprintf(path, sizeof path, "tests/data/grpc/%s.fields", name);
    c->fields = lc_read_file(path, 1 << 20, &c->fields_len, NULL);
    assert_non_null(c->fields);
    snprintf(path, sizeof path, "tests/data/grpc/%s.body", name);
    c->body = lc_read_file(path, 1 << 20, &c->body_len, NULL);
    assert_non_null(c->body);
}

static void unload(struct capture *c)
{
    free(c->fields);
    free(c->body);
}

/* Feeds the captured fields of one kind ('H' or 'T'). */
static void feed_fields(struct grpc_resp *r, const struct capture *c, char kind)
{
    char *line = c->fields;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (line[0] == kind) {
            /* "H name: value"; a pseudo-header's name begins with ':' */
            char *sep = strstr(line + 3, ": ");
            char *end = line + len;
            if (!sep) /* "T grpc-message: " with an empty value */
                sep = end - 1;
            size_t vlen = sep + 2 <= end ? (size_t)(end - sep - 2) : 0;
            assert_int_equal(
                grpc_resp_field(r, kind == 'T', line + 2, (size_t)(sep - line - 2), sep + 2, vlen),
                0);
        }
        line = nl ? nl + 1 : NULL;
    }
}

/* Reads a capture with its body cut at split (0: none) or in step-byte pieces. */
static enum grpc_outcome replay(const struct capture *c, size_t split, size_t step,
                                struct grpc_resp *r)
{
    grpc_resp_init(r);
    feed_fields(r, c, 'H');
    size_t off = 0;
    while (off < c->body_len) {
        size_t n = c->body_len - off;
        if (step && n > step)
            n = step;
        if (split && off < split && off + n > split)
            n = split - off;
        assert_int_equal(grpc_resp_data(r, (const uint8_t *)c->body + off, n), 0);
        off += n;
    }
    feed_fields(r, c, 'T');
    return grpc_resp_end(r);
}

/* The captured answer NAME, one message of msg_bytes, status OK: its body
 * cut once at every position up to max_split, and fed in pieces of each of
 * steps. */
static void expect_ok(const char *name, uint64_t msg_bytes, size_t max_split, const size_t *steps,
                      size_t nsteps)
{
    struct capture c;
    struct grpc_resp r;
    load(name, &c);
    for (size_t i = 0; i < max_split + nsteps; i++) {
        size_t split = i < max_split ? i : 0, step = i < max_split ? 0 : steps[i - max_split];
        assert_int_equal(replay(&c, split, step, &r), GRPC_OUT_OK);
        assert_int_equal(r.status, 0);
        assert_int_equal(r.frames, 1);
        assert_int_equal(r.msg_bytes, msg_bytes);
    }
    unload(&c);
}

static void test_captured_echo(void **state)
{
    (void)state;
    static const size_t steps[] = {1, 2, 7};
    expect_ok("echo", 14, 19, steps, LC_ARRAY_LEN(steps));
}

static void test_captured_big(void **state)
{
    (void)state;
    static const size_t steps[] = {0, 1, 3, 16384, 99999};
    expect_ok("big", 100000, 0, steps, LC_ARRAY_LEN(steps));
}

static void test_captured_trailers_only(void **state)
{
    (void)state;
    struct capture c;
    struct grpc_resp r;
    char text[256];
    load("fail", &c);
    assert_int_equal(replay(&c, 0, 0, &r), GRPC_OUT_STATUS);
    assert_int_equal(r.status, 14);
    grpc_resp_describe(&r, text, sizeof text);
    assert_string_equal(text, "grpc UNAVAILABLE: backend down");
    unload(&c);
    load("unknown", &c);
    assert_int_equal(replay(&c, 0, 0, &r), GRPC_OUT_STATUS);
    assert_int_equal(r.status, 12);
    grpc_resp_describe(&r, text, sizeof text);
    assert_string_equal(text, "grpc UNIMPLEMENTED: unknown method Nope for service leak.Svc");
    unload(&c);
}

static void test_frame(void **state)
{
    (void)state;
    size_t n = 0;
    uint8_t *f = grpc_frame("abc", 3, &n);
    assert_int_equal(n, 8);
    assert_memory_equal(f, "\0\0\0\0\3abc", 8);
    free(f);
    f = grpc_frame(NULL, 0, &n);
    assert_int_equal(n, 5);
    assert_memory_equal(f, "\0\0\0\0\0", 5);
    free(f);
    char *big = lc_calloc(1, 0x10203);
    f = grpc_frame(big, 0x10203, &n);
    assert_memory_equal(f, "\0\0\1\2\3", 5);
    free(f);
    free(big);
    assert_null(grpc_frame(big, (size_t)UINT32_MAX + 1, &n));
}

/* A response with the headers of a normal answer, body bytes, then trailers. */
static enum grpc_outcome answer(struct grpc_resp *r, const char *encoding, const void *body,
                                size_t len, const char *status)
{
    grpc_resp_init(r);
    grpc_resp_field(r, 0, ":status", 7, "200", 3);
    grpc_resp_field(r, 0, "content-type", 12, "application/grpc+proto", 22);
    if (encoding)
        grpc_resp_field(r, 0, "grpc-encoding", 13, encoding, strlen(encoding));
    grpc_resp_data(r, body, len);
    if (status)
        grpc_resp_field(r, 1, "grpc-status", 11, status, strlen(status));
    return grpc_resp_end(r);
}

static void test_hostile_bodies(void **state)
{
    (void)state;
    struct grpc_resp r;
    /* three messages, one empty */
    static const uint8_t three[] = {0, 0, 0, 0, 2, 'h', 'i', 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, '!'};
    assert_int_equal(answer(&r, NULL, three, sizeof three, "0"), GRPC_OUT_OK);
    assert_int_equal(r.frames, 3);
    assert_int_equal(r.msg_bytes, 3);
    /* compressed flag without grpc-encoding; with it, counted */
    static const uint8_t gz[] = {1, 0, 0, 0, 1, 'x'};
    assert_int_equal(answer(&r, NULL, gz, sizeof gz, "0"), GRPC_OUT_MALFORMED);
    assert_string_equal(r.why, "a compressed message without grpc-encoding");
    assert_int_equal(answer(&r, "identity", gz, sizeof gz, "0"), GRPC_OUT_MALFORMED);
    assert_int_equal(answer(&r, "gzip", gz, sizeof gz, "0"), GRPC_OUT_OK);
    /* an unknown flag */
    static const uint8_t flag2[] = {2, 0, 0, 0, 0};
    assert_int_equal(answer(&r, "gzip", flag2, sizeof flag2, "0"), GRPC_OUT_MALFORMED);
    /* a declared length far beyond the body, a prefix cut short */
    static const uint8_t huge[] = {0, 0xff, 0xff, 0xff, 0xff, 'a', 'b'};
    assert_int_equal(answer(&r, NULL, huge, sizeof huge, "0"), GRPC_OUT_TRUNCATED);
    assert_string_equal(r.why, "the body ended before a message's declared length");
    assert_int_equal(answer(&r, NULL, huge, 3, "0"), GRPC_OUT_TRUNCATED);
    assert_string_equal(r.why, "the body ended inside a message's prefix");
    /* data after the trailers */
    answer(&r, NULL, three, 7, "0");
    assert_int_equal(grpc_resp_data(&r, three, 7), -1);
}

static void test_hostile_fields(void **state)
{
    (void)state;
    struct grpc_resp r;
    char text[256];
    static const uint8_t empty[] = {0, 0, 0, 0, 0};
    assert_int_equal(answer(&r, NULL, empty, 5, NULL), GRPC_OUT_MALFORMED);
    assert_string_equal(r.why, "no grpc-status in the response");
    assert_int_equal(answer(&r, NULL, empty, 5, "1x"), GRPC_OUT_MALFORMED);
    assert_int_equal(answer(&r, NULL, empty, 5, ""), GRPC_OUT_MALFORMED);
    assert_int_equal(answer(&r, NULL, empty, 5, "99999999999999999999"), GRPC_OUT_MALFORMED);
    /* a code beyond 16 is a non-zero status the reports name by number */
    assert_int_equal(answer(&r, NULL, empty, 5, "99"), GRPC_OUT_STATUS);
    assert_null(grpc_code_name(r.status));
    grpc_resp_describe(&r, text, sizeof text);
    assert_string_equal(text, "grpc CODE_99");
    /* percent-encoded message; control bytes and non-ASCII become '?' */
    grpc_resp_field(&r, 1, "Grpc-Message", 12, "a%20b%0A%C3%A9%zz%4", 19);
    assert_string_equal(r.message, "a b???%zz%4");
    /* not a gRPC answer: the HTTP status mapped as the spec says */
    grpc_resp_init(&r);
    grpc_resp_field(&r, 0, ":status", 7, "503", 3);
    grpc_resp_field(&r, 0, "content-type", 12, "text/html", 9);
    /* its body (an error page) is not read as gRPC messages */
    assert_int_equal(grpc_resp_data(&r, (const uint8_t *)"down\n", 5), 0);
    assert_int_equal(grpc_resp_end(&r), GRPC_OUT_STATUS);
    assert_string_equal(grpc_code_name(r.status), "UNAVAILABLE");
    /* zeroed state (as the HTTP/2 engine hands it) is a fresh one: without
     * grpc-status, a 200 gRPC answer is no OK */
    memset(&r, 0, sizeof r);
    grpc_resp_field(&r, 0, ":status", 7, "200", 3);
    grpc_resp_field(&r, 0, "content-type", 12, "application/grpc", 16);
    assert_int_equal(grpc_resp_data(&r, empty, 5), 0);
    assert_int_equal(grpc_resp_end(&r), GRPC_OUT_MALFORMED);
    assert_string_equal(r.why, "no grpc-status in the response");
    /* 200 without a gRPC content-type */
    grpc_resp_init(&r);
    grpc_resp_field(&r, 0, ":status", 7, "200", 3);
    grpc_resp_field(&r, 0, "content-type", 12, "application/grpcx", 17);
    grpc_resp_field(&r, 0, "grpc-status", 11, "0", 1);
    assert_int_equal(grpc_resp_end(&r), GRPC_OUT_MALFORMED);
    assert_int_equal(grpc_resp_field(&r, 0, ":status", 7, "20", 2), -1);
    assert_int_equal(grpc_code_of_http(404), 12);
    assert_int_equal(grpc_code_of_http(418), 2);
    assert_string_equal(grpc_code_name(0), "OK");
    assert_string_equal(grpc_code_name(16), "UNAUTHENTICATED");
    assert_null(grpc_code_name(-1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captured_echo),          cmocka_unit_test(test_captured_big),
        cmocka_unit_test(test_captured_trailers_only), cmocka_unit_test(test_frame),
        cmocka_unit_test(test_hostile_bodies),         cmocka_unit_test(test_hostile_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
