#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py RESULTS LAYOUT...: read the "BENCH: FIGURE name value"
lines of RESULTS/{patched,base}-LAYOUT-bench/console.log and write
bench.json (one record per kernel, layout and measure, what the run was
in "meta", dom0's samples of the busy layouts in "busy"), bench.md
(tables with the ratios patched/base and patched/balloon) and
bench-summary.txt.  bench/figures.py draws bench.png and busy.png and
writes the README's and the cover letter's figures from bench.json.
Environment: BASE_NAME, BENCH_SERIES (series/NAME was measured),
BENCH_SERIES_CODE (its digest when the run began; default: now),
BENCH_XEN (Xen's version), BENCH_BOOTS,
BENCH_DOM0_MEM ("layout=size ..."), PAGES."""

import glob
import json
import os
import platform
import re
import statistics
import sys
import time

from figures import num, series_code  # one rounding, one series digest

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
    for d in boot_dirs(kind, layout, pages):
        path = os.path.join(d, "console.log")
        if not os.path.exists(path):
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


def boot_dirs(kind, layout, pages=None):
    """The result directories of every boot of one kernel in one layout,
    in the order of the boots (the first has no number)."""
    tag = f"bench-{pages}" if pages else "bench"
    dirs = {}
    for d in glob.glob(os.path.join(results, f"{kind}-{layout}-{tag}*")):
        m = re.fullmatch(rf"{kind}-{layout}-{tag}(?:-([0-9]+))?", os.path.basename(d))
        if m:
            dirs[int(m.group(1) or 1)] = d
    return [dirs[k] for k in sorted(dirs)]


def kv_lines(kind, layout, tag):
    """The "BENCH: TAG k=v ..." lines of each boot, a list per boot (empty
    for a boot that printed none)."""
    out = []
    for d in boot_dirs(kind, layout):
        path = os.path.join(d, "console.log")
        lines = open(path, errors="replace") if os.path.exists(path) else []
        out.append([{k: float(v) for k, v in re.findall(r"(\w+)=(-?[0-9.]+)", line)}
                    for line in lines if line.startswith(f"BENCH: {tag} ")])
    return out


def busy_runs(kind, layout):
    """Each boot's samples under the load and its churn, for the boots that
    got as far as the churn (no sample: the state before the first domU)."""
    return [dict(samples=s or c[:1], churn=c)
            for s, c in zip(kv_lines(kind, layout, "SAMPLE"), kv_lines(kind, layout, "CHURN")) if c]


def mapped(r):
    """Pages a sample says are mapped for the backends: from the regions
    and from the balloon; None for the unpatched kernel, which counts none."""
    return r["in_use"] + max(r["balloon_in_use"], 0) if r["in_use"] >= 0 else None


def busy_peaks(kind, layout):
    """The busy layouts' figures, a value per boot, from dom0's samples
    under the load ("BENCH: SAMPLE") against its state before the first
    domU (cycle 0 of "BENCH: CHURN")."""
    peaks = {}
    for run in busy_runs(kind, layout):
        b0, samples = run["churn"][0], run["samples"]
        for n, v in (("busy_peak_scratch_kb", max(r["scratch_kb"] for r in samples)),
                     ("busy_memfree_drop_kb", b0["memfree_kb"] - min(r["memfree_kb"] for r in samples)),
                     ("busy_memtotal_drop_kb", b0["memtotal_kb"] - min(r["memtotal_kb"] for r in samples)),
                     ("busy_ballooned_kb", b0["balloon_kb"] - min(r["balloon_kb"] for r in samples)),
                     ("busy_peak_pages_mapped", max(mapped(r) for r in samples) if b0["in_use"] >= 0 else None)):
            if v is not None:
                peaks.setdefault(n, []).append(v)
    return peaks


records = []
data = {}
for layout in layouts:
    for kind in KINDS:
        values = read(kind, layout)
        values.update(busy_peaks(kind, layout))
        for name, vals in values.items():
            if name not in MEASURES:
                continue
            s = summary(vals, name)
            data[(kind, layout, name)] = s
            records.append(dict(kernel=kind, layout=layout, measure=name,
                                unit=MEASURES[name][0], **s))

machine = f"{os.cpu_count()}-core {platform.machine()} host"
date = time.strftime("%Y-%m-%d")
base = os.environ.get("BASE_NAME", "mainline")


def bench_json():
    """What figures.py needs to say what was measured, and where."""
    meta = dict(date=date, machine=machine, base=base, xen=os.environ.get("BENCH_XEN", "?"),
                series=dict(name=os.environ.get("BENCH_SERIES", "mainline"),
                            code=os.environ.get("BENCH_SERIES_CODE") or
                            series_code(os.environ.get("BENCH_SERIES", "mainline"))),
                boots=int(os.environ.get("BENCH_BOOTS", "0")),
                dom0_mem=dict(x.split("=", 1) for x in os.environ.get("BENCH_DOM0_MEM", "").split()))
    busy = {f"{k}:{l}": busy_runs(k, l) for l in layouts if l in BUSY_LAYOUTS for k in KINDS
            if busy_runs(k, l)}
    return dict(meta=meta, records=records, **(dict(busy=busy) if busy else {}))


with open(os.path.join(results, "bench.json"), "w") as f:
    json.dump(bench_json(), f, indent=1)


def fmt(s):
    if s is None:
        return "-"
    txt = num(s["value"])
    if s["n"] > 1 and s["min"] != s["max"]:
        txt += f" ({num(s['min'])}..{num(s['max'])}, n={s['n']})"
    return txt


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


md = [f"Benchmarks, {date}, {machine}, QEMU TCG; patched and base {base} kernels built "
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
        json.dump(bench_json(), f, indent=1)
md.append("Measures: " + "; ".join(f"{n}: {d}" for n, (u, _, d) in MEASURES.items()) + ".")

# The busy scenario: dom0's memory sampled every second under the load
# ("BENCH: SAMPLE"), and after each create/destroy cycle ("BENCH: CHURN").
BUSY_VARIANTS = (("patched kernel, extended regions", "patched", "busy", "#1f77b4"),
                 (f"unpatched {base}", "base", "busy", "#ff7f0e"),
                 ("patched kernel, ballooning", "patched", "busy-balloon", "#2ca02c"))


def busy_report():
    """The headline table and the churn table."""
    have = [(t, k, l, c) for t, k, l, c in BUSY_VARIANTS if busy_runs(k, l)]
    if not have:
        return []
    boots = "/".join(str(len(busy_runs(k, l))) for _, k, l, _ in have)
    out = ["### 8 busy PV disks and a vif: dom0 RAM spent on mappings", "",
           f"Boots of each kernel, in the order of the table: {boots}. A domU with 8 PV disks, each written and read back "
           "(4 MiB direct I/O, checksummed) while 4 MiB go each way over a vif, "
           "then destroyed and created again; dom0 sampled every second. "
           "Peaks: median of the boots (min..max, n).", "",
           "| kernel | pages mapped at the peak | dom0 MemFree lost at the peak (kB) | "
           "dom0 MemTotal lost (ballooned, kB) | space mapped (Xen scratch) at the peak (kB) |",
           "| --- | --- | --- | --- | --- |"]
    for title, kind, layout, _ in have:
        f = lambda n: fmt(data.get((kind, layout, n)))
        out.append(f"| {title} | {f('busy_peak_pages_mapped')} | {f('busy_memfree_drop_kb')} | "
                   f"{f('busy_memtotal_drop_kb')} | {f('busy_peak_scratch_kb')} |")
    out += ["", "After each destroy (cycle 0: before the first domU):", "",
            "| kernel | boot | cycle | pages in use | ballooned pages | chunks mapped | Xen scratch kB | grant entries | MemFree kB | MemTotal kB |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for title, kind, layout, _ in have:
        for boot, run in enumerate(busy_runs(kind, layout), 1):
            for r in run["churn"]:
                out.append(f"| {title} | {boot} | {r['cycle']:.0f} | {'-' if r['in_use'] < 0 else int(r['in_use'])} | "
                           f"{'-' if r['balloon_in_use'] < 0 else int(r['balloon_in_use'])} | "
                           f"{'-' if r['chunks'] < 0 else int(r['chunks'])} | {r['scratch_kb']:.0f} | "
                           f"{r['grants']:.0f} | {r['memfree_kb']:.0f} | {r['memtotal_kb']:.0f} |")
    return out + [""]


md[2:2] = busy_report()
with open(os.path.join(results, "bench.md"), "w") as f:
    f.write("\n".join(md) + "\n")

lines = [f"bench {date}: {len(records)} records, {len(layouts)} layouts -> bench.json bench.md"]
for label, r in plot + summary_extra:
    lines.append(f"  {label}: {rfmt(r)}")
with open(os.path.join(results, "bench-summary.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
