#!/usr/bin/env bash
# Soak features on real runs of tests/go/soak: trend() verdicts, and
# `leakcheck run --repeat N` marking a verdict that differs across runs as
# flaky.
#
#   tests/integration/soak.sh BUILD_DIR
#
# Checks: trend(goroutines) fails on a service that keeps a goroutine per
# 10 requests and passes on one that keeps none, saying "level rising" per
# hour with its interval; a warm-up as long as the load is an error, not a
# pass; trend(heap_inuse) fails on a service keeping 6 MB a minute, fitted
# on heap_live (the live heap after each GC), and with GOGC=off (no GC, no
# live heap) on the floor of heap_inuse itself (or an error: too few falls). --repeat 3 on a target that leaks on its 1st and 3rd start only:
# exit 1, the test passed in 1 of 3 runs and is flaky in report.json
# (valid against the schema), the leaking assertion flaky with a passing
# run's message and the steady one not, <flakyFailure> in junit.xml (valid
# against junit-10.xsd), FLAKY in report.html and on the console, a folder
# per run; --repeat 0 is a usage error. The live heap from /metrics too: a
# GOGC set from within (debug.SetGCPercent 400) read off
# go_gc_gogc_percent, a point per GC cycle for a target with /metrics
# alone, and an idle sidecar's /metrics not taken for the target's. Under a
# memory limit that binds (GOMEMLIMIT, or debug.SetMemoryLimit as /metrics
# says), no live heap is read off the limit's goal.
#
# Needs jq, xmllint, python3-jsonschema, pgrep, timeout. Prints one line per
# check and "N passed, N failed"; exits 1 when a check failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args soak "$@"
it_need jq xmllint pgrep timeout
it_services soak
py=
for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import jsonschema' 2>/dev/null; then
        py=$p
        break
    fi
done
[ -n "$py" ] || { echo "soak.sh: python3 with jsonschema not found" >&2; exit 2; }
xsd=$root/tests/data/schemas/junit-10.xsd

it_init soak
cp "$gobin/soak" "$work/soak"

# test NAME ARGS ASSERT [EXTRA_JSON]: one test of the soak service
test_json() {
    local argv
    argv=$(printf '"%s",' $2)
    cat <<JSON
{"name": "$1",
 "target": {"command": ["sh", "-c", "exec $work/soak $2 -addr 127.0.0.1:\${port}"],
            "ready": "http://127.0.0.1:\${port}/healthz", "ready_timeout": "30s"},
 "sample": {"pprof": "http://127.0.0.1:\${port}/debug/pprof", "interval": "100ms"},
 "baseline": "1s",
 "load": {"url": "http://127.0.0.1:\${port}/work", "rate": 100, "concurrency": 8,
          "duration": "${4:-12s}"},
 "warmup": "${5:-3s}",
 "assert": [$3]}
JSON
}

# run LABEL SUITE WANT_EXIT [ARGS...]
run() {
    local label=$1 suite=$2 want=$3 rc=0
    shift 3
    timeout -k 5 480 "$lc" run "$suite" --out "$work/out/$label" --no-color "$@" \
        >"$work/out/$label.log" 2>&1 || rc=$?
    if [ "$rc" -eq "$want" ]; then
        pass "$label: exit code $want"
    else
        fail "$label: exit code $want" "got $rc"
        sed 's/^/    | /' "$work/out/$label.log" | tail -n 15
    fi
}

