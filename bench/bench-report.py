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
    "probe_worst_us": ("us", "lower", "longest one-page alloc+free in 4 s with nothing to give back"),
    "giveback_stall_err": ("errno", None, "the give-back stall's 1200 MiB request (0: success; otherwise no stall figure)"),
    "giveback_stall_worst_us": ("us", "lower", "longest one-page alloc+free while 1200 MiB of idle chunks are given back (4 s)"),
    "giveback_stall_over_1ms": ("probes", "lower", "one-page alloc+free that took over 1 ms in those 4 s"),
    "giveback_unmapped_kb": ("kB", None, "space given back meanwhile (1200 MiB less what stayed in /proc/iomem Xen scratch)"),
    "alloc_1200mib_err": ("errno", None, "one 1200 MiB request (0: success)"),
    "alloc_1200mib_ram_pages": ("pages", None, "of which from the balloon"),
    "past_end_err": ("errno", None, "advertised + 64 MiB (0: success)"),
    "past_end_ram_pages": ("pages", None, "of which from the balloon"),
    "gntdev_map1_per_s": ("calls/s", "higher", "gntdev map+mmap+touch+unmap of a peer's grants, 1 page per call"),
    "gntdev_map16_per_s": ("calls/s", "higher", "16 pages per call"),
    "gntdev_map256_per_s": ("calls/s", "higher", "256 pages per call"),
    "busy_peak_pages_mapped": ("pages", None, "8 busy PV disks and a vif: most pages mapped for the backends (regions + ballooned)"),
    "busy_peak_scratch_kb": ("kB", None, "most space mapped for them (/proc/iomem Xen scratch)"),
    "busy_memfree_drop_kb": ("kB", "lower", "dom0 MemFree at its lowest under that load, below its value before the domU"),
    "busy_memtotal_drop_kb": ("kB", "lower", "dom0 MemTotal at its lowest, below its value before: RAM ballooned out"),
    "busy_ballooned_kb": ("kB", "lower", "the balloon's current_kb at its lowest, below its value before"),
}
BUSY_LAYOUTS = ("busy", "busy-balloon")
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


def kv_lines(kind, layout, tag):
    path = os.path.join(results, f"{kind}-{layout}-bench", "console.log")
    if not os.path.exists(path):
        return []
    return [{k: float(v) for k, v in re.findall(r"(\w+)=(-?[0-9.]+)", line)}
            for line in open(path, errors="replace") if line.startswith(f"BENCH: {tag} ")]


def mapped(r):
    """Pages a sample says are mapped for the backends: from the regions
    and from the balloon; None for the unpatched kernel, which counts none."""
    return r["in_use"] + max(r["balloon_in_use"], 0) if r["in_use"] >= 0 else None


def busy_peaks(kind, layout):
    """The busy layouts' figures, from dom0's samples under the load
    ("BENCH: SAMPLE") against its state before the first domU (cycle 0 of
    "BENCH: CHURN")."""
    churn = kv_lines(kind, layout, "CHURN")
    if not churn:
        return {}
    b0 = churn[0]
    samples = kv_lines(kind, layout, "SAMPLE") or [b0]
    peaks = dict(
        busy_peak_scratch_kb=max(r["scratch_kb"] for r in samples),
        busy_memfree_drop_kb=b0["memfree_kb"] - min(r["memfree_kb"] for r in samples),
        busy_memtotal_drop_kb=b0["memtotal_kb"] - min(r["memtotal_kb"] for r in samples),
        busy_ballooned_kb=b0["balloon_kb"] - min(r["balloon_kb"] for r in samples))
    if b0["in_use"] >= 0:
        peaks["busy_peak_pages_mapped"] = max(mapped(r) for r in samples)
    return peaks


records = []
data = {}
for layout in layouts:
    for kind in KINDS:
        values = read(kind, layout)
        values.update((n, [v]) for n, v in busy_peaks(kind, layout).items())
        for name, vals in values.items():
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
    if not names or layout in BUSY_LAYOUTS:
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

