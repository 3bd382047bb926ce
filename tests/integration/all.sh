#!/usr/bin/env bash
# Runs every integration script against BUILD_DIR, each to its end even when
# an earlier one failed, and closes with the total "N passed, N failed".
#
#   tests/integration/all.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
scripts=(run faults self load https h2 grpc html schema suite_schema compare series batch observe cost soak numbers vars junit ci_jobs outlive files package checkpoint segment remote shard examples)
total_pass=0 total_fail=0 broken=()
for name in "${scripts[@]}"; do
    echo "== tests/integration/$name.sh"
    log=$(mktemp)
    start=$(date +%s)
    "$here/$name.sh" "$1" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    rm -f "$log"
    if [ -z "$line" ]; then
        # a script that printed no closing line counts as one failure
        total_fail=$((total_fail + 1))
        broken+=("$name.sh (exit $rc, no summary)")
        continue
    fi
    p=${line%% passed*}
    f=${line#*passed, }
    f=${f%% failed*}
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then broken+=("$name.sh (exit $rc)"); fi
    echo "== $name.sh: $line in $(($(date +%s) - start))s"
done
[ ${#broken[@]} -eq 0 ] || echo "failing: ${broken[*]}"
echo "integration: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ ${#broken[@]} -eq 0 ]
