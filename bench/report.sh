#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print what a person wants to know from the domU scenario of the patched
# kernel: regions advertised and accepted, where mappings landed, RAM, time.
. "$(dirname "$0")/lib.sh"

kind=${1:-patched}
scenario=${2:-domu}
dir=$(result_dir "$kind" "$BASE" "$scenario" "$BASE_FLAVOUR" "$XEN")
log=$dir/console.log
[ -f "$log" ] || die "no $log: run the $scenario scenario first"

section() { printf '\n== %s\n' "$1"; }
# dom0 lines (hvc0 output) and domU lines (the console log dom0 prints)
dom0() { grep -v -e '^(XEN)' -e '^DOMU-CONSOLE: ' "$log"; }
domu() { sed -n 's/^DOMU-CONSOLE: //p' "$log"; }

echo "Xen extended regions report: $kind kernel, Xen $XEN, scenario $scenario ($(date -r "$log" '+%F %T'))"

section "Regions Xen advertised (/proc/device-tree/hypervisor/reg)"
echo "dom0:"
dom0 | grep '^# reg\[' | awk '!seen[$0]++' | sed 's/^# /  /'
echo "domU:"
domu | grep '^# reg\[' | awk '!seen[$0]++' | sed 's/^# /  /'
echo "Xen's own log:"
grep -E '^\(XEN\).*extended region' "$log" | sed 's/^/  /'

section "What the kernels accepted"
echo "dom0:"
dom0 | grep -E '^\[ *[0-9.]+\] (xen:ext_regions: extended region|xen:unpopulated_alloc:)' | sed 's/^\[ *[0-9.]*\] /  /' | sort -u
echo "domU:"
domu | sed -n 's/^DOMU: dmesg: \[ *[0-9.]*\] /  /p' | sort -u

section "Where mappings landed"
echo "dom0 (selftest, pagemap vs. reg):"
dom0 | grep -E '^# (gntdev map|privcmd foreign map|[0-9]+ pages mapped)' | awk '!seen[$0]++' | sed 's/^# /  /'
echo "domU (selftest, pagemap vs. reg):"
domu | grep -E '^# (gntdev map|[0-9]+ pages mapped)' | awk '!seen[$0]++' | sed 's/^# /  /'
echo "dom0 /proc/iomem while the domU ran (blkback, xenconsoled, xl):"
awk '/^# --- domU running/ { on = 1; next } /^# ---/ { on = 0 } on && /iomem:/' "$log" |
	sed 's/^# iomem: /  /'
echo "dom0 allocator state while the domU ran:"
awk '/^# --- domU running/ { on = 1; next } /^# ---/ { on = 0 } on && /stats:/' "$log" |
	sed 's/^# stats: /  /' | grep -vE '^  region:'

section "RAM (dom0)"
awk '/^# --- / { st = $0; sub(/^# --- /, "", st) } /^# Mem(Total|Free)/ { printf "  %-55s %s %s %s\n", st, $2, $3, $4 }' "$log"
echo "domU:"
domu | grep -E '^DOMU: Mem' | sed 's/^DOMU: /  /'

section "Results"
sed 's/^/  /' "$dir/results.txt"
echo "  $(grep -c '^PASS' "$dir/results.txt") passed, $(grep -c '^FAIL' "$dir/results.txt") failed"

section "Time per stage (s)"
sed 's/^/  /' "$CACHE/stage-times" 2>/dev/null
echo "  boot $scenario: $(cat "$dir/seconds") s"
