#!/usr/bin/env bash
# bench/run.sh: every load benchmark in one command (about 7 minutes):
# throughput against wrk and hey, sending accuracy counted by nginx, and
# 1000 connections for 10 million requests. See bench/README.md.
#
# Usage: bench/run.sh BUILD_DIR [RUNS (5)]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [RUNS]" >&2
    exit 2
fi
rc=0
echo "== throughput: leakcheck load against wrk and hey"
"$here/load_vs_wrk.sh" "$1" "${2:-5}" 5 || rc=1
echo
echo "== accuracy: what nginx's access log counts"
"$here/load_accuracy.sh" "$1" 3 || rc=1
echo
echo "== 1000 connections, 10 million requests"
"$here/load_c1000.sh" "$1" || rc=1
exit "$rc"
