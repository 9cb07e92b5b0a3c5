#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# initramfs.sh KIND [FLAVOUR]: build the dom0 and domU initramfs of a kernel
# from the unpacked Debian arm64 packages of $XEN (the userland of the Xen
# they boot on): no qemu-user, no binfmt.  For
# FLAVOUR x86, the dom0 of scenario x86-pv: Debian's amd64 static busybox,
# the selftest built natively, no toolstack.
. "$(dirname "$0")/lib.sh"

kind=$1
flavour=${2:-test}
out=$BUILD/$kind-$flavour
work=$out/initramfs$XEN_SUFFIX
cpio_out=$out/dom0-initramfs$XEN_SUFFIX.cpio.gz
[ -f "$out/Image" ] || die "no $out/Image: build the $kind kernel first"
[ -d "$XENROOT/usr/lib/xen-$XEN" ] || die "no Xen $XEN userland in $XENROOT: run XENS=$XEN bench/setup.sh"

rm -rf "$work"
mkdir -p "$work/dom0" "$work/domu"

# The selftests, built and installed by the kselftest Makefile of the
# patched tree ("make -C tools/testing/selftests TARGETS=xen install"),
# static, against this kernel's uapi headers: O= is the kernel's build,
# whose usr/include they take (and where they are built, in kselftest/).
# Built afresh: lib.mk does not know every header they include.
arch=arm64 cross=$CROSS_COMPILE
[ "$flavour" = x86 ] && arch=x86 cross=
rm -rf "$out/kselftest"
make -s -C "$SRC/patched/tools/testing/selftests" ARCH=$arch CROSS_COMPILE="$cross" \
	TARGETS=xen O="$out" INSTALL_PATH="$work/kselftest" install > "$work/kselftest.log" 2>&1 ||
	{ tail -20 "$work/kselftest.log" >&2; die "the xen selftests did not build"; }
for prog in xen_ext_regions xen_grant_peer; do
	cp "$work/kselftest/xen/$prog" "$work/$prog"
done

# Copy an arm64 ELF file of $XENROOT, and the shared libraries it needs,
# to the same path under root.
copy_elf() {
	local root=$1 rel=$2 lib path
	[ -e "$root/$rel" ] && return
	mkdir -p "$root/$(dirname "$rel")"
	cp -L "$XENROOT/$rel" "$root/$rel"
	for lib in $(${CROSS_COMPILE}readelf -d "$XENROOT/$rel" |
		     sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
		path=$(cd "$XENROOT" && { find lib usr/lib -name "$lib" 2> /dev/null || true; } | head -1)
		[ -n "$path" ] || die "$rel needs $lib, which no unpacked package has"
		copy_elf "$root" "$path"
	done
}

base_root() {
	local root=$1
	mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,bench,lib}
	# trixie (Xen 4.20) has merged /usr: busybox is in usr/bin.
	cp "$(ls "$XENROOT"/bin/busybox "$XENROOT"/usr/bin/busybox 2> /dev/null | head -1)" \
		"$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	cp "$work/xen_ext_regions" "$work/xen_grant_peer" "$out/upop_bench/xen_upop_bench.ko" \
		"$root/bench/"
	# The dynamic loader and libc for the Xen tools.
	mkdir -p "$root/lib/aarch64-linux-gnu"
	cp -L "$XENROOT"/lib/aarch64-linux-gnu/{ld-linux-aarch64.so.1,libc.so.6} \
		"$root/lib/aarch64-linux-gnu/" 2>/dev/null ||
	cp -L "$XENROOT"/usr/lib/aarch64-linux-gnu/{ld-linux-aarch64.so.1,libc.so.6} \
		"$root/lib/aarch64-linux-gnu/"
	ln -sf aarch64-linux-gnu/ld-linux-aarch64.so.1 "$root/lib/ld-linux-aarch64.so.1"
}

# Reproducible: the same files give the same archive, so that scenario.sh
# can tell an unchanged boot.
mkcpio() {
	find "$1" -exec touch -h -d @0 {} +
	(cd "$1" && find . | LC_ALL=C sort |
	 cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -n -1 > "$2"
}

if [ "$flavour" = x86 ]; then
	root=$work/dom0
	mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,bench}
	cp "$XENROOT_X86/bin/busybox" "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	cp "$work/xen_ext_regions" "$out/upop_bench/xen_upop_bench.ko" "$root/bench/"
	install -m 755 "$BENCH_DIR/rootfs/dom0-init" "$root/init"
	cp "$BENCH_DIR/rootfs/tests.sh" "$root/bench/"
	mkcpio "$root" "$out/dom0-initramfs.cpio.gz"
	log "$kind-$flavour initramfs: dom0 $(($(stat -c %s "$out/dom0-initramfs.cpio.gz") / 1024)) KiB"
	exit 0
fi

# domU: busybox, the selftests, xenstore-read and -write.
base_root "$work/domu"
install -m 755 "$BENCH_DIR/rootfs/domu-init" "$work/domu/init"
cp "$BENCH_DIR/rootfs/busy-domu" "$BENCH_DIR/rootfs/tests.sh" "$work/domu/bench/"
copy_elf "$work/domu" usr/bin/xenstore-read
copy_elf "$work/domu" usr/bin/xenstore-write
mkcpio "$work/domu" "$work/domu-initramfs.cpio.gz"

# dom0: the unpacked Xen userland, the domU kernel and initramfs; not
# libc's character set converters (20 of its 62 MiB, which a KASAN dom0
# took 3 s to unpack, and no tool of the bench uses).
base_root "$work/dom0"
(cd "$XENROOT" && tar cf - --exclude=./boot --exclude=./usr/share/doc \
	--exclude=./usr/share/man --exclude=./bin/busybox --exclude=./usr/bin/busybox \
	--exclude=./usr/lib/aarch64-linux-gnu/gconv .) | tar xf - -C "$work/dom0"
install -m 755 "$BENCH_DIR/rootfs/dom0-init" "$work/dom0/init"
cp "$BENCH_DIR/rootfs/tests.sh" "$BENCH_DIR/rootfs/domu.cfg" "$work/dom0/bench/"
install -m 755 "$BENCH_DIR/rootfs/block" "$work/dom0/etc/xen/scripts/block"
install -m 755 "$BENCH_DIR/rootfs/vif-bridge" "$work/dom0/etc/xen/scripts/vif-bridge"
mkdir -p "$work/dom0/boot"
cp "$out/Image" "$work/dom0/boot/Image"
cp "$work/domu-initramfs.cpio.gz" "$work/dom0/boot/"
mkcpio "$work/dom0" "$cpio_out"
log "$kind-$flavour initramfs (Xen $XEN): dom0 $(($(stat -c %s "$cpio_out") / 1024 / 1024)) MiB, domU $(($(stat -c %s "$work/domu-initramfs.cpio.gz") / 1024)) KiB"
