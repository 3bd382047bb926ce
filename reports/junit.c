/* reports/junit.c: junit.xml in the shape Jenkins' junit-10.xsd accepts and
 * GitLab reads: one <testsuite> per test, one <testcase> per assertion. */
#include "reports/culprits.h"
#include "reports/report.h"
#include "reports/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* At most this many series are listed under a failure's text. */
#define JUNIT_MAX_METRICS 20

enum outcome { OUT_PASS, OUT_FAILURE, OUT_ERROR };

/* Appends s escaped for XML after stripping what XML 1.0 forbids. In
 * attributes, tab/LF/CR are written as character references because a
 * parser would otherwise turn them into spaces. */
static void put_xml(struct lc_buf *b, const char *s, unsigned flags, int attr)
{
    char *clean = report_text_dup(s, REPORT_TEXT_DROP_BAD | flags);
    for (const char *p = clean; *p; p++) {
        switch (*p) {
        case '&':
            lc_buf_puts(b, "&amp;");
            break;
        case '<':
            lc_buf_puts(b, "&lt;");
            break;
        case '>':
            lc_buf_puts(b, "&gt;");
            break;
        case '"':
            lc_buf_puts(b, "&quot;");
            break;
        case '\'':
            lc_buf_puts(b, "&apos;");
            break;
        case '\r':
            lc_buf_puts(b, "&#13;");
            break;
        case '\n':
        case '\t':
            if (attr)
                lc_buf_printf(b, "&#%d;", *p);
            else
                lc_buf_append(b, p, 1);
            break;
        default:
            lc_buf_append(b, p, 1);
        }
    }
    free(clean);
}

/* ` name="value"` with value escaped (one line). */
static void put_attr(struct lc_buf *b, const char *name, const char *value)
{
    lc_buf_printf(b, " %s=\"", name);
    put_xml(b, value ? value : "", REPORT_TEXT_ONE_LINE, 1);
    lc_buf_puts(b, "\"");
}

/* ` time="12.345"`: a plain non-negative decimal, as SUREFIRE_TIME wants. */
static void put_time(struct lc_buf *b, double secs)
{
    if (!isfinite(secs) || secs < 0)
        secs = 0;
    if (secs > 1e12)
        secs = 1e12;
    lc_buf_printf(b, " time=\"%.3f\"", secs);
}

/* A number for people: integers in full, others to six digits, n/a for NaN. */
static void put_num(struct lc_buf *b, double v)
{
    if (!isfinite(v))
        lc_buf_puts(b, isnan(v) ? "n/a" : v > 0 ? "inf" : "-inf");
    else if (v == trunc(v) && fabs(v) < 1e15)
        lc_buf_printf(b, "%.0f", v);
    else
        lc_buf_printf(b, "%.6g", v);
}

static enum outcome assertion_outcome(const struct report_assertion *a)
{
    if (a->errored)
        return OUT_ERROR;
    return a->passed ? OUT_PASS : OUT_FAILURE;
}

/* What the extra "run" case says: the infrastructure error, or a verdict the
 * assertions do not explain, or (with no assertions) that the test ran. */
static int run_case(const struct report_test *t, enum outcome *out)
{
    int failed = 0, errored = 0;
    for (size_t i = 0; t->assertions && i < t->nassertions; i++) {
        enum outcome o = assertion_outcome(&t->assertions[i]);
        failed |= o == OUT_FAILURE;
        errored |= o == OUT_ERROR;
    }
    *out = OUT_PASS;
    if (t->error || (t->verdict == REPORT_ERROR && !errored))
        *out = OUT_ERROR;
    else if (t->verdict == REPORT_FAIL && !failed && !errored)
        *out = OUT_FAILURE;
    return *out != OUT_PASS || t->nassertions == 0 || !t->assertions;
}

struct counts {
    size_t tests, failures, errors;
};

