/*
 * suite/suite_internal.h: private to the suite loader (suite.c,
 * suite_fields.c, suite_json.c, suite_target.c, suite_request.c,
 * suite_mix.c, suite_compare.c). Not for other modules.
 *
 * A suite_path names a place in the JSON document (object keys and array
 * indexes); suite_json_locate finds it again in the raw text, because
 * jansson keeps no positions for values. The sx_* readers take a value out
 * of an object, check its type and range, substitute ${port} in strings,
 * and on failure fill the error with "path: message" at the key's or the
 * value's line:column.
 */
#ifndef LC_SUITE_INTERNAL_H
#define LC_SUITE_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "common/lc.h"

/* Deep enough for tests[i].load.headers.NAME and then some. */
#define SUITE_PATH_MAX 8

struct suite_path {
    struct {
        const char *key; /* borrowed; NULL for an array index */
        size_t index;
    } at[SUITE_PATH_MAX];
    size_t depth;
};

enum suite_pos {
    SUITE_POS_KEY,  /* the last component's key (its opening quote) */
    SUITE_POS_VALUE /* the first character of the value */
};

/* Pushes an object key (borrowed: it must outlive the push) or an index.
 * Pushing beyond SUITE_PATH_MAX is ignored for formatting but counted, so
 * that pushes and pops stay paired. */
void suite_path_push_key(struct suite_path *p, const char *key);
void suite_path_push_index(struct suite_path *p, size_t index);
void suite_path_pop(struct suite_path *p);

/* Writes the first n components as "tests[0].load.url" into out; with n == 0
 * writes "top level". */
void suite_path_format(const struct suite_path *p, size_t n, char *out, size_t outlen);

/* Where the last walk along a path went, so that the next one (most often
 * the next test, tests[i + 1]) starts from there instead of from the top:
 * locating every test and assertion of a suite is then one pass over its
 * text, not one pass per test. Zero-initialise; nothing to free. */
struct suite_json_memo {
    const char *text;
    size_t len;
    size_t depth; /* levels recorded below */
    struct {
        int is_key;   /* an object key, else an array index */
        char key[64];
        size_t index;
        size_t at; /* offset of the value this level names */
    } lv[SUITE_PATH_MAX];
    size_t lc_off; /* line_col's last offset, and its line and column */
    int lc_line, lc_col;
};

/*
 * Scans the JSON text along path and sets *line and *col (1-based; columns
 * count characters, as jansson's do) of the key or value named by its last
 * component (SUITE_POS_KEY with an empty path or an index falls back to
 * the value). Returns 0, or -1 with *line = *col = 0 when the path is not
 * in the text (which should not happen for text jansson accepted).
 */
int suite_json_locate(const char *text, size_t len, const struct suite_path *path,
                      enum suite_pos which, int *line, int *col);

/* suite_json_locate, resuming from memo's last walk when the path shares
 * its start (memo may be NULL). */
int suite_json_locate_m(struct suite_json_memo *memo, const char *text, size_t len,
                        const struct suite_path *path, enum suite_pos which, int *line, int *col);

/*
 * Maps the string value at path to the file: *line and *col get the place
 * of its opening quote, and *cols a new array (caller frees) of
 * strlen(decoded value) + 1 columns: that of the character each byte of the
 * decoded value comes from (all the bytes of an escape such as \n or
 * \u00e9 share the backslash's column), then that of the closing quote.
 * Returns 0, or -1 with *cols NULL when the path does not name a string in
 * the text.
 */
int suite_json_string_cols(const char *text, size_t len, const struct suite_path *path, int *line,
                           int *col, int **cols, size_t *ncols);

/* suite_json_string_cols with a memo (see suite_json_locate_m). */
int suite_json_string_cols_m(struct suite_json_memo *memo, const char *text, size_t len,
                             const struct suite_path *path, int *line, int *col, int **cols,
                             size_t *ncols);

