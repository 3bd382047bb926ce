#!/usr/bin/env bash
# report.html of a real run, rendered by a real browser.
#
#   tests/integration/html.sh BUILD_DIR
#
# Runs BUILD_DIR/leakcheck on the goroutine-leak suite (a Go service that
# really leaks, tests/go/bin/goroutine-leak), then loads its report.html in
# headless Chromium and checks: the page loads without console errors (and
# the check itself notices an error planted in a copy), the DOM holds the
# FAIL banner, the test's name and one <svg> chart per sampled series, the
# failing chart is marked and its failing points drawn, nothing is fetched
# from the network, the tooltip script answers a pointer move, and a
# screenshot can be taken. The page is also well-formed XML.
#
# Needs chromium (Debian package `chromium`; scripts/setup.sh installs it),
# jq, xmllint. Without chromium it says SKIP and exits 0. Prints one line
# per check and "N passed, N failed"; exits 1 when a check failed. Works in
# a private copy under /tmp (kept when a check fails).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args html "$@"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "SKIP html.sh: chromium is not installed (apt-get install chromium, or scripts/setup.sh)"
    exit 0
fi
it_need jq xmllint pgrep timeout
it_services goroutine-leak soak

it_init html
mkdir -p "$work/tests/go/bin" "$work/tests/integration/suites" "$work/profile"
cp "$gobin/goroutine-leak" "$gobin/soak" "$work/tests/go/bin/"
cp "$here/suites/goroutine-leak.json" "$here/suites/soak-trend.json" "$work/tests/integration/suites/"

# browse OUT ERR ARGS...: headless Chromium on a fresh profile, bounded in time,
# with no network and nothing but the page.
browse() {
    local out=$1 err=$2
    shift 2
    timeout -k 5 90 "$browser" --headless --no-sandbox --disable-gpu \
        --disable-background-networking --disable-component-update --disable-sync \
        --no-first-run --user-data-dir="$(mktemp -d "$work/profile/p.XXXXXX")" \
        --window-size=1400,2000 "$@" >"$out" 2>"$err"
}

# console_errors LOG: the page's console errors and uncaught exceptions.
console_errors() {
    grep -E 'CONSOLE|Uncaught|SyntaxError|ReferenceError|TypeError' "$1" || true
}

out=$work/out
rc=0
timeout -k 5 150 "$lc" run "$work/tests/integration/suites/goroutine-leak.json" --out "$out" \
    --no-color >"$work/run.log" 2>&1 || rc=$?
if [ "$rc" -eq 1 ]; then pass "leaky run: exit code 1"; else fail "leaky run: exit code 1" "got $rc"; fi
page=$out/report.html
if [ -s "$page" ]; then
    pass "report.html is written beside report.json"
else
    fail "report.html is written beside report.json"
    exit 1
fi
if xmllint --noout "$page" 2>"$work/xmllint.log"; then
    pass "report.html is well-formed"
else
    fail "report.html is well-formed" "$(head -n 3 "$work/xmllint.log")"
