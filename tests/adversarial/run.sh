#!/usr/bin/env bash
# tests/adversarial/run.sh BUILD_DIR: hostile targets (hostile/main.go, and
# wrappers around it) against `leakcheck run`. Each case prints "held NAME"
# or "broke NAME: WHY"; the script exits 1 when any broke. A case holds
# when leakcheck ends on its own within 90 s with 0, 1 or 3 (never killed
# by a signal), writes a report.json that parses, prints no escape
# sequence or control character on stdout or stderr, and leaves no process
# of the target's tree alive (each case's target carries ADV_CASE=NAME in
# its environment, which everything it starts inherits). Extend it with a
# case whenever a bug is found. About 2 minutes on 2 busy cores.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -eq 1 ] && [ -x "$1/leakcheck" ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
lc=$(cd "$1" && pwd)/leakcheck
for t in go jq timeout; do
    command -v "$t" >/dev/null || { echo "run.sh: $t not found" >&2; exit 2; }
done
work=$(mktemp -d /tmp/leakcheck-adversarial.XXXXXX)
export GOCACHE=${GOCACHE:-$here/../go/bin/.cache/go-build} GOPROXY=off GOFLAGS='' GO111MODULE=off
go build -o "$work/hostile" "$here/hostile/main.go" || { echo "run.sh: cannot build hostile" >&2; exit 2; }
hostile=$work/hostile
broke=0 held=0

marked() { grep -lsxz "ADV_CASE=$1" /proc/[0-9]*/environ; }

# case NAME COMMAND-JSON TEST-BODY-JSON [CHECK-FUNCTION]
case_() {
    local name=$1 cmd=$2 body=$3 extra=${4:-} out=$work/out-$1 why="" code left
    cat >"$work/$name.json" <<JSON
{"suite": "adversarial", "tests": [{"name": "$name",
  "target": {"command": $cmd, "env": {"ADV_CASE": "$name"},
             "ready": "http://127.0.0.1:\${port}/healthz", "stop_grace": "1s"},
  $body}]}
JSON
    timeout -s KILL 90 "$lc" run "$work/$name.json" --out "$out" >"$work/$name.out" 2>"$work/$name.err"
    code=$?
    sleep 0.5
    case $code in
    0 | 1 | 3) ;;
    137) why="did not end within 90 s" ;;
    *) why="exit status $code" ;;
    esac
    [ -n "$why" ] || jq -e '.tests | length == 1' "$out/report.json" >/dev/null 2>&1 ||
        why="no report.json that parses"
    if [ -z "$why" ] && LC_ALL=C grep -q $'[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' "$work/$name.out" "$work/$name.err"; then
        why="a control character reached the terminal"
    fi
    left=$(marked "$name")
    if [ -n "$left" ]; then
        why="${why:+$why; }processes left: $left"
        for f in $left; do f=${f#/proc/}; kill -9 "${f%/environ}" 2>/dev/null; done
    fi
    if [ -z "$why" ] && [ -n "$extra" ]; then why=$("$extra" "$out/$name"); fi
    if [ -z "$why" ]; then
        echo "held $name (exit $code)"
        held=$((held + 1))
    else
        echo "broke $name: $why"
        broke=$((broke + 1))
    fi
}

serve() { echo "[\"$hostile\", \"-mode\", \"$1\", \"-addr\", \"127.0.0.1:\${port}\"]"; }
pprof='"sample": {"pprof": "http://127.0.0.1:${port}/debug/pprof", "interval": "200ms"}'
short='"baseline": "500ms", "observe": "1s"'
load='"load": {"url": "http://127.0.0.1:${port}/work", "concurrency": 4, "requests": 200, "timeout": "2s"}'
log_capped() {
    local size
    size=$(stat -c %s "$1/stderr.log" 2>/dev/null || echo 0)
    [ "$size" -le 2100000 ] || echo "stderr.log holds $size bytes"
    grep -q "bytes of this log dropped here" "$1/stderr.log" || echo "stderr.log does not say what was dropped"
}
case_ pprof-garbage "$(serve pprof-garbage)" "$pprof, $short, \"assert\": [\"goroutines < 1000\"]"
case_ metrics-garbage "$(serve metrics-garbage)" \
    "\"sample\": {\"prometheus\": \"http://127.0.0.1:\${port}/metrics\", \"interval\": \"200ms\"}, $short, \"assert\": [\"x < 1\", \"y < 1\"]"
case_ http-broken "$(serve http-broken)" "$load, \"assert\": [\"error_rate < 1%\"]"
case_ double-response "$(serve double-response)" "$load, \"assert\": [\"error_rate < 1%\"]"
case_ stderr-flood "$(serve stderr-flood)" "$short, \"assert\": [\"fds < 1000\"]" log_capped
case_ setsid-daemon "$(serve daemon)" "$short, \"assert\": [\"fds < 1000\"]"
case_ wrapper-ignores-term \
    "[\"sh\", \"-c\", \"trap '' TERM; $hostile -mode ignore-term -addr 127.0.0.1:\${port}; true\"]" \
    "$short, \"assert\": [\"fds < 1000\"]"

echo "adversarial: $held held, $broke broke"
if [ "$broke" -eq 0 ]; then rm -rf "$work"; else echo "outputs kept in $work"; fi
[ "$broke" -eq 0 ]
