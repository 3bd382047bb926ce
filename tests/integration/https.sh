#!/usr/bin/env bash
# End-to-end checks of `leakcheck load` over TLS, against the Go server
# tests/go/tlsecho (it reports the SNI, ALPN and resumed sessions it saw)
# with certificates made here by openssl:
#
#   tests/integration/https.sh BUILD_DIR
#
# - verification on by default: a self-signed certificate is refused, each
#   request a "tls" error with OpenSSL's reason, none reaching the server;
# - --cacert FILE trusts it: all requests answered, SNI and host name
#   checked (a certificate for another name is refused), ALPN http/1.1;
# - --insecure: no verification;
# - reconnects resume the TLS session (-disable-keepalive); 1 MiB bodies;
# - hostile servers: plain HTTP behind an https URL, a server that closes
#   at once, one that never answers the handshake (a timeout);
# - a suite's load with "cacert" (relative to the suite) and without.
#
# Needs bash, jq, curl, openssl, python3 and Go (or a built tests/go/bin/tlsecho).
# Takes about 10 s. Ends with "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args https "$@"
it_need jq curl openssl python3 timeout
it_services tlsecho freezer

it_init https
srv_pids=()
stop_servers() {
    local p
    for p in "${srv_pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    return 0
}
it_at_exit stop_servers

# mkcert NAME SAN: a self-signed certificate $work/NAME.pem, key NAME.key
mkcert() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -keyout "$work/$1.key" -out "$work/$1.pem" -subj "/CN=$1" -addext "subjectAltName=$2" \
        2>"$work/$1.openssl" || { fail "openssl cannot make a certificate" "$(cat "$work/$1.openssl")"; exit 1; }
}
mkcert good "DNS:localhost,IP:127.0.0.1"
mkcert other "DNS:other.example"

# start NAME OUTFILE COMMAND...: runs a server printing "listening on ADDR"; sets $addr
start() {
    local out=$work/$1.out
    shift
    "$@" >"$out" 2>"$out.err" &
    srv_pids+=($!)
    for _ in $(seq 100); do
        grep -q '^listening on' "$out" 2>/dev/null && break
        sleep 0.05
    done
    addr=$(awk '/^listening on/ {print $3}' "$out")
    [ -n "$addr" ] || { fail "server did not start: $*" "$(cat "$out.err")"; exit 1; }
}

run_load() { # NAME ARGS...: JSON to $work/NAME.json, text to NAME.txt with -o text
    local name=$1
    shift
    timeout 30 "$lc" load "$@" >"$work/$name.out" 2>"$work/$name.err" || true
}

