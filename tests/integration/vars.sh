#!/usr/bin/env bash
# Suite variables on a real server from Debian: etcd (etcd-server), which
# listens on three ports (clients, peers, metrics).
#
#   tests/integration/vars.sh BUILD_DIR
#
# suites/etcd.json names them ${port}, ${port:peer} and ${port:metrics} and
# takes the data directory from ${env:LC_ETCD_DATA} (the binary from
# ${env:LC_ETCD_BIN:-etcd}). Checks: the run passes; report.json lists the
# three ports, all different and each the one the measured etcd was given;
# nothing is left running; with LC_ETCD_DATA unset the run is a usage error
# (exit 2) naming it, and starts nothing; the same suite validates.
#
# Needs etcd (Debian: etcd-server; scripts/setup.sh --test installs it), jq,
# pgrep. Prints one line per check and "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args vars "$@"
it_need jq pgrep etcd
it_init vars
suite=$here/suites/etcd.json
unset LC_ETCD_BIN

# the variable unset: exit 2, named, nothing started
rc=0
env -u LC_ETCD_DATA "$lc" run "$suite" --out "$work/out0" >"$work/unset.out" 2>&1 || rc=$?
check "unset \${env:LC_ETCD_DATA}: exit 2 (got $rc)" test "$rc" -eq 2
check "unset \${env:LC_ETCD_DATA}: the message names it" \
    grep -q 'environment variable LC_ETCD_DATA is not set' "$work/unset.out"
check "unset \${env:LC_ETCD_DATA}: no etcd started" test ! -e "$work/out0/report.json"
check "validate with it set" env LC_ETCD_DATA="$work/x" "$lc" validate "$suite"

rc=0
LC_ETCD_DATA=$work/etcd-data timeout 120 "$lc" run "$suite" --out "$work/out" \
    >"$work/run.out" 2>&1 || rc=$?
check "etcd suite passes (exit $rc)" test "$rc" -eq 0
r=$work/out/report.json
check "report.json lists ports port, peer, metrics" \
    test "$(jq -c '.tests[0].ports | keys_unsorted' "$r")" = '["port","peer","metrics"]'
check "the three ports differ" \
    test "$(jq '[.tests[0].ports[]] | unique | length' "$r")" -eq 3
for name in port peer metrics; do
    p=$(jq ".tests[0].ports.$name" "$r")
    check "etcd was given the $name port ($p)" \
        grep -q "127.0.0.1:$p" <(jq -r '.tests[0].measured.command' "$r")
done
check "the metrics port was scraped (etcd_server_has_leader passed)" \
    test "$(jq '[.tests[0].assertions[] | select(.expr == "etcd_server_has_leader == 1") | .passed][0]' "$r")" = true
check "the console names the ports" grep -q '(ports: port [0-9]*, peer [0-9]*, metrics [0-9]*)' "$work/run.out"
check "no etcd left running" test -z "$(pgrep -f -- "$work/etcd-data" || true)"
it_done