# The figures drawn in bench.png, grouped by the question they answer:
# (question, unit, rows), a row being (label, layout, measure, scale to
# the unit: None for the page size's kB / 1024, pages to MiB).  Each row
# has a bar for the patched kernel with the regions, the unpatched base,
# and the patched kernel ballooning (layout legacy, or busy-balloon), with
# its value written on it.
PANELS = [
    ("How much of the space Xen advertises can be used? (tight: regions not 128 MiB aligned)", "MiB", [
        ("modern layout", "modern", "usable_pages", None),
        ("tight layout", "tight", "usable_pages", None)]),
    ("dom0 RAM spent by a one-page mapping (lower is better)", "kB", [
        ("first mapping of the boot", "modern", "first_alloc_ram_kb", 1),
        ("first mapping, tight layout", "tight", "first_alloc_ram_kb", 1),
        ("still spent once freed", "modern", "after_free_ram_kb", 1)]),
    ("Time to allocate and free a page (lower is better)", "ns per page", [
        ("1 page at a time", "modern", "steady1_ns_per_page", 1),
        ("64 pages at a time", "modern", "steady64_ns_per_page", 1),
        ("4096 pages at a time", "modern", "steady4096_ns_per_page", 1)]),
    ("gntdev: map, mmap, touch, unmap a domU's grants (higher is better)", "calls per second", [
        ("1 page per call", "domu", "gntdev_map1_per_s", 1),
        ("16 pages per call", "domu", "gntdev_map16_per_s", 1),
        ("256 pages per call", "domu", "gntdev_map256_per_s", 1)]),
    ("8 busy PV disks and a vif: dom0 RAM lost at the peak, below its value before the domU (lower is better)", "MiB", [
        ("MemFree lost", "busy", "busy_memfree_drop_kb", 1 / 1024),
        ("MemTotal lost (ballooned)", "busy", "busy_memtotal_drop_kb", 1 / 1024)]),
]
COLUMNS = (("patched kernel, extended regions", "patched", False, "#1f77b4"),
           (f"unpatched {base}", "base", False, "#ff7f0e"),
           ("patched kernel, ballooning (Xen advertises no region)", "patched", True, "#2ca02c"))


def panel_value(kind, balloon, layout, name, scale):
    if balloon:
        if name.startswith(("usable", "gntdev")):
            return None
        layout = "busy-balloon" if layout == "busy" else "legacy"
    s = data.get((kind, layout, name))
    if s is None:
        return None
    if scale is None:
        pkb = data.get((kind, layout, "page_kb"), {"value": 4})["value"]
        scale = pkb / 1024
    return s["value"] * scale


def panels_gp():
    gp = [f"""set terminal pngcairo noenhanced size 1600,1500 font ",11"
set output "{results}/bench.png"
set multiplot layout 3,2 title "Patched {base} beside the unpatched {base}, and beside ballooning; {date}, {machine}; each bar says its value"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.7 border -1
set datafile missing "-"
set datafile separator "|"
set key top left font ",9"
set yrange [0:*]
set offsets 0, 0, graph 0.25, 0
set xtics nomirror font ",9"
set grid ytics
"""]
    for i, (question, unit, rows) in enumerate(PANELS):
        vals = [[panel_value(k, b, lay, n, sc) for _, k, b, _ in COLUMNS] for _, lay, n, sc in rows]
        if all(v is None for r in vals for v in r):
            continue
        dat = os.path.join(results, f"bench-panel{i}.dat")
        with open(dat, "w") as f:
            for (label, *_), r in zip(rows, vals):
                f.write(label + "|" + "|".join("-" if v is None else f"{v:.6g}" for v in r) + "\n")
        cols = len(COLUMNS)
        width = 1 / (cols + 1)
        bars = [f'"{dat}" using {j + 2}:xtic(1) title "{t}" lc rgb "{c}"'
                for j, (t, _, _, c) in enumerate(COLUMNS)]
        labels = [f'"{dat}" using ($0 + {(j - (cols - 1) / 2) * width:.3f}):{j + 2}:(abs(${j + 2}) >= 100 ? sprintf("%.0f", ${j + 2}) : sprintf("%.3g", ${j + 2})) '
                  f'with labels offset 0,0.8 font ",9" notitle' for j in range(cols)]
        gp.append(f'set title "{question}"\nset ylabel "{unit}"\nplot ' + ", \\\n\t".join(bars + labels) + "\n")
    gp.append("unset multiplot\n")
    return "".join(gp)


# The busy scenario: dom0's memory sampled every second under the load
# ("BENCH: SAMPLE"), and after each create/destroy cycle ("BENCH: CHURN").
BUSY_VARIANTS = (("patched kernel, extended regions", "patched", "busy", "#1f77b4"),
                 (f"unpatched {base}", "base", "busy", "#ff7f0e"),
                 ("patched kernel, ballooning", "patched", "busy-balloon", "#2ca02c"))


