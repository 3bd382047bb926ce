#!/usr/bin/env bash
# Split load, merged exactly: 4 `leakcheck load --segment I/4 -o json` run
# in parallel against nginx on loopback, then `leakcheck load --merge`:
#
#   tests/integration/segment.sh BUILD_DIR
#
# - the segments send -n exactly between them (nginx's access log counts
#   what arrived; the first -n mod 4 segments send one more) and share -c;
# - the merged requests, responses and status counts are the segments'
#   sums; the merged p50/p99/p999/max/mean equal a recomputation (jq) from
#   the bucket-wise sum of the segments' histograms;
# - --rate is split too;
# - hostile input: a missing, doubled or foreign segment (exit 3, named), a
#   file that is not a segment output, not JSON, or of another histogram
#   layout (exit 2, named), a segment index out of range or more segments
#   than connections (exit 2).
#
# Needs bash, jq and nginx. Takes about 10 s. Prints one line per check and
# ends with "N passed, N failed"; exits non-zero when a check failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args segment "$@"
it_need jq nginx
it_init segment

it_nginx "$work/access.log"
port=$nginx_port
url=http://127.0.0.1:$port/

# check_jq DESCRIPTION JQ-FILTER FILE...: the filter (over the files
# slurped into one array) must print true
check_jq() {
    local d=$1 f=$2
    shift 2
    if [ "$(jq -rs "$f" "$@" 2>/dev/null)" = true ]; then pass "$d"; else fail "$d" "$f"; fi
}

# expect_rc DESCRIPTION CODE WORDS COMMAND...: exits CODE, stderr has WORDS
expect_rc() {
    local d=$1 code=$2 words=$3 rc=0
    shift 3
    "$@" >"$work/x.out" 2>"$work/x.err" || rc=$?
    if [ "$rc" -eq "$code" ] && grep -qF -- "$words" "$work/x.err"; then
        pass "$d"
    else
        fail "$d" "exit $rc, stderr: $(head -c 300 "$work/x.err")"
    fi
}

# ---- 4 segments in parallel, 20003 requests over 10 connections
n=20003
pids=()
for i in 1 2 3 4; do
    timeout 60 "$lc" load --segment "$i/4" -n "$n" -c 10 --threads 1 -o json "$url" \
        >"$work/seg$i.json" 2>"$work/seg$i.err" &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a segment failed" "$(cat "$work"/seg*.err)"; done
segs=("$work"/seg1.json "$work"/seg2.json "$work"/seg3.json "$work"/seg4.json)
check_jq "segments: -n $n split 5001/5001/5001/5000, -c 10 split 3/3/2/2" \
    '[.[] | .requests] == [5001,5001,5001,5000] and [.[] | .segment.connections] == [3,3,2,2]' \
    "${segs[@]}"
"$lc" load --merge "${segs[@]}" >"$work/merged.json" 2>"$work/merged.err" && rc=0 || rc=$?
check "merge: exit 0 (got $rc: $(head -c 200 "$work/merged.err"))" test "$rc" -eq 0
got=$(wc -l <"$work/access.log")
check "nginx received exactly $n requests (got $got)" test "$got" -eq "$n"
check_jq "merged: requests $n, responses $n, status 200 x $n, no errors, 4 segments" \
    ".[0] | .requests == $n and .responses == $n and .status[\"200\"] == $n and .errors == 0 and .segments == 4" \
    "$work/merged.json"
check_jq "merged: duration is the longest segment's, rps = requests / duration" \
    '(.[0:4] | map(.duration_s) | max) as $d | .[4] | .duration_s == $d and ((.rps / (.requests / $d) - 1) | fabs) < 1e-8' \
    "${segs[@]}" "$work/merged.json"

