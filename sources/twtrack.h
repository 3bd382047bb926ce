/*
 * sources/twtrack.h: the TIME_WAIT sockets on a process's listening
 * ports, kept between walks of the kernel's table (for tcpcount.c).
 *
 * A walk filtered on the listening ports lists them with the time each
 * has left, and also the sockets on those ports that no fd of the process
 * holds yet or any more: accepted but not yet accept()ed, or closed and on
 * their way to TIME_WAIT (FIN_WAIT2 turns TIME_WAIT without moving any
 * counter). Between walks these are watched by exact lookups each round,
 * and a TIME_WAIT socket is looked up once its time is up (the kernel's
 * timer fires a little late). What this cannot see, a connection accepted
 * and closed between two rounds, moves the namespace's PassiveOpens
 * counter: tcpcount.c walks again then.
 */
#ifndef LC_TWTRACK_H
#define LC_TWTRACK_H

#include <stddef.h>

#include "sources/sockdiag.h"

struct twtrack_tw {
    struct sockdiag_sock s;
    double expires; /* lc_now() seconds */
};

struct twtrack {
    struct twtrack_tw *tw;
    size_t ntw, cap_tw;
    struct sockdiag_sock *watch;
    size_t nwatch, cap_watch;
    int overflow; /* more than it keeps: walk every round */
};

/* Forgets everything (before a new walk). Frees nothing. */
void twtrack_clear(struct twtrack *t);

/* Frees what t holds (t itself is the caller's). */
void twtrack_free(struct twtrack *t);

/* One socket on a listening port from a filtered walk at time now; held
 * is 1 when one of the process's fds holds it (then it is not watched). */
void twtrack_add(struct twtrack *t, const struct sockdiag_sock *s, int held, double now);

/* A socket on a listening port that the process just closed. */
void twtrack_closed(struct twtrack *t, const struct sockdiag_sock *s);

/*
 * Looks up the watched sockets and the TIME_WAIT ones whose time is up:
 * gone ones are dropped, watched ones now in TIME_WAIT counted. Adds the
 * number of lookups to *lookups. Returns 0, or -1 with err.
 */
int twtrack_refresh(struct twtrack *t, struct sockdiag *sd, double now, unsigned long *lookups,
                    struct lc_error *err);

/* Takes the watched socket that inode now holds out of the watch list
 * into *s. Returns 1, or 0 when none. */
int twtrack_take(struct twtrack *t, uint64_t inode, struct sockdiag_sock *s);

/* The TIME_WAIT sockets on the listening ports now. */
size_t twtrack_count(const struct twtrack *t);

#endif
