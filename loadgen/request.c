/*
 * loadgen/request.c: turns the configured requests into bytes sent as they
 * are (built once), the weighted round-robin order of a request mix, and
 * the resolved target address.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loadgen/lg_int.h"

#define LG_MAX_MIX 1000000

struct lg_url {
    char *host;      /* without brackets */
    char *authority; /* as written: host[:port], brackets kept */
    char *path;      /* with query; "/" when empty */
    char port[6];
    int tls; /* https */
};

static void url_free(struct lg_url *u)
{
    free(u->host);
    free(u->authority);
    free(u->path);
    memset(u, 0, sizeof *u);
}

static int parse_port(const char *s, size_t n, char out[6], struct lc_error *err)
{
    unsigned long v = 0;
    if (n == 0 || n > 5)
        goto bad;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            goto bad;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        goto bad;
    snprintf(out, 6, "%lu", v);
    return 0;
bad:
    lc_error_set(err, "bad port \"%.*s\"", (int)n, s);
    return -1;
}

/* Splits http://host[:port][/path][?query][#frag]. Returns 0 or -1 with err. */
static int url_parse(const char *url, struct lg_url *u, struct lc_error *err)
{
    memset(u, 0, sizeof *u);
    if (!url || !*url)
        return lc_error_set(err, "empty URL"), -1;
    u->tls = strncasecmp(url, "https://", 8) == 0;
    if (!u->tls && strncasecmp(url, "http://", 7) != 0)
        return lc_error_set(err, "%s: only http:// and https:// URLs are supported", url), -1;
    const char *a = url + (u->tls ? 8 : 7);
    size_t an = strcspn(a, "/?#");
    const char *rest = a + an;
    if (memchr(a, '@', an))
        return lc_error_set(err, "%s: user names in URLs are not supported", url), -1;
    const char *h = a, *colon;
    size_t hn;
    if (an && a[0] == '[') {
        const char *close = memchr(a, ']', an);
        if (!close)
            return lc_error_set(err, "%s: unclosed [ in host", url), -1;
        h = a + 1;
        hn = (size_t)(close - h);
        colon = close + 1 < a + an ? close + 1 : NULL;
        if (colon && *colon != ':')
            return lc_error_set(err, "%s: junk after ]", url), -1;
    } else {
        colon = memchr(a, ':', an);
        hn = colon ? (size_t)(colon - a) : an;
    }
    if (hn == 0)
        return lc_error_set(err, "%s: no host", url), -1;
    if (colon) {
        if (parse_port(colon + 1, (size_t)(a + an - colon - 1), u->port, err) != 0)
            return lc_error_prefix(err, "%s", url), -1;
    } else {
        memcpy(u->port, u->tls ? "443" : "80", u->tls ? 4 : 3);
    }
    size_t pn = strcspn(rest, "#");
    for (size_t i = 0; i < an + pn; i++) {
        unsigned char ch = (unsigned char)a[i];
        if (ch <= ' ' || ch == 0x7f)
            return lc_error_set(err, "%s: spaces or control characters in URL", url), -1;
    }
    u->host = lc_strndup(h, hn);
    u->authority = lc_strndup(a, an);
    u->path = pn && rest[0] == '/' ? lc_strndup(rest, pn) : lc_asprintf("/%.*s", (int)pn, rest);
    return 0;
}

static int is_token(const char *s, size_t n)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c && strchr(extra, c))))
            return 0;
    }
    return 1;
}

/* 1 when one of the user's headers has this name (case-insensitive). */
static int user_has(const struct loadgen_request *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->nheaders; i++)
        if (strncasecmp(r->headers[i], name, n) == 0 && r->headers[i][n] == ':')
            return 1;
    return 0;
}

static int check_headers(const struct loadgen_request *r, struct lc_error *err)
{
    for (size_t i = 0; i < r->nheaders; i++) {
        const char *hd = r->headers[i];
        const char *colon = hd ? strchr(hd, ':') : NULL;
        if (!colon || !is_token(hd, (size_t)(colon - hd)) || strpbrk(hd, "\r\n"))
            return lc_error_set(err, "bad header \"%s\" (want \"Name: value\")", hd ? hd : ""), -1;
    }
    return 0;
}

