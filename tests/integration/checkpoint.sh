#!/usr/bin/env bash
# Checkpoints (run/checkpoint.h): a run under way rewrites report.json,
# junit.xml and report.html every "checkpoint" interval, marked
# "complete": false with how far it got; kill -9 of leakcheck at any
# moment leaves the last checkpoint's reports intact and valid, and no
# process of the target alive.
#
#   tests/integration/checkpoint.sh BUILD_DIR
#
# A suite of two tests of the healthy service (1 s checkpoints) is killed
# with SIGKILL once its checkpoint says the second test is in its
# baseline, once in its load, once in its settle: each time the three
# reports exist, report.json validates against reports/report.schema.json
# and says complete false at that phase (the first test with its verdict,
# the second running with its series so far, at most 1000 points each),
# junit.xml validates against Jenkins' XSD with the running test as an
# <error> "interrupted ...", and within 3 s no process marked with the
# run's LC_CKPT tag is alive, nor leakcheck's keeper. Then a flood: checkpoints every 100 ms (the
# least) and SIGKILL at 10 moments spread over the run: the reports,
# whenever there are some, are never torn. A run to its end says complete
# true; the default (60 s for a run planned over 10 minutes, off
# otherwise), "off", --checkpoint over the suite, and bad values.
#
# Needs jq, xmllint, python3-jsonschema, pgrep, timeout.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args checkpoint "$@"
it_need jq xmllint pgrep timeout
it_python jsonschema python3-jsonschema
it_services healthy
it_init checkpoint
schema=$root/reports/report.schema.json
xsd=$root/tests/data/schemas/junit-10.xsd

