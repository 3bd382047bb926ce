#!/usr/bin/env bash
# The load's time series show what happened, interval by interval.
#
#   tests/integration/series.sh BUILD_DIR
#
# Runs BUILD_DIR/leakcheck on suites/ramp.json: the healthy Go service
# (tests/go/bin/healthy) under a ramp 0 -> 200/s over 2 s, then 3 s at
# 200/s, then 2 s of observe and a settle with nothing sent. Checks with
# series_check.py that report.json's rps series has a point per sampling
# interval, shows the ramp and the hold at 200/s within 10% (an interval
# that a stall of the shared machine shifted is excused only when it and its
# neighbour together are), 0/s in every interval after the load, p99 per
# interval and gaps after; that the final rps and p99 are the whole load's
# figures; that the report validates against its schema; and that the
# requests/s chart of report.html draws the same points (read back from the
# SVG's coordinates and axis labels).
#
# Then suites/no-response.json sends its load to 127.0.0.1:1, where nothing
# listens: `p99 < 500ms` and `max(latency_max) < 1s` cannot pass on nothing
# (they are errors: no response completed), p99 is null in report.json.
#
# Needs python3 (and python3-jsonschema for the schema check), jq, ss,
# pgrep, timeout and Go (or built services). Takes about 15 s. Prints one
# line per check and "N passed, N failed"; exits 1 when a check failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args series "$@"
it_need python3 jq ss pgrep timeout
it_services healthy

it_init series
mkdir -p "$work/tests/go/bin" "$work/tests/integration/suites" "$work/out"
cp "$gobin/healthy" "$work/tests/go/bin/"
cp "$here/suites/ramp.json" "$here/suites/no-response.json" "$work/tests/integration/suites/"

# verdicts LOG: the PASS/FAIL lines of series_check.py counted as checks,
# the rest (the intervals it judged) shown as they are.
verdicts() {
    local line
    while IFS= read -r line; do
        case $line in
        "PASS "*) pass "${line#PASS }" ;;
        "FAIL "*) fail "${line#FAIL }" ;;
        *) echo "$line" ;;
        esac
    done <"$1"
}

# run LABEL SUITE WANT_EXIT: one real run into $work/out/LABEL.
run() {
    local label=$1 suite=$2 want=$3 rc=0
    timeout -k 5 120 "$lc" run "$work/tests/integration/suites/$suite.json" \
        --out "$work/out/$label" --no-color >"$work/out/$label.log" 2>&1 || rc=$?
    if [ "$rc" -eq "$want" ]; then pass "$label: exit code $want"; else fail "$label: exit code $want" "got $rc"; fi
}

check_py() { python3 "$here/series_check.py" "$@" >"$work/check.out" 2>&1 || true; verdicts "$work/check.out"; }

# ---- a ramp, a hold, then nothing
run ramp ramp 0
report=$work/out/ramp/report.json
check_py json "$report" 200 2 3
check_py svg "$work/out/ramp/report.html" "$report"
if python3 -c 'import jsonschema' 2>/dev/null; then
    check_py schema "$report" "$root/reports/report.schema.json"
else
    echo "SKIP schema check: python3-jsonschema is not installed"
fi

# ---- a load nobody answers: no latency, so no latency limit passes
if ss -Hltn 'sport = :1' | grep -q .; then
    echo "SKIP no-response: something listens on 127.0.0.1:1"
else
    run no-response no-response 3
    nr=$work/out/no-response/report.json
    for a in 0 1; do
        check "no response: \"$(jq -r ".tests[0].assertions[$a].expr" "$nr")\" is an error, not a pass" \
            jq -e ".tests[0].assertions[$a] | .errored and (.passed | not)
                   and (.message | test(\"no response to the load completed\"))" "$nr"
    done
    check "no response: p99 and latency_max have no value, the load's latency is null" \
        jq -e '.tests[0] | .metrics.p99.final == null and .metrics.latency_max.max == null
               and .load.latency_s.p99 == null and .load.requests > 0
               and .metrics.error_rate.final == 1 and .verdict == "error"' "$nr"
fi
it_done
