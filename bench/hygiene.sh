#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Hygiene gates on what the series changes, one result line each:
# checkpatch --strict on every file it adds (each patch is checked by
# series-check.sh), kernel-doc on every C file and header it touches.
. "$(dirname "$0")/lib.sh"

src=$SRC/patched
cd "$src"
# The message types that stand, each with its reason, as for the series.
ignore=$(grep -v '^#' "$BENCH_DIR/checkpatch-ignore" | cut -f1 | paste -sd, -)
CP="perl scripts/checkpatch.pl --strict --no-tree --quiet --terse --show-types --ignore $ignore"

verdict() {
	local name=$1 out=$2
	if [ -z "$out" ]; then
		echo "PASS $name"
	else
		echo "FAIL $name $(echo "$out" | head -3 | tr '\n' ' ' | cut -c1-300)"
	fi
}

added=$(git diff --name-only --diff-filter=A "$BASE_TAG" HEAD | grep -E '\.(c|h)$' || true)
for f in $added; do
	verdict "checkpatch.$f" "$($CP -f "$f" 2>&1 | grep -v '^total:' || true)"
done
for f in $(grep -E '\.(c|h)$' "$SRC/stage.files" | grep -v '^tools/'); do
	[ -f "$f" ] || continue
	verdict "kernel-doc.$f" "$(scripts/kernel-doc -none "$f" 2>&1 || true)"
done
