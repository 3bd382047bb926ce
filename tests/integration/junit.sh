#!/usr/bin/env bash
# What CI tools read of a run: junit.xml through real consumers, paths
# that survive being downloaded, verdicts as they happen, the markdown
# summary, test selection, compare --json and validate over several files.
#
#   tests/integration/junit.sh BUILD_DIR
#
# Runs the demo suite (suites/demo.json: one leaky test, one healthy) and
# checks: junit.xml is valid against Jenkins' XSD (with file/line added,
# tests/data/schemas/junit-10-fileline.xsd; and against the plain one once
# they are stripped); every testcase has a time; the failing testcase holds
# the failure, the target's log tail, and file/line of the top culprit
# relative to the suite's directory (or --source-root), a line that is the
# leak's; python3-junitparser, junit2json and test-results-parser read
# all that. The reports moved elsewhere hold no path of the run's folder
# and their pprof command works there. The first test's verdict is printed
# before the second starts. --summary-md, --test (a match, no match, a bad
# regex), compare --json (same, regressed, a test only in A) and validate
# with several files (one bad) behave as the README says.
#
# Needs jq, xmllint, python3-junitparser, node with tests/.npm (scripts/
# setup.sh --test), go (for go tool pprof). Prints one line per check and
# "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args junit "$@"
it_need jq xmllint node python3 timeout
it_services demo-svc
npm_bin=$root/tests/.npm/node_modules
[ -x "$npm_bin/.bin/junit2json" ] || { echo "junit.sh: $npm_bin missing (scripts/setup.sh --test)" >&2; exit 2; }
it_python junitparser python3-junitparser
it_init junit
xsd=$root/tests/data/schemas/junit-10.xsd
xsd_fl=$root/tests/data/schemas/junit-10-fileline.xsd
suite=$root/suites/demo.json
leaky="shipping quotes do not leak goroutines"

rc=0
timeout 120 "$lc" run "$suite" --out "$work/out" --summary-md "$work/summary.md" \
    >"$work/run.log" 2>&1 || rc=$?
check "demo: exit 1 (got $rc)" test "$rc" -eq 1
x=$work/out/junit.xml
check "junit.xml valid against Jenkins' XSD with file/line" xmllint --noout --schema "$xsd_fl" "$x"
sed -E 's/ (file|line)="[^"]*"//g' "$x" >"$work/plain.xml"
check "junit.xml without file/line valid against Jenkins' XSD" xmllint --noout --schema "$xsd" "$work/plain.xml"
xp() { xmllint --xpath "$1" "$x" 2>/dev/null; }
check "every testcase has a time" test "$(xp 'count(//testcase[not(@time)])')" = 0
check "the failing testcase holds the log tail" \
    test "$(xp 'count(//testcase[failure]/system-err[contains(., "listening on")])')" = 1
check "no output left at testsuite level" test "$(xp 'count(//testsuite/system-err)')" = 0
file=$(xp 'string(//testcase[failure]/@file)')
line=$(xp 'string(//testcase[failure]/@line)')
check "file= is relative to the suite's directory (demo/main.go, got $file)" test "$file" = demo/main.go
check "line= ($line) is the leaking send" grep -q 'answers <-' <(sed -n "${line:-0}p" "$root/suites/$file")

# three consumers read the same file
py_out=$("$py" - "$x" <<'PY' 2>&1 || true
import sys
from junitparser import JUnitXml, Failure
xml = JUnitXml.fromfile(sys.argv[1])
cases = [c for s in xml for c in s]
assert len(cases) == 9, len(cases)
assert all(c.time is not None and c.time > 0 for c in cases), [c.time for c in cases]
bad = [c for c in cases if c.result and isinstance(c.result[0], Failure)]
assert len(bad) == 1
assert "top culprit" in bad[0].result[0].message
assert "listening on" in (bad[0].system_err or "")
assert bad[0]._elem.get("file") == "demo/main.go"
print("ok")
PY
)
check "python3-junitparser: times, failure, log tail, file ($py_out)" test "$py_out" = ok
j2j=$("$npm_bin/.bin/junit2json" "$x" | jq -c '[.testsuite[].testcase[] | select(.failure)][0] | {file, line, t: (.time > 0)}')
check "junit2json: file, line and time of the failing case ($j2j)" \
    test "$j2j" = "{\"file\":\"demo/main.go\",\"line\":$line,\"t\":true}"
