/*
 * reports/term.h: stdout and stderr, guarded. Every byte leakcheck prints
 * goes through report_text_clean, the sanitiser of the summary and the
 * reports: a test name, a target's log or a server's answer cannot move the
 * cursor, retitle the terminal or colour what follows.
 */
#ifndef LC_REPORT_TERM_H
#define LC_REPORT_TERM_H

#include <stdio.h>

/*
 * Replaces stdout and stderr with streams that clean what is written to
 * them (ANSI escape sequences and control characters other than tab, LF
 * and CR removed, malformed UTF-8 as U+FFFD) before it reaches file
 * descriptors 1 and 2. stderr stays unbuffered, stdout keeps its
 * buffering. Call once, before anything is printed; a second call is a
 * no-op. On failure (no memory for a stream) the streams stay as they were.
 */
void report_term_guard(void);

/*
 * The unguarded stream behind f (stdout or stderr once guarded; f itself
 * otherwise), for leakcheck's own escape sequences (colours, clearing the
 * status line) and for text already cleaned. f is flushed first; flush the
 * returned stream before writing to f again.
 */
FILE *report_term_raw(FILE *f);

#endif
