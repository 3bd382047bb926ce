#!/usr/bin/env bash
# scripts/test.sh: builds everything and runs every test: the cmocka unit
# tests, then the integration tests on real Go services.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
# dependencies point one way: assertions/, loadgen/ and reports/ know
# nothing of framework/ (nor of each other)
for m in assertions loadgen reports; do
    if grep -rnE '#include "(framework|assertions|loadgen|reports)/' "$m" | grep -v "\"$m/"; then
        echo "test.sh: $m/ includes another module (above); only common/ is allowed" >&2
        exit 1
    fi
done
# the tests read nothing outside the repository (a fresh clone has no
# ../shared; .ci/run proves it by testing one)
if grep -rnE '\.\./shared/' scripts tests .ci; then
    echo "test.sh: the lines above refer to a folder outside the repository" >&2
    exit 1
fi
meson test -C build --suite unit --print-errorlogs
tests/integration/all.sh build
