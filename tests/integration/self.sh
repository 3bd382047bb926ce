#!/usr/bin/env bash
# leakcheck checks itself: `leakcheck load` runs for a long, bounded time
# (millions of requests against nginx on loopback) as the target of a
# `leakcheck run` suite that samples it through /proc. Its fds, threads and
# RSS must stay flat.
#
#   tests/integration/self.sh BUILD_DIR [SECONDS]
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [SECONDS]" >&2; exit 2; }
lc=$(cd "$1" && pwd)/leakcheck
secs=${2:-20}
command -v nginx >/dev/null || { echo "self.sh: nginx not found (apt-get install nginx-light)" >&2; exit 2; }
. "$here/lib.sh"
it_init self

it_nginx
port=$nginx_port

# The load runs longer than the suite watches it; the suite stops it.
cat >"$work/self.json" <<JSON
{"suite": "leakcheck checks itself",
 "tests": [{
  "name": "leakcheck load stays flat",
  "target": {"command": ["$lc", "load", "-c", "50", "--threads", "1", "-z", "$((secs + 30))s",
                         "-o", "json", "http://127.0.0.1:$port/"]},
  "sample": {"proc": true, "interval": "500ms"},
  "baseline": "3s",
  "observe": "${secs}s",
  "assert": ["fds <= baseline(fds)", "threads == baseline(threads)",
             "max(rss) <= baseline(rss) + 2MB", "rss <= 16MB"]
 }]}
JSON
"$lc" run "$work/self.json" --out "$work/out" --quiet >"$work/run.log" 2>&1
code=$?
cat "$work/run.log"
check "self: leakcheck load's fds, threads and RSS stayed flat (exit $code)" test "$code" -eq 0
reqs=$(jq -r '.requests' "$work/out/leakcheck-load-stays-flat/stdout.log" 2>/dev/null)
echo "self: leakcheck load sent ${reqs:-?} requests in $((secs + 3))s"
check "self: the load ran (at least 500,000 requests, got ${reqs:-none})" test "${reqs:-0}" -ge 500000
jq -r '.tests[0].metrics | to_entries[] | "  \(.key): baseline \(.value.baseline) max \(.value.max) final \(.value.final)"' \
    "$work/out/report.json" 2>/dev/null | grep -E "^  (fds|threads|rss):"
it_done
