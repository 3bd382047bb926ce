#!/usr/bin/env bash
# The Debian package (debian/): built, unpacked into a throwaway root, run.
#
#   tests/integration/package.sh BUILD_DIR
#
# Builds the .deb with dpkg-buildpackage -b from a copy of the tree (the
# files git tracks or would track: what a clone holds, plus work not yet
# committed), so nothing lands next to the checkout; unpacks it with
# dpkg -x into $work/root (no dpkg database, no maintainer script, nothing
# outside $work is touched). Then, with the binary from that root:
# --version matches debian/changelog and meson.build; validate accepts the
# packaged example suites; the packaged schema accepts them too; a real
# run of the demo's healthy test (tests/go/bin/demo-svc) passes. man -l
# renders leakcheck(1) without a warning; its options and commands are
# those of the help outputs (leakcheck --help and each command's -h), both
# ways; the bash completion, sourced in a bare bash, completes commands,
# options, suite files and directories, and offers each command's options
# as its help lists them. lintian, when installed, finds no error.
# BUILD_DIR/leakcheck is not used (the package is built from source).
#
# Needs dpkg-buildpackage (dpkg-dev), dh (debhelper), man (man-db), groff
# and the build's own dependencies (scripts/setup.sh --test installs them).
# Prints one line per check and "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args package "$@"
it_need dpkg-buildpackage dh dpkg-deb apt-get man groff git tar
it_python jsonschema python3-jsonschema
it_services demo-svc
it_init package

# --- build -----------------------------------------------------------------
mkdir -p "$work/src" "$work/root"
(cd "$root" && git ls-files -co --exclude-standard | grep -v '^tests/go/bin/' |
    tar -cf - -T -) | tar -xf - -C "$work/src"
# the unit tests run in scripts/test.sh already: not a second time here
if (cd "$work/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
    dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1); then
    pass "dpkg-buildpackage -b -us -uc builds"
else
    fail "dpkg-buildpackage -b -us -uc builds" "$(tail -n 5 "$work/build.log" | tr '\n' ' ')"
