#!/usr/bin/env bash
# bench/load_vs_wrk.sh: `leakcheck load --threads 1 -c 50 -z D` against
# `wrk -t1 -c50 -dD` and `hey -c 50 -z D` on a private nginx-light (one
# worker, `return 200;`, access_log off) on a free loopback port. The three
# alternate, run after run (the order rotates), for the same duration.
# Prints every run with the 1-minute load average, then the medians:
# requests/s, CPU seconds (user+sys of the generator) per 100k requests,
# peak RSS, and the medians of the per-run ratios.
#
# Usage: bench/load_vs_wrk.sh BUILD_DIR [RUNS (5)] [DURATION s (5)] [EXTRA...]
#   EXTRA: more leakcheck variants to run alongside, each a quoted flag
#   string such as "--threads 2 -c 50" (reported as leakcheck[flags]).
#   BENCH_SCHEME=https (bench/load_https_vs_wrk.sh): the same over TLS, with
#   a self-signed certificate that leakcheck verifies (--cacert); wrk and
#   hey do not verify.
# Needs: nginx (nginx-light), wrk, hey, jq, /usr/bin/time (package time),
# and openssl for https.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_init "$@"
runs=${2:-5}
dur=${3:-5}
extra=("${@:4}")
for t in wrk hey jq; do
    command -v "$t" >/dev/null || { echo "missing $t (apt-get install -y $t)" >&2; exit 2; }
done
scheme=${BENCH_SCHEME:-http}
nginx_start plain off "$scheme"
url=$nginx_url
tls_flags=()
[ "$scheme" = https ] && tls_flags=(--cacert "$nginx_cert")

# Each run appends "tool run rps requests cpu_s rss_kb load cpu_s_per_100k"
# to $tmp/results (record, bench/lib.sh).
run_wrk() {
    timed "$tmp/out" wrk -t1 -c50 -d"${dur}s" "$url"
    record wrk "$1" "$(awk '/Requests\/sec/ {print $2}' "$tmp/out")" \
        "$(awk '/requests in/ {print $1}' "$tmp/out")"
}
run_lc() { # RUN [NAME FLAGS...]
    local run=$1 name=${2:-leakcheck}
    shift $(($# > 1 ? 2 : 1))
    [ $# -gt 0 ] || set -- --threads 1 -c 50
    timed "$tmp/out" "$lc" load "$@" "${tls_flags[@]}" -z "${dur}s" -o json "$url"
    local req err rps
    read -r req err rps < <(jq -r '"\(.requests) \(.errors) \(.rps)"' "$tmp/out")
    [ "$err" = 0 ] || echo "warning: $name saw $err errors" >&2
    record "$name" "$run" "$rps" "$req"
}
run_hey() {
    timed "$tmp/out" hey -c 50 -z "${dur}s" "$url"
    record hey "$1" "$(awk '/Requests\/sec/ {print $2}' "$tmp/out")" \
        "$(awk '/responses$/ {n += $2} END {print n + 0}' "$tmp/out")"
}

: >"$tmp/results"
echo "nginx $(nginx -v 2>&1 | sed 's/.*\///') (1 worker) at $url; $(nproc) cores;" \
    "$runs alternating runs of ${dur}s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
tools=(wrk lc hey)
for ((i = 0; i < ${#extra[@]}; i++)); do tools+=("x$i"); done
for run in $(seq "$runs"); do
    line="run $run:"
    for ((k = 0; k < ${#tools[@]}; k++)); do
        t=${tools[$(((k + run - 1) % ${#tools[@]}))]}
        case $t in
        wrk) run_wrk "$run" ;;
        lc) run_lc "$run" ;;
        hey) run_hey "$run" ;;
        x*)
            flags=${extra[${t#x}]}
            # shellcheck disable=SC2086 # the flags are meant to split
            run_lc "$run" "leakcheck[${flags// /_}]" $flags
            ;;
        esac
        line+=$(tail -n 1 "$tmp/results" | awk '{printf "  %s %.0f/s (load %s)", $1, $3, $7}')
    done
    echo "$line"
done

printf '\n%-30s %12s %16s %10s\n' tool "requests/s" "CPU s/100k req" "peak RSS"
awk '!seen[$1]++ {print $1}' "$tmp/results" | while read -r t; do
    awk -v t="$t" '$1 == t {print $3, $8, $6}' "$tmp/results" >"$tmp/one"
    printf '%-30s %12.0f %16.3f %7.1f MB\n' "$t" "$(cut -d' ' -f1 "$tmp/one" | median)" \
        "$(cut -d' ' -f2 "$tmp/one" | median)" \
        "$(cut -d' ' -f3 "$tmp/one" | median | awk '{print $1 / 1024}')"
done

printf '\nmedians of per-run ratios:\n'
printf '  leakcheck/wrk requests/s:       %.3f  (target >= 1.0)\n' "$(ratio leakcheck wrk 3)"
printf '  leakcheck/hey requests/s:       %.3f  (target >= 4.0)\n' "$(ratio leakcheck hey 3)"
printf '  leakcheck/wrk CPU per request:  %.3f  (target <= 1.0)\n' "$(ratio leakcheck wrk 8)"
for ((i = 0; i < ${#extra[@]}; i++)); do
    n="leakcheck[${extra[$i]// /_}]"
    printf '  %s/wrk requests/s: %.3f, /hey: %.3f; CPU per request /wrk: %.3f\n' "$n" \
        "$(ratio "$n" wrk 3)" "$(ratio "$n" hey 3)" "$(ratio "$n" wrk 8)"
done
# A generator cannot get more from nginx than its one worker serves; the
# best any tool got in any run is the most this nginx was seen to serve,
# and that over hey's median is what a ratio over hey amounts to at it.
read -r best best_tool < <(sort -k3,3gr "$tmp/results" | awk 'NR == 1 {print $3, $1}')
hey_median=$(awk '$1 == "hey" {print $3}' "$tmp/results" | median)
printf '\nserver: the best run of any tool was %.0f/s (%s); hey median %.0f/s:\n' \
    "$best" "$best_tool" "$hey_median"
printf '  at the most this nginx was seen to serve, a generator is %.2fx hey\n' \
    "$(awk -v b="$best" -v h="$hey_median" 'BEGIN {print b / h}')"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
