#!/usr/bin/env python3
"""suites/suite.schema.json against the parser (suite/*.c) and leakcheck validate.

    suite_schema_check.py ROOT LEAKCHECK WORKDIR

Prints one "PASS desc" or "FAIL desc (detail)" line per check (the caller,
suite_schema.sh, counts them). The checks:

- keys: every key table of suite/*.c (`static const char *const X_keys[] =
  {...}`) against the properties of the schema object it describes (TABLES
  below): a key in one and not in the other fails; so does a key table the
  map does not know (a new object in the format). The comparison is shown
  to fail once, on a key planted in a copy of the tables.
- every key in use: BASES, suites that together set every key of every
  table, are accepted by both leakcheck validate and the schema.
- the example suites (suites/, tests/integration/suites/, the unit tests'
  valid/ suites, the fuzz corpus's valid-*): the schema's verdict is
  leakcheck validate's wherever the parser accepts (and for
  tests/integration/suites/, where both must agree either way).
- hostile suites (HOSTILE): each one fault the parser refuses; the schema
  must refuse each too. An unknown key is put into every object of BASES.
"""
import copy
import glob
import json
import os
import re
import subprocess
import sys

import jsonschema

ROOT, LC, WORK = sys.argv[1:4]

# (file, table) -> the schema object (JSON pointer) whose properties the
# table lists; every key table of suite/*.c must be here.
TABLES = {
    ("suite.c", "suite_keys"): "",
    ("suite.c", "test_keys"): "/$defs/test",
    ("suite.c", "ignore_keys"): "/$defs/test/properties/ignore",
    ("suite_target.c", "target_keys"): "/$defs/target",
    ("suite_target.c", "sample_keys"): "/$defs/sample",
    ("suite_target.c", "object_keys"): "/$defs/target/properties/measure/oneOf/1",
    ("suite_request.c", "load_keys"): "/$defs/load",
    ("suite_mix.c", "mix_keys"): "/$defs/load/properties/requests_mix/items",
    ("suite_mix.c", "stage_keys"): "/$defs/load/properties/stages/items",
    ("suite_grpc.c", "grpc_keys"): "/$defs/load/properties/grpc",
}

# Where each table's object sits in a suite (for BASES and the unknown-key
# cases): a path of keys, "*" for every element of an array.
WHERE = {
    "suite_keys": [],
    "test_keys": ["tests", "*"],
    "ignore_keys": ["tests", "*", "ignore"],
    "target_keys": ["tests", "*", "target"],
    "sample_keys": ["tests", "*", "sample"],
    "object_keys": ["tests", "*", "target", "measure"],
    "load_keys": ["tests", "*", "load"],
    "mix_keys": ["tests", "*", "load", "requests_mix", "*"],
    "stage_keys": ["tests", "*", "load", "stages", "*"],
    "grpc_keys": ["tests", "*", "load", "grpc"],
}