/* What the readers need: the raw text for positions, the suite's directory
 * for relative paths, the current test's port and the path being read. */
struct suite_ctx {
    const char *text;
    size_t len;
    const char *dir;
    int port;
    /* named ports (${port:NAME}) of the test being read, picked on first
     * use with port_cb(index, port_arg); test NULL at the top level */
    struct suite_test *test;
    size_t index;
    int (*port_cb)(size_t index, void *arg);
    void *port_arg;
    struct suite_path path;
    struct lc_error *err;
    struct suite_json_memo memo;
};

/* Fills ctx->err with "path: message" at the key (SUITE_POS_KEY: the path
 * prefix then omits the last component) or the value of the current path.
 * Always returns -1, so that callers can `return sx_fail(...)`. */
int sx_fail(struct suite_ctx *ctx, enum suite_pos which, const char *fmt, ...) LC_PRINTF(3, 4);

/* Runs a reader and returns -1 from the caller when it fails. */
#define SX_TRY(expr)                                                                               \
    do {                                                                                           \
        if ((expr) < 0)                                                                            \
            return -1;                                                                             \
    } while (0)

/* Fails at key `key` of the current object (its name, not its value) with
 * the message why, e.g. that it cannot be given together with another key.
 * Always returns -1. */
int sx_conflict(struct suite_ctx *ctx, const char *key, const char *why);

/* Checks that url, the value of key of the current object, can be fetched:
 * http:// only, or https:// too when https_ok. Returns 0, or -1 with
 * ctx->err at the value. */
int sx_url(struct suite_ctx *ctx, const char *key, const char *url, int https_ok);

/* "an object", "a string", ... for messages. */
const char *sx_type_name(const json_t *v);

/* Checks that v (at the current path) is an object whose keys are all in
 * known (NULL-terminated); an unknown key is an error at that key, with
 * the nearest known key suggested when it is close. Returns 0 or -1. */
int sx_object(struct suite_ctx *ctx, const json_t *v, const char *const *known);

/* suite_vars.c: returns a new string with ${port}, ${port:NAME},
 * ${env:NAME} and ${env:NAME:-default} substituted and $${ turned into ${;
 * any other ${name}, and an unset variable without a default, is an error
 * at the current path. NULL on error. */
char *sx_subst(struct suite_ctx *ctx, const char *s);

/* Returns a new absolute path: rel joined to the suite's directory unless
 * it is absolute already; leading "./" parts are dropped. */
char *sx_resolve(const struct suite_ctx *ctx, const char *rel);

/*
 * Readers of obj[key]. Each returns 1 when the key is present and read into
 * *out, 0 when it is absent (with *out untouched, or set to the default
 * where there is one), or -1 with ctx->err set. `required` makes an absent
 * key an error at obj. Strings are substituted and owned by the caller.
 */
int sx_string(struct suite_ctx *ctx, const json_t *obj, const char *key, int required, char **out);
/* A duration string; *out gets def when absent. min > 0: at least min
 * seconds; min < 0: longer than 0; min == 0: anything. A bare JSON number is
 * an error ("durations need a unit"). */
int sx_duration(struct suite_ctx *ctx, const json_t *obj, const char *key, double def, double min,
                double *out);
int sx_posint(struct suite_ctx *ctx, const json_t *obj, const char *key, json_int_t max,
              json_int_t *out);
int sx_posnum(struct suite_ctx *ctx, const json_t *obj, const char *key, double *out);
int sx_bool(struct suite_ctx *ctx, const json_t *obj, const char *key, int *out);
/* An array of strings; *out is NULL-terminated (caller frees each and it).
 * nonempty makes an empty array an error. */
int sx_strings(struct suite_ctx *ctx, const json_t *obj, const char *key, int nonempty, char ***out,
               size_t *n);
/* Checks one member of an object read by sx_pairs: returns NULL when it is
 * fine, else a message, with *where set to the part at fault. */
