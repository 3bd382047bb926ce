#!/usr/bin/env bash
# scripts/setup.sh: installs what is missing (Debian 12, as root), then
# configures and builds leakcheck into ./build and the Go services into
# tests/go/bin (where the suites look for them). Run by scripts/demo.sh and
# scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(gcc libc6-dev pkg-config meson ninja-build libevent-dev libcurl4-openssl-dev
          libjansson-dev libcmocka-dev golang-go curl jq libxml2-utils procps ca-certificates
          chromium python3-jsonschema nginx-light)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: these Debian packages are missing; run as root or install them: ${missing[*]}" >&2
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

werror=false
[ "${CI:-}" = "true" ] && werror=true
if [ ! -f build/build.ninja ]; then
    meson setup build -Dwerror=$werror >build-setup.log 2>&1 || { cat build-setup.log >&2; exit 1; }
    rm -f build-setup.log
else
    meson configure build -Dwerror=$werror >/dev/null
fi
ninja -C build >/dev/null || { ninja -C build >&2; exit 1; }
tests/go/build.sh >/dev/null
