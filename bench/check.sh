#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every suite of the project; one line per test, then "N passed, N failed".
# The base kernel's scenarios are reported for comparison, not counted.
. "$(dirname "$0")/lib.sh"

SCENARIOS=${SCENARIOS:-modern legacy domu}
mkdir -p "$RESULTS"
all=$RESULTS/check.txt
: > "$all"

for sc in $SCENARIOS; do
	stage "scenario patched $sc" "$BENCH_DIR/scenario.sh" patched "$sc" | tee -a "$all"
done
if [ -z "${SKIP_BASE:-}" ]; then
	for sc in $SCENARIOS; do
		stage "scenario base $sc (for comparison)" "$BENCH_DIR/scenario.sh" base "$sc" |
			sed 's/^\([A-Z]*\) /INFO-\1 /'
	done
fi

passed=$(grep -c '^PASS ' "$all" || true)
failed=$(grep -c '^FAIL ' "$all" || true)
skipped=$(grep -c '^SKIP ' "$all" || true)
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
