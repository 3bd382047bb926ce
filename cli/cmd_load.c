/* cli/cmd_load.c: `leakcheck load [flags] URL`, a drop-in for hey. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/load_merge.h"
#include "cli/load_output.h"
#include "common/fdlimit.h"
#include "common/grpcname.h"
#include "loadgen/loadgen.h"

struct load_args {
    uint64_t n;
    unsigned c;
    double q;    /* per worker, as hey */
    double rate; /* total */
    double z;
    double t;
    const char *o;
    const char *m;
    const char **headers;
    size_t nheaders;
    const char *accept, *body, *body_file, *content_type, *auth, *host;
    int disable_keepalive;
    int insecure;
    int h2;
    unsigned streams;
    const char *cacert;
    unsigned threads;
    const char *url;
    unsigned seg_index, seg_count; /* --segment I/N; 0/0 without */
    uint64_t whole_n;              /* with --segment: the whole load's -n, -c, rate */
    unsigned whole_c;
    double whole_rate;
    const char *grpc_method, *grpc_message; /* gRPC unary calls */
};

static void load_usage(FILE *out)
{
    fputs("usage: leakcheck load [options] URL\n"
          "  -n N                requests to send (default 200); exactly N are sent\n"
          "  -c N                concurrent connections (default 50)\n"
          "  -q QPS              rate limit per connection, as hey (total = QPS x c)\n"
          "  --rate N            total rate in requests/s (open model: latency from the\n"
          "                      intended send time, late sends counted)\n"
          "  -z DURATION         send for this long (e.g. 10s, 3m); -n is then ignored\n"
          "  -o json|csv         one JSON object, or hey's CSV (a line per response),\n"
          "                      instead of the summary\n"
          "  -m METHOD           HTTP method (default GET)\n"
          "  -H \"Name: value\"    a request header (repeatable)\n"
          "  -t SECONDS          timeout of each request (default 20, 0 for none)\n"
          "  -A VALUE            Accept header\n"
          "  -d BODY             request body\n"
          "  -D FILE             request body from a file\n"
          "  -T TYPE             Content-Type (default text/html)\n"
          "  -a USER:PASS        basic authentication\n"
          "  -host HOST          Host header\n"
          "  -disable-keepalive  a new connection for every request\n"
          "  -disable-compression, -disable-redirects  accepted (never done anyway)\n"
          "  -cpus N, --threads N  worker threads (default: cores)\n"
          "  --cacert FILE       https: trust the CA certificates (PEM) in FILE\n"
          "                      (default: the system's)\n"
          "  --insecure          https: do not verify the server's certificate\n"
          "  -h2                 HTTP/2: over TLS by ALPN for https:// (the server must\n"
          "                      pick h2), prior knowledge (h2c) for http://\n"
          "  --streams N         -h2 or gRPC: concurrent streams per connection (default\n"
          "                      1, as h2load's -m); -c stays the connection count\n"
          "  --segment I/N       send the I-th of N shares (1-based) of -n, -c and --rate;\n"
          "                      -o json then names the segment for --merge\n"
          "  --grpc-method /pkg.Service/Method  gRPC unary calls of this method (over\n"
          "                      HTTP/2) to URL, given without a path\n"
          "  --grpc-message FILE the request message: serialized protobuf bytes\n"
          "                      (default: the empty message)\n"
          "usage: leakcheck load --merge [-o json] SEGMENT.json...\n"
          "  the segments' figures added up exactly, as one JSON object\n",
          out);
}

static int bad(const char *flag, const char *val, const char *why)
{
    if (val)
        fprintf(stderr, "leakcheck load: %s %s: %s\n", flag, val, why);
    else
        fprintf(stderr, "leakcheck load: %s: %s\n", flag, why);
    return -1;
}

static int parse_u64(const char *flag, const char *v, uint64_t min, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-' || x < min)
        return bad(flag, v, "expected a whole number");
    *out = x;
    return 0;
}

static int parse_num(const char *flag, const char *v, double *out)
{
    const char *end = NULL;
    if (lc_parse_double(v, &end, out) != 0 || *end || !isfinite(*out) || *out < 0)
        return bad(flag, v, "expected a number >= 0");
    return 0;
}

/* --segment I/N: 1 <= I <= N <= 50000. */
static int parse_segment(struct load_args *a, const char *v)
{
    char *end = NULL;
    errno = 0;
    unsigned long i = strtoul(v, &end, 10), n = 0;
    if (!errno && end != v && *end == '/' && v[0] != '-' && end[1] != '-') {
        const char *ns = end + 1;
        n = strtoul(ns, &end, 10);
        if (errno || end == ns || *end)
            n = 0;
    }
    if (n < 1 || n > LOADGEN_MAX_CONCURRENCY || i < 1 || i > n)
        return bad("--segment", v, "expected I/N with 1 <= I <= N <= 50000");
    a->seg_index = (unsigned)i;
    a->seg_count = (unsigned)n;
    return 0;
}

