/* run/loadcfg.h: a suite's "load" block as a load engine. */
#ifndef LC_LOADCFG_H
#define LC_LOADCFG_H

#include "common/lc.h"
#include "suite/suite.h"
#include "loadgen/loadgen.h"

/* Returns a new engine (loadgen_free) for the test's load block (its one
 * request or its requests_mix with weights, its rate or stages, limits,
 * timeout, threads and disable_keepalive), or NULL with err on a
 * configuration the engine refuses. Copies what it needs. */
struct loadgen *loadcfg_new(const struct suite_load *l, struct lc_error *err);

#endif
