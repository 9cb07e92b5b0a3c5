# SPDX-License-Identifier: GPL-2.0
# dom0 side of the bench scenarios, sourced by /init.

STATS=/sys/kernel/debug/xen/unpopulated

result() {
	echo "BENCH: RESULT $1 $2 ${3:-}"
}

# Turn the TAP lines on stdin into results named PREFIX.test.
tap_results() {
	local prefix=$1 line name run=unknown
	while read -r line; do
		echo "$line"
		case "$line" in
		"#  RUN "*)
			set -- $line; run=$3 ;;
		"ok "*"# SKIP"*)
			result "$prefix.$run" SKIP "${line#*# SKIP}" ;;
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
	xenconsoled --log=guest --log-dir=/var/log/xen/console --pid-file=/run/xenconsoled.pid || return 1
	sleep 1
	[ -s /run/xenconsoled.pid ] && kill -0 "$(cat /run/xenconsoled.pid)" ||
		{ echo "# xenconsoled is not running"; return 1; }
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
	tr -d '\r' < /var/log/xen/console/guest-domu.log | grep -E '^(not )?ok |^#  RUN ' | tap_results domu
	grep -q "DOMU: disk ok" /var/log/xen/console/guest-domu.log &&
		result domu-disk PASS || result domu-disk FAIL
	show_state "domU running (blkback and xenconsoled mappings live)"
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
	[ "$scenario" = domu ] && run_domu
	show_state "end"
	check_kmemleak
}
