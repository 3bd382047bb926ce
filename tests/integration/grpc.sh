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
# - --streams: several calls at once per connection;
# - TLS (ALPN h2, grpcsvc -cert): --cacert, self-signed refused, --insecure;
# - hostile: a server that is no gRPC server (HTTP/1.1 only), an answer
#   without grpc-status (h2echo), a message over 4 MiB, a method that is not
#   /pkg.Service/Method, a URL with a path, absurd --streams, no keep-alive.
#
# Needs bash, jq, python3, openssl and Go with Debian's golang-google-grpc-dev (or a built
# tests/go/bin/grpcsvc). Takes about 20 s. Ends with "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args grpc "$@"
it_need jq timeout python3 openssl
it_services grpcsvc h2echo
it_python jsonschema python3-jsonschema

it_init grpc
svc_pid=
tls_pids=()
stop_svc() {
    [ -z "$svc_pid" ] || { kill "$svc_pid" 2>/dev/null && wait "$svc_pid" 2>/dev/null; } || true
    for p in "${tls_pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    return 0
}
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

# several calls at once on one connection (the HTTP/2 engine's streams)
run_load streams -n 400 -c 1 --streams 8 -o json --grpc-method /leak.Svc/Echo \
    --grpc-message "$msg" "http://$addr"
check_jq "--streams 8 on one connection: 400 calls, all OK" \
    '.requests == 400 and .errors == 0 and .grpc_status.OK == 400' "$work/streams.out"

# ---- gRPC over TLS (ALPN h2): grpcsvc -cert, h2echo for a fake answer
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$work/key.pem" -out "$work/cert.pem" -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>"$work/openssl.err" ||
    { fail "openssl cannot make a certificate" "$(cat "$work/openssl.err")"; exit 1; }
start_tls() { # NAME COMMAND...: starts it, its "listening on" address in $tls_addr
    local name=$1
    shift
    "$@" >"$work/$name.srv" 2>"$work/$name.srverr" &
    tls_pids+=($!)
    for _ in $(seq 100); do grep -q '^listening on' "$work/$name.srv" 2>/dev/null && break; sleep 0.05; done
    tls_addr=$(awk '/^listening on/ {print $3}' "$work/$name.srv")
    [ -n "$tls_addr" ] || { fail "$name did not start" "$(cat "$work/$name.srverr")"; exit 1; }
}
start_tls grpctls "$gobin/grpcsvc" -addr 127.0.0.1:0 -grpc-addr 127.0.0.1:0 \
    -cert "$work/cert.pem" -key "$work/key.pem"
gtls=$tls_addr
run_load tls -n 200 -c 2 --streams 4 -o json --cacert "$work/cert.pem" \
    --grpc-method /leak.Svc/Echo --grpc-message "$msg" "https://$gtls"
check_jq "gRPC over TLS (--cacert): 200 calls, all OK, 19 body bytes each" \
    '.requests == 200 and .errors == 0 and .grpc_status.OK == 200 and .body_bytes == 200 * 19
     and .tls.handshakes == 2' "$work/tls.out"
run_load tls_selfsigned -n 4 -c 1 -o json --grpc-method /leak.Svc/Echo "https://$gtls"
check_jq "gRPC over TLS: a self-signed certificate is refused (tls errors, no call counted)" \
    '.errors == 4 and .errors_by_kind.tls == 4 and (.grpc_status | length) == 0' \
    "$work/tls_selfsigned.out"
run_load tls_fail -n 20 -c 1 -o json --insecure --grpc-method /leak.Svc/Fail "https://$gtls"
check_jq "gRPC over TLS (--insecure): Fail's 20 UNAVAILABLE counted by code" \
    '.errors_by_kind.grpc == 20 and .grpc_status.UNAVAILABLE == 20' "$work/tls_fail.out"
start_tls h2echo "$gobin/h2echo" -addr 127.0.0.1:0 -cert "$work/cert.pem" -key "$work/key.pem"
run_load nostatus -n 30 -c 1 --streams 3 -o json --cacert "$work/cert.pem" \
    --grpc-method /nostatus.Svc/Call "https://$tls_addr"
check_jq "an answer without grpc-status: 30 malformed, none counted OK" \
    '.errors == 30 and .errors_by_kind.malformed == 30 and (.grpc_status | length) == 0 and
     (.error_messages | keys[0] | test("no grpc-status"))' "$work/nostatus.out"
run_load proxy503 -n 30 -c 1 -o json --cacert "$work/cert.pem" \
    --grpc-method /unavailable.Svc/Call "https://$tls_addr"
check_jq "a 503 without grpc-status: 30 UNAVAILABLE (gRPC's mapping), each one error, not two" \
    '.requests == 30 and .errors == 30 and .errors_by_kind.grpc == 30 and
     .errors_by_kind.status == 0 and .grpc_status.UNAVAILABLE == 30 and .status["503"] == 30' \
    "$work/proxy503.out"

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
run_load manystreams -n 1 -c 1 --streams 100000 --grpc-method /leak.Svc/Echo "http://$addr"
check "--streams 100000 is refused" grep -q 'expected 1 to 1000' "$work/manystreams.err"
run_load nokeepalive -n 1 -c 1 -disable-keepalive --grpc-method /leak.Svc/Echo "http://$addr"
check "gRPC with -disable-keepalive is refused (HTTP/2)" \
    grep -q 'disable_keepalive do not go together' "$work/nokeepalive.err"

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
hostile "grpc with protocol http/1.1" 'gRPC is HTTP/2' \
    "{$u, \"protocol\": \"http/1.1\", \"grpc\": {\"method\": \"/a.B/C\"}}"
hostile "grpc with disable_keepalive" 'do not go together' \
    "{$u, \"disable_keepalive\": true, \"grpc\": {\"method\": \"/a.B/C\"}}"
printf '{"suite": "h", "tests": [{"name": "t", "load": %s}]}\n' \
    "{$u, \"streams\": 8, \"grpc\": {\"method\": \"/a.B/C\"}}" >"$work/streams.json"
check "grpc with streams (and no protocol) is a valid suite" "$lc" validate "$work/streams.json"
it_done
