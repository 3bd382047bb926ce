#!/usr/bin/env bash
# End-to-end checks of gRPC unary calls against tests/go/grpcsvc (Debian's
# grpc-go, h2c):
#
#   tests/integration/grpc.sh BUILD_DIR
#
# - suites/grpc.json: the healthy method passes; the leaky one FAILs with
#   its handler's parked goroutine named as the culprit;
# - leakcheck load: 0 errors on Echo (a 1 MiB message too); UNAVAILABLE
#   from /leak.Svc/Fail and UNIMPLEMENTED for an unknown method counted as
#   errors by code name in the text, JSON and CSV outputs;
# - hostile: a server that is no gRPC server (HTTP/1.1 only), a message
#   over 4 MiB, a method that is not /pkg.Service/Method, a URL with a path.
#
# Needs bash, jq, python3 and Go with Debian's golang-google-grpc-dev (or a built
# tests/go/bin/grpcsvc). Takes about 20 s. Ends with "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args grpc "$@"
it_need jq timeout python3
it_services grpcsvc
it_python jsonschema python3-jsonschema

it_init grpc
svc_pid=
stop_svc() { [ -z "$svc_pid" ] || { kill "$svc_pid" 2>/dev/null && wait "$svc_pid" 2>/dev/null; } || true; }
it_at_exit stop_svc

# ---- the suite: healthy passes, leaky fails with the culprit
report=$work/suite/report.json
set +e
(cd "$here/suites" && timeout 120 "$lc" run grpc.json --out "$work/suite" --no-color \
    >"$work/suite.log" 2>&1)
rc=$?
set -e
check "the suite exits 1 (one test fails)" test "$rc" -eq 1
check_jq "Echo: passes, 2000 calls, all OK" \
    '.tests[0].verdict == "pass" and .tests[0].load.requests == 2000 and .tests[0].load.errors == 0
     and .tests[0].load.grpc_status.OK == 2000' "$report"
check_jq "Leak: fails, 2000 calls, all OK (the leak is not an error)" \
    '.tests[1].verdict == "fail" and .tests[1].load.grpc_status.OK == 2000' "$report"
check_jq "Leak: the culprit is the goroutine parked in awaitAuditAck" \
    '.tests[1].culprits[0].kind == "goroutine" and
     (.tests[1].culprits[0].function | test("awaitAuditAck"))' "$report"
check "junit.xml counts the calls by code" \
    grep -q 'name="grpc_status.OK" value="2000"' "$work/suite/junit.xml"
check "report.html has the gRPC status table" grep -q 'gRPC status' "$work/suite/report.html"
check "report.json (with load.grpc_status) is valid against reports/report.schema.json" \
    "$py" -c 'import json, sys, jsonschema
jsonschema.Draft7Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))' \
    "$root/reports/report.schema.json" "$report"

# ---- leakcheck load against a server of our own
"$gobin/grpcsvc" -addr 127.0.0.1:0 -grpc-addr 127.0.0.1:0 >"$work/svc.out" 2>"$work/svc.err" &
svc_pid=$!
for _ in $(seq 100); do
    grep -q '^listening on' "$work/svc.out" 2>/dev/null && break
    sleep 0.05
done
addr=$(awk '/^listening on/ {print $3}' "$work/svc.out")
[ -n "$addr" ] || { fail "grpcsvc did not start" "$(cat "$work/svc.err")"; exit 1; }
msg=$root/tests/go/grpcsvc/echo.bin
run_load() { # NAME ARGS...: stdout to $work/NAME.out
    local name=$1
    shift
    timeout 30 "$lc" load "$@" >"$work/$name.out" 2>"$work/$name.err" || true
}

run_load echo -n 500 -c 5 -o json --grpc-method /leak.Svc/Echo --grpc-message "$msg" "http://$addr"
check_jq "Echo: 500 calls, no errors, 19 body bytes each (prefix + message)" \
    '.requests == 500 and .errors == 0 and .grpc_status.OK == 500 and .status["200"] == 500
     and .body_bytes == 500 * 19' "$work/echo.out"
head -c 1048576 /dev/urandom >"$work/big.bin"
run_load big -n 20 -c 2 -o json --grpc-method /leak.Svc/Echo --grpc-message "$work/big.bin" \
    "http://$addr"
check_jq "a 1 MiB message each way: 20 calls, no errors (flow control)" \
    '.errors == 0 and .grpc_status.OK == 20 and .body_bytes == 20 * (1048576 + 5)' "$work/big.out"

run_load fail -n 100 -c 4 -o json --grpc-method /leak.Svc/Fail "http://$addr"
check_jq "Fail: 100 UNAVAILABLE, each an error of kind grpc with the server's message" \
    '.errors == 100 and .errors_by_kind.grpc == 100 and .grpc_status.UNAVAILABLE == 100 and
     .error_messages["grpc UNAVAILABLE: backend down"] == 100' "$work/fail.out"
