#!/usr/bin/env bash
# bench/parse_cost.sh: what parsing costs leakcheck itself, old against new
# in one run -- instructions per byte (callgrind) and peak RSS
# (/usr/bin/time) for
#   - a 9 MiB /metrics of 110,000 series (bench/gen_metrics.awk, shaped like
#     client_golang's exposition) through prom_parse_only with four wanted
#     names (what the sampler does) and through prom_parse (every series
#     kept), with bench/prom_parse.c as the driver;
#   - leakcheck diff of two goroutine?debug=1 profiles of a Go program
#     holding 1,000 and 100,000 parked goroutines with pprof labels of their
#     own (bench/goroutines, about 45 MiB), and of its debug=2 dumps.
# "old" is REF (default main) built from `git archive` into a temporary
# directory; "new" is BUILD_DIR (this tree's build). The diffs' outputs of
# old and new must be identical.
#
# Usage: bench/parse_cost.sh BUILD_DIR [REF (main)]
# Environment: SERIES (110000), GOROUTINES (100000), KEEP=1 keeps the
# temporary directory (inputs, callgrind files) and prints its path.
# Needs valgrind, /usr/bin/time (package time), go, cc, meson, ninja, git.
# Exits 1 when a target below is missed or old and new disagree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
if [ $# -lt 1 ] || [ ! -x "$1/leakcheck" ]; then
    echo "usage: $0 BUILD_DIR [REF] (BUILD_DIR/leakcheck must exist)" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
ref=${2:-main}
series=${SERIES:-110000}
ngor=${GOROUTINES:-100000}
for t in valgrind callgrind_annotate /usr/bin/time go cc meson ninja git awk; do
    command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 2; }
done
tmp=$(mktemp -d /tmp/leakcheck-parse-cost.XXXXXX)
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
say() { echo "parse_cost: $*" >&2; }

# --- the two builds ---------------------------------------------------------
say "building $ref into $tmp/old (git archive, meson, ninja)"
mkdir -p "$tmp/old-src"
git -C "$root" archive "$ref" | tar -x -C "$tmp/old-src"
meson setup "$tmp/old" "$tmp/old-src" -Dtests=false >"$tmp/old-setup.log" 2>&1 ||
    { cat "$tmp/old-setup.log" >&2; exit 1; }
ninja -C "$tmp/old" -j2 leakcheck >"$tmp/old-build.log" 2>&1 || { cat "$tmp/old-build.log" >&2; exit 1; }
# the driver, against each build's own headers and libraries
driver() { # NAME SRC_DIR BUILD_DIR
    cc -O2 -g -D_GNU_SOURCE -I"$2" -o "$tmp/prom_parse_$1" "$here/prom_parse.c" \
        "$(ls "$3"/sources/liblc_sources.a "$3"/framework/liblc_framework.a 2>/dev/null | head -1)" "$3/common/liblc_common.a" -lm
}
driver old "$tmp/old-src" "$tmp/old"
driver new "$root" "$build"
declare -A lc=([old]="$tmp/old/leakcheck" [new]="$build/leakcheck")

# --- the inputs -------------------------------------------------------------
say "generating a /metrics of $series series"
awk -v series="$series" -f "$here/gen_metrics.awk" >"$tmp/metrics.txt"
say "building bench/goroutines and capturing profiles of 1,000 and $ngor goroutines"
export GOCACHE=${GOCACHE:-$tmp/gocache} GOPROXY=off GOSUMDB=off GOFLAGS='' GO111MODULE=on \
    GOTOOLCHAIN=local GOTELEMETRY=off
(cd "$here/goroutines" && go build -trimpath -o "$tmp/goroutines" .)
"$tmp/goroutines" -n 1000 >"$tmp/g-base.txt"
"$tmp/goroutines" -n "$ngor" >"$tmp/g-final.txt"
"$tmp/goroutines" -n 1000 -debug 2 >"$tmp/d-base.txt"
"$tmp/goroutines" -n "$ngor" -debug 2 >"$tmp/d-final.txt"

# --- measuring --------------------------------------------------------------
size() { stat -c %s "$1"; }
# ir OUT CMD...: instructions callgrind counts (--toggle-collect from $TOGGLE)
ir() {
    local out=$1
    shift
    valgrind --tool=callgrind --callgrind-out-file="$out" ${TOGGLE:+--toggle-collect="$TOGGLE"} \
        "$@" >/dev/null 2>"$out.log" || { cat "$out.log" >&2; exit 1; }
    sed -n 's/.*Collected : //p' "$out.log"
}
# inclusive OUT FUNCTION: the instructions of FUNCTION and what it calls
inclusive() {
    callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
        awk -v f=":$2 " '!found && index($0, f) { gsub(",", "", $1); print $1; found = 1 }'
}
# rss CMD...: peak resident set in KiB
rss() {
    /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    cat "$tmp/rss"
}
names=(go_goroutines process_open_fds http_request_duration_seconds_count grpc_server_handled_total)
declare -A r
for v in old new; do
    say "measuring $v"
    TOGGLE=parse_and_free
    r[$v.only.ir]=$(ir "$tmp/cg.$v.only" "$tmp/prom_parse_$v" "$tmp/metrics.txt" "${names[@]}")
    r[$v.full.ir]=$(ir "$tmp/cg.$v.full" "$tmp/prom_parse_$v" "$tmp/metrics.txt")
    TOGGLE=
    r[$v.only.rss]=$(rss "$tmp/prom_parse_$v" "$tmp/metrics.txt" "${names[@]}")
    r[$v.full.rss]=$(rss "$tmp/prom_parse_$v" "$tmp/metrics.txt")
    r[$v.g.ir]=$(ir "$tmp/cg.$v.g" "${lc[$v]}" diff "$tmp/g-base.txt" "$tmp/g-final.txt")
    r[$v.g.parse]=$(inclusive "$tmp/cg.$v.g" pprof_parse_goroutine)
    r[$v.g.group]=$(inclusive "$tmp/cg.$v.g" culprit_goroutines)
    r[$v.g.rss]=$(rss "${lc[$v]}" diff "$tmp/g-base.txt" "$tmp/g-final.txt")
    r[$v.d.ir]=$(ir "$tmp/cg.$v.d" "${lc[$v]}" diff "$tmp/d-base.txt" "$tmp/d-final.txt")
    r[$v.d.rss]=$(rss "${lc[$v]}" diff "$tmp/d-base.txt" "$tmp/d-final.txt")
    "${lc[$v]}" diff --top 0 "$tmp/g-base.txt" "$tmp/g-final.txt" >"$tmp/diff.$v.g"
    "${lc[$v]}" diff --top 0 "$tmp/d-base.txt" "$tmp/d-final.txt" >"$tmp/diff.$v.d"
