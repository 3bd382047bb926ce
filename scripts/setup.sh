#!/usr/bin/env bash
# scripts/setup.sh [--test]: installs the Debian packages that are missing
# (Debian 12, as root), then configures and builds leakcheck into ./build
# and the Go services into tests/go/bin (where the suites look for them).
#
# Without --test (scripts/demo.sh): what building and the demo need: the
# compiler, meson and ninja, libevent, libcurl, OpenSSL, nghttp2, jansson, cmocka and Go.
# With --test (scripts/test.sh): also the tools only the tests use (curl,
# jq, xmllint, pgrep, headless chromium for report.html, python3-jsonschema
# for report.json, nginx for the load checks, etcd for suite variables,
# python3-junitparser and npm consumers for junit.xml, python3-yaml for
# the CI jobs of ci/, dpkg-dev, debhelper and man-db to build and check the
# Debian package of debian/, nghttp2-client (h2load) for bench/), Debian's Go
# gRPC library for tests/go/grpcsvc.
#
# Prints one line per step, and one per package as apt sets it up.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(gcc libc6-dev pkg-config meson ninja-build libevent-dev libcurl4-openssl-dev
          libjansson-dev libcmocka-dev libssl-dev libnghttp2-dev golang-go)
if [ "${1:-}" = "--test" ]; then
    packages+=(curl jq libxml2-utils procps ca-certificates chromium python3-jsonschema
               nginx-light openssl etcd-server python3-junitparser python3-yaml
               dpkg-dev debhelper man-db groff-base golang-google-grpc-dev
               nghttp2-client)
    # npm for the JUnit consumers of tests/integration/ci.sh (Debian's, unless
    # a node with its own npm is there)
    command -v npm >/dev/null || packages+=(npm)
elif [ $# -gt 0 ]; then
    echo "usage: scripts/setup.sh [--test]" >&2
    exit 2
fi

say() { echo "setup: $*"; }

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: these Debian packages are missing; run as root or install them: ${missing[*]}" >&2
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    log=$(mktemp /tmp/leakcheck-setup-apt.XXXXXX)
    say "apt-get update"
    apt-get update -q >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
    say "installing ${#missing[@]} packages and what they need: ${missing[*]}"
    # a line per package as it is set up; the whole log only on failure
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" 2>&1 | tee "$log" |
        sed -un 's/^Setting up \([^ ]*\) .*/setup:   \1/p'; then
        cat "$log" >&2
        exit 1
    fi
    say "installed: $(grep -c '^Setting up ' "$log") packages"
    rm -f "$log"
fi

werror=false
[ "${CI:-}" = "true" ] && werror=true
if [ ! -f build/build.ninja ]; then
    say "configuring ./build (meson)"
    meson setup build -Dwerror=$werror >build-setup.log 2>&1 || { cat build-setup.log >&2; exit 1; }
    rm -f build-setup.log
else
    meson configure build -Dwerror=$werror >/dev/null
fi
say "building leakcheck and its tests (ninja -C build)"
ninja -C build >/dev/null || { ninja -C build >&2; exit 1; }
say "building the Go services into tests/go/bin"
tests/go/build.sh >/dev/null
if [ "${1:-}" = "--test" ] && [ ! -x tests/.npm/node_modules/.bin/junit2json ]; then
    # two JUnit consumers CI front ends use, pinned, into tests/.npm (not committed)
    say "installing junit2json and test-results-parser (npm) into tests/.npm"
    npm install --no-audit --no-fund --prefix tests/.npm junit2json@4.0.0 \
        test-results-parser@0.4.6 >/dev/null
fi
say "done: build/leakcheck"
