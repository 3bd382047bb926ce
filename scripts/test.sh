#!/usr/bin/env bash
# scripts/test.sh: builds everything and runs every test: the cmocka unit
# tests, then the integration tests on real Go services.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
# dependencies point one way, and the link order of the libraries follows
# them: common/ <- assertions/, loadgen/, reports/ <- sources/ <- suite/,
# target/, culprits/ <- run/ <- cli/. Each folder includes only itself and
# the folders listed for it (cli/ may include any).
modules='common|assertions|loadgen|reports|sources|suite|target|culprits|run|cli'
allow_only() { # DIR ALLOWED...
    local dir=$1 ok
    shift
    ok="#include \"($dir$(printf '|%s' "$@"))/"
    if grep -rnE "#include \"($modules)/" "$dir" | grep -vE "$ok"; then
        echo "test.sh: $dir/ includes a folder it must not (above); allowed: ${*:-none}" >&2
        exit 1
    fi
}
allow_only common
allow_only assertions common
allow_only loadgen common
allow_only reports common
allow_only sources common
allow_only suite common assertions reports
allow_only target common suite
allow_only culprits common sources suite
allow_only run common assertions loadgen reports sources suite target culprits
# the tests read nothing outside the repository (a fresh clone has no
# ../shared; .ci/run proves it by testing one)
if grep -rnE '\.\./shared/' scripts tests .ci; then
    echo "test.sh: the lines above refer to a folder outside the repository" >&2
    exit 1
fi
meson test -C build --suite unit --print-errorlogs
tests/integration/all.sh build
