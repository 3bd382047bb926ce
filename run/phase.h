/*
 * run/phase.h: the phases of a test run, in order, with their names (as in
 * report.json and the live status line) and their descriptions (as in
 * messages: "leaked during the load").
 */
#ifndef LC_PHASE_H
#define LC_PHASE_H

enum phase { PHASE_BASELINE, PHASE_LOAD, PHASE_OBSERVE, PHASE_SETTLE, PHASE__COUNT };

/* "baseline", "load", "observe", "settle"; "?" out of range. */
const char *phase_name(enum phase p);

/* "during the baseline", "during the load", "while observing", "while
 * settling"; "?" out of range. */
const char *phase_desc(enum phase p);

#endif
