#!/usr/bin/env bash
# Target and source faults must give an `error` verdict with the reason, the
# reports still written, the next test still run, exit 3 at the end, and no
# process left behind; SIGINT must stop everything, write the partial report
# with "interrupted": true and exit 130; an unwritable --out is exit 3.
# Bad assertions are refused at their line:column; a test without
# assertions, and a latency limit without a unit, are warned about. A
# Prometheus metric name the service does not expose stops its test at the
# first scrape (exit 2).
#
#   tests/integration/faults.sh BUILD_DIR
#
# Needs jq, xmllint, pgrep and tests/go/bin/faulty and healthy
# (tests/go/build.sh).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
lc=$(cd "$1" && pwd)/leakcheck
schema=$root/tests/data/schemas/junit-10.xsd
. "$here/lib.sh"
it_init faults
mkdir -p "$work/tests/go/bin" "$work/tests/integration/faults"
cp "$root/tests/go/bin/faulty" "$root/tests/go/bin/healthy" "$work/tests/go/bin/"
cp "$here"/faults/*.json "$work/tests/integration/faults/"

# test_field OUT NAME JQ-EXPR: the jq expression over that test is true
test_field() {
    jq -e --arg n "$2" ".tests[] | select(.name == \$n) | $3" "$1/report.json"
}
leftovers() { ! pgrep -f "$work/tests/go/bin/faulty" >/dev/null; }

out=$work/out-faults
"$lc" run "$work/tests/integration/faults/faults.json" --out "$out" --quiet >/dev/null 2>&1
code=$?
check "faults: exit code 3 (got $code)" test "$code" -eq 3
check "faults: report.json written with verdict error" jq -e '.verdict == "error"' "$out/report.json"
check "faults: junit.xml is valid" xmllint --noout --schema "$schema" "$out/junit.xml"
check "missing command: error names the command and the cause" \
    test_field "$out" "command does not exist" '.verdict == "error" and (.error | test("no-such-service: No such file"))'
check "never ready: error says so, with the URL and status" \
    test_field "$out" "never becomes ready" '.error | test("not ready after 1s: GET http://127.0.0.1:[0-9]+/healthz: HTTP 503")'
check "never ready: the target's stderr tail is in the report" \
    test_field "$out" "never becomes ready" '.log_tail | test("waiting for the database")'
check "panic: exit status and the phase" \
    test_field "$out" "panics under load" '.error | test("exited with status 2 during the load")'
check "panic: the Go panic and its frame are in the log tail" \
    test_field "$out" "panics under load" '.log_tail | test("panic: runtime error: index out of range") and test("main[.][(][*]order[)][.]first") and test("faulty/main.go:[0-9]+")'
check "panic: the JUnit error carries the panic" grep -q "index out of range" "$out/junit.xml"
check "hanging profile: timeout named with its URL" \
    test_field "$out" "goroutine profile hangs" '.error | test("goroutine\\?debug=1: Operation timed out")'
check "garbage profile: URL and what was wrong" \
    test_field "$out" "goroutine profile is html" '.error | test("debug/pprof/goroutine\\?debug=1 is not a valid goroutine profile")'
check "404 profile: URL and status" \
    test_field "$out" "no pprof endpoint" '.error | test("debug/pprof/[a-z]+\\?debug=1.*HTTP 404")'
check "secrets: the password in a source URL is redacted in the report" \
    bash -c "grep -q 'admin:\*\*\*@127.0.0.1' '$out/report.json' && ! grep -rq hunter2 '$out'"
check "stubborn target: still passes (killed after the grace period)" \
    test_field "$out" "ignores SIGTERM but is healthy" '.verdict == "pass"'
check "load on a closed port: an error, not a pass" \
    test_field "$out" "load aimed at a closed port" '.verdict == "error" and (.error | test("no response from http://127.0.0.1:1/work .*connect"))'
check "the last test still ran and passed" test_field "$out" "healthy after all that" '.verdict == "pass"'
check "faults: no target left running" leftovers

# SIGINT in the middle of a load: partial report, exit 130, nothing left.
out=$work/out-int
"$lc" run "$work/tests/integration/faults/interrupt.json" --out "$out" >"$work/int.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q ": load" "$work/int.log" && break; sleep 0.1; done
sleep 0.5
kill -INT $pid
wait $pid
code=$?
check "SIGINT: exit code 130 (got $code)" test "$code" -eq 130
check "SIGINT: report says interrupted" jq -e '.interrupted == true and (.tests | length) == 1' "$out/report.json"
check "SIGINT: the test's error says so" test_field "$out" "long load" '.error | test("interrupted by SIGINT")'
check "SIGINT: junit.xml written and valid" xmllint --noout --schema "$schema" "$out/junit.xml"
check "SIGINT: no target left running" leftovers

# Bad suites are refused before anything starts, with file:line:column of
# the faulty token inside the assertion's string, the column within the
# assertion and a caret, and "did you mean" where a name is close.
"$lc" validate "$work/tests/integration/faults/badexpr.json" >"$work/badexpr.log" 2>&1
code=$?
check "bad assertions: exit 2 (got $code)" test "$code" -eq 2
check "bad assertions: unknown metric at its line:column, with a suggestion" \
    grep -qF "badexpr.json:6:15: test \"typos\", assertion 1: unknown metric 'gorutines' at column 1; did you mean goroutines?" "$work/badexpr.log"
check "bad assertions: every fault is reported at its place, with a caret" \
    bash -c "grep -q 'badexpr.json:6:77: test \"typos\", assertion 2: .*column 23' '$work/badexpr.log' && grep -q 'badexpr.json:6:[0-9]*: test \"typos\", assertion 3:' '$work/badexpr.log' && grep -qE '^ +\^$' '$work/badexpr.log'"

# A latency limit without a unit (p99 < 500 is 500 seconds) is legal but
# worth a warning, at its line:column with a caret; the suite stays valid.
units=$work/tests/integration/faults/units.json
"$lc" validate "$units" >"$work/units.out" 2>"$work/units.err"
code=$?
check "latency without a unit: validate exits 0 (got $code)" test "$code" -eq 0
check "latency without a unit: one warning, at the number's line:column, with the fix" \
    bash -c "[ \$(grep -c warning '$work/units.err') -eq 1 ] && grep -qF \"units.json:4:57: warning: test \\\"limits\\\", assertion 2: '500' at column 27 has no unit: p99 is in seconds, so this limit is 500 seconds; write the unit (500ms, 500s)\" '$work/units.err'"
check "latency without a unit: the caret is under the number" \
    bash -c "grep -qxF '    error_rate < 1% and p99 < 500' '$work/units.err' && grep -qxF '                              ^' '$work/units.err'"

# A test without assertions is legal but worth a warning (stderr), from
# validate and from run; the exit code is that of the suite.
noassert=$work/tests/integration/faults/noassert.json
warning="leakcheck: $noassert:5:3: warning: test \"silent\" has no assertions: it passes unless its target or a source fails"
"$lc" validate "$noassert" >"$work/noassert.out" 2>"$work/noassert.err"
code=$?
check "no assertions: validate exits 0 (got $code)" test "$code" -eq 0
# same_text FILE TEXT: FILE holds exactly TEXT (and a newline)
same_text() { [ "$(cat "$1")" = "$2" ]; }
check "no assertions: validate warns, once, at the test" same_text "$work/noassert.err" "$warning"
check "no assertions: validate still says the suite is valid" \
    grep -q 'is valid (2 tests)' "$work/noassert.out"
"$lc" run "$noassert" --out "$work/out-noassert" --quiet >/dev/null 2>"$work/noassert-run.err"
code=$?
check "no assertions: run exits 0 (got $code)" test "$code" -eq 0
check "no assertions: run warns too" grep -qxF "$warning" "$work/noassert-run.err"
check "no assertions: run warns once, and not about the test with assertions" \
    test "$(grep -c warning "$work/noassert-run.err")" -eq 1
# with --compare, every test gets compare() assertions: nothing to warn about
"$lc" run "$noassert" --out "$work/out-noassert2" --quiet \
    --compare "$work/out-noassert/report.json" >/dev/null 2>"$work/noassert-cmp.err"
code=$?
check "no assertions: run --compare exits 0 (got $code) without the warning" \
    bash -c "[ $code -eq 0 ] && ! grep -q warning '$work/noassert-cmp.err'"

"$lc" run "$work/tests/integration/faults/badvar.json" --out "$work/out-badvar" >"$work/badvar.log" 2>&1
code=$?
check "unknown \${...}: exit 2, named, nothing started (got $code)" \
    bash -c "[ $code -eq 2 ] && grep -q 'prot' '$work/badvar.log' && [ ! -e '$work/out-badvar' ]"

# --help after a command is help, not a suite: usage on stdout, exit 0.
for args in "run --help" "run x.json -h" "validate --help"; do
    # shellcheck disable=SC2086 # the arguments are meant to split
    "$lc" $args >"$work/help.out" 2>&1
    code=$?
    check "$args: usage on stdout, exit 0 (got $code)" \
        bash -c "[ $code -eq 0 ] && grep -q '^usage: leakcheck run SUITE.json' '$work/help.out'"
done

# A Prometheus name the service does not expose stops its test at the
# first scrape, before the load, as a suite error (exit 2), with the
# nearest names scraped as suggestions; one that may be created later goes
# on with a warning; the right names pass.
out=$work/out-metricname
start=$(date +%s%N)
"$lc" run "$work/tests/integration/faults/metricname.json" --out "$out" --no-color \
    >"$work/metricname.out" 2>"$work/metricname.err"
code=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "metric name: exit 2, the suite's fault (got $code)" test "$code" -eq 2
check "misspelt metric: stopped at the first scrape, before the load" \
    test_field "$out" "misspelt name" '.verdict == "error" and .suite_error == true and .load == null and .duration_s < 2'
check "misspelt metric: the error names it, the URL and the scraped name it is near" \
    test_field "$out" "misspelt name" '.error | test("^assertion 2: unknown metric .goroutine. at column 1; http://127.0.0.1:[0-9]+/metrics does not expose it [(][0-9]+ names in its first scrape[)]; did you mean go_goroutines[?]$")'
check "misspelt metric: said on stderr at its line:column, with a caret" \
    bash -c "grep -qE 'metricname.json:11:30: test \"misspelt name\", assertion 2: unknown metric .goroutine.*did you mean go_goroutines' '$work/metricname.err' && grep -A2 'metricname.json:11:30' '$work/metricname.err' | grep -qxF '    ^'"
check "unknown metric read at its baseline: stopped too, without a suggestion" \
    test_field "$out" "unknown name read at its baseline" '.suite_error == true and .load == null and (.error | test("orders_queue_depth.*baseline it is compared with cannot be had")) and (.error | contains("did you mean") | not)'
check "names the service exposes: the test runs and passes" \
    test_field "$out" "names it exposes" '.verdict == "pass" and .suite_error == false and .load.requests == 50'
check "unknown metric that may come later: a warning, and the load runs" \
    bash -c "grep -qF 'warning: test \"unknown name that may come later\", assertion 1: unknown metric '\''orders_rejected_total'\'' at column 1' '$work/metricname.err' && jq -e '.tests[3].load.requests == 40 and .tests[3].suite_error == false' '$out/report.json'"
check "metric name: the whole suite took a few seconds, not its loads (${ms} ms)" test "$ms" -lt 8000
check "metric name: junit.xml is valid" xmllint --noout --schema "$schema" "$out/junit.xml"
no_healthy_left() { ! pgrep -f "$work/tests/go/bin/healthy" >/dev/null; }
check "metric name: no target left running" no_healthy_left

# Test names become safe, distinct folders inside --out.
out=$work/out-names
"$lc" run "$work/tests/integration/faults/names.json" --out "$out" --quiet >/dev/null 2>&1
code=$?
check "test names: run passes (got $code)" test "$code" -eq 0
check "test names: '..', 'a b', 'a-b', 'report.json' get their own folders in --out" \
    bash -c "cd '$out' && [ -f test/stdout.log ] && [ -f a-b/stdout.log ] && [ -f a-b-2/stdout.log ] && [ -f report.json-2/stdout.log ] && [ -f report.json ] && [ ! -e '$work/stdout.log' ]"

# A second signal exits at once, even while a stubborn target is being
# given its 30 s grace; the target does not outlive us (PDEATHSIG).
"$lc" run "$work/tests/integration/faults/twosig.json" --out "$work/out-two" >"$work/two.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q ": baseline" "$work/two.log" && break; sleep 0.1; done
kill -INT $pid
sleep 0.5
start=$(date +%s%N)
kill -INT $pid
wait $pid
code=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "second SIGINT: exit 130 at once (got $code after ${ms} ms)" bash -c "[ $code -eq 130 ] && [ $ms -lt 2000 ]"
sleep 0.3
check "second SIGINT: no target left running" leftovers

# An --out that cannot be written: said before anything starts, exit 3.
"$lc" run "$work/tests/integration/faults/interrupt.json" --out /proc/version/out >"$work/ro.log" 2>&1
code=$?
check "unwritable --out: exit code 3 (got $code)" test "$code" -eq 3
check "unwritable --out: says which path" grep -q "/proc/version/out" "$work/ro.log"
check "unwritable --out: no test was started" bash -c "! grep -q 'test 1/' '$work/ro.log'"

# https sources: certificates are verified unless --insecure.
out=$work/out-tls
"$lc" run "$work/tests/integration/faults/tls.json" --out "$out" --quiet >/dev/null 2>&1
code=$?
check "https, self-signed: exit 3 without --insecure (got $code)" test "$code" -eq 3
check "https, self-signed: the error names the certificate problem" \
    jq -e '.tests[0].error | test("SSL certificate problem")' "$out/report.json"
"$lc" run "$work/tests/integration/faults/tls.json" --out "$out" --quiet --insecure >/dev/null 2>&1
code=$?
check "https, self-signed: passes with --insecure (got $code)" test "$code" -eq 0
check "https: no target left running" leftovers

# A read-only --out and a full disk (small tmpfs mounts; needs root).
ro=$work/ro full=$work/full
mkdir -p "$ro" "$full"
if mount -t tmpfs -o ro,size=64k tmpfs "$ro" 2>/dev/null; then
    "$lc" run "$work/tests/integration/faults/interrupt.json" --out "$ro" >"$work/ro2.log" 2>&1
    code=$?
    check "read-only --out: exit code 3 before any test (got $code)" \
        bash -c "[ $code -eq 3 ] && grep -q 'Read-only file system' '$work/ro2.log' && ! grep -q 'test 1/' '$work/ro2.log'"
    umount "$ro"
else
    echo "SKIP read-only --out: cannot mount a tmpfs here (not root?)"
fi
if mount -t tmpfs -o size=64k tmpfs "$full" 2>/dev/null; then
    # leave a few KB: enough for the write test, not for the reports
    head -c 57344 /dev/zero >"$full/filler" 2>/dev/null
    "$lc" run "$work/tests/integration/faults/faults.json" --out "$full" --quiet >"$work/full.log" 2>&1
    code=$?
    check "full disk: exit code 3 (got $code)" test "$code" -eq 3
    check "full disk: says so" grep -q "No space left on device" "$work/full.log"
    check "full disk: no half-written report left" \
        bash -c "! ls '$full' | grep -q -e report.json -e junit.xml -e '\.tmp\.'"
    umount "$full"
else
    echo "SKIP full disk: cannot mount a tmpfs here (not root?)"
fi

# Under a parent that ignores SIGHUP and SIGINT (nohup, some CI agents), the
# started target still gets every signal at its default and none blocked:
# the target is grep, printing its own SigIgn and SigBlk to its stdout.log.
inherit=$work/tests/integration/faults/inherit.json
(trap '' HUP INT && exec "$lc" run "$inherit" --out "$work/out-inherit" --quiet) >/dev/null 2>&1
code=$?
check "ignored signals: run under 'trap \"\" HUP INT' passes (got $code)" test "$code" -eq 0
sigs=$(find "$work/out-inherit" -name stdout.log | head -n 1)
check "ignored signals: the target ignores and blocks no signal" bash -c \
    "grep -qx 'SigIgn:[[:space:]]*0000000000000000' '$sigs' &&
     grep -qx 'SigBlk:[[:space:]]*0000000000000000' '$sigs'"

it_done
