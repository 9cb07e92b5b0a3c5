#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py RESULTS LAYOUT...: read the "BENCH: FIGURE name value"
lines of RESULTS/{patched,base}-LAYOUT-bench/console.log and write
bench.json (one record per kernel, layout and measure), bench.md (tables
with the ratios patched/base and patched/balloon), bench.gp (gnuplot
script drawing bench.png) and bench-summary.txt."""

import glob
import json
import os
import platform
import re
import statistics
import sys
import time

results, layouts = sys.argv[1], sys.argv[2:]
KINDS = ("patched", "base")

# measure: (unit, better, description); better is "lower" or "higher".
MEASURES = {
    "page_kb": ("kB", None, "the kernel's page size"),
    "granule_kb": ("kB", None, "the allocator's granule (2 MiB for the base: Xen's rounding)"),
    "advertised_pages": ("pages", None, "2 MiB-aligned pages Xen advertised"),
    "granule_pages": ("pages", None, "pages of the advertised space that the granule and the hotpluggable range leave"),
    "usable_pages": ("pages", "higher", "pages from the regions before the first failure or ballooned page"),
    "usable_permille": ("permille", "higher", "usable share of the advertised space"),
    "first_alloc_ram_kb": ("kB", "lower", "RAM spent by a first one-page allocation (worst of 5 rounds)"),
    "first_alloc_mapped_kb": ("kB", "lower", "space given struct pages by the first allocation of the boot (/proc/iomem Xen scratch)"),
    "after_free_ram_kb": ("kB", "lower", "RAM still spent once it is freed and given back (worst round)"),
    "steady1_ns_per_page": ("ns/page", "lower", "steady alloc+free, 1-page batches"),
    "steady64_ns_per_page": ("ns/page", "lower", "steady alloc+free, 64-page batches"),
    "steady4096_ns_per_page": ("ns/page", "lower", "steady alloc+free, 4096-page batches"),
    "threads1_ns_per_page": ("ns/page", "lower", "1 thread, 64-page batches, wall time per page"),
    "threads2_ns_per_page": ("ns/page", "lower", "2 threads at once"),
    "threads4_ns_per_page": ("ns/page", "lower", "4 threads at once"),
    "alloc_1200mib_err": ("errno", None, "one 1200 MiB request (0: success)"),
    "alloc_1200mib_ram_pages": ("pages", None, "of which from the balloon"),
    "past_end_err": ("errno", None, "advertised + 64 MiB (0: success)"),
    "past_end_ram_pages": ("pages", None, "of which from the balloon"),
    "gntdev_map1_per_s": ("calls/s", "higher", "gntdev map+mmap+touch+unmap of a peer's grants, 1 page per call"),
    "gntdev_map16_per_s": ("calls/s", "higher", "16 pages per call"),
    "gntdev_map256_per_s": ("calls/s", "higher", "256 pages per call"),
}
# RAM figures: every round of the patched kernel maps a fresh chunk, the
# base maps once per boot; the worst round is the figure.
WORST = {"first_alloc_ram_kb", "first_alloc_mapped_kb", "after_free_ram_kb"}


def read(kind, layout, pages=None):
    """The figures of every boot of one kernel in one layout (4 KiB pages,
    or the page size @pages, e.g. "64k")."""
    values = {}
    tag = f"bench-{pages}" if pages else "bench"
    pattern = os.path.join(results, f"{kind}-{layout}-{tag}*", "console.log")
    for path in sorted(glob.glob(pattern)):
        if not re.search(rf"{kind}-{layout}-{tag}(-[0-9]+)?/", path):
            continue
        for line in open(path, errors="replace"):
            m = re.match(r"^BENCH: FIGURE (\w+) (-?[0-9.]+)", line)
            if m:
                values.setdefault(m.group(1), []).append(float(m.group(2)))
    return values


def summary(vals, name):
    if name in WORST:
        v = max(vals)
    else:
        v = statistics.median(vals)
    return {"value": v, "median": statistics.median(vals), "min": min(vals),
            "max": max(vals), "n": len(vals), "values": vals}


records = []
data = {}
for layout in layouts:
    for kind in KINDS:
        for name, vals in read(kind, layout).items():
            if name not in MEASURES:
                continue
            s = summary(vals, name)
            data[(kind, layout, name)] = s
            records.append(dict(kernel=kind, layout=layout, measure=name,
                                unit=MEASURES[name][0], **s))

machine = f"{os.cpu_count()}-core {platform.machine()} host, QEMU TCG"
date = time.strftime("%Y-%m-%d")
base = os.environ.get("BASE_NAME", "mainline")
with open(os.path.join(results, "bench.json"), "w") as f:
    json.dump({"date": date, "machine": machine, "records": records}, f, indent=1)


def fmt(s):
    if s is None:
        return "-"
    txt = num(s["value"])
    if s["n"] > 1 and s["min"] != s["max"]:
        txt += f" ({num(s['min'])}..{num(s['max'])}, n={s['n']})"
    return txt


def num(v):
    """Three significant digits at most, whole numbers as they are."""
    if v == int(v) or abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"


def ratio(name, a, b, key="value"):
    """How many times better a is than b (>1: a is better)."""
    if a is None or b is None or MEASURES[name][1] is None:
        return None
    x, y = a[key], b[key]
    if MEASURES[name][1] == "lower":
        x, y = y, x
    if y == 0:
        return None if x == 0 else float("inf")
    return x / y


def rfmt(r):
    if r is None:
        return "-"
    return "inf" if r == float("inf") else f"{r:.2f}x"


md = [f"Benchmarks, {date}, {machine}; patched and base {base} kernels built "
      "alike without debug options, each booted twice or more per layout, "
      "alternately. Figures are medians of the rounds of all boots "
      "(min..max, n), except the RAM figures, which are the worst round: the "
      "base maps once per boot. Ratios say how many times better the patched "
      "kernel is (above 1: better), whatever the unit; for times, 'of minima' "
      "compares the fastest rounds, which the host's load disturbs least.", ""]
plot = []
summary_extra = []
for layout in layouts:
    names = [n for n in MEASURES if any((k, layout, n) in data for k in KINDS)]
    if not names:
        continue
    balloon = layout in ("modern", "tight") and "legacy" in layouts
    md.append(f"### {layout}")
    md.append("")
    head = "| measure | unit | patched | base | patched/base | of minima |"
    sep = "| --- | --- | --- | --- | --- | --- |"
    if balloon:
        head += " balloon (patched, legacy) | patched/balloon |"
        sep += " --- | --- |"
    md += [head, sep]
    for n in names:
        p, b = data.get(("patched", layout, n)), data.get(("base", layout, n))
        r = ratio(n, p, b)
        rmin = ratio(n, p, b, "min") if n.startswith(("steady", "threads")) else None
        row = f"| {n} | {MEASURES[n][0]} | {fmt(p)} | {fmt(b)} | {rfmt(r)} | {rfmt(rmin)} |"
        if balloon:
            l = data.get(("patched", "legacy", n))
            rb = ratio(n, p, l) if n.startswith(("steady", "threads")) else None
            row += f" {fmt(l) if rb is not None else '-'} | {rfmt(rb)} |"
            if rb is not None and rb != float("inf"):
                plot.append((f"{layout}:{n}:balloon", rb))
        md.append(row)
        if r is not None and r != float("inf"):
            plot.append((f"{layout}:{n}", r))
        if rmin is not None:
            summary_extra.append((f"{layout}:{n}:minima", rmin))
    md.append("")
# Page sizes: the patched kernel in modern with 4, 16 and 64 KiB pages.
PAGE_MEASURES = ("granule_kb", "granule_pages", "usable_pages", "first_alloc_ram_kb",
                 "first_alloc_mapped_kb", "after_free_ram_kb", "alloc_1200mib_ram_pages")
pages_cols = [("4k", data)] + [(p, {}) for p in os.environ.get("PAGES", "").split()]
for p, d in pages_cols[1:]:
    for name, vals in read("patched", "modern", p).items():
        if name in MEASURES:
            d[("patched", "modern", name)] = summary(vals, name)
            records.append(dict(kernel=f"patched-{p}", layout="modern", measure=name,
                                unit=MEASURES[name][0], **d[("patched", "modern", name)]))
if len(pages_cols) > 1:
    md += ["### page sizes (patched, modern)", "",
           "| measure | unit | " + " | ".join(f"{p} pages" for p, _ in pages_cols) + " |",
           "| --- | --- | " + " | ".join("---" for _ in pages_cols) + " |"]
    for n in PAGE_MEASURES:
        md.append(f"| {n} | {MEASURES[n][0]} | " +
                  " | ".join(fmt(d.get(("patched", "modern", n))) for _, d in pages_cols) + " |")
    md.append("")
    with open(os.path.join(results, "bench.json"), "w") as f:
        json.dump({"date": date, "machine": machine, "records": records}, f, indent=1)
md.append("Measures: " + "; ".join(f"{n}: {d}" for n, (u, _, d) in MEASURES.items()) + ".")
with open(os.path.join(results, "bench.md"), "w") as f:
    f.write("\n".join(md) + "\n")

with open(os.path.join(results, "bench.dat"), "w") as f:
    for i, (label, r) in enumerate(plot):
        f.write(f'{i} "{label}" {r:.4f}\n')
with open(os.path.join(results, "bench.gp"), "w") as f:
    f.write(f"""set terminal pngcairo noenhanced size 1400,{400 + 18 * len(plot)} font ",10"
set output "{results}/bench.png"
set title "patched {base} vs base {base} and vs ballooning: times better (log scale), {date}, {machine}"
set style fill solid 0.6
set logscale x 10
set xlabel "times better (1 = equal)"
set ytics nomirror
set grid xtics
set yrange [-1:{len(plot)}]
set arrow from 1, graph 0 to 1, graph 1 nohead lw 2
unset key
# One bar per ratio, from 1 to the ratio.
plot "{results}/bench.dat" using (1):1:($3 < 1 ? $3 : 1):($3 < 1 ? 1 : $3):($1 - 0.35):($1 + 0.35):yticlabels(2) with boxxyerror
""")

lines = [f"bench {date}: {len(records)} records, {len(layouts)} layouts -> bench.json bench.md bench.png"]
for label, r in plot + summary_extra:
    lines.append(f"  {label}: {rfmt(r)}")
with open(os.path.join(results, "bench-summary.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
