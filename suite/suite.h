/*
 * suite/suite.h: loading and validating a suite file (format v1, JSON).
 *
 * Every string of a test has "${port}" replaced by the test's port (the
 * caller picks a free loopback port per test and passes it in),
 * "${port:NAME}" by another port picked the same way on its first use,
 * and "${env:NAME}" ("${env:NAME:-default}") by the environment's value. Relative
 * paths (target.command[0] when it contains a '/', target.cwd, pid_file,
 * body_file) resolve against the suite file's directory. Unknown keys,
 * wrong types and bad durations are errors that name the key and its
 * line:column.
 *
 * Substitution applies to string values (not to object keys such as env
 * names or header names): "$${" is the escape for a literal "${" (so
 * "$${port}" gives "${port}"); a "$" not followed by "{" is kept, so shell
 * text like "$HOME" or "$$" passes through; any other "${name}" is an error.
 */
#ifndef LC_SUITE_H
#define LC_SUITE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/lc.h"

struct suite_header {
    char *name; /* "Name: value" as written */
};

/* Which process the /proc figures describe (target "measure"). */
enum suite_measure {
    SUITE_MEASURE_AUTO,      /* the descendant listening on the test's port (or a source's), else
                              * the started process; the default */
    SUITE_MEASURE_STARTED,   /* the process leakcheck started or attached to */
    SUITE_MEASURE_LISTENING, /* the descendant listening on measure_port, waited for */
};

struct suite_target {
    int present;
    char **command; /* NULL-terminated argv, or NULL when attaching */
    size_t ncommand;
    char **env; /* "NAME=value" strings added to the environment */
    size_t nenv;
    char *cwd;              /* absolute; the suite's directory by default */
    long nofile;            /* RLIMIT_NOFILE to set, or 0 to leave as is */
    pid_t pid;              /* attach to this pid (0: not given) */
    char *pid_file;         /* attach to the pid read from this file, or NULL */
    char *ready;            /* URL polled until 2xx, or NULL */
    double ready_timeout_s; /* default 10 s */
    double stop_grace_s;    /* SIGTERM -> SIGKILL; default 5 s */
    /* "exits": true: a batch job, run to completion -- sampled from its
     * start until it exits (no ready, load, observe or settle), its exit
     * status the metric exit_code */
    int exits;
    double exit_timeout_s; /* a started batch that runs longer is an error; default 5 m */
    enum suite_measure measure;
    int measure_port; /* SUITE_MEASURE_LISTENING: the port (0 when validating "${port}") */
};

struct suite_sample {
    char *pprof;       /* base URL of /debug/pprof, or NULL */
    char *prometheus;  /* URL of /metrics, or NULL */
    int proc;          /* sample /proc/PID (needs a pid) */
    double interval_s; /* default 0.25 s (0.05 s for a target that exits) */
    double timeout_s;  /* per fetch; default 5 s */
};

/* One entry of a load block's "requests_mix": a kind of request and its
 * relative share (smooth weighted round-robin in the engine). */
struct suite_request {
    char *url;
    char *method; /* default GET */
    struct suite_header *headers;
    size_t nheaders;
    char *body; /* may be NULL */
    size_t body_len;
    unsigned weight; /* default 1 */
};

/* One entry of a load block's "stages": the rate ramps linearly from the
 * previous stage's rate (0 before the first) to `rate` over duration_s. */
struct suite_stage {
    double duration_s;
    double rate;
};

struct suite_load {
    int present;
    char *url;
    char *method; /* default GET */
    struct suite_header *headers;
    size_t nheaders;
    char *body; /* may be NULL */
    size_t body_len;
    unsigned concurrency; /* default 10 */
    uint64_t requests;    /* 0: not given */
    double duration_s;    /* 0: not given */
    double rate;          /* 0: closed model */
    double timeout_s;     /* per request; default 20 s */
    unsigned threads;     /* 0: number of cores */
    /* "requests_mix", instead of url/method/headers/body (which are then
     * NULL); every entry goes to the same host and port */
    struct suite_request *mix;
    size_t nmix;
    struct suite_stage *stages; /* open model with ramps (rate is then 0) */
    size_t nstages;
    int disable_keepalive; /* a new connection for every request */
    int insecure;          /* https: do not verify the server's certificate */
    char *cacert;          /* https: CA certificates (PEM), absolute; or NULL */
    int h2;                /* "protocol": "h2": HTTP/2 (ALPN h2 over TLS, h2c for http) */
    unsigned streams;      /* h2: concurrent streams per connection; 0 = 1 */
    /* "grpc": gRPC unary calls of this method ("/pkg.Service/Method"); url
     * then ends with it, method is POST, body holds the message (not
     * framed). NULL for plain HTTP. */
    char *grpc_method;
};

