#!/usr/bin/env bash
# End-to-end checks of `leakcheck load -h2` (HTTP/2 on nghttp2) against
# the Go server tests/go/h2echo (Go's net/http serves h2 over TLS) and a
# private nginx-light (`listen ... http2`: h2c with prior knowledge on one
# port, h2 over TLS on another, plain HTTP/1.1 TLS on a third):
#
#   tests/integration/h2.sh BUILD_DIR
#
# - h2 over TLS (ALPN h2) to Go: every request over HTTP/2, --streams 10
#   on 2 connections really puts 10 streams at once on a connection;
# - h2c (prior knowledge) to nginx; a server that picks http/1.1 by ALPN
#   is a tls error saying so, at once; -h2 without TLS to an HTTP/1-only
#   server (Go, Python) says it does not speak h2c;
# - 1 MiB bodies (beyond the 256 KiB stream window: WINDOW_UPDATEs);
# - GOAWAY: nginx ends each connection after 7 requests (keepalive_requests
#   7 sends GOAWAY); 200 requests on 10 streams all succeed, over >= 29
#   connections (TLS handshakes counted);
# - RST_STREAM (a Go handler that aborts) is the error kind rst_stream;
# - a refused connect, bad flags (--streams without -h2, 0, 1001), the
#   open model (--rate) and a suite's load with "protocol": "h2" and
#   "streams" (and those keys refused when wrong).
#
# Needs bash, jq, curl, openssl, nginx and Go (or a built tests/go/bin/h2echo).
# Takes about 10 s. Ends with "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args h2 "$@"
it_need jq curl openssl nginx timeout
it_services h2echo healthy

it_init h2
srv_pids=()
stop_servers() {
    local p
    for p in "${srv_pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    return 0
}
it_at_exit stop_servers

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$work/key.pem" -out "$work/cert.pem" -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>"$work/openssl.err" ||
    { fail "openssl cannot make a certificate" "$(cat "$work/openssl.err")"; exit 1; }

