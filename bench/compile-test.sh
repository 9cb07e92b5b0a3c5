#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# compile-test.sh NAME: build the touched directories of the patched tree
# for another configuration, with W=1; prints the warnings in them.
#   x86_64-xen  the x86_64 PV dom0 config of scenario x86-pv, where
#               arch/x86/xen/enlighten.c seeds the allocator
#   arm64-64k   the arm64 test config with 64 KiB pages
#   debian      Debian's own arm64 config of the base's kernel (setup.sh,
#               linux-config-*), with only the changes bases/$BASE tells
#               integrators to make (BASE_DEBIAN_CONFIG), on the base's
#               patched tree: what an integrator builds
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
debian)
	base_cfg=$CACHE/debs-config$BASE_SUFFIX/config.arm64_none_arm64
	[ -f "$base_cfg" ] || die "no $base_cfg: run bench/setup.sh"
	out=$BUILD/compile-debian
	mkdir -p "$out"
	# No debug info: the same warnings in a third less time.
	printf '%s\n' CONFIG_DEBUG_INFO_NONE=y > "$out/speed.config"
	printf '%s\n' $BASE_DEBIAN_CONFIG > "$out/integrator.config"
	frags="$out/speed.config $out/integrator.config"
	dirs=$(series_dirs)
	;;
*)	die "unknown compile test $name" ;;
esac

# shellcheck disable=SC2086 # the fragments are words
merge_config "$src" "$out" "$base_cfg" $frags
grep -qx 'CONFIG_XEN_UNPOPULATED_ALLOC=y' "$out/.config" ||
	die "the $name config leaves XEN_UNPOPULATED_ALLOC off: the series is not built"
# The series' files compiled every time (ccache replays their warnings):
# an incremental build prints none for an object it keeps.
sed -n 's|\.c$|.o|p' "$SRC/stage.files" | while read -r o; do rm -f "$out/$o"; done
make -C "$src" O="$out" CC="ccache ${CROSS_COMPILE}gcc" -j"$JOBS" W=1 $dirs \
	> "$out/build.log" 2>&1 || { grep -E 'error' "$out/build.log" | head -20 >&2; die "$name build failed"; }
grep -E '^[^ ]+:[0-9]+:[0-9]+: warning:' "$out/build.log" | sort -u || true
