#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Everything before the first boot: packages, trees, kernels, initramfs.
. "$(dirname "$0")/lib.sh"

: > "$CACHE/stage-times" 2>/dev/null || { mkdir -p "$CACHE"; : > "$CACHE/stage-times"; }
stage "setup" "$BENCH_DIR/setup.sh"
stage "tree" "$BENCH_DIR/tree.sh"
for kind in ${KINDS-patched base}; do
	stage "build $kind kernel" "$BENCH_DIR/build.sh" "$kind"
	stage "initramfs $kind" "$BENCH_DIR/initramfs.sh" "$kind"
done
