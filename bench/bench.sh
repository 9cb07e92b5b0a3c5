#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh: the benchmark kernels (no debug options), patched and base, on
# the same Xen and QEMU, in the layouts
#   modern  Xen's default regions (dom0_mem=512M)
#   tight   regions that are not 128 MiB aligned (dom0_mem=1536M)
#   legacy  no regions (ext_regions=no): ballooning
#   domu    modern, plus a domU granting pages for the gntdev rates
#   busy    a domU with 8 busy PV disks and a vif, created and destroyed
#           10 times: what dom0's RAM pays for the backends' mappings
#   busy-balloon  the same with no region: the patched kernel ballooning
#           (the unpatched one balloons alike)
# and the patched kernel with 16 and 64 KiB pages in modern; then
# results/bench.{json,md,png} and busy.png from what the guests measured
# (bench-report.py, figures.py).
. "$(dirname "$0")/lib.sh"

LAYOUTS=${LAYOUTS:-modern tight legacy domu busy busy-balloon}
# The patched kernel with 16 and 64 KiB pages, in the modern layout: what
# the first mapping and give-back cost with each page size.
PAGES=${BENCH_PAGES-16k 64k}
# The series as the kernels are built from it: an edit during the run
# must not be credited with these figures.
BENCH_SERIES_CODE=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import figures; print(figures.series_code(sys.argv[2]))' "$BENCH_DIR" "$BASE") ||
	die "no digest of series/$BASE"
"$BENCH_DIR/tree.sh"
for kind in patched base; do
	stage "build $kind bench kernel" "$BENCH_DIR/build.sh" "$kind" bench
	stage "initramfs $kind bench" "$BENCH_DIR/initramfs.sh" "$kind" bench
done
for pages in $PAGES; do
	stage "build patched bench-$pages kernel" "$BENCH_DIR/build.sh" patched "bench-$pages"
	stage "initramfs patched bench-$pages" "$BENCH_DIR/initramfs.sh" patched "bench-$pages"
done
# The host's speed drifts over minutes (other guests): each layout boots
# both kernels BENCH_BOOTS times, in the order patched, base, base, patched
# ..., so that a drift weighs on both alike.
BOOTS=${BENCH_BOOTS:-2}
for boot in $(seq "$BOOTS"); do
	kinds="patched base"
	[ $((boot % 2)) = 1 ] || kinds="base patched"
	for layout in $LAYOUTS; do
		for kind in $kinds; do
			# The unpatched kernel balloons in busy as in busy-balloon.
			[ "$layout:$kind" != busy-balloon:base ] || continue
			tag=$([ "$boot" = 1 ] || echo "$boot")
			RUN_TAG=$tag stage "bench $kind $layout $boot" \
				"$BENCH_DIR/scenario.sh" "$kind" "$layout" bench > /dev/null
		done
	done
done
for pages in $PAGES; do
	stage "bench patched modern, $pages pages" \
		"$BENCH_DIR/scenario.sh" patched modern "bench-$pages" > /dev/null
done
# Results of an earlier run with more boots must not count.
for layout in $LAYOUTS; do
	for kind in patched base; do
		for d in "$RESULTS/$kind-$layout-bench-"[0-9]*; do
			[ -d "$d" ] && [ "${d##*-}" -gt "$BOOTS" ] && rm -rf "$d"
		done
	done
done
# What the run was, for the figures' titles: Xen's version (setup.sh) and
# each layout's dom0 memory (its scenario file, or the DOM0_MEM knob).
mems=$(for l in $LAYOUTS; do echo "$l=${DOM0_MEM:-$(. "$BENCH_DIR/scenarios/$l"; echo "$DOM0_MEM")}"; done)
BASE_NAME="$BASE_TAG" BENCH_SERIES="$BASE" BENCH_SERIES_CODE="$BENCH_SERIES_CODE" PAGES="$PAGES" BENCH_BOOTS="$BOOTS" BENCH_DOM0_MEM="$(echo $mems)" \
	BENCH_XEN="$(awk -v x="$XEN" '$1 == "xen" && $2 == x { print $3 }' "$CACHE/versions$BASE_SUFFIX")" \
	python3 "$BENCH_DIR/bench-report.py" "$RESULTS" $LAYOUTS
python3 "$BENCH_DIR/figures.py" plot "$RESULTS/bench.json" "$RESULTS"
cat "$RESULTS/bench-summary.txt"
log "make figures: README.md, the cover letter and doc/ from $RESULTS/bench.json"
