#!/usr/bin/env bash
# End-to-end checks of leakcheck against real leaky and healthy Go services.
#
#   tests/integration/run.sh BUILD_DIR
#
# Runs BUILD_DIR/leakcheck on every suite under tests/integration/suites/
# and on suites/demo.json, and checks for each: the exit code, the verdicts
# in report.json, that exactly the expected assertions failed (the leak's
# own one among them, with the metric named in its message, the metric's
# growth visible in the report), that junit.xml validates against
# tests/data/schemas/junit-10.xsd, and that no target process is left
# behind. Also: a suite error starts nothing (exit 2), a target that cannot
# start is an infrastructure error (exit 3).
#
# Needs bash, jq, xmllint, pgrep, timeout and the built binaries: the Go
# services are (re)built with tests/go/build.sh when `go` is available,
# else they must already be in tests/go/bin. Prints one line per check and
# ends with "N passed, N failed"; exits non-zero when any check failed.
# The run works in a private copy under /tmp (kept when a check fails).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args run "$@"
# LEAKCHECK_WRAPPER: an executable that runs leakcheck (its arguments), e.g.
# the valgrind wrapper of scripts/valgrind.sh; LEAKCHECK_TIMEOUT: seconds
# per suite run (default 150).
wrap=(${LEAKCHECK_WRAPPER:+"$LEAKCHECK_WRAPPER"})
run_timeout=${LEAKCHECK_TIMEOUT:-150}
schema=$root/tests/data/schemas/junit-10.xsd
services=(goroutine-leak fd-leak conn-leak heap-leak closewait-leak healthy demo-svc bigalloc)

it_need jq xmllint pgrep timeout
[ -f "$schema" ] || { echo "run.sh: schema $schema not found" >&2; exit 2; }
it_services "${services[@]}"

# A private tree: the suites find the binaries at the same relative paths,
# and every target's command line contains $work, so leftovers are found
# precisely even when others run the same services on this machine.
it_init run
mkdir -p "$work/tests/go/bin" "$work/tests/integration" "$work/suites" "$work/out"
for s in "${services[@]}"; do cp "$gobin/$s" "$work/tests/go/bin/"; done
cp -r "$here/suites" "$work/tests/integration/suites"
cp "$root/suites/demo.json" "$work/suites/"

# run_suite LABEL SUITE_PATH EXIT VERDICT: runs one suite and checks what
# any run must give. Sets $report for the per-test checks.
run_suite() {
    local label=$1 suite=$2 want_rc=$3 want_verdict=$4
    local out=$work/out/$label rc=0 got
    timeout -k 5 "$run_timeout" "${wrap[@]}" "$lc" run "$suite" --out "$out" --no-color >"$out.log" 2>&1 || rc=$?
    if [ "$rc" -eq "$want_rc" ]; then
        pass "$label: exit code $want_rc"
    else
        fail "$label: exit code $want_rc" "got $rc"
        sed 's/^/    | /' "$out.log" | tail -n 25
    fi
    report=$out/report.json
    if [ "$want_rc" -eq 2 ]; then
        check_leftovers "$label"
        return 0
    fi
    if ! jq -e . "$report" >/dev/null 2>&1; then
        fail "$label: report.json is written and is JSON" "missing or unreadable"
        return 0
    fi
    pass "$label: report.json is written and is JSON"
    got=$(jq -r '.verdict' "$report")
    if [ "$got" = "$want_verdict" ]; then
        pass "$label: suite verdict $want_verdict"
    else
        fail "$label: suite verdict $want_verdict" "got $got"
    fi
    if [ ! -f "$out/junit.xml" ]; then
        fail "$label: junit.xml validates against junit-10.xsd" "junit.xml missing"
    elif xmllint --noout --schema "$schema" "$out/junit.xml" >"$out.xmllint" 2>&1; then
        pass "$label: junit.xml validates against junit-10.xsd"
    else
        fail "$label: junit.xml validates against junit-10.xsd"
        sed 's/^/    | /' "$out.xmllint" | tail -n 5
    fi
    check_leftovers "$label"
}

# check_leftovers LABEL: no process started from the private tree may still
# run once leakcheck has exited (any found are killed, by pid).
check_leftovers() {
    local pids
    pids=$(pgrep -f -- "$work/" || true)
    if [ -z "$pids" ]; then
        pass "$1: no target process left behind"
    else
        fail "$1: no target process left behind" "still running: ${pids//$'\n'/ }"
        # shellcheck disable=SC2086
        kill -9 $pids 2>/dev/null || true
    fi
}

