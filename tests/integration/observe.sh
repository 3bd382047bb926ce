#!/usr/bin/env bash
# Observation that hides nothing and does not see itself (issue 11, items 1
# and 5), on real Go services:
#
#   tests/integration/observe.sh BUILD_DIR
#
# - fd-drop (tests/go/fd-drop) drops 50 files a second without Close: the
#   sample rounds force no GC, so `max(fds) <= baseline(fds) + 20` fails,
#   and the culprits name the files only the garbage collector closed, by
#   directory; the same with connections (by peer). Its -close version
#   passes, with no more GCs than the baseline snapshot's own; a busy one
#   (200 files a second, each open 30 ms, all closed) passes with no
#   culprit.
# - An idle healthy service, IDLE_RUNS times (default 5; 20 for the figure
#   in the report to the lead): every run passes with no culprit, and
#   goroutines, fds and sockets never move (leakcheck's own connection and
#   the goroutines serving its requests are not counted), checked against
#   the saved snapshots by this script.
# - Sampled every 20 ms, the target's own request log shows one
#   connection, and the snapshots and the sample rounds taking turns.
#
# Needs bash, jq, pgrep, timeout. Prints one line per check and
# "N passed, N failed"; exits 1 when a check failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args observe "$@"
it_need jq pgrep timeout
it_services fd-drop healthy
idle_runs=${IDLE_RUNS:-5}

it_init observe
mkdir -p "$work/tests/go/bin" "$work/tests/integration/suites" "$work/out"
cp "$gobin/fd-drop" "$gobin/healthy" "$work/tests/go/bin/"
cp "$here/suites/fd-drop.json" "$here/suites/idle-healthy.json" "$here/suites/snap-gate.json" \
    "$work/tests/integration/suites/"
S=$work/tests/integration/suites

# run LABEL SUITE WANT_EXIT: one run; sets $report and $log.
run() {
    local label=$1 suite=$2 want=$3 rc=0
    log=$work/out/$label.log
    report=$work/out/$label/report.json
    timeout -k 5 150 "$lc" run "$S/$suite.json" --out "$work/out/$label" --no-color >"$log" 2>&1 || rc=$?
    if [ "$rc" -eq "$want" ]; then
        pass "$label: exit code $want"
    else
        fail "$label: exit code $want" "got $rc"
        sed 's/^/    | /' "$log" | tail -n 20
    fi
}

# test_is NAME JQ_FILTER DESCRIPTION: the named test of $report satisfies
# the filter (its input is the test object).
test_is() {
    local name=$1 filter=$2 desc=$3 got
    got=$(jq -c --arg n "$name" '.tests[] | select(.name == $n)' "$report" 2>/dev/null || true)
    if [ -n "$got" ] && jq -e "$filter" <<<"$got" >/dev/null 2>&1; then
        pass "\"$name\": $desc"
    else
        fail "\"$name\": $desc" "$(jq -c '{verdict, assertions: [.assertions[] | .message], culprits}' <<<"$got" 2>/dev/null | cut -c1-600)"
    fi
}

run fd-drop fd-drop 1
FILES="dropped audit files are caught"
test_is "$FILES" '.verdict == "fail" and (.assertions[0] | .passed == false and .errored == false
    and (.message | contains("max(fds)")))' "fails on max(fds) <= baseline(fds) + 20"
test_is "$FILES" '.metrics.fds.max >= .metrics.fds.baseline + 100' "fds rose by 100 and more (no GC hid them)"
test_is "$FILES" '.culprits[0] | .kind == "finalizer" and (.location | test("/audit-spool-[0-9]+$"))
    and .growth >= 50 and (.detail | test("^[0-9]+ files in /[^ ]*/audit-spool-[0-9]+ were closed only by the garbage collector \\(at the end of the test\\): dropped without Close, e\\.g\\. audit-[0-9]+\\.log$"))' \
    "the top culprit names the files only the garbage collector closed, and their directory"
check "fd-drop: the console names the files the garbage collector closed" \
    grep -qE "^      [0-9]+ files in .*/audit-spool-[0-9]+ were closed only by the garbage collector" "$log"
check "fd-drop: the JUnit failure's message names them" \
    grep -qF "top culprit: " "$work/out/fd-drop/junit.xml"
check "fd-drop: report.html lists them" grep -qF "closed by GC" "$work/out/fd-drop/report.html"
test_is "closed audit files pass" '.verdict == "pass" and (.culprits | length == 0)' "passes, no culprit"
test_is "closed audit files pass" '.metrics.gc_count.max - .metrics.gc_count.min <= 6' \
    "no sample round forced a GC (only the baseline snapshot's)"
test_is "busy audit files that are closed pass" '.verdict == "pass" and (.culprits | length == 0)' \
    "a busy spooler that closes its files: passes, nothing is said to be closed by the GC"
