# SPDX-License-Identifier: GPL-2.0
# dom0 side of the bench scenarios, sourced by /init.

STATS=/sys/kernel/debug/xen/unpopulated

result() {
	echo "BENCH: RESULT $1 $2 ${3:-}"
}

# Turn the TAP lines on stdin into results named PREFIX.test.
tap_results() {
	local prefix=$1 line name
	while read -r line; do
		echo "$line"
		case "$line" in
		"ok "*"# SKIP"*)
			name=${line#ok * }; result "$prefix.${name%% *}" SKIP "${line#*# SKIP}" ;;
		"ok "*)
			name=${line#ok * }; result "$prefix.$name" PASS ;;
		"not ok "*)
			name=${line#not ok * }; result "$prefix.${name%% *}" FAIL ;;
		esac
	done
}

# selftest PREFIX [env VAR=VALUE...]: run the selftest binary.
selftest() {
	local prefix=$1
	shift
	"$@" /bench/xen_ext_regions 2>&1 | tap_results "$prefix"
}

hyp_reg_hex() {
	od -An -tx1 /proc/device-tree/hypervisor/reg | tr -d ' \n'
}

# Number of reg entries of /hypervisor (2 address and 2 size cells on
# arm64 Xen; the selftest parses the cells properly).
nr_reg() {
	echo $(($(wc -c < /proc/device-tree/hypervisor/reg) / 16))
}

# Every "Xen scratch" range in /proc/iomem must lie inside reg[1..N].
check_iomem() {
	local n=0 bad=0 s e line i rs re ok
	local reg
	reg=$(hyp_reg_hex)
	while read -r line; do
		s=0x${line%%-*}; e=${line#*-}; e=0x${e%% *}
		ok=0
		i=1
		while [ $i -lt "$(nr_reg)" ]; do
			rs=0x$(echo "$reg" | cut -c$((i * 64 + 1))-$((i * 64 + 32)))
			re=$((rs + 0x$(echo "$reg" | cut -c$((i * 64 + 33))-$((i * 64 + 64))) - 1))
			[ $((s)) -ge $((rs)) ] && [ $((e)) -le $((re)) ] && ok=1
			i=$((i + 1))
		done
		n=$((n + 1))
		[ $ok = 1 ] || { bad=$((bad + 1)); echo "# outside the regions: $line"; }
	done <<IOMEM
$(sed -n 's/^ *\([0-9a-f]*-[0-9a-f]*\) : Xen scratch.*/\1 &/p' /proc/iomem)
IOMEM
	echo "# /proc/iomem: $n Xen scratch ranges, $bad outside reg[1..N]"
	if [ "$(nr_reg)" -le 1 ]; then
		[ $n = 0 ] && result iomem-no-scratch PASS || result iomem-no-scratch FAIL "$n ranges without regions"
	else
		[ $bad = 0 ] && result iomem-in-regions PASS "$n ranges" || result iomem-in-regions FAIL "$bad of $n outside"
	fi
}

show_state() {
	echo "# --- $1"
	grep -E 'MemTotal|MemFree' /proc/meminfo | sed 's/^/# /'
	grep -i 'xen' /proc/iomem | sed 's/^/# iomem: /'
	[ -r $STATS ] && sed 's/^/# stats: /' $STATS
	grep -h . /sys/devices/system/xen_memory/xen_memory0/info/current_kb 2>/dev/null | sed 's/^/# balloon current_kb: /'
}

start_xen_tools() {
	xenstored --pid-file /run/xenstored.pid || return 1
	xen-init-dom0 || return 1
	xenconsoled --log=guest --log-dir=/var/log/xen/console || return 1
}

# Wait up to $2 seconds for $1 to appear in the domU console log.
wait_console() {
	local i=0
	while ! grep -q "$1" /var/log/xen/console/guest-domu.log 2>/dev/null; do
		[ $i -ge "$2" ] && return 1
		sleep 1
		i=$((i + 1))
	done
}

run_domu() {
	local domid
	if ! start_xen_tools; then
		result xen-tools FAIL "xenstored/xen-init-dom0/xenconsoled did not start"
		return
	fi
	dd if=/dev/zero of=/tmp/disk.img bs=1M count=8 2>/dev/null
	losetup /dev/loop0 /tmp/disk.img
	if ! xl create /bench/domu.cfg; then
		result domu-create FAIL
		return
	fi
	result domu-create PASS
	domid=$(xl domid domu)
	wait_console "DOMU: done" 300 || echo "# domU did not finish in 300 s"
	sed 's/^/DOMU-CONSOLE: /' /var/log/xen/console/guest-domu.log
	tr -d '\r' < /var/log/xen/console/guest-domu.log | grep -E '^(not )?ok ' | tap_results domu
	grep -q "DOMU: disk ok" /var/log/xen/console/guest-domu.log &&
		result domu-disk PASS || result domu-disk FAIL
	show_state "domU running (blkback and xenconsoled mappings live)"
	check_iomem
	selftest dom0-foreign env XEN_FOREIGN_DOMID="$domid"
	xl destroy domu
	sleep 1
	if xl list | grep -q '^domu '; then
		result domu-destroy FAIL "domu still listed"
	else
		result domu-destroy PASS "d$domid gone"
	fi
	losetup -d /dev/loop0
}

check_kmemleak() {
	local f=/sys/kernel/debug/kmemleak
	[ -w $f ] || { result kmemleak SKIP "no kmemleak"; return; }
	echo scan > $f
	sleep 6
	echo scan > $f
	if [ -s $f ]; then
		cat $f
		result kmemleak FAIL "$(grep -c unreferenced $f) leaks"
	else
		result kmemleak PASS
	fi
}

run_dom0() {
	local scenario=$1 nreg
	echo "# /hypervisor reg: $(hyp_reg_hex)"
	dmesg | grep -iE 'xen[_ ]unpopulated|extended region|xen scratch|ext_regions' | sed 's/^/# dmesg: /'
	nreg=$(nr_reg)
	case $scenario in
	legacy)
		[ "$nreg" = 1 ] && result dt-legacy PASS "reg[0] only" ||
			result dt-legacy FAIL "$((nreg - 1)) extended regions advertised"
		;;
	*)
		[ "$nreg" -gt 1 ] && result dt-regions PASS "$((nreg - 1)) extended regions" ||
			result dt-regions FAIL "no extended region advertised"
		;;
	esac
	show_state "boot"
	selftest dom0
	show_state "after selftest"
	check_iomem
	[ "$scenario" = domu ] && run_domu
	show_state "end"
	check_kmemleak
}