/* Applies one flag with its value (NULL for booleans). Returns 0 or -1. */
static int apply(struct load_args *a, const char *f, const char *v)
{
    uint64_t u;
    if (!strcmp(f, "n"))
        return parse_u64("-n", v, 1, &a->n);
    if (!strcmp(f, "c") || !strcmp(f, "cpus") || !strcmp(f, "threads")) {
        if (parse_u64(f, v, 1, &u) != 0 || u > LOADGEN_MAX_CONCURRENCY)
            return bad(f, v, "expected 1 to 50000");
        if (!strcmp(f, "c"))
            a->c = (unsigned)u;
        else if (!strcmp(f, "threads") || !a->threads)
            a->threads = (unsigned)u;
        return 0;
    }
    if (!strcmp(f, "q"))
        return parse_num("-q", v, &a->q);
    if (!strcmp(f, "rate"))
        return parse_num("--rate", v, &a->rate);
    if (!strcmp(f, "t")) {
        if (parse_num("-t", v, &a->t) != 0)
            return -1;
        return a->t <= LOADGEN_MAX_SECONDS ? 0 : bad("-t", v, "at most a year (31622400 s)");
    }
    if (!strcmp(f, "z")) {
        struct lc_error err = {0};
        return lc_parse_duration(v, &a->z, &err) == 0 ? 0 : bad("-z", v, err.msg);
    }
    if (!strcmp(f, "o")) {
        a->o = v;
        return !strcmp(v, "json") || !strcmp(v, "csv") ? 0 : bad("-o", v, "expected json or csv");
    }
    if (!strcmp(f, "streams")) {
        if (parse_u64(f, v, 1, &u) != 0 || u > LOADGEN_MAX_STREAMS)
            return bad("--streams", v, "expected 1 to 1000");
        a->streams = (unsigned)u;
        return 0;
    }
    if (!strcmp(f, "segment"))
        return parse_segment(a, v);
    if (!strcmp(f, "cacert")) {
        a->cacert = v;
        return 0;
    }
    if (!strcmp(f, "grpc-method")) {
        a->grpc_method = v;
        return 0;
    }
    if (!strcmp(f, "grpc-message")) {
        a->grpc_message = v;
        return 0;
    }
    const char **strs[] = {&a->m,    &a->accept, &a->body, &a->body_file, &a->content_type,
                           &a->auth, &a->host};
    const char *names[] = {"m", "A", "d", "D", "T", "a", "host"};
    for (size_t i = 0; i < LC_ARRAY_LEN(names); i++)
        if (!strcmp(f, names[i])) {
            *strs[i] = v;
            return 0;
        }
    if (!strcmp(f, "H")) {
        if (!strchr(v, ':'))
            return bad("-H", v, "expected \"Name: value\"");
        a->headers = lc_realloc(a->headers, (a->nheaders + 1) * sizeof(char *));
        a->headers[a->nheaders++] = v;
        return 0;
    }
    return bad(f, v, "unknown flag");
}

static int is_bool_flag(const char *f)
{
    return !strcmp(f, "disable-keepalive") || !strcmp(f, "insecure") ||
           !strcmp(f, "disable-compression") || !strcmp(f, "disable-redirects") ||
           !strcmp(f, "h2") || !strcmp(f, "h") || !strcmp(f, "help");
}

/* --segment: this segment's share of -n, -c and --rate (-q is per
 * connection already); every segment needs a connection. */
static int apply_segment(struct load_args *a)
{
    if (a->c < a->seg_count) {
        char why[96];
        snprintf(why, sizeof(why), "-c %u connections cannot be split into %u segments", a->c,
                 a->seg_count);
        return bad("--segment", NULL, why);
    }
    a->whole_n = a->n;
    a->whole_c = a->c;
    a->whole_rate = a->rate > 0 ? a->rate : a->q * a->c;
    a->n = load_segment_share(a->n, a->seg_index, a->seg_count);
    a->c = (unsigned)load_segment_share(a->c, a->seg_index, a->seg_count);
    a->rate /= a->seg_count;
    return 0;
}

