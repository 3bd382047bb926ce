#!/usr/bin/env python3
"""tests/integration/series_check.py: what series.sh checks in the report of
suites/ramp.json's first test (a ramp 0 -> RATE/s over RAMP s, then HOLD s
at RATE/s, then observe and settle with nothing sent), in report.json and in
the requests/s chart of report.html.

    series_check.py json REPORT.json RATE RAMP HOLD
    series_check.py svg REPORT.html REPORT.json
    series_check.py schema REPORT.json SCHEMA.json   (needs python3-jsonschema)

Prints one "PASS ..." or "FAIL ... (why)" line per check (series.sh counts
them) and the per-interval figures it judged.

The rate of an interval is the requests that finished in it over its
length; each must be within 10% of RATE of the configured rate averaged
over the interval. A machine shared with other work stalls now and then
(the target or the load engine is not scheduled for tens or hundreds of
ms): the responses of the stall then finish in a later interval, one or
two intervals read low and the next high. Such an interval is excused when
it and up to two neighbours together are within the 10%; at most a third
of the intervals may be excused, and the median of the hold and its total
stay within 5%. Running averages (what the series were before) fail all
of this: they climb to the hold rate slowly and never reach it.
"""
import json
import re
import sys


def out(ok, what, why=""):
    print(("PASS " if ok else "FAIL ") + what + ("" if ok or not why else " (" + why + ")"))
    return ok


def planned(a, b, rate, ramp, hold):
    """Requests/s the stages ask for, averaged over [a, b] (load time)."""
    def sent(x):  # requests sent by time x
        x = max(0.0, min(x, ramp + hold))
        if x < ramp:
            return rate * x * x / (2 * ramp)
        return rate * ramp / 2 + rate * (x - ramp)
    return (sent(b) - sent(a)) / (b - a)


def intervals(t, v, start, end):
    """(from, to, value) of the points that cover the load."""
    res, prev = [], 0.0
    for tt, vv in zip(t, v):
        if tt > end + 1e-3:
            break
        res.append((prev, tt - start, vv))
        prev = tt - start
    return res


def judge(ivs, rate, ramp, hold):
    tol = 0.1 * rate
    dev = [vv - planned(a, b, rate, ramp, hold) for a, b, vv in ivs]
    excused = 0
    bad = []
    for i, (a, b, vv) in enumerate(ivs):
        print("    %6.3f-%6.3fs  %7.1f/s  planned %6.1f/s" % (a, b, vv, vv - dev[i]))
        if abs(dev[i]) <= tol:
            continue
        ok = False
        for first in range(i - 2, i + 1):
            for last in range(max(first, i), first + 3):
                run = ivs[first:last + 1] if 0 <= first and last < len(ivs) else []
                if len(run) < 2:
                    continue
                lo, hi = run[0][0], run[-1][1]
                merged = sum(v2 * (b2 - a2) for a2, b2, v2 in run) / (hi - lo)
                ok = ok or abs(merged - planned(lo, hi, rate, ramp, hold)) <= tol
        if ok:
            excused += 1
        else:
            bad.append("%.2f-%.2fs: %.1f/s, planned %.1f/s" % (a, b, vv, vv - dev[i]))
    return bad, excused


