/*
 * reports/culprits.h (internal to reports/): the words the console summary
 * and junit.xml use for a test's culprits, so both read the same.
 */
#ifndef LC_REPORT_CULPRITS_H
#define LC_REPORT_CULPRITS_H

#include "common/lc.h"
#include "reports/report.h"

/* How many culprits the console and a JUnit failure show. */
#define REPORT_TOP_CULPRITS 3

/*
 * Appends one line (no newline) naming what grew, e.g.
 *   "+2000 goroutines (0 -> 2000) in main.work.func1 at /src/main.go:52"
 *   "+40.2 MiB of heap (0 B -> 40.2 MiB) allocated in main.render at /src/main.go:47"
 *   "+600 sockets: 600 TCP sockets ESTABLISHED to 127.0.0.1:41031 (...)"
 * or, for a level culprit, what it holds:
 *   "holds 1.0 GiB of heap (1.0 GiB at baseline) allocated in main.newQueue at /src/main.go:30"
 *   "holds 300 fds: 300 files in /tmp/segments (300 at baseline), e.g. seg-1"
 * and, for descriptors only the garbage collector closed (kind finalizer),
 * the detail's sentence:
 *   "380 files in /tmp/spool were closed only by the garbage collector (at
 *    the end of the test): dropped without Close, e.g. f-1.log"
 * Goroutine and heap culprits keep their detail for a second line (see
 * report_culprit_has_detail_line); fd and socket culprits put it here.
 */
void report_culprit_headline(struct lc_buf *b, const struct report_culprit *c);

/* What a test's culprits are, for a heading: "what holds the most at the
 * end", "what grew from the end of the baseline to the end", "what only
 * the garbage collector closed" (finalizer culprits), or several of them
 * in that order. */
const char *report_culprits_title(const struct report_test *t);

/* 1 when the culprit's detail goes on a line of its own under the headline. */
int report_culprit_has_detail_line(const struct report_culprit *c);

/* Appends the top culprits of t, one headline (and detail line) each,
 * every line starting with indent and ending in '\n', then the
 * `go tool pprof -base` command when there is one. Appends nothing when
 * the test has no culprits. */
void report_culprits_block(struct lc_buf *b, const struct report_test *t, const char *indent);

#endif
