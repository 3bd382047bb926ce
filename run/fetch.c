/* run/fetch.c: libcurl multi on a libevent loop. */
#include "run/fetch.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

struct fetch {
    struct event_base *base;
    CURLM *multi;
    struct event *timer;
    int pending;
    struct fetch_req *reqs;   /* under way, doubly linked */
    struct fetch_sock *socks; /* watched sockets, doubly linked */
    /* the one origin whose connection is kept alive (see fetch_keep_alive) */
    char *origin;
    /* every socket libcurl opened and has not closed yet */
    int *open_fds;
    size_t nopen, capopen;
};

struct fetch_req {
    struct fetch *f;
    CURL *easy;
    struct curl_slist *headers;
    struct lc_buf body;
    size_t max_bytes;
    int too_large;
    char *url;
    char *shown; /* url with any password hidden, for messages */
    char errbuf[CURL_ERROR_SIZE];
    double started;
    fetch_done_cb *cb;
    void *arg;
    struct fetch_req *prev, *next;
};

/* One event per socket curl asks us to watch; stored with curl_multi_assign. */
struct fetch_sock {
    struct event *ev;
    struct fetch_sock *prev, *next;
};

#define LIST_LINK(head, item)                                                                      \
    do {                                                                                           \
        (item)->prev = NULL;                                                                       \
        (item)->next = (head);                                                                     \
        if (head)                                                                                  \
            (head)->prev = (item);                                                                 \
        (head) = (item);                                                                           \
    } while (0)
#define LIST_UNLINK(head, item)                                                                    \
    do {                                                                                           \
        if ((item)->prev)                                                                          \
            (item)->prev->next = (item)->next;                                                     \
        else                                                                                       \
            (head) = (item)->next;                                                                 \
        if ((item)->next)                                                                          \
            (item)->next->prev = (item)->prev;                                                     \
    } while (0)

/* Set once from the command line before any fetch starts. */
static int insecure_tls;

void fetch_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void fetch_set_insecure(int on)
{
    insecure_tls = on;
}

static void req_free(struct fetch *f, struct fetch_req *req)
{
    LIST_UNLINK(f->reqs, req);
    f->pending--;
    curl_multi_remove_handle(f->multi, req->easy);
    curl_easy_cleanup(req->easy);
    curl_slist_free_all(req->headers);
    lc_buf_free(&req->body);
    free(req->url);
    free(req->shown);
    free(req);
}

static void finish(struct fetch *f, CURL *easy, CURLcode code)
{
    struct fetch_req *req = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&req);
    struct fetch_result r = {.url = req->shown, .elapsed_s = lc_now() - req->started};
    char msg[CURL_ERROR_SIZE + 64];
    lc_buf_append(&req->body, "", 0);
    if (req->too_large) {
        snprintf(msg, sizeof(msg), "response larger than %zu bytes", req->max_bytes);
        r.error = msg;
    } else if (code != CURLE_OK) {
        snprintf(msg, sizeof(msg), "%s", req->errbuf[0] ? req->errbuf : curl_easy_strerror(code));
        r.error = msg;
    } else {
        r.ok = 1;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r.status);
        r.body = req->body.data;
        r.len = req->body.len;
    }
    req->cb(&r, req->arg);
    req_free(f, req);
}

static void check_done(struct fetch *f)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(f->multi, &left)) != NULL)
        if (m->msg == CURLMSG_DONE)
            finish(f, m->easy_handle, m->data.result);
}

