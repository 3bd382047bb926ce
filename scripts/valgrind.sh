#!/usr/bin/env bash
# scripts/valgrind.sh: runs the integration tests (tests/integration/run.sh)
# with every leakcheck run under valgrind's memcheck, and fails unless they
# pass with no memcheck error and no definite or indirect leak in any run.
# The build is ./build (configured and built here when missing, as
# scripts/setup.sh does). The Go targets leakcheck starts are not traced
# (--trace-children=no), nor is a child between fork and exec. Each run's
# log is kept in build/valgrind/ (emptied first) and its summary printed.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
build=build
started=$(date +%s)
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
ninja -C "$build" >/dev/null

logs=$(cd "$build" && pwd)/valgrind
rm -rf "$logs"
mkdir -p "$logs"
wrapper=$logs/leakcheck-under-valgrind
# memcheck lets a program change only its soft fd limit, and only when the
# hard limit it asks for equals memcheck's own (RLIMIT_NOFILE: EPERM
# otherwise), so a target's "nofile": 1024 (soft and hard, like ulimit -n)
# would fail to start. With the soft limit at 1024 here, memcheck's limit
# is 1024 and that setrlimit succeeds -- as a no-op: under valgrind the
# targets keep the outer limits. Every suite run here asks for 1024.
cat >"$wrapper" <<EOF
#!/bin/sh
# runs leakcheck (the arguments) under memcheck; written by scripts/valgrind.sh
ulimit -S -n 1024
exec valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \\
    --show-leak-kinds=definite,indirect --error-exitcode=99 --child-silent-after-fork=yes \\
    --num-callers=30 --log-file="$logs/vg.%p.log" "\$@"
EOF
chmod +x "$wrapper"

rc=0
# memcheck runs leakcheck itself some 20-50 times slower: more time per suite
LEAKCHECK_WRAPPER=$wrapper LEAKCHECK_TIMEOUT=${LEAKCHECK_TIMEOUT:-400} \
    tests/integration/run.sh "$build" || rc=1

# One line per leakcheck run: its command and memcheck's verdict.
runs=0
bad=0
for f in "$logs"/vg.*.log; do
    [ -e "$f" ] || continue
    grep -q 'ERROR SUMMARY' "$f" || continue
    runs=$((runs + 1))
    cmd=$(sed -n 's/^==[0-9]*== Command: //p' "$f" | head -n 1)
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$f" | tail -n 1)
    definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tail -n 1)
    indirect=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tail -n 1)
    # "/path/leakcheck run /path/suite.json --out ...": "run suite.json"
    cmd=$(awk '{ n = split($3, p, "/"); print $2, p[n] }' <<<"$cmd")
    echo "valgrind: leakcheck $cmd: ${errors:-?} errors, definitely lost ${definite:-0} B," \
        "indirectly lost ${indirect:-0} B"
    if [ "${errors:-1}" != 0 ] || [ "${definite:-0}" != 0 ] || [ "${indirect:-0}" != 0 ]; then
        bad=$((bad + 1))
        echo "    log: $f"
    fi
done
echo "valgrind.sh: $runs leakcheck runs under memcheck, $bad with errors or leaks;" \
    "took $(($(date +%s) - started))s"
if [ "$runs" -eq 0 ]; then
    echo "valgrind.sh: FAILED: no memcheck log was written" >&2
    exit 1
fi
if [ "$rc" -ne 0 ] || [ "$bad" -ne 0 ]; then
    echo "valgrind.sh: FAILED" >&2
    exit 1
fi
echo "valgrind.sh: passed: no memcheck error and no leak"