static void count_test(const struct report_test *t, struct counts *c)
{
    enum outcome run;
    for (size_t i = 0; t->assertions && i < t->nassertions; i++) {
        enum outcome o = assertion_outcome(&t->assertions[i]);
        c->tests++;
        c->failures += o == OUT_FAILURE;
        c->errors += o == OUT_ERROR;
    }
    if (run_case(t, &run)) {
        c->tests++;
        c->failures += run == OUT_FAILURE;
        c->errors += run == OUT_ERROR;
    }
}

/* Returns a heap copy of the cleaned name, made unique among names[0..n)
 * with " #2", " #3"... since GitLab keys cases by classname and name. */
static char *unique_name(char **names, size_t n, const char *base)
{
    char *clean = report_text_dup(base, REPORT_TEXT_DROP_BAD | REPORT_TEXT_ONE_LINE);
    char *name = lc_strdup(clean);
    for (int k = 2;; k++) {
        size_t i = 0;
        while (i < n && strcmp(names[i], name) != 0)
            i++;
        if (i == n)
            break;
        free(name);
        name = lc_asprintf("%s #%d", clean, k);
    }
    free(clean);
    return name;
}

/* How a test's testcases are written: each gets an equal share of the
 * test's time (parsers show NaN or 0 for a case without one, and the
 * shares add up to the testsuite's), and a failing one the top culprit's
 * source file (relative to the run's source root) and line, which the
 * annotating CI actions read. */
struct case_ctx {
    const char *classname;
    double secs;
    char *file; /* NULL: no culprit with a file:line under the source root */
    long line;
};

/* The first culprit whose location is FILE:LINE with FILE under root:
 * *file gets the path relative to root (caller frees). 0, or -1 when none. */
static int culprit_source(const struct report_test *t, const char *root, char **file, long *line)
{
    size_t rlen = root ? strlen(root) : 0;
    while (rlen > 1 && root[rlen - 1] == '/')
        rlen--;
    for (size_t i = 0; rlen && t->culprits && i < t->nculprits; i++) {
        const char *loc = t->culprits[i].location;
        const char *colon = loc ? strrchr(loc, ':') : NULL;
        char *end = NULL;
        if (!colon || strncmp(loc, root, rlen) != 0 || loc[rlen] != '/')
            continue;
        long n = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end != '\0' || n <= 0 || colon <= loc + rlen + 1)
            continue;
        *file = lc_strndup(loc + rlen + 1, (size_t)(colon - loc - rlen - 1));
        *line = n;
        return 0;
    }
    return -1;
}

static void put_case_open(struct lc_buf *b, const char *name, const struct case_ctx *cc,
                          int failing)
{
    lc_buf_puts(b, "    <testcase");
    put_attr(b, "name", name);
    put_attr(b, "classname", cc->classname);
    put_time(b, cc->secs);
    if (failing && cc->file) {
        put_attr(b, "file", cc->file);
        lc_buf_printf(b, " line=\"%ld\"", cc->line);
    }
}

/* The target's log tail as the testcase's <system-err> (GitLab shows a
 * testcase's output, not the testsuite's). */
static void put_case_log(struct lc_buf *b, const struct report_test *t)
{
    if (!t->log_tail)
        return;
    lc_buf_puts(b, "      <system-err>");
    put_xml(b, t->log_tail, 0, 0);
    lc_buf_puts(b, "</system-err>\n");
}

/* The text of a <failure>: the message, the comparison and the key metrics. */
static void put_failure_text(struct lc_buf *b, const struct report_test *t,
                             const struct report_assertion *a)
{
    struct lc_buf txt = {0};
    lc_buf_printf(&txt, "%s\nobserved: ", a->message ? a->message : "assertion failed");
    put_num(&txt, a->observed);
    lc_buf_puts(&txt, "\nexpected: ");
    put_num(&txt, a->expected);
    lc_buf_puts(&txt, "\n");
    report_culprits_block(&txt, t, "");
    for (size_t i = 0; t->series && i < t->nseries && i < JUNIT_MAX_METRICS; i++) {
        const struct report_series *s = &t->series[i];
        lc_buf_printf(&txt, "%s: baseline ", s->name ? s->name : "?");
        put_num(&txt, s->baseline);
        lc_buf_puts(&txt, ", final ");
        put_num(&txt, s->final);
        lc_buf_puts(&txt, ", min ");
        put_num(&txt, s->min);
        lc_buf_puts(&txt, ", max ");
        put_num(&txt, s->max);
        lc_buf_puts(&txt, "\n");
    }
    if (t->log_tail)
        lc_buf_printf(&txt, "\nlog tail:\n%s", t->log_tail);
    put_xml(b, txt.data, 0, 0);
    lc_buf_free(&txt);
}

