#!/usr/bin/env bash
# bench/checkpoint_kill.sh BUILD_DIR [MINUTES (30)] [KILL_AT_MINUTE (20)]:
# issue 15's check that a soak killed late keeps its evidence: a run of
# tests/go/healthy planned for MINUTES (50 requests/s, samples every
# second, the default checkpoint: every minute for a run over 10 minutes)
# is killed with SIGKILL at KILL_AT_MINUTE; then report.json must validate
# against its schema and junit.xml against Jenkins' XSD, say complete
# false, and cover at least minute KILL_AT_MINUTE - 1 (its last sample and
# its checkpoint's "t"), and no process of the target may be left.
# Needs jq, xmllint, python3-jsonschema. Talks to 127.0.0.1 only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
[ $# -ge 1 ] && [ -x "$1/leakcheck" ] || { echo "usage: $0 BUILD_DIR [MINUTES] [KILL_AT]" >&2; exit 2; }
lc=$(cd "$1" && pwd)/leakcheck
mins=${2:-30}
at=${3:-20}
tmp=$(mktemp -d /tmp/leakcheck-ckptkill.XXXXXX)
tag=ckptkill-$$
cat >"$tmp/s.json" <<JSON
{"suite": "killed soak", "tests": [{"name": "soak",
  "target": {"command": ["$root/tests/go/bin/healthy", "-addr", "127.0.0.1:\${port}"],
             "env": {"LC_CKPT": "$tag"}, "ready": "http://127.0.0.1:\${port}/healthz"},
  "sample": {"pprof": "http://127.0.0.1:\${port}/debug/pprof", "proc": true, "interval": "1s"},
  "baseline": "5s",
  "load": {"url": "http://127.0.0.1:\${port}/work", "rate": 50, "concurrency": 10, "duration": "${mins}m"},
  "assert": ["trend(goroutines) < 60/h", "trend(heap_inuse) < 4MB/h"]}]}
JSON
"$lc" run "$tmp/s.json" --out "$tmp/out" >"$tmp/log" 2>&1 &
pid=$!
sleep $((at * 60))
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
sleep 2
left=$({ grep -lsxz "LC_CKPT=$tag" /proc/[0-9]*/environ || true; } | wc -l)
r=$tmp/out/report.json
python3 - "$root/reports/report.schema.json" "$r" <<'PY'
import json, sys, jsonschema
errs = list(jsonschema.Draft7Validator(json.load(open(sys.argv[1]))).iter_errors(json.load(open(sys.argv[2]))))
print("report.json valid against its schema:", "yes" if not errs else errs[0].message[:200])
PY
sed -E 's/ (file|line)="[^"]*"//g' "$tmp/out/junit.xml" >"$tmp/plain.xml"
xmllint --noout --schema "$root/tests/data/schemas/junit-10.xsd" "$tmp/plain.xml" && echo "junit.xml valid against Jenkins' XSD: yes"
jq -r '"complete: \(.complete); checkpoint: \(.checkpoint.phase) at \(.checkpoint.t | floor) s of test \(.checkpoint.test), every \(.checkpoint.interval_s) s",
       "last sample of goroutines: \(.tests[0].series.goroutines.t[-1] | floor) s; points: \(.tests[0].series.goroutines.t | length)",
       "assertions: \([.tests[0].assertions[].message] | join(" | "))"' "$r"
echo "processes of the target left: $left"
grep -o 'rewritten every [0-9]*s' "$tmp/log"
echo "outputs in $tmp"
