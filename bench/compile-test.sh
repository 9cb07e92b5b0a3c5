#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# compile-test.sh NAME: build the touched directories of the patched tree
# for another configuration, with W=1; prints the warnings in them.
#   x86_64-xen  the x86_64 PV dom0 config of scenario x86-pv, where
#               arch/x86/xen/enlighten.c seeds the allocator
#   arm64-64k   the arm64 test config with 64 KiB pages
. "$(dirname "$0")/lib.sh"

name=$1
src=$SRC/patched
out=$BUILD/compile-$name
case $name in
x86_64-xen)
	export ARCH=x86_64 CROSS_COMPILE=
	base_cfg=allnoconfig
	frags="$BENCH_DIR/config/lean.config $BENCH_DIR/config/x86_64-dom0.config"
	dirs="drivers/xen/"
	;;
arm64-64k)
	base_cfg=allnoconfig
	frags="$BENCH_DIR/config/xen-guest.config $BENCH_DIR/config/lean.config $BENCH_DIR/config/pages-64k.config"
	dirs="drivers/xen/ arch/arm64/xen/"
	;;
*)	die "unknown compile test $name" ;;
esac

mkdir -p "$out"
if ! cat $frags | cmp -s - "$out/fragments"; then
	make -s -C "$src" O="$out" $base_cfg > /dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" $frags > "$out/merge.log" 2>&1
	make -s -C "$src" O="$out" olddefconfig > /dev/null
	# The last fragment overrides the others: its lines must all hold.
	grep -h '^CONFIG_.*=y' "${frags##* }" | while read -r l; do
		grep -qx "$l" "$out/.config" || die "$l dropped from the $name config"
	done
	cat $frags > "$out/fragments"
fi
make -C "$src" O="$out" CC="ccache ${CROSS_COMPILE}gcc" -j"$JOBS" W=1 $dirs \
	> "$out/build.log" 2>&1 || { grep -E 'error' "$out/build.log" | head -20 >&2; die "$name build failed"; }
grep -E '^[^ ]+:[0-9]+:[0-9]+: warning:' "$out/build.log" | sort -u || true