validate() {
    "$py" - "$root/reports/report.schema.json" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
errors = list(jsonschema.Draft7Validator(schema).iter_errors(json.load(open(sys.argv[2]))))
for e in errors[:5]:
    print("/".join(str(p) for p in e.absolute_path) or "(top)", ":", e.message[:300], file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}

mkdir -p "$work/out"
sidecar_port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$work/soak" -addr "127.0.0.1:$sidecar_port" -gc-percent 400 -garbage 4096 >/dev/null 2>&1 &
# --- trend() ---------------------------------------------------------------
{
    echo '{"suite": "trend", "tests": ['
    test_json leaky "-garbage 65536 -leak-every 10" '"trend(goroutines) < 60/h"'
    echo ','
    test_json steady "-garbage 65536" '"trend(goroutines) < 60/h"'
    echo ','
    test_json "all warm-up" "-garbage 65536" '"trend(goroutines) < 60/h"' 4s 1h
    echo ','
    # 6 MB a minute kept (360 MB/h) under 64 KB of garbage a request
    test_json "heap leak" "-garbage 65536 -retain 6000000" '"trend(heap_inuse) < 30MB/h"' 40s 5s
    echo ','
    # the same with GOGC=off: no GC, so no live heap to read; the floor of heap_inuse itself
    test_json "heap leak, GOGC=off" "-garbage 4096 -retain 6000000" '"trend(heap_inuse) < 30MB/h"' 20s 5s \
        | sed 's|"exec |"exec env GOGC=off |'
    echo ','
    # GOGC 400 set from within (the environment says nothing), the live heap
    # read off /metrics too: its go_gc_gogc_percent, and a point a round
    # (40 s: at GOGC 400 a GC every second or two, and the live heap a
    # staircase; in 25 s, 1 run in 3 had an interval down to 0, a pass)
    test_json "heap leak, SetGCPercent" "-garbage 262144 -retain 6000000 -gc-percent 400" \
        '"trend(heap_inuse) < 30MB/h"' 40s 5s \
        | sed 's|"interval": "100ms"|&, "prometheus": "http://127.0.0.1:${port}/metrics"|'
    echo ','
    # a target elsewhere: /metrics alone, no pprof, no /proc
    for t in "heap leak, metrics only|-retain 6000000" "heap steady, metrics only|"; do
        test_json "${t%%|*}" "-garbage 262144 ${t#*|}" '"trend(go_memstats_heap_inuse_bytes) < 30MB/h"' 25s 5s \
            | sed 's|"pprof": "[^"]*", "interval"|"prometheus": "http://127.0.0.1:${port}/metrics", "proc": false, "interval"|'
        echo ','
    done
    # /metrics of another Go process (an idle sidecar saying GOGC 400): not
    # mixed into the target's live heap, nor its GOGC taken
    test_json "heap leak, a sidecar's metrics" "-garbage 262144 -retain 6000000" \
        '"trend(heap_inuse) < 30MB/h"' 25s 5s \
        | sed "s|\"interval\": \"100ms\"|&, \"prometheus\": \"http://127.0.0.1:$sidecar_port/metrics\"|"
    # a heap leak under a memory limit that binds (64 MiB for 36 MB held and
    # more kept: GOGC's goal would be over 72 MB), set by the environment, or
    # from within (debug.SetMemoryLimit) as /metrics tells: the goal is the
    # limit's, and no live heap is read off it
    leak="-live 36000000 -garbage 262144 -retain 6000000"
    echo ','
    # (behind a shell that stays its parent, the limit in the server's
    # environment only: the server's is read, not the shell's)
    test_json "heap leak, GOMEMLIMIT" "$leak" '"trend(heap_inuse) < 30MB/h"' 15s 3s \
        | sed 's|"exec \([^"]*\)}"|"GOMEMLIMIT=64MiB \1}; true"|'
    echo ','
    test_json "heap leak, SetMemoryLimit" "-mem-limit 67108864 $leak" '"trend(heap_inuse) < 30MB/h"' 15s 3s \
        | sed 's|"interval": "100ms"|&, "prometheus": "http://127.0.0.1:${port}/metrics"|'
    echo ','
    test_json "heap leak, SetMemoryLimit, metrics only" "-mem-limit 67108864 $leak" \
        '"trend(go_memstats_heap_inuse_bytes) < 30MB/h"' 15s 3s \
        | sed 's|"pprof": "[^"]*", "interval"|"prometheus": "http://127.0.0.1:${port}/metrics", "proc": false, "interval"|'
    echo ']}'
} >"$work/trend.json"
run trend "$work/trend.json" 3
r=$work/out/trend/report.json
check "trend: the leak fails, rising per hour with its interval" jq -e \
    '.tests[0].verdict == "fail" and (.tests[0].assertions[0].message |
     test("^goroutines level rising [0-9.]+/h, 95% CI [0-9.]+/h\\.\\.[0-9.]+/h, over [0-9.]+s after 3s warm-up: all of it above the limit 60/h$"))' "$r"
