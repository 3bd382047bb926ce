#!/usr/bin/env bash
# suites/suite.schema.json (the suite format for editors) against the parser.
#
#   tests/integration/suite_schema.sh BUILD_DIR
#
# Runs suite_schema_check.py (its comment says what it checks): the key
# tables of suite/*.c against the schema's properties, both ways (and that
# a planted key is caught); suites using every key accepted by both
# BUILD_DIR/leakcheck validate and the schema; every example suite of the
# repository accepted by the schema where validate accepts it; hostile
# suites (one fault each, an unknown key in every object) refused by both.
#
# Needs python3 with jsonschema (Debian: python3-jsonschema). Prints one
# line per check and "N passed, N failed"; exits 1 when a check failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args suite_schema "$@"
it_python jsonschema python3-jsonschema
it_init suite_schema

out=$work/check.out
"$py" "$here/suite_schema_check.py" "$root" "$lc" "$work" >"$out" 2>&1 || true
while IFS= read -r line; do
    case $line in
    "PASS "*) pass "${line#PASS }" ;;
    "FAIL "*) fail "${line#FAIL }" ;;
    *) echo "$line" ;;
    esac
done <"$out"
# a crash of the checker is a failure, not silence
grep -q '^PASS suites/suite.schema.json is a valid' "$out" ||
    fail "suite_schema_check.py ran" "$(tail -n 3 "$out" | tr '\n' ' ')"
it_done
