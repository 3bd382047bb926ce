#!/usr/bin/env bash
# scripts/test.sh: builds everything and runs every test: the cmocka unit
# tests, then the integration tests on real Go services.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
meson test -C build --suite unit --print-errorlogs
tests/integration/run.sh build
tests/integration/faults.sh build
tests/integration/self.sh build
tests/integration/load.sh build
tests/integration/html.sh build
tests/integration/schema.sh build
tests/integration/compare.sh build