BASES = [
    {
        "$schema": "./suite.schema.json",
        "suite": "every key of a started target, a single request",
        "compare": {"goroutines": "10%", "rss": "off", "p99": "2.5%"},
        "checkpoint": "5m",
        "tests": [{
            "name": "all the keys",
            "target": {"command": ["./svc", "-addr", "127.0.0.1:${port}"],
                       "env": {"GOGC": "100"}, "cwd": ".", "nofile": 256,
                       "ready": "http://127.0.0.1:${port}/healthz", "ready_timeout": "10s",
                       "stop_grace": "2s", "measure": {"listening": "${port:admin}"}},
            "sample": {"pprof": "http://127.0.0.1:${port}/debug/pprof",
                       "prometheus": "http://127.0.0.1:${port:admin}/metrics", "proc": True,
                       "interval": "250ms", "timeout": "5s"},
            "baseline": "1s",
            "load": {"url": "https://127.0.0.1:${port}/work", "method": "POST",
                     "headers": {"Content-Type": "application/json"}, "body": "{}",
                     "concurrency": 4, "requests": 100, "duration": "1m30s", "rate": 50.5,
                     "threads": 1, "timeout": "20s", "disable_keepalive": True,
                     "insecure": False, "cacert": "ca.pem"},
            "observe": "500ms", "settle": "4s", "warmup": "1s",
            "assert": ["goroutines stay within 20 of baseline", "fds <= baseline(fds) + 20"],
            "ignore": {"top_function": ["internal/poll.runtime_pollWait"],
                       "any_function": ["net/http.(*persistConn).readLoop"]},
        }],
    },
    {
        "suite": "attached by pid file, a mix on stages",
        "checkpoint": "off",
        "tests": [{
            "name": "mix",
            "target": {"pid_file": "svc.pid", "measure": "started"},
            "load": {"requests_mix": [
                {"url": "http://127.0.0.1:${port}/a", "weight": 3},
                {"url": "http://127.0.0.1:${port}/p", "method": "PUT",
                 "headers": {"X-A": "b"}, "body_file": "payload.json"},
                {"url": "http://127.0.0.1:${port}/q", "body": "x"}],
                "stages": [{"duration": "1s", "rate": 10}, {"duration": "1s", "rate": 0}],
                "protocol": "h2", "streams": 4},
            "assert": ["errors == 0"],
        }, {
            "name": "a body from a file",
            "load": {"url": "http://127.0.0.1:${port}/p", "body_file": "payload.json",
                     "duration": "1s"},
        }, {
            "name": "gRPC calls",
            "load": {"url": "http://127.0.0.1:${port:grpc}", "requests": 10,
                     "grpc": {"method": "/leak.Svc/Echo", "message": "payload.json"}},
        }, {
            "name": "by pid",
            "target": {"pid": 1},
            "observe": "1s",
            "assert": ["threads >= 1"],
        }],
    },
    {
        "suite": "a batch job",
        "tests": [{
            "name": "job",
            "target": {"command": ["${env:LC_SCHEMA_TEST_BIN:-./job}", "--dir", "x"],
                       "exits": True, "exit_timeout": "1m"},
            "sample": {"interval": "50ms"},
            "assert": ["max(fds) <= 64", "exit_code == 0"],
        }],
    },
]


def key_tables(root):
    """(file, table) -> [keys] for every *_keys table of suite/*.c."""
    out = {}
    rx = re.compile(r"static const char \*const (\w+_keys)\[\]\s*=\s*\{([^}]*)\}", re.S)
    for path in sorted(glob.glob(os.path.join(root, "suite", "*.c"))):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in rx.finditer(text):
            keys = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
            out[(os.path.basename(path), m.group(1))] = keys
    return out


def pointer(doc, ptr):
    for part in ptr.split("/")[1:]:
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def compare_tables(tables, schema):
    """[(description, problem or None)] for each table and for the map."""
    results = []
    for k in sorted(set(tables) - set(TABLES)):
        results.append((f"key table {k[0]}:{k[1]} is described by the schema",
                        "not in suite_schema_check.py's TABLES: add it, and the object to the schema"))
    for k, ptr in sorted(TABLES.items()):
        desc = f"{k[0]}:{k[1]} = schema {ptr or '/'} properties"
        if k not in tables:
            results.append((desc, "table not found in suite/*.c"))
            continue
        props = set(pointer(schema, ptr).get("properties", {}))
        code = set(tables[k])
        problem = []
        if code - props:
            problem.append(f"parser only: {sorted(code - props)}")
        if props - code:
            problem.append(f"schema only: {sorted(props - code)}")
        results.append((desc, "; ".join(problem) or None))
    return results


def objects_at(doc, path):
    """Every object reached from doc along path ("*": each array element)."""
    if not path:
        return [doc] if isinstance(doc, dict) else []
    head, rest = path[0], path[1:]
    if head == "*":
        return [o for e in (doc if isinstance(doc, list) else []) for o in objects_at(e, rest)]
    if isinstance(doc, dict) and head in doc:
        return objects_at(doc[head], rest)
    return []


