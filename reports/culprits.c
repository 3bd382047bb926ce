/* reports/culprits.c: culprits in words, for the console and junit.xml. */
#include "reports/culprits.h"

#include <math.h>
#include <string.h>

static int is_kind(const struct report_culprit *c, const char *kind)
{
    return c->kind && strcmp(c->kind, kind) == 0;
}

/* Bytes for people: "40.2 MiB", "512 KiB", "12 B". */
static void put_bytes(struct lc_buf *b, double v)
{
    double a = fabs(v);
    if (!isfinite(v))
        lc_buf_puts(b, "?");
    else if (a >= 1024.0 * 1024 * 1024)
        lc_buf_printf(b, "%.1f GiB", v / (1024.0 * 1024 * 1024));
    else if (a >= 1024.0 * 1024)
        lc_buf_printf(b, "%.1f MiB", v / (1024.0 * 1024));
    else if (a >= 1024.0)
        lc_buf_printf(b, "%.1f KiB", v / 1024.0);
    else
        lc_buf_printf(b, "%.0f B", v);
}

int report_culprit_has_detail_line(const struct report_culprit *c)
{
    return (is_kind(c, "goroutine") || is_kind(c, "heap")) && c->detail && *c->detail;
}

/* " (1.0 GiB at baseline)", when the baseline figure is known. */
static void put_baseline(struct lc_buf *b, const struct report_culprit *c, int bytes)
{
    if (!isfinite(c->before))
        return;
    lc_buf_puts(b, " (");
    if (bytes)
        put_bytes(b, c->before);
    else
        lc_buf_printf(b, "%.0f", c->before);
    lc_buf_puts(b, " at baseline)");
}

/* "holds 1.0 GiB of heap (1.0 GiB at baseline) allocated in ...". */
static void level_headline(struct lc_buf *b, const struct report_culprit *c, const char *fn,
                           const char *loc)
{
    lc_buf_puts(b, "holds ");
    if (is_kind(c, "heap")) {
        put_bytes(b, c->after);
        lc_buf_puts(b, " of heap");
        put_baseline(b, c, 1);
        lc_buf_printf(b, " allocated in %s at %s", fn, loc);
    } else if (is_kind(c, "goroutine")) {
        lc_buf_printf(b, "%.0f goroutines", c->after);
        put_baseline(b, c, 0);
        lc_buf_printf(b, " in %s at %s%s", fn, loc, c->proven ? " [proven leaked]" : "");
    } else {
        lc_buf_printf(b, "%.0f %s: %s", c->after, is_kind(c, "socket") ? "sockets" : "fds",
                      c->detail && *c->detail ? c->detail : loc);
    }
}

void report_culprit_headline(struct lc_buf *b, const struct report_culprit *c)
{
    const char *fn = c->function ? c->function : "?";
    const char *loc = c->location ? c->location : "?";
    if (c->basis == REPORT_BASIS_LEVEL) {
        level_headline(b, c, fn, loc);
    } else if (is_kind(c, "heap")) {
        lc_buf_puts(b, "+");
        put_bytes(b, c->growth);
        lc_buf_puts(b, " of heap (");
        put_bytes(b, c->before);
        lc_buf_puts(b, " -> ");
        put_bytes(b, c->after);
        lc_buf_printf(b, ") allocated in %s at %s", fn, loc);
    } else if (is_kind(c, "goroutine")) {
        lc_buf_printf(b, "+%.0f goroutines (%.0f -> %.0f) in %s at %s%s", c->growth, c->before,
                      c->after, fn, loc, c->proven ? " [proven leaked]" : "");
    } else if (is_kind(c, "finalizer")) {
        /* the detail is the whole sentence: "380 files in DIR were closed
         * only by the garbage collector (...): dropped without Close" */
        if (c->detail && *c->detail)
            lc_buf_puts(b, c->detail);
        else
            lc_buf_printf(b, "%.0f descriptors (%s) were closed only by the garbage collector",
                          c->growth, loc);
    } else {
        lc_buf_printf(b, "+%.0f %s: %s", c->growth, is_kind(c, "socket") ? "sockets" : "fds",
                      c->detail && *c->detail ? c->detail : loc);
    }
}

const char *report_culprits_title(const struct report_test *t)
{
    /* by level (4), growth (2), closed by the garbage collector (1) */
    static const char *const titles[8] = {
        "what grew from the end of the baseline to the end",
        "what only the garbage collector closed",
        "what grew from the end of the baseline to the end",
        "what grew from the end of the baseline to the end, and what only the garbage collector "
        "closed",
        "what holds the most at the end",
        "what holds the most at the end, and what only the garbage collector closed",
        "what holds the most at the end, and what grew from the end of the baseline to the end",
        "what holds the most at the end, what grew from the end of the baseline to the end, and "
        "what only the garbage collector closed",
    };
    unsigned which = 0;
    for (size_t i = 0; t->culprits && i < t->nculprits; i++) {
        const struct report_culprit *c = &t->culprits[i];
        which |= c->basis == REPORT_BASIS_LEVEL ? 4u : is_kind(c, "finalizer") ? 1u : 2u;
    }
    return titles[which];
}

void report_culprits_block(struct lc_buf *b, const struct report_test *t, const char *indent)
{
    size_t n = t->culprits ? t->nculprits : 0;
    if (n == 0)
        return;
    lc_buf_printf(b, "%sculprits (%s):\n", indent, report_culprits_title(t));
    for (size_t i = 0; i < n && i < REPORT_TOP_CULPRITS; i++) {
        const struct report_culprit *c = &t->culprits[i];
        lc_buf_printf(b, "%s  ", indent);
        report_culprit_headline(b, c);
        lc_buf_puts(b, "\n");
        if (report_culprit_has_detail_line(c))
            lc_buf_printf(b, "%s      %s\n", indent, c->detail);
    }
    if (n > REPORT_TOP_CULPRITS)
        lc_buf_printf(b, "%s  (%zu more in report.json)\n", indent, n - REPORT_TOP_CULPRITS);
    if (t->pprof_base_cmd)
        lc_buf_printf(b, "%scompare (in the reports' folder): %s\n", indent, t->pprof_base_cmd);
}
