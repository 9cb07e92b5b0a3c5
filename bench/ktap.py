#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# ktap.py LOG PREFIX: one result line per KUnit case of the KTAP in LOG,
# named PREFIX.SUITE.CASE; a level with fewer results than its plan fails.
import re, sys
stack = []
cases = 0
# The plan ("1..N") of each level, by the suites that enclose it, and the
# results seen there: a run cut short has fewer.
plans, seen = {}, {}
# A case's own lines ("# case: text"): the last one of a passing case (a
# summary, e.g. the seed and count of generated layouts), the first one of
# a failing case (what failed first) go on its result line.
said = {}
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"^\s*# (\w+): (.*\S)", line)
    if m and m.group(1) != "Subtest":
        said.setdefault(m.group(1), []).append(m.group(2))
        continue
    m = re.match(r"^(\s*)# Subtest: (\S+)", line)
    if m:
        # "# Subtest: x" is indented like the results it contains.
        depth = len(m.group(1)) // 4
        del stack[max(depth - 1, 0):]
        stack.append(m.group(2))
        continue
    m = re.match(r"^(\s*)1\.\.(\d+)\s*$", line)
    if m:
        depth = len(m.group(1)) // 4
        plans[tuple(stack[:depth])] = int(m.group(2))
        continue
    m = re.match(r"^(\s*)(not ok|ok) \d+ (.*?)(\s+#\s*(SKIP|skip).*)?$", line)
    if not m:
        continue
    depth = len(m.group(1)) // 4
    key = tuple(stack[:depth])
    seen[key] = seen.get(key, 0) + 1
    if depth == 0:
        continue
    cases += 1
    res = "SKIP" if m.group(4) else ("PASS" if m.group(2) == "ok" else "FAIL")
    case = m.group(3).strip()
    name = ".".join(stack[:depth] + [case])
    text = said.pop(case, [])
    note = (text[-1] if res == "PASS" else text[0]) if text else ""
    print(f"{res} {sys.argv[2]}.{name} {note[:200]}".rstrip())
if not cases:
    print(f"FAIL {sys.argv[2]}.run no KTAP result in {sys.argv[1]}")
for key, n in plans.items():
    if seen.get(key, 0) < n:
        name = ".".join((sys.argv[2],) + key + ("plan",))
        print(f"FAIL {name} {seen.get(key, 0)} of {n} planned results")