trp=$(NODE_PATH=$npm_bin node -e '
const r = require("test-results-parser").parse({type: "junit", files: [process.argv[1]]});
const cs = r.suites.flatMap(s => s.cases);
const f = cs.filter(c => c.status === "FAIL");
console.log([r.total, r.failed, cs.every(c => c.duration > 0), f.length && f[0].stack_trace.includes("listening on")].join(" "));' "$x")
check "test-results-parser: 9 cases, 1 failed, durations, log tail ($trp)" test "$trp" = "9 1 true true"

rc=0
"$lc" run "$suite" --out "$work/out-root" --test intake --source-root "$root" --quiet \
    >/dev/null 2>&1 || rc=$?
check "--test intake: only the healthy test runs, exit 0 (got $rc)" test "$rc" -eq 0
r=$work/out-root/report.json
check "--test: report.json names the skipped test" \
    test "$(jq -c '[.test_filter, .skipped]' "$r")" = "[\"intake\",[\"$leaky\"]]"
check "--test: junit.xml lists it as skipped" \
    test "$(xmllint --xpath 'count(//testcase/skipped)' "$work/out-root/junit.xml")" = 1
rc=0
"$lc" run "$suite" --out "$work/out-none" --test 'no such test' >"$work/none.log" 2>&1 || rc=$?
check "--test matching nothing: exit 2 (got $rc), names the tests" \
    bash -c "[ $rc -eq 2 ] && grep -q 'matches no test' '$work/none.log' && [ ! -e '$work/out-none/report.json' ]"
rc=0
"$lc" run "$suite" --out "$work/out-none" --test '(' >/dev/null 2>&1 || rc=$?
check "--test with a bad regex: exit 2 (got $rc)" test "$rc" -eq 2
rc=0
"$lc" run "$suite" --out "$work/out-none" --source-root "$work/nowhere" >/dev/null 2>&1 || rc=$?
check "--source-root that does not exist: exit 2 (got $rc)" test "$rc" -eq 2

# verdicts as they happen: test 1's verdict before test 2 starts
first=$(grep -n "^FAIL   $leaky" "$work/run.log" | head -n 1 | cut -d: -f1)
second=$(grep -n 'leakcheck: test 2/2' "$work/run.log" | head -n 1 | cut -d: -f1)
check "test 1's verdict (line ${first:-none}) before test 2 starts (line ${second:-none})" \
    test "${first:-99999}" -lt "${second:-0}"
check "the final summary stays" grep -q '^2 tests: 1 passed, 1 failed, 0 errors' "$work/run.log"
check "--summary-md: a row per test, the failing assertion and the top culprit" \
    bash -c "grep -q '| $leaky | ❌ fail |' '$work/summary.md' && grep -q 'failed: \`goroutines stay within' '$work/summary.md' && grep -q 'top culprit: +2000 goroutines' '$work/summary.md'"

# portable: moved elsewhere, no path of the run's folder, the command works
mv "$work/out" "$work/moved"
for f in report.json junit.xml report.html; do
    check "$f holds no path of the run's folder" bash -c "! grep -q '$work/out' '$work/moved/$f'"
done
cmd=$(jq -r --arg n "$leaky" '.tests[] | select(.name == $n) | .pprof_base_cmd' "$work/moved/report.json")
if command -v go >/dev/null; then
    # shellcheck disable=SC2086
    check "pprof_base_cmd works where the reports were moved" \
        bash -c "cd '$work/moved' && HOME=\${HOME:-$work} go tool pprof -top ${cmd#go tool pprof } 2>&1 | grep -q quoteShipping"
fi

# compare --json
rc=0
"$lc" compare --json "$work/moved/report.json" "$work/moved/report.json" >"$work/same.json" || rc=$?
check "compare --json of a run with itself: exit 0, 0 regressions" \
    bash -c "[ $rc -eq 0 ] && [ \"\$(jq .regressions '$work/same.json')\" = 0 ]"
jq --arg n "$leaky" '(.tests[] | select(.name == $n) | .metrics.goroutines.final) = 3' \
    "$work/moved/report.json" >"$work/healthier.json"
rc=0
"$lc" compare --json "$work/healthier.json" "$work/moved/report.json" >"$work/worse.json" || rc=$?
check "compare --json: a regression exits 1 and says so (got $rc)" \
    bash -c "[ $rc -eq 1 ] && jq -e --arg n '$leaky' '.regressions == 1 and ([.tests[] | select(.name == \$n) | .metrics[] | select(.metric == \"goroutines\") | .verdict][0] == \"regressed\")' '$work/worse.json'"
"$lc" compare --json "$work/moved/report.json" "$r" >"$work/only.json" || true
check "compare --json: a test only in A is listed" \
    test "$(jq -c .only_in_a "$work/only.json")" = "[\"$leaky\"]"

# validate over several files: each checked, exit 2 when one is bad
rc=0
"$lc" validate "$suite" "$root/tests/data/suites/invalid/unknown_key.json" "$here/suites/healthy.json" \
    >"$work/val.out" 2>"$work/val.err" || rc=$?
check "validate A BAD C: exit 2 (got $rc), A and C reported valid, BAD's fault printed" \
    bash -c "[ $rc -eq 2 ] && [ \$(grep -c 'is valid' '$work/val.out') -eq 2 ] && grep -q 'unknown_key.json:7:30' '$work/val.err'"
it_done
