#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# figures.sh [FLAVOUR]: boot the modern scenario with the patched and the
# base kernel of FLAVOUR ("bench": no debug options) and write
# results/figures-FLAVOUR.md, the medians side by side with their ratio.
. "$(dirname "$0")/lib.sh"

flavour=${1:-bench}
for kind in patched base; do
	[ -f "$BUILD/$kind-$flavour/Image" ] || "$BENCH_DIR/build.sh" "$kind" "$flavour"
	"$BENCH_DIR/initramfs.sh" "$kind" "$flavour"
	"$BENCH_DIR/scenario.sh" "$kind" modern "$flavour" > /dev/null
done

# median of the values of one figure in one console log, and their range
stat() {
	sed -n "s/^BENCH: FIGURE $2 \\([-0-9]*\\).*/\\1/p" "$RESULTS/$1-modern-$flavour/console.log" |
		sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%s %s %s %d\n", v[int((NR + 1) / 2)], v[1], v[NR], NR }'
}

# median (min..max, n=N) when there are several values
cell() { [ "${4:-0}" -gt 1 ] && echo "$1 ($2..$3, n=$4)" || echo "${1:--}"; }

out=$RESULTS/figures-$flavour.md
{
	echo "Figures of the $flavour kernels, modern layout, $(date '+%F'), $(nproc) cores, QEMU TCG"
	echo
	echo "| figure | patched | base | patched/base |"
	echo "| --- | --- | --- | --- |"
	for f in advertised_pages first_alloc_ram_kb after_free_ram_kb steady1_ns_per_page steady64_ns_per_page \
		steady4096_ns_per_page \
		usable_pages usable_permille alloc_1200mib_err past_end_err past_end_ram_pages; do
		read -r pm plo phi pn <<< "$(stat patched $f)"
		read -r bm blo bhi bn <<< "$(stat base $f)"
		ratio=$(awk -v p="${pm:-0}" -v b="${bm:-0}" 'BEGIN { if (b != 0) printf "%.2f", p / b; else print "-" }')
		echo "| $f | $(cell "$pm" "$plo" "$phi" "$pn") | $(cell "$bm" "$blo" "$bhi" "$bn") | $ratio |"
	done
} > "$out"
cat "$out"