static void on_socket_event(evutil_socket_t fd, short what, void *arg)
{
    struct fetch *f = arg;
    int action = ((what & EV_READ) ? CURL_CSELECT_IN : 0) | ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    int running = 0;
    curl_multi_socket_action(f->multi, fd, action, &running);
    check_done(f);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct fetch *f = arg;
    int running = 0;
    curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(f);
}

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy;
    struct fetch *f = userp;
    struct fetch_sock *fs = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (fs) {
            LIST_UNLINK(f->socks, fs);
            event_free(fs->ev);
            free(fs);
            curl_multi_assign(f->multi, s, NULL);
        }
        return 0;
    }
    short kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
                 ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
    if (!fs) {
        fs = lc_calloc(1, sizeof(*fs));
        LIST_LINK(f->socks, fs);
        curl_multi_assign(f->multi, s, fs);
    } else {
        event_free(fs->ev);
    }
    fs->ev = event_new(f->base, s, kind, on_socket_event, f);
    event_add(fs->ev, NULL);
    return 0;
}

/* Sockets are created and closed here so that the fetcher knows its own
 * connections (fetch_local_addrs); close-on-exec keeps them out of the
 * processes leakcheck starts. */
static curl_socket_t open_socket_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    (void)purpose;
    struct fetch *f = clientp;
    int fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    if (fd < 0)
        return CURL_SOCKET_BAD;
    lc_grow((void **)&f->open_fds, &f->capopen, f->nopen + 1, sizeof(*f->open_fds));
    f->open_fds[f->nopen++] = fd;
    return fd;
}

static int close_socket_cb(void *clientp, curl_socket_t fd)
{
    struct fetch *f = clientp;
    for (size_t i = 0; i < f->nopen; i++)
        if (f->open_fds[i] == fd) {
            f->open_fds[i] = f->open_fds[--f->nopen];
            break;
        }
    return close(fd);
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct fetch *f = userp;
    if (timeout_ms < 0) {
        evtimer_del(f->timer);
        return 0;
    }
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    evtimer_add(f->timer, &tv);
    return 0;
}

struct fetch *fetch_new(struct event_base *base, struct lc_error *err)
{
    struct fetch *f = lc_calloc(1, sizeof(*f));
    f->base = base;
    f->multi = curl_multi_init();
    if (!f->multi) {
        lc_error_set(err, "libcurl: cannot create a multi handle");
        free(f);
        return NULL;
    }
    f->timer = evtimer_new(base, on_timer, f);
    curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
    curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
    /* one connection per origin: requests to it take turns, so a target
     * serves leakcheck over one connection at a time (fetch_keep_alive) */
    curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
    return f;
}

static size_t write_cb(char *data, size_t size, size_t n, void *arg)
{
    struct fetch_req *req = arg;
    size_t len = size * n;
    if (req->max_bytes == 0)
        return len; /* only the status matters */
    if (req->body.len + len > req->max_bytes) {
        req->too_large = 1;
        return 0; /* makes curl fail the transfer */
    }
    lc_buf_append(&req->body, data, len);
    return len;
}

/* "scheme://host:port" of url (the scheme's port when none is given), or
 * NULL when libcurl cannot parse it. Caller frees. */
static char *origin_of(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
        out = lc_asprintf("%s://%s:%s", scheme, host, port);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return out;
}

static int same_origin(const char *origin, const char *url)
{
    char *o = origin_of(url);
    int same = o && strcasecmp(o, origin) == 0;
    free(o);
    return same;
}

void fetch_keep_alive(struct fetch *f, const char *url)
{
    free(f->origin);
    f->origin = url ? origin_of(url) : NULL;
}

size_t fetch_local_addrs(const struct fetch *f, struct sockaddr_storage **out)
{
    *out = lc_calloc(f->nopen + 1, sizeof(**out));
    size_t n = 0;
    for (size_t i = 0; i < f->nopen; i++) {
        socklen_t len = sizeof(**out);
        if (getsockname(f->open_fds[i], (struct sockaddr *)&(*out)[n], &len) == 0)
            n++;
    }
    return n;
}

