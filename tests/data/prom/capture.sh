#!/bin/sh
# Re-captures the Prometheus expositions in this folder from Debian's
# prometheus-node-exporter and prometheus (both Go programs using
# client_golang): once as text 0.0.4, once as OpenMetrics 1.0.0.
# Also builds om-capture/ (client_golang with OpenMetrics enabled).
# Needs: apt-get install -y prometheus-node-exporter prometheus
# golang-github-prometheus-client-golang-dev golang-go curl.
# Listens and talks on 127.0.0.1 only; both programs are stopped.
set -eu
out=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
TEXT='Accept: text/plain;version=0.0.4'
# As Prometheus itself asks: 1.0.0 first, then 0.0.1 (what client_golang 1.14 knows).
OM='Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5'
port=$((20000 + $$ % 20000))

wait_up() {
    i=0
    until curl -s --max-time 1 -o /dev/null "$1"; do
        i=$((i + 1))
        [ $i -gt 50 ] && { echo "$1 did not come up" >&2; exit 1; }
        sleep 0.2
    done
}
grab() { # url prefix
    curl -sS --fail --max-time 10 -H "$TEXT" -D "$tmp/h1" "$1" -o "$out/$2.txt"
    curl -sS --fail --max-time 10 -H "$OM" -D "$tmp/h2" "$1" -o "$out/$2.openmetrics.txt"
    grep -i '^content-type' "$tmp/h1" "$tmp/h2" | sed "s|$tmp/h1|$2.txt|;s|$tmp/h2|$2.openmetrics.txt|"
}

prometheus-node-exporter --web.listen-address="127.0.0.1:$port" >"$tmp/ne.log" 2>&1 &
pid=$!
wait_up "http://127.0.0.1:$port/metrics"
grab "http://127.0.0.1:$port/metrics" node-exporter >"$tmp/types"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

printf 'global:\n  scrape_interval: 1h\n' >"$tmp/prometheus.yml"
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
    --web.listen-address="127.0.0.1:$((port + 1))" >"$tmp/p.log" 2>&1 &
pid=$!
wait_up "http://127.0.0.1:$((port + 1))/metrics"
grab "http://127.0.0.1:$((port + 1))/metrics" prometheus >>"$tmp/types"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

# A client_golang registry with OpenMetrics on (the two above never
# negotiate it): real OpenMetrics text with exemplars and odd values.
(cd "$out/om-capture" && GO111MODULE=off GOPATH=/usr/share/gocode go build -o "$tmp/om" .)
"$tmp/om" -addr "127.0.0.1:$((port + 2))" >"$tmp/om.log" 2>&1 &
pid=$!
wait_up "http://127.0.0.1:$((port + 2))/metrics"
grab "http://127.0.0.1:$((port + 2))/metrics" client-golang >>"$tmp/types"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

{
    prometheus-node-exporter --version 2>&1 | head -2
    prometheus --version 2>&1 | head -2
    echo "om-capture: client_golang $(dpkg-query -W -f '${Version}' golang-github-prometheus-client-golang-dev), $(go version)"
    echo "Content-Type of each file:"
    cat "$tmp/types"
} >"$out/VERSIONS"
cat "$out/VERSIONS"
