/* tests/unit/lg_servers.h: real HTTP servers on 127.0.0.1 for the load
 * engine's tests: a libevent evhttp server in a thread (counts requests,
 * connections, paths) and a raw socket server that misbehaves on purpose
 * (truncates, resets, sends junk, never answers). */
#ifndef LC_TEST_LG_SERVERS_H
#define LC_TEST_LG_SERVERS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/http.h>

#include "loadgen/loadgen.h"

/* called in the server thread for every request, before the reply;
 * returns 1 when it sent the reply itself, 0 for the usual "ok\n" */
typedef int srv_hook_cb(struct evhttp_request *req, void *arg);

#define MAXCONN 4096
struct srv {
    struct event_base *base;
    struct evhttp *http;
    struct event *poll;
    pthread_t tid;
    int port;
    _Atomic int stop;
    _Atomic uint64_t requests, path_a, path_b, posts;
    _Atomic size_t nconns;
    struct evhttp_connection *live[MAXCONN];
    size_t nlive;
    char host[128];
    char xtest[64];
    size_t body_len;
    srv_hook_cb *hook;
    void *hook_arg;
};

/* Starts the evhttp server on addr (port chosen by the kernel). */
struct srv *srv_start(const char *addr);
/* The same, with hook(req, arg) called for every request. */
struct srv *srv_start_hook(const char *addr, srv_hook_cb *hook, void *arg);
void srv_stop(struct srv *s);

/* RAW_DOUBLE: keep-alive, two responses (in one write) to every request */
enum raw_mode { RAW_TRUNCATE, RAW_JUNK, RAW_CLOSE, RAW_SILENT, RAW_SLOW, RAW_DOUBLE };
struct raw {
    int lfd, port;
    enum raw_mode mode;
    pthread_t tid;
    _Atomic int stop;
    int held[64];
    int nheld;
};

/* Starts a raw server that misbehaves as mode says. */
struct raw *raw_start(enum raw_mode mode);
void raw_stop(struct raw *r);

/* Runs an engine for cfg (one GET of url unless cfg has requests) to its
 * end and returns the final figures. */
struct loadgen_stats run(struct loadgen_config *cfg, const char *url);
/* "http://127.0.0.1:PORT" + path; caller frees. */
char *url_of(int port, const char *path);
/* user + system CPU seconds of this process so far. */
double cpu_seconds(void);

#endif