/* ` message="..."`: a failure's message carries the top culprit, since
 * some CI front ends show nothing but the first failure's message. */
static void put_failure_message(struct lc_buf *b, const struct report_test *t, const char *msg,
                                int with_culprit)
{
    if (!with_culprit || !t->culprits || t->nculprits == 0) {
        put_attr(b, "message", msg);
        return;
    }
    struct lc_buf m = {0};
    lc_buf_printf(&m, "%s; top culprit: ", msg);
    report_culprit_headline(&m, &t->culprits[0]);
    put_attr(b, "message", m.data);
    lc_buf_free(&m);
}

/* --repeat: the marker CI tools read (Maven Surefire's <flakyFailure> and
 * <flakyError>, which Jenkins and GitLab show) when the verdict differed
 * across runs; `other` is the message of a run with the other verdict. */
static void put_flaky(struct lc_buf *b, int error, unsigned runs, unsigned passed,
                      const char *other)
{
    struct lc_buf m = {0};
    lc_buf_printf(&m, "flaky: passed in %u of %u runs", passed, runs);
    lc_buf_puts(b, error ? "      <flakyError" : "      <flakyFailure");
    put_attr(b, "message", m.data);
    put_attr(b, "type", "flaky");
    lc_buf_puts(b, ">");
    if (other) {
        lc_buf_puts(&m, "; another run: ");
        lc_buf_puts(&m, other);
    }
    put_xml(b, m.data, 0, 0);
    lc_buf_puts(b, error ? "</flakyError>\n" : "</flakyFailure>\n");
    lc_buf_free(&m);
}

static void put_assertion_case(struct lc_buf *b, const struct report_test *t,
                               const struct report_assertion *a, const char *name,
                               const struct case_ctx *cc)
{
    enum outcome o = assertion_outcome(a);
    const char *msg = a->message ? a->message : (o == OUT_ERROR ? "not evaluated" : "failed");
    put_case_open(b, name, cc, o != OUT_PASS);
    if (o == OUT_PASS) {
        lc_buf_puts(b, "/>\n");
        return;
    }
    lc_buf_puts(b, o == OUT_ERROR ? ">\n      <error" : ">\n      <failure");
    put_failure_message(b, t, msg, o == OUT_FAILURE);
    put_attr(b, "type", o == OUT_ERROR ? "evaluation" : "assertion");
    lc_buf_puts(b, ">");
    if (o == OUT_ERROR)
        put_xml(b, msg, 0, 0);
    else
        put_failure_text(b, t, a);
    lc_buf_puts(b, o == OUT_ERROR ? "</error>\n" : "</failure>\n");
    if (report_assertion_flaky(a))
        put_flaky(b, o == OUT_ERROR, a->runs, a->runs_passed, a->flaky_message);
    put_case_log(b, t);
    lc_buf_puts(b, "    </testcase>\n");
}

