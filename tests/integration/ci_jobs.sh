#!/usr/bin/env bash
# The copy-paste CI jobs, ci/github-actions.yml and ci/gitlab-ci.yml, run
# here as their runners would run them, so that the examples cannot rot.
#
#   tests/integration/ci_jobs.sh BUILD_DIR
#
# Reads the shell steps out of each YAML file (python3-yaml): GitHub's
# `run:` steps but `deps` (the apt-get install, done by scripts/setup.sh),
# each under `bash -eo pipefail` as GitHub runs them; GitLab's `script`
# lines in one `bash -e`. They run in a scratch folder laid out like a
# checkout (build, suites and tests linked), on LEAKCHECK_SUITE =
# tests/integration/suites/healthy.json (p99 out of the gate). Checks: a first run (no previous
# report) passes and writes the step summary and the files the upload and
# JUnit steps name; a second run with the first's report.json as the
# previous one compares (compare() assertions) and passes; with a previous
# report whose rss was tiny the gate fails the job; GitLab's job passes
# with no artifact server and leaves its artifacts.
#
# Needs python3-yaml, jq. Prints one line per check and "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args ci_jobs "$@"
it_need jq timeout
it_services healthy
it_python yaml python3-yaml
it_init ci_jobs

# the steps, one file each: $work/gh/NN-ID.sh and $work/gitlab.sh
mkdir -p "$work/gh"
"$py" - "$root/ci/github-actions.yml" "$root/ci/gitlab-ci.yml" "$work" <<'PY'
import sys, yaml
gh, gl, work = sys.argv[1:4]
job = yaml.safe_load(open(gh))["jobs"]["leakcheck"]
n = 0
for step in job["steps"]:
    if "run" in step and step.get("id") != "deps":
        n += 1
        text = step["run"].replace("${{ github.event.repository.default_branch }}", "main")
        open(f"{work}/gh/{n:02d}-{step['id']}.sh", "w").write(text)
    for v in (step.get("with") or {}).values():
        if isinstance(v, str) and v.startswith("leakcheck-out"):
            open(f"{work}/gh-paths", "a").write(v + "\n")
lab = yaml.safe_load(open(gl))["leakcheck"]
open(f"{work}/gitlab.sh", "w").write("\n".join(lab["script"]) + "\n")
open(f"{work}/gl-paths", "w").write("\n".join(lab["artifacts"]["paths"] + [lab["artifacts"]["reports"]["junit"]]) + "\n")
PY
check "github-actions.yml: build, previous and run steps found" \
    test "$(ls "$work/gh" | tr '\n' ' ')" = "01-build.sh 02-previous.sh 03-run.sh "

# checkout DIR: a scratch folder laid out like the repository
checkout() {
    mkdir -p "$1"
    ln -s "$build" "$1/build"
    ln -s "$root/suites" "$1/suites"
    ln -s "$root/tests" "$1/tests"
    # healthy.json with p99 left out of the gate: two short runs' p99 on a
    # busy machine differ by more than any tolerance a real gate would use
    jq '.compare = {"p99": "off"} | .tests[].target.command[0] |= sub("^../../go/"; "tests/go/")' \
        "$root/tests/integration/suites/healthy.json" >"$1/ci-suite.json"
}
export LEAKCHECK_SUITE=ci-suite.json LEAKCHECK_OUT=leakcheck-out

# gh_job DIR: runs the GitHub steps in DIR, as GitHub does; returns the
# first failing step's status
gh_job() {
    local s
    for s in "$work"/gh/*.sh; do
        (cd "$1" && GITHUB_STEP_SUMMARY=$1/step-summary.md timeout 300 bash -eo pipefail "$s") \
            >>"$1/job.log" 2>&1 || return $?
    done
}

checkout "$work/gh1"
rc=0
gh_job "$work/gh1" || rc=$?
check "GitHub job, first run: passes (exit $rc)" test "$rc" -eq 0
check "GitHub job: no previous report said" grep -q 'no previous report' "$work/gh1/job.log"
check "GitHub job: the step summary has the verdicts" grep -q '✅ pass' "$work/gh1/step-summary.md"
while read -r p; do
    check "GitHub job: $p (uploaded or published) exists" test -e "$work/gh1/$p"
done <"$work/gh-paths"

checkout "$work/gh2"
mkdir -p "$work/gh2/previous"
cp "$work/gh1/leakcheck-out/report.json" "$work/gh2/previous/"
rc=0
gh_job "$work/gh2" || rc=$?
check "GitHub job, with a previous report: passes (exit $rc)" test "$rc" -eq 0
check "GitHub job: it compared with the previous run" \
    jq -e '[.tests[].assertions[] | select(.expr | startswith("compare("))] | length > 0' \
    "$work/gh2/leakcheck-out/report.json"

checkout "$work/gh3"
mkdir -p "$work/gh3/previous"
jq '.tests[].metrics.rss.final = 1' "$work/gh1/leakcheck-out/report.json" >"$work/gh3/previous/report.json"
rc=0
gh_job "$work/gh3" || rc=$?
check "GitHub job: a regression against the previous run fails it (exit $rc)" test "$rc" -eq 1
check "GitHub job: the step summary names the comparison" grep -q 'compare(rss)' "$work/gh3/step-summary.md"

checkout "$work/gl"
rc=0
(cd "$work/gl" && timeout 300 bash -e "$work/gitlab.sh") >"$work/gl/job.log" 2>&1 || rc=$?
check "GitLab job: passes with no artifact server (exit $rc)" test "$rc" -eq 0
while read -r p; do
    check "GitLab job: artifact $p exists" test -e "$work/gl/$p"
done <"$work/gl-paths"
it_done
