#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every suite of the project; one line per test, then "N passed, N failed".
# The base kernel's scenarios are reported for comparison, not counted,
# except where they show the bugs the series fixes (fix.*); an unchanged
# base boot is not repeated (scenario.sh REUSE_RESULTS).
. "$(dirname "$0")/lib.sh"

SCENARIOS=${SCENARIOS:-modern legacy domu policy}
mkdir -p "$RESULTS"
all=$RESULTS/check.txt
: > "$all"

if [ -z "${SKIP_STATIC:-}" ]; then
	stage "hygiene" "$BENCH_DIR/hygiene.sh" | tee -a "$all"
	# Compile tests: no warning (W=1) in a file this repository touches.
	ours=$(grep -E '\.(c|h)$' "$SRC/stage.files" | sed 's/\./\\./g' | paste -sd'|')
	for t in x86_64-xen arm64-64k; do
		if w=$(stage "compile test $t" "$BENCH_DIR/compile-test.sh" "$t" 2>&1); then
			bad=$(echo "$w" | grep -E "$ours" || true)
			[ -z "$bad" ] && echo "PASS compile.$t W=1" ||
				echo "FAIL compile.$t $(echo "$bad" | head -2)"
		else
			echo "FAIL compile.$t $(echo "$w" | tail -3 | tr '\n' ' ')"
		fi | tee -a "$all"
	done
fi

if [ -z "${SKIP_STATIC:-}" ]; then
	# The series as a maintainer gets it: per patch checkpatch and build.
	stage "series gates" "$BENCH_DIR/series-check.sh" | tee -a "$all"
fi
if [ -z "${SKIP_KUNIT:-}" ]; then
	stage "kunit" "$BENCH_DIR/kunit.sh" | tee -a "$all"
	# The suites must catch the bugs planted by bench/defects/*.patch.
	stage "defects" "$BENCH_DIR/defects.sh" 2> /dev/null | tee -a "$all"
fi

for sc in $SCENARIOS; do
	stage "scenario patched $sc" "$BENCH_DIR/scenario.sh" patched "$sc" | tee -a "$all"
done
# Other page sizes (bench/prepare.sh PAGE_FLAVOURS), where the granule
# and the memmap differ: discovery, the figures and give-back (modern),
# ballooning (legacy), a domU of the same page size (domu).  64 KiB by
# default; each such kernel costs 12 minutes to build cold, so 16 KiB runs
# with PAGE_FLAVOURS="test-16k test-64k".
for flavour in ${PAGE_FLAVOURS-test-64k}; do
	for sc in ${PAGE_SCENARIOS:-modern legacy domu}; do
		stage "scenario patched $flavour $sc" "$BENCH_DIR/scenario.sh" patched "$sc" "$flavour" |
			tee -a "$all"
	done
done
if [ -z "${SKIP_BASE:-}" ]; then
	for sc in $SCENARIOS; do
		REUSE_RESULTS=1 stage "scenario base $sc (for comparison)" \
			"$BENCH_DIR/scenario.sh" base "$sc" |
			sed 's/^\([A-Z]*\) /INFO-\1 /'
	done
fi

# The fixes at the head of the series, each shown by the unpatched base in
# the same boots: the base must show the bug, the patched kernel must not.
fix_gate() {
	local name=$1 pattern=$2 sc=$3 hit
	local base_log=$RESULTS/base-$sc/console.log patched_log=$RESULTS/patched-$sc/console.log
	[ -f "$base_log" ] && [ -f "$patched_log" ] || { echo "SKIP fix.$name no $sc boots"; return; }
	hit=$(grep -v '^(XEN)' "$base_log" | grep -m1 -oE "$pattern" || true)
	if [ -z "$hit" ]; then
		echo "FAIL fix.$name the unpatched base does not show it in $sc: the test cannot fail"
	elif grep -v '^(XEN)' "$patched_log" | grep -qE "$pattern"; then
		echo "FAIL fix.$name the patched kernel still shows it in $sc"
	else
		echo "PASS fix.$name base $BASE_TAG in $sc: \"$hit\"; patched: none"
	fi
}
if [ -z "${SKIP_BASE:-}" ]; then
	{
		fix_gate gntdev-lock-order '\(&priv->lock\)[^ ]* at: gntdev_mmap' modern
		fix_gate privcmd-mmap-resource-vma 'kernel BUG at drivers/xen/privcmd.c:[0-9]+' modern
	} | tee -a "$all"
fi

passed=$(grep -c '^PASS ' "$all" || true)
failed=$(grep -c '^FAIL ' "$all" || true)
skipped=$(grep -c '^SKIP ' "$all" || true)
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
