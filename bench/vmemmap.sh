#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmemmap.sh [FLAVOUR]: the gate on the two mm/sparse-vmemmap fixes of the
# series (sub-page memmap ranges), on base and patched kernels with pages
# larger than 4 KiB: make check runs it on prod-64k, "make vmemmap" on
# prod-16k (the default) or FLAVOUR=...  Each kernel boots under QEMU without
# Xen, once per mode of vmemmap/vmemmap_subpage.c; the base must show the
# bug (a kernel report), the patched kernel none and the module's PASS.
# Results: results/vmemmap/, one line per mode, fix[-BASE].vmemmap-MODE-PAGES
# (BASE=6.12 or 6.1: the backports, with their own prod-64k kernels).
. "$(dirname "$0")/lib.sh"

flavour=${1:-prod-16k}
dir=$RESULTS/vmemmap
mkdir -p "$dir"

# An initramfs that loads the module (build.sh builds it with the kernel)
# with the mode the kernel command line names, then powers off.
initramfs() {
	local out=$1 root=$1/vmemmap/root
	rm -rf "$root"
	mkdir -p "$root/bin"
	cp "$out/vmemmap/vmemmap_subpage.ko" "$root/"
	cp "$(ls "$XENROOT"/bin/busybox "$XENROOT"/usr/bin/busybox 2> /dev/null | head -1)" "$root/bin/"
	cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mkdir -p /proc /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mknod /dev/console c 5 1
exec > /dev/console 2>&1
mode=$(/bin/busybox sed -n 's/.*vmemmap_mode=\([a-z]*\).*/\1/p' /proc/cmdline)
/bin/busybox insmod /vmemmap_subpage.ko mode="$mode"
# The console may print the verdict after poweroff cut it: from the log.
/bin/busybox dmesg | /bin/busybox sed -n 's/.*\(vmemmap_subpage: [A-Z][A-Z]* .*\)/verdict: \1/p'
echo "vmemmap-gate: done"
/bin/busybox poweroff -f
INIT
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/vmemmap/initramfs.gz"
}

boot() {
	local out=$1 mode=$2 log=$3 cpu=cortex-a57
	case $flavour in *-16k) cpu=max,pauth-impdef=on ;; esac
	timeout -k 10 300 qemu-system-aarch64 -nodefaults \
		-machine virt -cpu "$cpu" -smp 2 -m 1024 -display none -serial stdio -no-reboot \
		-kernel "$out/Image" -initrd "$out/vmemmap/initramfs.gz" \
		-append "console=ttyAMA0 printk.time=0 panic=-1 vmemmap_mode=$mode" \
		< /dev/null 2>&1 | tr -d '\r' > "$log" || true
}

for kind in base patched; do
	out=$BUILD/$kind-$flavour
	[ -f "$out/Image" ] && [ -f "$out/vmemmap/vmemmap_subpage.ko" ] ||
		die "no $out/Image or its vmemmap module: run bench/build.sh $kind $flavour"
	initramfs "$out"
done
for mode in populate share; do
	name=fix$BASE_SUFFIX.vmemmap-$mode-${flavour##*-}
	base_log=$dir/base$BASE_SUFFIX-$flavour-$mode.log
	patched_log=$dir/patched$BASE_SUFFIX-$flavour-$mode.log
	boot "$BUILD/base-$flavour" "$mode" "$base_log"
	boot "$BUILD/patched-$flavour" "$mode" "$patched_log"
	# The base's bug: once the module mapped, a fault in the struct pages
	# it printed (populate: the range's memmap; share: the shared page,
	# which it also says went), and no PASS.
	hit=$(sed -n '/vmemmap_subpage: \(mapping\|\[\)/,$p' "$base_log" |
		grep -m1 -oE 'Unable to handle kernel paging request at virtual address [0-9a-f]+' || true)
	if [ "$mode" = populate ]; then
		lo=$(sed -n 's/.*vmemmap_subpage: mapping .* memmap \(0x[0-9a-f]*\)-.*/\1/p' "$base_log")
		hi=$(sed -n 's/.*vmemmap_subpage: mapping .* memmap 0x[0-9a-f]*-\(0x[0-9a-f]*\).*/\1/p' "$base_log")
	else
		grep -q 'vmemmap_subpage: FAIL share .* unmapped while its neighbour' "$base_log" || hit=
		lo=$(sed -n 's/.*vmemmap_subpage: .* share \(0x[0-9a-f]*\);.*/\1/p' "$base_log" | head -1)
		# The page: the flavour names its size in KiB.
		hi=$((${lo:-0} + ${flavour//[!0-9]/} * 1024))
	fi
	# Kernel addresses: negative as bash's signed 64-bit numbers, and in
	# the same order.
	addr=0x${hit##* }
	[ -n "$hit" ] && [ -n "$lo" ] && [ -n "$hi" ] && [ $((addr)) -ge $((lo)) ] && [ $((addr)) -lt $((hi)) ] || hit=
	bad=$(grep -m1 -E "$KERNEL_REPORTS|vmemmap_subpage: FAIL" "$patched_log" | cut -c1-120 || true)
	if [ -z "$hit" ] || grep -q 'vmemmap_subpage: PASS' "$base_log"; then
		echo "FAIL $name the unpatched base does not show the fault: the test cannot fail (log: $base_log)"
	elif [ -n "$bad" ]; then
		echo "FAIL $name patched: \"$bad\""
	elif ! grep -q "verdict: vmemmap_subpage: PASS $mode" "$patched_log"; then
		echo "FAIL $name patched: no PASS verdict from the module (log: $patched_log)"
	else
		echo "PASS $name base: \"$hit\"$(grep -m1 -o 'vmemmap page 0x[0-9a-f]* unmapped while its neighbour is present' "$base_log" | sed 's/^/, /'); patched: none, $(grep -m1 -o 'verdict: vmemmap_subpage: PASS .*' "$patched_log" | cut -d' ' -f3-)"
	fi
done | tee "$dir/results$BASE_SUFFIX-$flavour"
! grep -q "^FAIL" "$dir/results$BASE_SUFFIX-$flavour"
