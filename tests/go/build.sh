#!/usr/bin/env bash
# Builds the Go test services (tests/go/*/) and the demo service
# (suites/demo/) offline with the system Go, into OUTDIR (default:
# tests/go/bin, where the suites look for them).
#
#   tests/go/build.sh [OUTDIR]
#
# Binaries: OUTDIR/<service> for every tests/go/<service>/main.go, and
# OUTDIR/demo-svc. tests/go/grpcsvc is built apart, in GOPATH mode with
# Debian's Go gRPC library (golang-google-grpc-dev, in /usr/share/gocode);
# without that library it is skipped with a notice. The Go build cache lives in OUTDIR/.cache unless GOCACHE
# is set, so this works as root on a fresh machine with no $HOME setup and
# no network (GOPROXY=off: the modules have no requirements).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$here/bin}
mkdir -p "$out"
out=$(cd "$out" && pwd)

command -v go >/dev/null || { echo "build.sh: go not found (apt-get install golang-go)" >&2; exit 1; }

export GOCACHE=${GOCACHE:-$out/.cache/go-build}
export GOPATH=${GOPATH:-$out/.cache/gopath}
export GOMODCACHE=${GOMODCACHE:-$GOPATH/pkg/mod}
export GOPROXY=off GOSUMDB=off GOFLAGS='' GO111MODULE=on GOTOOLCHAIN=local GOTELEMETRY=off

built=0
for dir in "$here"/*/; do
    name=$(basename "$dir")
    [ -f "$dir/main.go" ] || continue
    [ "$name" != grpcsvc ] || continue
    (cd "$here" && go build -o "$out/$name" "./$name")
    echo "built $out/$name"
    built=$((built + 1))
done
gocode=/usr/share/gocode
if [ -d "$gocode/src/google.golang.org/grpc" ]; then
    (cd "$here" && GO111MODULE=off GOPATH="$gocode" go build -o "$out/grpcsvc" ./grpcsvc)
    echo "built $out/grpcsvc"
    built=$((built + 1))
else
    echo "build.sh: grpcsvc skipped (no $gocode/src/google.golang.org/grpc: apt-get install golang-google-grpc-dev)"
fi
(cd "$root/suites/demo" && go build -o "$out/demo-svc" .)
echo "built $out/demo-svc"
echo "build.sh: $((built + 1)) binaries in $out"