int fetch_get(struct fetch *f, const char *url, double timeout_s, size_t max_bytes,
              const char *accept, fetch_done_cb *cb, void *arg)
{
    CURL *easy = curl_easy_init();
    if (!easy) {
        /* reported through the callback path's caller */
        return -1;
    }
    struct fetch_req *req = lc_calloc(1, sizeof(*req));
    req->f = f;
    req->easy = easy;
    req->url = lc_strdup(url);
    req->shown = lc_redact_url(url);
    req->max_bytes = max_bytes;
    req->cb = cb;
    req->arg = arg;
    req->started = lc_now();
    if (accept) {
        char *h = lc_asprintf("Accept: %s", accept);
        req->headers = curl_slist_append(NULL, h);
        free(h);
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, req->headers);
    }
    curl_easy_setopt(easy, CURLOPT_URL, req->url);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, req);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, req);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, req->errbuf);
    /* at least 1 ms: libcurl reads 0 as "no timeout at all" */
    long ms = timeout_s * 1000.0 < 1.0 ? 1 : (long)(timeout_s * 1000.0);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, ms);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    /* Compressing costs the target CPU at every round (a 9 MB /metrics) and
     * saves nothing on loopback: there "identity" asks for none (and a
     * server that compresses anyway is still decoded); elsewhere every
     * encoding libcurl decodes is welcome. */
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, fetch_url_is_loopback(url) ? "identity" : "");
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "leakcheck/0.1");
    /* HTTP/1.1 everywhere: one request per connection at a time, which is
     * what leaving leakcheck's own goroutines out of a profile relies on */
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, open_socket_cb);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, f);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, close_socket_cb);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, f);
    if (f->origin && !same_origin(f->origin, url))
        curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
    if (insecure_tls) {
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    f->pending++;
    LIST_LINK(f->reqs, req);
    curl_multi_add_handle(f->multi, easy);
    return 0;
}

/* A host as a URL gives it ("[::1]", "LocalHost.") names this machine. */
static int loopback_host(const char *host)
{
    char h[256];
    size_t n = strlen(host);
    struct in_addr a4;
    struct in6_addr a6;
    if (n >= sizeof(h) || n == 0)
        return 0;
    if (host[0] == '[' && host[n - 1] == ']')
        host++, n -= 2;
    for (size_t i = 0; i < n; i++)
        h[i] = (char)tolower((unsigned char)host[i]);
    h[n] = '\0';
    if (inet_pton(AF_INET, h, &a4) == 1) /* 127.0.0.0/8, and 0.0.0.0: this host */
        return (ntohl(a4.s_addr) >> 24) == 127 || a4.s_addr == INADDR_ANY;
    if (inet_pton(AF_INET6, h, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6) || IN6_IS_ADDR_UNSPECIFIED(&a6) ||
               (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
    if (h[n - 1] == '.') /* a fully qualified name */
        h[--n] = '\0';
    /* RFC 6761: localhost and every name under it are loopback */
    return strcmp(h, "localhost") == 0 || (n > 10 && strcmp(h + n - 10, ".localhost") == 0);
}

int fetch_url_is_loopback(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    int yes = 0;
    if (u && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        yes = loopback_host(host);
    curl_free(host);
    curl_url_cleanup(u);
    return yes;
}

int fetch_check(const struct fetch_result *r, struct lc_error *err)
{
    if (!r->ok)
        lc_error_set(err, "GET %s: %s", r->url, r->error);
    else if (r->status < 200 || r->status > 299)
        lc_error_set(err, "GET %s: HTTP %ld", r->url, r->status);
    else
        return 0;
    return -1;
}

int fetch_pending(const struct fetch *f)
{
    return f->pending;
}

void fetch_free(struct fetch *f)
{
    if (!f)
        return;
    while (f->reqs)
        req_free(f, f->reqs);
    curl_multi_cleanup(f->multi);
    while (f->socks) {
        struct fetch_sock *fs = f->socks;
        LIST_UNLINK(f->socks, fs);
        event_free(fs->ev);
        free(fs);
    }
    event_free(f->timer);
    free(f->open_fds);
    free(f->origin);
    free(f);
}
