/* reports/markdown.c: the run as markdown, for $GITHUB_STEP_SUMMARY or a
 * merge-request note: a table of verdicts, then what failed and why. */
#include "reports/culprits.h"
#include "reports/report.h"
#include "reports/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Appends s on one line with what markdown would read as markup escaped
 * (a table cell's '|' too); bad bytes and line breaks cleaned first. */
static void put_md(struct lc_buf *b, const char *s)
{
    char *clean = report_text_dup(s ? s : "", REPORT_TEXT_DROP_BAD | REPORT_TEXT_ONE_LINE);
    for (const char *p = clean; *p; p++) {
        if (strchr("\\`*_[]<>|#", *p))
            lc_buf_append(b, "\\", 1);
        lc_buf_append(b, p, 1);
    }
    free(clean);
}

/* Appends s as a code span: taken literally, so nothing is escaped; a
 * backtick inside would end it and becomes a quote. */
static void put_code(struct lc_buf *b, const char *s)
{
    char *clean = report_text_dup(s ? s : "", REPORT_TEXT_DROP_BAD | REPORT_TEXT_ONE_LINE);
    lc_buf_puts(b, "`");
    for (const char *p = clean; *p; p++)
        lc_buf_append(b, *p == '`' ? "'" : p, 1);
    lc_buf_puts(b, "`");
    free(clean);
}

static const char *verdict_md(enum report_verdict v)
{
    return v == REPORT_PASS ? "✅ pass" : v == REPORT_FAIL ? "❌ fail" : "⚠️ error";
}

static void put_table(struct lc_buf *b, const struct report_run *r)
{
    lc_buf_puts(b, "| test | verdict | time |\n| --- | --- | ---: |\n");
    for (size_t i = 0; r->tests && i < r->ntests; i++) {
        const struct report_test *t = &r->tests[i];
        lc_buf_puts(b, "| ");
        put_md(b, t->name);
        lc_buf_printf(b, " | %s | ", verdict_md(t->verdict));
        if (isfinite(t->duration_s))
            lc_buf_printf(b, "%.1f s", t->duration_s);
        lc_buf_puts(b, " |\n");
    }
    for (size_t i = 0; r->skipped && i < r->nskipped; i++) {
        lc_buf_puts(b, "| ");
        put_md(b, r->skipped[i]);
        lc_buf_puts(b, " | skipped (--test) | |\n");
    }
    for (size_t i = 0; i < r->shard.n; i++) {
        if (!report_shard_other(r, i))
            continue;
        lc_buf_puts(b, "| ");
        put_md(b, r->shard.names[i]);
        lc_buf_printf(b, " | skipped (shard %u/%u runs it) | |\n", r->shard.of[i],
                      r->shard.count);
    }
}

/* What did not pass in test t: its error, its failing assertions (the
 * compare() ones are the comparison with the previous run), its top
 * culprit. */
static void put_details(struct lc_buf *b, const struct report_test *t)
{
    lc_buf_puts(b, "\n### ");
    put_md(b, t->name);
    lc_buf_printf(b, ": %s\n\n", verdict_md(t->verdict));
    if (t->error) {
        lc_buf_puts(b, "- error: ");
        put_md(b, t->error);
        lc_buf_puts(b, "\n");
    }
    for (size_t i = 0; t->assertions && i < t->nassertions; i++) {
        const struct report_assertion *a = &t->assertions[i];
        if (a->passed && !a->errored)
            continue;
        lc_buf_printf(b, "- %s ", a->errored ? "not evaluated:" : "failed:");
        put_code(b, a->expr);
        lc_buf_puts(b, ": ");
        put_md(b, a->message);
        lc_buf_puts(b, "\n");
    }
    if (t->culprits && t->nculprits > 0) {
        struct lc_buf h = {0};
        report_culprit_headline(&h, &t->culprits[0]);
        lc_buf_puts(b, "- top culprit: ");
        put_md(b, h.data);
        lc_buf_puts(b, "\n");
        lc_buf_free(&h);
    }
}

int report_markdown_write(const struct report_run *r, const char *path, struct lc_error *err)
{
    if (!r || !path) {
        lc_error_set(err, "summary: no run or no path given");
        return -1;
    }
    struct lc_buf b = {0};
    lc_buf_puts(&b, "## leakcheck: ");
    put_md(&b, r->suite ? r->suite : "");
    lc_buf_printf(&b, ": %s%s\n\n", verdict_md(r->verdict),
                  r->interrupted ? " (interrupted)" : "");
    put_table(&b, r);
    for (size_t i = 0; r->tests && i < r->ntests; i++)
        if (r->tests[i].verdict != REPORT_PASS)
            put_details(&b, &r->tests[i]);
    lc_buf_puts(&b, "\nreport.html, report.json and junit.xml are in the job's artifacts.\n");
    int rc = lc_write_file_atomic(path, b.data, b.len, err);
    lc_buf_free(&b);
    return rc;
}