check "trend: the steady service passes" jq -e \
    '.tests[1].verdict == "pass" and (.tests[1].assertions[0].message | test("^goroutines level flat"))' "$r"
check "trend: a warm-up covering the load is an error" jq -e \
    '.tests[2].assertions[0].errored and (.tests[2].assertions[0].message | test("covers the whole load"))' "$r"
check "trend(heap_inuse): a slow heap leak fails on the live heap after each GC" jq -e \
    '.tests[3].verdict == "fail" and (.tests[3].assertions[0].message |
     test("^heap_inuse live heap after each GC \\(heap_live\\) rising [0-9.]+MB/h, 95% CI [0-9.]+MB/h\\.\\.[0-9.]+MB/h, over [0-9.]+s after 5s warm-up: all of it above the limit 30.0MB/h$"))
     and ([.tests[3].series.heap_live.v[] | select(. != null)] | length >= 15)' "$r"
check "trend(heap_inuse): with GOGC=off no live heap is read, the floor of heap_inuse is fitted" jq -e \
    '([.tests[4].series.heap_live.v[] | select(. != null)] | length == 0)
     and (.tests[4].assertions[0].message | test("^heap_inuse floor rising|falls \\(GC cycles\\) after the warm-up"))
     and (.tests[4].assertions[0].message | test("heap_live") | not)' "$r"
# the fitted rate off a message, in MB/h (360 MB/h kept)
rate='.assertions[0].message | capture("rising (?<r>[0-9.]+)MB/h").r | tonumber'
check "trend(heap_inuse): GOGC set from within is read off /metrics (fitted near 360MB/h, not 2.5 times it)" jq -e \
    ".tests[5].verdict == \"fail\" and (.tests[5].assertions[0].message | test(\"heap_live\"))
     and (.tests[5] | $rate | . > 250 and . < 500)" "$r"
check "trend(go_memstats_heap_inuse_bytes), /metrics only: the leak fails on the live heap (near 360MB/h)" jq -e \
    ".tests[6].verdict == \"fail\" and (.tests[6].assertions[0].message | test(\"live heap after each GC \\\\(heap_live\\\\) rising\"))
     and (.tests[6] | $rate | . > 250 and . < 500)" "$r"
check "trend(go_memstats_heap_inuse_bytes), /metrics only: the steady service passes on the live heap" jq -e \
    '.tests[7].verdict == "pass" and (.tests[7].assertions[0].message | test("heap_live"))' "$r"
check "/metrics only: heap_live has a point per GC cycle (15 or more, no value twice in a row)" jq -e \
    '[.tests[6].series.heap_live.v[] | select(. != null)] | length >= 15 and
     ([range(1; length) as $i | select(.[$i] == .[$i - 1])] | length == 0)' "$r"
check "a sidecar's /metrics: neither its live heap nor its GOGC is the target's (fitted near 360MB/h)" jq -e \
    ".tests[8].verdict == \"fail\" and (.tests[8].assertions[0].message | test(\"heap_live\"))
     and (.tests[8] | $rate | . > 250 and . < 500)" "$r"
check "a sidecar's /metrics: no heap_live point of its own (no more than the heap profiles)" jq -e \
    '.tests[8].series | ([.heap_live.v[] | select(. != null)] | length) <= ([.heap_inuse.v[] | select(. != null)] | length)' "$r"
