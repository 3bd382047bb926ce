#!/usr/bin/env bash
# scripts/sanitize.sh: builds the whole project with clang, AddressSanitizer
# and UndefinedBehaviorSanitizer including float-cast-overflow (a double
# converted to an integer it does not fit: NaN, 1e300, an infinite rate;
# gcc's -fsanitize=undefined leaves that check out) into ./build-asan, then
# runs the unit suite (which also replays the fuzz corpora and regression
# inputs, tests/fuzz/, through the instrumented parsers) and the integration
# tests against that build. Any sanitizer report (memory error, leak,
# undefined behaviour) stops the program that made it, so the test that ran
# it fails. Needs clang and libclang-rt-14-dev (.ci/run installs them) and
# what scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."

build="build-asan"
started=$(date +%s)
command -v clang >/dev/null || { echo "sanitize.sh: clang not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
# a build directory configured by another compiler (gcc, before) is redone
if [ -f "$build/build.ninja" ] && ! grep -q -- "-fsanitize=float-cast-overflow" "$build/build.ninja"; then
    rm -rf "$build"
fi
if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args='-fsanitize=float-cast-overflow -fno-sanitize-recover=all' >/dev/null
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
# absurd rates, limits and counts: where float-to-integer casts would go wrong
tests/integration/numbers.sh "$build" || rc=1
echo "sanitize.sh: integration tests took $(($(date +%s) - unit))s; $(($(date +%s) - started))s in all"
if [ "$rc" -ne 0 ]; then
    echo "sanitize.sh: FAILED (see the sanitizer reports above)" >&2
    exit 1
fi
echo "sanitize.sh: passed with ASan and UBSan (clang, float-cast-overflow included)"