# expect_test LABEL TEST VERDICT REQUESTS [EXPR@METRIC@MIN_GROWTH]...
# The test must have VERDICT and have sent REQUESTS requests (0: skip);
# the listed assertions must have failed (not errored), their message
# must name METRIC and the report's METRIC must have grown by MIN_GROWTH;
# every other assertion must have passed (unless VERDICT is error).
expect_test() {
    local label=$1 name=$2 want_verdict=$3 want_requests=$4
    shift 4
    local t="$label: \"$name\"" got spec expr metric growth n i
    if ! jq -e --arg n "$name" 'any(.tests[]; .name == $n)' "$report" >/dev/null 2>&1; then
        fail "$t: is in report.json" "no such test"
        return 0
    fi
    got=$(jq -r --arg n "$name" '.tests[] | select(.name == $n) | .verdict' "$report")
    if [ "$got" = "$want_verdict" ]; then
        pass "$t: verdict $want_verdict"
    else
        fail "$t: verdict $want_verdict" "got $got: $(jq -r --arg n "$name" \
            '.tests[] | select(.name == $n) | .error // "" | .[0:200]' "$report")"
    fi
    if [ "$want_requests" -gt 0 ]; then
        got=$(jq -r --arg n "$name" '.tests[] | select(.name == $n) | .load.requests' "$report")
        if [ "$got" = "$want_requests" ]; then
            pass "$t: $want_requests requests sent"
        else
            fail "$t: $want_requests requests sent" "report says $got"
        fi
    fi
    local -A must_fail=()
    for spec in "$@"; do
        IFS=@ read -r expr metric growth <<<"$spec"
        must_fail[$expr]=1
        got=$(jq -c --arg n "$name" --arg e "$expr" \
            '[.tests[] | select(.name == $n) | .assertions[] | select(.expr == $e)] | first' \
            "$report")
        if [ "$got" = "null" ]; then
            fail "$t: \"$expr\" fails" "assertion not in report"
            continue
        fi
        if jq -e '.passed == false and .errored == false' <<<"$got" >/dev/null; then
            pass "$t: \"$expr\" fails"
        else
            fail "$t: \"$expr\" fails" "$got"
        fi
        if jq -e --arg m "$metric" '.message | contains($m)' <<<"$got" >/dev/null; then
            pass "$t: failure message names $metric"
        else
            fail "$t: failure message names $metric" "$(jq -r .message <<<"$got")"
        fi
        got=$(jq -r --arg n "$name" --arg m "$metric" \
            '.tests[] | select(.name == $n) | .metrics[$m] | (.final - .baseline)' \
            "$report" 2>/dev/null || echo "?")
        if awk -v g="$got" -v m="$growth" 'BEGIN { exit !(g != "?" && g + 0 >= m + 0) }'; then
            pass "$t: $metric grew by >= $growth (by $got)"
        else
            fail "$t: $metric grew by >= $growth" "report: $got"
        fi
    done
    # An errored test's assertions could not be evaluated: nothing to pass.
    [ "$want_verdict" != error ] || return 0
    n=$(jq -r --arg n "$name" '.tests[] | select(.name == $n) | .assertions | length' "$report")
    for ((i = 0; i < n; i++)); do
        got=$(jq -c --arg n "$name" --argjson i "$i" \
            '.tests[] | select(.name == $n) | .assertions[$i]' "$report")
        expr=$(jq -r .expr <<<"$got")
        [ -z "${must_fail[$expr]:-}" ] || continue
        if jq -e '.passed == true and .errored == false' <<<"$got" >/dev/null; then
            pass "$t: \"$expr\" passes"
        else
            fail "$t: \"$expr\" passes" "$(jq -r .message <<<"$got")"
        fi
    done
}


# src_line FILE TEXT: the number of the first line of FILE holding TEXT.
src_line() { grep -nF -- "$2" "$1" | head -n 1 | cut -d: -f1; }

