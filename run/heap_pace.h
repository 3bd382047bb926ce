/*
 * run/heap_pace.h: which sample rounds ask for the heap profile.
 *
 * Go symbolizes every allocation site's stack to write heap?debug=1, a
 * cost that grows with the service's code, while the heap figures move
 * slowly. A round asks for it only once max(HEAP_PACE_MIN_GAP_S,
 * HEAP_PACE_FACTOR times the median of the last HEAP_PACE_N fetch times)
 * went by since the last one was asked for, so that serving it takes
 * about 1/HEAP_PACE_FACTOR of the target's time and it is read at most
 * once a second; and a round marked wanted asks for it whatever the pace.
 * The median, not the last time: one fetch that waited for a busy CPU
 * (2 s once in 60) does not stop the heap figures for 100 s.
 */
#ifndef LC_HEAP_PACE_H
#define LC_HEAP_PACE_H

#define HEAP_PACE_FACTOR 50.0
#define HEAP_PACE_MIN_GAP_S 1.0
#define HEAP_PACE_N 5

struct heap_pace {
    double asked_t;           /* when the last one was asked for (lc_now() seconds; 0: never) */
    double secs[HEAP_PACE_N]; /* the last fetch times, oldest overwritten */
    unsigned n;               /* fetch times recorded */
    unsigned long want;       /* rounds from this one ask whatever the pace (0: none) */
};

/* 1 when round round_no, starting at now (lc_now() seconds), asks for the
 * heap profile, which is then recorded as asked for; else 0. */
int heap_pace_due(struct heap_pace *hp, unsigned long round_no, double now);

/* Records the wall time, in seconds, of a fetch that was served (a failed
 * one, a timeout say, must not set the pace). */
void heap_pace_served(struct heap_pace *hp, double secs);

/* The first round numbered round_no or later asks whatever the pace. */
void heap_pace_want(struct heap_pace *hp, unsigned long round_no);

/* The gap, in seconds, the pace now asks between two fetches. */
double heap_pace_gap(const struct heap_pace *hp);

#endif
