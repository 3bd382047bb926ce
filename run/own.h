/*
 * run/own.h: leakcheck's own connections to the target, which it
 * leaves out of what it measures.
 *
 * Sampling and snapshots reach the target over one kept-alive HTTP/1.1
 * connection (fetch_keep_alive), one request at a time; nothing else of
 * leakcheck's stays connected to it between requests. So:
 *   - sockets: the target's TCP sockets whose peer is one of the sockets
 *     the fetcher holds open (their local addresses, own_endpoints) are
 *     leakcheck's, and are left out of fds, sockets, tcp_* and the fd
 *     snapshots;
 *   - goroutines: while Go's net/http serves a goroutine profile, two
 *     goroutines exist for that very request: the connection's
 *     net/http.(*conn).serve goroutine, which is running the profile's
 *     handler (runtime/pprof.writeGoroutine is on its stack), and the
 *     net/http.(*connReader).backgroundRead goroutine it started for the
 *     request (or, when that one has not run yet, a goroutine whose stack
 *     is runtime.goexit alone). own_drop_goroutines takes exactly those two
 *     off the profile.
 */
#ifndef LC_OWN_H
#define LC_OWN_H

#include <stddef.h>
#include <stdint.h>

#include "run/fetch.h"
#include "sources/pprof.h"
#include "sources/procfs.h"

/* The local ends of every socket the fetcher holds open. Returns their
 * number; *out receives a new array (caller frees, also when 0). */
size_t own_endpoints(const struct fetch *f, struct procfs_endpoint **out);

/*
 * Takes off a goroutine?debug=1 profile that leakcheck fetched the two
 * goroutines that served the request for it: one of the records running
 * runtime/pprof.writeGoroutine under net/http.(*conn).serve, and then one
 * of the net/http.(*connReader).backgroundRead records (else one of a
 * record with no named frame: a goroutine not started yet). Nothing is taken
 * when there is no such handler record (pprof not served by net/http).
 * Returns the number taken off (0, 1 or 2).
 */
uint64_t own_drop_goroutines(struct pprof_profile *p);

#endif