start tls "$gobin/tlsecho" -addr 127.0.0.1:0 -cert "$work/good.pem" -key "$work/good.key"
port=${addr##*:}
get() { curl -sS --max-time 5 --cacert "$work/good.pem" "https://localhost:$port$1"; }

# ---- verification on by default
get /reset >/dev/null
run_load refused -n 20 -c 2 -o json "https://localhost:$port/x"
get /count >"$work/refused.count"
check_jq "self-signed, no --cacert: 20 tls errors with OpenSSL's reason" \
    '.requests == 20 and .errors_by_kind.tls == 20 and
     .error_messages["Get \"https://localhost:'"$port"'/x\": tls: handshake: certificate verify failed: self-signed certificate"] == 20' \
    "$work/refused.out"
check_jq "self-signed, no --cacert: no request reached the server" '.requests == 0' "$work/refused.count"
run_load refused_text -n 4 -c 2 "https://localhost:$port/x"
check "the summary shows the reason in the error distribution" \
    grep -q '\[4\].*certificate verify failed: self-signed certificate' "$work/refused_text.out"

# ---- --cacert: verified, SNI, ALPN, keep-alive
get /reset >/dev/null
run_load valid -n 2000 -c 10 --cacert "$work/good.pem" -o json "https://localhost:$port/v"
get /count >"$work/valid.count"
get /last >"$work/valid.last"
check_jq "--cacert: 2000 requests, no errors, 6 body bytes each" \
    '.requests == 2000 and .errors == 0 and .status["200"] == 2000 and .body_bytes == 12000
     and .tls.handshakes == 10' "$work/valid.out"
check_jq "--cacert: the server answered 2000 on 10 kept-alive connections" \
    '.requests == 2000 and .conns == 10' "$work/valid.count"
check_jq "SNI: the server saw the name localhost; ALPN chose http/1.1" \
    '.sni == "localhost" and .alpn == "http/1.1"' "$work/valid.last"
get /reset >/dev/null
run_load byip -n 10 -c 1 --cacert "$work/good.pem" -o json "https://127.0.0.1:$port/ip"
get /last >"$work/byip.last"
check_jq "an IP address is checked against the certificate's IP, no SNI sent" \
    '.errors == 0' "$work/byip.out"
check_jq "an IP address: no server name sent" '.sni == ""' "$work/byip.last"
run_load wrongname -n 4 -c 1 --cacert "$work/other.pem" -o json "https://localhost:$port/n"
check_jq "a CA that did not sign the server's certificate: refused" \
    '.errors_by_kind.tls == 4' "$work/wrongname.out"
# a trusted certificate for another name: the host name check refuses it
start tls_other "$gobin/tlsecho" -addr 127.0.0.1:0 -cert "$work/other.pem" -key "$work/other.key"
run_load othername -n 4 -c 1 --cacert "$work/other.pem" -o json "https://localhost:${addr##*:}/n"
check_jq "a trusted certificate for another host name: refused (hostname mismatch)" \
    '.errors_by_kind.tls == 4 and (.error_messages | keys[0] | test("hostname mismatch"))' \
    "$work/othername.out"

# a body larger than the read buffer arrives in many TLS records, some of
# them held inside OpenSSL after a read: none may be lost or wait
run_load big -n 20 -c 2 --cacert "$work/good.pem" -o json "https://localhost:$port/big"
check_jq "1 MiB bodies over TLS: 20 complete, every byte counted" \
    '.requests == 20 and .errors == 0 and .body_bytes == 20 * 1048576' "$work/big.out"

# ---- --insecure
run_load insecure -n 200 -c 4 --insecure -o json "https://localhost:${addr##*:}/i"
check_jq "--insecure: the same server is used without verification" \
    '.requests == 200 and .errors == 0' "$work/insecure.out"

# ---- session resumption across reconnects
get /reset >/dev/null
run_load resume -n 40 -c 2 -disable-keepalive --cacert "$work/good.pem" -o json \
    "https://localhost:$port/r"
get /count >"$work/resume.count"
check_jq "-disable-keepalive: 40 connections, all but the first of each resumed (client's count)" \
    '.errors == 0 and .tls.handshakes == 40 and .tls.resumed >= 38' "$work/resume.out"
check_jq "-disable-keepalive: the server saw 38 or more resumed sessions of 40" \
    '.conns == 40 and .resumed >= 38' "$work/resume.count"

# ---- hostile servers
start plain "$gobin/freezer" -addr 127.0.0.1:0 -freeze 0s
run_load plain -n 4 -c 1 -o json "https://localhost:${addr##*:}/p"
check_jq "plain HTTP behind an https URL: tls errors with OpenSSL's reason" \
    '.errors_by_kind.tls == 4 and (.error_messages | keys[0] | test("tls: handshake: "))' \
    "$work/plain.out"
cat >"$work/hostile.py" <<'PY'
import socket, sys, time
mode = sys.argv[1]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept()
    if mode == "close":
        c.close()
    else:
        held.append(c)  # never answers the handshake
PY
start closer python3 "$work/hostile.py" close
run_load closer -n 4 -c 1 -o json "https://localhost:${addr##*:}/c"
check_jq "a server that closes at once: tls errors, connection closed" \
    '.errors_by_kind.tls == 4 and (.error_messages | keys[0] | test("tls: handshake: "))' \
    "$work/closer.out"
start staller python3 "$work/hostile.py" stall
run_load staller -n 2 -c 2 -t 1 -o json "https://localhost:${addr##*:}/s"
check_jq "a server that never answers the handshake: timeouts after -t 1" \
    '.requests == 2 and .errors_by_kind.timeout == 2' "$work/staller.out"

# ---- a suite's load over https
suite_dir=$work/suite
mkdir -p "$suite_dir"
cp "$work/good.pem" "$work/good.key" "$suite_dir/"
write_suite() { # FILE EXTRA-LOAD-KEYS
    cat >"$1" <<JSON
{"suite": "https", "tests": [{"name": "https load",
  "target": {"command": ["$gobin/tlsecho", "-addr", "127.0.0.1:\${port}", "-cert", "good.pem",
                         "-key", "good.key"],
             "ready": "https://127.0.0.1:\${port}/count"},
  "sample": {"proc": true, "interval": "100ms"},
  "baseline": "300ms",
  "load": {"url": "https://localhost:\${port}/suite", "requests": 500, "concurrency": 5 $2},
  "settle": "300ms",
  "assert": ["fds <= baseline(fds) + 50"]}]}
JSON
}
write_suite "$suite_dir/cacert.json" ', "cacert": "good.pem"'
write_suite "$suite_dir/default.json" ''
for s in cacert default; do
    (cd "$suite_dir" && timeout 60 "$lc" run "$s.json" --insecure --out "out-$s" --no-color \
        >"$work/suite-$s.log" 2>&1) || true
done
check_jq "a suite's load with \"cacert\" (relative to the suite): 500 requests, no errors" \
    '.tests[0].load.requests == 500 and .tests[0].load.errors == 0' "$suite_dir/out-cacert/report.json"
check_jq "a suite's load without cacert verifies (run --insecure is for the sources only)" \
    '.tests[0].load.errors_by_kind.tls == 500' "$suite_dir/out-default/report.json"
it_done