# The bucket-wise sum of the segments' histograms, and its nearest-rank
# percentiles (a bucket's midpoint, within min..max), as hist.c reports them.
recompute='
  (.[0:4] | map(.histogram)) as $h
  | ($h | map(.buckets[]) | group_by(.[0]) | map([.[0][0], .[0][1], (map(.[2]) | add)])) as $b
  | ($b | map(.[2]) | add) as $n
  | ($h | map(.min) | min) as $mn | ($h | map(.max) | max) as $mx
  | def pct(q): (q * $n / 100 | if . == floor then . else floor + 1 end | if . < 1 then 1 else . end) as $r
      | first(foreach $b[] as $x (0; . + $x[2]; if . >= $r then ($x[0] + (($x[1] - 1) / 2 | floor)) else empty end))
      | if . < $mn then $mn elif . > $mx then $mx else . end;
  .[4] as $m
  | {p50: pct(50), p99: pct(99), p999: pct(99.9), max: $mx,
     mean: (($h | map(.sum) | add) / $n)} as $want
  | [$m.latency_ms.p50, $m.latency_ms.p99, $m.latency_ms.p999, $m.latency_ms.max] | map(. * 1000 | round)
  | . == [$want.p50, $want.p99, $want.p999, $want.max]
    and ((($m.latency_ms.mean * 1000) - $want.mean) | fabs) < 1e-3
    and $m.histogram.count == $n and ($m.histogram.buckets == $b)'
check_jq "merged p50/p99/p999/max/mean = recomputed from the bucket-wise sum of the segments" \
    "$recompute" "${segs[@]}" "$work/merged.json"
jq -r '"merged: \(.requests) requests, p50 \(.latency_ms.p50) ms, p99 \(.latency_ms.p99) ms, max \(.latency_ms.max) ms, \(.rps | floor) requests/s over \(.duration_s) s"' \
    "$work/merged.json"

# ---- --rate is split; -q stays per connection
"$lc" load --segment 2/4 --rate 400 -z 1s -c 4 -o json "$url" >"$work/rate.json" 2>&1 || true
check_jq "--segment 2/4 --rate 400 -c 4: rate 100, 1 connection" \
    '.[0].segment | .rate == 100 and .of_rate == 400 and .connections == 1' "$work/rate.json"

# ---- hostile input
expect_rc "merge of 3 of 4 segments: exit 3, names the missing one" 3 "segment 3/4 is missing" \
    "$lc" load --merge "$work/seg1.json" "$work/seg2.json" "$work/seg4.json"
expect_rc "a segment twice: exit 3, names both files" 3 "segment 2/4 twice" \
    "$lc" load --merge "${segs[@]}" "$work/seg2.json"
"$lc" load --segment 3/4 -n 400 -c 10 -o json "$url" >"$work/other3.json" 2>/dev/null
expect_rc "a segment of another load (-n 400): exit 3" 3 "segments of different loads" \
    "$lc" load --merge "$work/seg1.json" "$work/seg2.json" "$work/other3.json" "$work/seg4.json"
"$lc" load -n 20 -c 2 -o json "$url" >"$work/plain.json" 2>/dev/null
expect_rc "a load without --segment: exit 2, names the file" 2 "$work/plain.json: not a segment output" \
    "$lc" load --merge "$work/seg1.json" "$work/plain.json"
echo 'requests: 12' >"$work/garbage.json"
expect_rc "a file that is not JSON: exit 2, names it" 2 "$work/garbage.json: not JSON" \
    "$lc" load --merge "$work/garbage.json"
jq '.histogram.layout = "hdr-v2"' "$work/seg3.json" >"$work/layout3.json"
expect_rc "another histogram layout: exit 2, names the file and the layout" 2 \
    "$work/layout3.json: histogram layout \"hdr-v2\"" \
    "$lc" load --merge "$work/seg1.json" "$work/seg2.json" "$work/layout3.json" "$work/seg4.json"
jq 'del(.errors_by_kind)' "$work/seg3.json" >"$work/nokind3.json"
expect_rc "a missing field: exit 2, names the file and the field" 2 \
    "$work/nokind3.json: \"errors_by_kind\" is missing" \
    "$lc" load --merge "$work/seg1.json" "$work/seg2.json" "$work/nokind3.json" "$work/seg4.json"
expect_rc "a missing file: exit 2, names it" 2 "$work/nope.json" \
    "$lc" load --merge "$work/nope.json"
expect_rc "--segment 5/4: exit 2" 2 "expected I/N with 1 <= I <= N" \
    "$lc" load --segment 5/4 -n 10 -c 4 "$url"
expect_rc "--segment 1/0x: exit 2" 2 "expected I/N" "$lc" load --segment 1/0x -n 10 "$url"
expect_rc "--segment 1/8 with -c 4: exit 2 (a segment needs a connection)" 2 \
    "cannot be split into 8 segments" "$lc" load --segment 1/8 -n 10 -c 4 "$url"
it_done
