#!/usr/bin/env bash
# bench/observer_cost.sh BUILD_DIR [SECONDS] [RUNS]: what watching costs a
# Go target, unobserved vs observed, side by side in one run, for three
# target shapes of tests/go/parked (parked goroutines, a live heap):
#   45 goroutines; 10,000 goroutines; 100,000 goroutines and a 200 MB heap.
# Per shape, RUNS alternating pairs (the order flips each run) of windows of
# SECONDS (default 60, 3 runs):
#   unobserved  the probe alone;
#   observed    the probe while `leakcheck run` observes the target
#               (attached by pid; pprof source, default 250 ms interval,
#               1 s baseline, then the window inside its observe phase, so
#               the window holds sample rounds only: the snapshots' cost is
#               what report.json's observer_cost says).
# The probe is `leakcheck load -c 1 --rate 100` on /ping (every 10 ms).
# Each pair also has a window of SECONDS without the probe before the
# probe's (observed: both inside the observe phase), where the target does
# nothing else: its CPU time there is the sampling's alone.
# Printed per shape, medians over the runs: the target's CPU seconds per
# minute over the window (/proc/PID/stat utime+stime, probe included in
# both), sampling's share (observed - unobserved), the probe's p99 and max
# latency, the sample interval kept (median and largest gap between the
# observe phase's samples) and observer_cost (dumps, their longest fetch).
# SHAPES="2 3" runs only those shapes (1: 45, 2: 10,000, 3: 100,000).
# Needs jq. Talks to 127.0.0.1 only; stops what it started.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
[ $# -ge 1 ] && [ -x "$1/leakcheck" ] || { echo "usage: $0 BUILD_DIR [SECONDS] [RUNS]" >&2; exit 2; }
lc=$(cd "$1" && pwd)/leakcheck
secs=${2:-60}
runs=${3:-3}
command -v jq >/dev/null || { echo "missing jq" >&2; exit 2; }
tmp=$(mktemp -d /tmp/leakcheck-obscost.XXXXXX)
svc=$tmp/parked
(cd "$root/tests/go" && GOPROXY=off GOFLAGS= go build -o "$svc" ./parked)
tpid=
cleanup() {
    [ -n "$tpid" ] && kill "$tpid" 2>/dev/null && wait "$tpid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

median() {
    sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); print ($12 + $13) / hz}' "/proc/$1/stat"; }
free_port() { echo $((20000 + RANDOM % 9000)); }

# idle OUT: a window without the probe; the target's CPU-s/min to OUT
idle() {
    local c0 c1
    c0=$(cpu_s "$tpid")
    sleep "$secs"
    c1=$(cpu_s "$tpid")
    awk -v a="$c0" -v b="$c1" -v s="$secs" 'BEGIN {printf "%.3f\n", (b - a) * 60 / s}' >"$1"
}

# probe OUT: the probe for the window; its JSON to OUT; CPU-s/min to OUT.cpu
probe() {
    local c0 c1
    c0=$(cpu_s "$tpid")
    "$lc" load -c 1 --threads 1 --rate 100 -t 5 -z "${secs}s" -o json "http://127.0.0.1:$port/ping" >"$1"
    c1=$(cpu_s "$tpid")
    awk -v a="$c0" -v b="$c1" -v s="$secs" 'BEGIN {printf "%.3f\n", (b - a) * 60 / s}' >"$1.cpu"
}

observed() {
    local out=$tmp/obs-$1 lcpid
    cat >"$tmp/suite.json" <<JSON
{"suite": "observer-cost", "tests": [{"name": "watch", "target": {"pid": $tpid},
 "sample": {"pprof": "http://127.0.0.1:$port/debug/pprof"}, "baseline": "1s",
 "observe": "$((2 * secs + 3))s", "assert": ["goroutines_total >= 0"]}]}
JSON
    "$lc" run "$tmp/suite.json" --out "$out" --no-color >"$out.log" 2>&1 &
    lcpid=$!
    # into the observe phase: after the baseline and its snapshot
    for _ in $(seq 600); do grep -q "watch: observe$" "$out.log" && break; sleep 0.1; done
    sleep 0.5
    idle "$tmp/idle-obs-$1"
    probe "$tmp/probe-obs-$1.json"
    wait "$lcpid" || true
    local rep=$out/report.json
    # the gaps between the rounds of the observe phase
    jq -r '.tests[0] as $t | ($t.phases[] | select(.name == "observe")) as $p
        | [$t.series.goroutines_total.t[] | select(. >= $p.start and . <= $p.end)]
        | [.[1:], .[:-1]] | transpose | map(.[0] - .[1]) | sort
        | [(.[length / 2 | floor] // 0), (max // 0)] | @tsv' "$rep" >"$tmp/gap-$1"
    jq -r '.tests[0].observer_cost | "\(.goroutine_dumps.count) \(.goroutine_dumps.max_seconds) \(.full_dumps.count) \(.full_dumps.max_seconds) \(.forced_gcs.count) \(.heap_profiles.count) \(.count_rounds) \(.dump_rounds)"' "$rep" >"$tmp/cost-$1"
}

row() {
    local shape=$1 g=$2 heap=$3 i
    port=$(free_port)
    "$svc" -addr "127.0.0.1:$port" -goroutines "$g" -heap "$heap" >"$tmp/svc.log" 2>&1 &
    tpid=$!
    for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    for i in $(seq "$runs"); do
        if [ $((i % 2)) = 1 ]; then
            idle "$tmp/idle-un-$i"; probe "$tmp/probe-un-$i.json"; observed "$i"
        else
            observed "$i"; idle "$tmp/idle-un-$i"; probe "$tmp/probe-un-$i.json"
        fi
        echo "  $shape run $i: without the probe $(cat "$tmp/idle-un-$i") -> $(cat "$tmp/idle-obs-$i"), with it $(cat "$tmp/probe-un-$i.json.cpu") -> $(cat "$tmp/probe-obs-$i.json.cpu") CPU-s/min; load $(cut -d' ' -f1 /proc/loadavg)" >&2
    done
    kill "$tpid"; wait "$tpid" 2>/dev/null || true; tpid=
    local cu co p99u p99o maxu maxo gapm gapx iu io
    iu=$(cat "$tmp"/idle-un-* | median)
    io=$(cat "$tmp"/idle-obs-* | median)
    cu=$(cat "$tmp"/probe-un-*.json.cpu | median)
    co=$(cat "$tmp"/probe-obs-*.json.cpu | median)
    p99u=$(for f in "$tmp"/probe-un-?.json; do jq .latency_ms.p99 "$f"; done | median)
    p99o=$(for f in "$tmp"/probe-obs-?.json; do jq .latency_ms.p99 "$f"; done | median)
    maxu=$(for f in "$tmp"/probe-un-?.json; do jq .latency_ms.max "$f"; done | median)
    maxo=$(for f in "$tmp"/probe-obs-?.json; do jq .latency_ms.max "$f"; done | median)
    gapm=$(cut -f1 "$tmp"/gap-* | median)
    gapx=$(cut -f2 "$tmp"/gap-* | median)
    printf '| %s | %s -> %s | %s | %s | %.3f | %s / %s -> %s / %s | %.0f / %.0f ms | %s |\n' "$shape" \
        "$iu" "$io" "$cu" "$co" \
        "$(awk -v a="$cu" -v b="$co" 'BEGIN {print b - a}')" "$p99u" "$maxu" "$p99o" "$maxo" \
        "$(awk -v v="$gapm" 'BEGIN {print v * 1000}')" "$(awk -v v="$gapx" 'BEGIN {print v * 1000}')" \
        "$(cat "$tmp/cost-$runs")" >>"$tmp/table"
    rm -f "$tmp"/probe-* "$tmp"/gap-* "$tmp"/cost-* "$tmp"/idle-*
}

echo "observer cost: $runs alternating runs of ${secs}s per shape, medians; load average at start $(cut -d' ' -f1-3 /proc/loadavg)" >&2
: >"$tmp/table"
shapes=${SHAPES:-1 2 3}
case " $shapes " in *" 1 "*) row "45 goroutines" 45 0 ;; esac
case " $shapes " in *" 2 "*) row "10,000 goroutines" 10000 0 ;; esac
case " $shapes " in *" 3 "*) row "100,000 goroutines, 200 MB" 100000 200 ;; esac
echo "| target | without the probe: CPU-s/min unobserved -> observed | with the probe: CPU-s/min unobserved | observed | sampling's share | probe p99 / max ms, unobserved -> observed | interval median / largest gap | last run's observer_cost: goroutine dumps, longest (s), debug=2 dumps, longest (s), forced GCs, heap profiles, count rounds, dump rounds |"
echo "|---|---|---|---|---|---|---|---|"
cat "$tmp/table"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
