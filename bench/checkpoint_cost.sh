#!/usr/bin/env bash
# bench/checkpoint_cost.sh BUILD_DIR [SECONDS (30)] [RUNS (2)]: what
# checkpoints (run/checkpoint.h) cost the sampling and the load: the same
# test of tests/go/healthy with --checkpoint 1s and off, in alternating
# pairs (the order flips each run), at two sample intervals:
#   100ms  SECONDS of closed load (concurrency 8): every sample is in
#          report.json (under 1000), so its gaps are the real ones;
#   10ms   SECONDS * 1.5 of load: series past TIMELINE_MAX_POINTS (4096)
#          that the timeline thins, the largest a checkpoint copies.
# Printed per run: requests/s of the load, the median and largest gap
# between the load phase's goroutines samples (100ms only), and with
# checkpoints what leakcheck said of them (written, skipped, longest write
# in the thread, longest build in the loop).
# Needs jq. Talks to 127.0.0.1 only; stops what it started.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
[ $# -ge 1 ] && [ -x "$1/leakcheck" ] || { echo "usage: $0 BUILD_DIR [SECONDS] [RUNS]" >&2; exit 2; }
lc=$(cd "$1" && pwd)/leakcheck
secs=${2:-30}
runs=${3:-2}
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }
[ -x "$root/tests/go/bin/healthy" ] || "$root/tests/go/build.sh" "$root/tests/go/bin" >/dev/null
tmp=$(mktemp -d /tmp/leakcheck-ckptcost.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

suite() { # INTERVAL LOAD-SECONDS
    cat <<JSON
{"suite": "checkpoint cost", "tests": [{"name": "cost",
  "target": {"command": ["$root/tests/go/bin/healthy", "-addr", "127.0.0.1:\${port}"],
             "ready": "http://127.0.0.1:\${port}/healthz"},
  "sample": {"pprof": "http://127.0.0.1:\${port}/debug/pprof", "proc": true, "interval": "$1"},
  "baseline": "1s", "load": {"url": "http://127.0.0.1:\${port}/work", "concurrency": 8, "duration": "${2}s"},
  "assert": ["goroutines stay within 100 of baseline"]}]}
JSON
}

# one INTERVAL LOAD CKPT: prints the run's line
one() {
    local out=$tmp/out
    rm -rf "$out"
    suite "$1" "$2" >"$tmp/s.json"
    "$lc" run "$tmp/s.json" --out "$out" --checkpoint "$3" >"$tmp/log" 2>&1 || true
    local rps gaps ck
    rps=$(jq '.tests[0].load.rps' "$out/report.json")
    gaps=-
    # at 10ms the report's points are buckets' extremes, not every sample
    [ "$1" = 100ms ] && gaps=$(jq -r '.tests[0] as $t | ($t.phases[] | select(.name == "load")) as $l
        | [$t.series.goroutines.t[] | select(. >= $l.start and . <= $l.end)]
        | [range(1; length) as $i | (.[$i] - .[$i - 1])] | sort
        | if length > 0 then "\(.[length / 2 | floor] * 1000 | round) / \(.[-1] * 1000 | round)" else "-" end' \
        "$out/report.json")
    ck=$(grep -o 'checkpoint: [0-9]* written.*' "$tmp/log" | sed 's/checkpoint: //' || true)
    printf '| %s | %s | %.0f | %s | %s |\n' "$1" "$3" "$rps" "$gaps" "${ck:--}"
}

echo "| interval | checkpoint | load req/s | gap median / max (ms) | checkpoints |"
echo "| --- | --- | --- | --- | --- |"
for r in $(seq "$runs"); do
    for iv in 100ms 10ms; do
        len=$secs
        [ "$iv" = 10ms ] && len=$((secs * 3 / 2))
        if [ $((r % 2)) -eq 1 ]; then order="off 1s"; else order="1s off"; fi
        for ck in $order; do one "$iv" "$len" "$ck"; done
    done
done
