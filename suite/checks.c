/* suite/checks.c: every assertion parsed and checked up front. */
#include "suite/checks.h"

#include <stdlib.h>

#include "suite/metrics.h"

struct checks {
    struct expr ***exprs; /* per test, per assertion */
    size_t ntests;
    size_t *counts;
};

void checks_print(const char *path, const struct suite_test *t, size_t k, int warning,
                  const struct lc_error *err, FILE *out)
{
    struct lc_buf caret = {0};
    int line, col;
    expr_caret(t->asserts[k], err->col, &caret);
    /* the fault's own place in the file, where the suite knows it */
    suite_assert_where(t, k, err->col, &line, &col);
    if (col > 0)
        fprintf(out, "leakcheck: %s:%d:%d: ", path, line, col);
    else
        fprintf(out, "leakcheck: %s:%d: ", path, line);
    fprintf(out, "%stest \"%s\", assertion %zu: %s\n", warning ? "warning: " : "", t->name, k + 1,
            err->msg);
    /* indent both lines of the caret rendering */
    fputs("    ", out);
    for (const char *p = caret.data ? caret.data : ""; *p; p++) {
        fputc(*p, out);
        if (*p == '\n' && p[1])
            fputs("    ", out);
    }
    if (caret.len && caret.data[caret.len - 1] != '\n')
        fputc('\n', out);
    lc_buf_free(&caret);
}

struct baseline_use {
    const char *metric; /* the first metric read against the baseline, or NULL */
    enum expr_reduce reduce;
};

static void find_baseline_use(const struct expr_metric *m, enum expr_reduce reduce, void *arg)
{
    struct baseline_use *u = arg;
    if (!u->metric && (reduce == EXPR_BASELINE || reduce == EXPR_GROWTH)) {
        u->metric = m->text;
        u->reduce = reduce;
    }
}

/* A target that exits has no baseline phase unless the test gives one:
 * baseline(m), growth(m) and "stay within" have nothing to read then. */
static int check_baseline(const struct suite_test *t, const struct expr *e, struct lc_error *err)
{
    struct baseline_use u = {0};
    if (!t->target.exits || t->baseline_s > 0)
        return 0;
    expr_visit(e, find_baseline_use, &u);
    if (!u.metric)
        return 0;
    lc_error_at(err, 1, 1,
                "%s(%s) needs a baseline, and a target that exits (\"exits\": true) has none "
                "unless the test gives \"baseline\"; max(%s) judges the peak",
                u.reduce == EXPR_GROWTH ? "growth" : "baseline", u.metric, u.metric);
    return -1;
}

struct checks *checks_new(const struct suite *s, FILE *errout)
{
    struct checks *c = lc_calloc(1, sizeof(*c));
    int faults = 0;
    c->ntests = s->ntests;
    c->exprs = lc_calloc(s->ntests + 1, sizeof(*c->exprs));
    c->counts = lc_calloc(s->ntests + 1, sizeof(*c->counts));
    for (size_t i = 0; i < s->ntests; i++) {
        const struct suite_test *t = &s->tests[i];
        c->exprs[i] = lc_calloc(t->nasserts + 1, sizeof(struct expr *));
        c->counts[i] = t->nasserts;
        for (size_t k = 0; k < t->nasserts; k++) {
            struct lc_error err = {0};
            struct expr *e = expr_parse(t->asserts[k], &err);
            if (e && (expr_check(e, metric_known_cb, (void *)t, &err) != 0 ||
                      check_baseline(t, e, &err) != 0)) {
                expr_free(e);
                e = NULL;
            }
            if (!e) {
                checks_print(s->path, t, k, 0, &err, errout);
                faults++;
            } else if (expr_check_units(e, metric_is_time_cb, NULL, &err)) {
                checks_print(s->path, t, k, 1, &err, errout);
            }
            c->exprs[i][k] = e;
        }
    }
    if (faults) {
        checks_free(c);
        return NULL;
    }
    return c;
}

struct expr *const *checks_exprs(const struct checks *c, size_t i)
{
    return c->exprs[i];
}

void checks_free(struct checks *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ntests; i++) {
        for (size_t k = 0; k < c->counts[i]; k++)
            expr_free(c->exprs[i][k]);
        free(c->exprs[i]);
    }
    free(c->exprs);
    free(c->counts);
    free(c);
}