"$gobin/h2echo" -addr 127.0.0.1:0 -cert "$work/cert.pem" -key "$work/key.pem" >"$work/h2echo.out" 2>"$work/h2echo.err" &
srv_pids+=($!)
for _ in $(seq 100); do grep -q '^listening on' "$work/h2echo.out" 2>/dev/null && break; sleep 0.05; done
addr=$(awk '/^listening on/ {print $3}' "$work/h2echo.out")
[ -n "$addr" ] || { fail "h2echo did not start" "$(cat "$work/h2echo.err")"; exit 1; }
go=https://localhost:${addr##*:}
get() { curl -sS --max-time 5 --cacert "$work/cert.pem" "$go$1"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
h2c=$(free_port) tls=$(free_port) h1=$(free_port) few=$(free_port) fewtls=$(free_port)
head -c 1048576 /dev/zero >"$work/big"
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 100000;
    client_body_temp_path $work;
    server {
        listen 127.0.0.1:$h2c http2;
        root $work;
        location / { return 200 "ok\n"; }
        location /big { }
    }
    server {
        listen 127.0.0.1:$tls ssl http2;
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        location / { return 200 "ok\n"; }
    }
    server {
        listen 127.0.0.1:$few http2;
        keepalive_requests 7;
        location / { return 200 "ok\n"; }
    }
    server {
        listen 127.0.0.1:$fewtls ssl http2;
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        keepalive_requests 7;
        location / { return 200 "ok\n"; }
    }
    server {
        listen 127.0.0.1:$h1 ssl;
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        location / { return 200 "ok\n"; }
    }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work" -e "$work/nginx-error.log" &
srv_pids+=($!)
for p in $h2c $tls $h1 $few $fewtls; do
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
done

run_load() { # NAME ARGS...: stdout to $work/NAME.out, stderr NAME.err, status NAME.rc
    local name=$1
    shift
    set +e
    timeout 60 "$lc" load "$@" >"$work/$name.out" 2>"$work/$name.err"
    echo $? >"$work/$name.rc"
    set -e
}
ca=(--cacert "$work/cert.pem")

# ---- h2 over TLS to Go, several streams at once
get /reset >/dev/null
run_load streams -h2 -n 100 -c 2 --streams 10 "${ca[@]}" -o json "$go/slow"
get /count >"$work/streams.count"
check_jq "h2 to Go over TLS: 100 requests, no error" \
    '.requests == 100 and .errors == 0 and .status["200"] == 100 and .body_bytes == 600' "$work/streams.out"
check_jq "Go saw 100 HTTP/2 requests on 2 connections, 10 streams at once on one" \
    '.requests == 100 and .h2 == 100 and .conns == 2 and .max_streams == 10' "$work/streams.count"
get /reset >/dev/null
run_load onestream -h2 -n 40 -c 2 "${ca[@]}" -o json "$go/slow"
get /count >"$work/onestream.count"
check_jq "without --streams: one stream at a time per connection" \
    '.requests == 40 and .h2 == 40 and .max_streams == 1' "$work/onestream.count"

# ---- 1 MiB bodies: flow control (WINDOW_UPDATEs as DATA is consumed)
run_load big -h2 -n 20 -c 2 --streams 5 -t 10 "${ca[@]}" -o json "$go/big"
check_jq "1 MiB bodies from Go over h2: 20 complete, 20 MiB of body" \
    '.requests == 20 and .errors == 0 and .body_bytes == 20971520' "$work/big.out"
run_load bigc -h2 -n 20 -c 1 --streams 10 -t 10 -o json "http://127.0.0.1:$h2c/big"
check_jq "1 MiB bodies from nginx over h2c, 10 streams on one connection" \
    '.requests == 20 and .errors == 0 and .body_bytes == 20971520' "$work/bigc.out"

# ---- h2c with prior knowledge
run_load h2c -h2 -n 2000 -c 4 --streams 10 -o json "http://127.0.0.1:$h2c/"
check_jq "h2c to nginx: 2000 requests, 4 connections x 10 streams, no error" \
    '.requests == 2000 and .errors == 0 and .status["200"] == 2000' "$work/h2c.out"
run_load h1toh2c -n 10 -c 1 -o json "http://127.0.0.1:$h2c/"
check_jq "the same h2c port without -h2 (HTTP/1.1) fails: the flag matters" \
    '.requests == 10 and .errors == 10' "$work/h1toh2c.out"
# -h2 to servers that speak only HTTP/1: Go's net/http answers the preface
# with a status line, Python's http.server with an HTML page and a close
plain=$(free_port) pysrv=$(free_port) rstsrv=$(free_port)
"$gobin/healthy" -addr "127.0.0.1:$plain" >"$work/plain.log" 2>&1 &
srv_pids+=($!)
python3 -m http.server "$pysrv" --bind 127.0.0.1 --directory "$work" >"$work/pysrv.log" 2>&1 &
srv_pids+=($!)
# and a server that resets every connection it accepts (a target dying):
# a reset, not the hint
python3 -c '
import socket, struct, sys
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(64)
while True:
    c, _ = l.accept(); c.recv(64)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()
' "$rstsrv" >"$work/rstsrv.log" 2>&1 &
srv_pids+=($!)
for p in $plain $pysrv $rstsrv; do
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
done
no_h2c='.requests == 10 and .errors == 10 and .errors_by_kind.protocol == 10 and
    (.error_messages | keys | length == 1 and (.[0] | test("does not speak HTTP/2 without TLS \\(h2c")))'
run_load h2togo -h2 -n 10 -c 2 -o json "http://127.0.0.1:$plain/"
check_jq "-h2 to Go's HTTP/1-only server: 10 protocol errors, saying it does not speak h2c" \
    "$no_h2c and (.error_messages | keys[0] | test(\"answered in HTTP/1\"))" "$work/h2togo.out"
run_load h2topy -h2 -n 10 -c 2 -o json "http://127.0.0.1:$pysrv/"
check_jq "-h2 to Python's http.server (no frame, a close): the same hint" \
    "$no_h2c and (.error_messages | keys[0] | test(\"ended before the server sent a frame\"))" "$work/h2topy.out"
run_load h2torst -h2 -n 10 -c 2 -o json "http://127.0.0.1:$rstsrv/"
check_jq "-h2 to a server that resets each connection: resets, not the h2c hint" \
    '.errors == 10 and .errors_by_kind.reset == 10 and
     (.error_messages | keys | all(test("h2c") | not))' "$work/h2torst.out"

# ---- GOAWAY: nginx closes each connection after 7 requests
run_load goaway -h2 -n 200 -c 2 --streams 10 "${ca[@]}" -o json "https://localhost:$fewtls/"
check_jq "GOAWAY after 7 requests: 200 requests on 10 streams all succeed" \
    '.requests == 200 and .errors == 0 and .status["200"] == 200' "$work/goaway.out"
check_jq "... over new connections (>= 29 TLS handshakes)" '.tls.handshakes >= 29' "$work/goaway.out"
run_load goawayc -h2 -n 200 -c 1 --streams 10 -o json "http://127.0.0.1:$few/"
check_jq "GOAWAY over h2c: 200 requests, no error" \
    '.requests == 200 and .errors == 0' "$work/goawayc.out"

# ---- RST_STREAM is its own error kind
run_load rst -h2 -n 30 -c 1 --streams 3 "${ca[@]}" -o json "$go/rst"
check_jq "RST_STREAM from the server: 30 errors of kind rst_stream with the code" \
    '.requests == 30 and .errors_by_kind.rst_stream == 30 and
     (.error_messages | keys[0] | test("stream reset by the server: INTERNAL_ERROR"))' "$work/rst.out"

# ---- a server that picks http/1.1 by ALPN, and one that is not there
start=$(date +%s%N)
run_load alpn -h2 -n 10 -c 2 "${ca[@]}" -o json "https://localhost:$h1/"
ms=$((($(date +%s%N) - start) / 1000000))
check_jq "ALPN http/1.1: 10 tls errors naming the protocol the server chose" \
    '.requests == 10 and .errors_by_kind.tls == 10 and
     (.error_messages | keys[0] | test("does not speak HTTP/2 \\(ALPN chose http/1.1\\)"))' "$work/alpn.out"
if [ "$ms" -lt 2000 ]; then pass "... reported at once (${ms} ms)"; else fail "ALPN refusal took ${ms} ms"; fi
run_load refused -h2 -n 10 -c 2 --streams 4 -o json "http://127.0.0.1:1/"
check_jq "refused connect: 10 connect errors" \
    '.requests == 10 and .errors_by_kind.connect == 10' "$work/refused.out"
run_load notls -h2 -n 6 -c 1 -o json "$go/x"
check_jq "self-signed certificate refused over h2 too (verification on)" \
    '.requests == 6 and .errors_by_kind.tls == 6' "$work/notls.out"

# ---- open model: a request is a stream
run_load open -h2 --rate 400 -z 1s -c 2 --streams 5 -o json "http://127.0.0.1:$h2c/"
check_jq "open model over h2c: about 400 requests in 1 s, no error" \
    '.requests >= 360 and .requests <= 440 and .errors == 0' "$work/open.out"

# ---- bad flags
run_load s_noh2 -n 10 -c 1 --streams 4 "http://127.0.0.1:$h2c/"
check "--streams without -h2 is refused" grep -q -- "--streams: needs -h2" "$work/s_noh2.err"
run_load s_zero -h2 -n 10 -c 1 --streams 0 "http://127.0.0.1:$h2c/"
run_load s_big -h2 -n 10 -c 1 --streams 1001 "http://127.0.0.1:$h2c/"
check "--streams 0 and 1001 are refused" \
    test "$(cat "$work/s_zero.rc") $(cat "$work/s_big.rc")" = "2 2"
run_load s_hdr -h2 -n 1 -c 1 -H "Connection: close" "http://127.0.0.1:$h2c/"
check "a header HTTP/2 forbids is refused with a clear error" \
    grep -q "not allowed in HTTP/2" "$work/s_hdr.err"

# ---- a suite's load with "protocol": "h2"
suite_dir=$work/suite
mkdir -p "$suite_dir"
cp "$work/cert.pem" "$work/key.pem" "$suite_dir/"
write_suite() { # FILE PATH EXTRA-LOAD-KEYS
    cat >"$1" <<JSON
{"suite": "h2", "tests": [{"name": "h2 load",
  "target": {"command": ["$gobin/h2echo", "-addr", "127.0.0.1:\${port}", "-cert", "cert.pem",
                         "-key", "key.pem"],
             "ready": "https://127.0.0.1:\${port}/count"},
  "sample": {"proc": true, "interval": "100ms"},
  "baseline": "300ms",
  "load": {"url": "https://localhost:\${port}$2", "requests": 300, "concurrency": 3,
           "cacert": "cert.pem" $3},
  "settle": "300ms",
  "assert": ["fds <= baseline(fds) + 50"]}]}
JSON
}
write_suite "$suite_dir/ok.json" /x ', "protocol": "h2", "streams": 10'
write_suite "$suite_dir/rst.json" /rst ', "protocol": "h2", "streams": 10'
write_suite "$suite_dir/bad.json" /x ', "protocol": "h3"'
write_suite "$suite_dir/nostream.json" /x ', "streams": 4'
for s in ok rst bad nostream; do
    (cd "$suite_dir" && timeout 60 "$lc" run "$s.json" --insecure --out "out-$s" --no-color \
        >"$work/suite-$s.log" 2>&1) || true
done
check_jq "a suite's load with \"protocol\": \"h2\", \"streams\": 10: 300 requests, no errors" \
    '.tests[0].load.requests == 300 and .tests[0].load.errors == 0' "$suite_dir/out-ok/report.json"
check_jq "... over HTTP/2 indeed: /rst is 300 rst_stream errors" \
    '.tests[0].load.errors_by_kind.rst_stream == 300' "$suite_dir/out-rst/report.json"
check "a suite's \"protocol\": \"h3\" is refused" grep -q 'protocol is "http/1.1" or "h2"' "$work/suite-bad.log"
check "a suite's streams without protocol h2 is refused" grep -q 'streams needs "protocol": "h2"' \
    "$work/suite-nostream.log"

it_done