/* Builds the bytes of one request. */
static int build_one(const struct loadgen_request *r, const struct lg_url *u, int close,
                     const char *url, struct lg_req *out, struct lc_error *err)
{
    const char *method = r->method ? r->method : "GET";
    if (!is_token(method, strlen(method)))
        return lc_error_set(err, "bad method \"%s\"", method), -1;
    if (check_headers(r, err) != 0)
        return -1;
    struct lc_buf b = {0};
    lc_buf_printf(&b, "%s %s HTTP/1.1\r\n", method, u->path);
    if (!user_has(r, "Host"))
        lc_buf_printf(&b, "Host: %s\r\n", u->authority);
    if (r->body && !user_has(r, "Content-Length"))
        lc_buf_printf(&b, "Content-Length: %zu\r\n", r->body_len);
    if (close && !user_has(r, "Connection"))
        lc_buf_puts(&b, "Connection: close\r\n");
    for (size_t i = 0; i < r->nheaders; i++) {
        const char *v = strchr(r->headers[i], ':') + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        lc_buf_printf(&b, "%.*s: %s\r\n", (int)(strchr(r->headers[i], ':') - r->headers[i]),
                      r->headers[i], v);
    }
    lc_buf_puts(&b, "\r\n");
    if (r->body && r->body_len)
        lc_buf_append(&b, r->body, r->body_len);
    out->bytes = b.data;
    out->len = b.len;
    out->head = strcmp(method, "HEAD") == 0;
    out->what = lc_asprintf("%c%s \"%s\"", method[0], method + 1, url);
    for (char *p = out->what + 1; *p != ' '; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    return 0;
}

static unsigned long gcd(unsigned long a, unsigned long b)
{
    while (b) {
        unsigned long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Smooth weighted round-robin: each kind appears in proportion to its
 * weight, spread evenly rather than in runs. */
static int build_mix(struct loadgen *lg, struct lc_error *err)
{
    size_t n = lg->cfg.nrequests;
    unsigned long g = 0, total = 0;
    for (size_t i = 0; i < n; i++)
        g = gcd(g, lg->cfg.requests[i].weight ? lg->cfg.requests[i].weight : 1);
    long *w = lc_calloc(n, sizeof *w), *cur = lc_calloc(n, sizeof *cur);
    for (size_t i = 0; i < n; i++) {
        w[i] = (long)((lg->cfg.requests[i].weight ? lg->cfg.requests[i].weight : 1) / g);
        total += (unsigned long)w[i];
    }
    if (total > LG_MAX_MIX) {
        free(w);
        free(cur);
        return lc_error_set(err,
                            "request weights too fine: their sum divided by their "
                            "greatest common divisor exceeds %d",
                            LG_MAX_MIX),
               -1;
    }
    lg->mix = lc_malloc(total * sizeof *lg->mix);
    lg->nmix = total;
    for (size_t k = 0; k < total; k++) {
        size_t best = 0;
        for (size_t i = 0; i < n; i++) {
            cur[i] += w[i];
            if (cur[i] > cur[best])
                best = i;
        }
        cur[best] -= (long)total;
        lg->mix[k] = (uint32_t)best;
    }
    free(w);
    free(cur);
    return 0;
}

static int resolve(struct loadgen *lg, const struct lg_url *u, struct lc_error *err)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int rc = getaddrinfo(u->host, u->port, &hints, &res);
    if (rc != 0 || !res)
        return lc_error_set(err, "cannot resolve %s: %s", u->host, gai_strerror(rc)), -1;
    memcpy(&lg->addr, res->ai_addr, res->ai_addrlen);
    lg->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    char ip[INET6_ADDRSTRLEN] = "?";
    const struct sockaddr_in *a4 = (const struct sockaddr_in *)&lg->addr;
    const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&lg->addr;
    int v6 = lg->addr.ss_family == AF_INET6;
    inet_ntop(lg->addr.ss_family, v6 ? (const void *)&a6->sin6_addr : (const void *)&a4->sin_addr,
              ip, sizeof ip);
    snprintf(lg->addr_text, sizeof lg->addr_text, v6 ? "[%s]:%s" : "%s:%s", ip, u->port);
    return 0;
}

int lg_requests_build(struct loadgen *lg, struct lc_error *err)
{
    const struct loadgen_config *cfg = &lg->cfg;
    struct lg_url first = {0}, u = {0};
    int rc = -1;
    lg->reqs = lc_calloc(cfg->nrequests, sizeof *lg->reqs);
    lg->nreqs = cfg->nrequests;
    for (size_t i = 0; i < cfg->nrequests; i++) {
        if (url_parse(cfg->requests[i].url, i ? &u : &first, err) != 0)
            goto cleanup;
        if (i && (strcasecmp(u.host, first.host) != 0 || strcmp(u.port, first.port) != 0 ||
                  u.tls != first.tls)) {
            lc_error_set(err, "%s: every request of a mix must go to %s:%s", cfg->requests[i].url,
                         first.host, first.port);
            goto cleanup;
        }
        const struct lg_url *pu = i ? &u : &first;
        if (build_one(&cfg->requests[i], pu, cfg->disable_keepalive, cfg->requests[i].url,
                      &lg->reqs[i], err) != 0 ||
            (cfg->h2 && lg_h2_req_build(&cfg->requests[i], pu->tls ? "https" : "http",
                                        pu->authority, pu->path, &lg->reqs[i], err) != 0)) {
            lc_error_prefix(err, "%s", cfg->requests[i].url);
            goto cleanup;
        }
        url_free(&u);
    }
    if (build_mix(lg, err) != 0 || resolve(lg, &first, err) != 0)
        goto cleanup;
    if (first.tls && lg_tls_setup(lg, first.host, err) != 0)
        goto cleanup;
    rc = 0;
cleanup:
    url_free(&u);
    url_free(&first);
    return rc;
}

void lg_requests_free(struct loadgen *lg)
{
    for (size_t i = 0; lg->reqs && i < lg->nreqs; i++) {
        free(lg->reqs[i].bytes);
        free(lg->reqs[i].what);
        lg_h2_req_free(&lg->reqs[i]);
    }
    free(lg->reqs);
    free(lg->mix);
    lg->reqs = NULL;
    lg->mix = NULL;
}
