#!/usr/bin/env bash
# report.json against its JSON Schema (reports/report.schema.json).
#
#   tests/integration/schema.sh BUILD_DIR
#
# Runs BUILD_DIR/leakcheck on real Go services (a leaky one, a healthy one
# with two tests, a target that cannot start, whose test errors, and one
# whose levels fail, with level culprits) and
# validates every report.json against the schema with python3-jsonschema.
# Then the check must be able to fail: copies broken on purpose (a missing
# verdict, a boolean that is a string, a series beyond 1000 points, an
# unknown key) must each be rejected.
#
# Needs python3 with jsonschema (Debian: python3-jsonschema; scripts/setup.sh
# installs it), jq, pgrep, timeout. Prints one line per check and "N passed,
# N failed"; exits 1 when a check failed. Works in a private copy under /tmp
# (kept when a check fails).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args schema "$@"
schema=$root/reports/report.schema.json

it_python jsonschema python3-jsonschema
it_need jq pgrep timeout
it_services goroutine-leak healthy bigalloc

it_init schema
mkdir -p "$work/tests/go/bin" "$work/tests/integration/suites" "$work/out"
cp "$gobin/goroutine-leak" "$gobin/healthy" "$gobin/bigalloc" "$work/tests/go/bin/"
for s in goroutine-leak healthy no-such-command bigalloc; do
    cp "$here/suites/$s.json" "$work/tests/integration/suites/"
done

# validate FILE: 0 when FILE is valid against the schema; the first errors
# on stderr otherwise.
validate() {
    "$py" - "$schema" "$1" <<'EOF'
import json, sys
import jsonschema
with open(sys.argv[1]) as f:
    schema = json.load(f)
jsonschema.Draft7Validator.check_schema(schema)
with open(sys.argv[2]) as f:
    doc = json.load(f)
errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:5]:
    print("/".join(str(p) for p in e.absolute_path) or "(top)", ":", e.message[:300], file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
}

if "$py" -c 'import json, sys, jsonschema; jsonschema.Draft7Validator.check_schema(json.load(open(sys.argv[1])))' "$schema" 2>"$work/schema.err"; then
    pass "report.schema.json is a valid draft-07 schema"
else
    fail "report.schema.json is a valid draft-07 schema" "$(tail -n 1 "$work/schema.err")"
fi

# run LABEL SUITE WANT_EXIT: one real run; its report must validate.
run() {
    local label=$1 suite=$2 want=$3 rc=0
    timeout -k 5 150 "$lc" run "$work/tests/integration/suites/$suite.json" \
        --out "$work/out/$label" --no-color >"$work/out/$label.log" 2>&1 || rc=$?
    if [ "$rc" -eq "$want" ]; then pass "$label: exit code $want"; else fail "$label: exit code $want" "got $rc"; fi
    if validate "$work/out/$label/report.json" 2>"$work/out/$label.schema"; then
        pass "$label: report.json validates against the schema"
    else
        fail "$label: report.json validates against the schema" "$(head -n 3 "$work/out/$label.schema")"
    fi
}
run leaky goroutine-leak 1
run healthy healthy 0
run error no-such-command 3
run level bigalloc 1
check "level: the report has level culprits" \
    jq -e 'any(.tests[].culprits[]; .basis == "level")' "$work/out/level/report.json"

# The check must be able to fail: each broken copy is rejected.
good=$work/out/leaky/report.json
broken() {
    local desc=$1 filter=$2
    jq "$filter" "$good" >"$work/broken.json"
    if validate "$work/broken.json" 2>/dev/null; then
        fail "rejects a report with $desc" "it validated"
    else
        pass "rejects a report with $desc"
    fi
}
broken "a test without a verdict" 'del(.tests[0].verdict)'
broken "a string where a boolean belongs" '.tests[0].assertions[0].passed = "no"'
broken "a series of 1001 points" \
    '.tests[0].series.goroutines = {"t": [range(1001)], "v": [range(1001)]}'
broken "an unknown key" '.tests[0].colour = "red"'
broken "an unknown verdict" '.verdict = "flaky"'
broken "a culprit of an unknown basis" '.tests[0].culprits[0].basis = "vibes"'
broken "a test without suite_error" 'del(.tests[0].suite_error)'
broken "an unknown culprit kind" \
    '.tests[0].culprits = [.tests[0].culprits[0] | .kind = "leak"]'
# a culprit of every kind leakcheck writes is valid, "finalizer" included
jq '.tests[0].culprits += [{"kind": "finalizer", "basis": "growth", "function": null, "location": "/tmp/spool",
    "before": 383, "after": 3, "growth": 380, "proven": false,
    "detail": "380 files in /tmp/spool were closed only by the garbage collector"}]' \
    "$good" >"$work/finalizer.json"
if validate "$work/finalizer.json" 2>"$work/finalizer.err"; then
    pass "accepts a culprit of kind finalizer"
else
    fail "accepts a culprit of kind finalizer" "$(head -n 3 "$work/finalizer.err")"
fi
it_done
