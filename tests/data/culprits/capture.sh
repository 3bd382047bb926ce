#!/bin/sh
# Re-captures the texts the culprit unit tests read (tests/data/culprits/):
#   go1.19/dump-*.txt    from dumpsrc/ (this folder), built with the
#                        installed go: goroutine?debug=1 and debug=2 at once,
#                        and debug=2 again 65 s after two forced GCs (the
#                        runtime records when a goroutine began waiting at a
#                        GC), so that wait times show in minutes;
#   go1.19/goroutine-leak-*.txt and heap-leak-*.txt from the test services
#                        (tests/go/bin, built by tests/go/build.sh): profiles
#                        before and after 400 requests to /work.
# Needs go, curl and xargs. Talks to 127.0.0.1 only; stops what it starts.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out="$here/go1.19"
mkdir -p "$out"
tmp=$(mktemp -d)
pids=
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

get() { curl -sS --max-time 20 --fail "$1" -o "$2"; }
wait_up() {
    i=0
    until curl -s --max-time 1 -o /dev/null "$1"; do
        i=$((i + 1))
        [ $i -gt 100 ] && { echo "$1 did not come up" >&2; exit 1; }
        sleep 0.1
    done
}

# the services: baseline, 400 requests, 1 s to settle, final
"$root/tests/go/build.sh" >/dev/null
n=0
for svc in goroutine-leak heap-leak; do
    n=$((n + 1))
    port=$((30000 + ($$ + n) % 20000))
    "$root/tests/go/bin/$svc" -addr "127.0.0.1:$port" >/dev/null 2>&1 &
    svcpid=$!
    pids="$pids $svcpid"
    base="http://127.0.0.1:$port"
    wait_up "$base/healthz"
    get "$base/debug/pprof/goroutine?debug=1" "$out/$svc-baseline-goroutine.txt"
    get "$base/debug/pprof/heap?debug=1&gc=1" "$out/$svc-baseline-heap.txt"
    seq 400 | xargs -P 8 -I{} curl -s -o /dev/null -X POST -d '{"sku":"A-1"}' "$base/work"
    sleep 1
    get "$base/debug/pprof/goroutine?debug=1" "$out/$svc-final-goroutine.txt"
    get "$base/debug/pprof/goroutine?debug=2" "$out/$svc-final-goroutine-debug2.txt"
    get "$base/debug/pprof/heap?debug=1&gc=1" "$out/$svc-final-heap.txt"
    kill "$svcpid"
    wait "$svcpid" 2>/dev/null || true
done

# dumpsrc, built in place so the frames carry this folder's path
(cd "$here/dumpsrc" && GOFLAGS=-mod=mod GOPROXY=off go build -o "$tmp/dumpsrc" .)
"$tmp/dumpsrc" >"$tmp/out" 2>"$tmp/err" &
pids="$pids $!"
i=0
until grep -q '^ready$' "$tmp/out"; do
    i=$((i + 1))
    [ $i -gt 100 ] && { echo "dumpsrc did not start" >&2; exit 1; }
    sleep 0.1
done
addr=$(sed -n 's/^pprof //p' "$tmp/out")
get "http://$addr/debug/pprof/goroutine?debug=1" "$out/dump-debug1.txt"
get "http://$addr/debug/pprof/goroutine?debug=2" "$out/dump-debug2.txt"
# a GC notes when each waiting goroutine began waiting, as the start time
# of the GC before it (none for the first): force two
get "http://$addr/debug/pprof/heap?gc=1" "$tmp/heap"
get "http://$addr/debug/pprof/heap?gc=1" "$tmp/heap"
sleep 65
get "http://$addr/debug/pprof/goroutine?debug=2" "$out/dump-debug2-minutes.txt"
go version >"$out/GO_VERSION"
echo "captured into $out"
