/*
 * common/procstat.h: one reader of /proc/PID/stat.
 *
 * The line is "PID (comm) S ppid pgrp session ...": comm is whatever the
 * process named itself (spaces and ')' included), so the fields are counted
 * from the last ')'. Used by the keeper (a process's parent), the serving
 * process finder (parents, groups, start times) and the observer cost (the
 * target's CPU time).
 */
#ifndef LC_PROCSTAT_H
#define LC_PROCSTAT_H

#include <sys/types.h>

struct lc_procstat {
    pid_t pid;
    char state; /* R, S, D, Z, X ... */
    pid_t ppid, pgrp, session;
    unsigned long long utime, stime; /* clock ticks */
    long num_threads;
    unsigned long long starttime; /* clock ticks after boot */
};

/* Parses the text of a /proc/PID/stat file into out. Returns 0, or -1 when
 * the text is cut short or a field is not a number. */
int lc_procstat_parse(const char *text, struct lc_procstat *out);

/* Reads and parses /proc/PID/stat. Returns 0, or -1 when the process is
 * gone or the file cannot be parsed. */
int lc_procstat_read(pid_t pid, struct lc_procstat *out);

#endif
