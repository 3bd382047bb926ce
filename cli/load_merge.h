/* cli/load_merge.h: `leakcheck load --segment I/N` and `--merge`: the
 * portable latency histogram (cli/load_hist.c) and the exact merge of
 * segment outputs (cli/load_merge.c). */
#ifndef LC_LOAD_MERGE_H
#define LC_LOAD_MERGE_H

#include <jansson.h>
#include <stdint.h>

#include "common/lc.h"
#include "loadgen/hist.h"

/* Returns the histogram h as JSON (a new reference): layout, unit ("us"),
 * count, sum, min, max, and buckets, [[lowest value, width, count], ...]
 * for every non-empty bucket in order. Nothing is rounded: reading it back
 * gives the same histogram. */
json_t *load_hist_json(const struct hist *h);

/* Reads back what load_hist_json wrote (borrowed j). Returns a new
 * histogram (caller frees) or NULL with err when j is not one: another
 * layout or unit, a missing or negative field, a bucket the layout does
 * not have, a count, sum, min or max that does not fit the buckets. */
struct hist *load_hist_read(const json_t *j, struct lc_error *err);

/* The share of total that segment index (1-based) of count gets: total /
 * count, and one more for the first total % count segments, so that the
 * shares add up to total exactly. */
uint64_t load_segment_share(uint64_t total, unsigned index, unsigned count);

/* leakcheck load --merge [-o json] FILE...: prints the merged figures of
 * the segment outputs (-o json of --segment I/N) as one JSON object.
 * Returns the exit code: 0; 2 when a file cannot be read or is not a
 * segment output (the message names it); 3 when the files are not one
 * complete set of segments of the same load. */
int load_merge_main(int argc, char **argv);

#endif