check "report.json: heap_live's source is pprof+prometheus where scrapes added points, pprof where none did" jq -e \
    '.tests[5].metrics.heap_live.source == "pprof+prometheus" and .tests[3].metrics.heap_live.source == "pprof"
     and .tests[8].metrics.heap_live.source == "pprof" and .tests[6].metrics.heap_live.source == "prometheus"' "$r"
# the live heap under a binding limit would read flat (the limit's goal
# over 1 + GOGC/100) while the heap leaks: none is read in the load
for i in 9 10 11; do
    check "$(jq -r ".tests[$i].name" "$r"): no heap_live in the load (the memory limit sets the goal), no verdict on it" \
        jq -e --argjson i "$i" '.tests[$i] | (.phases[] | select(.name == "load") | .start) as $s
         | (.series.heap_live // {t: [], v: []}) as $h
         | ([range(0; $h.v | length) | select($h.v[.] != null and $h.t[.] >= $s)] | length == 0)
           and (.assertions[0].message | test("heap_live") | not)' "$r"
done

# --- --repeat: a target that leaks on its 1st and 3rd start ----------------
cat >"$work/flip.sh" <<SH
#!/bin/sh
n=\$(cat "$work/starts" 2>/dev/null || echo 0)
echo \$((n + 1)) >"$work/starts"
if [ \$((n % 2)) -eq 0 ]; then exec "$work/soak" -garbage 4096 -leak-every 1 "\$@"; fi
exec "$work/soak" -garbage 4096 "\$@"
SH
chmod +x "$work/flip.sh"
jq -n --arg flip "$work/flip.sh" '{"suite": "flaky", "tests": [{"name": "flip",
  "target": {"command": [$flip, "-addr", "127.0.0.1:${port}"], "ready": "http://127.0.0.1:${port}/healthz"},
  "sample": {"pprof": "http://127.0.0.1:${port}/debug/pprof", "interval": "100ms"},
  "baseline": "1s",
  "load": {"url": "http://127.0.0.1:${port}/work", "rate": 100, "requests": 200, "concurrency": 4},
  "assert": ["goroutines stay within 50 of baseline", "error_rate < 1%"]}]}' >"$work/flaky.json"
run repeat "$work/flaky.json" 1 --repeat 3
r=$work/out/repeat/report.json
check "repeat: the test passed in 1 of 3 runs and is flaky" jq -e \
    '.tests[0].repeat == {"runs": 3, "passed": 1, "flaky": true} and .tests[0].verdict == "fail"' "$r"
check "repeat: the leaking assertion is flaky, with a passing run's message" jq -e \
    '.tests[0].assertions[0] | .flaky and .runs == 3 and .runs_passed == 1 and .passed == false
     and (.flaky_message | test("^goroutines ended at"))' "$r"
check "repeat: the steady assertion is not flaky" jq -e \
    '.tests[0].assertions[1] | (.flaky | not) and .runs_passed == 3 and .passed' "$r"
check "repeat: report.json is valid against the schema" validate "$r"
check "repeat: junit.xml is valid against junit-10.xsd" \
    xmllint --noout --schema "$xsd" "$work/out/repeat/junit.xml"
check "repeat: junit.xml has the flakyFailure marker" \
    grep -q '<flakyFailure message="flaky: passed in 1 of 3 runs" type="flaky">' "$work/out/repeat/junit.xml"
check "repeat: report.html marks it FLAKY" grep -q 'badge flaky' "$work/out/repeat/report.html"
check "repeat: the console marks it FLAKY" \
    grep -q 'FLAKY (passed 1 of 3 runs) goroutines stay within 50 of baseline' "$work/out/repeat.log"
check "repeat: a folder per run" test -d "$work/out/repeat/flip/run-3"
check "repeat: the target was started 3 times" grep -qx 3 "$work/starts"
run repeat0 "$work/flaky.json" 2 --repeat 0

it_done