static void put_run_case(struct lc_buf *b, const struct report_test *t, enum outcome o,
                         const char *name, const struct case_ctx *cc)
{
    put_case_open(b, name, cc, o != OUT_PASS);
    if (o == OUT_PASS) {
        lc_buf_puts(b, "/>\n");
        return;
    }
    const char *msg = t->error                    ? t->error
                      : t->verdict == REPORT_FAIL ? "test failed"
                                                  : "test could not be run to the end";
    lc_buf_puts(b, o == OUT_ERROR ? ">\n      <error" : ">\n      <failure");
    put_attr(b, "message", msg);
    put_attr(b, "type", t->error ? "infrastructure" : "verdict");
    lc_buf_puts(b, ">");
    put_xml(b, msg, 0, 0);
    if (o == OUT_FAILURE && t->culprits && t->nculprits) {
        struct lc_buf txt = {0};
        lc_buf_puts(&txt, "\n");
        report_culprits_block(&txt, t, "");
        put_xml(b, txt.data, 0, 0);
        lc_buf_free(&txt);
    }
    if (t->log_tail) {
        lc_buf_puts(b, "\n\nlog tail:\n");
        put_xml(b, t->log_tail, 0, 0);
    }
    lc_buf_puts(b, o == OUT_ERROR ? "</error>\n" : "</failure>\n");
    if (t->runs > 1 && t->runs_passed > 0 && t->runs_passed < t->runs)
        put_flaky(b, o == OUT_ERROR, t->runs, t->runs_passed, NULL);
    put_case_log(b, t);
    lc_buf_puts(b, "    </testcase>\n");
}

static void put_properties(struct lc_buf *b, const struct report_test *t)
{
    lc_buf_puts(b, "    <properties>\n      <property name=\"verdict\"");
    put_attr(b, "value", report_verdict_name(t->verdict));
    lc_buf_puts(b, "/>\n");
    if (t->running)
        lc_buf_puts(b, "      <property name=\"complete\" value=\"false\"/>\n");
    if (t->runs > 1) {
        char v[64];
        snprintf(v, sizeof(v), "passed in %u of %u runs%s", t->runs_passed, t->runs,
                 report_test_flaky(t) ? " (flaky)" : "");
        lc_buf_puts(b, "      <property name=\"repeat\"");
        put_attr(b, "value", v);
        lc_buf_puts(b, "/>\n");
    }
    if (t->dir) {
        lc_buf_puts(b, "      <property name=\"dir\"");
        put_attr(b, "value", t->dir);
        lc_buf_puts(b, "/>\n");
    }
    for (size_t i = 0; i < t->load.ngrpc_status; i++) {
        char value[24];
        snprintf(value, sizeof(value), "%llu", (unsigned long long)t->load.grpc_status[i].n);
        char *name = lc_asprintf("grpc_status.%s", t->load.grpc_status[i].key);
        lc_buf_puts(b, "      <property");
        put_attr(b, "name", name);
        put_attr(b, "value", value);
        lc_buf_puts(b, "/>\n");
        free(name);
    }
    for (size_t i = 0; t->ports && i < t->nports; i++) {
        char *name = strcmp(t->ports[i].name, "port") == 0
                         ? lc_strdup("port")
                         : lc_asprintf("port.%s", t->ports[i].name);
        char value[16];
        snprintf(value, sizeof(value), "%d", t->ports[i].port);
        lc_buf_puts(b, "      <property");
        put_attr(b, "name", name);
        put_attr(b, "value", value);
        lc_buf_puts(b, "/>\n");
        free(name);
    }
    lc_buf_puts(b, "    </properties>\n");
}

static void put_suite_open(struct lc_buf *b, const struct report_test *t)
{
    struct counts c = {0};
    count_test(t, &c);
    lc_buf_puts(b, "  <testsuite");
    put_attr(b, "name", t->name ? t->name : "");
    lc_buf_printf(b, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\"", c.tests, c.failures,
                  c.errors);
    put_time(b, t->duration_s);
    if (isfinite(t->started_at) && t->started_at > 0 && t->started_at < 253402300800.0) {
        char ts[64];
        lc_format_time(t->started_at, ts, sizeof(ts));
        put_attr(b, "timestamp", ts);
    }
    lc_buf_puts(b, ">\n");
    put_properties(b, t);
}

