#!/usr/bin/env bash
# bench/soak_detect.sh BUILD_DIR [REPEATS (20)] [LOAD_SECONDS (60)] [ONLY]
#
# The detection measurement of trend(): four behaviours of tests/go/soak
# under a steady open-model load (200 requests/s), each run REPEATS times:
#
#   goroutine-leak  one goroutine kept per 1,000 requests        must fail
#   heap-leak       300 KB a minute kept, 50 MB/s of garbage     must fail
#   warm-cache      a 32 MB cache filling over the first 3 of 10
#                   minutes, then only read; 50 MB/s of garbage  must pass
#   big-sawtooth    64 MB of live heap, GOGC=100, 50 MB/s of
#                   garbage: a 64 MB sawtooth, nothing kept      must pass
#
# each with "trend(heap_inuse) < 4MB/h" and "trend(goroutines) < 60/h".
# The behaviours are those of a 10-minute run compressed into LOAD_SECONDS
# of load: every rate of the service (what leaks, how long the cache
# fills) and both limits are multiplied by F = 600 / LOAD_SECONDS, so that
# what leaks over the run, the warm-up's share of it and the margin of the
# limits are those of 10 minutes. Garbage and the sampling interval
# (100 ms) are not scaled, so the compressed run has F times fewer samples
# and GC cycles per window than the 10-minute one: it is the harder test.
# The four behaviours run side by side (one leakcheck each, niced).
#
# Prints, per behaviour: the runs whose verdict was the expected one, the
# true or false positive rate, and the time to detect (the first moment of
# the load from which the assertion would have failed had the run ended
# there, from bench/trend_replay.c over each report.json), median and
# worst, in seconds of load and in minutes of the 10-minute run it stands
# for. ONLY: run just that behaviour.
#
# SOAK_METRICS=1 scrapes the service's /metrics too, so that heap_live has
# a point a round (Go's collector) besides one per heap profile.
#
# In parts: SOAK_DIR=DIR keeps the runs in DIR (kept), SOAK_FROM=K numbers
# this call's runs from K, SOAK_RUNS=M runs only M of them; the table
# counts every run found in DIR up to REPEATS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
[ $# -ge 1 ] && [ -x "$1/leakcheck" ] || { echo "usage: $0 BUILD_DIR [REPEATS] [LOAD_SECONDS] [ONLY]" >&2; exit 2; }
build=$(cd "$1" && pwd)
repeats=${2:-20}
load=${3:-60}
only=${4:-}
for t in jq cc go; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 2; }; done
tmp=${SOAK_DIR:-$(mktemp -d /tmp/leakcheck-soak.XXXXXX)}
mkdir -p "$tmp"
from=${SOAK_FROM:-1}
count=${SOAK_RUNS:-$((repeats - from + 1))}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# a copy of what runs, so that rebuilding meanwhile changes nothing
[ -x "$tmp/leakcheck" ] || cp "$build/leakcheck" "$tmp/leakcheck"
[ -x "$tmp/soak" ] || (cd "$root/tests/go" && GOPROXY=off GOFLAGS= go build -o "$tmp/soak" ./soak)
[ -x "$tmp/trend_replay" ] || cc -O2 -D_GNU_SOURCE -I"$root" -o "$tmp/trend_replay" "$here/trend_replay.c" \
    "$build/assertions/liblc_assertions.a" "$build/common/liblc_common.a" -ljansson -lm

f=$(awk -v l="$load" 'BEGIN { print 600 / l }')
scale() { awk -v x="$1" -v f="$f" 'BEGIN { printf "%d", x * f }'; }
heap_limit=$(scale 4)MB/h      # 4 MB/h in 10 minutes
gor_limit=$(scale 60)/h        # 60 goroutines/h
heap_limit_s=$(awk -v f="$f" 'BEGIN { print 4 * 1048576 * f / 3600 }')
gor_limit_s=$(awk -v f="$f" 'BEGIN { print 60 * f / 3600 }')
warm_ms=$(awk -v f="$f" 'BEGIN { printf "%d", 180000 / f }')

declare -A args=(
    [goroutine-leak]="-leak-every $(awk -v f="$f" 'BEGIN { printf "%d", 1000 / f }')"
    [heap-leak]="-retain $(scale 307200)"
    [warm-cache]="-warm ${warm_ms}ms -warm-bytes 33554432"
    [big-sawtooth]="-live 67108864"
)
declare -A gogc=([goroutine-leak]=100 [heap-leak]=100 [warm-cache]=100 [big-sawtooth]=100)
declare -A expect=([goroutine-leak]=fail [heap-leak]=fail [warm-cache]=pass [big-sawtooth]=pass)
declare -A metric=([goroutine-leak]=goroutines [heap-leak]=heap_inuse)
order=(goroutine-leak heap-leak warm-cache big-sawtooth)
metrics= mode=pprof
if [ "${SOAK_METRICS:-}" = 1 ]; then
    metrics=', "prometheus": "http://127.0.0.1:${port}/metrics"' mode=pprof+metrics