fi
deb=$(ls "$work"/leakcheck_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
    fail "a leakcheck_*.deb was written"
    it_done
    exit 1
fi
for f in usr/bin/leakcheck usr/share/man/man1/leakcheck.1.gz \
    usr/share/bash-completion/completions/leakcheck usr/share/leakcheck/suite.schema.json \
    usr/share/doc/leakcheck/examples/demo.json usr/share/doc/leakcheck/copyright; do
    check "the package holds /$f" sh -c "dpkg-deb -c '$deb' | grep -q ' \./$f\$'"
done
# apt's simulation installs nothing: it only resolves Depends against
# this machine's Debian archive lists
check "apt-get install --simulate resolves the package's dependencies" \
    apt-get install -s -q "$deb"
dpkg-deb -x "$deb" "$work/root"
bin=$work/root/usr/bin/leakcheck
share=$work/root/usr/share

# --- the installed binary --------------------------------------------------
meson_version=$(sed -n "s/^ *version : '\([^']*\)'.*/\1/p" "$root/meson.build" | head -n 1)
deb_version=$(dpkg-deb -f "$deb" Version)
got=$("$bin" --version 2>&1 || true)
check "installed leakcheck --version says $meson_version ($got)" \
    test "$got" = "leakcheck $meson_version"
check "the package's version ($deb_version) is meson.build's ($meson_version)" \
    test "$deb_version" = "$meson_version"
check "the installed binary needs no library of the build tree" \
    sh -c "! ldd '$bin' | grep -q -e 'not found' -e '$root'"
examples=("$share"/doc/leakcheck/examples/*.json)
if "$bin" validate "${examples[@]}" >"$work/validate.out" 2>&1; then
    pass "installed leakcheck validate accepts the ${#examples[@]} example suites"
else
    fail "installed leakcheck validate accepts the example suites" "$(tail -n 2 "$work/validate.out")"
fi
check "the installed schema accepts the installed example suites" "$py" -c '
import json, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
bad = [f for f in sys.argv[2:] if list(v.iter_errors(json.load(open(f))))]
sys.exit(1 if bad else 0)' "$share/leakcheck/suite.schema.json" "${examples[@]}"
check "installed leakcheck validate refuses a suite with an unknown key" \
    sh -c "! '$bin' validate '$root/tests/integration/suites/bad-key.json'"

# the demo's healthy test, run by the installed binary: the suite names
# ../tests/go/bin/demo-svc, so it gets that layout in $work
mkdir -p "$work/demo/suites" "$work/demo/tests/go/bin"
cp "$share/doc/leakcheck/examples/demo.json" "$work/demo/suites/"
cp "$gobin/demo-svc" "$work/demo/tests/go/bin/"
if (cd "$work/demo" && timeout 120 "$bin" run suites/demo.json --test 'order intake' \
    --out out --quiet --no-color >"$work/demo.out" 2>&1); then
    pass "installed leakcheck runs the demo's healthy test: PASS"
else
    fail "installed leakcheck runs the demo's healthy test" "$(tail -n 3 "$work/demo.out" | tr '\n' ' ')"
fi
check "the demo run wrote report.json, junit.xml and report.html" \
    test -s "$work/demo/out/report.json" -a -s "$work/demo/out/junit.xml" -a -s "$work/demo/out/report.html"

# --- the man page ----------------------------------------------------------
page=$share/man/man1/leakcheck.1.gz
if MANWIDTH=80 man -l "$page" >"$work/man.txt" 2>"$work/man.err" && [ ! -s "$work/man.err" ] &&
    grep -q 'leakcheck - load-and-leak' "$work/man.txt"; then
    pass "man -l renders leakcheck(1) without a warning"
else
    fail "man -l renders leakcheck(1) without a warning" "$(head -n 2 "$work/man.err")"
fi
check "groff -ww finds nothing to warn about in leakcheck(1)" \
    sh -c "zcat '$page' | groff -ww -man -Tutf8 -z 2>&1 | (! grep -q .)"

# Option words: "-x" or "--xx" after a space, '[', '|' or ','; -h/--help
# (every command takes them) are left out.
opts() { grep -oE '(^|[][ |,(])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[][ |,(]//' |
    grep -vxE -e '-h' -e '--help' | sort -u; }
# The man page's option words: those of its SYNOPSIS and of its tagged
# paragraphs (.TP) in section $1 (all sections when empty), roff escapes undone.
man_opts() {
    zcat "$page" | awk -v sec="$1" '
        /^\.SH / { s = substr($0, 5); gsub(/"/, "", s); next }
        sec != "" && s != sec { next }
        tag { print; tag = 0; next }
        /^\.TP/ { tag = 1; next }
        s == "SYNOPSIS" { print }' | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/^\.[A-Z]* //' | opts
}
"$bin" --help >"$work/help-all.txt"
for c in validate compare load diff; do "$bin" "$c" -h >"$work/help-$c.txt" 2>&1 || true; done
opts <"$work/help-all.txt" >"$work/help-all.opts"
cat "$work"/help-*.txt | opts >"$work/help.opts"
man_opts "" >"$work/man.opts"
missing=$(comm -23 "$work/help.opts" "$work/man.opts" | tr '\n' ' ')
extra=$(comm -13 "$work/help.opts" "$work/man.opts" | tr '\n' ' ')
check "every option of the help outputs is in leakcheck(1)${missing:+ (missing: $missing)}" \
    test -z "$missing"
check "every option of leakcheck(1) is in a help output${extra:+ (not in any: $extra)}" \
    test -z "$extra"
for c in compare load diff; do
    section=$(echo "$c OPTIONS" | tr a-z A-Z)
    a=$(opts <"$work/help-$c.txt" | tr '\n' ' ')
    b=$(man_opts "$section" | tr '\n' ' ')
    check "leakcheck(1)'s $section are those of leakcheck $c -h ($a)" test "$a" = "$b"
done
cmds=$(sed -n 's/^ *\(usage: \)\{0,1\}leakcheck \([a-z][a-z]*\).*/\2/p' "$work/help-all.txt" | sort -u | tr '\n' ' ')
man_cmds=$(zcat "$page" | awk '/^\.SH/ { s = $2 } s == "COMMANDS" && tag { print $2; tag = 0 }
    /^\.TP/ { tag = 1 }' | grep -vE '^\\-' | sort -u | grep -E "^($(echo "$cmds" | tr ' ' '|' | sed 's/|$//'))$" | tr '\n' ' ' || true)
check "leakcheck(1) describes every command of the usage ($cmds)" test "$cmds" = "$man_cmds"

# --- bash completion -------------------------------------------------------
comp=$share/bash-completion/completions/leakcheck
mkdir -p "$work/cwd/suites.d"
touch "$work/cwd/a.json" "$work/cwd/b.txt"
# complete WORDS...: what _leakcheck offers for the last word, sorted, on one line
complete_words() {
    (cd "$work/cwd" && bash --norc --noprofile -c '. "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _leakcheck
        [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
        _ "$comp" "$@")
}
expect() { # DESC WANT WORDS...
    local desc=$1 want=$2 got
    shift 2
    got=$(complete_words "$@")
    if [ "$got" = "$want" ]; then pass "completion: $desc"; else fail "completion: $desc" "got '$got', want '$want'"; fi
}
check "the completion registers _leakcheck for leakcheck" \
    sh -c "bash --norc -c '. \"$comp\"; complete -p leakcheck' | grep -q -- '-F _leakcheck leakcheck'"
expect "the commands" "--help --version compare diff help load merge run validate " leakcheck ""
expect "a command's prefix" "run " leakcheck ru
expect "run's options from --s" "--shard --shard-count --source-root --summary-md " leakcheck run --s
expect "run offers suite files and directories, not other files" "a.json suites.d " leakcheck run ""
expect "--out offers directories only" "suites.d " leakcheck run --out ""
expect "validate offers suite files" "a.json suites.d " leakcheck validate a.json ""
expect "load -o offers its formats" "csv json " leakcheck load -o ""
expect "nothing after --repeat" "" leakcheck run --repeat ""
expect "an unknown command gets nothing" "" leakcheck frobnicate ""
# each command's options as the completion offers them, against its help
for c in compare load diff; do
    a=$(opts <"$work/help-$c.txt" | tr '\n' ' ')
    b=$(complete_words leakcheck "$c" - | tr ' ' '\n' | grep . | opts | tr '\n' ' ')
    check "completion: $c's options are those of leakcheck $c -h ($a)" test "$a" = "$b"
done
a=$(sed -n '/^usage: leakcheck run/,/leakcheck validate/p' "$work/help-all.txt" | opts | tr '\n' ' ')
b=$(complete_words leakcheck run - | tr ' ' '\n' | grep . | opts | tr '\n' ' ')
check "completion: run's options are those of its usage ($a)" test "$a" = "$b"

# --- lintian (optional) ----------------------------------------------------
if command -v lintian >/dev/null; then
    check "lintian finds no error in the package" lintian --fail-on error "$deb"
else
    echo "SKIP lintian (not installed)"
fi
it_done
