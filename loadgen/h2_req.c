/*
 * loadgen/h2_req.c: a configured request as HTTP/2 name/value pairs for
 * nghttp2 (:method :scheme :authority :path, then the user's headers with
 * lower-cased names), built once. Headers HTTP/2 forbids (connection,
 * keep-alive, proxy-connection, transfer-encoding, upgrade, and te other
 * than "trailers") are refused with a clear error rather than sent to be
 * refused by the server; a user's Host becomes :authority.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nghttp2/nghttp2.h>

#include "loadgen/h2_int.h"

static const char *const forbidden[] = {"connection",        "keep-alive", "proxy-connection",
                                        "transfer-encoding", "upgrade",    NULL};

static void add(struct lg_h2_req *q, const char *name, size_t nlen, const char *value)
{
    char *n = lc_malloc(nlen + 1);
    for (size_t i = 0; i < nlen; i++)
        n[i] = (char)tolower((unsigned char)name[i]);
    n[nlen] = '\0';
    char *v = lc_strdup(value);
    q->strs[q->nstrs++] = n;
    q->strs[q->nstrs++] = v;
    nghttp2_nv *nv = &q->nva[q->nnva++];
    nv->name = (uint8_t *)n;
    nv->namelen = nlen;
    nv->value = (uint8_t *)v;
    nv->valuelen = strlen(v);
    nv->flags = NGHTTP2_NV_FLAG_NONE;
}

/* A user header's check: 0, or -1 with err for one HTTP/2 forbids. */
static int check(const char *name, size_t nlen, const char *value, struct lc_error *err)
{
    for (int i = 0; forbidden[i]; i++)
        if (strlen(forbidden[i]) == nlen && strncasecmp(name, forbidden[i], nlen) == 0)
            return lc_error_set(err, "header %.*s is not allowed in HTTP/2", (int)nlen, name), -1;
    if (nlen == 2 && strncasecmp(name, "te", 2) == 0 && strcasecmp(value, "trailers") != 0)
        return lc_error_set(err, "HTTP/2 allows te only as \"te: trailers\""), -1;
    return 0;
}

int lg_h2_req_build(const struct loadgen_request *r, const char *scheme, const char *authority,
                    const char *path, struct lg_req *out, struct lc_error *err)
{
    struct lg_h2_req *q = lc_calloc(1, sizeof *q);
    size_t max = 4 + r->nheaders;
    q->nva = lc_calloc(max, sizeof *q->nva);
    q->strs = lc_calloc(2 * max, sizeof *q->strs);
    out->h2 = q;
    const char *host = authority;
    for (size_t i = 0; i < r->nheaders; i++)
        if (strncasecmp(r->headers[i], "host:", 5) == 0)
            for (host = r->headers[i] + 5; *host == ' ' || *host == '\t'; host++)
                ;
    add(q, ":method", 7, r->method ? r->method : "GET");
    add(q, ":scheme", 7, scheme);
    add(q, ":authority", 10, host);
    add(q, ":path", 5, path);
    for (size_t i = 0; i < r->nheaders; i++) {
        const char *hd = r->headers[i], *colon = strchr(hd, ':'), *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        if (check(hd, (size_t)(colon - hd), v, err) != 0)
            return -1;
        if ((size_t)(colon - hd) != 4 || strncasecmp(hd, "host", 4) != 0)
            add(q, hd, (size_t)(colon - hd), v);
    }
    if (r->body && r->body_len) {
        q->body = lc_malloc(r->body_len);
        memcpy(q->body, r->body, r->body_len);
        q->body_len = r->body_len;
    }
    return 0;
}

void lg_h2_req_free(struct lg_req *out)
{
    struct lg_h2_req *q = out->h2;
    if (!q)
        return;
    for (size_t i = 0; i < q->nstrs; i++)
        free(q->strs[i]);
    free(q->strs);
    free(q->nva);
    free(q->body);
    free(q);
    out->h2 = NULL;
}