fi
if grep -Eq '(src|href)="(https?:)?//|url\(["'"'"']?(https?:)?//|@import' "$page"; then
    fail "report.html fetches nothing from the network" "$(grep -Eo '(src|href)="[^"]*"' "$page" | head -n 3)"
else
    pass "report.html fetches nothing from the network"
fi

# The DOM after the browser loaded the page and ran its script.
browse "$work/dom.html" "$work/dom.log" --enable-logging=stderr --v=0 --dump-dom "file://$page" || true
if [ -s "$work/dom.html" ]; then pass "chromium loads the page"; else fail "chromium loads the page"; fi
errs=$(console_errors "$work/dom.log")
if [ -z "$errs" ]; then pass "no console errors"; else fail "no console errors" "$errs"; fi
name=$(jq -r '.tests[0].name' "$out/report.json")
if grep -Fq "<span class=\"badge fail big\">FAIL</span><h2>$name</h2>" "$work/dom.html"; then
    pass "the test's FAIL banner is shown"
else
    fail "the test's FAIL banner is shown"
fi
# One chart per series with samples; with load, rps/p50/p99 live in the load
# panel (requests/s, latency) unless an assertion reads them.
want=$(jq '.tests[0] as $t
    | [$t.assertions[] | (.metric // (.expr | capture("^\\s*(?:(?:baseline|min|max|avg|growth|slope|compare)\\s*\\(\\s*)?(?<m>[A-Za-z_][A-Za-z0-9_:.]*)").m))] as $read
    | [$t.series | to_entries[] | select(.value.t | length > 0) | .key] as $drawn
    | ($drawn | length)
      - (if $t.load then [$drawn[] | select((. == "rps" or . == "p50" or . == "p99") and (. as $k | $read | index($k) | not))] | length else 0 end)
      + (if $t.load then ([$drawn[] | select(. == "rps")] | length) + (if ([$drawn[] | select(. == "p50" or . == "p99")] | length) > 0 then 1 else 0 end) else 0 end)' \
    "$out/report.json")
got=$(grep -o '<svg class="chart"' "$work/dom.html" | wc -l)
if [ "$got" -eq "$want" ] && [ "$want" -gt 10 ]; then
    pass "one chart per sampled series ($got)"
else
    fail "one chart per sampled series" "want $want, got $got"
fi
if grep -q '<figure class="failing"><figcaption><span class="name">goroutines</span>' "$work/dom.html"; then
    pass "the goroutines chart comes marked as failing"
else
    fail "the goroutines chart comes marked as failing"
fi
first=$(grep -o '<figcaption><span class="name">[^<]*' "$work/dom.html" | head -n 1)
if [ "$first" = '<figcaption><span class="name">goroutines' ]; then
    pass "the failing metric's chart comes first"
else
    fail "the failing metric's chart comes first" "$first"
fi
got=$(grep -o '<circle class="bad"' "$work/dom.html" | wc -l)
if [ "$got" -gt 0 ]; then pass "failing points are marked ($got)"; else fail "failing points are marked"; fi
if grep -q '<g class="limit fail">' "$work/dom.html"; then
    pass "the failed limit is drawn"
else
    fail "the failed limit is drawn"
fi

# The tooltip script answers a pointer move over the first chart.
sed 's|</body></html>|<script>(function(){var s=document.querySelector("svg.chart"),r=s.getBoundingClientRect();s.dispatchEvent(new MouseEvent("mousemove",{clientX:r.left+r.width*0.8,clientY:r.top+r.height/2,bubbles:true}));document.body.setAttribute("data-tip",document.querySelector(".tip").textContent);})();</script></body></html>|' \
    "$page" >"$out/hover.html"
browse "$work/hover.dom" "$work/hover.log" --enable-logging=stderr --v=0 --dump-dom "file://$out/hover.html" || true
if grep -Eq 'data-tip="t = [0-9.]+s' "$work/hover.dom" && grep -q 'goroutines: [0-9]' "$work/hover.dom"; then
    pass "the tooltip shows the value under the pointer"
else
    fail "the tooltip shows the value under the pointer"
fi

# The console check must be able to fail: a planted error is seen.
sed 's|</body></html>|<script>undefinedFunctionPlantedByTheTest();</script></body></html>|' \
    "$page" >"$out/broken.html"
browse "$work/broken.dom" "$work/broken.log" --enable-logging=stderr --v=0 --dump-dom "file://$out/broken.html" || true
if [ -n "$(console_errors "$work/broken.log")" ]; then
    pass "a planted script error is noticed"
else
    fail "a planted script error is noticed"
fi

# A soak's charts: the warm-up shaded, the trend() fit and its band drawn
# (red: the goroutine leak fails it) over the load after the warm-up.
sout=$work/soak-out
rc=0
timeout -k 5 120 "$lc" run "$work/tests/integration/suites/soak-trend.json" --out "$sout" \
    --no-color >"$work/soak.log" 2>&1 || rc=$?
browse "$work/soak.dom" "$work/soak.dom.log" --enable-logging=stderr --v=0 --dump-dom \
    "file://$sout/report.html" || true
gchart=$(sed -n 's/.*<span class="name">goroutines<\/span>//p' "$work/soak.dom" | sed 's/<\/svg>.*//' | head -n 1 || true)
if [ "$rc" -eq 1 ] && grep -q '<g class="warmup"><title>warm-up: left out of trend()</title><rect ' <<<"$gchart" \
    && grep -q '>warm-up</text>' <<<"$gchart"; then
    pass "the warm-up is shaded on the soak's chart"
else
    fail "the warm-up is shaded on the soak's chart" "exit $rc; $(grep -c warmup "$work/soak.dom" || true) warmup elements"
fi
# the fit starts where the warm-up ends: the line's x1 is the shaded rect's right edge
wx=$(grep -o '<g class="warmup">.*' <<<"$gchart" | grep -o '<rect x="[0-9.]*" y="[0-9.]*" width="[0-9.]*"' | head -n 1 \
    | awk -F'"' '{ printf "%.1f", $2 + $6 }' || true)
fx=$(grep -o '<g class="trend fail">.*' <<<"$gchart" | grep -o '<line class="fit" x1="[0-9.]*" y1="[0-9.]*" x2="[0-9.]*" y2="[0-9.]*"' | head -n 1 || true)
if [ -n "$fx" ] && grep -q '<polygon class="band"' <<<"$gchart" \
    && awk -v w="$wx" -v l="$fx" 'BEGIN { split(l, a, "\""); exit !((a[4] - w) ^ 2 < 0.05 && a[6] > a[10]) }'; then
    pass "the failed trend line and its band are drawn after the warm-up, rising"
else
    fail "the failed trend line and its band are drawn after the warm-up, rising" "warm-up ends at ${wx:-?}; ${fx:-no fit line}"
fi
if grep -q 'class="chart" [^>]*data-tunit="s"' "$work/soak.dom" && grep -q '<span><i class="sw tr"></i>' "$work/soak.dom"; then
    pass "a short run's axis is in seconds, the legend names the trend"
else
    fail "a short run's axis is in seconds, the legend names the trend"
fi
browse "$work/soak.png.log" "$work/soak.png.err" --screenshot="$work/soak.png" "file://$sout/report.html" || true
[ -s "$work/soak.png" ] && cp "$work/soak.png" "$build/html-test-soak.png"

browse "$work/shot.log" "$work/shot.err" --screenshot="$work/report.png" "file://$page" || true
if [ -s "$work/report.png" ]; then
    # kept beside the build for a person to look at
    cp "$work/report.png" "$build/html-test-report.png"
    cp "$page" "$build/html-test-report.html"
    pass "a screenshot renders ($build/html-test-report.png)"
else
    fail "a screenshot renders"
fi
it_done
