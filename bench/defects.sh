#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# defects.sh: show that the KUnit suites catch real defects.  Each
# bench/defects/*.patch plants one bug in the patched tree; the suites run,
# the failing cases are listed, and the tree is restored.  A defect that no
# case catches is a FAIL.  Writes results/defects.md.
. "$(dirname "$0")/lib.sh"

out=$RESULTS/defects.md
runs=$RESULTS/defects
mkdir -p "$runs"

restore() { "$BENCH_DIR/tree.sh" > /dev/null 2>&1; }
trap restore EXIT

{
	echo "| planted defect | KUnit cases that fail |"
	echo "| --- | --- |"
} > "$out"
for p in "$BENCH_DIR"/defects/*.patch; do
	name=$(basename "$p" .patch)
	restore
	if ! patch -d "$SRC/patched" -p1 -s --no-backup-if-mismatch -r - < "$p" > /dev/null; then
		echo "FAIL defects.$name does not apply any more: update bench/defects/$name.patch"
		continue
	fi
	# A defect that wedges the kernel must not wait for the full timeout.
	KUNIT_TIMEOUT=180 RESULTS=$runs/$name "$BENCH_DIR/kunit.sh" > "$runs/$name.txt" 2>&1 || true
	fails=$(grep '^FAIL ' "$runs/$name.txt" | sed 's/^FAIL kunit\.//' | paste -sd' ' -)
	echo "| $name | ${fails:-none} |" >> "$out"
	if [ -n "$fails" ]; then
		echo "PASS defects.$name caught: $fails"
	else
		echo "FAIL defects.$name not caught by any case"
	fi
done
cat "$out" >&2
