/* reports/console.c: the short summary printed at the end of a run. */
#include "reports/cost.h"
#include "reports/culprits.h"
#include "reports/report.h"
#include "reports/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Lines of an errored or failed test's log tail shown on the console. */
#define CONSOLE_LOG_LINES 10

#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

/* Prints s cleaned for a terminal: no escape sequences or control characters
 * from the target's side, malformed UTF-8 shown as U+FFFD. */
static void put_clean(FILE *out, const char *s, unsigned flags)
{
    char *clean = report_text_dup(s, flags);
    fputs(clean, out);
    free(clean);
}

static const char *verdict_label(enum report_verdict v)
{
    return v == REPORT_PASS ? "PASS" : v == REPORT_FAIL ? "FAIL" : "ERROR";
}

static const char *verdict_color(enum report_verdict v)
{
    return v == REPORT_PASS ? C_GREEN : v == REPORT_FAIL ? C_RED : C_YELLOW;
}

static void put_assertion(FILE *out, const struct report_assertion *a, int color)
{
    /* Without colour, words that grep and CI logs show plainly. */
    const char *mark = a->errored  ? (color ? C_YELLOW "!" C_OFF : "ERR ")
                       : a->passed ? (color ? C_GREEN "\u2713" C_OFF : "ok  ")
                                   : (color ? C_RED "\u2717" C_OFF : "FAIL");
    fprintf(out, "    %s ", mark);
    if (report_assertion_flaky(a))
        fprintf(out, "%sFLAKY (passed %u of %u runs)%s ", color ? C_YELLOW : "", a->runs_passed,
                a->runs, color ? C_OFF : "");
    put_clean(out, a->expr ? a->expr : "", REPORT_TEXT_ONE_LINE);
    if (a->message && *a->message) {
        fputs(color ? C_DIM ": " : ": ", out);
        put_clean(out, a->message, REPORT_TEXT_ONE_LINE);
        fputs(color ? C_OFF : "", out);
    }
    fputc('\n', out);
}

/* The last CONSOLE_LOG_LINES lines of the log tail, each behind "| ". */
static void put_log_tail(FILE *out, const char *tail, int color)
{
    char *clean = report_text_dup(tail, 0);
    size_t len = strlen(clean);
    while (len > 0 && (clean[len - 1] == '\n' || clean[len - 1] == '\r'))
        clean[--len] = '\0';
    const char *start = clean + len;
    int lines = 0;
    while (start > clean && lines < CONSOLE_LOG_LINES) {
        start--;
        if (*start == '\n' && ++lines == CONSOLE_LOG_LINES) {
            start++;
            break;
        }
    }
    fprintf(out, "    %slog tail:%s\n", color ? C_DIM : "", color ? C_OFF : "");
    for (const char *p = start; *p;) {
        const char *nl = strchr(p, '\n');
        int n = (int)(nl ? (size_t)(nl - p) : strlen(p));
        fprintf(out, "      | %.*s\n", n, p);
        p += n + (nl ? 1 : 0);
    }
    free(clean);
}

/* Which process the /proc figures describe, when it is not the started one. */
static void put_measured(FILE *out, const struct report_measured *m, int color)
{
    if (!m->present || (m->pid == m->started_pid && m->changes == 0))
        return;
    fprintf(out, "    %smeasured pid %ld", color ? C_DIM : "", m->pid);
    if (m->how && *m->how) {
        fputs(" (", out);
        put_clean(out, m->how, REPORT_TEXT_ONE_LINE);
        fputc(')', out);
    }
    fprintf(out, ", not the target's pid %ld", m->started_pid);
    if (m->changes)
        fprintf(out, ", after %u change%s", m->changes, m->changes == 1 ? "" : "s");
    if (m->command && *m->command) {
        fputs(": ", out);
        put_clean(out, m->command, REPORT_TEXT_ONE_LINE);
    }
    fprintf(out, "%s\n", color ? C_OFF : "");
}

/* What watching cost the target, when it stopped it for long. */
static void put_cost(FILE *out, const struct report_test *t, int color)
{
    const struct report_observer_cost *c = &t->cost;
    double share = isfinite(t->duration_s) && t->duration_s > 0
                       ? report_cost_stopped_s(c) / t->duration_s
                       : 0;
    if (!c->present ||
        (report_cost_longest_s(c) < REPORT_COST_NOTABLE_S && share < REPORT_COST_NOTABLE_SHARE))
        return;
    struct lc_buf b = {0};
    report_cost_text(&b, c);
    fprintf(out, "    %s%s%s\n", color ? C_DIM : "", b.data, color ? C_OFF : "");
    lc_buf_free(&b);
}