# expect_field LABEL TEST FIELD JQ_FILTER DESCRIPTION: the test's FIELD
# (report.json) must satisfy JQ_FILTER (given that field as input).
expect_field() {
    local label=$1 name=$2 field=$3 filter=$4 desc=$5 got
    got=$(jq -c --arg n "$name" --arg f "$field" '.tests[] | select(.name == $n) | .[$f]' "$report")
    if jq -e "$filter" <<<"$got" >/dev/null 2>&1; then
        pass "$label: \"$name\": $desc"
    else
        fail "$label: \"$name\": $desc" "$field: ${got:0:600}"
    fi
}

# expect_culprit LABEL TEST JQ_FILTER DESCRIPTION: the test's culprits
# must satisfy JQ_FILTER (given the culprits array as input).
expect_culprit() { expect_field "$1" "$2" culprits "$3" "$4"; }

# expect_measured LABEL TEST JQ_FILTER DESCRIPTION: the same for the
# process whose /proc figures were read (report.json "measured").
expect_measured() { expect_field "$1" "$2" measured "$3" "$4"; }

# expect_top_goroutine LABEL TEST FUNCTION SRC TEXT: the top culprit is the
# goroutine group of FUNCTION at SRC:(line of TEXT), said on the console too.
expect_top_goroutine() {
    local label=$1 name=$2 func=$3 src=$4 text=$5 line
    line=$(src_line "$root/$src" "$text")
    expect_culprit "$label" "$name" \
        ".[0].kind == \"goroutine\" and .[0].function == \"$func\" and
         (.[0].location | endswith(\"$src:$line\")) and .[0].growth > 0" \
        "top culprit is $func at $src:$line"
    check "$label: the console names $func at $src:$line" \
        grep -qF "in $func at" "$work/out/$label.log"
    check "$label: the console line has $src:$line" grep -qF "$src:$line" "$work/out/$label.log"
    check "$label: the JUnit failure message names the top culprit" \
        grep -qF "top culprit: +" "$work/out/$label/junit.xml"
}

# expect_pprof_opens LABEL TEST NEEDLE: the saved binary profiles open with
# go tool pprof -top -base (offline), and the diff names NEEDLE.
expect_pprof_opens() {
    local label=$1 name=$2 needle=$3 cmd dir
    command -v go >/dev/null || return 0
    cmd=$(jq -r --arg n "$name" '.tests[] | select(.name == $n) | .pprof_base_cmd' "$report")
    dir=$(jq -r --arg n "$name" '.tests[] | select(.name == $n) | .dir' "$report")
    if [[ "$cmd" != "go tool pprof -base "* ]]; then
        fail "$label: pprof_base_cmd is a go tool pprof -base command" "$cmd"
        return 0
    fi
    # shellcheck disable=SC2086
    # the command and the folder are relative to the reports' folder
    dir=$(dirname "$report")/$dir
    if (cd "$(dirname "$report")" && HOME=${HOME:-$work} go tool pprof -top -base ${cmd#go tool pprof -base }) \
        >"$work/out/$label.pprof" 2>&1 && grep -qF "$needle" "$work/out/$label.pprof"; then
        pass "$label: go tool pprof -top -base opens the saved goroutine profiles ($needle)"
    else
        fail "$label: go tool pprof -top -base opens the saved goroutine profiles" \
            "$(tail -n 3 "$work/out/$label.pprof")"
    fi
    if HOME=${HOME:-$work} go tool pprof -top -sample_index=inuse_space \
        -base "$dir/baseline-heap.pb.gz" "$dir/final-heap.pb.gz" >"$work/out/$label.heap" 2>&1; then
        pass "$label: go tool pprof -top -base opens the saved heap profiles"
    else
        fail "$label: go tool pprof -top -base opens the saved heap profiles" \
            "$(tail -n 3 "$work/out/$label.heap")"
    fi
    check "$label: leakcheck diff of the saved texts names $needle" \
        bash -c "'$lc' diff '$dir/baseline-goroutine.txt' '$dir/final-goroutine.txt' | grep -qF '$needle'"
}

S=$work/tests/integration/suites
GOROUTINES="goroutines stay within 20 of baseline"
FDS="fds <= baseline(fds) + 20"
ESTABLISHED="tcp_established <= baseline(tcp_established) + 10"
HEAP="growth(heap_inuse) < 8MB"
CLOSE_WAIT="tcp_close_wait == 0"
started=$(date +%s)

run_suite goroutine-leak "$S/goroutine-leak.json" 1 fail
expect_test goroutine-leak "quote deadline does not leak goroutines" fail 2000 \
    "$GOROUTINES@goroutines@300"
expect_top_goroutine goroutine-leak "quote deadline does not leak goroutines" \
    "main.(*service).priceWithin.func1" tests/go/goroutine-leak/main.go "ch <- s.engine.price(sku)"
expect_culprit goroutine-leak "quote deadline does not leak goroutines" \
    '.[0].detail | (contains("chan send") and contains("created by main.(*service).priceWithin"))' \
    "the wait state and the creator come from the debug=2 dump"
expect_pprof_opens goroutine-leak "quote deadline does not leak goroutines" "priceWithin.func1"
expect_field goroutine-leak "quote deadline does not leak goroutines" series \
    '.goroutines_blocked.v | length == 1 and .[0] >= 300' \
    "goroutines_blocked: one value, from the final debug=2 dump, the leaked ones in chan send"

SPOOL_CULPRIT='.[0].kind == "fd" and (.[0].location | contains("/ingest-spool-"))
    and .[0].growth >= 400 and (.[0].detail | contains("files in"))'
run_suite fd-leak "$S/fd-leak.json" 1 fail
expect_test fd-leak "repeated uploads do not leak file descriptors" fail 500 \
    "$FDS@fds@400"
expect_culprit fd-leak "repeated uploads do not leak file descriptors" "$SPOOL_CULPRIT" \
    "top culprit is the spool directory's files"
expect_measured fd-leak "repeated uploads do not leak file descriptors" \
    '.pid == .started_pid and .changes == 0 and (.how | startswith("listening on 127.0.0.1:"))' \
    "the started process is the one measured"

run_suite conn-leak "$S/conn-leak.json" 1 fail
expect_test conn-leak "inventory calls do not leak connections" fail 300 \
    "$ESTABLISHED@tcp_established@500" "$GOROUTINES@goroutines@500" "$FDS@fds@500"
expect_culprit conn-leak "inventory calls do not leak connections" \
    'any(.[]; .kind == "socket" and (.location | test("^127\\.0\\.0\\.1:[0-9]+$"))
     and (.location as $peer | .detail | contains("TCP sockets ESTABLISHED to " + $peer))
     and .growth >= 500)' \
    "a culprit names ESTABLISHED sockets and their peer"
check "conn-leak: the console says ESTABLISHED to the peer" \
    grep -qE "sockets: [0-9]+ TCP sockets ESTABLISHED to 127\.0\.0\.1:[0-9]+" "$work/out/conn-leak.log"

run_suite heap-leak "$S/heap-leak.json" 1 fail
expect_test heap-leak "statement rendering does not grow the heap" fail 1000 \
    "$HEAP@heap_inuse@20000000"
expect_culprit heap-leak "statement rendering does not grow the heap" \
    ".[0].kind == \"heap\" and .[0].function == \"main.render\" and
     (.[0].location | endswith(\"tests/go/heap-leak/main.go:$(src_line "$root/tests/go/heap-leak/main.go" 'fmt.Fprintf(&b, "%s  %-32s')\"))
     and .[0].growth >= 20000000" \
    "top culprit is main.render's allocation site"

run_suite closewait-leak "$S/closewait-leak.json" 1 fail
expect_test closewait-leak "device registrations do not pile up sockets" fail 300 \
    "$CLOSE_WAIT@tcp_close_wait@250" "$FDS@fds@250"
expect_culprit closewait-leak "device registrations do not pile up sockets" \
    'any(.[]; .kind == "socket" and (.detail | contains("TCP sockets CLOSE_WAIT to")) and .growth >= 250)' \
    "a culprit names the CLOSE_WAIT sockets"
check "closewait-leak: the console says CLOSE_WAIT" grep -qF "TCP sockets CLOSE_WAIT" "$work/out/closewait-leak.log"
expect_culprit closewait-leak "device registrations do not pile up sockets" \
    '[.[] | select(.detail | contains("CLOSE_WAIT"))] | length == 1 and .[0].basis == "level"' \
    "the CLOSE_WAIT sockets (grown, and holding the level tcp_close_wait == 0 fails on) are named once, as holders"
check "closewait-leak: the console says what they hold" \
    grep -qE "holds [0-9]+ sockets: [0-9]+ TCP sockets CLOSE_WAIT to" "$work/out/closewait-leak.log"

run_suite healthy "$S/healthy.json" 0 pass
expect_test healthy "orders pass every leak check" pass 2000
expect_test healthy "device registrations are cleaned up" pass 300
expect_field healthy "orders pass every leak check" series \
    '.goroutines_blocked.v | length == 1 and .[0] < 50' "goroutines_blocked: few, at the end"
expect_culprit healthy "orders pass every leak check" 'length == 0' "no culprits"
expect_culprit healthy "device registrations are cleaned up" 'length == 0' "no culprits"

# A wrapper hides nothing: /proc is read of the process listening on the
# test's port, so the leaky service started through `sh -c` (alone, or
# beside a decoy that listens on another port) fails exactly as when
# started directly, the healthy one passes, and a server its wrapper kills
# and starts again is followed.
SERVER='.pid != .started_pid and (.how | startswith("listening on 127.0.0.1:"))'
run_suite wrapped-sh "$S/wrapped-sh.json" 1 fail
for name in "fd-leak through sh -c" "fd-leak beside a decoy that listens too"; do
    expect_test wrapped-sh "$name" fail 500 "$FDS@fds@400"
    expect_culprit wrapped-sh "$name" "$SPOOL_CULPRIT" "top culprit is the spool directory's files"
    expect_measured wrapped-sh "$name" "$SERVER"' and (.command | contains("go/bin/fd-leak"))' \
        "the fd-leak server is measured, not sh nor the decoy"
done
expect_test wrapped-sh "healthy through sh -c" pass 2000
expect_culprit wrapped-sh "healthy through sh -c" 'length == 0' "no culprits"
expect_measured wrapped-sh "healthy through sh -c" "$SERVER"' and (.command | contains("go/bin/healthy"))' \
    "the healthy server is measured"
expect_test wrapped-sh "healthy restarted by its wrapper" pass 0
expect_measured wrapped-sh "healthy restarted by its wrapper" "$SERVER"' and .changes == 1' \
    "the restarted server is measured"
expect_field wrapped-sh "healthy restarted by its wrapper" series '.fds.v | last != null' \
    "the /proc figures go on after the restart"
expect_test wrapped-sh "an explicit listener is waited for" pass 0
expect_measured wrapped-sh "an explicit listener is waited for" "$SERVER"' and .changes == 0' \
    "only the listener is measured (\"measure\": {\"listening\": \"\${port}\"})"
check "wrapped-sh: the console names the measured process" \
    grep -q "measured pid [0-9]* (listening on 127.0.0.1:[0-9]*), not the target's pid" "$work/out/wrapped-sh.log"
check "wrapped-sh: the progress output names the restarted server" \
    grep -q "healthy restarted by its wrapper: now measuring pid" "$work/out/wrapped-sh.log"

# A listener a suite names that never comes: not ready, an error.
run_suite wrapped-no-listener "$S/wrapped-no-listener.json" 3 error
expect_test wrapped-no-listener "nothing listens on the named port" error 0
check "wrapped-no-listener: the error says that nothing listens on port 1" jq -e \
    '.tests[0].error | test("not ready after 2s: neither pid [0-9]+ nor any process it started listens on port 1 [(]target.measure[)]")' \
    "$work/out/wrapped-no-listener/report.json"

# The same with `go run` of the services' sources, offline: the suite's
# env turns the proxy off; the build cache is the one build.sh filled, and
# GOTMPDIR puts the binary go run builds under $work (found if left behind).
if command -v go >/dev/null; then
    cp -r "$root/tests/go/go.mod" "$root/tests/go/fd-leak" "$root/tests/go/healthy" \
        "$root/tests/go/internal" "$work/tests/go/"
    mkdir -p "$work/gotmp"
    export GOCACHE=${GOCACHE:-$gobin/.cache/go-build} GOPATH=${GOPATH:-$gobin/.cache/gopath}
    export GOTMPDIR=$work/gotmp
    run_suite wrapped-gorun "$S/wrapped-gorun.json" 1 fail
    expect_test wrapped-gorun "fd-leak through go run" fail 500 "$FDS@fds@400"
    expect_culprit wrapped-gorun "fd-leak through go run" "$SPOOL_CULPRIT" \
        "top culprit is the spool directory's files"
    expect_test wrapped-gorun "healthy through go run" pass 2000
    expect_culprit wrapped-gorun "healthy through go run" 'length == 0' "no culprits"
    for name in "fd-leak through go run" "healthy through go run"; do
        expect_measured wrapped-gorun "$name" "$SERVER"' and (.command | test("/exe/main -addr"))' \
            "the binary go run built is measured, not go"
    done
else
    echo "(go not found: the go run wrappers are not tested)"
fi

run_suite demo "$work/suites/demo.json" 1 fail
expect_test demo "shipping quotes do not leak goroutines" fail 1000 \
    "$GOROUTINES@goroutines@1000"
expect_test demo "order intake does not leak" pass 2000
expect_top_goroutine demo "shipping quotes do not leak goroutines" \
    "main.(*shop).quoteShipping.func1" suites/demo/main.go "answers <- askCarrier(c, req.Items)"
expect_culprit demo "order intake does not leak" 'length == 0' "no culprits"

# A level that is too high names what holds the most at the end, not what
# grew: the dispatcher takes 1 GiB and 300 files at start and then grows
# no more. The same service with a small queue passes and names nothing.
run_suite bigalloc "$S/bigalloc.json" 1 fail
BIG=tests/go/bigalloc/main.go
expect_test bigalloc "the job queue fits in 256 MB" fail 200 "heap_inuse < 256MB@heap_inuse@-1e12"
expect_culprit bigalloc "the job queue fits in 256 MB" \
    ".[0].kind == \"heap\" and .[0].basis == \"level\" and .[0].function == \"main.newQueue\" and
     (.[0].location | endswith(\"$BIG:$(src_line "$root/$BIG" 'return make(chan job, slots)')\"))
     and .[0].after >= 1e9" \
    "top culprit is main.newQueue's make(), holding 1 GiB"
expect_culprit bigalloc "the job queue fits in 256 MB" \
    'all(.[]; .basis == "level" and .kind == "heap")' \
    "only heap holders are named (the failed assertion is on the heap; nothing grew)"
check "bigalloc: the console says what the queue holds" \
    grep -qF "holds 1.0 GiB of heap (1.0 GiB at baseline) allocated in main.newQueue at" \
    "$work/out/bigalloc.log"
check "bigalloc: the JUnit failure message names the holder" \
    grep -qF "top culprit: holds 1.0 GiB of heap" "$work/out/bigalloc/junit.xml"
check "bigalloc: 1 GiB of heap costs the target little resident memory (rss < 200 MB)" jq -e \
    '.tests[0].metrics.rss.max < 200 * 1048576' "$work/out/bigalloc/report.json"
expect_test bigalloc "the journal keeps few files open" fail 200 "max(fds) <= 256@fds@-1e12"
expect_culprit bigalloc "the journal keeps few files open" \
    'length == 1 and .[0].kind == "fd" and .[0].basis == "level" and .[0].after == 300
     and (.[0].location | contains("/bigalloc-journal-"))
     and (.[0].detail | startswith("300 files in "))' \
    "the only culprit is the journal's 300 files"
check "bigalloc: the console says what the journal holds" \
    grep -qE "holds 300 fds: 300 files in /tmp/bigalloc-journal-" "$work/out/bigalloc.log"
expect_test bigalloc "a queue of 1024 jobs fits" pass 200
expect_culprit bigalloc "a queue of 1024 jobs fits" 'length == 0' "no culprits"

# A suite error is found before anything starts: exit 2, no target ran.
run_suite bad-key "$S/bad-key.json" 2 error
check "bad-key: no target was started" [ ! -e "$S/started.marker" ]
check "bad-key: the error names the misspelt key" grep -q 'concurency' "$work/out/bad-key.log"

# A target that cannot start is an infrastructure error.
run_suite no-such-command "$S/no-such-command.json" 3 error
expect_test no-such-command "missing service binary" error 0
check "no-such-command: the test's error names the command" jq -e \
    '.tests[0].error | type == "string" and contains("no-such-service")' \
    "$work/out/no-such-command/report.json"

# The example suites users copy must at least be valid.
for f in "$root"/suites/examples/*.json "$root/suites/demo.json"; do
    check "leakcheck validate ${f#"$root"/}" "${wrap[@]}" "$lc" validate "$f"
done

echo "integration run took $(($(date +%s) - started))s"
it_done
# it_cleanup (lib.sh's EXIT trap) prints the summary and sets the exit status.
