#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Everything before the first boot: packages, trees, kernels, initramfs,
# for each base of BASES (default $BASE).  What each base builds is its
# own (bench/lib.sh, bases/), unless the caller says:
#   KINDS           kernels built with 4 KiB pages, in the base's flavour
#                   (mainline: patched base, the test flavour)
#   PAGE_FLAVOURS   patched kernels with other page sizes (mainline:
#                   prod-64k; also test-16k, test-64k, see build.sh)
#   X86_PV          1: the x86_64 dom0 kernel of scenarios x86-pv and x86-pvh
#                   (mainline only)
#   XEN, XENS       the arm64 Xens to boot on, each with an initramfs of
#                   its userland (default: the base's)
. "$(dirname "$0")/lib.sh"

mkdir -p "$CACHE"
if [ -z "${PREPARE_BASE:-}" ]; then
	: > "$CACHE/stage-times"
	for b in ${BASES:-$BASE}; do
		BASE=$b PREPARE_BASE=1 "$0"
	done
	exit 0
fi

stage "setup$BASE_SUFFIX" "$BENCH_DIR/setup.sh"
initramfs() {
	local v
	for v in $XENS; do
		XEN=$v stage "initramfs$BASE_SUFFIX $1 $2 (Xen $v)" "$BENCH_DIR/initramfs.sh" "$1" "$2"
	done
}
stage "tree$BASE_SUFFIX" "$BENCH_DIR/tree.sh"
for kind in $CHECK_KINDS; do
	stage "build$BASE_SUFFIX $kind $BASE_FLAVOUR kernel" "$BENCH_DIR/build.sh" "$kind" "$BASE_FLAVOUR"
	initramfs "$kind" "$BASE_FLAVOUR"
done
for flavour in $CHECK_PAGE_FLAVOURS; do
	stage "build$BASE_SUFFIX patched $flavour kernel" "$BENCH_DIR/build.sh" patched "$flavour"
	initramfs patched "$flavour"
	# check.sh's vmemmap gate boots the base of the same flavour beside it.
	stage "build$BASE_SUFFIX base $flavour kernel" "$BENCH_DIR/build.sh" base "$flavour"
done
if [ "$CHECK_X86_PV" = 1 ]; then
	stage "build$BASE_SUFFIX patched x86 kernel" "$BENCH_DIR/build.sh" patched x86
	stage "initramfs$BASE_SUFFIX patched x86" "$BENCH_DIR/initramfs.sh" patched x86
fi
