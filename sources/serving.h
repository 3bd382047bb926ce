/*
 * sources/serving.h: which process the /proc figures describe.
 *
 * A target started through a wrapper (`sh -c`, `go run`, an entrypoint
 * script) is not the process that serves. The one that does is found among
 * the started process's descendants -- and, for a process leakcheck started
 * in its own process group, the members of that group, so that a server a
 * wrapper double-forked and left to init is still found -- as the one that
 * holds a TCP socket listening on a given port (its inode in
 * /proc/ROOT/net/tcp{,6} LISTEN rows matched against /proc/PID/fd). When
 * several hold it (a listener handed down to a child), the deepest
 * descendant wins, then the youngest.
 *
 * A tracker (struct serving) follows that process through a run: resolved
 * once at readiness, then re-checked cheaply (serving_check) so that a
 * server that exits and is restarted, or one that starts listening late,
 * is followed.
 */
#ifndef LC_SERVING_H
#define LC_SERVING_H

#include <stddef.h>
#include <sys/types.h>

enum serving_mode {
    SERVING_AUTO,      /* the descendant listening on the first port that has one,
                        * else the root process */
    SERVING_STARTED,   /* always the root process */
    SERVING_LISTENING, /* only the descendant listening on the (one) port */
};

/* How many seconds at least between two looks at the listening sockets
 * while the root is measured for want of a listener. */
#define SERVING_RECHECK_S 2.0

struct serving;

/*
 * Finds among root's descendants (root included; with group, also the
 * members of process group root) the process holding a socket that
 * listens on TCP port `port`, on any local address. Writes "listening on
 * ADDRESS:PORT" into how (when found and how is not NULL). Returns its pid,
 * or 0 when none listens there.
 */
pid_t serving_find_listener(pid_t root, int group, int port, char *how, size_t howlen);

/*
 * Creates a tracker of root (the process leakcheck started, with group
 * set, or attached to). ports (copied) are tried in order in SERVING_AUTO
 * mode; SERVING_LISTENING uses ports[0]. Nothing is resolved yet:
 * serving_pid is root (0 in SERVING_LISTENING) until serving_resolve.
 */
struct serving *serving_new(pid_t root, int group, enum serving_mode mode, const int *ports,
                            size_t nports);

/*
 * Looks for the serving process now (see the modes). A process once found
 * listening is kept while no other listens (it may be restarting), even
 * when it is gone. Returns 1 when the measured process changed (the first
 * resolution counts as a change when it is not root), 0 otherwise.
 */
int serving_resolve(struct serving *s);

/*
 * The cheap check, once per sample round: resolves again when the
 * measured process is gone (a kill(0) and a read of its stat), or, while
 * no listener has been found (the root is measured), at most every
 * SERVING_RECHECK_S seconds of `now` (lc_now() time) when the set of
 * sockets listening on the ports changed. Returns 1 when the measured
 * process changed, 0 otherwise.
 */
int serving_check(struct serving *s, double now);

/* The process to read /proc of: 0 in SERVING_LISTENING before one listens. */
pid_t serving_pid(const struct serving *s);

/* The root process given to serving_new. */
pid_t serving_root(const struct serving *s);

/* Its command line (arguments joined by spaces, at most about 500 bytes)
 * as read when it was chosen, or "" when unknown; borrowed. */
const char *serving_command(const struct serving *s);

/* Why it was chosen: "listening on 127.0.0.1:8080", "the started process
 * (nothing it started listens on port 8080)", ...; borrowed. */
const char *serving_how(const struct serving *s);

/* How many times the measured process changed after the first resolution. */
unsigned serving_changes(const struct serving *s);

/* serving_free(NULL) is a no-op. */
void serving_free(struct serving *s);

#endif
