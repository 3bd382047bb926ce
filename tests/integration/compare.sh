#!/usr/bin/env bash
# The release gate on real runs: `leakcheck run --compare` and
# `leakcheck compare`.
#
#   tests/integration/compare.sh BUILD_DIR
#
# One test, run three ways under the same name: against the healthy Go
# service (the "previous release"), against it again, and against the
# goroutine-leak service (the "new release"); the suites carry no
# assertions of their own, so only the gate can fail them. Checks: healthy
# vs healthy passes; leaky vs healthy fails with exit 1 and a
# compare(goroutines) entry naming both runs' values in report.json and
# junit.xml; a suite-level "compare" tolerance is honoured; a missing
# previous report is a usage error before anything starts (exit 2);
# `leakcheck compare A B` prints the table and exits 1 only when B regressed.
#
# Needs jq, pgrep, timeout. Prints one line per check and "N passed, N
# failed"; exits 1 when a check failed. Works in a private copy under /tmp
# (kept when a check fails).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args compare "$@"
it_need jq pgrep timeout
it_services goroutine-leak healthy

it_init compare
mkdir -p "$work/tests/go/bin" "$work/tests/integration/suites" "$work/out"
cp "$gobin/goroutine-leak" "$gobin/healthy" "$work/tests/go/bin/"
S=$work/tests/integration/suites
# The goroutine-leak suite, without its assertions, against either service.
# Latency is left out of the gate here: on a shared machine p99 is noise.
jq '.tests[0].assert = [] | .compare = {"p99": "off"}' "$here/suites/goroutine-leak.json" \
    >"$S/leaky.json"
jq '.tests[0].target.command[0] = "../../go/bin/healthy"' "$S/leaky.json" >"$S/healthy.json"
jq '.compare.goroutines = "100000%" | .compare.rss = "off" | .compare.heap_inuse = "off"' \
    "$S/leaky.json" >"$S/lenient.json"

# run LABEL SUITE WANT_EXIT [ARGS...]
run() {
    local label=$1 suite=$2 want=$3 rc=0
    shift 3
    timeout -k 5 150 "$lc" run "$S/$suite.json" --out "$work/out/$label" --no-color "$@" \
        >"$work/out/$label.log" 2>&1 || rc=$?
    if [ "$rc" -eq "$want" ]; then
        pass "$label: exit code $want"
    else
        fail "$label: exit code $want" "got $rc"
        sed 's/^/    | /' "$work/out/$label.log" | tail -n 15
    fi
}

prev=$work/out/previous/report.json
run previous healthy 0
run again healthy 0 --compare "$prev"
check "again: compare(goroutines) passes" jq -e \
    '.tests[0].assertions | any(.expr == "compare(goroutines)" and .passed)' \
    "$work/out/again/report.json"

run leaky leaky 1 --compare "$prev"
r=$work/out/leaky/report.json
got=$(jq -c '[.tests[0].assertions[] | select(.expr == "compare(goroutines)")] | first' "$r")
if jq -e '.passed == false and .errored == false and .metric == "goroutines"' <<<"$got" >/dev/null; then
    pass "leaky: compare(goroutines) fails"
else
    fail "leaky: compare(goroutines) fails" "$got"
fi
cur=$(jq '.tests[0].metrics.goroutines.final' "$r")
old=$(jq '.tests[0].metrics.goroutines.final' "$prev")
msg=$(jq -r .message <<<"$got")
if [[ "$msg" == "compare goroutines: $cur now vs $old in previous run (+"*"%), allowed +10%"* ]]; then
    pass "leaky: the message names both runs' values ($msg)"
else
    fail "leaky: the message names both runs' values" "$msg (now $cur, before $old)"
fi
check "leaky: test and run verdicts are fail" jq -e \
    '.verdict == "fail" and .tests[0].verdict == "fail"' "$r"
check "leaky: junit.xml carries the failure" \
    grep -q 'compare goroutines: '"$cur"' now vs '"$old" "$work/out/leaky/junit.xml"
check "leaky: the console shows it" grep -q 'FAIL compare(goroutines): compare goroutines' \
    "$work/out/leaky.log"
check "leaky: report.html shows it" grep -q 'compare(goroutines)' "$work/out/leaky/report.html"

run lenient lenient 0 --compare "$prev"
check "lenient: the suite's tolerance is used" jq -e \
    '.tests[0].assertions | any(.expr == "compare(goroutines)" and .passed and
     (.message | contains("allowed +100000%")))' "$work/out/lenient/report.json"
check "lenient: metrics turned off are not compared" jq -e \
    '.tests[0].assertions | all(.expr != "compare(rss)" and .expr != "compare(p99)")' \
    "$work/out/lenient/report.json"

run missing leaky 2 --compare "$work/out/nonexistent/report.json"
check "missing: nothing was started" [ ! -d "$work/out/missing" ]
check "missing: the error names the file" grep -q 'nonexistent/report.json' "$work/out/missing.log"

rc=0
"$lc" compare "$prev" "$r" >"$work/out/table.txt" 2>&1 || rc=$?
if [ "$rc" -eq 1 ]; then pass "compare previous leaky: exit 1"; else fail "compare previous leaky: exit 1" "got $rc"; fi
check "compare previous leaky: the table shows the regression" \
    grep -Eq '^  goroutines +[0-9]+ +[0-9]+ +\+[0-9.]+% +\+10% +REGRESSED$' "$work/out/table.txt"
rc=0
# latency on a shared machine is noise for this check: it is about the
# direction of the goroutine comparison
"$lc" compare "$r" "$prev" --tol p99=off >"$work/out/table2.txt" 2>&1 || rc=$?
if [ "$rc" -eq 0 ]; then pass "compare leaky previous: exit 0"; else fail "compare leaky previous: exit 0" "got $rc"; fi
rc=0
"$lc" compare "$prev" >/dev/null 2>&1 || rc=$?
if [ "$rc" -eq 2 ]; then pass "compare with one file: exit 2"; else fail "compare with one file: exit 2" "got $rc"; fi
it_done