/* Goroutines expected to come and go, goleak-style: a goroutine whose
 * innermost function is one of top_function, or that has one of
 * any_function anywhere on its stack, is left out of the `goroutines`
 * metric and of the culprits. Names are Go's full function names
 * ("net/http.(*persistConn).readLoop"), matched exactly. */
struct suite_ignore {
    char **top_function; /* NULL-terminated, or NULL */
    size_t ntop_function;
    char **any_function; /* NULL-terminated, or NULL */
    size_t nany_function;
};

/* Where a string of the suite sits in the file. JSON strings hold no line
 * breaks, so one line is enough. */
struct suite_text_pos {
    int line;
    int col;   /* of the opening quote */
    int *cols; /* the column each byte of the string (as loaded) comes
                * from, then the closing quote's; NULL when ${port}
                * substitution changed the string */
    size_t ncols;
};

/* A port of a test named in its strings as ${port:NAME}. */
struct suite_port {
    char *name;
    int port; /* 0 when validating */
};

struct suite_test {
    char *name;
    int port;
    struct suite_port *named_ports; /* in the order first used; NULL when none */
    size_t nnamed_ports;
    struct suite_target target;
    struct suite_sample sample;
    double baseline_s; /* default 1 s (0, none, for a target that exits) */
    struct suite_load load;
    double observe_s; /* default 0 */
    double settle_s;  /* default 0 */
    double warmup_s;  /* what trend() leaves out of the load; default -1: a third of it */
    char **asserts;
    size_t nasserts;
    struct suite_ignore ignore;
    /* where each assertion sits in the file (nasserts entries); NULL in a
     * test not loaded from a file */
    struct suite_text_pos *assert_pos;
    /* the JSON line and column of the test object, for messages and JUnit
     * file= */
    int line;
    int col;
};

/* One member of the suite's "compare" object: how much a metric's final
 * value may grow over the previous run's (leakcheck run --compare). */
struct suite_compare {
    char *metric;
    double tolerance; /* a fraction (0.1 for "10%"); negative for "off" */
};

enum suite_warning_kind {
    /* a test without assertions: it passes unless something errs (or,
     * with run --compare, a comparison fails) */
    SUITE_WARN_NO_ASSERTIONS
};

/* Something legal but probably not meant, found while loading. */
struct suite_warning {
    enum suite_warning_kind kind;
    size_t test; /* index of the test it is about */
    int line;
    int col;
    char *msg; /* without the file and position, e.g. test "b" has no ... */
};

/* The shortest "checkpoint" interval accepted (run/checkpoint.h). */
#define SUITE_CHECKPOINT_MIN_S 0.1

struct suite {
    char *name;
    char *path; /* the suite file as given */
    char *dir;  /* absolute directory of the suite file */
    struct suite_test *tests;
    size_t ntests;
    struct suite_compare *compare; /* in the order written; NULL when absent */
    size_t ncompare;
    struct suite_warning *warnings; /* in file order; NULL when none */
    size_t nwarnings;
    double checkpoint_s; /* "checkpoint": -1 not given (the default), 0 "off" */
};

/* Picks a port for test number `index`, unlike every port it picked
 * before; returns a free loopback port or -1. */
typedef int suite_port_cb(size_t index, void *arg);

/*
 * Loads and validates the suite file at path. port_cb gives each test its
 * port for ${port} (called once per test, in order, and once more for each
 * ${port:NAME} of the test; with port_cb NULL every port is 0, for
 * checking a suite without running it). An unset ${env:NAME} without a
 * default is an error naming it.
 * Returns a new suite (free with suite_free) or NULL with err: "line:col"
 * of the fault where known and a message that names the key and what was
 * expected. Assertions are only collected here, with their places in the
 * file (suite_assert_where); their syntax and metrics are checked by the
 * caller. A test without assertions is not an error but a warning in
 * s->warnings, at the test object (or at its empty "assert").
 */
struct suite *suite_load(const char *path, suite_port_cb *port_cb, void *arg, struct lc_error *err);

/*
 * The place in the suite file of byte column col (1-based, as expr_parse
 * and expr_check report it) of test t's assertion k: *line is the
 * assertion's line, and *fcol the column of the character that byte came
 * from (escapes such as \" taken into account; col past the end gives the
 * closing quote). When ${port} substitution changed the assertion, *fcol is
 * that of its first character. When the place is not known (a test not
 * loaded from a file), *line is t->line and *fcol 0.
 */
void suite_assert_where(const struct suite_test *t, size_t k, int col, int *line, int *fcol);

/* suite_free(NULL) is a no-op. */
void suite_free(struct suite *s);

#endif