run_load unknown -n 50 -c 2 -o json --grpc-method /leak.Svc/Nope "http://$addr"
check_jq "an unknown method: 50 UNIMPLEMENTED errors" \
    '.errors == 50 and .grpc_status.UNIMPLEMENTED == 50' "$work/unknown.out"
run_load seg1 --segment 1/2 -n 30 -c 2 -o json --grpc-method /leak.Svc/Fail "http://$addr"
run_load seg2 --segment 2/2 -n 30 -c 2 -o json --grpc-method /leak.Svc/Fail "http://$addr"
"$lc" load --merge "$work/seg1.out" "$work/seg2.out" >"$work/segs.out" 2>&1 || true
check_jq "load --merge adds the segments' calls by code: 30 UNAVAILABLE" \
    '.requests == 30 and .grpc_status.UNAVAILABLE == 30' "$work/segs.out"
run_load fail_text -n 20 -c 2 --grpc-method /leak.Svc/Fail "http://$addr"
check "the summary lists the calls by code name" grep -q '\[UNAVAILABLE\].*20 calls' "$work/fail_text.out"
check "the summary lists the error with the code name" \
    grep -q '\[20\].*grpc UNAVAILABLE: backend down' "$work/fail_text.out"
run_load fail_csv -n 10 -c 1 -o csv --grpc-method /leak.Svc/Fail "http://$addr"
check "CSV: a last column grpc-status, UNAVAILABLE on every line" \
    test "$(head -n1 "$work/fail_csv.out" | awk -F, '{print $NF}')" = grpc-status -a \
    "$(grep -c ',UNAVAILABLE$' "$work/fail_csv.out")" -eq 10

# ---- hostile
# the service's HTTP/1.1 port (net/http without h2c) answers no HTTP/2
run_load h1 -n 10 -c 1 -t 5 -o json --grpc-method /leak.Svc/Echo \
    "http://$(awk '/^http on/ {print $3}' "$work/svc.out")"
check_jq "a server that speaks no HTTP/2: 10 calls, 10 errors, none OK" \
    '.requests == 10 and .errors == 10 and (.grpc_status | length) == 0' "$work/h1.out"
# a server that accepts and never says a word: each call times out
cat >"$work/staller.py" <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])
PY
python3 "$work/staller.py" >"$work/staller.out" &
for _ in $(seq 100); do grep -q '^listening' "$work/staller.out" 2>/dev/null && break; sleep 0.05; done
run_load stall -n 2 -c 2 -t 1 -o json --grpc-method /leak.Svc/Echo \
    "http://$(awk '/^listening/ {print $3}' "$work/staller.out")"
check_jq "a server that never answers: 2 timeouts after -t 1" \
    '.requests == 2 and .errors_by_kind.timeout == 2' "$work/stall.out"
head -c $((4 * 1048576 + 1)) /dev/zero >"$work/huge.bin"
run_load huge -n 1 -c 1 --grpc-method /leak.Svc/Echo --grpc-message "$work/huge.bin" "http://$addr"
check "a message over 4 MiB is refused with the reason" \
    grep -q 'more than servers take' "$work/huge.err"
run_load badmethod -n 1 -c 1 --grpc-method leak.Svc/Echo "http://$addr"
check "a method without its leading slash is refused" \
    grep -q 'a gRPC method is /package.Service/Method' "$work/badmethod.err"
run_load withpath -n 1 -c 1 --grpc-method /leak.Svc/Echo "http://$addr/x"
check "a URL with a path is refused (the method is the path)" \
    grep -q 'without a path' "$work/withpath.err"

# ---- a suite's hostile "grpc" blocks, refused when read
hostile() { # DESCRIPTION EXPECTED-TEXT LOAD-JSON
    local f=$work/hostile.json
    printf '{"suite": "h", "tests": [{"name": "t", "load": %s}]}\n' "$3" >"$f"
    if "$lc" validate "$f" >"$work/hostile.out" 2>&1; then
        fail "$1 (accepted)"
    else
        check "$1" grep -q "$2" "$work/hostile.out"
    fi
}
u='"url": "http://127.0.0.1:1", "requests": 1'
hostile "grpc beside a body" 'drop method, body' "{$u, \"body\": \"x\", \"grpc\": {\"method\": \"/a.B/C\"}}"
hostile "grpc with a bad method" 'a gRPC method is' "{$u, \"grpc\": {\"method\": \"/a.B/C/D\"}}"
hostile "grpc without a method" 'method' "{$u, \"grpc\": {\"message\": \"m.bin\"}}"
hostile "grpc with a missing message file" 'cannot open' \
    "{$u, \"grpc\": {\"method\": \"/a.B/C\", \"message\": \"nope.bin\"}}"
hostile "grpc with a url that has a path" 'without a path' \
    "{\"url\": \"http://127.0.0.1:1/x\", \"requests\": 1, \"grpc\": {\"method\": \"/a.B/C\"}}"
hostile "grpc with an unknown key" 'did you mean "message"' \
    "{$u, \"grpc\": {\"method\": \"/a.B/C\", \"mesage\": \"m.bin\"}}"
it_done
