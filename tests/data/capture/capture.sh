#!/bin/sh
# Re-captures the Go 1.19 pprof texts (tests/data/pprof/go1.19/) and the
# /proc texts (tests/data/proc/go-capture/) from the capture program in
# this folder. Needs go (Debian's golang-go) and curl. Talks to 127.0.0.1
# only; the program is stopped at the end.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=$(cd "$here/.." && pwd)
pp="$data/pprof/go1.19"
pr="$data/proc/go-capture"
mkdir -p "$pp" "$pr"
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# Built in place so the frames carry the real path of "wait here.go".
(cd "$here" && GOFLAGS=-mod=mod go build -o "$tmp/capture" .)
"$tmp/capture" >"$tmp/out" 2>"$tmp/err" &
pid=$!
i=0
until grep -q '^ready$' "$tmp/out"; do
    i=$((i + 1))
    [ $i -gt 100 ] && { echo "capture program did not start" >&2; cat "$tmp/err" >&2; exit 1; }
    sleep 0.1
done

# /proc first, before curl adds connections of its own.
for f in status limits net/tcp net/tcp6; do
    cat "/proc/$pid/$f" >"$pr/$(echo "$f" | tr / _)"
done
for f in /proc/$pid/fd/*; do
    printf '%s %s\n' "${f##*/}" "$(readlink "$f" || echo gone)"
done >"$pr/fd.txt"
sed -n 's/^sock //p' "$tmp/out" >"$pr/sockets.txt"

addr=$(sed -n 's/^pprof //p' "$tmp/out")
get() { curl -sS --max-time 10 --fail "http://$addr/debug/pprof/$1" -o "$2"; }
get '' "$pp/index.html"
get 'goroutine?debug=1' "$pp/goroutine-debug1.txt"
get 'goroutine?debug=2' "$pp/goroutine-debug2.txt"
get 'heap?debug=1' "$pp/heap-debug1.txt"
get 'heap?debug=1&gc=1' "$pp/heap-debug1-gc.txt"
go version >"$pp/GO_VERSION"
echo "captured into $pp and $pr"