class Checker:
    def __init__(self, schema):
        self.validator = jsonschema.Draft202012Validator(schema)
        self.npass = self.nfail = 0
        self.n = 0

    def report(self, desc, problem):
        if problem:
            print(f"FAIL {desc} ({problem})")
        else:
            print(f"PASS {desc}")
        sys.stdout.flush()

    def schema_errors(self, doc):
        errs = sorted(self.validator.iter_errors(doc), key=lambda e: list(e.path))
        return ["/".join(map(str, e.path)) + ": " + e.message[:120] for e in errs]

    def parser_ok(self, path):
        env = dict(os.environ, LC_ETCD_DATA=WORK)
        env.pop("LC_SCHEMA_TEST_BIN", None)
        r = subprocess.run([LC, "validate", path], capture_output=True, text=True, env=env,
                           timeout=60)
        return r.returncode == 0, (r.stdout + r.stderr).strip().splitlines()[-1:] or [""]

    def write(self, doc, name):
        self.n += 1
        path = os.path.join(WORK, f"{self.n:03d}-{name}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        return path


def check_keys(schema, chk):
    tables = key_tables(ROOT)
    for desc, problem in compare_tables(tables, schema):
        chk.report(desc, problem)
    # the comparison can fail: a key planted in a copy of the parser's tables
    planted = copy.deepcopy(tables)
    planted[("suite_request.c", "load_keys")].append("planted_key")
    caught = [p for d, p in compare_tables(planted, schema) if p and "planted_key" in p]
    chk.report("a key planted in the parser's load table is caught",
               None if caught else "the comparison did not see it")
    # BASES use every key of every table
    for (_, table), keys in sorted(tables.items()):
        used = set()
        for b in BASES:
            for o in objects_at(b, WHERE.get(table, ["?"])):
                used |= set(o)
        missing = set(keys) - used
        chk.report(f"the base suites set every key of {table}",
                   f"unused: {sorted(missing)}" if missing else None)


def check_bases(chk):
    for i, b in enumerate(BASES):
        path = chk.write(b, f"base{i}")
        ok, msg = chk.parser_ok(path)
        errs = chk.schema_errors(b)
        chk.report(f"base suite {i} ({b['suite']}): leakcheck validate accepts it",
                   None if ok else msg[0])
        chk.report(f"base suite {i}: the schema accepts it", "; ".join(errs[:3]) or None)


def load_json(path):
    with open(path, encoding="utf-8-sig") as f:
        return json.load(f)


def check_examples(chk):
    pats = ["suites/*.json", "suites/examples/*.json", "tests/integration/suites/*.json",
            "tests/data/suites/valid/*.json", "tests/fuzz/corpus/suite/valid-*.json"]
    for pat in pats:
        for path in sorted(glob.glob(os.path.join(ROOT, pat))):
            rel = os.path.relpath(path, ROOT)
            if rel.endswith(".schema.json"):
                continue
            ok, msg = chk.parser_ok(path)
            errs = chk.schema_errors(load_json(path))
            if ok:
                chk.report(f"{rel}: valid, and the schema accepts it",
                           "; ".join(errs[:3]) or None)
            elif pat.startswith("tests/integration"):
                chk.report(f"{rel}: refused by leakcheck validate, and by the schema",
                           None if errs else f"the schema accepts it; validate: {msg[0]}")


def hostile_cases():
    """(description, suite) pairs, each with one fault the parser refuses."""
    base = BASES[0]
    cases = []

    def case(desc, fn, doc=None):
        d = copy.deepcopy(doc if doc is not None else base)
        fn(d)
        cases.append((desc, d))

    t = lambda d: d["tests"][0]  # noqa: E731
    case("$schema is a number", lambda d: d.update({"$schema": 3}))
    case("$schema inside a test", lambda d: t(d).update({"$schema": "x"}))
    case("no tests", lambda d: d.update({"tests": []}))
    case("no suite name", lambda d: d.pop("suite"))
    case("an empty test name", lambda d: t(d).update({"name": ""}))
    case("a bare-number duration", lambda d: t(d).update({"baseline": 5}))
    case("a duration without a unit", lambda d: t(d).update({"settle": "5"}))
    case("a duration with a space", lambda d: t(d).update({"settle": "5 s"}))
    case("a duration in seconds spelt out", lambda d: t(d).update({"settle": "5sec"}))
    case("concurrency above the ceiling", lambda d: t(d)["load"].update({"concurrency": 50001}))
    case("concurrency as a string", lambda d: t(d)["load"].update({"concurrency": "4"}))
    case("rate 0", lambda d: t(d)["load"].update({"rate": 0}))
    case("rate 1e300", lambda d: t(d)["load"].update({"rate": 1e300}))
    case("requests 0", lambda d: t(d)["load"].update({"requests": 0}))
    case("threads 1025", lambda d: t(d)["load"].update({"threads": 1025}))
    case("a lower-case method", lambda d: t(d)["load"].update({"method": "post"}))
    case("a header name with a space", lambda d: t(d)["load"].update({"headers": {"X A": "b"}}))
    case("a header value with a line break",
         lambda d: t(d)["load"].update({"headers": {"X-A": "b\r\nX-Evil: 1"}}))
    case("body and body_file", lambda d: t(d)["load"].update({"body_file": "payload.json"}))
    case("rate and stages",
         lambda d: t(d)["load"].update({"stages": [{"duration": "1s", "rate": 1}]}))
    case("requests_mix with url",
         lambda d: t(d)["load"].update({"requests_mix": [{"url": "http://127.0.0.1:1/"}]}))
    case("a load with neither requests, duration nor stages",
         lambda d: [t(d)["load"].pop(k) for k in ("requests", "duration")])
    case("an ftp:// load URL", lambda d: t(d)["load"].update({"url": "ftp://127.0.0.1/"}))
    case("command and pid", lambda d: t(d)["target"].update({"pid": 1}))
    case("an empty command", lambda d: t(d)["target"].update({"command": []}))
    case("an empty program name", lambda d: t(d)["target"].update({"command": ["", "-x"]}))
    case("pid 0", lambda d: [t(d)["target"].pop("command"), t(d)["target"].update({"pid": 0})])
    case("measure \"sometimes\"", lambda d: t(d)["target"].update({"measure": "sometimes"}))
    case("measure listening 70000",
         lambda d: t(d)["target"].update({"measure": {"listening": 70000}}))
    case("exit_timeout without exits", lambda d: t(d)["target"].update({"exit_timeout": "1m"}))
    case("an env name with '='", lambda d: t(d)["target"].update({"env": {"A=B": "c"}}))
    case("proc as a string", lambda d: t(d)["sample"].update({"proc": "yes"}))
    case("an ignore list of numbers", lambda d: t(d)["ignore"].update({"top_function": [1]}))
    case("an empty function name", lambda d: t(d)["ignore"].update({"any_function": [""]}))
    case("an assertion that is not a string", lambda d: t(d).update({"assert": [3]}))
    case("a tolerance \"ten\"", lambda d: d["compare"].update({"goroutines": "ten"}))
    case("a negative tolerance", lambda d: d["compare"].update({"goroutines": "-5%"}))
    case("a checkpoint \"never\"", lambda d: d.update({"checkpoint": "never"}))
    case("a checkpoint without a unit", lambda d: d.update({"checkpoint": 5}))
    case("a stage without rate",
         lambda d: d["tests"][0]["load"]["stages"][0].pop("rate"), BASES[1])
    case("a mix weight of 0",
         lambda d: d["tests"][0]["load"]["requests_mix"][0].update({"weight": 0}), BASES[1])
    case("a batch job with a load",
         lambda d: d["tests"][0].update({"load": {"url": "http://127.0.0.1:1/", "requests": 1}}),
         BASES[2])
    case("a batch job with ready",
         lambda d: d["tests"][0]["target"].update({"ready": "http://127.0.0.1:1/"}), BASES[2])
    # an unknown key in every object of the format
    for table, where in WHERE.items():
        for i, b in enumerate(BASES):
            if objects_at(b, where):
                def plant(d, where=where):
                    objects_at(d, where)[0]["zz_unknown"] = 1
                case(f"an unknown key in {table}'s object", plant, b)
                break
    return cases


def check_hostile(chk):
    for desc, doc in hostile_cases():
        path = chk.write(doc, "hostile")
        ok, msg = chk.parser_ok(path)
        if ok:
            chk.report(f"hostile: {desc}: leakcheck validate refuses it", "it was accepted")
            continue
        errs = chk.schema_errors(doc)
        chk.report(f"hostile: {desc}: refused by validate and by the schema",
                   None if errs else f"the schema accepts it; validate: {msg[0]}")


def main():
    with open(os.path.join(ROOT, "suites", "suite.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    chk = Checker(schema)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
        chk.report("suites/suite.schema.json is a valid draft 2020-12 schema", None)
    except jsonschema.SchemaError as e:
        chk.report("suites/suite.schema.json is a valid draft 2020-12 schema", e.message)
        return
    # files the base suites name, next to them
    for name in ("svc", "job", "payload.json", "svc.pid", "ca.pem"):
        with open(os.path.join(WORK, name), "w", encoding="utf-8") as f:
            f.write("{}\n")
    check_keys(schema, chk)
    check_bases(chk)
    check_examples(chk)
    check_hostile(chk)


main()
