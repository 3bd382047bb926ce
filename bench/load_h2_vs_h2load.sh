#!/usr/bin/env bash
# bench/load_h2_vs_h2load.sh: `leakcheck load -h2 --threads 1 -c 50
# --streams 10 -z D` against `h2load -t1 -c50 -m10 -D D` (Debian's
# nghttp2-client) on a private nginx-light (`listen ... http2`, one
# worker, `return 200;`, access_log off, keepalive_requests high enough
# that no GOAWAY interrupts a run), alternating run after run (the order
# rotates). Prints every run with the 1-minute load average, then the
# medians: requests/s, CPU seconds (user+sys of the generator) per 100k
# requests, peak RSS, and the medians of the per-run ratios.
#
# Usage: bench/load_h2_vs_h2load.sh BUILD_DIR [RUNS (5)] [DURATION s (5)]
#   BENCH_SCHEME=h2: over TLS (ALPN h2, a self-signed certificate that
#   leakcheck verifies with --cacert); default h2c (prior knowledge).
# Needs: nginx (nginx-light), h2load (nghttp2-client), jq, /usr/bin/time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_init "$@"
runs=${2:-5}
dur=${3:-5}
for t in h2load jq; do
    command -v "$t" >/dev/null || { echo "missing $t (apt-get install -y nghttp2-client jq)" >&2; exit 2; }
done
scheme=${BENCH_SCHEME:-h2c}
nginx_start h2 off "$scheme"
url=$nginx_url
tls_flags=()
[ "$scheme" = h2 ] && tls_flags=(--cacert "$nginx_cert")

run_h2load() {
    timed "$tmp/out" h2load -t1 -c50 -m10 -D "$dur" "$url"
    local ok
    ok=$(awk '/^requests:/ {print $8}' "$tmp/out")
    record h2load "$1" "$(awk '/^finished in/ {print $4}' "$tmp/out")" "$ok"
}
run_lc() {
    timed "$tmp/out" "$lc" load -h2 --threads 1 -c 50 --streams 10 "${tls_flags[@]}" \
        -z "${dur}s" -o json "$url"
    local req err rps
    read -r req err rps < <(jq -r '"\(.requests) \(.errors) \(.rps)"' "$tmp/out")
    [ "$err" = 0 ] || echo "warning: leakcheck saw $err errors" >&2
    record leakcheck "$1" "$rps" "$req"
}

: >"$tmp/results"
echo "nginx $(nginx -v 2>&1 | sed 's/.*\///') (1 worker, $scheme) at $url; $(nproc) cores;" \
    "$runs alternating runs of ${dur}s, 50 connections x 10 streams;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$runs"); do
    line="run $run:"
    if [ $((run % 2)) = 1 ]; then order=(lc h2load); else order=(h2load lc); fi
    for t in "${order[@]}"; do
        if [ "$t" = lc ]; then run_lc "$run"; else run_h2load "$run"; fi
        line+=$(tail -n 1 "$tmp/results" | awk '{printf "  %s %.0f/s (load %s)", $1, $3, $7}')
    done
    echo "$line"
done

printf '\n%-12s %12s %16s %10s\n' tool "requests/s" "CPU s/100k req" "peak RSS"
for t in leakcheck h2load; do
    awk -v t="$t" '$1 == t {print $3, $8, $6}' "$tmp/results" >"$tmp/one"
    printf '%-12s %12.0f %16.3f %7.1f MB\n' "$t" "$(cut -d' ' -f1 "$tmp/one" | median)" \
        "$(cut -d' ' -f2 "$tmp/one" | median)" \
        "$(cut -d' ' -f3 "$tmp/one" | median | awk '{print $1 / 1024}')"
done
printf '\nmedians of per-run ratios:\n'
printf '  leakcheck/h2load requests/s:       %.3f  (target >= 0.9)\n' "$(ratio leakcheck h2load 3)"
printf '  leakcheck/h2load CPU per request:  %.3f\n' "$(ratio leakcheck h2load 8)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
