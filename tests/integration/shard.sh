#!/usr/bin/env bash
# Shards and their merge, on real Go services.
#
#   tests/integration/shard.sh BUILD_DIR
#
# Runs suites/shard12.json (12 short tests: 5 healthy, 7 leaky, of six
# services) once on one machine and as 4 shards in parallel processes
# (--shard 1/4 ... 4/4), merges the shards, and checks: every test ran in
# exactly one shard; the merged verdicts, assertion results and top
# culprits equal the unsharded run's (jq, timings and values left out);
# merge's exit code is the unsharded run's; the merged report.json is
# schema-valid, its junit.xml XSD-valid, its test folders and pprof
# commands resolve in the merged folder; compare reads it. A shard's
# junit.xml lists the tests left to the others as skipped. The split does
# not change with --test, and the CI variables (CI_NODE_INDEX/TOTAL,
# JOB_COMPLETION_INDEX with LEAKCHECK_SHARD_COUNT) give the same as
# --shard. --durations from the unsharded report plans the longest shard
# within 25% of the mean. Each merge fault is exit 3 with its name: a
# shard missing, given twice, of another suite, of another count, planned
# differently, a test in two shards, a test folder outside the report or
# a link, a report that is no shard; --out onto a shard is exit 2; bad --shard
# values are exit 2.
#
# Needs jq, xmllint, python3-jsonschema. Prints one line per check and
# "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args shard "$@"
it_need jq xmllint timeout
it_services healthy fd-leak goroutine-leak heap-leak conn-leak closewait-leak
it_python jsonschema python3-jsonschema
it_init shard
# a CI job's own variables would shard the unsharded runs
unset CI_NODE_INDEX CI_NODE_TOTAL JOB_COMPLETION_INDEX LEAKCHECK_SHARD_COUNT
suite=$here/suites/shard12.json
small=$here/suites/healthy.json
schema=$root/reports/report.schema.json
xsd_fl=$root/tests/data/schemas/junit-10-fileline.xsd

schema_ok() {
    "$py" - "$schema" "$1" <<'EOF'
import json, sys, jsonschema
s = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))
errs = list(jsonschema.Draft7Validator(s).iter_errors(d))
for e in errs[:3]:
    print("/".join(map(str, e.absolute_path)), e.message[:200], file=sys.stderr)
sys.exit(1 if errs else 0)
EOF
}

