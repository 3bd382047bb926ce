#!/usr/bin/env bash
# bench/fresh_debian.sh [ROOT]: the README's two commands as a new user
# meets them. Makes a fresh Debian 12 root (debootstrap --variant=minbase,
# only git added), clones this repository's HEAD into it, and runs
# scripts/demo.sh, then scripts/test.sh, each under `env -i` in a chroot,
# printing for each its exit code, wall time and how many packages it
# installed. Needs root, debootstrap and the Debian mirror; takes some 15
# minutes on 2 cores. ROOT (default /tmp/leakcheck-fresh-root) is removed
# first and left behind for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-/tmp/leakcheck-fresh-root}
mirror=${MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" -eq 0 ] || { echo "fresh_debian.sh: needs root" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "fresh_debian.sh: apt-get install debootstrap" >&2; exit 2; }

unmount() {
    for m in dev/shm dev/pts dev proc sys; do umount -l "$root/$m" 2>/dev/null || true; done
}
trap unmount EXIT
unmount
rm -rf "$root"
echo "fresh_debian.sh: debootstrap --variant=minbase bookworm $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
    { tail -20 "$root.debootstrap.log" >&2; exit 1; }
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs shm "$root/dev/shm"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# as in a container image: packages do not start their services (nginx
# would take port 80 of this machine)
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb "$@"; }
in_root sh -c 'apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends git ca-certificates >/dev/null'
git bundle create "$root/root/leakcheck.bundle" HEAD >/dev/null 2>&1
in_root git clone -q /root/leakcheck.bundle /root/leakcheck
packages() { in_root dpkg-query -W -f='${Status}\n' | grep -c 'ok installed'; }

for cmd in scripts/demo.sh scripts/test.sh; do
    before=$(packages)
    start=$(date +%s)
    rc=0
    in_root sh -c "cd /root/leakcheck && $cmd" >"$root.$(basename "$cmd" .sh).log" 2>&1 || rc=$?
    secs=$(($(date +%s) - start))
    after=$(packages)
    echo "fresh_debian.sh: $cmd: exit $rc in ${secs}s, $((after - before)) packages installed" \
        "($before before, $after after); log: $root.$(basename "$cmd" .sh).log"
done
du -sh "$root" | awk '{print "fresh_debian.sh: the root is now " $1}'
