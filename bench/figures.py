#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""figures.py BENCH_JSON (--write|--check) FILE...: the headline figures
of a benchmark (bench-report.py's bench.json, layouts modern and legacy)
as one table, written into each FILE in place of the table it has: in a
.md file the Markdown table that starts with "| measure |", elsewhere (the
cover letter) the text table that starts with "  measure", each up to the
first blank line.  --check prints one result line per FILE and writes
nothing: FAIL when its table is not the one the benchmark gives."""

import json
import sys

bench, mode, files = sys.argv[1], sys.argv[2], sys.argv[3:]
try:
    doc = json.load(open(bench))
except (OSError, ValueError) as e:
    print(f"FAIL figures.bench-json {bench}: {e}"[:200])
    sys.exit(1)
rec = {(r["kernel"], r["layout"], r["measure"]): r for r in doc["records"]}


def get(kind, layout, measure):
    return rec.get((kind, layout, measure))


def num(v):
    if v == int(v) or abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"


def cell(r, spread=True):
    if r is None:
        return "-"
    if spread and r["n"] > 1 and r["min"] != r["max"]:
        return f"{num(r['value'])} ({num(r['min'])}..{num(r['max'])})"
    return num(r["value"])


def ratio(p, b, lower=True):
    if p is None or b is None or not p["value"] or not b["value"]:
        return "-"
    x = b["value"] / p["value"] if lower else p["value"] / b["value"]
    return f"{x:.2f}x"


def errno(r):
    if r is None:
        return "-"
    return "served" if r["value"] == 0 else {16: "-EBUSY", 12: "-ENOMEM"}.get(
        int(r["value"]), f"error {int(r['value'])}")


# (label, [(layout, measure)], how): each row joins its measures with " / ".
ROWS = [
    ("alloc+free with regions, 1 / 64 / 4096 pages a call (ns a page)",
     [("modern", f"steady{n}_ns_per_page") for n in (1, 64, 4096)], "time"),
    ("same, 1 / 2 / 4 threads of 64 pages (ns a page)",
     [("modern", f"threads{n}_ns_per_page") for n in (1, 2, 4)], "time"),
    ("alloc+free ballooning (no region), 1 / 64 / 4096 pages",
     [("legacy", f"steady{n}_ns_per_page") for n in (1, 64, 4096)], "time"),
    ("same, 1 / 2 / 4 threads",
     [("legacy", f"threads{n}_ns_per_page") for n in (1, 2, 4)], "time"),
    ("usable pages of the advertised space", [("modern", "usable_pages")], "more"),
    ("RAM spent by a first one-page mapping (kB, worst round)",
     [("modern", "first_alloc_ram_kb")], "less"),
    ("RAM still spent after free and give-back (kB, worst round)",
     [("modern", "after_free_ram_kb")], "less"),
    ("one 1200 MiB request", [("modern", "alloc_1200mib_err")], "errno"),
    ("slowest one-page alloc+free in 4 s, nothing to give back (us)",
     [("modern", "probe_worst_us")], "time"),
    ("same, while 1200 MiB of idle chunks are given back (us)",
     [("modern", "giveback_stall_worst_us")], "time"),
]


def rows():
    out = []
    for label, keys, how in ROWS:
        p = [get("patched", l, m) for l, m in keys]
        b = [get("base", l, m) for l, m in keys]
        if how == "errno":
            out.append((label, errno(p[0]), errno(b[0]), "-"))
            continue
        spread = how == "time"
        out.append((label, " / ".join(cell(r, spread) for r in p),
                    " / ".join(cell(r, spread) for r in b),
                    " / ".join(ratio(x, y, how != "more") for x, y in zip(p, b))))
    return out


def n_rounds():
    r = get("patched", "modern", "steady64_ns_per_page")
    return r["n"] if r else 0


def markdown():
    t = ["| measure | patched | unpatched | patched/unpatched |",
         "| --- | --- | --- | --- |"]
    t += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows()]
    t.append(f"| (bench.json of {doc['date']}, {doc['machine']}; medians of "
             f"{n_rounds()} rounds, range in parentheses) | | | |")
    return t


def text():
    t = [f"  measure (medians of {n_rounds()} rounds, range; {doc['date']})"]
    for a, b, c, d in rows():
        t += [f"  {a}:", f"    patched {b}", f"    unpatched {c}", f"    ratio {d}"]
    return t


def main():
    for path in files:
        lines = open(path).read().split("\n")
        md = path.endswith(".md")
        name = path.split("/")[-1]
        start = next((i for i, l in enumerate(lines)
                      if l.startswith("| measure |" if md else "  measure")), None)
        if start is None:
            print(f"FAIL figures.{name} no table in {path}")
            continue
        end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
        new = markdown() if md else text()
        if mode == "--write":
            lines[start:end] = new
            open(path, "w").write("\n".join(lines))
        elif lines[start:end] == new:
            print(f"PASS figures.{name} the table is {bench}'s")
        else:
            diff = next((f"{a!r} != {b!r}" for a, b in zip(lines[start:end], new) if a != b),
                        f"{end - start} lines against {len(new)}")
            print(f"FAIL figures.{name} differs from {bench} (make figures): {diff[:160]}")


# A bench.json without what the tables need fails, never just a traceback.
try:
    main()
except (KeyError, TypeError, ValueError, OSError) as e:
    print(f"FAIL figures.run {bench}: {type(e).__name__} {e}"[:200])
    sys.exit(1)
