/*
 * loadgen/http_parse.h: an incremental HTTP/1.1 response parser.
 *
 * It reads the bytes where they lie (no copy of the body or of whole
 * headers): only a line split between two reads has its first
 * HTTP_PARSE_STASH bytes kept in the parser. It understands the status
 * line, Content-Length, Transfer-Encoding: chunked (with extensions and
 * trailers), Connection: close / keep-alive, HTTP/1.0, 1xx interim
 * responses, bodiless responses (HEAD, 204, 304) and bodies that end at
 * close. Bad input (a header section over HTTP_PARSE_MAX_HEADER bytes,
 * junk or overflowing sizes) is an error, never a crash.
 */
#ifndef LC_HTTP_PARSE_H
#define LC_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_PARSE_STASH 120
#define HTTP_PARSE_MAX_HEADER (64 * 1024)

enum http_parse_status {
    HTTP_PARSE_MORE,  /* every byte consumed; the response is not complete */
    HTTP_PARSE_DONE,  /* a complete response ends after *used bytes */
    HTTP_PARSE_ERROR, /* see the parser's err and why */
};

enum http_parse_err {
    HTTP_PARSE_ERR_NONE,
    HTTP_PARSE_ERR_MALFORMED, /* the bytes are not a valid response */
    HTTP_PARSE_ERR_RESET,     /* closed before the header section ended */
    HTTP_PARSE_ERR_TRUNCATED, /* closed before the body ended */
};

/* Parser state; put one in each connection, reset with http_parse_init. */
struct http_parse {
    uint64_t remaining; /* body or chunk bytes still to come */
    uint64_t content_length;
    uint64_t body_bytes;   /* body bytes seen (chunk framing excluded) */
    const char *why;       /* a static description of an error */
    uint32_t header_bytes; /* size of the header (or trailer) section so far */
    uint32_t line_len;     /* bytes of the current unfinished line */
    uint16_t status;       /* status code once the status line is read */
    uint16_t flags;
    uint8_t state;
    uint8_t err;        /* enum http_parse_err */
    uint8_t keep_alive; /* after DONE: 1 when the connection may be reused */
    uint8_t minor;      /* HTTP/1.minor */
    char last;          /* the last byte of the unfinished line */
    char stash[HTTP_PARSE_STASH];
};

/* Resets p for a new response; head is 1 when the request was HEAD (no body). */
void http_parse_init(struct http_parse *p, int head);

/* Feeds len bytes. Returns HTTP_PARSE_MORE when all were consumed and more
 * are needed, HTTP_PARSE_DONE when a response ended after *used bytes (what
 * follows belongs to the next response), or HTTP_PARSE_ERROR (p->err is
 * HTTP_PARSE_ERR_MALFORMED, p->why says why). */
enum http_parse_status http_parse_feed(struct http_parse *p, const char *data, size_t len,
                                       size_t *used);

/* Tells the parser the connection closed. Returns HTTP_PARSE_DONE when the
 * body was delimited by the close, else HTTP_PARSE_ERROR with p->err
 * HTTP_PARSE_ERR_RESET (no complete header) or HTTP_PARSE_ERR_TRUNCATED. */
enum http_parse_status http_parse_eof(struct http_parse *p);

/* 1 when no byte of the response has been seen since http_parse_init. */
int http_parse_idle(const struct http_parse *p);

#endif
