#!/usr/bin/env bash
# bench/shard_balance.sh: how even 4 shards are, round-robin by name and
# balanced by --durations, planned and as run. See bench/README.md.
#
# Usage: bench/shard_balance.sh BUILD_DIR [SUITE (tests/integration/suites/shard12.json)] [N (4)]
#
# Runs SUITE once unsharded (its durations), then N shards in parallel
# processes twice: round-robin by name, and --durations from the
# unsharded report. Prints per shard the planned seconds (the sum of its
# tests' unsharded durations) and the wall time of its process, and for
# each split the longest shard against the mean (the issue's bound: within
# 25%). The Go services must be built (tests/go/build.sh). The shards
# share the machine's cores, so their wall times also measure contention.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
[ $# -ge 1 ] && [ -x "$1/leakcheck" ] || { echo "usage: $0 BUILD_DIR [SUITE] [N]" >&2; exit 2; }
lc=$(cd "$1" && pwd)/leakcheck
suite=${2:-$root/tests/integration/suites/shard12.json}
n=${3:-4}
command -v jq >/dev/null || { echo "missing jq" >&2; exit 2; }
tmp=$(mktemp -d /tmp/leakcheck-bench-shard.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
unset CI_NODE_INDEX CI_NODE_TOTAL JOB_COMPLETION_INDEX LEAKCHECK_SHARD_COUNT

t0=$(date +%s.%N)
"$lc" run "$suite" --out "$tmp/full" -q >/dev/null 2>&1 || true
t1=$(date +%s.%N)
printf 'unsharded: %.1f s wall, %s s of tests\n' "$(echo "$t1 - $t0" | bc)" \
    "$(jq '[.tests[].duration_s] | add * 10 | round / 10' "$tmp/full/report.json")"

# split LABEL EXTRA...: N shards in parallel; prints planned and wall per shard
split() {
    local label=$1 i pids=()
    shift
    for i in $(seq 1 "$n"); do
        (
            s=$(date +%s.%N)
            "$lc" run "$suite" --shard "$i/$n" "$@" --out "$tmp/$label-$i" -q >/dev/null 2>&1 || true
            e=$(date +%s.%N)
            echo "$e - $s" | bc >"$tmp/$label-$i.wall"
        ) &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    jq -rs --slurpfile full "$tmp/full/report.json" --arg split "$label" '
        ($full[0].tests | map({(.name): .duration_s}) | add) as $d
        | (.[0].shard.plan | group_by(.shard) | map(map($d[.name]) | add)) as $p
        | "\($split): planned per shard \($p | map(. * 100 | round / 100)), longest/mean \(($p | max) / ($p | add / length) * 1000 | round / 1000)"' \
        "$tmp/$label-1/report.json"
    local walls
    walls=$(for i in $(seq 1 "$n"); do cat "$tmp/$label-$i.wall"; done | jq -sc 'map(. * 10 | round / 10)')
    echo "$label: wall per shard $walls s, longest/mean $(jq '(max / (add / length)) * 1000 | round / 1000' <<<"$walls")"
}
split round-robin
split durations --durations "$tmp/full/report.json"