static void put_suite(struct lc_buf *b, const struct report_run *r, const struct report_test *t)
{
    size_t n = t->assertions ? t->nassertions : 0;
    char **names = lc_calloc(n + 1, sizeof(*names));
    char *classname =
        lc_asprintf("%s.%s", r->suite ? r->suite : "leakcheck", t->name ? t->name : "");
    struct case_ctx cc = {.classname = classname};
    enum outcome run;
    int has_run = run_case(t, &run), carried = has_run && run != OUT_PASS;
    size_t ncases = n + (size_t)has_run;
    cc.secs = ncases ? t->duration_s / (double)ncases : 0;
    culprit_source(t, r->source_root, &cc.file, &cc.line);
    put_suite_open(b, t);
    for (size_t i = 0; i < n; i++) {
        const struct report_assertion *a = &t->assertions[i];
        names[i] = unique_name(names, i, a->expr ? a->expr : "");
        put_assertion_case(b, t, a, names[i], &cc);
        carried |= assertion_outcome(a) != OUT_PASS;
    }
    if (has_run) {
        names[n] = unique_name(names, n, "run");
        put_run_case(b, t, run, names[n], &cc);
    }
    /* Otherwise the log tail rides with the suite, where Jenkins shows it. */
    if (t->log_tail && !carried) {
        lc_buf_puts(b, "    <system-err>");
        put_xml(b, t->log_tail, 0, 0);
        lc_buf_puts(b, "</system-err>\n");
    }
    lc_buf_puts(b, "  </testsuite>\n");
    for (size_t i = 0; i <= n; i++)
        free(names[i]);
    free(names);
    free(cc.file);
    free(classname);
}

/* A test --test or --shard left out: a testsuite of one skipped testcase,
 * so that CI front ends list it as skipped rather than forget it; why is
 * the <skipped> message. */
static void put_skipped_suite(struct lc_buf *b, const struct report_run *r, const char *name,
                              const char *why)
{
    char *classname = lc_asprintf("%s.%s", r->suite ? r->suite : "leakcheck", name);
    struct case_ctx cc = {.classname = classname};
    lc_buf_puts(b, "  <testsuite");
    put_attr(b, "name", name);
    lc_buf_puts(b, " tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\" time=\"0.000\">\n");
    put_case_open(b, "run", &cc, 0);
    lc_buf_puts(b, ">\n      <skipped");
    put_attr(b, "message", why);
    lc_buf_puts(b, "/>\n    </testcase>\n  </testsuite>\n");
    free(classname);
}

/* Writes junit.xml for r to path through a temporary file and a rename.
 * Returns 0, or -1 with err naming the path and the system error. */
int report_junit_write(const struct report_run *r, const char *path, struct lc_error *err)
{
    if (!r || !path) {
        lc_error_set(err, "junit.xml: no run or no path given");
        return -1;
    }
    struct counts total = {0};
    for (size_t i = 0; r->tests && i < r->ntests; i++)
        count_test(&r->tests[i], &total);
    struct lc_buf b = {0};
    lc_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
    put_attr(&b, "name", r->suite ? r->suite : "leakcheck");
    lc_buf_printf(&b, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\"", total.tests, total.failures,
                  total.errors);
    put_time(&b, r->duration_s);
    lc_buf_puts(&b, ">\n");
    for (size_t i = 0; r->tests && i < r->ntests; i++)
        put_suite(&b, r, &r->tests[i]);
    for (size_t i = 0; r->skipped && i < r->nskipped; i++)
        put_skipped_suite(&b, r, r->skipped[i], "not selected by --test");
    for (size_t i = 0; i < r->shard.n; i++) {
        if (!report_shard_other(r, i))
            continue;
        char *why = lc_asprintf("run by shard %u/%u", r->shard.of[i], r->shard.count);
        put_skipped_suite(&b, r, r->shard.names[i], why);
        free(why);
    }
    lc_buf_puts(&b, "</testsuites>\n");
    int rc = lc_write_file_atomic(path, b.data, b.len, err);
    lc_buf_free(&b);
    return rc;
}