/* Go-style flags: -f value, -f=value, --f value. Returns 0, 1 for help, -1. */
static int parse_load_args(int argc, char **argv, struct load_args *a)
{
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0') {
            if (a->url)
                return bad("URL", arg, "only one URL");
            a->url = arg;
            continue;
        }
        const char *f = arg + (arg[1] == '-' ? 2 : 1);
        char name[32];
        const char *eq = strchr(f, '=');
        size_t len = eq ? (size_t)(eq - f) : strlen(f);
        snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) ? len : sizeof(name) - 1), f);
        if (!strcmp(name, "h") || !strcmp(name, "help"))
            return 1;
        if (is_bool_flag(name)) {
            a->disable_keepalive |= !strcmp(name, "disable-keepalive");
            a->insecure |= !strcmp(name, "insecure");
            a->h2 |= !strcmp(name, "h2");
            continue;
        }
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v)
            return bad(arg, NULL, "needs a value");
        if (apply(a, name, v) != 0)
            return -1;
    }
    if (!a->url)
        return bad("URL", NULL, "missing (leakcheck load [options] URL)");
    if (a->z == 0 && a->n < a->c)
        return bad("-n", NULL, "cannot be less than -c");
    if (a->streams > 1 && !a->h2 && !a->grpc_method)
        return bad("--streams", NULL, "needs -h2 (HTTP/1.1 has one request per connection)");
    if (a->grpc_message && !a->grpc_method)
        return bad("--grpc-message", NULL, "needs --grpc-method");
    if (a->grpc_method &&
        (a->body || a->body_file || a->content_type || (a->m && strcmp(a->m, "POST"))))
        return bad("--grpc-method", a->grpc_method,
                   "a gRPC call is a POST of the --grpc-message, with gRPC's content-type: "
                   "drop -m, -d, -D and -T");
    return a->seg_count ? apply_segment(a) : 0;
}

static char *base64(const char *s)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s);
    char *out = lc_malloc(4 * ((n + 2) / 3) + 1), *p = out;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16;
        if (i + 1 < n)
            v |= (unsigned char)s[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)s[i + 2];
        *p++ = tbl[(v >> 18) & 63];
        *p++ = tbl[(v >> 12) & 63];
        *p++ = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        *p++ = i + 2 < n ? tbl[v & 63] : '=';
    }
    *p = '\0';
    return out;
}

/* hey's headers: Content-Type (text/html unless -T), Accept, basic auth,
 * Host, then -H ones (which the engine lets override the defaults). */
static char **build_headers(const struct load_args *a, size_t *n)
{
    char **h = lc_calloc(a->nheaders + 5, sizeof(char *));
    size_t k = 0;
    if (!a->grpc_method) /* gRPC sets its own */
        h[k++] = lc_asprintf("Content-Type: %s", a->content_type ? a->content_type : "text/html");
    if (a->accept)
        h[k++] = lc_asprintf("Accept: %s", a->accept);
    if (a->auth) {
        char *b = base64(a->auth);
        h[k++] = lc_asprintf("Authorization: Basic %s", b);
        free(b);
    }
    if (a->host)
        h[k++] = lc_asprintf("Host: %s", a->host);
    for (size_t i = 0; i < a->nheaders; i++)
        h[k++] = lc_strdup(a->headers[i]);
    *n = k;
    return h;
}

/* -o json's "url" and "segment" (index, count, this segment's share and
 * the whole load's -n, -c and rate, so that --merge can tell segments of
 * different loads apart), or NULL. */
static json_t *segment_json(const struct load_args *a)
{
    if (!a->seg_count)
        return NULL;
    double rate = a->rate > 0 ? a->rate : a->q * a->c;
    json_t *seg = json_pack("{s:I,s:I,s:I,s:I,s:f}", "index", (json_int_t)a->seg_index, "count",
                            (json_int_t)a->seg_count, "requests", (json_int_t)(a->z > 0 ? 0 : a->n),
                            "connections", (json_int_t)a->c, "rate", rate);
    json_object_set_new(seg, "of_requests", json_integer(a->z > 0 ? 0 : (json_int_t)a->whole_n));
    json_object_set_new(seg, "of_connections", json_integer((json_int_t)a->whole_c));
    json_object_set_new(seg, "of_rate", json_real(a->whole_rate));
    return json_pack("{s:s,s:o}", "url", a->url, "segment", seg);
}

/* The URL of a gRPC call: base (scheme://host:port, no path) + method;
 * NULL with a message on stderr when base has a path. */
