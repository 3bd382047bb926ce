/*
 * loadgen/tls.c: the TLS transport under the HTTP/1.1 client (OpenSSL).
 *
 * One SSL_CTX per engine, shared by the workers (OpenSSL locks what it
 * shares); one SSL per connected fd. The server's certificate is verified
 * (chain and host name) unless --insecure; SNI is sent for names; ALPN
 * offers http/1.1. Each connection keeps the last session the server gave
 * it and offers it on its next connect, so reconnects resume. Reads use
 * read-ahead, so a record costs one recv, not two.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "loadgen/lg_int.h"

static const unsigned char alpn_h1[] = "\x08http/1.1";
static const unsigned char alpn_h2[] = "\x02h2\x08http/1.1"; /* -h2: h2 first */

/* The server gave a session (TLS 1.3 sends them after the handshake): it
 * replaces the connection's saved one. */
static int new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
    struct lg_conn *c = SSL_get_app_data(ssl);
    if (!c)
        return 0;
    if (c->sess)
        SSL_SESSION_free(c->sess);
    c->sess = sess;
    return 1; /* the reference is ours */
}

static int is_ip(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static void ssl_reason(char *buf, size_t n)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    snprintf(buf, n, "%s", r ? r : "unknown error");
    ERR_clear_error();
}

int lg_tls_setup(struct loadgen *lg, const char *host, struct lc_error *err)
{
    char why[200];
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        ssl_reason(why, sizeof why);
        return lc_error_set(err, "cannot set up TLS: %s", why), -1;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    /* (no SSL_MODE_RELEASE_BUFFERS: freeing and allocating the buffers
     * around every keep-alive request costs more than their memory) */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_read_ahead(ctx, 1);
    if (lg->cfg.h2)
        SSL_CTX_set_alpn_protos(ctx, alpn_h2, sizeof alpn_h2 - 1);
    else
        SSL_CTX_set_alpn_protos(ctx, alpn_h1, sizeof alpn_h1 - 1);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
    if (!lg->cfg.insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        int ok = lg->cfg.cacert ? SSL_CTX_load_verify_locations(ctx, lg->cfg.cacert, NULL)
                                : SSL_CTX_set_default_verify_paths(ctx);
        if (ok != 1) {
            ssl_reason(why, sizeof why);
            SSL_CTX_free(ctx);
            return lc_error_set(err, "cannot load the CA certificates %s: %s",
                                lg->cfg.cacert ? lg->cfg.cacert : "of the system", why),
                   -1;
        }
    }
    lg->ssl_ctx = ctx;
    lg->tls_host = lc_strdup(host);
    return 0;
}

void lg_tls_free(struct loadgen *lg)
{
    if (lg->ssl_ctx)
        SSL_CTX_free(lg->ssl_ctx);
    free(lg->tls_host);
    lg->ssl_ctx = NULL;
    lg->tls_host = NULL;
}

int lg_tls_start(struct lg_conn *c)
{
    struct loadgen *lg = c->w->lg;
    SSL *ssl = SSL_new(lg->ssl_ctx);
    if (!ssl)
        return -1;
    SSL_set_app_data(ssl, c);
    if (SSL_set_fd(ssl, c->fd) != 1)
        goto fail;
    const char *host = lg->tls_host;
    if (!is_ip(host) && SSL_set_tlsext_host_name(ssl, host) != 1)
        goto fail;
    if (!lg->cfg.insecure) {
        X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
        int ok = is_ip(host) ? X509_VERIFY_PARAM_set1_ip_asc(vp, host)
                             : X509_VERIFY_PARAM_set1_host(vp, host, 0);
        if (ok != 1)
            goto fail;
    }
    if (c->sess)
        SSL_set_session(ssl, c->sess);
    c->ssl = ssl;
    return 0;
fail:
    SSL_free(ssl);
    ERR_clear_error();
    return -1;
}

enum lg_io lg_tls_handshake(struct lg_conn *c, char *why, size_t whylen)
{
    int r = SSL_connect(c->ssl);
    if (r == 1) {
        lg_inc(&c->w->c.tls_handshakes, 1);
        if (SSL_session_reused(c->ssl))
            lg_inc(&c->w->c.tls_resumed, 1);
        return LG_IO_DONE;
    }
    int e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ)
        return LG_IO_WANT_READ;
    if (e == SSL_ERROR_WANT_WRITE)
        return LG_IO_WANT_WRITE;
    long vr = SSL_get_verify_result(c->ssl);
    if (e == SSL_ERROR_SSL && vr != X509_V_OK) {
        snprintf(why, whylen, "tls: handshake: certificate verify failed: %s",
                 X509_verify_cert_error_string(vr));
        ERR_clear_error();
    } else if (e == SSL_ERROR_SSL) {
        char r2[120];
        ssl_reason(r2, sizeof r2);
        snprintf(why, whylen, "tls: handshake: %s", r2);
    } else {
        int en = errno;
        snprintf(why, whylen, "tls: handshake: %s",
                 e == SSL_ERROR_SYSCALL && en ? strerror(en) : "connection closed by the server");
        ERR_clear_error();
    }
    return LG_IO_ERROR;
}

ssize_t lg_tls_recv(struct lg_conn *c, char *buf, size_t len, int *more)
{
    size_t got = 0;
    *more = 0;
    /* what read-ahead took from the socket must be read now: no socket
     * event will say it is there */
    while (got < len) {
        int r = SSL_read(c->ssl, buf + got, (int)(len - got > INT32_MAX ? INT32_MAX : len - got));
        if (r > 0) {
            got += (size_t)r;
            if (!SSL_has_pending(c->ssl))
                return (ssize_t)got;
            continue;
        }
        int e = SSL_get_error(c->ssl, r);
        if (got)
            return ERR_clear_error(), (ssize_t)got; /* the end or error comes next time */
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
            return errno = EAGAIN, -1;
        ERR_clear_error();
        if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno == 0))
            return 0;
        if (e != SSL_ERROR_SYSCALL)
            errno = EPROTO;
        return -1;
    }
    *more = SSL_has_pending(c->ssl);
    return (ssize_t)got;
}

ssize_t lg_tls_send(struct lg_conn *c, const char *buf, size_t len)
{
    int r = SSL_write(c->ssl, buf, (int)(len > INT32_MAX ? INT32_MAX : len));
    if (r > 0)
        return r;
    int e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return errno = EAGAIN, -1;
    ERR_clear_error();
    if (e != SSL_ERROR_SYSCALL || errno == 0)
        errno = EPIPE;
    return -1;
}

void lg_tls_close(struct lg_conn *c)
{
    if (!c->ssl)
        return;
    /* no close_notify: the socket is closed right after, as wrk does; but
     * marked shut down, else SSL_free makes the session not resumable */
    SSL_set_shutdown(c->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_set_app_data(c->ssl, NULL);
    SSL_free(c->ssl);
    c->ssl = NULL;
}

void lg_tls_conn_free(struct lg_conn *c)
{
    lg_tls_close(c);
    if (c->sess)
        SSL_SESSION_free(c->sess);
    c->sess = NULL;
}
