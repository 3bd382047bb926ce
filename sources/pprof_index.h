/*
 * sources/pprof_index.h: the count of one profile on net/http/pprof's
 * index page (GET /debug/pprof/). Go lists every profile there with a
 * count, and the goroutine profile's is runtime.NumGoroutine(): a figure
 * the target gives without stopping the world, where goroutine?debug=1
 * stops it to walk every stack. See ../shared/FORMATS.md.
 */
#ifndef LC_PPROF_INDEX_H
#define LC_PPROF_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "common/lc.h"

/*
 * Finds profile `name` (e.g. "goroutine") on an index page and returns 0
 * with its count in *count, or -1 with err when the page lists no such
 * profile with a plain decimal count. The count is the text before the
 * profile's link on its line, tags left out: Go 1.11+ prints
 * `<tr><td>42</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>`,
 * Go 1.10 `<tr><td align=right>42<td><a href=...>goroutine</a>`, older Go
 * `42 <a href=...>goroutine</a>`.
 */
int pprof_index_count(const char *text, size_t len, const char *name, uint64_t *count,
                      struct lc_error *err);

#endif
