#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kunit.sh: build the KUnit suites of drivers/xen/.kunitconfig for arm64 and
# run them under QEMU (no Xen) with the kernel's own tools/testing/kunit;
# one line per test case.  The kernel is allnoconfig plus config/kunit.config
# plus drivers/xen/.kunitconfig: kunit.py would start from every default of
# arm64 (a third more to build, 8 minutes cold here), which the suites do
# not need.
. "$(dirname "$0")/lib.sh"

src=$SRC/patched
out=$BUILD/kunit
log_file=$RESULTS/kunit.log
mkdir -p "$out" "$RESULTS"

# The whole .config, given to kunit.py as its kunitconfig: kunit.py checks
# that every line of it holds, and rebuilds only when it changes.
frags="$BENCH_DIR/config/kunit.config $src/drivers/xen/.kunitconfig"
cfg=$out/kunitconfig
if ! cat $frags "$0" | cmp -s - "$out/fragments"; then
	make -s -C "$src" O="$out/config" allnoconfig > /dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out/config" "$out/config/.config" $frags \
		> "$out/merge.log" 2>&1
	make -s -C "$src" O="$out/config" olddefconfig > /dev/null
	cat $frags | grep '^CONFIG_' | while read -r l; do
		grep -qx "$l" "$out/config/.config" || die "$l dropped from the KUnit config"
	done
	# With its "is not set" lines: what a kunitconfig leaves out,
	# olddefconfig sets to its default.
	grep -E '^(CONFIG_|# CONFIG_[A-Z0-9_]* is not set)' "$out/config/.config" > "$cfg"
	cat $frags "$0" > "$out/fragments"
fi

rc=0
(cd "$src" && python3 tools/testing/kunit/kunit.py run --arch=arm64 \
	--cross_compile="$CROSS_COMPILE" --make_options "CC=ccache ${CROSS_COMPILE}gcc" \
	--kunitconfig="$cfg" --build_dir="$out" --jobs="$JOBS" --timeout="${KUNIT_TIMEOUT:-600}" \
	--raw_output=kunit) > "$log_file" 2>&1 || rc=$?

# KTAP: a "# Subtest: name" opens a level, "ok N name" closes a case;
# parameterised cases report each parameter one level deeper.
python3 - "$log_file" <<'PY'
import re, sys
stack = []
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"^(\s*)# Subtest: (\S+)", line)
    if m:
        # "# Subtest: x" is indented like the results it contains.
        depth = len(m.group(1)) // 4
        del stack[max(depth - 1, 0):]
        stack.append(m.group(2))
        continue
    m = re.match(r"^(\s*)(not ok|ok) \d+ (.*?)(\s+#\s*(SKIP|skip).*)?$", line)
    if not m:
        continue
    depth = len(m.group(1)) // 4
    if depth == 0:
        continue
    res = "SKIP" if m.group(4) else ("PASS" if m.group(2) == "ok" else "FAIL")
    name = ".".join(stack[:depth] + [m.group(3).strip()])
    print(f"{res} kunit.{name}")
PY
[ "$rc" = 0 ] || { tail -20 "$log_file" | sed 's/^/  /' >&2; echo "FAIL kunit.run (kunit.py exit $rc, log $log_file)"; }
