#!/usr/bin/env bash
# Batch targets ("exits": true): a job that runs to completion is sampled
# until it exits and judged on its peak and its exit status.
#
#   tests/integration/batch.sh BUILD_DIR
#
# With tests/go/batch (a job that checksums 500 files): the version that
# defers Close inside its loop fails max(fds) <= 64 and the culprit, from
# the peak snapshot, names the files' directory; the version that closes
# each file passes; a job that exits 1 fails with its stderr in the
# report; one killed by SIGKILL has exit_code 137; an expected exit status
# passes; sampling its pprof as it exits is no error; one that starts a
# goroutine per file has them named from the peak goroutine profile; a job
# that outlives exit_timeout is an error and is stopped. BATCH_RUNS=N runs
# the defer/close pair N times (default 1) and prints the pass count.
#
# Needs jq, xmllint, pgrep and tests/go/bin/batch (tests/go/build.sh).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args batch "$@"
it_need jq xmllint pgrep timeout
it_services batch
schema=$root/tests/data/schemas/junit-10.xsd
runs=${BATCH_RUNS:-1}

it_init batch
mkdir -p "$work/tests/go/bin" "$work/tests/integration/batch" "$work/tmp"
cp "$gobin/batch" "$work/tests/go/bin/"
cp "$here"/batch/*.json "$work/tests/integration/batch/"
# the jobs' temporary directories, to see that none is left behind
export TMPDIR=$work/tmp
S=$work/tests/integration/batch

# field OUT TEST JQ: the jq expression over that test of OUT/report.json holds
field() { jq -e --arg n "$2" ".tests[] | select(.name == \$n) | $3" "$1/report.json"; }
# assertion OUT TEST EXPR JQ: ... over that assertion
assertion() {
    jq -e --arg n "$2" --arg e "$3" \
        ".tests[] | select(.name == \$n) | .assertions[] | select(.expr == \$e) | $4" "$1/report.json"
}
leftovers() { ! pgrep -f "$work/tests/go/bin/batch" >/dev/null; }

DEFER="checksum job with defer in its loop"
CLOSE="checksum job that closes each file"
FAILS="checksum job that fails half-way"
out=$work/out
timeout -k 5 120 "$lc" run "$S/batch.json" --out "$out" --no-color >"$work/run.log" 2>&1
code=$?
check "batch: exit code 1, an assertion failed (got $code)" test "$code" -eq 1
check "batch: junit.xml is valid" xmllint --noout --schema "$schema" "$out/junit.xml"
check "defer in the loop: fails max(fds) <= 64, with the peak above 200" \
    assertion "$out" "$DEFER" "max(fds) <= 64" '.passed == false and .errored == false and .observed > 200'
check "defer in the loop: the verdict is fail, not error" field "$out" "$DEFER" '.verdict == "fail" and .error == null'
check "defer in the loop: the top culprit names the files' directory, from the peak snapshot" \
    field "$out" "$DEFER" '.culprits[0] | .kind == "fd" and (.location | test("/tmp/batch-files-[0-9]+$"))
        and .after > 100 and (.detail | contains("files in"))'
check "defer in the loop: the console names the directory" grep -qE "files in $work/tmp/batch-files-" "$work/run.log"
check "defer in the loop: exited 0, and exit_code == 0 holds" \
    assertion "$out" "$DEFER" "exit_code == 0" '.passed == true and .observed == 0'
check "closed each file: passes, nothing named" \
    field "$out" "$CLOSE" '.verdict == "pass" and (.culprits | length) == 0 and .metrics.fds.max < 64'
check "exit 1: fails (not an error) on exit_code == 0" \
    assertion "$out" "$FAILS" "exit_code == 0" '.passed == false and .errored == false and .observed == 1'
check "exit 1: the message says how it exited" \
    assertion "$out" "$FAILS" "exit_code == 0" '.message | contains("exited with status 1")'
check "exit 1: its stderr is in the report" field "$out" "$FAILS" '.verdict == "fail" and (.log_tail | contains("checksum mismatch"))'
check "exit 1: and on the console" grep -q "| batch: file-0250.dat: checksum mismatch" "$work/run.log"
check "exit 1: and in junit.xml" grep -q "checksum mismatch" "$out/junit.xml"
check "killed by SIGKILL: exit_code is 128 + 9" \
    assertion "$out" "checksum job killed by a signal" "exit_code == 0" '.observed == 137 and (.message | contains("signal 9"))'
check "an exit status the test expects passes" field "$out" "a failure the test expects" \
    '.verdict == "pass" and (.assertions | length) == 1'
check "sampled through pprof: no error as its server goes away, goroutines sampled" \
    field "$out" "checksum job sampled through pprof too" '.verdict == "pass" and .metrics.goroutines.max > 0'
check "sampled through pprof: a peak goroutine profile was saved" \
    test -s "$out/checksum-job-sampled-through-pprof-too/peak-goroutine.txt"
line=$(grep -nF 'results <- result{i, s, err}' "$root/tests/go/batch/main.go" | cut -d: -f1)
check "a goroutine per file: fails max(goroutines) < 100" \
    assertion "$out" "a goroutine per file" "max(goroutines) < 100" '.passed == false and .observed > 200'
check "a goroutine per file: the top culprit is the blocked send at main.go:$line, from the peak profile" \
    field "$out" "a goroutine per file" ".culprits[0] | .kind == \"goroutine\" and
        .function == \"main.(*job).checksumFanout.func1\" and (.location | endswith(\"batch/main.go:$line\"))
        and .after > 100"
check "with a baseline: fails against it, the directory named" \
    field "$out" "defer in the loop, with a baseline" '.verdict == "fail" and (.culprits[0].location | test("/batch-files-"))'
check "the report has an exit_code series" field "$out" "$DEFER" '.metrics.exit_code.final == 0'
check "batch: no job left running" leftovers

# A job that does not end: an error when exit_timeout passes, stopped.
out=$work/out-hang
timeout -k 5 60 "$lc" run "$S/hang.json" --out "$out" --no-color >"$work/hang.log" 2>&1
code=$?
check "no exit: exit code 3 (got $code)" test "$code" -eq 3
check "no exit: the error names exit_timeout" \
    field "$out" "runs past its exit_timeout" '.verdict == "error" and (.error | contains("did not exit within 1s (target.exit_timeout)"))'
check "no exit: the job was stopped" leftovers
check "no job left a temporary directory" test -z "$(ls -A "$work/tmp")"

# validate refuses what a batch test cannot have.
printf '%s\n' '{"suite": "s", "tests": [{"name": "t", "target": {"command": ["./job"], "exits": true},' \
    '  "assert": ["growth(fds) < 10"]}]}' >"$work/bad.json"
"$lc" validate "$work/bad.json" >"$work/bad.log" 2>&1
code=$?
check "validate: growth() without a baseline is refused (exit 2, got $code)" test "$code" -eq 2
check "validate: and it says why" grep -q 'growth(fds) needs a baseline' "$work/bad.log"

# Robustness: the defer/close pair, again and again.
ok=0
for ((i = 1; i <= runs && runs > 1; i++)); do
    o=$work/out-rep$i
    "$lc" run "$S/batch.json" --out "$o" --quiet >/dev/null 2>&1
    if field "$o" "$DEFER" '.verdict == "fail" and (.culprits[0].location | test("/batch-files-"))' >/dev/null &&
        field "$o" "$CLOSE" '.verdict == "pass"' >/dev/null; then
        ok=$((ok + 1))
    fi
done
if [ "$runs" -gt 1 ]; then
    echo "repeated: $ok of $runs runs gave both verdicts and named the directory"
    check "repeated: $ok of $runs runs right" test "$ok" -eq "$runs"
fi
it_done
