#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scenario.sh KIND SCENARIO [FLAVOUR]: boot Xen $XEN (4.17 unless told) under
# QEMU with the KIND kernel (build.sh KIND FLAVOUR) as dom0, and the
# initramfs of that Xen's userland, and judge what the guests printed.
# Scenarios x86-pv and x86-pvh boot Xen's amd64 build with the x86 kernel
# (FLAVOUR x86) as a PV and a PVH dom0 under qemu-system-x86_64.
# Writes results/KIND[-BASE]-SCENARIO[-FLAVOUR][-xenNNN]/{console.log,results.txt};
# prints one line per result, named KIND[-BASE][-PAGES][-xenNNN].SCENARIO.NAME
# (BASE for another base than mainline, e.g. 6.12; xenNNN for another Xen
# than 4.17: xen420).
. "$(dirname "$0")/lib.sh"

kind=$1
scenario=$2
flavour=${3:-test}
out=$BUILD/$kind-$flavour
# The x86 dom0s boot on Xen's amd64 builds (4.17 PV, 4.20 PVH) whatever
# XEN says.
sfx=$XEN_SUFFIX
[ "$flavour" = x86 ] && sfx=
dir=$(result_dir "$kind" "$BASE" "$scenario" "$flavour" "$XEN")
initramfs=$out/dom0-initramfs$sfx.cpio.gz
# A repeated boot of the bench (bench.sh) keeps its own results.
dir=$dir${RUN_TAG:+-$RUN_TAG}
[ -f "$out/Image" ] && [ -f "$initramfs" ] || die "build $kind $flavour first (and its initramfs for Xen $XEN)"
# Results of another base or of a 16 or 64 KiB-page kernel are told apart
# by their name.
name=$kind$BASE_SUFFIX
case $flavour in *-16k|*-64k) name=$kind-${flavour##*-} ;; esac
name=$name$sfx
# QEMU's cortex-a57 has no 16 KiB granule: such a kernel would never print.
cpu=cortex-a57
case $flavour in *-16k) cpu=max,pauth-impdef=on ;; esac
smp=${QEMU_SMP:-$(boot_vcpus "$scenario" "$flavour")}
xen_image=$XEN_IMAGE
[ "$flavour" = x86 ] && xen_image=$XEN_IMAGE_X86
firmware=/dev/null

# The scenario: bench/scenarios/$scenario (its README says what each
# setting means); the DOM0_MEM and TIMEOUT knobs override its own.
sc_file=$BENCH_DIR/scenarios/$scenario
[[ $scenario =~ ^[a-z0-9-]+$ ]] && [ -f "$sc_file" ] ||
	die "unknown scenario $scenario ($(ls "$BENCH_DIR/scenarios" | grep -vx README | paste -sd' '))"
mapfile -t sc < <(unset XEN_ARGS DOM0_MEM TIMEOUT BOOT REGIONS CHECKS TEST_VCPUS
	. "$sc_file"
	printf '%s\n' "$XEN_ARGS" "$DOM0_MEM" "$TIMEOUT" "$BOOT" "$REGIONS" "$CHECKS" "${TEST_VCPUS:-}")
[ "${#sc[@]}" = 7 ] && [[ ${sc[2]} =~ ^[0-9]+$ ]] && [ -n "${sc[1]}" ] &&
	[[ ${sc[5]} =~ ^[a-z0-9\ -]+$ ]] && [[ ${sc[6]} =~ ^[12]?$ ]] ||
	die "$sc_file: XEN_ARGS DOM0_MEM TIMEOUT BOOT REGIONS CHECKS [TEST_VCPUS], one line each, TIMEOUT in seconds, DOM0_MEM and CHECKS set, TEST_VCPUS 1 or 2"
