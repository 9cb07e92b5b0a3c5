#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Everything before the first boot: packages, trees, kernels, initramfs.
#   KINDS           kernels built with 4 KiB pages (default: patched base)
#   PAGE_FLAVOURS   patched kernels with other page sizes (default:
#                   prod-64k; also test-16k, test-64k, see build.sh)
#   X86_PV          1 (default): the x86_64 PV dom0 kernel of scenario x86-pv
#   XENS            the arm64 Xens to boot on, each with an initramfs of its
#                   userland (default: $XEN, 4.17)
. "$(dirname "$0")/lib.sh"

mkdir -p "$CACHE"
: > "$CACHE/stage-times"
stage "setup" "$BENCH_DIR/setup.sh"
initramfs() {
	local v
	for v in $XENS; do
		XEN=$v stage "initramfs $1 $2 (Xen $v)" "$BENCH_DIR/initramfs.sh" "$1" "$2"
	done
}
stage "tree" "$BENCH_DIR/tree.sh"
for kind in ${KINDS-patched base}; do
	stage "build $kind kernel" "$BENCH_DIR/build.sh" "$kind"
	initramfs "$kind" test
done
for flavour in ${PAGE_FLAVOURS-prod-64k}; do
	stage "build patched $flavour kernel" "$BENCH_DIR/build.sh" patched "$flavour"
	initramfs patched "$flavour"
done
if [ "${X86_PV:-1}" = 1 ]; then
	stage "build patched x86 kernel" "$BENCH_DIR/build.sh" patched x86
	stage "initramfs patched x86" "$BENCH_DIR/initramfs.sh" patched x86
fi