/* The verdict line of a test: label, name, duration. */
static void put_verdict_line(FILE *out, const struct report_test *t, int color)
{
    if (color)
        fprintf(out, "%s%s%-5s%s  ", C_BOLD, verdict_color(t->verdict), verdict_label(t->verdict),
                C_OFF);
    else
        fprintf(out, "%-5s  ", verdict_label(t->verdict));
    put_clean(out, t->name ? t->name : "", REPORT_TEXT_ONE_LINE);
    if (isfinite(t->duration_s))
        fprintf(out, "  (%.1fs)", t->duration_s);
    if (t->runs > 1)
        fprintf(out, "  %spassed in %u of %u runs%s%s", report_test_flaky(t) && color ? C_YELLOW : "",
                t->runs_passed, t->runs, report_test_flaky(t) ? ", FLAKY" : "",
                report_test_flaky(t) && color ? C_OFF : "");
    fputc('\n', out);
}

/* The figures read from Prometheus instead of /proc or pprof: one line. */
static void put_stand_ins(FILE *out, const struct report_test *t, int color)
{
    struct lc_buf b = {0};
    if (report_stand_ins(t, &b))
        fprintf(out, "    %sfrom the target's Prometheus collectors (no /proc or pprof): %s%s\n",
                color ? C_DIM : "", b.data, color ? C_OFF : "");
    lc_buf_free(&b);
}

static void put_test(FILE *out, const struct report_test *t, int color)
{
    put_verdict_line(out, t, color);
    for (size_t i = 0; t->assertions && i < t->nassertions; i++)
        put_assertion(out, &t->assertions[i], color);
    put_measured(out, &t->measured, color);
    put_stand_ins(out, t, color);
    put_cost(out, t, color);
    if (t->error) {
        fprintf(out, "    %serror:%s ", color ? C_RED : "", color ? C_OFF : "");
        put_clean(out, t->error, REPORT_TEXT_ONE_LINE);
        fputc('\n', out);
    }
    if (t->culprits && t->nculprits > 0) {
        struct lc_buf b = {0};
        report_culprits_block(&b, t, "    ");
        put_clean(out, b.data, 0);
        lc_buf_free(&b);
    }
    if (t->log_tail && *t->log_tail && t->verdict != REPORT_PASS)
        put_log_tail(out, t->log_tail, color);
}

void report_console_test(const struct report_test *t, FILE *out, int color)
{
    if (!t || !out)
        return;
    put_test(out, t, color);
    fflush(out);
}

/* The count line, and the tests --test left out. */
static void put_counts(const struct report_run *r, FILE *out, int color)
{
    size_t n[3] = {0, 0, 0}, flaky = 0;
    for (size_t i = 0; r->tests && i < r->ntests; i++) {
        enum report_verdict v = r->tests[i].verdict;
        n[v == REPORT_PASS ? 0 : v == REPORT_FAIL ? 1 : 2]++;
        flaky += (size_t)report_test_flaky(&r->tests[i]);
    }
    for (size_t i = 0; r->skipped && i < r->nskipped; i++) {
        fputs(i ? ", " : "skipped (not matching --test): ", out);
        put_clean(out, r->skipped[i], REPORT_TEXT_ONE_LINE);
    }
    if (r->skipped && r->nskipped)
        fputc('\n', out);
    size_t others = 0;
    for (size_t i = 0; i < r->shard.n; i++) {
        if (!report_shard_other(r, i))
            continue;
        if (others++ == 0)
            fprintf(out, "left to the other shards (this is shard %u/%u): ", r->shard.index,
                    r->shard.count);
        else
            fputs(", ", out);
        put_clean(out, r->shard.names[i], REPORT_TEXT_ONE_LINE);
    }
    if (others)
        fputc('\n', out);
    size_t total = r->tests ? r->ntests : 0;
    char fl[48] = "";
    if (flaky)
        snprintf(fl, sizeof(fl), ", %zu flaky", flaky);
    fprintf(out, "%s%zu test%s: %zu passed, %zu failed, %zu error%s%s%s%s\n", color ? C_BOLD : "",
            total, total == 1 ? "" : "s", n[0], n[1], n[2], n[2] == 1 ? "" : "s", fl,
            r->interrupted ? " (interrupted)" : "", color ? C_OFF : "");
    fflush(out);
}

void report_console_summary(const struct report_run *r, FILE *out, int color)
{
    if (!r || !out)
        return;
    if (r->tests && r->ntests > 1)
        for (size_t i = 0; i < r->ntests; i++)
            put_verdict_line(out, &r->tests[i], color);
    put_counts(r, out, color);
}

/* Prints each test with its verdict and duration, each assertion with its
 * message, an infrastructure error with the end of the target's log, and a
 * count line ("2 tests: 1 passed, 1 failed, 0 errors"). ANSI colours and the
 * marks ✓ ✗ ! only when color is set; otherwise "ok", "FAIL", "ERR". */
void report_console_write(const struct report_run *r, FILE *out, int color)
{
    if (!r || !out)
        return;
    for (size_t i = 0; r->tests && i < r->ntests; i++)
        put_test(out, &r->tests[i], color);
    put_counts(r, out, color);
}
