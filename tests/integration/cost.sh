#!/usr/bin/env bash
# What sampling costs the target: rounds read the goroutine count from the
# pprof index page and dump goroutine?debug=1 only when they must
# (sources/gcount.h), and report.json's observer_cost says what was taken.
#
#   tests/integration/cost.sh BUILD_DIR
#
# With tests/go/parked (2000 parked goroutines in main.park): without an
# ignore list one dump in the rounds (the first), the rest counts, and the
# count is the dump's; with an ignore list at rest the ignored goroutines
# stay out of `goroutines` between dumps; with a leak that moves the count
# (-grow 100/s in main.leak) rounds dump again as it moves, the leak fails
# its assertion, and `goroutines` leaves the parked ones out throughout.
# With -sites 500 (a heap profile that takes ~0.1 s to write) rounds fetch
# it at most 1/50 of the time, and the final round does.
#
# Needs jq, pgrep, timeout and tests/go/bin/parked (tests/go/build.sh).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args cost "$@"
it_need jq pgrep timeout
it_services parked

it_init cost
mkdir -p "$work/tests/go/bin" "$work/tests/integration/cost"
cp "$gobin/parked" "$work/tests/go/bin/"
cp "$here"/cost/*.json "$work/tests/integration/cost/"

field() { jq -e --arg n "$2" ".tests[] | select(.name == \$n) | $3" "$1/report.json"; }
out=$work/out
timeout -k 5 120 "$lc" run "$work/tests/integration/cost/cost.json" --out "$out" --no-color >"$work/run.log" 2>&1
code=$?
check "cost: exit code 1, the moving leak fails (got $code)" test "$code" -eq 1

C="counts only"
check "counts only: passes, goroutines_total 2000 +- 10 from the index page" field "$out" "$C" '.verdict == "pass"'
check "counts only: one dump in the rounds, the rest counts" \
    field "$out" "$C" '.observer_cost | .dump_rounds == 1 and .count_rounds >= 10'
check "counts only: goroutines == goroutines_total without an ignore list" \
    field "$out" "$C" '.metrics.goroutines.final == .metrics.goroutines_total.final and .metrics.goroutines.max == .metrics.goroutines_total.max'
check "counts only: observer_cost counts the snapshots' dumps (1 + 2 + 2) and the one debug=2" \
    field "$out" "$C" '.observer_cost | .goroutine_dumps.count == 5 and .full_dumps.count == 1
        and .full_dumps.max_seconds > 0 and .goroutine_dumps.seconds >= .goroutine_dumps.max_seconds'
check "counts only: the target's CPU time over the window" \
    field "$out" "$C" '.observer_cost | .target_cpu_s >= 0 and .cpu_window_s >= 3'

I="ignore list at rest"
check "ignore at rest: passes: the ignored 2000 stay out of every sample" field "$out" "$I" '.verdict == "pass"'
check "ignore at rest: at most 3 dumps in the rounds (first, final, refresh)" \
    field "$out" "$I" '.observer_cost | .dump_rounds >= 2 and .dump_rounds <= 3 and .count_rounds >= 10'
check "ignore at rest: goroutines_total counts them" field "$out" "$I" '.metrics.goroutines_total.min >= 1990'

L="ignore list, a leak that moves the count"
check "moving leak: fails goroutines stay within 20 of baseline" \
    field "$out" "$L" '.verdict == "fail" and .assertions[0].passed == false and .assertions[0].observed > 100'
check "moving leak: rounds dumped again as the count moved" \
    field "$out" "$L" '.observer_cost.dump_rounds >= 4'
check "moving leak: goroutines is the total less the parked ones, at the baseline and the end" \
    field "$out" "$L" '.metrics as $m | ($m.goroutines_total.final - $m.goroutines.final) as $f
        | ($m.goroutines_total.baseline - $m.goroutines.baseline) as $b | $f > 1900 and ($f - $b | fabs) <= 2'
check "moving leak: the culprit is main.leak" \
    field "$out" "$L" 'any(.culprits[]; .kind == "goroutine" and .function == "main.leak")'
H="heap profile paced"
check "paced heap: passes" field "$out" "$H" '.verdict == "pass"'
check "paced heap: a costly heap profile is fetched in fewer rounds than the count" \
    field "$out" "$H" '(.series.heap_inuse.t | length) * 2 < (.series.goroutines_total.t | length)'
check "paced heap: the final round fetched it" \
    field "$out" "$H" '.series.goroutines_total.t[-1] as $f | any(.series.heap_inuse.t[]; . == $f)'
check "paced heap: serving it took at most 1/50 of the test, but the first and the final" \
    field "$out" "$H" '.observer_cost.heap_profiles as $h | $h.count >= 2
        and $h.seconds <= .duration_s / 50 + 2 * $h.max_seconds'
leftovers() { ! pgrep -f "$work/tests/.*parked" >/dev/null; }
check "cost: no target left running" leftovers
it_done