fi
# runs of the two modes are not counted in one table
if [ -e "$tmp/mode" ] && [ "$(cat "$tmp/mode")" != "$mode" ]; then
    echo "soak_detect: $tmp holds runs sampling $(cat "$tmp/mode"), not $mode" >&2
    exit 2
fi
echo "$mode" >"$tmp/mode"
[ -n "$only" ] && order=("$only")

suite() { # NAME
    local argv
    argv=$(printf '"%s",' ${args[$1]})
    cat <<JSON
{"suite": "soak detection", "tests": [{
  "name": "$1",
  "target": {"command": ["$tmp/soak", ${argv} "-addr", "127.0.0.1:\${port}"],
             "env": {"GOGC": "${gogc[$1]}"},
             "ready": "http://127.0.0.1:\${port}/healthz", "ready_timeout": "60s"},
  "sample": {"pprof": "http://127.0.0.1:\${port}/debug/pprof", "interval": "100ms"$metrics},
  "baseline": "1s",
  "load": {"url": "http://127.0.0.1:\${port}/work", "rate": 200, "concurrency": 20,
           "duration": "${load}s"},
  "assert": ["trend(heap_inuse) < $heap_limit", "trend(goroutines) < $gor_limit"]
}]}
JSON
}

runs() { # NAME: REPEATS runs, one after the other
    local name=$1 i
    suite "$name" >"$tmp/$name.json"
    for i in $(seq "$from" $((from + count - 1))); do
        nice -n 10 "$tmp/leakcheck" run "$tmp/$name.json" --out "$tmp/$name/$i" --quiet \
            --no-color >"$tmp/$name/$i.log" 2>&1 || true
    done
}

echo "soak_detect: ${#order[@]} behaviours x $repeats runs of ${load}s of load (F = $f), sampling $mode," \
     "limits $heap_limit and $gor_limit, load average $(cut -d' ' -f1 /proc/loadavg)" >&2
for n in "${order[@]}"; do
    mkdir -p "$tmp/$n"
    runs "$n" &
    pids+=($!)
done
wait "${pids[@]}"
pids=()

printf '| behaviour | expected | runs as expected | heap_inuse trend failed | goroutines trend failed | errors | time to detect, median / worst (s of load; min of 10) |\n'
printf '| --- | --- | --- | --- | --- | --- | --- |\n'
for n in "${order[@]}"; do
    ok=0 hf=0 gf=0 err=0 nrun=0 times=()
    for i in $(seq 1 "$repeats"); do
        r=$tmp/$n/$i/report.json
        [ -e "$tmp/$n/$i.log" ] || continue
        nrun=$((nrun + 1))
        [ -f "$r" ] || { err=$((err + 1)); continue; }
        h=$(jq -r '.tests[0].assertions[] | select(.expr | startswith("trend(heap")) | if .errored then "e" elif .passed then "p" else "f" end' "$r" 2>/dev/null || echo e)
        g=$(jq -r '.tests[0].assertions[] | select(.expr | startswith("trend(gor")) | if .errored then "e" elif .passed then "p" else "f" end' "$r" 2>/dev/null || echo e)
        [ "$h" = f ] && hf=$((hf + 1))
        [ "$g" = f ] && gf=$((gf + 1))
        if [ "$h" = e ] || [ "$g" = e ]; then
            err=$((err + 1))
            jq -r '.tests[0].assertions[] | select(.errored) | .message' "$r" | sed "s/^/  $n run $i: /" >&2
            continue
        fi
        if [ "${expect[$n]}" = fail ]; then
            m=${metric[$n]}
            want=$([ "$m" = goroutines ] && echo "$g" || echo "$h")
            other=$([ "$m" = goroutines ] && echo "$h" || echo "$g")
            [ "$want" = f ] && [ "$other" = p ] && ok=$((ok + 1))
            # trend(heap_inuse) fits the lower envelope of the live heap after each GC (heap_live)
            if [ "$m" = goroutines ]; then lim=$gor_limit_s s=goroutines k=level; else lim=$heap_limit_s s=heap_live k=lower; fi
            t=$("$tmp/trend_replay" "$r" "$s" "$lim" "$k" | cut -f2)
            [ "$t" != - ] && times+=("$t")
        else
            [ "$h" = p ] && [ "$g" = p ] && ok=$((ok + 1))
        fi
    done
    ttd=-
    if [ ${#times[@]} -gt 0 ]; then
        ttd=$(printf '%s\n' "${times[@]}" | sort -n | awk -v f="$f" '{ a[NR] = $1 } END {
            m = a[int((NR + 1) / 2)]; w = a[NR]
            printf "%.1f / %.1f (%.1f / %.1f min)", m, w, m * f / 60, w * f / 60 }')
    fi
    printf '| %s | %s | %d of %d | %d | %d | %d | %s |\n' "$n" "${expect[$n]}" "$ok" "$nrun" \
        "$hf" "$gf" "$err" "$ttd"
done
echo "soak_detect: reports in $tmp (kept)" >&2
