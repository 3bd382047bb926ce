#!/usr/bin/env bash
# scripts/fuzz.sh SECONDS [TARGET...]: builds the libFuzzer targets of
# tests/fuzz (clang, -Dfuzz=true, into ./build-fuzz) and runs each for
# SECONDS (all of them, or the TARGETs named: pprof_goroutine pprof_heap
# prom procfs expr suite http_parse sockdiag h2 grpc), one after another under nice. Prints
# the executions per target and fails on any crash, sanitizer report, leak,
# timeout or broken check; the input that did it is saved under
# build-fuzz/fuzz-out/<target>/ (the path is printed). UBSan findings stop
# the target too (-fno-sanitize-recover=all). The seeds in
# tests/fuzz/corpus/<target>/ and the tokens of tests/fuzz/dict/<target>.dict
# are only read; what a run learns is kept in
# build-fuzz/fuzz-out/<target>/corpus for the next run.
#
# To keep a fixed crash as a regression test, copy the input into
# tests/fuzz/regress/<target>/: the unit suite replays that folder.
set -euo pipefail
cd "$(dirname "$0")/.."

all=(pprof_goroutine pprof_heap prom procfs expr suite http_parse sockdiag h2 grpc)
if [ $# -lt 1 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 SECONDS [TARGET...]   (targets: ${all[*]})" >&2
    exit 2
fi
seconds=$1
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
    [ -f "tests/fuzz/fuzz_$t.c" ] || { echo "fuzz.sh: no target $t (${all[*]})" >&2; exit 2; }
done
command -v clang >/dev/null || { echo "fuzz.sh: clang not found (apt-get install clang)" >&2; exit 2; }

build="build-fuzz"
started=$(date +%s)
# a build directory from before float-cast-overflow was checked is redone
if [ -f "$build/build.ninja" ] && ! grep -q -- "float-cast-overflow" "$build/build.ninja"; then
    rm -rf "$build"
fi
if [ ! -f "$build/build.ninja" ]; then
    # libFuzzer needs clang; the libraries are instrumented for coverage
    # (fuzzer-no-link) and sanitized like the targets (tests/fuzz/meson.build)
    CC=clang meson setup "$build" -Dfuzz=true -Db_lundef=false -Db_sanitize=address,undefined \
        -Dc_args='-fsanitize=fuzzer-no-link,float-cast-overflow -fno-sanitize-recover=all' >"$build.setup.log" 2>&1 ||
        { cat "$build.setup.log" >&2; echo "fuzz.sh: meson setup failed" >&2; exit 2; }
    rm -f "$build.setup.log"
fi
# only the fuzz targets: the rest of the tree need not build with clang
if ! ninja -C "$build" "${targets[@]/#/tests/fuzz/fuzz_}" >"$build/fuzz-build.log" 2>&1; then
    grep -E 'error|FAILED' "$build/fuzz-build.log" | head -n 20 >&2
    echo "fuzz.sh: the build failed (log: $build/fuzz-build.log)" >&2
    exit 2
fi
echo "fuzz.sh: built in $(($(date +%s) - started))s; ${seconds}s per target"

failed=()
printf '%-16s %12s %9s %7s %7s  %s\n' target execs execs/s cov corpus result
for t in "${targets[@]}"; do
    out=$build/fuzz-out/$t
    mkdir -p "$out/corpus"
    log=$out/fuzz.log
    rc=0
    touch "$out/.start"
    dict=()
    [ ! -f "tests/fuzz/dict/$t.dict" ] || dict=(-dict="tests/fuzz/dict/$t.dict")
    # stdin from /dev/null: a suite's body_file may name /dev/stdin
    nice -n 10 timeout -k 10 $((seconds + 300)) "$build/tests/fuzz/fuzz_$t" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        "${dict[@]}" -artifact_prefix="$out/" "$out/corpus" "tests/fuzz/corpus/$t" </dev/null >"$log" 2>&1 ||
        rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    done_line=$(grep -E '^#[0-9]+.*(DONE|cov:)' "$log" | tail -n 1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$done_line")
    artifacts=$(find "$out" -maxdepth 1 -type f \
        \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) \
        -newer "$out/.start" 2>/dev/null || true)
    if [ "$rc" -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc)"
        failed+=("$t")
    fi
    printf '%-16s %12s %9s %7s %7s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
        "${corp:-?}" "$result"
    if [ "$rc" -ne 0 ]; then
        grep -E 'ERROR: |SUMMARY: |check failed|differs|runtime error' "$log" | head -n 5 |
            sed 's/^/    | /'
        for a in $artifacts; do echo "    input saved: $a"; done
        echo "    log: $log"
    fi
done
echo "fuzz.sh: took $(($(date +%s) - started))s"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz.sh: no crash in ${#targets[@]} targets"
