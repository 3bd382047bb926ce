#!/usr/bin/env bash
# Files and terminals against hostile sizes and names (issue 14, items 4, 5,
# 7 and 9's log cap):
# - under `ulimit -f 40` leakcheck is not killed by SIGXFSZ: a report it
#   cannot write is an infrastructure error (exit 3) naming EFBIG, and no
#   temporary file is left;
# - a 300-character test name gets a folder name cut to 89 bytes with a
#   stable hash of the whole name (the same in two runs);
# - escape sequences and control characters in test names, suite names and
#   target output never reach the terminal (progress lines included);
# - a target that floods its stdout and stderr keeps logs of the head and
#   the tail, with how much was dropped said in the log and report.json.
#
#   tests/integration/files.sh BUILD_DIR
#
# Needs jq and tests/go/bin/healthy (tests/go/build.sh).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args files "$@"
it_need jq
it_services healthy
it_init files
healthy=$gobin/healthy

# one_test FILE NAME-JSON COMMAND-JSON [EXTRA]: a short suite of one test
one_test() {
    cat >"$1" <<JSON
{"suite": "files", "tests": [{"name": $2,
  "target": {"command": $3, "ready": "http://127.0.0.1:\${port}/healthz"},
  "sample": {"pprof": "http://127.0.0.1:\${port}/debug/pprof", "interval": "100ms"},
  "baseline": "300ms", "assert": ["goroutines < 100000"]${4:-}}]}
JSON
}
serve="[\"$healthy\", \"-addr\", \"127.0.0.1:\${port}\"]"

# item 4: SIGXFSZ ignored, EFBIG reported, no temporary file
one_test "$work/small.json" '"fits"' "$serve"
(ulimit -f 40; exec "$lc" run "$work/small.json" --out "$work/out-fsize" --quiet) \
    >"$work/fsize.log" 2>&1
code=$?
check "ulimit -f 40: exit 3, not killed by SIGXFSZ (got $code)" test "$code" -eq 3
check "ulimit -f 40: the error names the report and EFBIG" \
    grep -q "cannot write the reports: .*File too large" "$work/fsize.log"
tmps=$(find "$work/out-fsize" -name '*.tmp.*')
check "ulimit -f 40: no temporary file left ($tmps)" test -z "$tmps"

# item 5: a long name gets a short, stable folder name
long=$(printf 'leak-check-of-a-very-long-test-name-%.0s' $(seq 1 8))x
one_test "$work/long.json" "\"$long\"" "$serve"
"$lc" run "$work/long.json" --out "$work/out-long1" --quiet >"$work/long1.log" 2>&1
code=$?
check "300-character name: the test runs (exit 0, got $code)" test "$code" -eq 0
dir1=$(cd "$work/out-long1" && ls -d */ 2>/dev/null | head -n 1)
dir1=${dir1%/}
check "300-character name: folder name of at most 100 bytes ($dir1)" \
    test -n "$dir1" -a "${#dir1}" -le 100
check "300-character name: ends with an 8-digit hash" grep -Eq -- '-[0-9a-f]{8}$' <<<"$dir1"
"$lc" run "$work/long.json" --out "$work/out-long2" --quiet >/dev/null 2>&1
check "300-character name: the same folder in a second run" test -n "$dir1" -a -d "$work/out-long2/$dir1"
check "300-character name: the name is whole in report.json" \
    jq -e --arg n "$long" '.tests[0].name == $n' "$work/out-long1/report.json"

# item 7: nothing hostile reaches the terminal
evil='"evil \u001b[31mred\u001b[0m \u001b]0;pwned\u0007 bell\u0007 \u009b2J end'
evil2=$evil' 2"'
evil=$evil'"'
noisy="[\"sh\", \"-c\", \"printf 'boom \\\\033[2J\\\\033]0;title\\\\007\\\\n' >&2; exit 3\"]"
cat >"$work/evil.json" <<JSON
{"suite": "evil \u001b[2J suite", "tests": [
 {"name": $evil, "target": {"command": $serve, "ready": "http://127.0.0.1:\${port}/healthz"},
  "sample": {"pprof": "http://127.0.0.1:\${port}/debug/pprof", "interval": "100ms"},
  "baseline": "300ms", "observe": "6s", "assert": ["goroutines < 100000"]},
 {"name": $evil2, "target": {"command": $noisy, "ready": "http://127.0.0.1:\${port}/healthz"},
  "assert": ["fds < 100000"]}]}
JSON
"$lc" run "$work/evil.json" --out "$work/out-evil" >"$work/evil.out" 2>"$work/evil.err"
code=$?
check "escapes: the run ends in error (exit 3, got $code)" test "$code" -eq 3
check "escapes: the run prints progress lines" grep -q "evil red" "$work/evil.err"
check "escapes: the target's own log tail is shown" grep -q "boom" "$work/evil.out"
for f in evil.out evil.err; do
    bad=$(LC_ALL=C grep -c $'[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' "$work/$f")
    c1=$(grep -c $'\xc2\x9b' "$work/$f")
    check "escapes: no control character or escape in $f ($bad lines, $c1 with C1)" \
        test "$bad" -eq 0 -a "$c1" -eq 0
done
# item 9: a target that floods stdout and stderr before it serves
flood="seq 1 1000000; seq 1 1000000 >&2; exec $healthy -addr 127.0.0.1:\${port} 2>/dev/null"
one_test "$work/flood.json" '"flood"' "[\"sh\", \"-c\", \"$flood\"]"
"$lc" run "$work/flood.json" --out "$work/out-flood" --quiet >"$work/flood.log" 2>&1
code=$?
check "flood: the test runs (exit 0, got $code)" test "$code" -eq 0
total=$(seq 1 1000000 | wc -c)
dropped=$((total - 2 * 1048576))
for s in stdout stderr; do
    f=$work/out-flood/flood/$s.log
    size=$(stat -c %s "$f" 2>/dev/null || echo 0)
    check "flood: $s.log is capped ($size bytes of $total)" test "$size" -gt 2097152 -a "$size" -lt 2097400
    check "flood: $s.log keeps the head" test "$(head -n 1 "$f")" = 1
    check "flood: $s.log keeps the tail" test "$(tail -n 1 "$f")" = 1000000
    check "flood: $s.log says $dropped bytes were dropped" \
        grep -q "^\[leakcheck: $dropped bytes of this log dropped here" "$f"
    check "flood: report.json says $dropped bytes of $s were dropped" \
        jq -e --arg s "$s" ".tests[0].log_dropped_bytes[\$s] == $dropped" "$work/out-flood/report.json"
done
it_done
