#!/usr/bin/env bash
# bench/load_https_vs_wrk.sh: bench/load_vs_wrk.sh over TLS: nginx-light
# with a self-signed certificate made by the script (TLS 1.3 negotiated),
# 50 keep-alive connections, `leakcheck load --threads 1 -c 50 --cacert`
# against `wrk -t1 -c50` and `hey -c 50`, alternating run after run.
#
# Usage: bench/load_https_vs_wrk.sh BUILD_DIR [RUNS (5)] [DURATION s (5)] [EXTRA...]
set -euo pipefail
BENCH_SCHEME=https exec "$(cd "$(dirname "$0")" && pwd)/load_vs_wrk.sh" "$@"
