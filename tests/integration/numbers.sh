#!/usr/bin/env bash
# Absurd numbers and limits (issue 14): ceilings refused with the reason;
# rates of 1e-300 and the highest allowed end on time; the first SIGTERM
# stops a run within stop_grace plus a second; leakcheck raises its own
# descriptor limit for the load (and the target keeps the one it was
# given), and a load that cannot fit under the hard limit is refused with
# the numbers, as is a nofile the target may not have; a server that
# answers twice counts errors; a NaN gauge is named as NaN; a test whose
# target dies during the load shows no "ok" under its ERROR.
#
#   tests/integration/numbers.sh BUILD_DIR
#
# Needs jq, pgrep, setpriv and tests/go/bin/faulty and oddnums.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args numbers "$@"
it_need jq pgrep setpriv
it_services faulty oddnums
it_init numbers
mkdir -p "$work/bin"
# time limits stretch threefold for a sanitizer build (scripts/sanitize.sh)
slow=1
! grep -q -- "-fsanitize=" "$build/build.ninja" 2>/dev/null || slow=3
cp "$gobin/faulty" "$gobin/oddnums" "$work/bin/"

# suite NAME TARGET-ARGS LOAD [ASSERT] [EXTRA]: writes $work/NAME.json, one
# test of a $work/bin service (TARGET-ARGS: its name and flags as JSON
# strings) with the load block LOAD.
suite() {
    local extra=${5:-} asserts=${6:-'"fds < 10000"'}
    cat >"$work/$1.json" <<JSON
{"suite": "$1", "tests": [{"name": "$1",
  "target": {"command": ["bin/$2", "-addr", "127.0.0.1:\${port}"$3],
             "ready": "http://127.0.0.1:\${port}/healthz", "stop_grace": "1s"$extra},
  "sample": {"interval": "200ms"}, "baseline": "400ms", "settle": "200ms",
  "load": $4,
  "assert": [$asserts]}]}
JSON
}
# no process runs in $work (the targets' folder) any more
no_target_left() {
    local p
    for p in $(pgrep -f "bin/"); do
        [ "$(readlink "/proc/$p/cwd" 2>/dev/null)" != "$work" ] || return 1
    done
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
field() { jq -r ".tests[0] | $2" "$1/report.json"; }

# 1. Ceilings, refused by validate with the reason.
suite conc oddnums "" '{"url": "http://127.0.0.1:${port}/work", "concurrency": 1000000, "requests": 100}'
msg=$("$lc" validate "$work/conc.json" 2>&1); code=$?
check "concurrency 1000000: refused, exit 2 (got $code)" test "$code" -eq 2
check "concurrency 1000000: says the ceiling and why" grep -q "above the ceiling of 50000: one client address" <<<"$msg"
suite rate oddnums "" '{"url": "http://127.0.0.1:${port}/work", "rate": 1e308, "duration": "2s"}'
msg=$("$lc" validate "$work/rate.json" 2>&1); code=$?
check "rate 1e308: refused, exit 2 (got $code): $msg" bash -c "[ $code -eq 2 ] && grep -q 'above the ceiling of 1e+06/s' <<<'$msg'"
code=0; "$lc" load -z 1s --rate 1e300 http://127.0.0.1:1/ >/dev/null 2>&1 || code=$?
check "leakcheck load --rate 1e300: refused, exit 2 (got $code)" test "$code" -eq 2
code=0; "$lc" load -n 1 -t 1e300 http://127.0.0.1:1/ >/dev/null 2>&1 || code=$?
check "leakcheck load -t 1e300: refused, exit 2 (got $code)" test "$code" -eq 2

# 2. rate 1e-300 over 2 s: the first request of each worker and nothing
# more (1e-300/s puts the next one past any clock), ending on time.
suite tiny oddnums "" '{"url": "http://127.0.0.1:${port}/work", "rate": 1e-300, "duration": "2s", "concurrency": 2, "threads": 2}'
t0=$(date +%s%N)
timeout 30 "$lc" run "$work/tiny.json" --out "$work/out-tiny" --quiet >/dev/null 2>&1; code=$?
ms=$(ms_since "$t0")
check "rate 1e-300: passes (got $code)" test "$code" -eq 0
check "rate 1e-300: at most one request per worker (got $(field "$work/out-tiny" .load.requests))" \
    test "$(field "$work/out-tiny" .load.requests)" -le 2
check "rate 1e-300: the run took $ms ms (2 s of load), under $((8 * slow)) s" test "$ms" -lt $((8000 * slow))

# 3. The highest rate over 2 s: the load ends on time (what never left is
# counted late at once, not one by one).
suite top oddnums "" '{"url": "http://127.0.0.1:${port}/work", "rate": 1000000, "duration": "2s", "concurrency": 4}' \
    "" '"late_sends > 1000000"'
t0=$(date +%s%N)
timeout 60 "$lc" run "$work/top.json" --out "$work/out-top" --quiet >/dev/null 2>&1; code=$?
ms=$(ms_since "$t0")
check "rate 1e6 for 2 s: the run took $ms ms, under $((8 * slow)) s" test "$ms" -lt $((8000 * slow))
check "rate 1e6 for 2 s: the sends that never left are late, late_sends > 1e6 (got $code: $(field "$work/out-top" .assertions[0].message))" \
    test "$code" -eq 0

# 4. The first SIGTERM at the highest rate, the target ignoring SIGTERM:
# exit 130 within stop_grace (1 s) plus a second.
suite term faulty ', "-mode", "stubborn"' '{"url": "http://127.0.0.1:${port}/work", "rate": 1000000, "duration": "30s", "concurrency": 4}'
"$lc" run "$work/term.json" --out "$work/out-term" >"$work/term.log" 2>&1 &
pid=$!
for _ in $(seq 150); do grep -q ": load" "$work/term.log" && break; sleep 0.1; done
sleep 1
t0=$(date +%s%N)
kill -TERM $pid
wait $pid; code=$?
ms=$(ms_since "$t0")
check "SIGTERM at rate 1e6: exit 130 (got $code) within $((2 * slow)) s (took $ms ms)" \
    bash -c "[ $code -eq 130 ] && [ $ms -lt $((2000 * slow)) ]"
sleep 0.3
check "SIGTERM at rate 1e6: no target left running" no_target_left

# 5. A soft limit of 256 and 400 connections: leakcheck raises its own
# limit (no load error for a healthy target) and the target keeps 256.
# (Go raises its own soft limit: a shell in front notes the one it got.)
suite fds oddnums "" '{"url": "http://127.0.0.1:${port}/work", "concurrency": 400, "requests": 4000}' \
    "" '"errors == 0"'
sed -i "s|\"command\": \[\"bin/oddnums\", \"-addr\", \"127.0.0.1:\${port}\"\]|\"command\": [\"sh\", \"-c\", \"ulimit -Sn >$work/soft.txt; exec bin/oddnums -addr 127.0.0.1:\${port}\"]|" "$work/fds.json"
(ulimit -Sn 256 && "$lc" run "$work/fds.json" --out "$work/out-fds" --quiet >/dev/null 2>&1); code=$?
check "ulimit -Sn 256, 400 connections: passes (got $code; errors $(field "$work/out-fds" .load.errors))" \
    test "$code" -eq 0
check "ulimit -Sn 256: the target still gets 256 ($(cat "$work/soft.txt" 2>&1))" \
    test "$(cat "$work/soft.txt")" = 256

# 6. A hard limit of 300 and 400 connections: refused with the numbers.
msg=$(ulimit -n 300 && "$lc" validate "$work/fds.json" 2>&1); code=$?
check "ulimit -Hn 300, 400 connections: refused, exit 2 (got $code)" test "$code" -eq 2
check "ulimit -Hn 300: the message has the numbers ($msg)" \
    grep -q "400 connections need about [0-9]* file descriptors.*hard limit is 300 (ulimit -Hn)" <<<"$msg"

# 7. nofile above the hard limit, without the right to raise it: the
# error has the numbers.
suite nofile oddnums "" '{"url": "http://127.0.0.1:${port}/work", "requests": 10}' ', "nofile": 8192'
(ulimit -n 4096 && setpriv --bounding-set=-sys_resource "$lc" run "$work/nofile.json" \
    --out "$work/out-nofile" --quiet >/dev/null 2>&1); code=$?
err=$(field "$work/out-nofile" .error)
check "nofile 8192 over a hard limit of 4096: exit 3 (got $code)" test "$code" -eq 3
check "nofile 8192: the error has the numbers ($err)" \
    grep -q "cannot set nofile 8192 .*above the hard limit 4096 (ulimit -Hn)" <<<"$err"

# 8. Two responses to every request: errors, not successes.
suite double oddnums ', "-mode", "double"' '{"url": "http://127.0.0.1:${port}/work", "concurrency": 2, "requests": 100}' \
    "" '"errors == 0"'
"$lc" run "$work/double.json" --out "$work/out-double" --quiet >/dev/null 2>&1; code=$?
errs=$(field "$work/out-double" .load.errors)
check "two responses per request: not a pass (got $code)" test "$code" -ne 0
check "two responses per request: every request an error ($errs of 100)" test "$errs" -eq 100

# 9. A gauge served as NaN is named as such.
suite nan oddnums ', "-mode", "nan"' '{"url": "http://127.0.0.1:${port}/work", "requests": 10}' \
    "" '"odd_ratio < 1", "odd_ok == 1"'
sed -i 's|"sample": {|"sample": {"prometheus": "http://127.0.0.1:${port}/metrics", |' "$work/nan.json"
"$lc" run "$work/nan.json" --out "$work/out-nan" --quiet >/dev/null 2>&1; code=$?
msg=$(field "$work/out-nan" '.assertions[0].message')
check "NaN gauge: an error (got $code)" test "$code" -eq 3
check "NaN gauge: says the source served NaN ($msg)" grep -q "odd_ratio was NaN in all of its [0-9]* samples (the source served NaN)" <<<"$msg"

# 10. The target dies during the load: ERROR, and no assertion reads ok.
suite dies faulty ', "-mode", "panic", "-after", "1200ms"' '{"url": "http://127.0.0.1:${port}/work", "duration": "5s", "concurrency": 2}' \
    "" '"fds < 10000", "threads < 10000"'
"$lc" run "$work/dies.json" --out "$work/out-dies" --no-color >"$work/dies.out" 2>&1; code=$?
check "target dies in the load: exit 3 (got $code)" test "$code" -eq 3
check "target dies in the load: every assertion not judged" \
    jq -e '.tests[0].assertions | length == 2 and all(.errored and (.passed | not) and (.message | test("not judged: the test stopped early")))' "$work/out-dies/report.json"
check "target dies in the load: no ok line under the ERROR on the console" \
    bash -c "grep -q ERROR '$work/dies.out' && ! grep -q '^ *ok ' '$work/dies.out'"
it_done
