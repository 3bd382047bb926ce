#!/bin/sh
# Re-captures real profiles from Go binaries built with newer Go releases
# than Debian 12 ships, taken from npm packages (which carry prebuilt Go
# programs): buf (serves net/http/pprof with `buf lsp serve
# --debug-address`) and esbuild (a goroutine dump on SIGQUIT). Needs npm,
# curl and strings. Talks to 127.0.0.1 only; both programs are stopped.
set -eu
out=$(cd "$(dirname "$0")" && pwd)
BUF_VERSION=${BUF_VERSION:-1.75.0}
ESBUILD_VERSION=${ESBUILD_VERSION:-0.28.2}
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

(cd "$tmp" && npm install --no-save --ignore-scripts --silent \
    "@bufbuild/buf-linux-x64@$BUF_VERSION" "@esbuild/linux-x64@$ESBUILD_VERSION")
buf="$tmp/node_modules/@bufbuild/buf-linux-x64/bin/buf"
esbuild="$tmp/node_modules/@esbuild/linux-x64/bin/esbuild"
govers() { strings "$1" | grep -m1 -oE '^go1\.[0-9]+(\.[0-9]+)?'; }

# buf: net/http/pprof on its debug address; stdin kept open for the LSP.
port=$((20000 + $$ % 20000))
mkfifo "$tmp/in"
"$buf" lsp serve --debug-address "127.0.0.1:$port" <"$tmp/in" >/dev/null 2>"$tmp/buf.err" &
pid=$!
exec 3>"$tmp/in"
base="http://127.0.0.1:$port/debug/pprof"
i=0
until curl -s --max-time 1 -o /dev/null "$base/"; do
    i=$((i + 1))
    [ $i -gt 50 ] && { echo "buf did not start" >&2; exit 1; }
    sleep 0.2
done
get() { curl -sS --max-time 10 --fail "$base/$1" -o "$out/$2"; }
get 'goroutine?debug=1' buf-goroutine-debug1.txt
get 'goroutine?debug=2' buf-goroutine-debug2.txt
get 'heap?debug=1' buf-heap-debug1.txt
get 'heap?debug=1&gc=1' buf-heap-debug1-gc.txt
kill "$pid" || { cat "$tmp/buf.err" >&2; exit 1; }
exec 3>&-
wait "$pid" 2>/dev/null || true
pid=

# esbuild: a Go program prints every goroutine's stack on SIGQUIT. Its
# serve mode ends when stdin closes, so stdin is a fifo held open.
mkfifo "$tmp/in2"
"$esbuild" --servedir="$tmp" --serve="127.0.0.1:$((port + 1))" <"$tmp/in2" \
    2>"$tmp/esbuild.err" &
pid=$!
exec 4>"$tmp/in2"
sleep 1
kill -QUIT "$pid"
wait "$pid" 2>/dev/null || true
exec 4>&-
pid=
cp "$tmp/esbuild.err" "$out/esbuild-sigquit.txt"

{
    echo "buf $BUF_VERSION (@bufbuild/buf-linux-x64): $(govers "$buf")"
    echo "esbuild $ESBUILD_VERSION (@esbuild/linux-x64): $(govers "$esbuild")"
} >"$out/GO_VERSIONS"
cat "$out/GO_VERSIONS"