timeout=${TIMEOUT:-${sc[2]}}
boot=${sc[3]}
console=dtuart
mem=${DOM0_MEM:-${sc[1]}}
case $boot:$flavour:${sc[4]} in
# The x86 dom0's memory is its scenario's (max: gives the seeds).
x86:x86:) console=com1 mem=${sc[1]} ;;
x86-efi:x86:)
	console=com1 mem=${sc[1]} xen_image=$XEN_EFI_PVH firmware=$OVMF
	[ -f "$OVMF" ] || die "no $OVMF: run bench/setup.sh" ;;
x86*:*|*:x86:*) die "scenario $scenario boots $boot, flavour $flavour: x86 boots x86 (and sets no REGIONS)" ;;
guest-loader:*:yes|guest-loader:*:no|dom0less:*:yes|dom0less:*:no) ;;
*) die "$sc_file: BOOT=$boot REGIONS=${sc[4]} (guest-loader or dom0less with yes or no; x86 with none)" ;;
esac
xen_args="dom0_mem=$mem loglvl=all guest_loglvl=all console=$console${sc[0]:+ ${sc[0]}}"
# What dom0 checks (tests.sh run_dom0): commas, as a command line holds them.
dom0_args="bench.regions=${sc[4]:-none} bench.checks=$(echo ${sc[5]} | tr ' ' ,)"

