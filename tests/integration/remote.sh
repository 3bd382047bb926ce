#!/usr/bin/env bash
# Targets elsewhere: a test with no local process takes fds, fd_limit, rss,
# threads (and goroutines, without pprof) from the target's Prometheus
# process and Go collectors, and judges as the same test with /proc does:
#
#   tests/integration/remote.sh BUILD_DIR
#
# - remote: tests/go fd-leak and healthy started by this script (as if in
#   another pod), the suite has no target, no pprof and "proc" false: the
#   fd leak FAILs on `fds`, the healthy service PASSes;
# - local: the same tests with a target and /proc: the same verdicts, the
#   same assertion results;
# - report.json says each metric's source ("prometheus" / "proc"), the
#   console and report.html name the figures read from Prometheus;
# - a TCP-state metric (tcp_close_wait) in a remote test is refused at
#   validation (exit 2, the message names it and says it needs /proc).
#
# Needs bash, jq and the Go services. Takes about 40 s. Prints one line per
# check and ends with "N passed, N failed"; exits non-zero when one failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args remote "$@"
it_need jq
it_services fd-leak healthy
it_init remote

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
svc_pids=()
stop_services() { local p; for p in "${svc_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
it_at_exit stop_services
# start_service NAME PORT: a service leakcheck did not start, with its fd limit
start_service() {
    (ulimit -n 1024 && exec "$gobin/$1" -addr "127.0.0.1:$2" -spool "$work") \
        >"$work/$1.out" 2>"$work/$1.err" &
    svc_pids+=($!)
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$2/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
    fail "$1 did not start" "$(tail -c 300 "$work/$1.err")"
}

# test_json NAME SERVICE BODY REQUESTS MODE PORT: one test; MODE remote (no
# target, no pprof, proc false) or local (a target, pprof, /proc)
test_json() {
    local name=$1 svc=$2 body=$3 n=$4 mode=$5 port=$6 target sample
    if [ "$mode" = remote ]; then
        target=
        sample="\"prometheus\": \"http://127.0.0.1:$port/metrics\", \"proc\": false"
    else
        target="\"target\": {\"command\": [\"$gobin/$svc\", \"-addr\", \"127.0.0.1:\${port}\", \"-spool\", \"$work\"],
                 \"nofile\": 1024, \"ready\": \"http://127.0.0.1:\${port}/healthz\"},"
        port='${port}'
        sample="\"prometheus\": \"http://127.0.0.1:$port/metrics\", \"pprof\": \"http://127.0.0.1:$port/debug/pprof\", \"proc\": true"
    fi
    cat <<JSON
    {"name": "$name", $target
     "sample": {$sample, "interval": "250ms"},
     "baseline": "1s",
     "load": {"url": "http://127.0.0.1:$port/work", "method": "POST",
              "headers": {"Content-Type": "application/json"}, "body": $(jq -Rn --arg b "$body" '$b'),
              "concurrency": 10, "requests": $n},
     "settle": "3s",
     "assert": ["fds <= baseline(fds) + 20", "fd_limit == 1024", "max(rss) < 512MB",
                "threads < 200", "goroutines stay within 20 of baseline", "error_rate < 1%"]}
JSON
}
leak_body='{"id":"doc-17","title":"quarterly report","tags":["finance","q3"]}'
ok_body='{"sku":"A-100","qty":2}'

# suite MODE [PORT_LEAK PORT_OK]
suite() {
    echo "{\"suite\": \"targets elsewhere ($1)\", \"tests\": ["
    test_json "fd leak" fd-leak "$leak_body" 500 "$1" "${2:-}"
    echo ","
    test_json "healthy" healthy "$ok_body" 1000 "$1" "${3:-}"
    echo "]}"
}

pl=$(free_port)
ph=$(free_port)
start_service fd-leak "$pl"
start_service healthy "$ph"
suite remote "$pl" "$ph" >"$work/remote.json"
suite local >"$work/local.json"

set +e
"$lc" run "$work/remote.json" --out "$work/out-remote" >"$work/remote.log" 2>&1
rc_remote=$?
"$lc" run "$work/local.json" --out "$work/out-local" >"$work/local.log" 2>&1
rc_local=$?
set -e
cat "$work/remote.log"
verdicts() { jq -c '[.tests[] | {name, verdict, a: [.assertions[] | {expr, passed}]}]' "$1/report.json"; }
check "remote: exit 1 (an assertion failed; got $rc_remote)" test "$rc_remote" -eq 1
check "local: exit 1 (got $rc_local)" test "$rc_local" -eq 1
check "remote: fd leak FAILs, healthy PASSes" \
    test "$(jq -c '[.tests[].verdict]' "$work/out-remote/report.json")" = '["fail","pass"]'
check "remote: the fd leak fails on fds alone" \
    test "$(jq -c '[.tests[0].assertions[] | select(.passed | not) | .metric]' "$work/out-remote/report.json")" = '["fds"]'
vr=$(verdicts "$work/out-remote")
vl=$(verdicts "$work/out-local")
if [ "$vr" = "$vl" ]; then pass "remote and local: the same verdicts and assertion results"; else
    fail "remote and local: the same verdicts and assertion results" "remote $vr, local $vl"; fi
check "remote report.json: fds, fd_limit, rss, threads, goroutines, heap_live from prometheus" \
    test "$(jq -c '[.tests[0].metrics | .fds, .fd_limit, .rss, .threads, .goroutines, .heap_live | .source] | unique' "$work/out-remote/report.json")" = '["prometheus"]'
# heap_live: the heap profiles', and the scrapes' once their GC counts agreed
check "local report.json: fds from proc, goroutines and heap_live from pprof (heap_live: and prometheus), error_rate from load" \
    jq -e '.tests[0].metrics | [.fds.source, .goroutines.source, .error_rate.source] == ["proc","pprof","load"]
           and (.heap_live.source | IN("pprof", "pprof+prometheus"))' "$work/out-local/report.json"
check "remote console names the figures read from Prometheus" \
    grep -q "from the target's Prometheus collectors (no /proc or pprof): .*fds" "$work/remote.log"
check "remote report.html names them too" \
    grep -q "from the target's Prometheus collectors" "$work/out-remote/report.html"
check "local console does not" bash -c "! grep -q 'Prometheus collectors' '$work/local.log'"
# the figures agree: the leak's fds growth seen both ways (500 uploads, most duplicates)
jq -r '.tests[0].metrics.fds | "remote fds: baseline \(.baseline) final \(.final) (\(.source))"' "$work/out-remote/report.json"
jq -r '.tests[0].metrics.fds | "local fds: baseline \(.baseline) final \(.final) (\(.source))"' "$work/out-local/report.json"

# ---- a TCP-state metric needs /proc
jq '.tests[0].assert += ["tcp_close_wait == 0"]' "$work/remote.json" >"$work/tcp.json"
set +e
"$lc" validate "$work/tcp.json" >"$work/tcp.out" 2>&1
rc=$?
set -e
check "remote tcp_close_wait: validate exits 2 (got $rc)" test "$rc" -eq 2
check "remote tcp_close_wait: the message names it and says it needs /proc" \
    grep -q "tcp_close_wait needs /proc" "$work/tcp.out"
it_done