# What must not depend on the machine the test ran on.
facts() {
    jq -S '{verdict, tests: [.tests[] | {name, verdict,
        assertions: [.assertions[] | {expr, passed, errored}],
        culprit: (.culprits[0] // {} | {kind, function})}] | sort_by(.name)}' "$1"
}

full_rc=0
timeout 300 "$lc" run "$suite" --out "$work/full" -q >"$work/full.log" 2>&1 || full_rc=$?
check "unsharded run: exit 1 (got $full_rc)" test "$full_rc" -eq 1

pids=()
for i in 1 2 3 4; do
    timeout 300 "$lc" run "$suite" --shard "$i/4" --out "$work/s$i" -q >"$work/s$i.log" 2>&1 &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
n=$(jq -s '[.[].tests | length] | add' "$work"/s{1,2,3,4}/report.json)
check "4 shards ran 12 tests in all (got $n)" test "$n" = 12
dups=$(jq -rs '[.[].tests[].name] | group_by(.) | map(select(length > 1)) | length' \
    "$work"/s{1,2,3,4}/report.json)
check "no test ran in two shards" test "$dups" = 0
check "every shard holds its own 3 tests (round-robin by name)" \
    test "$(jq -s 'map(.tests | length) == [3,3,3,3]' "$work"/s{1,2,3,4}/report.json)" = true
check "every shard plans the same split" \
    test "$(jq -s 'map(.shard.plan) | unique | length' "$work"/s{1,2,3,4}/report.json)" = 1
check "shard 1/4's report.json is schema-valid" schema_ok "$work/s1/report.json"
check "shard 1/4's junit.xml lists 9 tests as run by another shard" \
    test "$(grep -c 'skipped message="run by shard [234]/4"' "$work/s1/junit.xml")" = 9
check "shard 1/4's junit.xml is XSD-valid" xmllint --noout --schema "$xsd_fl" "$work/s1/junit.xml"

merge_rc=0
"$lc" merge "$work"/s{1,2,3,4} --out "$work/merged" -q >"$work/merge.log" 2>&1 || merge_rc=$?
check "merge: exit $full_rc as the unsharded run (got $merge_rc)" test "$merge_rc" -eq "$full_rc"
m=$work/merged/report.json
facts "$work/full/report.json" >"$work/full.facts"
facts "$m" >"$work/merged.facts" || true
if diff -u "$work/full.facts" "$work/merged.facts" >"$work/facts.diff"; then
    pass "merged verdicts, assertion results and top culprits equal the unsharded run's"
else
    fail "merged verdicts, assertion results and top culprits equal the unsharded run's" \
        "$(head -c 300 "$work/facts.diff")"
fi
check "merged tests in suite order" \
    test "$(jq -c '[.tests[].name]' "$m")" = "$(jq -c '[.tests[].name]' "$suite")"
check "merged report.json is schema-valid" schema_ok "$m"
check "merged report.json says merged_shards 4, no shard, the suite's hash" \
    test "$(jq -r '"\(.merged_shards) \(.shard) \(.suite_hash == input.suite_hash)"' "$m" \
        "$work/s2/report.json")" = "4 null true"
check "merged junit.xml is XSD-valid" xmllint --noout --schema "$xsd_fl" "$work/merged/junit.xml"
check "merged junit.xml: 12 testsuites, none skipped" \
    test "$(xmllint --xpath 'concat(count(//testsuite), " ", count(//skipped))' \
        "$work/merged/junit.xml")" = "12 0"
check "merged report.html written" grep -q 'merged from 4 shards' "$work/merged/report.html"
missing=0
for d in $(jq -r '.tests[].dir' "$m"); do [ -f "$work/merged/$d/stderr.log" ] || missing=$((missing + 1)); done
check "every merged test folder holds its logs ($missing missing)" test "$missing" -eq 0
missing=0
for f in $(jq -r '.tests[].pprof_base_cmd // empty' "$m" | tr ' ' '\n' | grep '\.pb\.gz$'); do
    [ -f "$work/merged/$f" ] || missing=$((missing + 1))
done
check "every pprof -base file resolves in the merged folder ($missing missing)" test "$missing" -eq 0
crc=0
"$lc" compare "$m" "$m" >"$work/cmp.log" 2>&1 || crc=$?
check "compare reads the merged report (exit 0 against itself, got $crc)" test "$crc" -eq 0
crc=0
"$lc" compare "$work/full/report.json" "$m" --json >"$work/cmp.json" 2>&1 || crc=$?
check "compare unsharded vs merged: 12 tests (exit $crc)" \
    test "$(jq '.tests | length' "$work/cmp.json" 2>/dev/null)" = 12

# the split does not move with --test
rc=0
timeout 120 "$lc" run "$suite" --shard 2/4 --test 'orders pass' --out "$work/s2t" -q \
    >"$work/s2t.log" 2>&1 || rc=$?
check "--shard 2/4 --test: the same plan as --shard 2/4" \
    test "$(jq -c .shard.plan "$work/s2t/report.json")" = "$(jq -c .shard.plan "$work/s2/report.json")"
check "--shard 2/4 --test: only shard 2's matching test ran, its others are --test's skipped" \
    test "$(jq -c '[(.tests | map(.name)), (.skipped | length)]' "$work/s2t/report.json")" \
    = '[["orders pass"],2]'

# the CI's variables (a suite of 2 tests: shards 3 and 4 of 4 run nothing)
rc=0
CI_NODE_INDEX=3 CI_NODE_TOTAL=4 "$lc" run "$small" --out "$work/ci" -q >/dev/null 2>&1 || rc=$?
check "CI_NODE_INDEX=3 CI_NODE_TOTAL=4: shard 3/4 (exit $rc)" \
    test "$(jq -c '[.shard.index, .shard.count, (.tests | length)]' "$work/ci/report.json")" = '[3,4,0]'
rc=0
JOB_COMPLETION_INDEX=3 LEAKCHECK_SHARD_COUNT=4 "$lc" run "$small" --out "$work/k8s" -q \
    >/dev/null 2>&1 || rc=$?
check "JOB_COMPLETION_INDEX=3 (0-based) LEAKCHECK_SHARD_COUNT=4: shard 4/4 (exit $rc)" \
    test "$(jq -c '[.shard.index, .shard.count]' "$work/k8s/report.json")" = '[4,4]'
bad() { # bad LABEL WANT_EXIT WANT_TEXT CMD...: exit and message
    local label=$1 want=$2 text=$3 rc=0
    shift 3
    "$@" >"$work/bad.log" 2>&1 || rc=$?
    if [ "$rc" -eq "$want" ] && grep -qF -- "$text" "$work/bad.log"; then
        pass "$label: exit $want, says \"$text\""
    else
        fail "$label: exit $want, says \"$text\"" "exit $rc: $(head -c 200 "$work/bad.log")"
    fi
}
bad "--shard 0/4" 2 "from 1 to 4" "$lc" run "$small" --shard 0/4 --out "$work/x"
bad "--shard 1/0" 2 "count must be" "$lc" run "$small" --shard 1/0 --out "$work/x"
bad "--shard 5/4" 2 "from 1 to 4" "$lc" run "$small" --shard 5/4 --out "$work/x"
bad "--shard 1/4x" 2 "count must be" "$lc" run "$small" --shard 1/4x --out "$work/x"
bad "--shard 1/99999999999999999999" 2 "count must be" "$lc" run "$small" \
    --shard 1/99999999999999999999 --out "$work/x"
bad "JOB_COMPLETION_INDEX without a count" 2 "no shard count" \
    env JOB_COMPLETION_INDEX=0 "$lc" run "$small" --out "$work/x"
bad "JOB_COMPLETION_INDEX=4 of 4" 2 "from 0 to 3" \
    env JOB_COMPLETION_INDEX=4 "$lc" run "$small" --shard-count 4 --out "$work/x"
bad "--durations without a shard" 2 "give --shard" \
    "$lc" run "$small" --durations "$m" --out "$work/x"

# --durations: the plan of each shard from the unsharded run's durations
rc=0
timeout 60 "$lc" run "$small" --shard 4/4 --durations "$work/full/report.json" --out "$work/bal" -q \
    >/dev/null 2>&1 || rc=$?
check "--durations from a report without these tests: every test still planned" \
    test "$(jq '.shard.plan | length' "$work/bal/report.json")" = 2
timeout 60 "$lc" run "$suite" --shard 1/4 --durations "$work/full/report.json" \
    --test '^orders pass$' --out "$work/b1" -q >/dev/null 2>&1 || true
loads=$(jq -cs --slurpfile full "$work/full/report.json" '
    ($full[0].tests | map({(.name): .duration_s}) | add) as $d
    | .[0].shard.plan | group_by(.shard) | map(map($d[.name]) | add)' "$work"/b1/report.json)
echo "planned seconds per shard, balanced by the unsharded durations: $loads"
check "--durations: the longest planned shard within 25% of the mean ($loads)" \
    test "$(jq '(max / (add / length)) <= 1.25' <<<"$loads")" = true
check "--durations: the report says what balanced it" \
    test "$(jq -r .shard.balanced_by "$work/b1/report.json")" = "$work/full/report.json"

# merge faults: each exit 3, naming what is wrong
bad "merge of 3 of 4 shards" 3 "shard 4/4 missing" "$lc" merge "$work"/s{1,2,3} --out "$work/x"
bad "merge with a shard twice" 3 "shard 2/4 given twice" \
    "$lc" merge "$work"/s{1,2,2,3,4} --out "$work/x"
bad "merge with another suite's shard" 3 "a different suite" \
    "$lc" merge "$work"/s{1,2,3} "$work/ci" --out "$work/x"
bad "merge of an unsharded report" 3 "not a shard's report" \
    "$lc" merge "$work"/s{1,2,3,4} "$work/full" --out "$work/x"
mkdir -p "$work/f3" "$work/dup" "$work/plan" "$work/esc"
jq '.shard.count = 3 | .shard.plan |= map(.shard = ((.shard - 1) % 3 + 1))' "$work/s3/report.json" >"$work/f3/report.json"
bad "merge with another shard count" 3 "different shard counts" \
    "$lc" merge "$work"/s{1,2} "$work/f3" "$work/s4" --out "$work/x"
jq --slurpfile one "$work/s1/report.json" '.tests += [$one[0].tests[0]]' \
    "$work/s2/report.json" >"$work/dup/report.json"
first=$(jq -r '.tests[0].name' "$work/s1/report.json")
bad "merge with a test in two shards" 3 "\"$first\"" \
    "$lc" merge "$work"/s{1,3,4} "$work/dup" --out "$work/x"
jq '.shard.plan[0].shard = (.shard.plan[0].shard % 4 + 1)' "$work/s2/report.json" \
    >"$work/plan/report.json"
bad "merge with a shard planned differently" 3 "split differently" \
    "$lc" merge "$work"/s{1,3,4} "$work/plan" --out "$work/x"
jq '.tests[0].dir = "../../escape"' "$work/s2/report.json" >"$work/esc/report.json"
bad "merge with a test folder outside the report" 3 "not a folder below" \
    "$lc" merge "$work"/s{1,3,4} "$work/esc" --out "$work/x"
check "nothing was written outside the merge's folder" test ! -e "$work/../escape"
mkdir -p "$work/lnk" "$work/elsewhere"
echo secret >"$work/elsewhere/secret.txt"
cp "$work/s2/report.json" "$work/lnk/"
ln -s "$work/elsewhere" "$work/lnk/$(jq -r '.tests[0].dir' "$work/s2/report.json")"
bad "merge with a test folder that is a link" 3 "not a folder" \
    "$lc" merge "$work"/s{1,3,4} "$work/lnk" --out "$work/x"
bad "merge onto a shard's own folder" 2 "is the folder of shard" \
    "$lc" merge "$work"/s{1,2,3,4} --out "$work/s1"
bad "merge of a folder without a report" 3 "nope" "$lc" merge "$work/nope" --out "$work/x"
it_done
