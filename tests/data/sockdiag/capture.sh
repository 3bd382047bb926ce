#!/bin/sh
# Re-captures the sock_diag answers of this folder (see capture.c and
# README.md). Needs cc and root (capture.c works in a network namespace
# of its own).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cc -O2 -Wall -o "$tmp/capture" "$here/capture.c"
rm -f "$here"/*.bin
(cd "$here" && "$tmp/capture")
uname -sr >"$here/KERNEL"
echo "captured into $here: $(ls "$here" | grep -c '\.bin$') answers"
