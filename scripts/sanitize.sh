#!/usr/bin/env bash
# scripts/sanitize.sh: builds the whole project with AddressSanitizer and
# UndefinedBehaviorSanitizer (gcc, -Db_sanitize=address,undefined) into
# ./build-asan, then runs the unit suite (which also replays the fuzz
# corpora, tests/fuzz/) and the integration tests against that build. Any
# sanitizer report (memory error, leak, undefined behaviour) stops the
# program that made it, so the test that ran it fails. Needs what
# scripts/setup.sh installs (run it first on a fresh machine).
set -euo pipefail
cd "$(dirname "$0")/.."

build="build-asan"
started=$(date +%s)
if [ ! -f "$build/build.ninja" ]; then
    CC=gcc meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C "$build" >/dev/null
built=$(date +%s)
echo "sanitize.sh: built $build in $((built - started))s"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# abort_on_error: a report ends in SIGABRT; no core files from that
ulimit -c 0

rc=0
meson test -C "$build" --suite unit --print-errorlogs || rc=1
unit=$(date +%s)
echo "sanitize.sh: unit suite took $((unit - built))s"
tests/integration/run.sh "$build" || rc=1
echo "sanitize.sh: integration tests took $(($(date +%s) - unit))s; $(($(date +%s) - started))s in all"
if [ "$rc" -ne 0 ]; then
    echo "sanitize.sh: FAILED (see the sanitizer reports above)" >&2
    exit 1
fi
echo "sanitize.sh: passed with ASan and UBSan"
