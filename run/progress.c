/* run/progress.c: what a person watching a run sees while it runs. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/metric_table.h"
#include "reports/term.h"
#include "run/run_internal.h"

#define PLAIN_EVERY_S 5.0
#define LIVE_EVERY_S 0.2

/* The planned length of the test when it is known in advance (load by
 * duration, or no load), else NAN; settle may end early; a batch job
 * takes as long as it takes. */
static double planned(const struct run *r)
{
    const struct suite_test *t = r->t;
    if ((t->load.present && t->load.duration_s <= 0) || t->target.exits)
        return NAN;
    return t->baseline_s + (t->load.present ? t->load.duration_s : 0) + t->observe_s + t->settle_s;
}

static void add_value(const struct run *r, const struct metric_def *d, struct lc_buf *b)
{
    double v;
    if (timeline_reduce(r->tl, d->name, EXPR_FINAL, &v, NULL) != 0)
        return;
    if (d->unit == METRIC_UNIT_BYTES)
        lc_buf_printf(b, "  %s %.1fMB", d->name, v / 1048576.0);
    else
        lc_buf_printf(b, "  %s %.0f", d->name, v);
}

static void status_text(const struct run *r, struct lc_buf *b)
{
    double el = r->sampling ? lc_now() - r->phase_start[PHASE_BASELINE] - r->t0 : 0;
    double total = planned(r);
    lc_buf_printf(b, "%s  %s  %.1fs", r->t->name, r->sampling ? phase_name(r->phase) : "starting",
                  el < 0 ? 0 : el);
    if (!isnan(total))
        lc_buf_printf(b, "/%.0fs", total);
    double req;
    if (r->t->load.present && r->t->load.requests &&
        timeline_reduce(r->tl, "requests", EXPR_FINAL, &req, NULL) == 0)
        lc_buf_printf(b, "  requests %.0f/%llu", req, (unsigned long long)r->t->load.requests);
    /* the metric table's METRIC_PROGRESS ones: the load's rate first */
    size_t n = 0;
    const struct metric_def *defs = metric_builtins(&n);
    for (int load = 1; load >= 0; load--)
        for (size_t i = 0; i < n; i++)
            if ((defs[i].flags & METRIC_PROGRESS) && (defs[i].source == METRIC_LOAD) == load)
                add_value(r, &defs[i], b);
}

/* Back to the start of the status line and clear it: leakcheck's own
 * escape sequence, past the guard that strips every other. */
static void clear_line(void)
{
    FILE *raw = report_term_raw(stderr);
    fputs("\r\033[K", raw);
    fflush(raw);
}

static void clear_live(struct run *r)
{
    if (r->live_shown) {
        clear_line();
        r->live_shown = 0;
    }
}

void progress(struct run *r, const char *fmt, ...)
{
    if (r->opts->quiet)
        return;
    clear_live(r);
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "  [%6.1fs] %s: ", lc_now() - r->t0, r->t->name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    r->last_progress = r->opts->live ? 0 : lc_now();
    progress_tick(r);
}

void progress_tick(struct run *r)
{
    double every = r->opts->live ? LIVE_EVERY_S : PLAIN_EVERY_S;
    if (r->opts->quiet || !r->tl || lc_now() - r->last_progress < every)
        return;
    if (!r->opts->live && !r->sampling)
        return; /* plain lines only once there is something to show */
    struct lc_buf b = {0};
    status_text(r, &b);
    if (r->opts->live) {
        /* one line, redrawn in place, cut to the terminal's width so it
         * never wraps (a wrapped line could not be redrawn) */
        struct winsize ws;
        int cols = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10 ? ws.ws_col : 100;
        clear_line();
        fprintf(stderr, "  %.*s", cols - 3, b.data);
        r->live_shown = 1;
    } else {
        fprintf(stderr, "  [%6.1fs] %s\n", lc_now() - r->t0, b.data);
    }
    fflush(stderr);
    lc_buf_free(&b);
    r->last_progress = lc_now();
}

void progress_end(struct run *r)
{
    clear_live(r);
}
