#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kunit.sh [FLAVOUR [BUILD]]: run the KUnit suites built into a patched
# kernel (build.sh: the "test" and "prod" flavours have those that
# drivers/xen/.kunitconfig names, off unless kunit.enable=1) by booting its
# Image under QEMU without Xen, as kunit.py's arm64 QEMU does; one line per
# test case, named kunit[-BASE][-PAGES].SUITE.CASE.  BUILD is the build directory
# (default $BUILD/patched-FLAVOUR); the planted defects use their own.
# The Image is the one that boots as dom0, so the suites test what the
# scenarios boot, with its debug options or without them.
. "$(dirname "$0")/lib.sh"

flavour=${1:-test}
out=${2:-$BUILD/patched-$flavour}
log_file=$RESULTS/kunit$BASE_SUFFIX.log
[ "$flavour" = test ] || log_file=$RESULTS/kunit$BASE_SUFFIX-$flavour.log
prefix=kunit$BASE_SUFFIX
case $flavour in *-16k|*-64k) prefix=$prefix-${flavour##*-} ;; esac
[ -f "$out/Image" ] || die "no $out/Image: run bench/build.sh patched $flavour"
grep -q '^CONFIG_XEN_UNPOPULATED_KUNIT_TEST=y' "$out/.config" ||
	die "$out has no KUnit suites (flavour $flavour)"
mkdir -p "$RESULTS"

# The cortex-a57 of the scenarios (TCG emulates -cpu max's pointer
# authentication slowly); 16 KiB pages need a CPU with that granule.
cpu=cortex-a57
case $flavour in *-16k) cpu=max,pauth-impdef=on ;; esac
rc=0
timeout -k 10 "${KUNIT_TIMEOUT:-300}" qemu-system-aarch64 -nodefaults \
	-machine virt -cpu "$cpu" -smp 2 -m 1024 -display none -serial stdio -no-reboot \
	-kernel "$out/Image" \
	-append "console=ttyAMA0 printk.time=0 log_buf_len=32M kunit.enable=1 kunit_shutdown=poweroff panic=-1" \
	< /dev/null > "$log_file" 2>&1 || rc=$?
tr -d '\r' < "$log_file" > "$log_file.tmp" && mv "$log_file.tmp" "$log_file"

# The KTAP, read by the kunit.py of the kernel that ran.  The kernel
# reports of the run (KASAN, lockdep, WARNING...) fail it as in the boots.
python3 "$BENCH_DIR/tap-results.py" "$SRC/patched/tools/testing/kunit/kunit.py" "$log_file" "$prefix"
bad=$(grep -nE "$KERNEL_REPORTS" "$log_file" | head -1 || true)
# The serial console drops what the log buffer no longer holds when the
# tests log faster than it prints (the generated layouts log ~18000
# lines): a result line may be lost with them.
dropped=$(grep -m1 'printk messages dropped' "$log_file" || true)
if [ -n "$bad" ]; then
	echo "FAIL $prefix.kernel-reports $(echo "$bad" | cut -c1-160)"
elif [ -n "$dropped" ]; then
	echo "FAIL $prefix.completed the console dropped lines ($dropped): results may be missing"
elif [ "$rc" != 0 ] || ! grep -q 'reboot: Power down' "$log_file"; then
	echo "FAIL $prefix.completed QEMU exit $rc, last line: $(grep -v '^$' "$log_file" | tail -1 | cut -c1-160)"
else
	echo "PASS $prefix.completed $(grep -c '^\s*ok ' "$log_file") ok lines, no kernel report"
fi