# dom0less: Xen's device tree is QEMU's with the boot modules of dom0 and
# of a domU under /chosen (docs/misc/arm/device-tree/booting.txt), as
# Xen's CI (automation/scripts/qemu-smoke-dom0less-arm64.sh, ImageBuilder)
# makes it, the files put in RAM by QEMU's loader, no boot loader.
# DOM0LESS_MEM_KB: the domU's memory.
DOM0LESS_MEM_KB=$((320 * 1024))
domu_initramfs=$out/initramfs$sfx/domu-initramfs.cpio.gz
qemu_machine=virt,virtualization=on,gic-version=3
# module NODE ADDR FILE COMPATIBLE [BOOTARGS]: a boot module under /chosen.
module() {
	local node=$1/module@${2#0x}
	fdtput -c "$dtb" "$node"
	fdtput -t s "$dtb" "$node" compatible "multiboot,$4" multiboot,module
	fdtput -t x "$dtb" "$node" reg 0 "$2" 0 "$(printf %x "$(stat -L -c %s "$3")")"
	[ -z "${5:-}" ] || fdtput -t s "$dtb" "$node" bootargs "$5"
	loaders+=(-device "loader,file=$3,addr=$2,force-raw=on")
}
dom0less_boot() {
	dtb=$dir/virt-dom0less.dtb
	loaders=()
	qemu-system-aarch64 -machine "$qemu_machine,dumpdtb=$dtb" -cpu "$cpu" -smp "$smp" \
		-m "${QEMU_MEM:-2048}" -display none -nic none > "$dir/dumpdtb.log" 2>&1 ||
		die "qemu dumpdtb failed: $(cat "$dir/dumpdtb.log")"
	fdtput -t x "$dtb" /chosen '#address-cells' 2
	fdtput -t x "$dtb" /chosen '#size-cells' 2
	fdtput -t s "$dtb" /chosen xen,xen-bootargs "$xen_args"
	module /chosen 0x49000000 "$out/Image" kernel "earlycon=xen $dom0_cmdline"
	module /chosen 0x50000000 "$initramfs" ramdisk
	fdtput -c "$dtb" /chosen/domU1
	fdtput -t s "$dtb" /chosen/domU1 compatible xen,domain
	fdtput -t x "$dtb" /chosen/domU1 '#address-cells' 2
	fdtput -t x "$dtb" /chosen/domU1 '#size-cells' 2
	fdtput -t x "$dtb" /chosen/domU1 memory 0 "$(printf %x $DOM0LESS_MEM_KB)"
	fdtput -t x "$dtb" /chosen/domU1 cpus 1
	fdtput -t s "$dtb" /chosen/domU1 xen,enhanced enabled
	fdtput -t x "$dtb" /chosen/domU1 vpl011
	module /chosen/domU1 0x60000000 "$out/Image" kernel \
		"console=ttyAMA0 rdinit=/init bench.role=dom0less"
	module /chosen/domU1 0x64000000 "$domu_initramfs" ramdisk
	timeout -k 10 "$timeout" qemu-system-aarch64 \
		-machine "$qemu_machine" -cpu "$cpu" -smp "$smp" -m "${QEMU_MEM:-2048}" \
		-display none -monitor none -serial stdio -no-reboot -nic none \
		-kernel "$xen_image" -dtb "$dtb" "${loaders[@]}" \
		< /dev/null > "$log" 2>&1 &
}

mkdir -p "$dir"
log="$dir/console.log"
# REUSE_RESULTS=1: a boot of the same kernel, initramfs (which holds the
# tests), Xen, arguments and judging scripts as the last one gives the
# results it gave, if nothing failed in it (a failure is tried again);
# REUSE_RESULTS=all: whatever they were (the unpatched kernel's).  The last
# boot of each result directory is kept in the cache, so that a clone of
# the repository (CI's) finds it too.
# The files' contents, not their paths: a clone elsewhere (CI's) has the
# same key.
key=$({ for f in "$out/Image" "$initramfs" "$xen_image" "$firmware" "$0" "$BENCH_DIR/lib.sh" \
		"$sc_file" "$BENCH_DIR/tap-results.py"; do
		sha1sum < "$f"
	done
	echo "$xen_args | $dom0_args | $timeout | ${QEMU_MEM:-} | $cpu | $smp"; } | sha1sum | cut -c1-40)
kept=$CACHE/boots/$(basename "$dir")
if [ -n "${REUSE_RESULTS:-}" ] && [ -s "$kept/results.txt" ] &&
	{ [ "$REUSE_RESULTS" = all ] || ! grep -q '^FAIL ' "$kept/results.txt"; } &&
	[ "$(cat "$kept/key" 2> /dev/null)" = "$key" ]; then
	log "$name $scenario: same boot as at $(date -r "$kept/results.txt" '+%F %T'), results reused"
	rm -rf "$dir"
	cp -a "$kept" "$dir"
	sed -e "s/^\([A-Z]*\) /\1 $name.$scenario./" -e 's/$/ (reused)/' "$dir/results.txt"
	exit 0
fi
rm -f "$dir/results.txt" "$dir/key"
t0=$(date +%s)
rc=0
dom0_cmdline="console=hvc0 rdinit=/init bench.scenario=$scenario bench.flavour=$flavour $dom0_args"
if [ "$boot" = x86 ]; then
	# A multiboot Xen: the dom0 kernel with its arguments, then the
	# initramfs, as the modules of -initrd.  The Haswell-class CPUs and
	# "max" stop a PV dom0 at its first instructions; qemu64 does not.
	timeout -k 10 "$timeout" qemu-system-x86_64 \
		-machine q35 -cpu qemu64 -smp "$smp" -m "${QEMU_MEM:-2048}" \
		-display none -monitor none -serial stdio -no-reboot -nic none \
		-kernel "$xen_image" -append "$xen_args" \
		-initrd "$out/Image earlyprintk=xen ${dom0_cmdline//,/,,},$initramfs" \
		< /dev/null > "$log" 2>&1 &
elif [ "$boot" = x86-efi ]; then
	# OVMF starts Xen's EFI build from a FAT drive QEMU makes of a
	# directory; Xen reads its command line, dom0's kernel with its own and
	# the initramfs from the file beside it.  HAP, which a PVH dom0 needs:
	# QEMU's nested paging (npt).
	esp_dir=$(mktemp -d)
	trap 'rm -rf "$esp_dir"' EXIT
	esp=$esp_dir/EFI/BOOT
	mkdir -p "$esp"
	cp "$xen_image" "$esp/BOOTX64.EFI"
	cp "$out/Image" "$esp/vmlinuz"
	cp "$initramfs" "$esp/initrd.gz"
	printf '[global]\ndefault=xen\n\n[xen]\noptions=%s\nkernel=vmlinuz %s\nramdisk=initrd.gz\n' \
		"$xen_args" "earlyprintk=xen $dom0_cmdline" > "$esp/BOOTX64.cfg"
	timeout -k 10 "$timeout" qemu-system-x86_64 \
		-machine q35 -cpu qemu64,+svm,+npt -smp "$smp" -m "${QEMU_MEM:-2048}" \
		-display none -monitor none -serial stdio -no-reboot -nic none \
		-bios "$firmware" -drive file=fat:rw:"$esp_dir",format=raw \
		< /dev/null > "$log" 2>&1 &
elif [ "$boot" = dom0less ]; then
	dom0less_boot
else
	timeout -k 10 "$timeout" qemu-system-aarch64 \
		-machine "$qemu_machine" -cpu "$cpu" \
		-smp "$smp" -m "${QEMU_MEM:-2048}" -display none -monitor none -serial stdio \
		-no-reboot -nic none \
		-kernel "$xen_image" -append "$xen_args" \
		-device guest-loader,addr=0x49000000,kernel="$out/Image",bootargs="earlycon=xen ${dom0_cmdline//,/,,}" \
		-device guest-loader,addr=0x50000000,initrd="$initramfs" \
		< /dev/null > "$log" 2>&1 &
fi
qpid=$!
# What the guests printed: dom0's console, and a dom0less domU's, which
# Xen prints as "(XEN) DOMn: ..." (its emulated PL011, vpl011.c); not Xen's
# own lines.
guest_lines() {
	sed -n -e 's/^(XEN) DOM[0-9]*: //p;t' -e '/^(XEN)/d;p' "$log"
}
# A kernel that oopsed seldom gets to the end: stop soon after the report.
oops=
while kill -0 "$qpid" 2> /dev/null; do
	sleep 2
	if guest_lines | grep -E "$KERNEL_DEATH" > /dev/null; then
		oops=1
		sleep 15
		kill "$qpid" 2> /dev/null || true
		break
	fi
done
wait "$qpid" || rc=$?
secs=$(($(date +%s) - t0))
tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"

{
	guest_lines | sed -n 's/^BENCH: RESULT \([^ ]*\) \([A-Z]*\) *\(.*\)/\2 \1 \3/p'
	# The kselftests' TAP (tests.sh tap_out), read as KUnit's is.
	guest_lines | python3 "$BENCH_DIR/tap-results.py" \
		"$SRC/patched/tools/testing/kunit/kunit.py" --marked /dev/stdin

	# Anything the kernels report is a failure, wherever it appears; Xen's
	# own lines ("(XEN)") are not judged.  Fault injection's failures are
	# silent (an injected allocation failure warns of nothing).
	bad=$(guest_lines | grep -nE "$KERNEL_REPORTS" | head -5 || true)
	if [ -n "$bad" ]; then
		echo "FAIL kernel-reports $(echo "$bad" | head -1 | cut -c1-160)"
	else
		echo "PASS kernel-reports none"
	fi

	if [ -n "$oops" ]; then
		echo "FAIL completed stopped 15 s after a kernel Oops/BUG, at ${secs}s"
	elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "FAIL completed timeout after ${timeout}s; last line: $(grep -v '^$' "$log" | tail -1 | cut -c1-160)"
	elif ! grep -q '^BENCH: END' "$log"; then
		echo "FAIL completed QEMU exited ($rc) before the end; last line: $(grep -v '^$' "$log" | tail -1 | cut -c1-160)"
	else
		echo "PASS completed ${secs}s"
	fi
} > "$dir/results.txt"
echo "$secs" > "$dir/seconds"
echo "$key" > "$dir/key"
mkdir -p "$CACHE/boots"
rm -rf "$kept"
cp -a "$dir" "$kept"
sed "s/^\([A-Z]*\) /\1 $name.$scenario./" "$dir/results.txt"
