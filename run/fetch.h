/*
 * run/fetch.h: HTTP GETs through libcurl's multi interface, driven by
 * a libevent event_base, so sampling never blocks the run's timeline.
 */
#ifndef LC_FETCH_H
#define LC_FETCH_H

#include <stddef.h>
#include <sys/socket.h>

#include "common/lc.h"

struct event_base;
struct fetch;

struct fetch_result {
    const char *url;   /* as requested, any password replaced by "***" */
    int ok;            /* 1: a complete response arrived (any status) */
    long status;       /* HTTP status, or 0 */
    const char *body;  /* borrowed for the callback's duration; NUL-terminated */
    size_t len;
    const char *error; /* when !ok: what went wrong (timeout, refused, too large) */
    double elapsed_s;
};

/* Called once per request, on the event loop. `r` is borrowed. The callback
 * may start new requests but must not free the fetcher. */
typedef void fetch_done_cb(const struct fetch_result *r, void *arg);

/* Creates a fetcher on base. Returns NULL with err when libcurl fails. */
struct fetch *fetch_new(struct event_base *base, struct lc_error *err);

/*
 * Starts a GET of url. The response is cut off (an error) past max_bytes or
 * timeout_s; max_bytes 0 discards the body (the result's body is empty).
 * `accept` is an Accept header value or NULL. Compression is asked for
 * (Accept-Encoding) unless the host is loopback (fetch_url_is_loopback),
 * where it would only cost the target CPU; a compressed body is decoded
 * either way. cb runs later, never from within this call. Returns 0, or -1
 * when libcurl cannot create a handle.
 */
int fetch_get(struct fetch *f, const char *url, double timeout_s, size_t max_bytes,
              const char *accept, fetch_done_cb *cb, void *arg);

/* 1 when url's host is this machine: an address in 127.0.0.0/8, ::1 (or
 * IPv4-mapped 127.x), 0.0.0.0 or ::, or localhost and names under it; 0
 * for any other host (names are not resolved) or a URL that does not
 * parse. */
int fetch_url_is_loopback(const char *url);

/* Returns 0 when r is a complete 2xx response, else -1 with err saying
 * "GET URL: <what went wrong or HTTP status>". */
int fetch_check(const struct fetch_result *r, struct lc_error *err);

/* Number of requests still under way. */
int fetch_pending(const struct fetch *f);

/*
 * Keeps at most one connection alive, to url's origin (scheme, host and
 * port): a request to any other origin closes its connection when it is
 * done. With every origin limited to one connection at a time (requests
 * to it take turns) and HTTP/1.1, a target serves leakcheck over one
 * known connection. NULL keeps every connection alive (the default).
 */
void fetch_keep_alive(struct fetch *f, const char *url);

/*
 * The local addresses (getsockname) of every socket the fetcher holds
 * open now, connected or connecting: what a target sees as the peers of
 * leakcheck's own requests. Returns their number; *out receives a new
 * array (caller frees, also when 0).
 */
size_t fetch_local_addrs(const struct fetch *f, struct sockaddr_storage **out);

/* Cancels whatever is under way (no callbacks) and frees; NULL is a no-op. */
void fetch_free(struct fetch *f);

/* Initialises libcurl once for the process; call before any thread starts. */
void fetch_global_init(void);

/* https sources verify certificates unless this is on (--insecure). */
void fetch_set_insecure(int on);

#endif