typedef const char *sx_pair_check(const char *name, const char *value, enum suite_pos *where);
/* An object of strings, each turned into "NAME<sep>value" (sep "=" for the
 * environment, ": " for headers), in the order written; each member passes
 * check first. */
int sx_pairs(struct suite_ctx *ctx, const json_t *obj, const char *key, const char *sep,
             sx_pair_check *check, char ***out, size_t *n);

/* suite_compare.c: the top-level "compare" object ({"goroutines": "10%",
 * "rss": "off"}) into a new array (caller frees each metric and it). Returns
 * 1 when present, 0 when absent, -1 with ctx->err. */
struct suite_compare;
int sx_compare(struct suite_ctx *ctx, const json_t *root, struct suite_compare **out, size_t *n);

/* Frees a NULL-terminated or n-element array of strings and the array. */
void sx_free_strings(char **v, size_t n);

struct suite_load;

struct suite_target;
struct suite_test;

/* suite_target.c: reads the target block o (the path is at it) into t:
 * command, env, cwd (the suite's directory by default), nofile, ready and
 * its timeout, stop_grace; or pid/pid_file; and measure (which process the
 * /proc figures describe). Returns 0 or -1 with ctx->err. */
int sx_target(struct suite_ctx *ctx, const json_t *o, struct suite_target *t);

/* suite_target.c: reads the sample block o (NULL when absent: defaults)
 * into t->sample; needs t->target read first (proc defaults to whether
 * there is a target). Returns 0 or -1 with ctx->err. */
int sx_sample(struct suite_ctx *ctx, const json_t *o, struct suite_test *t);

/* suite_request.c: reads the load block o (the path is at it) into l,
 * requests_mix and stages included. Returns 0 or -1 with ctx->err. */
int sx_load(struct suite_ctx *ctx, const json_t *o, struct suite_load *l);

/* suite_request.c: reads url (required, http://), method, headers and body
 * or body_file of object o into l. Returns 0 or -1 with ctx->err set. */
int sx_load_request(struct suite_ctx *ctx, const json_t *o, struct suite_load *l);

/* suite_grpc.c: reads o's "grpc" into l after its request: method, url
 * and body become a gRPC call's. Returns 1, 0 when o has no "grpc", or -1
 * (with the error in ctx). */
int sx_load_grpc(struct suite_ctx *ctx, const json_t *o, struct suite_load *l);

/* suite_mix.c: reads the load block o's "requests_mix" into l->mix: 1 when
 * present, 0 when absent, -1 on error (also when url, method, headers, body
 * or body_file are given with it, or when its URLs name different hosts). */
int sx_load_mix(struct suite_ctx *ctx, const json_t *o, struct suite_load *l);

/* suite_mix.c: reads the load block o's "stages" into l->stages: 1 when
 * present, 0 when absent, -1 on error (also when "rate" is given with it). */
int sx_load_stages(struct suite_ctx *ctx, const json_t *o, struct suite_load *l);

/* suite_limits.c: ceilings, each failing at the value of key of the
 * current object with the reason. Return 0 or -1. */
/* concurrency (key "concurrency") or requests (key "requests") */
int sx_limit_count(struct suite_ctx *ctx, const char *key, json_int_t v);
/* a rate in requests/s (a load's "rate" or a stage's) */
int sx_limit_rate(struct suite_ctx *ctx, const char *key, double rate);
/* the load's descriptors against leakcheck's hard limit (fdlimit.h) */
int sx_limit_fds(struct suite_ctx *ctx, const struct suite_load *l);
/* a target's "nofile" against the hard limit and fs.nr_open */
int sx_limit_nofile(struct suite_ctx *ctx, json_int_t nofile);

/* suite_mix.c: frees l->mix and l->stages (what sx_load_mix and
 * sx_load_stages allocated) and clears them. */
void sx_load_extra_free(struct suite_load *l);

#endif
