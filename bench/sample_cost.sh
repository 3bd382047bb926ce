#!/usr/bin/env bash
# What sampling costs the target: its CPU time (utime + stime from
# /proc/PID/stat) while leakcheck observes it, idle, for SECONDS, against
# the same SECONDS with nobody watching.
#
#   bench/sample_cost.sh BUILD_DIR [SECONDS] [OTHER_LEAKCHECK]
#
# For each target -- tests/go/bin/healthy idle, and tests/go/bin/heap-leak
# after 1500 requests (a live heap of ~60 MB, which a forced GC has to
# mark) -- it measures: nobody watching; `leakcheck run` attached by pid
# (pprof and Prometheus, interval 250 ms); and, when OTHER_LEAKCHECK is
# given (for instance a build of main, whose rounds fetched heap?gc=1
# outside the load), the same with it. Prints CPU seconds per minute of
# the target and CPU milliseconds per sample round above the unwatched
# figure. A benchmark, not a test: run it on a quiet machine.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [SECONDS] [OTHER_LEAKCHECK]" >&2; exit 2; }
lc=$(cd "$1" && pwd)/leakcheck
secs=${2:-60}
other=${3:-}
bin=$root/tests/go/bin
work=$(mktemp -d /tmp/lc-sample-cost.XXXXXX)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
tck=$(getconf CLK_TCK)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# measure LABEL [LEAKCHECK]: CPU of $pid over $secs, watched by LEAKCHECK
# or by nobody; prints one line.
measure() {
    local label=$1 tool=${2:-} t0 t1 rounds=0 base
    t0=$(cpu_ticks "$pid")
    if [ -n "$tool" ]; then
        cat >"$work/suite.json" <<JSON
{"suite": "cost", "tests": [{"name": "cost", "target": {"pid": $pid},
  "sample": {"pprof": "http://127.0.0.1:$port/debug/pprof",
             "prometheus": "http://127.0.0.1:$port/metrics", "interval": "250ms"},
  "baseline": "1s", "observe": "$((secs - 1))s", "assert": ["goroutines < 100000"]}]}
JSON
        "$tool" run "$work/suite.json" --out "$work/out" --quiet >/dev/null 2>&1 || true
        rounds=$(jq '.tests[0].series.goroutines.t | length' "$work/out/report.json")
    else
        sleep "$secs"
    fi
    t1=$(cpu_ticks "$pid")
    awk -v l="$label" -v d=$((t1 - t0)) -v hz="$tck" -v s="$secs" -v n="$rounds" -v b="${idle:-0}" \
        'BEGIN { c = d / hz * 60 / s
                 printf "  %-34s %6.2f CPU s/min", l, c
                 if (n > 0) printf "  %4d rounds  %6.2f ms/round above unwatched", n, (c - b) * s / 60 / n * 1000
                 printf "\n" }'
    if [ -z "$tool" ]; then idle=$(awk -v d=$((t1 - t0)) -v hz="$tck" -v s="$secs" 'BEGIN { print d / hz * 60 / s }'); fi
}

port=$((20000 + RANDOM % 5000))
for svc in healthy heap-leak; do
    "$bin/$svc" -addr "127.0.0.1:$port" >"$work/$svc.log" 2>&1 &
    pid=$!
    for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    if [ "$svc" = heap-leak ]; then
        "$lc" load -n 1500 -c 10 -m POST -T application/json \
            -d '{"account":"ACC-2231","months":12}' "http://127.0.0.1:$port/work" >/dev/null
    fi
    echo "$svc (pid $pid, $secs s each, load average $(cut -d' ' -f1 /proc/loadavg)):"
    idle=
    measure "nobody watching"
    measure "leakcheck (no GC in rounds)" "$lc"
    [ -z "$other" ] || measure "$(basename "$(dirname "$(dirname "$other")")") (rounds with gc=1)" "$other"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=
    port=$((port + 1))
done
