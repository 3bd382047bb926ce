#!/usr/bin/env bash
# scripts/test.sh: builds everything and runs every test: the cmocka unit
# tests, then the integration tests on real Go services.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
meson test -C build --suite unit --print-errorlogs
tests/integration/all.sh build