# marked TAG: pids of the processes whose environment holds LC_CKPT=TAG
marked() {
    local f p
    for f in $(grep -lsxz "LC_CKPT=$1" /proc/[0-9]*/environ); do
        p=${f#/proc/}
        p=${p%/environ}
        [ "$p" = "$BASHPID" ] || echo "$p"
    done
}
tags=()
kill_marked() {
    local t p
    for t in "${tags[@]}"; do for p in $(marked "$t"); do kill -9 "$p" 2>/dev/null; done; done
}
it_at_exit kill_marked

# none_left TAG: 0 once no marked process is alive (waits up to 3 s)
none_left() {
    local i
    for i in $(seq 30); do
        [ -z "$(marked "$1")" ] && return 0
        sleep 0.1
    done
    return 1
}

validate() {
    "$py" - "$schema" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
errors = list(jsonschema.Draft7Validator(schema).iter_errors(doc))
for e in errors[:5]:
    print("/".join(str(p) for p in e.absolute_path) or "(top)", ":", e.message[:300], file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}

# junit_valid FILE: valid against Jenkins' XSD (file/line stripped, as
# junit.sh does for the plain one)
junit_valid() {
    sed -E 's/ (file|line)="[^"]*"//g' "$1" >"$1.plain"
    xmllint --noout --schema "$xsd" "$1.plain"
}

# suite FILE TAG CHECKPOINT [SECOND-TEST-PHASES-JSON]: the second test's
# settle lasts its whole length (an assertion on a final value never holds)
suite() {
    local phases=${4:-'"baseline": "3s", "load": {"url": "http://127.0.0.1:${port}/work", "concurrency": 4, "duration": "5s"}, "settle": "4s"'}
    cat >"$1" <<JSON
{"suite": "checkpoint", ${3:+\"checkpoint\": \"$3\",} "tests": [
 {"name": "first", "target": {"command": ["$gobin/healthy", "-addr", "127.0.0.1:\${port}"],
                              "env": {"LC_CKPT": "$2"}, "ready": "http://127.0.0.1:\${port}/healthz"},
  "sample": {"pprof": "http://127.0.0.1:\${port}/debug/pprof", "proc": true, "interval": "100ms"},
  "baseline": "500ms", "load": {"url": "http://127.0.0.1:\${port}/work", "concurrency": 4, "requests": 300},
  "assert": ["goroutines stay within 50 of baseline"]},
 {"name": "second", "target": {"command": ["$gobin/healthy", "-addr", "127.0.0.1:\${port}"],
                               "env": {"LC_CKPT": "$2"}, "ready": "http://127.0.0.1:\${port}/healthz"},
  "sample": {"pprof": "http://127.0.0.1:\${port}/debug/pprof", "proc": true, "interval": "20ms"},
  $phases,
  "assert": ["goroutines stay within 50 of baseline", "fds <= baseline(fds) + 20",
             "goroutines > 1000000"]}]}
JSON
}

# at PHASE: the second test's phase in the last checkpoint is PHASE
at() { [ "$(jq -r '[.complete, .checkpoint.test, .checkpoint.phase] | join(" ")' "$out/report.json" 2>/dev/null)" = "false second $1" ]; }

for phase in baseline load settle; do
    tag=kill-$phase-$$
    tags+=("$tag")
    out=$work/$phase
    suite "$work/$phase.json" "$tag" 1s
    "$lc" run "$work/$phase.json" --out "$out" >"$work/$phase.log" 2>&1 &
    pid=$!
    for _ in $(seq 300); do at "$phase" && break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    check "$phase: killed once the checkpoint said the second test's $phase" at "$phase"
    check "$phase: no process of the target is left" none_left "$tag"
    # the keeper is a fork of leakcheck: its command line is leakcheck's
    check "$phase: nor leakcheck's keeper" test -z "$(pgrep -f -- "--out $out\$")"
    for f in report.json junit.xml report.html; do
        check "$phase: $f is there" test -s "$out/$f"
    done
    check "$phase: report.json valid against its schema" validate "$out/report.json"
    check "$phase: junit.xml valid against Jenkins' XSD" junit_valid "$out/junit.xml"
    check "$phase: the first test has its verdict, the second is running" test \
        "$(jq -r '[.tests[] | "\(.name):\(.verdict):\(.running // false)"] | join(" ")' "$out/report.json")" \
        = "first:pass:false second:error:true"
    check "$phase: the running test's series so far (goroutines sampled)" test \
        "$(jq '.tests[1].series.goroutines.t | length' "$out/report.json")" -gt 3
    want="during the $phase"
    [ "$phase" = settle ] && want="while settling"
    check "$phase: its error says where it was interrupted" grep -q "interrupted $want" \
        <(jq -r '.tests[1].error' "$out/report.json")
    check "$phase: junit.xml has it as an <error>" test \
        "$(xmllint --xpath 'count(//testsuite[@name="second"]//error[contains(@message, "interrupted")])' "$out/junit.xml")" -ge 1
    check "$phase: report.html closes" grep -q '</html>' "$out/report.html"
done

# the flood: 100 ms checkpoints, SIGKILL at 10 moments of 0.2 s to 6.5 s
tag=flood-$$
tags+=("$tag")
suite "$work/flood.json" "$tag" 100ms
torn=0 seen=0
for k in $(seq 0 9); do
    out=$work/flood-$k
    "$lc" run "$work/flood.json" --out "$out" >"$work/flood-$k.log" 2>&1 &
    pid=$!
    sleep "$(awk -v k="$k" 'BEGIN { printf "%.2f", 0.2 + k * 0.7 }')"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ -e "$out/report.json" ] || continue
    seen=$((seen + 1))
    if ! validate "$out/report.json" 2>>"$work/flood.err" || ! junit_valid "$out/junit.xml" 2>>"$work/flood.err" ||
        ! grep -q '</html>' "$out/report.html"; then
        torn=$((torn + 1))
        echo "flood $k: torn" >>"$work/flood.err"
    fi
done
check "flood: no process of the target is left" none_left "$tag"
check "flood: reports after at least 8 of the 10 kills (got $seen)" test "$seen" -ge 8
check "flood: none of them torn ($torn)" test "$torn" -eq 0

# to its end: complete true, no "checkpoint"
out=$work/end
suite "$work/end.json" "end-$$" 1s '"baseline": "1s", "load": {"url": "http://127.0.0.1:${port}/work", "concurrency": 4, "duration": "2s"}'
tags+=("end-$$")
timeout 60 "$lc" run "$work/end.json" --out "$out" >"$work/end.log" 2>&1
check "to its end: complete true, no checkpoint, no test running" test \
    "$(jq -c '[.complete, .checkpoint, [.tests[] | .running == true]]' "$out/report.json")" = '[true,null,[false,false]]'
check "to its end: the checkpoints were announced" grep -q "rewritten every 1s" "$work/end.log"

# defaults: a run planned over 10 minutes gets 60 s, a short one none;
# "off" turns it off; --checkpoint wins over the suite
announced() { # SUITE ARGS...: the checkpoint line within 2 s of the start, or ""
    local s=$1
    shift
    timeout -s KILL 2 "$lc" run "$s" --out "$work/d" "$@" 2>&1 | grep -o "rewritten every [0-9.]*s"
}
suite "$work/long.json" "d-$$" "" '"baseline": "1s", "observe": "11m"'
suite "$work/off.json" "d-$$" off '"baseline": "1s", "observe": "11m"'
tags+=("d-$$")
check "default: 60s for a run planned over 10 minutes" test "$(announced "$work/long.json")" = "rewritten every 60s"
check "default: none for a short run" test -z "$(announced "$work/end.json" --checkpoint off)"
check "\"checkpoint\": \"off\" turns it off" test -z "$(announced "$work/off.json")"
check "--checkpoint 2s over the suite's" test "$(announced "$work/off.json" --checkpoint 2s)" = "rewritten every 2s"
check "no process of those runs is left" none_left "d-$$"

# bad values: a clear error, exit 2, nothing started
rc=0; "$lc" run "$work/end.json" --out "$work/bad" --checkpoint 1ms >"$work/bad1.log" 2>&1 || rc=$?
check "--checkpoint 1ms: exit 2 and why" test "$rc" -eq 2 -a -n "$(grep 'at least 100ms' "$work/bad1.log")"
rc=0; "$lc" run "$work/end.json" --out "$work/bad" --checkpoint soon >"$work/bad2.log" 2>&1 || rc=$?
check "--checkpoint soon: exit 2 and why" test "$rc" -eq 2 -a -n "$(grep 'bad duration' "$work/bad2.log")"
sed 's/"checkpoint": "1s"/"checkpoint": "10ms"/' "$work/end.json" >"$work/bad.json"
rc=0; "$lc" run "$work/bad.json" --out "$work/bad" >"$work/bad3.log" 2>&1 || rc=$?
check "suite \"checkpoint\": \"10ms\": exit 2 at its place" test "$rc" -eq 2 -a -n "$(grep -E 'checkpoint.*at least 100ms|at least 100ms' "$work/bad3.log")"
sed 's/"checkpoint": "1s"/"checkpoint": 5/' "$work/end.json" >"$work/bad.json"
rc=0; "$lc" run "$work/bad.json" --out "$work/bad" >"$work/bad4.log" 2>&1 || rc=$?
check "suite \"checkpoint\": 5 (no unit): exit 2" test "$rc" -eq 2 -a -n "$(grep 'need a unit' "$work/bad4.log")"
it_done