def check_json(path, rate, ramp, hold):
    with open(path) as f:
        t = json.load(f)["tests"][0]
    ph = {p["name"]: p for p in t["phases"]}
    load, rps = ph["load"], t["series"]["rps"]
    ivs = intervals(rps["t"], rps["v"], load["start"], load["end"])
    bad, excused = judge(ivs, rate, ramp, hold)
    out(len(ivs) >= 4 * (ramp + hold) * 0.8,
        "report.json: rps has a point per sampling interval of the load (%d)" % len(ivs))
    out(not bad and excused <= len(ivs) // 3,
        "report.json: the ramp and the hold at %g/s, every interval within 10%% (%d excused "
        "by a stall)" % (rate, excused), "; ".join(bad) or "%d excused" % excused)
    held = sorted(vv for a, b, vv in ivs if a >= ramp)
    med = held[len(held) // 2] if held else float("nan")
    # requests in the hold's intervals against the stages' (the last one may
    # outlast the stages while the answers still in flight come in)
    got = sum(vv * (b - a) for a, b, vv in ivs if a >= ramp)
    want = sum(planned(a, b, rate, ramp, hold) * (b - a) for a, b, vv in ivs if a >= ramp)
    out(held and abs(med - rate) <= 0.05 * rate and want and abs(got / want - 1) <= 0.05,
        "report.json: the hold's median interval is %g/s and its total as planned, within 5%%"
        % rate, "median %.1f/s, %.0f requests of %.0f" % (med, got, want))
    ramp_pts = [vv for a, b, vv in ivs if b <= ramp]
    out(len(ramp_pts) >= 4 and ramp_pts[0] < 0.3 * rate and ramp_pts[-1] > 0.7 * rate,
        "report.json: the ramp climbs from near 0 to near %g/s" % rate, str(ramp_pts))
    def phase_at(tt):
        return next((n for n, p in ph.items() if p["start"] <= tt <= p["end"] + 1e-3), "?")
    after = [(tt, vv, phase_at(tt)) for tt, vv in zip(rps["t"], rps["v"])
             if tt > load["end"] + 1e-3]
    phases_after = sorted({p for _, _, p in after})
    out(after and all(vv == 0 for _, vv, _ in after) and "observe" in phases_after
        and "settle" in phases_after,
        "report.json: 0 requests/s in every interval of observe and settle (%d)" % len(after),
        str([(round(tt, 2), vv, p) for tt, vv, p in after if vv != 0][:5] or phases_after))
    p99 = t["series"]["p99"]
    lat_after = [vv for tt, vv in zip(p99["t"], p99["v"]) if tt > load["end"] + 1e-3]
    lat_during = [vv for tt, vv in zip(p99["t"], p99["v"]) if tt <= load["end"] + 1e-3]
    out(lat_after and all(vv is None for vv in lat_after)
        and all(vv is not None and vv > 0 for vv in lat_during[1:]),
        "report.json: p99 per interval during the load, gaps (null) after it")
    m, ld = t["metrics"], t["load"]
    whole = ld["requests"] / ld["duration_s"]
    out(abs(m["rps"]["final"] - whole) < 1e-6 * whole and abs(whole - rate * (ramp / 2 + hold) /
                                                               (ramp + hold)) <= 0.1 * rate,
        "report.json: rps's final value is the whole load's (requests / duration)",
        "final %s, whole %.2f" % (m["rps"]["final"], whole))
    out(abs(m["p99"]["final"] - ld["latency_s"]["p99"]) <= 1e-9 * abs(ld["latency_s"]["p99"])
        and m["p99"]["max"] >= m["p99"]["final"] >= m["p99"]["min"],
        "report.json: p99's final value is the whole load's, between the intervals' min and max",
        "%s vs load %s" % (m["p99"], ld["latency_s"]["p99"]))


def svg_of(html, caption):
    i = html.index(">" + caption + "<")
    return html[html.index("<svg", i):html.index("</svg>", i)]


def check_svg(html_path, json_path):
    with open(html_path) as f:
        svg = svg_of(f.read(), "requests/s per interval")
    with open(json_path) as f:
        rps = json.load(f)["tests"][0]["series"]["rps"]
    x0, width, tmax = map(float, re.search(r'data-map="([^"]+)"', svg).group(1).split())
    # the y axis from its labelled grid lines ("0/s" ... "300/s")
    grid = [(float(y), float(n)) for y, n in re.findall(
        r'<line class="grid" [^>]*y1="([^"]+)"[^>]*/><text class="yl"[^>]*>([0-9.]+)/s</text>',
        svg)]
    (ya, va), (yb, vb) = grid[0], grid[-1]
    plot = re.search(r'data-name="rps"[^>]*>(.*?)</g>', svg).group(1)
    pts = [tuple(map(float, p.split(","))) for line in re.findall(r'points="([^"]+)"', plot)
           for p in line.split()]
    drawn = [((x - x0) / width * tmax, va + (y - ya) * (vb - va) / (yb - ya)) for x, y in pts]
    # one drawn point per sample, where report.json has it (0.1 px of rounding)
    dt, dv = tmax / width * 0.11, abs(vb - va) / abs(yb - ya) * 0.11
    same = len(drawn) == len(rps["t"]) and all(
        abs(t1 - t2) <= dt and abs(v1 - v2) <= dv
        for (t1, v1), t2, v2 in zip(drawn, rps["t"], rps["v"]))
    out(same, "report.html: the requests/s chart draws report.json's intervals (%d points)"
        % len(drawn), "%d drawn, %d in report.json" % (len(drawn), len(rps["t"])))
    return drawn


def check_schema(path, schema_path):
    import jsonschema
    with open(path) as f, open(schema_path) as g:
        errors = list(jsonschema.Draft7Validator(json.load(g)).iter_errors(json.load(f)))
    out(not errors, "report.json is valid against reports/report.schema.json",
        "; ".join(e.message for e in errors[:3]))


def main():
    if sys.argv[1] == "json":
        check_json(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
    elif sys.argv[1] == "schema":
        check_schema(sys.argv[2], sys.argv[3])
    else:
        check_svg(sys.argv[2], sys.argv[3])


main()
