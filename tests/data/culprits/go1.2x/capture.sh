#!/bin/sh
# Re-captures esbuild-stack-overflow.txt: a Go 1.26 crash traceback with
# "...N frames elided..." (Go >= 1.21 prints the first and last 50 frames of
# a deep stack), "gp=0x... m=N" headers, "fp= sp= pc=" after file lines and
# "created by F in goroutine N". Debian 12 has only Go 1.19, so it comes
# from the esbuild binary of its npm package (built with Go 1.26.5), made
# to overflow its stack on two million nested array literals. Needs npm and
# python3; writes nothing but that file.
set -eu
out=$(cd "$(dirname "$0")" && pwd)
ESBUILD_VERSION=${ESBUILD_VERSION:-0.28.2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
(cd "$tmp" && npm install --no-save --ignore-scripts --silent "@esbuild/linux-x64@$ESBUILD_VERSION")
python3 -c "print('x = ' + '[' * 2000000 + ']' * 2000000)" >"$tmp/deep.js"
"$tmp/node_modules/@esbuild/linux-x64/bin/esbuild" "$tmp/deep.js" >/dev/null 2>"$out/esbuild-stack-overflow.txt" || true
grep -q 'frames elided' "$out/esbuild-stack-overflow.txt"
echo "captured into $out/esbuild-stack-overflow.txt"