done

# --- the table --------------------------------------------------------------
mb=$(size "$tmp/metrics.txt")
gb=$(size "$tmp/g-final.txt")
db=$(size "$tmp/d-final.txt")
status=0
per_byte() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
rss_x() { awk -v k="$1" -v b="$2" 'BEGIN { printf "%.1f MB (%.2fx)", k / 1024, k * 1024 / b }'; }
row() { printf '  %-46s %-18s %s\n' "$@"; }
# target LABEL VALUE LIMIT: a line saying whether value <= limit
target() {
    if awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }'; then
        echo "  met:    $1 (new $2 <= $3)"
    else
        echo "  MISSED: $1 (new $2 > $3)"
        status=1
    fi
}
echo
echo "parse cost, $ref (old) against $build (new); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
row "" "old ($ref)" "new"
echo "/metrics: $(awk -v b="$mb" 'BEGIN { printf "%.1f MiB", b / 1048576 }'), $(grep -vc '^#' "$tmp/metrics.txt") series"
for k in only full; do
    [ $k = only ] && what="prom_parse_only (${#names[@]} names)" || what="prom_parse (all kept)"
    row "$what: instructions/byte" "$(per_byte "${r[old.$k.ir]}" "$mb")" "$(per_byte "${r[new.$k.ir]}" "$mb")"
    row "  peak RSS (x body)" "$(rss_x "${r[old.$k.rss]}" "$mb")" "$(rss_x "${r[new.$k.rss]}" "$mb")"
done
echo "goroutine?debug=1: $(awk -v b="$gb" 'BEGIN { printf "%.1f MiB", b / 1048576 }'), $(head -1 "$tmp/g-final.txt" | sed 's/.*total //') goroutines, labels of their own"
row "leakcheck diff: instructions/byte" "$(per_byte "${r[old.g.ir]}" "$gb")" "$(per_byte "${r[new.g.ir]}" "$gb")"
row "  of which parsing the profiles" "$(per_byte "${r[old.g.parse]}" "$gb")" "$(per_byte "${r[new.g.parse]}" "$gb")"
row "  of which grouping the stacks" "$(per_byte "${r[old.g.group]}" "$gb")" "$(per_byte "${r[new.g.group]}" "$gb")"
row "  peak RSS (x body)" "$(rss_x "${r[old.g.rss]}" "$gb")" "$(rss_x "${r[new.g.rss]}" "$gb")"
echo "goroutine?debug=2 of the same: $(awk -v b="$db" 'BEGIN { printf "%.1f MiB", b / 1048576 }')"
row "leakcheck diff: instructions/byte" "$(per_byte "${r[old.d.ir]}" "$db")" "$(per_byte "${r[new.d.ir]}" "$db")"
row "  peak RSS (x body)" "$(rss_x "${r[old.d.rss]}" "$db")" "$(rss_x "${r[new.d.rss]}" "$db")"
echo
target "prom_parse_only instructions/byte" "$(per_byte "${r[new.only.ir]}" "$mb")" 15
target "prom_parse instructions/byte" "$(per_byte "${r[new.full.ir]}" "$mb")" 15
target "prom_parse_only peak RSS / body" "$(awk -v k="${r[new.only.rss]}" -v b="$mb" 'BEGIN { printf "%.2f", k * 1024 / b }')" 2
target "leakcheck diff (debug=1) peak RSS / body" "$(awk -v k="${r[new.g.rss]}" -v b="$gb" 'BEGIN { printf "%.2f", k * 1024 / b }')" 3
target "leakcheck diff (debug=2) peak RSS / body" "$(awk -v k="${r[new.d.rss]}" -v b="$db" 'BEGIN { printf "%.2f", k * 1024 / b }')" 3
for k in g d; do
    if cmp -s "$tmp/diff.old.$k" "$tmp/diff.new.$k"; then
        echo "  same:   leakcheck diff output, old and new ($([ $k = g ] && echo debug=1 || echo debug=2), --top 0)"
    else
        echo "  DIFFER: leakcheck diff output, old and new ($k)"
        diff "$tmp/diff.old.$k" "$tmp/diff.new.$k" | head -20
        status=1
    fi
done
exit $status