static char *grpc_url(const char *base, const char *method)
{
    struct lc_error err = {0};
    if (grpcname_check(method, &err) != 0) {
        bad("--grpc-method", NULL, err.msg);
        return NULL;
    }
    const char *p = strstr(base, "://");
    const char *path = p ? strchr(p + 3, '/') : NULL;
    if (path && strcmp(path, "/") != 0) {
        bad("--grpc-method", method, "give the URL without a path: the method is the path");
        return NULL;
    }
    size_t n = path ? (size_t)(path - base) : strlen(base);
    return lc_asprintf("%.*s%s", (int)n, base, method);
}

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* Runs the engine to the end (or Ctrl-C) and prints the figures. */
static int drive(struct loadgen *lg, const struct load_args *a)
{
    struct lc_error err = {0};
    struct sigaction sa = {.sa_handler = on_sigint};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (loadgen_start(lg, &err) != 0) {
        fprintf(stderr, "leakcheck load: %s\n", err.msg);
        return CLI_INFRA;
    }
    struct timespec ts = {0, 20 * 1000 * 1000};
    while (!loadgen_done(lg) && !interrupted)
        nanosleep(&ts, NULL);
    loadgen_stop(lg);
    loadgen_join(lg);
    struct loadgen_stats st;
    struct hist *lat = hist_new();
    loadgen_snapshot(lg, &st, lat);
    int rc = 0;
    if (a->o && !strcmp(a->o, "csv"))
        rc = load_output_csv(stdout, lg);
    else if (a->o)
        rc = load_output_json(stdout, &st, lat, segment_json(a));
    else
        load_output_text(stdout, &st, lat);
    hist_free(lat);
    if (rc != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "leakcheck load: cannot write the output\n");
        return CLI_INFRA;
    }
    return interrupted ? CLI_INTERRUPTED : CLI_OK;
}

int cmd_load(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--merge") || !strcmp(argv[i], "-merge")) {
            /* the flag may stand anywhere among the files */
            char **rest = lc_calloc((size_t)argc + 1, sizeof(char *));
            int k = 0;
            for (int j = 0; j < argc; j++)
                if (j != i)
                    rest[k++] = argv[j];
            int rc = load_merge_main(k, rest);
            free(rest);
            return rc;
        }
    struct load_args a = {.n = 200, .c = 50, .t = 20};
    int p = parse_load_args(argc, argv, &a);
    if (p != 0) {
        load_usage(p > 0 ? stdout : stderr);
        free(a.headers);
        return p > 0 ? CLI_OK : CLI_USAGE;
    }
    struct lc_error err = {0};
    char *body = NULL, *url = NULL;
    size_t body_len = a.body ? strlen(a.body) : 0;
    const char *file = a.grpc_message ? a.grpc_message : a.body_file;
    if (file && !(body = lc_read_file(file, 1u << 30, &body_len, &err))) {
        fprintf(stderr, "leakcheck load: %s: %s\n", a.grpc_message ? "--grpc-message" : "-D",
                err.msg);
        free(a.headers);
        return CLI_USAGE;
    }
    if (a.grpc_method && !(url = grpc_url(a.url, a.grpc_method))) {
        free(body);
        free(a.headers);
        return CLI_USAGE;
    }
    size_t nh = 0;
    char **hdrs = build_headers(&a, &nh);
    struct loadgen_request req = {.method = a.m,
                                  .url = url ? url : a.url,
                                  .headers = (const char *const *)hdrs,
                                  .nheaders = nh,
                                  .body = body ? body : a.body,
                                  .body_len = body_len,
                                  .weight = 1};
    struct loadgen_config cfg = {.requests = &req,
                                 .nrequests = 1,
                                 .concurrency = a.c,
                                 .threads = a.threads,
                                 .max_requests = a.z > 0 ? 0 : a.n,
                                 .duration_s = a.z,
                                 .rate = a.rate > 0 ? a.rate : a.q * a.c,
                                 .timeout_s = a.t > 0 ? a.t : 1e9,
                                 .disable_keepalive = a.disable_keepalive,
                                 .cacert = a.cacert,
                                 .insecure = a.insecure,
                                 .h2 = a.h2,
                                 .streams = a.streams,
                                 .record = a.o && !strcmp(a.o, "csv"),
                                 .grpc = a.grpc_method != NULL};
    struct loadgen *lg = NULL;
    int rc = CLI_USAGE;
    if (fdlimit_raise(fdlimit_need(a.c, cfg.max_requests, a.threads), &err) == 0)
        lg = loadgen_new(&cfg, &err);
    if (!lg)
        fprintf(stderr, "leakcheck load: %s\n", err.msg);
    else
        rc = drive(lg, &a);
    loadgen_free(lg);
    for (size_t i = 0; i < nh; i++)
        free(hdrs[i]);
    free(hdrs);
    free(body);
    free(url);
    free(a.headers);
    return rc;
}
