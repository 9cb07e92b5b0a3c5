#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""figures.py: every published figure from one benchmark's bench.json.

  figures.py plot JSON DIR   bench.png and busy.png in DIR (gnuplot)
  figures.py write JSON      README.md's headline table and the mainline
                             cover letter's figures paragraph, rewritten
  figures.py check JSON      PASS/FAIL: are they what JSON gives?

bench.json is what bench/bench-report.py wrote: "records", one per
kernel, layout and measure ({value, median, min, max, n}, value being the
median, or the worst round for RAM), and "meta" (base, Xen, dom0 memory
per layout, boots, machine, date) and, with the busy layouts, "busy"
(dom0's samples under the load).  make figures copies results/bench.json
to doc/bench.json and runs write; make check runs check on doc/bench.json,
so that no table outlives the benchmark it came from."""

import glob
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import textwrap

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(REPO, "README.md")
COVER = os.path.join(REPO, "series", "mainline", "0000-cover-letter.patch")
BEGIN = "<!-- figures.py: from doc/bench.json; make figures rewrites it -->"
END = "<!-- end of figures.py -->"
# The cover letter's generated paragraph starts with these words and ends
# at the next blank line.
COVER_START = "Measured by make bench"


def series_code(name):
    """A digest of what series/NAME changes in the kernel that runs: the
    hunks of its patches, without their messages, tests or documents.  A
    benchmark records it; the figures of another one are stale."""
    d = os.path.join(REPO, "series", name)
    if os.path.exists(os.path.join(d, "series")):	# a backport: its list (bench/lib.sh)
        patches = [os.path.join(d, l.split("#")[0].strip()) for l in open(os.path.join(d, "series"))
                   if l.split("#")[0].strip()]
    else:
        patches = sorted(p for p in glob.glob(os.path.join(d, "0*.patch"))
                         if not os.path.basename(p).startswith("0000-"))
    if not patches:
        sys.exit(f"figures.py: no patch in series/{name}")
    h = hashlib.sha256()
    for p in patches:
        keep = False
        for line in open(p, errors="replace"):
            if line.startswith("diff --git "):
                path = line.split()[2][2:]
                keep = not re.search(r"^(tools|Documentation)/|^MAINTAINERS$|kunit", path)
            elif line == "-- \n":
                keep = False
            if keep:
                h.update(line.encode())
    return h.hexdigest()[:16]


class Bench:
    def __init__(self, path):
        with open(path) as f:
            self.j = json.load(f)
        self.meta = self.j.get("meta", {})
        self.r = {(x["kernel"], x["layout"], x["measure"]): x for x in self.j["records"]}

    def get(self, kind, layout, name):
        return self.r.get((kind, layout, name))

    def v(self, kind, layout, name):
        x = self.get(kind, layout, name)
        return None if x is None else x["value"]


def num(v):
    """Three significant digits at most, whole numbers as they are."""
    if v == int(v) or abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"


def spread(x, scale=1.0):
    """value (min..max) of a record, scaled."""
    if x is None:
        return "-"
    s = num(x["value"] * scale)
    if x.get("n", 1) > 1 and x["min"] != x["max"]:
        s += f" ({num(x['min'] * scale)}..{num(x['max'] * scale)})"
    return s


def ratio(b, name, layout, lower=True):
    """How many times better patched is than base (above 1: better)."""
    p, u = b.v("patched", layout, name), b.v("base", layout, name)
    if p is None or u is None or not p or not u:
        return None
    return u / p if lower else p / u


def rx(r):
    return "-" if r is None else f"{r:.2f}x"


ERRNO = {-12: "-ENOMEM", -16: "-EBUSY", -28: "-ENOSPC"}
TIMES = ("steady1", "steady64", "steady4096")
THREADS = ("threads1", "threads2", "threads4")


def ratios(b, layout, names):
    return [ratio(b, f"{n}_ns_per_page", layout) for n in names]


def headline(b):
    """README's figures: a paragraph and one table."""
    m = b.meta
    base = m.get("base", "?")
    rows = []
    for label, layout, names in (
            ("alloc+free with regions, 1 / 64 / 4096 pages a call (ns a page)", "modern", TIMES),
            ("same, 1 / 2 / 4 threads of 64 pages", "modern", THREADS),
            ("alloc+free ballooning (no region), 1 / 64 / 4096 pages", "legacy", TIMES),
            ("same, 1 / 2 / 4 threads", "legacy", THREADS)):
        if b.get("patched", layout, f"{names[0]}_ns_per_page") is None:
            continue
        cell = lambda k: " / ".join(spread(b.get(k, layout, f"{n}_ns_per_page")) for n in names)
        rows.append(f"| {label} | {cell('patched')} | {cell('base')} | "
                    f"{' / '.join(rx(r) for r in ratios(b, layout, names))} |")
    pu, bu = b.v("patched", "modern", "usable_pages"), b.v("base", "modern", "usable_pages")
    adv = b.v("patched", "modern", "advertised_pages")
    if pu is not None and bu is not None and adv:
        rows.append(f"| usable pages of the {num(adv)} advertised | {num(pu)} ({100 * pu / adv:.1f}%) | "
                    f"{num(bu)} ({100 * bu / adv:.1f}%) | {rx(ratio(b, 'usable_pages', 'modern', False))} |")
    for label, name, note in (("RAM spent by a first one-page mapping (worst round)", "first_alloc_ram_kb", ""),
                              ("RAM still spent after free and give-back (worst round)", "after_free_ram_kb",
                               " (never given back)")):
        p, u = b.get("patched", "modern", name), b.get("base", "modern", name)
        if p is not None and u is not None:
            rows.append(f"| {label} | {spread(p)} kB | {spread(u)} kB{note} | {rx(ratio(b, name, 'modern'))} |")
    pe, be = b.v("patched", "modern", "alloc_1200mib_err"), b.v("base", "modern", "alloc_1200mib_err")
    if pe is not None and be is not None:
        err = lambda e: "served" if e == 0 else ERRNO.get(e, f"error {e:.0f}")
        rows.append(f"| one 1200 MiB request | {err(pe)} | {err(be)} | - |")
    st, pr = b.get("patched", "modern", "giveback_stall_worst_us"), b.get("base", "modern", "probe_worst_us")
    if st is not None and pr is not None:
        rows.append("| slowest one-page alloc+free while 1200 MiB of idle chunks are given back (ms) | "
                    f"{spread(st, 1e-3)} | {spread(pr, 1e-3)}, with nothing to give back | - |")
    f, u = b.get("patched", "busy", "busy_memfree_drop_kb"), b.get("base", "busy", "busy_memfree_drop_kb")
    if f is not None and u is not None:
        rows.append(f"| dom0 MemFree lost at the peak of 8 busy PV disks and a vif (MiB) | {spread(f, 1 / 1024)} | "
                    f"{spread(u, 1 / 1024)} | {rx(ratio(b, 'busy_memfree_drop_kb', 'busy'))} |")
    f, t = (b.get("patched", "busy-balloon", n) for n in ("busy_memfree_drop_kb", "busy_memtotal_drop_kb"))
    if f is not None and t is not None:
        rows.append(f"| same, Xen advertising no region: MemFree lost, of which ballooned out (MiB) | "
                    f"{spread(f, 1 / 1024)}, {spread(t, 1 / 1024)} | not booted: it balloons alike | - |")
    reg = [r for r in ratios(b, "modern", TIMES + THREADS) if r is not None]
    bal = [r for r in ratios(b, "legacy", TIMES + THREADS) if r is not None]
    verdict = ("**The series is slower than the unpatched kernel on the hot path**"
               if reg and min(reg) < 1 else "**The series is at least as fast as the unpatched kernel**")
    text = (f"{verdict}: alloc+free of pages for mappings runs at "
            f"{min(reg):.2f}x to {max(reg):.2f}x of the unpatched kernel's rate with the regions"
            + (f" and {min(bal):.2f}x to {max(bal):.2f}x ballooning" if bal else "")
            + " (medians). What it gains is space and RAM. "
            f"Patched against unpatched {base}, both without debug options, arm64 dom0 "
            f"({m.get('dom0_mem', {}).get('modern', '?')}) on Xen {m.get('xen', '?')} under QEMU TCG "
            f"on a {m.get('machine', '?')}; `make bench` of {m.get('date', '?')}: {rounds(b)}") if reg else "No alloc+free figures."
    out = textwrap.fill(text, 72, break_on_hyphens=False).split("\n") + [
        "", f"| measure | patched | unpatched {base} | patched/unpatched |",
        "| --- | --- | --- | --- |"] + rows
    return out


def rounds(b):
    """How the README's and the cover letter's medians were taken."""
    n, boots = b.get("patched", "modern", "steady1_ns_per_page"), b.meta.get("boots", "?")
    return (f"medians of {n['n'] if n else '?'} rounds over {boots} boot{'' if boots == 1 else 's'}, "
            "(min..max); ratio above 1: the patched kernel is better.")


def cover(b):
    """The cover letter's figures paragraph, wrapped as git wraps nothing."""
    m = b.meta
    base = m.get("base", "?").lstrip("v")
    s = [f"{COVER_START} ({m.get('date', '?')}, {m.get('machine', '?')}): patched against the "
         f"unpatched {base} kernel, both without debug options, arm64 dom0 "
         f"({m.get('dom0_mem', {}).get('modern', '?')}) on Xen {m.get('xen', '?')}; {rounds(b)}"]
    pu, bu = b.v("patched", "modern", "usable_pages"), b.v("base", "modern", "usable_pages")
    adv, pkb = b.v("patched", "modern", "advertised_pages"), b.v("patched", "modern", "page_kb") or 4
    if pu is not None and bu is not None and adv:
        mib = lambda p: num(p * pkb / 1024)
        s.append(f"Of the {mib(adv)} MiB advertised, {mib(pu)} MiB are usable against {mib(bu)} MiB "
                 f"({rx(ratio(b, 'usable_pages', 'modern', False))}).")
    f, a = b.get("patched", "modern", "first_alloc_ram_kb"), b.get("patched", "modern", "after_free_ram_kb")
    uf, ua = b.get("base", "modern", "first_alloc_ram_kb"), b.get("base", "modern", "after_free_ram_kb")
    if f and a and uf and ua:
        s.append(f"A first one-page mapping costs {num(f['value'])} kB of RAM against {num(uf['value'])} kB, "
                 f"and {num(a['value'])} kB stay after free and give-back against {num(ua['value'])} kB "
                 "(worst rounds).")
    pe, be = b.v("patched", "modern", "alloc_1200mib_err"), b.v("base", "modern", "alloc_1200mib_err")
    if pe is not None and be is not None:
        err = lambda e: "served" if e == 0 else ERRNO.get(e, f"error {e:.0f}")
        s.append(f"A 1200 MiB request is {err(pe)} (unpatched: {err(be)}).")
    for what, layout in (("with the regions", "modern"), ("ballooning (no region)", "legacy")):
        rs = ratios(b, layout, TIMES + THREADS)
        if all(r is None for r in rs):
            continue
        bad = sum(r is not None and r < 1 for r in rs)
        verdict = ("is at least as fast" if not bad else "is a regression" if bad == len(rs)
                   else f"is a regression in {bad} of {len(rs)}")
        s.append(f"Alloc+free {what} {verdict}: "
                 f"{rx(rs[0])}, {rx(rs[1])} and {rx(rs[2])} with 1, 64 and 4096 pages a call, "
                 f"{rx(rs[3])}, {rx(rs[4])} and {rx(rs[5])} with 1, 2 and 4 threads.")
    st, pr = b.get("patched", "modern", "giveback_stall_worst_us"), b.get("base", "modern", "probe_worst_us")
    if st is not None and pr is not None:
        s.append(f"While 1200 MiB of idle chunks are given back, the slowest one-page alloc+free takes "
                 f"{spread(st, 1e-3)} ms, against {spread(pr, 1e-3)} ms for the unpatched kernel with "
                 "nothing to give back.")
    return textwrap.fill(" ".join(s), 72, break_on_hyphens=False).split("\n")


def replace_readme(text, b):
    lines = text.split("\n")
    try:
        i, j = lines.index(BEGIN), lines.index(END)
    except ValueError:
        sys.exit(f"figures.py: {README} has no {BEGIN} ... {END} block")
    return "\n".join(lines[:i + 1] + headline(b) + lines[j:])


def replace_cover(text, b):
    lines = text.split("\n")
    starts = [k for k, l in enumerate(lines) if l.startswith(COVER_START)]
    if len(starts) != 1:
        sys.exit(f"figures.py: {COVER} needs one paragraph starting '{COVER_START}'")
    i = starts[0]
    j = lines.index("", i)
    return "\n".join(lines[:i] + cover(b) + lines[j:])


def write(path):
    b = Bench(path)
    for f, fn in ((README, replace_readme), (COVER, replace_cover)):
        old = open(f).read()
        new = fn(old, b)
        if new != old:
            open(f, "w").write(new)
            print(f"figures.py: {os.path.relpath(f, REPO)} rewritten from {path}")


def check(path):
    b = Bench(path)
    ok = True
    s = b.meta.get("series", {})
    now = series_code(s.get("name", "mainline"))
    if s.get("code") == now:
        print(f"PASS figures.series {os.path.relpath(path, REPO)} measured series/{s['name']} as it is ({now})")
    else:
        ok = False
        print(f"FAIL figures.series {os.path.relpath(path, REPO)} measured {s.get('code', 'an unrecorded series')}, "
              f"series/{s.get('name', 'mainline')} is {now} now: make bench, then make figures")
    for name, f, fn in (("readme", README, replace_readme), ("cover-letter", COVER, replace_cover)):
        old = open(f).read()
        if fn(old, b) == old:
            print(f"PASS figures.{name} the figures in {os.path.relpath(f, REPO)} are those of {os.path.relpath(path, REPO)}")
        else:
            ok = False
            print(f"FAIL figures.{name} {os.path.relpath(f, REPO)} differs from {os.path.relpath(path, REPO)}: make figures")
    return ok


def time_rows(layout):
    """The alloc+free rows of a panel: each batch size, then each thread count."""
    labels = ("1 page a call", "64 pages", "4096 pages", "1 thread", "2 threads", "4 threads")
    return [(l, layout, f"{n}_ns_per_page", 1) for l, n in zip(labels, TIMES + THREADS)]


# bench.png: one panel per question, a bar per kernel with its spread
# (whiskers min..max of the rounds), a log scale where the bars differ by
# 10x or more (a regression of 19 against 14 ns stays visible beside a
# 324 ns bar), and a sentence under each panel saying what is better.
# Rows: (label, layout, measure, scale to the panel's unit).
PANELS = [
    ("Space Xen advertises that mappings can use", "MiB (line: all that Xen advertises)",
     "higher is better: all of it is the most", "usable", [
         ("modern layout", "modern", "usable_pages", "pages"),
         ("tight layout", "tight", "usable_pages", "pages")]),
    ("dom0 RAM spent on a one-page mapping (worst round)", "kB",
     "lower is better", "ram", [
         ("first mapping of the boot", "modern", "first_alloc_ram_kb", 1),
         ("still spent once freed", "modern", "after_free_ram_kb", 1)]),
    ("alloc+free with the extended regions", "ns per page",
     "lower is better", "time", time_rows("modern")),
    ("alloc+free ballooning (Xen advertises no region)", "ns per page",
     "lower is better", "time", time_rows("legacy")),
    ("Slowest one-page alloc+free in 4 s", "ms",
     "lower is better; patched: while 1200 MiB of idle chunks are given back, unpatched: nothing to give back",
     "stall", [
         ("give-back stall / probe", "modern", ("giveback_stall_worst_us", "probe_worst_us"), 1e-3)]),
    ("gntdev: map, mmap, touch, unmap a domU's grants", "calls per second",
     "higher is better", "gntdev", [
         ("1 page a call", "domu", "gntdev_map1_per_s", 1),
         ("16 pages", "domu", "gntdev_map16_per_s", 1),
         ("256 pages", "domu", "gntdev_map256_per_s", 1)]),
]
KINDS = (("patched", "#1f77b4"), ("base", "#ff7f0e"))


def title(b, what):
    """Two lines: what and which kernels, then where it ran."""
    m = b.meta
    mem = ", ".join(f"{l} {v}" for l, v in sorted(m.get("dom0_mem", {}).items()))
    return (f"{what}: patched against unpatched {m.get('base', '?')}, both without debug options; "
            f"make bench of {m.get('date', '?')}\\n"
            f"arm64 dom0 (dom0_mem: {mem}) on Xen {m.get('xen', '?')}, QEMU TCG on a {m.get('machine', '?')}")


def panel_rows(b, rows):
    out = []
    for label, layout, name, scale in rows:
        vals = []
        for kind, _ in KINDS:
            n = name if isinstance(name, str) else name[0 if kind == "patched" else 1]
            x = b.get(kind, layout, n)
            sc = scale
            if sc == "pages":
                sc = (b.v(kind, layout, "page_kb") or 4) / 1024
            vals.append(None if x is None else (x["value"] * sc, x["min"] * sc, x["max"] * sc))
        if any(v is not None for v in vals):
            out.append((label, layout, vals))
    return out


def bench_gp(b, outdir):
    m = b.meta
    present = [(q, u, s, k, panel_rows(b, rows)) for q, u, s, k, rows in PANELS]
    present = [p for p in present if p[4]]
    cols = 2
    nrows = (len(present) + cols - 1) // cols
    base = m.get("base", "?")
    gp = [f"""set terminal pngcairo noenhanced size 1700,{520 * nrows + 120} font ",11"
set output "{outdir}/bench.png"
set multiplot layout {nrows},{cols} title "{title(b, 'Benchmarks')}\\nbars: median of the rounds (RAM: worst round), whiskers: lowest..highest round" font ",12"
set style data histograms
set style histogram errorbars gap 1 lw 1.5
set style fill solid 0.7 border -1
set datafile missing "-"
set datafile separator "|"
set key top left font ",9"
set xtics nomirror font ",9"
set grid ytics
set bmargin 5
"""]
    for i, (question, unit, sentence, kind, rows) in enumerate(present):
        # The scale is chosen on the bars; on a log scale a whisker below
        # a tenth of the smallest bar (RAM rounds can read 0 or less) is
        # cut there.
        bars_v = [v[0] for _, _, vals in rows for v in vals if v is not None]
        lo, hi = min(bars_v), max(bars_v)
        log = lo > 0 and hi / lo >= 10
        floor = lo / 10 if log else None
        dat = os.path.join(outdir, f"bench-panel{i}.dat")
        with open(dat, "w") as f:
            for label, _, vals in rows:
                f.write(label + "|" + "|".join("-|-|-" if v is None else
                                               f"{v[0]:.6g}|{max(v[1], floor or v[1]):.6g}|{v[2]:.6g}"
                                               for v in vals) + "\n")
        gp.append(f"set logscale y\nset yrange [{floor:.6g}:*]\n" if log else "unset logscale y\nset yrange [0:*]\n")
        gp.append("set key center right\n" if kind == "usable" else "set key top right\n")
        gp.append(f'set title "{question}"\nset ylabel "{unit}{" (log scale)" if log else ""}"\n'
                  f'set xlabel "{sentence}" font ",10"\n')
        extra = []
        if kind == "usable":
            adv = [b.v("patched", lay, "advertised_pages") * (b.v("patched", lay, "page_kb") or 4) / 1024
                   for _, lay, _ in rows if b.v("patched", lay, "advertised_pages")]
            for k, a in enumerate(adv):
                extra.append(f"{a:.6g} with lines lw 2 dt 2 lc rgb 'black' "
                             f"title '{'advertised' if k == 0 else ''}'".replace("title ''", "notitle"))
        labels = {"patched": "patched", "base": f"unpatched {base}"}
        bars = [f'"{dat}" using {3 * j + 2}:{3 * j + 3}:{3 * j + 4}:xtic(1) title "{labels[k]}" lc rgb "{c}"'
                for j, (k, c) in enumerate(KINDS)]
        width = 1 / (len(KINDS) + 1)
        vlabels = [f'"{dat}" using ($0 + {(j - (len(KINDS) - 1) / 2) * width:.3f}):{3 * j + 2}:'
                   f'(${3 * j + 2} >= 100 ? sprintf("%.0f", ${3 * j + 2}) : sprintf("%.3g", ${3 * j + 2})) with labels offset 1.2,0.6 font ",8" notitle'
                   for j in range(len(KINDS))]
        gp.append("plot " + ", \\\n\t".join(bars + vlabels + extra) + "\n")
    gp.append("unset multiplot\n")
    return "".join(gp)


def busy_boots(v):
    """A busy record's boots: a list of {samples, churn} (one dict before
    2026-12-07)."""
    return v if isinstance(v, list) else [v]


def band(rows):
    """Per index over the boots: (x, then median, min, max of each value),
    rows being each boot's list of (x, value...) tuples, None for none."""
    out = []
    for i in range(max((len(r) for r in rows), default=0)):
        at = [r[i] for r in rows if i < len(r)]
        line = [statistics.median(a[0] for a in at)]
        for k in range(1, len(at[0])):
            vals = [a[k] for a in at if a[k] is not None]
            line += [statistics.median(vals), min(vals), max(vals)] if vals else [None] * 3
        out.append(line)
    return out


def busy_gp(b, outdir):
    """busy.png: dom0's memory under 8 busy PV disks and a vif: each curve
    the median of the boots, its band their lowest..highest; ballooning on
    panels of its own, dom0's RAM and the advertised space drawn."""
    busy = b.j.get("busy")
    if not busy:
        return ""
    m = b.meta
    colors = {"patched:busy": "#1f77b4", "base:busy": "#ff7f0e", "patched:busy-balloon": "#2ca02c"}
    names = {"patched:busy": "patched, extended regions", "base:busy": f"unpatched {m.get('base', '?')}",
             "patched:busy-balloon": "patched, ballooning (no region)"}
    nboots = min(len(busy_boots(v)) for v in busy.values())
    gp = [f"""set terminal pngcairo noenhanced size 1700,1900 font ",11"
set output "{outdir}/busy.png"
set multiplot layout 3,2 title "{title(b, '8 busy PV disks and a vif in a domU')}\\nlines: median of {nboots} boot(s) of each kernel, bands: lowest..highest boot" font ",12"
set key outside below font ",9"
set grid
unset logscale y
set datafile separator whitespace
set datafile missing "-"
set yrange [0:*]
set bmargin 7
set style fill transparent solid 0.2 noborder
"""]
    fmt = lambda v: "-" if v is None else f"{v:.6g}"
    files = {}
    for i, (key, v) in enumerate(sorted(busy.items())):
        boots = busy_boots(v)
        b0s = [x["churn"][0] for x in boots]
        mib = lambda b0, r, f: (b0[f] - r[f]) / 1024
        load = band([[(r["t"], mib(b0, r, "memfree_kb"), mib(b0, r, "memtotal_kb"),
                       r["in_use"] + max(r["balloon_in_use"], 0) if r["in_use"] >= 0 else None)
                      for r in x["samples"]] for x, b0 in zip(boots, b0s)])
        churn = band([[(r["cycle"], mib(b0, r, "memfree_kb"), mib(b0, r, "memtotal_kb"), r["scratch_kb"] / 1024)
                       for r in x["churn"]] for x, b0 in zip(boots, b0s)])
        for what, rows in (("load", load), ("churn", churn)):
            path = os.path.join(outdir, f"busy-{what}{i}.dat")
            with open(path, "w") as f:
                f.writelines(" ".join(fmt(c) for c in r) + "\n" for r in rows)
            files[(key, what)] = path
    total = min(x["churn"][0]["memtotal_kb"] for v in busy.values() for x in busy_boots(v)) / 1024

    def plot(t, xl, yl, sentence, curves, hline=None):
        """curves: (key, what, value number (1: first), title, dash)."""
        if not curves:
            return ""
        c = []
        for key, what, k, ti, dt in curves:
            f, co = files[(key, what)], colors.get(key, "black")
            col = 2 + 3 * (k - 1)
            c.append(f'"{f}" using 1:{col + 1}:{col + 2} with filledcurves lc rgb "{co}" notitle')
            c.append(f'"{f}" using 1:{col} with linespoints lw 2 pt 7 ps 0.6 dt {dt} lc rgb "{co}" title "{ti}"')
        if hline:
            c.append(f"{hline[0]:.6g} with lines lw 2 dt 3 lc rgb 'black' title '{hline[1]}'")
        return (f'set title "{t}"\nset xlabel "{xl}\\n{sentence}"\nset ylabel "{yl}"\nplot '
                + ", \\\n\t".join(c) + "\n")
    since = "seconds since the vif was attached"
    cycle = "cycle (0: before the first domU)"
    regions = [k for k in ("patched:busy", "base:busy") if k in busy]
    balloon = [k for k in ("patched:busy-balloon",) if k in busy]
    adv = b.v("patched", "modern", "advertised_pages")
    advm = adv * (b.v("patched", "modern", "page_kb") or 4) / 1024 if adv else None
    ram = f"lower is better; dom0 has {total:.0f} MiB in all"
    for keys, what in ((regions, "extended regions, and the unpatched kernel"),
                       (balloon, "ballooning (Xen advertises no region)")):
        if not keys:
            continue
        gp.append(plot(f"dom0 RAM lost under the load: {what}", since,
                       "MiB below before the domU (dashed: MemTotal, ballooned out)", ram,
                       [(k, "load", 1, f"{names[k]}: MemFree", 1) for k in keys] +
                       [(k, "load", 2, f"{names[k]}: MemTotal", 2) for k in keys]))
        gp.append(plot(f"dom0 RAM lost after each destroy: {what}", cycle,
                       "MiB below cycle 0 (dashed: MemTotal, ballooned out)",
                       "lower is better; a rise from cycle to cycle would be a leak",
                       [(k, "churn", 1, f"{names[k]}: MemFree", 1) for k in keys] +
                       [(k, "churn", 2, f"{names[k]}: MemTotal", 2) for k in keys]))
    # The allocator counts the pages of the regions and those ballooned
    # when they run out, not the balloon's own path without regions.
    gp.append(plot("pages mapped for the backends from the regions", since, "pages",
                   "the same load on each kernel; the others count none",
                   [(k, "load", 3, names[k], 1) for k in regions if k.startswith("patched")]))
    gp.append(plot("space still mapped after each destroy (/proc/iomem Xen scratch)", cycle, "MiB",
                   "lower is better: nothing kept mapped; dotted: all that Xen advertises",
                   [(k, "churn", 3, names[k], 1) for k in sorted(busy)], (advm, "advertised") if advm else None))
    gp.append("unset multiplot\n")
    return "".join(gp)


def plot_all(path, outdir):
    b = Bench(path)
    gp = os.path.join(outdir, "figures.gp")
    with open(gp, "w") as f:
        f.write(bench_gp(b, outdir) + busy_gp(b, outdir))
    r = subprocess.run(["gnuplot", gp], capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"figures.py: gnuplot failed: {r.stderr.strip()[:400]}")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("plot", "write", "check"):
        sys.exit(__doc__)
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "plot":
        plot_all(path, sys.argv[3] if len(sys.argv) > 3 else os.path.dirname(path))
    elif cmd == "write":
        write(path)
    else:
        sys.exit(0 if check(path) else 1)