CONNS="dropped audit connections are caught"
test_is "$CONNS" '.verdict == "fail" and .assertions[0].passed == false' "fails on max(fds)"
test_is "$CONNS" 'any(.culprits[]; .kind == "finalizer"
    and (.location | test("^127\\.0\\.0\\.1:[0-9]+$"))
    and (.detail | test("^[0-9]+ TCP sockets ESTABLISHED to 127\\.0\\.0\\.1:[0-9]+ were closed only by the garbage collector")))' \
    "a culprit names the connections only the garbage collector closed, by peer"
# the targets leakcheck started are gone
if pgrep -f -- "$work/" >/dev/null; then
    fail "fd-drop: no target process left behind" "$(pgrep -f -- "$work/" | tr '\n' ' ')"
else
    pass "fd-drop: no target process left behind"
fi

# own_goroutines FILE: the goroutines of a saved goroutine?debug=1 profile
# that do not serve leakcheck's request for it (the handler running
# runtime/pprof.writeGoroutine, the request's backgroundRead goroutine or,
# not started yet, a record with no frame), counted here independently.
own_goroutines() {
    awk '/^[0-9]+ @/ { flush(); n = $1; body = ""; next }
         /^#/ { body = body $0 "\n"; next }
         function flush() {
             if (n == "") return
             if (body ~ /runtime\/pprof\.writeGoroutine/ && !h) { h = 1; n-- }
             else if (body ~ /connReader\)\.backgroundRead/ && !r) { r = 1; n-- }
             else if (body == "" && !r) { r = 1; n-- }
             total += n; n = ""
         }
         END { flush(); print total + 0 }' "$1"
}

# heap_inuse_of FILE: HeapInuse of a saved heap?debug=1 profile.
heap_inuse_of() { sed -n 's/^# HeapInuse = \([0-9]*\)$/\1/p' "$1"; }

# Every request leakcheck made, as the target logged it (-log-requests),
# sampled every 20 ms: one connection; a snapshot (from its GC,
# heap?debug=0&gc=1, to its last request, heap?debug=1&gc=1) starts with
# nothing in flight and no round's request (heap?debug=1) comes in between.
run snap-gate snap-gate 0
gate_log=$(dirname "$report")/$(jq -r '.tests[0].dir' "$report")/stderr.log
conns=$(grep -o 'request start .* from [0-9.:]*' "$gate_log" | awk '{print $NF}' | sort -u | wc -l)
check "snap-gate: all of leakcheck's requests came over one connection ($conns)" [ "$conns" -eq 1 ]
verdict=$(sed -n 's/.*request \(start\|end\) [A-Z]* \([^ ]*\) from .*/\1 \2/p' "$gate_log" | awk '
    $1 == "start" && $2 == "/debug/pprof/heap?debug=0&gc=1" {
        if (inflight) bad = bad " a snapshot began during a request;"
        snap = 1; snaps++ }
    $1 == "start" && snap && $2 == "/debug/pprof/heap?debug=1" { bad = bad " a round ran inside a snapshot;" }
    $1 == "start" { inflight++ }
    $1 == "end" { inflight-- }
    $1 == "end" && $2 == "/debug/pprof/heap?debug=1&gc=1" { snap = 0 }
    END { if (snaps != 2) bad = bad " " snaps + 0 " snapshots;"; print bad ? bad : "ok" }')
if [ "$verdict" = ok ]; then
    pass "snap-gate: the two snapshots and the sample rounds took turns"
else
    fail "snap-gate: the two snapshots and the sample rounds took turns" "$verdict"
fi

clean=0
for ((i = 1; i <= idle_runs; i++)); do
    run "idle-$i" idle-healthy 0
    n=$(jq '[.tests[].culprits | length] | add' "$report" 2>/dev/null || echo "?")
    if [ "$n" = 0 ] && jq -e '.verdict == "pass"' "$report" >/dev/null 2>&1; then
        clean=$((clean + 1))
    else
        fail "idle-$i: an idle service passes with no culprit" \
            "$(jq -c '.tests[0] | {assertions: [.assertions[] | .message], culprits}' "$report" 2>/dev/null | cut -c1-600)"
    fi
done
# the figures against the saved snapshots, read here without leakcheck
dir=$work/out/idle-1/$(jq -r '.tests[0].dir' "$work/out/idle-1/report.json")
report=$work/out/idle-1/report.json
for at in baseline final; do
    want=$(own_goroutines "$dir/$at-goroutine.txt")
    test_is "an idle service shows nothing" ".metrics.goroutines.$at == $want" \
        "$at goroutines are the $at snapshot's less the 2 serving leakcheck's request ($want)"
    want=$(heap_inuse_of "$dir/$at-heap.txt")
    test_is "an idle service shows nothing" ".metrics.heap_inuse.$at == ${want:-null}" \
        "$at heap_inuse is HeapInuse after the $at snapshot's forced GC ($want)"
done
if [ "$clean" -eq "$idle_runs" ]; then
    pass "an idle healthy service: no culprit and nothing moved in $clean of $idle_runs runs"
else
    fail "an idle healthy service: no culprit and nothing moved in $clean of $idle_runs runs"
fi
it_done
