#!/usr/bin/env bash
# bench/validate_scale.sh BUILD_DIR [COUNTS...]: how long `leakcheck
# validate` takes for a suite of 1,000, 10,000 and 100,000 tests (or
# COUNTS), each with a target and two assertions
# (100,000 of them: 13 MB, under the 16 MiB a suite may have). Every test is
# located in the suite's text once (suite/suite_json.c resumes from
# the last test it found), so the time grows linearly with the suite.
# Prints one line per size: tests, suite size, wall and CPU (user +
# system) seconds, peak RSS.
set -euo pipefail
[ $# -ge 1 ] && [ -x "$1/leakcheck" ] || { echo "usage: $0 BUILD_DIR [COUNTS...]" >&2; exit 2; }
lc=$(cd "$1" && pwd)/leakcheck
shift
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000 10000 100000)
command -v /usr/bin/time >/dev/null || { echo "missing /usr/bin/time (apt-get install time)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/leakcheck-validate.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

printf '%8s %10s %9s %9s %9s\n' tests bytes wall_s cpu_s rss_MB
for n in "${counts[@]}"; do
    awk -v n="$n" 'BEGIN {
        printf "{\"suite\": \"scale\", \"tests\": [\n"
        for (i = 0; i < n; i++)
            printf "  {\"name\": \"test %d\", \"target\": {\"command\": [\"./svc\", \"-addr\", \"127.0.0.1:${port}\"]},\n   \"assert\": [\"fds <= baseline(fds) + 20\", \"rss < 100MB\"]}%s\n", i, i + 1 < n ? "," : ""
        printf "]}\n" }' >"$tmp/suite.json"
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$lc" validate "$tmp/suite.json" >/dev/null 2>"$tmp/err" ||
        { cat "$tmp/err" >&2; exit 1; }
    read -r secs user sys rss <"$tmp/time"
    awk -v n="$n" -v b="$(stat -c %s "$tmp/suite.json")" -v w="$secs" -v u="$user" -v s="$sys" \
        -v r="$rss" 'BEGIN { printf "%8d %10d %9s %9.2f %9.1f\n", n, b, w, u + s, r / 1024 }'
done
