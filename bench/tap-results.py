#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# tap-results.py KUNIT_PY LOG PREFIX: the KTAP of a KUnit boot in LOG.
# tap-results.py KUNIT_PY --marked LOG: the kselftests' TAP of a scenario
# boot, lines the guests print as "BENCH: TAP PREFIX: line" (tests.sh
# tap_out), each "TAP version" line starting a document of its own.
#
# Both are read by the kernel's own parser ("kunit.py parse --json",
# KUNIT_PY from the tree whose kernel ran), one result line per case,
# named PREFIX.SUITE.CASE (and .PARAM for each parameter of a
# parameterised case, which also gets a line of its own).  What the parser
# counts as an error (a level with fewer results than its plan, no TAP at
# all) fails the level it is in; so does a kselftest that exited non-zero
# ("# exit: N", tests.sh selftest) with no failed case to show for it.
import json, os, re, subprocess, sys, tempfile

RANK = ["SKIP", "PASS", "FAIL"]


def parse(kunit_py, lines):
    """kunit.py parse of LINES: its JSON (None if it wrote none), its output."""
    fd, tap = tempfile.mkstemp(suffix=".log")
    with os.fdopen(fd, "w") as f:
        f.writelines(line + "\n" for line in lines)
    out = tap + ".json"
    run = subprocess.run([sys.executable, kunit_py, "parse", "--json=" + out, tap],
                         capture_output=True, text=True)
    try:
        with open(out) as f:
            root = json.load(f)
    except (OSError, ValueError):
        root = None
    for name in (tap, out):
        if os.path.exists(name):
            os.unlink(name)
    return root, run


def judge(kunit_py, lines, prefix, source, top=""):
    """Result lines for one document, its own (plan, exit, run) named
    PREFIX.TOPplan...; returns how many cases it had."""
    root, run = parse(kunit_py, lines)
    if root is None:
        err = (run.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"FAIL {prefix}.{top}run kunit.py parse {source} wrote no JSON: {err[:160]}")
        return None

    # What the parser said of each level's errors, "[ERROR] Test: NAME:
    # why", and of each level's own result, "==== [FAILED] NAME ====",
    # which its JSON leaves out (a parameterised case can fail with every
    # parameter passed); older kunit.py colour them whatever the output is.
    why, failed = {}, set()
    for line in run.stdout.splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line)
        m = re.search(r"\[ERROR\] Test: (.*?): (.*)", line)
        if m:
            why.setdefault(m.group(1), m.group(2))
        m = re.search(r"=+ \[(FAILED|CRASHED)\] (\S+) =+", line)
        if m:
            failed.add(m.group(2))

    # What a case said of itself goes on its result line: a KUnit case's
    # own lines ("# case: text"), the last one if it passed (a summary,
    # e.g. the seed and count of generated layouts), the first if it
    # failed; a kselftest's "# summary: text" after its "#  RUN" line, and
    # the reason of a SKIP.
    said, run_name, exit_code = {}, None, None
    for line in lines:
        m = re.match(r"^#\s+RUN\s+(\S+)", line)
        if m:
            run_name = m.group(1)
            continue
        m = re.match(r"^(?:not )?ok \d+ (\S+).* # SKIP ?(.*)$", line)
        if m:
            said[m.group(1)] = [m.group(2)]
            continue
        m = re.match(r"^# exit: (\d+)$", line)
        if m:
            exit_code = int(m.group(1))
            continue
        m = re.match(r"^\s*# (\w+): (.*\S)", line)
        if m and m.group(1) == "summary" and run_name:
            said[run_name] = [m.group(2)]
        elif m and m.group(1) != "Subtest":
            said.setdefault(m.group(1), []).append(m.group(2))

    counts = {"cases": 0, "failed": 0}

    def result(name, status, case):
        counts["cases"] += 1
        counts["failed"] += status == "FAIL"
        text = said.get(case, [])
        note = (text[-1] if status == "PASS" else text[0]) if text else ""
        print(f"{status} {prefix}.{name} {note[:200]}".rstrip())

    def walk(group, path):
        """One group's lines; returns its worst status."""
        name = ".".join(path)
        worst = "SKIP"
        label = path[-1] if path else "main"
        if label in why:
            print(f"FAIL {prefix}.{name + '.' if name else top}plan {why.pop(label)}"[:240])
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

    walk(root, [])
    for test, text in why.items():
        print(f"FAIL {prefix}.{test}.plan {text}"[:240])
    # 4 is the harness's "skipped"; a failed case already says why.
    if exit_code not in (None, 0, 4) and not counts["failed"]:
        print(f"FAIL {prefix}.{top}exit exited {exit_code} after {counts['cases']} results, none failed")
    return counts["cases"]


def named(lines):
    """LINES with a name on each result line: the harness of older kernels
    (6.1's) leaves a skipped test's out ("ok 5 # SKIP why"), which their
    parser does not read as a result; it is the name of the test's "#  RUN"
    line, as newer harnesses print it, or else "caseN".  The parser's JSON
    then has a nameless case only where a result never came."""
    run, out = None, []
    for line in lines:
        m = re.match(r"^#\s+RUN\s+(\S+)", line)
        if m:
            run = m.group(1)
        m = re.match(r"^((?:not )?ok (\d+))\s*(#.*)?$", line)
        if m:
            line = f"{m.group(1)} {run or 'case' + m.group(2)}" + (f" {m.group(3)}" if m.group(3) else "")
            run = None
        out.append(line)
    return out


def marked(log):
    """The documents of LOG's marked lines: [(prefix, lines)], in order."""
    docs, current = [], {}
    for line in open(log, errors="replace"):
        m = re.match(r"^BENCH: TAP (\S+): ?(.*?)\s*$", line)
        if not m:
            continue
        prefix, text = m.groups()
        if re.match(r"^\s*K?TAP version \d+$", text) or prefix not in current:
            current[prefix] = []
            docs.append((prefix, current[prefix]))
        current[prefix].append(text)
    return docs


def main():
    kunit_py = sys.argv[1]
    if sys.argv[2] == "--marked":
        # kunit.py runs from the kernel tree's top.
        log = os.path.abspath(sys.argv[3])
        docs = marked(log)
        for i, (prefix, lines) in enumerate(docs):
            # The documents after the first of a prefix (the domU's fault
            # runs) name their own results apart.
            n = sum(1 for p, _ in docs[:i] if p == prefix)
            top = f"doc{n + 1}." if n else ""
            if not re.match(r"^\s*K?TAP version \d+$", lines[0]):
                # tap_out passes a test's "# exit: N" even without TAP.
                print(f"FAIL {prefix}.{top}run no TAP: {' | '.join(lines)[:160]}")
                continue
            judge(kunit_py, named(lines), prefix, f"{log} ({prefix})", top)
        return
    log, prefix = os.path.abspath(sys.argv[2]), sys.argv[3]
    lines = [line.rstrip("\n") for line in open(log, errors="replace")]
    if judge(kunit_py, lines, prefix, log) == 0:
        print(f"FAIL {prefix}.run no KTAP result in {log}")


main()
