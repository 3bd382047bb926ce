#!/usr/bin/env bash
# The Kubernetes and GitLab examples of README "Scaling out" cannot rot:
#
#   tests/integration/examples.sh BUILD_DIR [EXAMPLES_DIR]
#
# Every manifest of examples/kubernetes/ and examples/gitlab-parallel.yml
# is well-formed YAML (python3-yaml); the Indexed Job's completions,
# parallelism and LEAKCHECK_SHARD_COUNT agree with the merge Job's count,
# and GitLab's parallel: with the merge job's LEAKCHECK_SHARDS; every
# option their shell steps give leakcheck (after `leakcheck run|merge`, or
# gathered into `set --` or an array) is one `leakcheck COMMAND --help`
# lists for that command; the example suite validates. No cluster needed.
#
# Needs python3-yaml. Prints one line per check and "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
ex=${2:-}
it_args examples "$1"
ex=${ex:-$root/examples}
it_python yaml python3-yaml
it_init examples

"$lc" run --help >"$work/help.txt"
out=$("$py" - "$ex" "$work/help.txt" <<'PY' 2>&1
import os, re, sys, yaml
ex, helpfile = sys.argv[1], sys.argv[2]
helptext = open(helpfile).read()
def usage_opts(cmd):
    # the usage block of `leakcheck CMD`: its line and the indented ones after it
    lines, on = [], False
    for line in helptext.splitlines():
        if re.match(r'^(usage:)?\s*leakcheck ' + cmd + r'\b', line):
            on = True
        elif on and re.match(r'^(usage:)?\s*leakcheck ', line) or not line.strip():
            on = False
        if on:
            lines.append(line)
    return set(re.findall(r'(?<![\w-])(--[a-z][a-z-]*)', " ".join(lines)))
def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)
def flags(doc):
    """(command, flag) of every leakcheck option in the shell steps."""
    out = []
    for s in strings(doc):
        cmd = None
        for line in s.splitlines():
            m = re.search(r'leakcheck (run|merge)\b', line)
            if m:
                cmd = m.group(1)
                line = line[m.end():]
            elif not re.search(r'set --|=\(', line):
                continue
            for f in re.findall(r'(?<![\w-])(--[a-z][a-z-]*)', line):
                out.append((cmd or "run", f))
    return out
ok = True
def check(cond, what):
    global ok
    print(("PASS " if cond else "FAIL ") + what)
    ok &= bool(cond)
docs = {}
for name in ["kubernetes/shards-job.yaml", "kubernetes/merge-job.yaml", "kubernetes/reports-pvc.yaml", "gitlab-parallel.yml"]:
    path = os.path.join(ex, name)
    try:
        docs[name] = list(yaml.safe_load_all(open(path)))
        check(all(isinstance(d, dict) for d in docs[name]), f"{name} is well-formed YAML")
    except Exception as e:
        check(False, f"{name} is well-formed YAML ({e})")
        docs[name] = []
def env_of(job, var):
    for c in job["spec"]["template"]["spec"]["containers"]:
        for e in c.get("env", []):
            if e["name"] == var:
                return e["value"]
try:
    shards = docs["kubernetes/shards-job.yaml"][0]
    merge = docs["kubernetes/merge-job.yaml"][0]
    sp = shards["spec"]
    n = env_of(shards, "LEAKCHECK_SHARD_COUNT")
    check(sp["completionMode"] == "Indexed", "the shards Job is an Indexed Job")
    check(str(sp["completions"]) == str(sp["parallelism"]) == n == env_of(merge, "LEAKCHECK_SHARD_COUNT"),
          f"completions, parallelism and both LEAKCHECK_SHARD_COUNT agree ({n})")
    claim = docs["kubernetes/reports-pvc.yaml"][0]["metadata"]["name"]
    vols = [v["persistentVolumeClaim"]["claimName"] for j in (shards, merge)
            for v in j["spec"]["template"]["spec"]["volumes"]]
    check(vols == [claim, claim], f"both Jobs mount the claim {claim}")
    gl = docs["gitlab-parallel.yml"][0]
    check(str(gl["leakcheck-shards"]["parallel"]) == gl["leakcheck-merge"]["variables"]["LEAKCHECK_SHARDS"],
          "GitLab's parallel: and LEAKCHECK_SHARDS agree")
    check(gl["leakcheck-merge"]["needs"] == ["leakcheck-shards"], "the merge job needs the shards")
except (KeyError, IndexError, TypeError) as e:
    check(False, f"the manifests have the expected shape ({e!r})")
for name, ds in docs.items():
    used = sorted(set(f for d in ds for f in flags(d)))
    bad = [f"{c} {f}" for c, f in used if f not in usage_opts(c)]
    check(not bad and (used or name.endswith("pvc.yaml")),
          f"{name}: every leakcheck option exists ({', '.join(c + ' ' + f for c, f in used) or 'none'})"
          + (f"; unknown: {', '.join(bad)}" if bad else ""))
PY
)
echo "$out"
npass=$((npass + $(grep -c '^PASS' <<<"$out" || true)))
nfail=$((nfail + $(grep -c '^FAIL' <<<"$out" || true)))
grep -qE '^(PASS|FAIL)' <<<"$out" || fail "the YAML checks ran"
check "the example suite validates" env TARGET_URL=http://127.0.0.1:1 "$lc" validate "$ex/kubernetes/suite.json"
it_done