def busy_report():
    """The headline table, the churn table and busy.png's script."""
    have = [(t, k, l, c) for t, k, l, c in BUSY_VARIANTS if kv_lines(k, l, "CHURN")]
    if not have:
        return [], ""
    mib = lambda kb: f"{kb / 1024:.1f}"
    out = ["### 8 busy PV disks and a vif: dom0 RAM spent on mappings", "",
           "One boot of each kernel: a domU with 8 PV disks, each written and read back "
           "(4 MiB direct I/O, checksummed) while 4 MiB go each way over a vif, "
           "then destroyed and created again; dom0 sampled every second.", "",
           "| kernel | pages mapped at the peak | dom0 MemFree lost at the peak | "
           "dom0 MemTotal lost (ballooned) | space mapped (Xen scratch) at the peak |",
           "| --- | --- | --- | --- | --- |"]
    for title, kind, layout, _ in have:
        f = {n: data[(kind, layout, n)]["value"] for n in MEASURES if (kind, layout, n) in data}
        peak = f.get("busy_peak_pages_mapped")
        out.append(f"| {title} | {'-' if peak is None else f'{peak:.0f}'} | "
                   f"{mib(f['busy_memfree_drop_kb'])} MiB | {mib(f['busy_memtotal_drop_kb'])} MiB | "
                   f"{mib(f['busy_peak_scratch_kb'])} MiB |")
    out += ["", "After each destroy (cycle 0: before the first domU):", "",
            "| kernel | cycle | pages in use | ballooned pages | chunks mapped | Xen scratch kB | grant entries | MemFree kB | MemTotal kB |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    gp = [f"""set terminal pngcairo noenhanced size 1600,1300 font ",11"
set output "{results}/busy.png"
set multiplot layout 2,2 title "8 busy PV disks and a vif in a domU: dom0's memory; {date}, {machine}"
set key outside below font ",9"
set grid
set datafile separator whitespace
set datafile missing "-"
set yrange [*:*]
set autoscale
set offsets 0, 0, 0, 0
"""]
    # Every curve is relative to dom0 before the first domU (cycle 0), so
    # that the kernels, whose MemFree differs by a few MiB at boot, start
    # from the same line.
    load, churn = [], []
    for i, (title, kind, layout, color) in enumerate(have):
        b0 = kv_lines(kind, layout, "CHURN")[0]
        lost = lambda r, k: (b0[k] - r[k]) / 1024
        ldat = os.path.join(results, f"busy-load{i}.dat")
        with open(ldat, "w") as f:
            for r in kv_lines(kind, layout, "SAMPLE"):
                m = mapped(r)
                f.write(f"{r['t']} {lost(r, 'memfree_kb'):.2f} {lost(r, 'memtotal_kb'):.2f} "
                        f"{'-' if m is None else int(m)}\n")
        cdat = os.path.join(results, f"busy-churn{i}.dat")
        with open(cdat, "w") as f:
            for r in kv_lines(kind, layout, "CHURN"):
                out.append(f"| {title} | {r['cycle']:.0f} | {'-' if r['in_use'] < 0 else int(r['in_use'])} | "
                           f"{'-' if r['balloon_in_use'] < 0 else int(r['balloon_in_use'])} | "
                           f"{'-' if r['chunks'] < 0 else int(r['chunks'])} | {r['scratch_kb']:.0f} | "
                           f"{r['grants']:.0f} | {r['memfree_kb']:.0f} | {r['memtotal_kb']:.0f} |")
                f.write(f"{r['cycle']:.0f} {lost(r, 'memfree_kb'):.2f} {lost(r, 'memtotal_kb'):.2f} "
                        f"{r['scratch_kb'] / 1024:.2f}\n")
        load.append((ldat, title, color))
        churn.append((cdat, title, color))

    def plot(title, xlabel, ylabel, curves):
        """curves: (file, column, title, color, dash type)."""
        return (f'set title "{title}"\nset xlabel "{xlabel}"\nset ylabel "{ylabel}"\nplot ' +
                ", \\\n\t".join(f'"{f}" using 1:{col} with linespoints lw 2 pt 7 ps 0.6 dt {dt} '
                                   f'lc rgb "{c}" title "{t}"' for f, col, t, c, dt in curves) + "\n")
    since = "seconds since the vif was attached"
    gp.append(plot("dom0 RAM lost under the load: MemFree (solid), MemTotal (dashed: ballooned out)",
                   since, "MiB below their values before the domU",
                   [(f, 2, f"{t}: MemFree", c, 1) for f, t, c in load] +
                   [(f, 3, f"{t}: MemTotal", c, 2) for f, t, c in load]))
    gp.append(plot("pages mapped for the backends (regions + balloon; the unpatched kernel counts none)",
                   since, "pages", [(f, 4, t, c, 1) for f, t, c in load]))
    gp.append(plot("dom0 RAM lost after each destroy: MemFree (solid), MemTotal (dashed)",
                   "cycle (0: before the first domU)", "MiB below cycle 0",
                   [(f, 2, f"{t}: MemFree", c, 1) for f, t, c in churn] +
                   [(f, 3, f"{t}: MemTotal", c, 2) for f, t, c in churn]))
    gp.append(plot("space still mapped after each destroy (/proc/iomem Xen scratch)",
                   "cycle (0: before the first domU)", "MiB", [(f, 4, t, c, 1) for f, t, c in churn]))
    gp.append("unset multiplot\n")
    return out + [""], "".join(gp)


busy_md, busy_plot = busy_report()
md[2:2] = busy_md
with open(os.path.join(results, "bench.md"), "w") as f:
    f.write("\n".join(md) + "\n")
with open(os.path.join(results, "bench.gp"), "w") as f:
    f.write(panels_gp() + busy_plot)

lines = [f"bench {date}: {len(records)} records, {len(layouts)} layouts -> bench.json bench.md bench.png"]
for label, r in plot + summary_extra:
    lines.append(f"  {label}: {rfmt(r)}")
with open(os.path.join(results, "bench-summary.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
