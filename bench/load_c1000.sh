#!/usr/bin/env bash
# bench/load_c1000.sh: `leakcheck load --threads 1 -c 1000` for 10 million
# requests against a private nginx-light (one worker, `return 200;`,
# access_log off). Samples the generator's RSS (VmRSS) every 10 s: it must
# stay <= 16 MB and flat (max - min of the samples after the first 10 s
# <= 1 MB). Then, for reference, 5 s each of wrk -t1 -c1000 and
# hey -c 1000 (requests/s and peak RSS).
#
# Usage: bench/load_c1000.sh BUILD_DIR [REQUESTS (10000000)] [INTERVAL s (10)]
# Exits 1 when a check failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_init "$@"
total=${2:-10000000}
every=${3:-10}
command -v jq >/dev/null || { echo "missing jq" >&2; exit 2; }
nginx_start c1000 off
url=$nginx_url
echo "nginx $(nginx -v 2>&1 | sed 's/.*\///') (1 worker) at $url; $(nproc) cores; descriptors $(ulimit -n);" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "leakcheck load --threads 1 -c 1000 -n $total:"

/usr/bin/time -f "TIME %U %S %M" -o "$tmp/lc.rawtime" \
    "$lc" load --threads 1 -c 1000 -n "$total" -t 60 -o json "$url" >"$tmp/lc.json" &
timepid=$!
t0=$(date +%s.%N)
pid=
for _ in $(seq 100); do
    pid=$(pgrep -P "$timepid" | head -1) && [ -n "$pid" ] && break
    sleep 0.02
done
: >"$tmp/rss"
while kill -0 "$pid" 2>/dev/null; do
    sleep "$every"
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || break
    [ -n "$rss" ] || break
    t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.0f", b - a}')
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    echo "$t $rss $hwm" >>"$tmp/rss"
    printf '  t=%4ss  VmRSS %6.2f MB  VmHWM %6.2f MB  load %s\n' "$t" \
        "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" "$(awk -v k="$hwm" 'BEGIN {print k / 1024}')" "$(loadavg)"
done
wait "$timepid"
jq -r '"  done: \(.requests) requests, \(.errors) errors in \(.duration_s | floor) s, \(.rps | floor) requests/s, p99 \(.latency_ms.p99) ms"' "$tmp/lc.json"

failed=0
verdict() { # OK? TEXT
    if [ "$1" = 1 ]; then echo "  ok    $2"; else echo "  FAIL  $2"; failed=1; fi
}
# the peak over the whole run, from /usr/bin/time (getrusage: ru_maxrss)
peak=$(awk '/^TIME/ {print $4}' "$tmp/lc.rawtime")
cpu=$(awk '/^TIME/ {print $2 + $3}' "$tmp/lc.rawtime")
echo "  CPU (user+sys): $cpu s, $(jq -r --arg c "$cpu" '($c | tonumber) / .requests * 100000 | . * 1000 | round / 1000' "$tmp/lc.json") s per 100k requests"
verdict "$(awk -v p="$peak" 'BEGIN {print (p > 0 && p <= 16384) ? 1 : 0}')" \
    "peak RSS $(awk -v k="$peak" 'BEGIN {printf "%.2f", k / 1024}') MB <= 16 MB"
spread=$(awk 'NR > 1 {if (mn == "" || $2 < mn) mn = $2; if ($2 > mx) mx = $2} END {print (mx - mn) + 0}' "$tmp/rss")
n=$(wc -l <"$tmp/rss")
verdict "$(awk -v s="$spread" -v n="$n" 'BEGIN {print (n >= 3 && s <= 1024) ? 1 : 0}')" \
    "RSS flat: samples after the first vary by $(awk -v k="$spread" 'BEGIN {printf "%.2f", k / 1024}') MB (<= 1 MB, $n samples)"
verdict "$(jq -r 'if .requests == '"$total"' and .errors == 0 then 1 else 0 end' "$tmp/lc.json")" \
    "all $total requests answered without errors"

echo "for reference, 5 s each at 1000 connections:"
timed "$tmp/wrk" wrk -t1 -c1000 -d5s "$url"
read -r _ rss <"$tmp/wrk.time"
echo "  wrk -t1 -c1000:                    $(awk '/Requests\/sec/ {printf "%.0f", $2}' "$tmp/wrk") requests/s, peak RSS $(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}') MB"
timed "$tmp/lc5" "$lc" load --threads 1 -c 1000 -z 5s -o json "$url"
read -r _ rss <"$tmp/lc5.time"
echo "  leakcheck load --threads 1 -c 1000: $(jq -r '.rps | floor' "$tmp/lc5") requests/s, peak RSS $(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}') MB"
if command -v hey >/dev/null; then
    timed "$tmp/hey" hey -c 1000 -z 5s "$url"
    read -r _ rss <"$tmp/hey.time"
    echo "  hey -c 1000:                       $(awk '/Requests\/sec/ {printf "%.0f", $2}' "$tmp/hey") requests/s, peak RSS $(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}') MB"
fi
exit "$failed"
