#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# kunit-results.py KUNIT_PY LOG PREFIX: the KTAP in LOG read by the kernel's
# own parser ("kunit.py parse --json", KUNIT_PY from the tree whose kernel
# ran), one result line per KUnit case, named PREFIX.SUITE.CASE (and
# .PARAM for each parameter of a parameterised case, which also gets a
# line of its own).  What the parser counts as an error (a level with
# fewer results than its plan, no KTAP at all) fails the level it is in.
import json, os, re, subprocess, sys, tempfile

kunit_py, log, prefix = sys.argv[1:4]
# kunit.py runs from the kernel tree's top.
log = os.path.abspath(log)
fd, out = tempfile.mkstemp(suffix=".json")
os.close(fd)
run = subprocess.run([sys.executable, kunit_py, "parse", "--json=" + out, log],
                     capture_output=True, text=True)
try:
    with open(out) as f:
        root = json.load(f)
except (OSError, ValueError):
    root = None
os.unlink(out)
if root is None:
    err = (run.stderr.strip().splitlines() or ["no output"])[-1]
    print(f"FAIL {prefix}.run kunit.py parse {log} wrote no JSON: {err[:160]}")
    sys.exit(0)

# What the parser said of each level's errors, "[ERROR] Test: NAME: why",
# and of each level's own result, "==== [FAILED] NAME ====", which its
# JSON leaves out (a parameterised case can fail with every parameter
# passed); older kunit.py colour them whatever the output is.
why, failed = {}, set()
for line in run.stdout.splitlines():
    line = re.sub(r"\x1b\[[0-9;]*m", "", line)
    m = re.search(r"\[ERROR\] Test: (.*?): (.*)", line)
    if m:
        why.setdefault(m.group(1), m.group(2))
    m = re.search(r"=+ \[(FAILED|CRASHED)\] (\S+) =+", line)
    if m:
        failed.add(m.group(2))

# A case's own lines ("# case: text"): the last one of a passing case (a
# summary, e.g. the seed and count of generated layouts), the first one of
# a failing case (what failed first) go on its result line.
said = {}
for line in open(log, errors="replace"):
    m = re.match(r"^\s*# (\w+): (.*\S)", line)
    if m and m.group(1) != "Subtest":
        said.setdefault(m.group(1), []).append(m.group(2))

cases = 0


def result(name, status, case):
    global cases
    cases += 1
    text = said.get(case, [])
    note = (text[-1] if status == "PASS" else text[0]) if text else ""
    print(f"{status} {prefix}.{name} {note[:200]}".rstrip())


def walk(group, path):
    """One group's lines; returns its worst status."""
    name = ".".join(path)
    worst = "SKIP"
    label = path[-1] if path else "main"
    if label in why:
        print(f"FAIL {prefix}.{name + '.' if name else ''}plan {why.pop(label)}"[:240])
        worst = "FAIL"
    if label in failed:
        worst = "FAIL"
    for sub in group.get("sub_groups", []):
        worst = max(worst, walk(sub, path + [sub["name"]]), key=RANK.index)
    for case in group.get("test_cases", []):
        status = {"PASS": "PASS", "SKIP": "SKIP"}.get(case["status"], "FAIL")
        worst = max(worst, status, key=RANK.index)
        # The parser's stand-in for a result that never came: the
        # level's plan line says so.
        if case["name"]:
            result(f"{name + '.' if name else ''}{case['name']}", status, case["name"])
    # A parameterised case: its own line, as KTAP gives it one.
    if len(path) >= 2:
        result(name, worst, path[-1])
    return worst


RANK = ["SKIP", "PASS", "FAIL"]
walk(root, [])
for test, text in why.items():
    print(f"FAIL {prefix}.{test}.plan {text}"[:240])
if not cases:
    print(f"FAIL {prefix}.run no KTAP result in {log}")
