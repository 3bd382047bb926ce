/*
 * reports/text.h (internal to reports/): making untrusted text (test names,
 * target logs, metric names) safe to put in JSON, XML or on a terminal.
 */
#ifndef LC_REPORT_TEXT_H
#define LC_REPORT_TEXT_H

#include "common/lc.h"

/* Flags for report_text_clean. */
enum {
    /* Drop bytes that are not valid UTF-8 (XML); without it they become
     * U+FFFD, the replacement character (JSON, terminal). */
    REPORT_TEXT_DROP_BAD = 1,
    /* Turn tab, LF and CR into spaces: for one-line fields. */
    REPORT_TEXT_ONE_LINE = 2,
};

/*
 * Appends s to out, cleaned: ANSI escape sequences (CSI "ESC [ ... final",
 * OSC "ESC ] ... BEL|ESC \") are removed whole; every other control
 * character except tab, LF and CR (C0, DEL, C1) and the non-characters
 * U+FFFE and U+FFFF are removed; malformed UTF-8 (stray continuation bytes,
 * overlong forms, surrogates, values above U+10FFFF, truncated sequences) is
 * dropped or replaced per flags. The result is valid UTF-8 and a legal XML
 * 1.0 character sequence. s may be NULL (appends nothing).
 */
void report_text_clean(struct lc_buf *out, const char *s, unsigned flags);

/* Returns a newly allocated cleaned copy of s (caller frees); "" for NULL. */
char *report_text_dup(const char *s, unsigned flags);

#endif
