/* cli/load_output.h: printing the figures of `leakcheck load`, shaped
 * like hey's summary or CSV, or as one JSON object. */
#ifndef LC_LOAD_OUTPUT_H
#define LC_LOAD_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

#include "loadgen/hist.h"
#include "loadgen/loadgen.h"

/* hey's text summary: totals (body bytes, TLS handshakes), response time
 * histogram, latency distribution, Details (phases), status codes, gRPC
 * statuses by name (gRPC calls only), errors by message. */
void load_output_text(FILE *out, const struct loadgen_stats *st, const struct hist *lat);

/* hey's -o csv: a header line, then one line per kept response record
 * (cfg.record; after loadgen_join), by start time; gRPC calls add a last
 * column, grpc-status (the code's name). Returns 0 or -1. */
int load_output_csv(FILE *out, const struct loadgen *lg);

/* Decimals for histogram labels in seconds so that rows step_s apart
 * differ: 3 (as hey) up to 6. */
int load_label_digits(double step_s);

/* One JSON object: requests, errors, duration_s, rps, latency_ms (p50 p75
 * p90 p95 p99 p999 max mean), status, grpc_status (code name: calls; empty
 * for plain HTTP), errors_by_kind, late_sends,
 * bytes_read, body_bytes, responses, tls (handshakes, resumed),
 * error_messages (message: count) and histogram (lat, lossless: see
 * load_hist_json), then the members of extra (unless NULL; its reference
 * is taken). Returns 0 or -1 when the output could not be written. */
int load_output_json(FILE *out, const struct loadgen_stats *st, const struct hist *lat,
                     json_t *extra);

#endif
