#!/usr/bin/env bash
# bench/load_accuracy.sh: does `leakcheck load` send what it is asked to?
# Counted by the server: a private nginx-light (one worker, `return 200;`)
# with its access log on, one line per request.
#   --rate 2000 -z 6s   must send 12,000 requests, within 2%
#   -n 20000            must make the log count exactly 20,000
#
# Usage: bench/load_accuracy.sh BUILD_DIR [RUNS (3)]
# Prints one line per run and check; exits 1 when a check failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_init "$@"
runs=${2:-3}
command -v jq >/dev/null || { echo "missing jq" >&2; exit 2; }
nginx_start logged on
url=$nginx_url
log=$tmp/logged/access.log
failed=0

# count_run NAME FLAGS...: runs leakcheck load on an emptied access log and
# prints "logged reported late_sends cpu_s"
count_run() {
    : >"$log"
    timed "$tmp/out" "$lc" load "$@" -o json "$url"
    sleep 0.3 # nginx writes the line after the response has gone
    local cpu
    read -r cpu _ <"$tmp/out.time"
    echo "$(wc -l <"$log") $(jq -r '"\(.requests) \(.late_sends)"' "$tmp/out") $cpu"
}

verdict() { # OK? TEXT
    if [ "$1" = 1 ]; then echo "  ok    $2"; else echo "  FAIL  $2"; failed=1; fi
}

echo "nginx $(nginx -v 2>&1 | sed 's/.*\///') with access log at $url; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "--rate 2000 -z 6s (12,000 +- 2% = 11,760 .. 12,240):"
for run in $(seq "$runs"); do
    read -r logged reported late cpu < <(count_run --rate 2000 -z 6s)
    ok=$(awk -v n="$logged" 'BEGIN {print (n >= 11760 && n <= 12240) ? 1 : 0}')
    verdict "$ok" "run $run: nginx logged $logged, leakcheck reported $reported ($late late sends, ${cpu} s CPU, load $(loadavg))"
done
echo "-n 20000 (exactly 20,000):"
for run in $(seq "$runs"); do
    read -r logged reported late cpu < <(count_run -n 20000)
    ok=$([ "$logged" = 20000 ] && [ "$reported" = 20000 ] && echo 1 || echo 0)
    verdict "$ok" "run $run: nginx logged $logged, leakcheck reported $reported"
done
echo "-n 20000 --rate 5000 (open model, exactly 20,000):"
read -r logged reported late cpu < <(count_run -n 20000 --rate 5000)
ok=$([ "$logged" = 20000 ] && [ "$reported" = 20000 ] && echo 1 || echo 0)
verdict "$ok" "nginx logged $logged, leakcheck reported $reported ($late late sends)"
exit "$failed"
