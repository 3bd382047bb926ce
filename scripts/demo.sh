#!/usr/bin/env bash
# scripts/demo.sh: builds everything and runs the demo suite: one leaky test
# (it must fail) and one healthy test (it must pass).
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit $?
build/leakcheck run suites/demo.json --out leakcheck-out
code=$?
echo
if [ $code -eq 1 ]; then
    echo "exit code 1: an assertion failed -- the leaky test, as the demo intends."
    exit 0
fi
echo "unexpected exit code $code (the demo expects 1: one leaky test fails)" >&2
exit 1
