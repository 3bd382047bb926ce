#!/usr/bin/env bash
# bench/sock_count.sh: leakcheck's own CPU per /proc sample round with
# 10,000 TCP sockets on the machine, counting the target's TCP sockets the
# old way (the whole /proc/PID/net/tcp and tcp6 tables) and the new way
# (sock_diag netlink, sources/tcpcount.c), in the same run: the two
# alternate round by round. See bench/README.md.
#
# Usage: bench/sock_count.sh BUILD_DIR [ROUNDS (100)] [INTERVAL_MS (250)] [PAIRS (5000)]
#
# A helper holds PAIRS connected pairs on 127.0.0.1 (2 x PAIRS sockets of
# someone else); the target is a small process with a listener, 3 pairs,
# a CLOSE_WAIT and a TIME_WAIT on its port. Each round is one procfs_read
# of the target; its CPU time (user + system, CLOCK_THREAD_CPUTIME_ID) is
# what is reported. Three runs:
# - own namespace, quiet target: run as root, everything in a network
#   namespace of its own (unshare -n), as in a container: the 10,000
#   sockets and the target are all there is;
# - own namespace, churning target: a connection accepted and closed
#   (server first) every 100 ms, as under load: rounds walk the table;
# - this machine's namespace, quiet target: whatever else runs here moves
#   the counters that make a round walk (other people's connections).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# run_shapes TMP ROUNDS INTERVAL PAIRS SHAPE...: starts the pairs and, per
# shape (quiet, churn), a target, and measures it
run_shapes() {
    local tmp=$1 rounds=$2 interval=$3 npairs=$4 shape churn
    shift 4
    local pids=()
    # start NAME ARGS...: sock_count ARGS with a fifo on stdin (closing it
    # stops the helper), waits for "ready"; sets started_pid
    start() {
        local name=$1
        shift
        mkfifo "$tmp/$name.in"
        "$tmp/sock_count" "$@" <"$tmp/$name.in" >"$tmp/$name.out" 2>&1 &
        started_pid=$!
        pids+=("$started_pid")
        exec {fd}>"$tmp/$name.in" # hold the fifo open
        for _ in $(seq 600); do
            grep -q '^ready$' "$tmp/$name.out" 2>/dev/null && return 0
            kill -0 "$started_pid" 2>/dev/null || break
            sleep 0.1
        done
        echo "$name did not start:" >&2
        cat "$tmp/$name.out" >&2
        return 1
    }
    trap 'kill "${pids[@]}" 2>/dev/null || true' RETURN
    start "pairs$$" pairs "$npairs" || return 1
    echo "TCP sockets in this network namespace: $(awk '/^TCP:/ {print $3 " in use, " $7 " TIME_WAIT"}' /proc/net/sockstat)"
    for shape in "$@"; do
        churn=0
        [ "$shape" = churn ] && churn=100
        start "target-$shape$$" target "$churn" || return 1
        echo "-- target $shape (pid $started_pid$([ "$churn" -gt 0 ] && echo ", a connection accepted and closed every ${churn} ms"))"
        "$tmp/sock_count" measure "$started_pid" "$rounds" "$interval"
        kill "$started_pid"
    done
}

if [ "${1:-}" = --inside ]; then # re-run by the outer script under unshare -n
    shift
    "$1/sock_count" lo-up
    run_shapes "$@" quiet churn
    exit
fi

if [ $# -lt 1 ] || [ ! -f "$1/sources/liblc_sources.a" ]; then
    echo "usage: $0 BUILD_DIR [ROUNDS] [INTERVAL_MS] [PAIRS] (BUILD_DIR: meson setup build && ninja -C build)" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
rounds=${2:-100}
interval=${3:-250}
npairs=${4:-5000}
tmp=$(mktemp -d /tmp/leakcheck-sockbench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

cc -O2 -D_GNU_SOURCE -I"$here/.." -I"$build" -o "$tmp/sock_count" "$here/sock_count.c" \
    "$build/sources/liblc_sources.a" "$build/common/liblc_common.a" -lpthread

# 2 x PAIRS descriptors in one process
need=$((2 * npairs + 64))
[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge "$need" ] ||
    { echo "the hard fd limit $(ulimit -Hn) is below $need: raise it (ulimit -Hn as root)" >&2; exit 2; }
ulimit -n "$need"

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -sr)"
echo "rounds: $rounds per source, alternating, $interval ms apart; $((2 * npairs)) sockets of a helper"
echo
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
    echo "== a network namespace of its own (unshare -n)"
    unshare -n bash "$0" --inside "$tmp" "$rounds" "$interval" "$npairs"
else
    echo "== (not root: no run in a network namespace of its own)"
fi
echo
echo "== this machine's network namespace"
run_shapes "$tmp" "$rounds" "$interval" "$npairs" quiet
