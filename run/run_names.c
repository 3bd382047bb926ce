/*
 * run/run_names.c: Prometheus metric names checked at the first
 * scrape, so that a misspelt name stops the test before its load, not
 * after it.
 *
 * validate cannot know the names a service exposes; its first scrape
 * does. A name that is neither a sample of it nor a family its HELP or
 * TYPE lines declare is either misspelt or a series the service creates
 * at its first use (client libraries expose a labelled counter only once
 * it has counted something). When a scraped name is near it, or its
 * assertion needs its baseline (which the baseline's scrapes will then
 * lack), the test stops at once as a suite error; otherwise it goes on
 * with a warning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/checks.h"
#include "suite/metrics.h"
#include "sources/prom.h"
#include "run/run_internal.h"

#define NEAREST 3

struct names_ctx {
    const struct prom_names *names;
    const char *url;
    const char *missing; /* the unknown metric's name (borrowed from the assertion) */
    int near;            /* a scraped name is near it */
};

/* An expr_known_cb: built-in names and scraped ones are known. */
static int scraped_cb(const struct expr_metric *m, char *hint, size_t hintlen, void *arg)
{
    struct names_ctx *c = arg;
    if (metric_builtin(m->name) || prom_names_has(c->names, m->name))
        return 1;
    const char *near[NEAREST];
    size_t k = prom_names_nearest(c->names, m->name, near, NEAREST);
    struct lc_buf b = {0};
    lc_buf_printf(&b, "%s does not expose it (%zu names in its first scrape)", c->url,
                  prom_names_count(c->names));
    for (size_t i = 0; i < k; i++)
        lc_buf_printf(&b, "%s%s", i == 0 ? "; did you mean " : i + 1 == k ? " or " : ", ", near[i]);
    if (k)
        lc_buf_puts(&b, "?");
    snprintf(hint, hintlen, "%s", b.data);
    lc_buf_free(&b);
    c->missing = m->name;
    c->near = k > 0;
    return 0;
}

struct baseline_ctx {
    const char *name;
    int needed;
};

static void baseline_cb(const struct expr_metric *m, enum expr_reduce reduce, void *arg)
{
    struct baseline_ctx *c = arg;
    if ((reduce == EXPR_BASELINE || reduce == EXPR_GROWTH) && strcmp(m->name, c->name) == 0)
        c->needed = 1;
}

static void append(struct lc_error *err, const char *text)
{
    size_t len = strlen(err->msg);
    snprintf(err->msg + len, sizeof(err->msg) - len, "%s", text);
}

/* Prints a fault or warning about assertion k, at its place in the suite
 * file when the runner knows it. */
static void say(struct run *r, size_t k, int warning, const struct lc_error *err)
{
    progress_end(r); /* off the live status line */
    if (r->opts->suite_path)
        checks_print(r->opts->suite_path, r->t, k, warning, err, stderr);
    else
        fprintf(stderr, "leakcheck: %stest \"%s\", assertion %zu: %s\n", warning ? "warning: " : "",
                r->t->name, k + 1, err->msg);
}

int run_check_names(struct run *r, const struct prom_names *names)
{
    char *url = lc_redact_url(r->t->sample.prometheus ? r->t->sample.prometheus : "?");
    struct lc_buf why = {0};
    for (size_t k = 0; k < r->t->nasserts; k++) {
        struct names_ctx c = {names, url, NULL, 0};
        struct lc_error err = {0};
        if (expr_check(r->exprs[k], scraped_cb, &c, &err) == 0 || !c.missing)
            continue;
        struct baseline_ctx bc = {c.missing, 0};
        expr_visit(r->exprs[k], baseline_cb, &bc);
        if (!c.near && !bc.needed) {
            append(&err, "; going on, in case the service creates it at its first use");
            say(r, k, 1, &err);
            continue;
        }
        if (!c.near)
            append(&err, "; the baseline it is compared with cannot be had (a series the "
                         "service creates at its first use must be there from the start)");
        say(r, k, 0, &err);
        lc_buf_printf(&why, "%sassertion %zu: %s", why.len ? "\n" : "", k + 1, err.msg);
    }
    free(url);
    if (why.len) {
        snprintf(r->error, sizeof(r->error), "%s", why.data);
        r->suite_error = 1;
    }
    lc_buf_free(&why);
    return r->suite_error;
}
