#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# defects.sh [FLAVOUR]: show that the KUnit suites catch real defects.
# Each bench/defects/*.patch plants one bug in the patched tree; the kernel
# of FLAVOUR (default prod-64k) is rebuilt with it (in a copy of its build
# directory, so that the kernel the scenarios boot stays as it is), the
# suites run, the failing cases are listed, and the tree is restored.  A
# defect that no case catches is a FAIL.  Writes results/defects.md.
# The production build is the default: a defect must be caught by what the
# suites assert on the paths that ship, not by KASAN or lockdep, and it
# links and boots faster than the test kernel (16 s a defect against
# 24 s).
. "$(dirname "$0")/lib.sh"

flavour=${1:-prod-64k}
out=$RESULTS/defects.md
runs=$RESULTS/defects
src=$SRC/patched
seed=$src/.build-$flavour
build=$src/.build-defects
mkdir -p "$runs"
[ -f "$seed/Image" ] || die "no $seed/Image: run bench/build.sh patched $flavour"

# The patched worktree is checked out at the stage's commit: checking it
# out again undoes a defect, and rewrites only the files it touched, whose
# times are then set back, so that the kernels built from the tree (and
# the boots of them, scenario.sh REUSE_RESULTS) do not see a change.
stamps=$(mktemp -d)
touched=$(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$BENCH_DIR"/defects/*.patch | sort -u)
for f in $touched; do
	touch -r "$src/$f" "$stamps/${f//\//_}"
done
restore() {
	local f
	git -C "$src" checkout -q -f HEAD
	for f in $touched; do
		touch -r "$stamps/${f//\//_}" "$src/$f"
	done
	# The index keeps the times checkout wrote: without a refresh the next
	# checkout (tree.sh) would write the files again, with new times, and
	# every kernel built from the tree would be relinked and booted again.
	git -C "$src" update-index -q --refresh
}
trap 'restore; rm -rf "$stamps"' EXIT

# A copy of the test build: each defect rebuilds the files it touches and
# links the kernel again (about 15 s), instead of a kernel of its own.  The
# copy is made afresh for each defect: the restored files get their old
# times back, older than the objects the previous defect left, which make
# would take as up to date.
{
	echo "| planted defect | KUnit cases that fail ($flavour kernel) |"
	echo "| --- | --- |"
} > "$out"
for p in "$BENCH_DIR"/defects/*.patch; do
	name=$(basename "$p" .patch)
	restore
	rsync -a --delete "$seed/" "$build/"
	if ! patch -d "$src" -p1 -s --no-backup-if-mismatch -r - < "$p" > /dev/null; then
		echo "FAIL defects.$name does not apply any more: update bench/defects/$name.patch"
		continue
	fi
	if ! make -C "$src" O="$build" CC="ccache ${CROSS_COMPILE}gcc" -j"$JOBS" Image \
		> "$runs/$name.build.log" 2>&1; then
		echo "FAIL defects.$name does not build: $(grep -m1 'error:' "$runs/$name.build.log")"
		continue
	fi
	cp "$build/arch/arm64/boot/Image" "$build/Image"
	# A defect that wedges the kernel must not wait for the full timeout.
	KUNIT_TIMEOUT=120 RESULTS=$runs/$name "$BENCH_DIR/kunit.sh" "$flavour" "$build" \
		> "$runs/$name.txt" 2>&1 || true
	# A run cut short (a plan not met) is no case that caught it.
	fails=$(grep '^FAIL ' "$runs/$name.txt" | sed 's/^FAIL kunit[^.]*\.//; s/ .*//' |
		grep -v -e '^plan$' -e '\.plan$' | paste -sd' ' -)
	echo "| $name | ${fails:-none} |" >> "$out"
	if [ -n "$fails" ]; then
		echo "PASS defects.$name caught: $fails"
	else
		echo "FAIL defects.$name not caught by any case"
	fi
done
cat "$out" >&2
