# SPDX-License-Identifier: GPL-2.0
# dom0 side of the bench scenarios, sourced by /init.

STATS=/sys/kernel/debug/xen/unpopulated

# Let the allocator give wholly free chunks back now (the unpatched kernel
# has no such file).
give_back() {
	[ ! -w $STATS ] || echo 1 > $STATS
}

result() {
	echo "BENCH: RESULT $1 $2 ${3:-}"
}

# Print the TAP on stdin from its first "TAP version" line for the host,
# each line marked with PREFIX, the name its results get: the host reads
# it with the kernel's own parser (bench/tap-results.py --marked), as it
# reads KUnit's KTAP.  The "# exit: N" of a test that printed no TAP at
# all goes too: the host fails it.
tap_out() {
	sed -n -e "/TAP version/,\$ {s/^/BENCH: TAP $1: /p;d;}" -e "/^# exit: /s/^/BENCH: TAP $1: /p"
}

# selftest PREFIX [env VAR=VALUE...]: run the selftest binary.
# selftest PREFIX [-t TEST]... CMD...: the selftest under CMD (env ...),
# all of its tests or only those named (the harness's -t).
selftest() {
	local prefix=$1 only=
	shift
	while [ "$1" = -t ]; do
		only="$only -t $2"
		shift 2
	done
	# The fault-injection test runs on its own (run_faults).
	[ -n "$only" ] || only="-T fault_injection"
	# shellcheck disable=SC2086 # the -t options are words
	{ "$@" /bench/xen_ext_regions $only 2>&1; echo "# exit: $?"; } | tap_out "$prefix"
}

# The probabilities (percent) and seconds of the fault-injection runs.
FAULT_PERCENTS="5 30 100"
FAULT_SECONDS=3

# run_faults PREFIX [VAR=VALUE...]: the selftest's fault_injection test
# at each probability, where the kernel has fault injection (the debug
# kernels); the results are PREFIX-faultsN.fault_injection.
run_faults() {
	local prefix=$1 p
	shift
	[ -d /sys/kernel/debug/failslab ] || return 0
	for p in $FAULT_PERCENTS; do
		selftest "$prefix-faults$p" -t fault_injection env XEN_FAULT_SECONDS=$FAULT_SECONDS \
			XEN_FAULT_PROBABILITY="$p" "$@"
	done
}

hyp_reg_hex() {
	od -An -tx1 -v /proc/device-tree/hypervisor/reg | tr -d ' \n'
}

# Number of reg entries of /hypervisor (2 address and 2 size cells on
# arm64 Xen; the selftest parses the cells properly).
nr_reg() {
	echo $(($(wc -c < /proc/device-tree/hypervisor/reg) / 16))
}

# Bytes of the "Xen scratch" entries of /proc/iomem.
scratch_bytes() {
	local r s e total=0
	for r in $(sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : Xen scratch$/\1-\2/p' /proc/iomem); do
		s=${r%-*}
		e=${r#*-}
		total=$((total + 0x$e - 0x$s + 1))
	done
	echo $total
}

# meminfo_kb FIELD: a /proc/meminfo field, in kB.
meminfo_kb() {
	sed -n "s/^$1: *\([0-9]*\).*/\1/p" /proc/meminfo
}

# The kernel's page size in kB.
page_kb() {
	awk '/^KernelPageSize:/ { print $2; exit }' /proc/self/smaps
}

# The granule in which the allocator maps space, in bytes; the base kernel
# has none: 2 MiB, Xen's own rounding of the regions.
granule_bytes() {
	local g
	g=$(sed -n 's/^granule_bytes: //p' $STATS 2>/dev/null)
	echo "${g:-$((0x200000))}"
}

# advertised_pages [ALIGN [PLUGGABLE]]: kernel pages in the parts of
# reg[1..N] aligned to ALIGN bytes (default 2 MiB).  With PLUGGABLE, a
# region the kernel logged as outside the hotpluggable range counts for what
# it kept of it: arm64 hot-plugs only what its linear map can cover, which
# starts at dom0's first RAM rounded down to 1 GiB with 4 and 16 KiB pages,
# 512 MiB with 64 KiB pages (ARM64_MEMSTART_ALIGN).
advertised_pages() {
	local hex i s e total=0 a=${1:-$((0x200000))} page=$(($(page_kb) * 1024)) line
	hex=$(hyp_reg_hex)
	i=1
	while [ $i -lt "$(nr_reg)" ]; do
		s=$((0x$(echo "$hex" | cut -c$((i * 32 + 1))-$((i * 32 + 16)))))
		e=$((s + 0x$(echo "$hex" | cut -c$((i * 32 + 17))-$((i * 32 + 32)))))
		s=$(((s + a - 1) / a * a))
		e=$((e / a * a))
		line=$(dmesg | grep "xen: extended region $i: .*outside the hotpluggable range" || true)
		if [ -n "${2:-}" ] && [ -n "$line" ]; then
			case $line in
			*"rejected,"*) e=$s ;;
			*"trimmed to "*)
				e=$((s + $(echo "$line" | sed 's/.*trimmed to \([0-9]*\) MiB.*/\1/') * 0x100000)) ;;
			esac
		fi
		[ $e -gt $s ] && total=$((total + (e - s) / page))
		i=$((i + 1))
	done
	echo $total
}

BENCH_RUN=/sys/kernel/debug/xen_upop_bench/run
bench_cmd() {
	echo "$*" > $BENCH_RUN
	cat $BENCH_RUN
}

# Free what the module holds and let the allocator give chunks back.
bench_free() {
	bench_cmd free > /dev/null
	give_back
	sleep 2
}

field() {
	echo "$2" | sed -n "s/.* $1=\([-0-9]*\).*/\1/p"
}

figure() {
	echo "BENCH: FIGURE $*"
}

# per_page NS PAGES: nanoseconds per page, to a hundredth.
per_page() {
	awk -v ns="$1" -v n="$2" 'BEGIN { printf "%.2f", ns / n }'
}

# gate NAME CONDITION DETAIL: a result from a figure; issue 3's bounds hold
# for the default (modern) layout only, the others are measured.
gate() {
	[ "$FIGURES_GATED" = 1 ] || return 0
	if [ "$2" = 1 ]; then result "figures.$1" PASS "$3"; else result "figures.$1" FAIL "$3"; fi
}

# bench_module CHECK: load the measuring module, or fail CHECK.
bench_module() {
	local r
	r=$(insmod /bench/xen_upop_bench.ko 2>&1) && return
	result "$1" FAIL "insmod: $r; $(dmesg | tail -1)"
	return 1
}

# Issue 3's figures, measured in the kernel by the module, side by side.
run_figures() {
	local m0 r adv usable i lo pkb lim
	bench_module figures || return 0
	pkb=$(page_kb)
	# What Xen advertises, 2 MiB aligned, and what the granule and the
	# hotpluggable range leave of it.
	adv=$(advertised_pages)
	usable=$(advertised_pages "$(granule_bytes)" pluggable)
	figure page_kb "$pkb"
	figure granule_kb $(($(granule_bytes) / 1024))
	figure advertised_pages $adv
	figure granule_pages $usable
	m0=$(meminfo_kb MemFree)
	# One page that maps a new chunk, then freed and given back, measured
	# in the kernel; the base maps a section the first time and keeps it.
	local costs="" afters="" s0 f0
	# The first allocation of the boot, held: the RAM it cost, and the
	# space it gave struct pages as /proc/iomem shows it.
	s0=$(scratch_bytes)
	f0=$(field free_kb "$(bench_cmd ram)")
	r=$(bench_cmd cost 1)
	echo "# first allocation of the boot: $r"
	figure first_alloc_ram_kb "$(field alloc_kb "$r")"
	figure first_alloc_mapped_kb $((($(scratch_bytes) - s0) / 1024)) "$r"
	costs="$(field alloc_kb "$r")"
	bench_free
	# Across a 2 s give-back wait other work moves RAM too: a figure for
	# the bench, not part of the gate below.
	figure after_free_ram_kb $((f0 - $(field free_kb "$(bench_cmd ram)")))
	for i in 2 3 4 5; do
		r=$(bench_cmd cost)
		echo "# one page, round $i: $r"
		figure first_alloc_ram_kb "$(field alloc_kb "$r")"
		figure after_free_ram_kb "$(field after_kb "$r")"
		costs="$costs $(field alloc_kb "$r")"
		afters="$afters $(field after_kb "$r")"
	done
	# The issue's bounds: the first allocation costs at most 64 kB, and
	# no round leaves more than 64 kB behind once freed and given back.
	# With larger pages the floor is a few pages: the granule's memmap (one
	# vmemmap page), the free stack (one page), a slab page for the chunk,
	# at times a page table of the vmemmap; 6 pages is the bound.
	# Every round maps a fresh chunk (the last one was given back): the
	# cheapest round is what a chunk costs, and must hold.  A round in
	# which a cache shared with the rest of the kernel grows by a slab
	# costs 4 to 32 kB more on these debug kernels, and 3 of 5 rounds did
	# once (72 52 52 84 68 kB, against 52 usually): the median is held to
	# twice the bound.  The first round is the boot's first allocation,
	# where the base spends 2 MiB (then nothing: it keeps the section).
	lim=$((6 * pkb > 64 ? 6 * pkb : 64))
	set -- $costs
	i=$(echo "$costs" | tr ' ' '\n' | grep . | sort -n | sed -n 3p)
	lo=$(echo "$costs" | tr ' ' '\n' | grep . | sort -n | head -1)
	gate first_page_ram "$([ "$lo" -le $lim ] && [ "$i" -le $((2 * lim)) ] &&
		[ "$1" -le $((2 * lim)) ] && echo 1)" \
		"least $lo kB, median $i kB, first $1 kB, bound $lim kB (rounds: $costs)"
	i=$(echo "$afters" | tr ' ' '\n' | grep . | sort -n | sed -n 2p)
	gate after_free_ram "$([ "$i" -le $lim ] && echo 1)" "median $i kB, bound $lim kB (rounds:$afters)"

	# Ballooning 1200 MiB out of a 512 MiB dom0 would only test the OOM killer.
	if [ "$adv" -gt 0 ]; then
		# All from the regions, or the balloon for what they lack (64 KiB
		# pages: region 1 lies below the linear map).
		i=$((1200 * 1024 / pkb - usable))
		[ $i -gt 0 ] || i=0
		r=$(bench_cmd alloc $((1200 * 1024 / pkb)))
		echo "# 1200 MiB: $r"
		figure alloc_1200mib_err "$(field err "$r")"
		figure alloc_1200mib_ram_pages "$(field ram "$r")"
		gate alloc_1200mib "$([ "$(field err "$r")" = 0 ] && [ "$(field ram "$r")" = $i ] && echo 1)" \
			"$r, $i pages expected from the balloon"
		bench_free
	fi

	# Long runs (100 to 400 ms each under TCG, far above a timer tick)
	# after one warm-up, so that TCG's translation and the first chunk's
	# mapping are not measured; the report takes the median of the rounds.
	# Only the bench kernels are timed: the debug options of the others
	# would be what is measured (11 s of a check boot, for no result).
	local k=10 rounds=9 n
	if grep -q bench.flavour=bench /proc/cmdline; then
		bench_cmd steady 64 $((200 * k)) > /dev/null
	else
		rounds=0
	fi
	for i in $(seq $rounds); do
		for b in 1 64 4096; do
			n=$((k * 200000 / (b < 64 ? 10 : b)))
			r=$(bench_cmd steady $b $n)
			figure steady${b}_ns_per_page "$(per_page "$(field ns "$r")" $((n * b)))" "$r"
		done
		# Threads at once, each 64-page batches: wall time per page of all.
		for t in 1 2 4; do
			r=$(bench_cmd threads $t 64 $((200 * k)))
			figure threads${t}_ns_per_page "$(per_page "$(field ns "$r")" $((t * 200 * k * 64)))" "$r"
		done
	done
	# One page at a time while 1200 MiB of idle chunks are given back
	# (patched; the base keeps its sections): the longest alloc+free, and
	# what was unmapped meanwhile (/proc/iomem Xen scratch).  Only where
	# the regions hold it all: the balloon's share would not be given back.
	if [ "$rounds" -gt 0 ] && [ $((1200 * 1024 / pkb)) -le "$usable" ]; then
		local s1
		# The same probe with nothing to give back, on both kernels:
		# what the host and the scheduler cost it alone (the patched
		# kernel first gives back what the rounds left).
		give_back
		r=$(bench_cmd stall 1 4000)
		[ "$(field err "$r")" != 0 ] ||
			figure probe_worst_us $(($(field worst_ns "$r") / 1000)) "$r"
		s1=$(scratch_bytes)
		r=$(bench_cmd stall $((1200 * 1024 / pkb)) 4000)
		echo "# give-back stall: $r"
		figure giveback_stall_err "$(field err "$r")"
		# A run that never got its 1200 MiB (the base: -EBUSY) timed
		# nothing and gave nothing back: no figure, not a zero.
		if [ "$(field err "$r")" = 0 ]; then
			figure giveback_stall_worst_us $(($(field worst_ns "$r") / 1000)) "$r"
			figure giveback_stall_over_1ms "$(field over_1ms "$r")"
			figure giveback_unmapped_kb $((1200 * 1024 - ($(scratch_bytes) - s1) / 1024))
		fi
		bench_free
	fi

	if [ "$adv" -gt 0 ]; then
		# 2 MiB a step, up to 2 MiB past the end.
		r=$(bench_cmd capacity $((2048 / pkb)) $((adv + 2048 / pkb)))
		echo "# capacity: $r"
		figure usable_pages "$(field device "$r")"
		figure usable_permille $(($(field device "$r") * 1000 / adv))
		gate usable_share "$([ "$(field device "$r")" = "$usable" ] && echo 1)" \
			"$(field device "$r") of $usable pages in granules ($adv pages 2 MiB aligned)"
		bench_free
	fi

	r=$(bench_cmd alloc $((usable + 65536 / pkb)))
	echo "# usable + 64 MiB: $r"
	figure past_end_err "$(field err "$r")"
	figure past_end_ram_pages "$(field ram "$r")"
	gate past_end "$([ "$(field err "$r")" = 0 ] && [ "$(field ram "$r")" = $((65536 / pkb)) ] && echo 1)" "$r"
	bench_free
	figure end_ram_kb $((m0 - $(meminfo_kb MemFree)))
	show_state "after figures"
}

# Scenario legacy: a burst of grant pages on a guest with no extended
# region, which the balloon takes from RAM (MemTotal drops: the balloon
# takes ballooned pages off the managed count), while another mapping
# comes and goes (its free wakes the balloon thread, which then finds
# nothing to populate).  Freed, the burst must be RAM again within
# BURST_SECONDS: the thread, having found no memory to hotplug either,
# slept for an hour through the free.
# Memory the balloon hotplugs meanwhile (the unpatched kernel, which still
# has XEN_BALLOON_MEMORY_HOTPLUG on Arm) is printed; arm64's warning about
# where it lies is the kernel report the host looks for (fix.*).
BURST_KB=32768
BURST_SECONDS=10
run_burst() {
	local a s n r t0 t1 t i ram0 hot
	ram0=$(grep ' : System RAM$' /proc/iomem)
	bench_module burst || return 0
	t0=$(meminfo_kb MemTotal)
	n=$((BURST_KB / $(page_kb)))
	a=$(bench_cmd alloc $n)
	echo "# burst of $BURST_KB kB: $a"
	s=$(bench_cmd steady 1 1)
	# The thread has run once the page is RAM again; it then gives up
	# at once (no page left, no hotplug).  The unpatched kernel's
	# hotplug may have refilled the burst's RAM meanwhile.
	for i in $(seq 10); do
		t1=$(meminfo_kb MemTotal)
		[ "$t1" -ne $((t0 - BURST_KB)) ] || break
		sleep 0.5
	done
	sleep 1
	t1=$(meminfo_kb MemTotal)
	bench_cmd free > /dev/null
	for i in $(seq 0 $((BURST_SECONDS * 2))); do
		t=$(meminfo_kb MemTotal)
		[ "$t" -lt "$t0" ] || break
		sleep 0.5
	done
	rmmod xen_upop_bench
	hot=$(grep ' : System RAM$' /proc/iomem | while read -r r; do
		case $ram0 in *"$r"*) ;; *) printf '%s; ' "$r" ;; esac
	done)
	figure burst_memtotal_drop_kb $((t0 - t1))
	figure burst_short_after_free_kb $((t0 - t))
	r="MemTotal $t0 kB, $t1 kB during the burst, $t kB after the free; hotplugged: ${hot:-none}"
	if [ "$(field err "$a")" != 0 ] || [ "$(field ram "$a")" != $n ] ||
	   [ "${s#ok }" = "$s" ]; then
		result burst FAIL "not all from the balloon, or a failed call: $a; $s"
	elif [ "$t1" -ne $((t0 - BURST_KB)) ] && [ -z "$hot" ]; then
		result burst FAIL "the balloon thread did not run during the burst: $r"
	elif [ "$t" -ge "$t0" ]; then
		result burst PASS "RAM back $((i / 2)).$((i % 2 * 5)) s after the free: $r"
	else
		result burst FAIL "$((t0 - t)) kB short $BURST_SECONDS s after the free: $r"
	fi
}

# Scenario legacy: mappings that come and go with pauses between, as a
# backend's do.  Each free refills the balloon; the next allocation must
# take its pages back from there, not from the guest's RAM again after
# the balloon thread populated them in the pause: that costs two
# hypercalls and the page allocator per mapping (make bench: 0.1x of the
# unpatched kernel).  The first allocation takes RAM, and the thread may
# populate what waits in the balloon once per schedule_delay (1 s): one
# more per second the loop took, and one for the second it ends in.  The
# RAM must then be back, as in burst.
CHURN_ITERS=50
run_churn() {
	local a n t0 t i max
	bench_module churn || return 0
	t0=$(meminfo_kb MemTotal)
	a=$(bench_cmd churn 64 $CHURN_ITERS)
	rmmod xen_upop_bench
	for i in $(seq 0 $((BURST_SECONDS * 2))); do
		t=$(meminfo_kb MemTotal)
		[ "$t" -lt "$t0" ] || break
		sleep 0.5
	done
	n=$(field from_ram "$a")
	max=$(($(field ms "$a") / 1000 + 2))
	figure churn_from_ram "$n"
	if [ "$(field err "$a")" != 0 ] || [ "$(field iters "$a")" != $CHURN_ITERS ]; then
		result churn FAIL "a failed call: $a"
	elif [ "$n" -gt "$max" ]; then
		result churn FAIL "$n of $CHURN_ITERS allocations took RAM (at most $max): $a"
	elif [ "$t" -lt "$t0" ]; then
		result churn FAIL "$((t0 - t)) kB short $BURST_SECONDS s after: $a"
	else
		result churn PASS "$n of $CHURN_ITERS allocations took RAM (at most $max), RAM back $((i / 2)).$((i % 2 * 5)) s after: $a"
	fi
}

show_state() {
	echo "# --- $1"
	echo "# uptime: $(cut -d' ' -f1 /proc/uptime) s"
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

# Wait up to $3 seconds for $2 in the console log of domain $1.
wait_console_of() {
	local i=0
	while ! grep -q "$2" "/var/log/xen/console/guest-$1.log" 2> /dev/null; do
		[ $i -ge "$3" ] && return 1
		sleep 1
		i=$((i + 1))
	done
}

run_domu() {
	local domid refs
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
	if wait_console_of domu "DOMU: grants published" 300; then
		refs=$(xenstore-read "/local/domain/$domid/data/grant-refs")
		show_state "domU running (blkback and xenconsoled mappings live)"
		# Cross-domain grants, foreign and resource maps of the domU, and
		# where they and blkback's persistent grants landed; the tests
		# that need no other domain ran in dom0's own pass.
		selftest dom0-foreign -t dt_regions -t iomem_placement -t foreign_map \
			-t mmap_resource -t grant_map_peer -t grant_map_rate \
			env XEN_FOREIGN_DOMID="$domid" XEN_PEER_DOMID="$domid" XEN_PEER_REFS="$refs" \
			XEN_RATE_REPS="$(grep -q bench.flavour=bench /proc/cmdline && echo 5 || echo 1)"
		run_faults dom0-foreign XEN_FOREIGN_DOMID="$domid"
		xenstore-write "/local/domain/$domid/data/grant-done" 1
	else
		echo "# domU did not publish its grants in 300 s"
	fi
	wait_console_of domu "DOMU: done" 120 || echo "# domU did not finish"
	sed 's/^/DOMU-CONSOLE: /' /var/log/xen/console/guest-domu.log
	tr -d '\r' < /var/log/xen/console/guest-domu.log | tap_out domu
	grep -q "DOMU: disk ok" /var/log/xen/console/guest-domu.log &&
		result domu-disk PASS || result domu-disk FAIL
	grep -q "DOMU: peer-check ok" /var/log/xen/console/guest-domu.log &&
		result domu-peer-check PASS "dom0's writes seen by the granting domU" ||
		result domu-peer-check FAIL "$(grep 'DOMU: peer-check' /var/log/xen/console/guest-domu.log)"
	xl destroy domu
	sleep 1
	if xl list | grep -q '^domu '; then
		result domu-destroy FAIL "domu still listed"
	else
		result domu-destroy PASS "d$domid gone"
	fi
	losetup -d /dev/loop0
}

# upop_stat NAME: a field of the allocator's debugfs file.
upop_stat() {
	sed -n "s/^$1: //p" $STATS
}

balloon_kb() {
	cat /sys/devices/system/xen_memory/xen_memory0/info/current_kb 2> /dev/null
}

# x86 PV and PVH dom0 (scenarios x86-pv, x86-pvh): arch/x86/xen/enlighten.c
# hands the allocator the pages of Xen's extra memory (a PV dom0's
# dom0_mem=...,max:..., a PVH dom0's unpopulated memory map), which have
# struct pages of RAM and no frame behind them, before the balloon starts.
# They must be handed out first, taken back on free and never ballooned,
# as mainline does; past them come chunks of free iomem space, which x86
# keeps mapped.
run_x86() {
	local seeds free0 held bal0 cur0 more=1024 r ram dev scratch type want=0 maps
	dmesg | grep -E 'xen:unpopulated_alloc|xen:balloon|extra' | sed 's/^/# dmesg: /'
	show_state "boot"
	type=$(cat /sys/hypervisor/guest_type)
	seeds=$(upop_stat seeded_pages)
	free0=$(upop_stat seeded_pages_free)
	held=$((${seeds:-0} - ${free0:-0}))
	bal0=$(upop_stat balloon_pages_total)
	cur0=$(balloon_kb)
	# A PVH dom0 maps its grant table into unpopulated pages at boot
	# (xen_pvh_gnttab_setup(): gnttab_max_frames, 64 in scenario x86-pvh),
	# a PV one into none.
	[ "$type" = PVH ] && want=64
	if [ "${seeds:-0}" -gt 0 ] && [ "$held" = "$want" ] &&
	   [ "$(upop_stat pages_in_use)" = "$held" ]; then
		result x86.seeded PASS "$type dom0: $seeds pages of xen_extra_mem, $held of them in use at boot"
	else
		result x86.seeded FAIL "$type dom0: seeded_pages=${seeds:-none} seeded_pages_free=${free0:-none} pages_in_use=$(upop_stat pages_in_use)"
		return
	fi
	bench_module x86.seeds-first || return 0
	r=$(bench_cmd alloc $((free0 + more)))
	echo "# alloc $((free0 + more)): $r"
	show_state "seeds and $more more in use"
	# The struct page tells RAM from ZONE_DEVICE (xen_upop_bench): the RAM
	# pages handed out must be the seeds, and none may come from the
	# balloon, whose reservation must not move.
	ram=$(field ram "$r")
	dev=$(field device "$r")
	if [ "$ram" = "$free0" ] && [ "$dev" = "$more" ] &&
	   [ "$(upop_stat seeded_pages_free)" = 0 ] &&
	   [ "$(upop_stat balloon_pages_total)" = "$bal0" ] &&
	   [ "$(balloon_kb)" = "$cur0" ] && [ "$(scratch_bytes)" -gt 0 ]; then
		result x86.seeds-first PASS "$ram seeded pages, then $dev in Xen scratch ($(scratch_bytes) bytes); balloon untouched"
	else
		result x86.seeds-first FAIL "ram=$ram (free seeds $free0) device=$dev (want $more) seeds free $(upop_stat seeded_pages_free) balloon pages $(upop_stat balloon_pages_total) (was $bal0) current_kb $(balloon_kb) (was $cur0)"
	fi
	scratch=$(scratch_bytes)
	bench_free
	show_state "after free and give-back"
	# Chunks stay mapped on x86 (no give-back: x86 memory hot-remove would
	# leave the linear map's page tables read-only to the PV MMU).
	if [ "$(upop_stat seeded_pages_free)" = "$free0" ] &&
	   [ "$(upop_stat pages_in_use)" = "$held" ] && [ "$(scratch_bytes)" = "$scratch" ] &&
	   [ "$(upop_stat reclaimed_chunks)" = 0 ] &&
	   [ "$(upop_stat balloon_pages_total)" = "$bal0" ] && [ "$(balloon_kb)" = "$cur0" ]; then
		result x86.seeds-back PASS "$free0 seeds free again, the chunk kept mapped ($scratch bytes), balloon at $cur0 kB"
	else
		result x86.seeds-back FAIL "seeds free $(upop_stat seeded_pages_free) of $free0, in use $(upop_stat pages_in_use), scratch $(scratch_bytes) bytes (was $scratch), reclaimed $(upop_stat reclaimed_chunks), balloon pages $(upop_stat balloon_pages_total), current_kb $(balloon_kb) (was $cur0)"
	fi
	rmmod xen_upop_bench
	# gntdev and privcmd through the same allocator; no device tree here.
	# A PVH dom0 that maps its own grant through gntdev reads other data
	# than the granted page's and oopses when the mapping goes, unpatched
	# 7.3.4 as well (doc/testing.md): not run there.
	maps="-t grant_map_1 -t grant_map_256"
	if [ "$type" = PVH ]; then
		maps=
		for r in grant_map_1 grant_map_256; do
			result dom0.global.$r SKIP "a PVH dom0's gntdev map of its own grant fails, unpatched too"
		done
	fi
	# shellcheck disable=SC2086 # the -t options are words
	/bench/xen_ext_regions $maps -t mmap_resource \
		-t bad_input_gntdev -t bad_input_gntalloc -t bad_input_privcmd 2>&1 |
		tap_out dom0
	[ "$(upop_stat seeded_pages_free)" = "$free0" ] &&
		result x86.seeds-after-selftest PASS "$free0 free" ||
		result x86.seeds-after-selftest FAIL "$(upop_stat seeded_pages_free) of $free0 seeds free"
	show_state "end"
}

check_kmemleak() {
	local f=/sys/kernel/debug/kmemleak
	local wait leaks
	[ -w $f ] || { result kmemleak SKIP "no kmemleak"; return; }
	# kmemleak reports what two scans found unreferenced, unchanged, and
	# older than 5 s at the second: that one starts 6 s after the first
	# started (a scan takes 3 to 5 s with KASAN).
	wait=$(cut -d. -f1 /proc/uptime)
	echo scan > $f
	wait=$((wait + 6 - $(cut -d. -f1 /proc/uptime)))
	[ $wait -gt 0 ] && sleep $wait
	echo scan > $f
	# Read, not tested with -s: a debugfs file's size is always 0.
	leaks=$(cat $f)
	if [ -n "$leaks" ]; then
		echo "$leaks"
		result kmemleak FAIL "$(echo "$leaks" | grep -c unreferenced) leaks"
	else
		result kmemleak PASS
	fi
}

# run_dom0 SCENARIO: what bench/scenarios/SCENARIO says dom0 checks
# (bench.regions and bench.checks on its command line, from scenario.sh).
run_dom0() {
	local scenario=$1 nreg regions checks c
	regions=$(sed -n 's/.*bench\.regions=\([a-z]*\).*/\1/p' /proc/cmdline)
	checks=$(sed -n 's/.*bench\.checks=\([a-z0-9,-]*\).*/\1/p' /proc/cmdline | tr , ' ')
	[ -n "$checks" ] || { result checks FAIL "no bench.checks= on the command line"; return; }
	# The x86 dom0 has checks of its own, and no device tree.
	case $checks in
	x86) run_x86; return ;;
	esac
	# Benchmark boots measure; the bad-input tests would oops the base.
	if grep -q bench.flavour=bench /proc/cmdline; then
		export XEN_BAD_INPUT=0 XEN_STRESS_SECONDS=0
	fi
	echo "# /hypervisor reg: $(hyp_reg_hex)"
	dmesg | grep -iE 'xen[_ ]unpopulated|unpopulated_alloc|extended region|xen scratch|ext_regions' | sed 's/^/# dmesg: /'
	nreg=$(nr_reg)
	case $regions in
	no)
		[ "$nreg" = 1 ] && result dt-legacy PASS "reg[0] only" ||
			result dt-legacy FAIL "$((nreg - 1)) extended regions advertised"
		;;
	yes)
		[ "$nreg" -gt 1 ] && result dt-regions PASS "$((nreg - 1)) extended regions" ||
			result dt-regions FAIL "no extended region advertised"
		;;
	*)	result checks FAIL "bench.regions=$regions (yes, no)" ;;
	esac
	show_state "boot"
	for c in $checks; do
		case $c in
		# The figures: in the default layout always (gated), in the
		# others when the bench kernels are measured.
		figures) FIGURES_GATED=1 run_figures ;;
		bench-figures) grep -q bench.flavour=bench /proc/cmdline && run_figures ;;
		# Not in the benchmark's boots: the unpatched kernel's hotplug
		# would leave its balloon changed for the figures.
		burst) grep -q bench.flavour=bench /proc/cmdline || run_burst ;;
		churn) grep -q bench.flavour=bench /proc/cmdline || run_churn ;;
		selftest) selftest dom0 ;;
		faults) run_faults dom0; show_state "after selftest" ;;
		domu) run_domu ;;
		busy) BUSY_REGIONS=$regions run_busy ;;
		dom0less) run_dom0less ;;
		*) result checks FAIL "unknown check $c" ;;
		esac
	done
	show_state "end"
	check_kmemleak
}

# Scenario busy (busy-balloon: the same on a Xen that advertises no
# region): a domU with BUSY_DISKS PV disks and a vif on a bridge of dom0,
# created and destroyed BUSY_CYCLES times in one boot.  The first cycle is
# the load: every disk written and read back with checksums and data sent
# both ways over the vif for BUSY_LOAD_SECONDS, while dom0's memory is
# sampled every second; the others load for BUSY_CHURN_SECONDS.  After each
# destroy the figures of dom0 must be back at their baseline.
BUSY_DISKS=8
BUSY_CYCLES=10
BUSY_LOAD_SECONDS=20
BUSY_CHURN_SECONDS=2
# MiB sent each way over the vif in each cycle.
BUSY_NET_MIB=4

# The active grant entries of every domain, as Xen dumps them (debug key
# g): none once every domU is gone.
grants_in_use() {
	xl dmesg -c > /dev/null
	xl debug-keys g
	sleep 0.5
	xl dmesg -c | grep -cE '^\(XEN\) \[0x[0-9a-f]+\]' || true
}

# busy_state: dom0's figures on one line of NAME=VALUE ("field" reads
# them); -1 where the kernel has no such counter (the unpatched one).
busy_state() {
	local in_use chunks ballooned
	in_use=$(upop_stat pages_in_use 2> /dev/null)
	chunks=$(upop_stat chunks 2> /dev/null)
	ballooned=$(upop_stat balloon_pages_in_use 2> /dev/null)
	echo " in_use=${in_use:--1} balloon_in_use=${ballooned:--1} balloon_kb=$(balloon_kb) chunks=${chunks:--1}" \
		"scratch_kb=$(($(scratch_bytes) / 1024)) memfree_kb=$(meminfo_kb MemFree)" \
		"memtotal_kb=$(meminfo_kb MemTotal)"
}

# Every second until /tmp/busy.stop: dom0's memory over time, for the plot.
busy_sampler() {
	local t0=$1 s
	while [ ! -e /tmp/busy.stop ]; do
		s="t=$(awk -v t0="$t0" '{ printf "%.1f", $1 - t0 }' /proc/uptime)$(busy_state)"
		echo "BENCH: SAMPLE $s"
		echo "$s" >> /tmp/busy.samples
		sleep 1
	done
}

# busy_cycle N SECONDS: one domU, loaded for SECONDS; its results are
# busy.cycleN.* (the load's, of cycle 1, busy.*).
busy_cycle() {
	local c=$1 secs=$2 name=busy$1 log=/var/log/xen/console/guest-busy$1.log
	local domid pfx=busy.cycle$1 s0 s1 i d sum want up bad=
	[ "$c" = 1 ] && pfx=busy
	rm -f /tmp/net.up.rx
	if ! xl create /tmp/busy.cfg "name=\"$name\"" \
		"extra=\"console=hvc0 rdinit=/init bench.role=busy bench.disks=$BUSY_DISKS bench.load_seconds=$secs bench.net_mib=$BUSY_NET_MIB bench.cycle=$c\""; then
		result "$pfx.create" FAIL
		return 1
	fi
	domid=$(xl domid "$name")
	if ! wait_console_of "$name" "BUSY: disks-ready" 300; then
		result "$pfx.disks-ready" FAIL "$(tail -3 "$log" | tr '\n' ' ')"
		xl destroy "$name"
		return 1
	fi
	# What attaching the vif costs dom0: netback's pages (MAX_PENDING_REQS
	# per queue, gnttab_alloc_pages()) and its rings.
	s0=$(busy_state)
	xl network-attach "$name" bridge=xenbr0 || result "$pfx.vif" FAIL "xl network-attach failed"
	if [ "$c" = 1 ]; then
		: > /tmp/busy.samples
		rm -f /tmp/busy.stop
		busy_sampler "$(cut -d' ' -f1 /proc/uptime)" &
	fi
	wait_console_of "$name" "BUSY: net-ready" 120 || echo "# $name: no net-ready"
	s1=$(busy_state)
	echo "# vif attached: before$s0"
	echo "# vif attached: after $s1"
	[ "$c" = 1 ] && busy_vif_pages "$domid" "$s0" "$s1"
	# Go (busy-domu): the disks' load and, over HTTP, the domU's file
	# fetched by dom0 while the domU fetches dom0's.
	xenstore-write "/local/domain/$domid/data/load" 1
	timeout $((secs + 300)) wget -q -O /tmp/net.up.rx http://10.0.0.2:8080/net.up 2> /tmp/net.err &
	up=$!
	wait_console_of "$name" "BUSY: done" $((secs + 300)) || result "$pfx.done" FAIL "no end in $((secs + 300)) s"
	touch /tmp/busy.stop
	wait $up 2> /dev/null
	tr -d '\r' < "$log" | grep '^BUSY: ' | sed "s/^/# $name: /"
	# The disks as dom0 sees them, against what the domU read last.
	for i in $(seq 0 $((BUSY_DISKS - 1))); do
		d=xvd$(echo abcdefghijklmnop | cut -c$((i + 1)))
		want=$(tr -d '\r' < "$log" | sed -n "s/^BUSY: disk $d rounds [0-9]* mismatches 0 md5 //p")
		# Direct: no page cache of the loop device left in MemFree.
		sum=$(dd if=/dev/loop$i bs=1M iflag=direct 2> /dev/null | md5sum | cut -d' ' -f1)
		[ -n "$want" ] && [ "$want" = "$sum" ] || bad="$bad $d"
	done
	if [ -z "$bad" ]; then
		result "$pfx.disks" PASS "$(tr -d '\r' < "$log" | sed -n 's/^BUSY: load //p'), each disk's last content seen by dom0"
	else
		result "$pfx.disks" FAIL "$bad: $(tr -d '\r' < "$log" | grep '^BUSY: disk' | tr '\n' ' ')"
	fi
	want="sent $(md5sum < /tmp/net.up.rx | cut -d' ' -f1) ($(wc -c < /tmp/net.up.rx) bytes) received $(md5sum < /tmp/www/net.down | cut -d' ' -f1) $(wc -c < /tmp/www/net.down) bytes"
	if tr -d '\r' < "$log" | grep -q "^BUSY: net $want"; then
		result "$pfx.net" PASS "$BUSY_NET_MIB MiB each way over the vif, checksums equal"
	else
		result "$pfx.net" FAIL "dom0: $want $(tr '\n' ' ' < /tmp/net.err); domU: $(tr -d '\r' < "$log" | grep '^BUSY: \(net\|wget\)')"
	fi
	# Not held in dom0's tmpfs, whose pages count in MemFree.
	rm -f /tmp/net.up.rx
	xl destroy "$name"
	# The backends let their pages go when their devices go.
	i=0
	while ls /sys/bus/xen-backend/devices 2> /dev/null | grep -q -- "-$domid-" && [ $i -lt 60 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	xl list | grep -q "^$name " && result "$pfx.destroy" FAIL "$name still listed"
	return 0
}

# busy_vif_pages DOMID BEFORE AFTER: netback's pages (and every other page
# dom0 mapped meanwhile) landed in the regions, not in RAM: MemTotal and the
# balloon did not move, "Xen scratch" covers them.
busy_vif_pages() {
	local q mapped
	q=$(xenstore-read "/local/domain/$1/device/vif/0/multi-queue-num-queues" 2> /dev/null || echo 1)
	mapped=$(($(field in_use "$3") - $(field in_use "$2")))
	case $BUSY_REGIONS in
	no)
		# From the balloon: pages ballooned out before (blkback's, freed
		# again) are handed out first, so MemTotal need not move.
		mapped=$(($(field balloon_in_use "$3") - $(field balloon_in_use "$2")))
		if [ $mapped -ge $((256 * q)) ] && [ "$(field scratch_kb "$3")" = 0 ]; then
			result busy.vif-pages PASS "$q queue(s): $mapped pages more from the balloon, none in Xen scratch, MemTotal $(field memtotal_kb "$2") -> $(field memtotal_kb "$3") kB"
		else
			result busy.vif-pages FAIL "$q queue(s): $mapped pages more from the balloon (want >= $((256 * q))); before$2; after$3"
		fi
		;;
	*)
		# The unpatched kernel counts no pages in use: MemTotal, the
		# balloon and Xen scratch say it all.
		[ "$(field in_use "$3")" -lt 0 ] && mapped=$((256 * q))
		if [ "$(field memtotal_kb "$3")" = "$(field memtotal_kb "$2")" ] &&
		   [ "$(field balloon_kb "$3")" = "$(field balloon_kb "$2")" ] &&
		   [ $mapped -ge $((256 * q)) ] &&
		   [ "$(field scratch_kb "$3")" -ge $(($(field in_use "$3") * $(page_kb))) ] &&
		   [ "$(field scratch_kb "$3")" -gt 0 ]; then
			result busy.vif-pages PASS "$q queue(s): $mapped pages more in use, MemTotal $(field memtotal_kb "$3") kB and balloon unchanged, Xen scratch $(field scratch_kb "$2") -> $(field scratch_kb "$3") kB"
		else
			result busy.vif-pages FAIL "$q queue(s): $mapped pages more in use (want >= $((256 * q))); before$2; after$3"
		fi
		;;
	esac
}

# Where MemFree went, for the churn lines (not judged): a drop that a
# leak would leave grows each cycle; one that stays after the first
# cycle is memory the first domain made the kernel or the tools keep.
mem_detail() {
	local f
	for f in AnonPages Shmem Slab SUnreclaim KernelStack PageTables Percpu; do
		printf ' %s_kb=%s' "$f" "$(meminfo_kb $f)"
	done
}

# Before each churn figure: chunks given back, and the page cache and the
# reclaimable slabs dropped, which the logs and the loop devices' reads
# move by megabytes from one cycle to the next (seen: MemFree 385 to 391
# MiB after cycles 1 to 10 of 6.12), so that what stays is what a leak
# would leave.
busy_settle() {
	give_back
	sync
	echo 3 > /proc/sys/vm/drop_caches
	sleep 1
}

run_busy() {
	local i c s0 s1= s st disks= ok=1 g0 g= ncycles= drop0 drop1
	# Under KASAN and lockdep a cycle takes 3 to 6 minutes (the disks
	# connect one by one, 8 to 35 s each, and the hotplug scripts of 8
	# disks at once missed libxl's timeout on a loaded host): the debug
	# kernels run 2 cycles with 4 disks (the teardown under lockdep and
	# kmemleak) and a shorter load, the production kernels 10 cycles with
	# 8 disks (35 s each).
	if grep -q 'bench.flavour=test' /proc/cmdline; then
		BUSY_DISKS=4
		BUSY_CYCLES=2
		BUSY_LOAD_SECONDS=10
	fi
	if ! start_xen_tools; then
		result xen-tools FAIL "xenstored/xen-init-dom0/xenconsoled did not start"
		return
	fi
	brctl addbr xenbr0
	ip addr add 10.0.0.1/24 dev xenbr0
	ip link set xenbr0 up
	for i in $(seq 0 $((BUSY_DISKS - 1))); do
		dd if=/dev/zero of=/tmp/disk$i.img bs=1M count=8 2> /dev/null
		losetup /dev/loop$i /tmp/disk$i.img
		disks="$disks${disks:+, }'phy:/dev/loop$i,xvd$(echo abcdefghijklmnop | cut -c$((i + 1))),w'"
	done
	mkdir -p /tmp/www
	dd if=/dev/urandom of=/tmp/www/net.down bs=1M count=$BUSY_NET_MIB 2> /dev/null
	httpd -p 10.0.0.1:8080 -h /tmp/www
	# blkfront keeps a page of its own for each persistent grant, (32 +
	# 1) x 32 per disk: 33 MiB for 8 disks with 4 KiB pages, 528 MiB with
	# 64 KiB pages, which deadlocked a 512 MiB domU on memory while it
	# booted (seen).  The domU boots dom0's kernel, of the same page size.
	sed -e '/^name/d' -e '/^disk/d' -e '/^extra/d' -e '/^memory/d' /bench/domu.cfg > /tmp/busy.cfg
	echo "disk = [ $disks ]" >> /tmp/busy.cfg
	echo "memory = $([ "$(page_kb)" -gt 4 ] && echo 1024 || echo 512)" >> /tmp/busy.cfg
	# The baseline holds no chunk of the boot.
	busy_settle
	g0=$(grants_in_use)
	s0=$(busy_state)$(mem_detail)
	echo "BENCH: CHURN cycle=0 grants=$g0$s0"
	s=$s0
	for c in $(seq "$BUSY_CYCLES"); do
		busy_cycle "$c" $([ "$c" = 1 ] && echo $BUSY_LOAD_SECONDS || echo $BUSY_CHURN_SECONDS) || break
		busy_settle
		g=$(grants_in_use)
		s=$(busy_state)$(mem_detail)
		[ "$c" != 1 ] || s1=$s
		ncycles=$c
		echo "BENCH: CHURN cycle=$c grants=$g$s"
	done
	# Back to the baseline after the last cycle: pages in use, chunks
	# mapped, Xen scratch, ballooned memory, MemTotal exactly; grant
	# entries none.  MemFree: with the caches dropped it still moves by
	# up to 5.4 MiB from one cycle to the next, up and down (6.12, 10
	# cycles), so a leak shows as a slope in the per-cycle lines, and the
	# bound is 8 MiB, which a leak of 200 pages a cycle passes.  The
	# first domain leaves the slab caches larger for good (64 KiB pages:
	# unreclaimable slab 7.5 MiB more after cycle 1, 9.75 after cycle 3,
	# 10.75 after cycle 10), so MemFree is bounded twice: from cycle 0
	# less the growth of unreclaimable slab (whose objects kmemleak
	# checks on the debug kernels), and from cycle 1 as it is.
	drop0=$(($(field memfree_kb "$s0") - $(field memfree_kb "$s") - $(field SUnreclaim_kb "$s") + $(field SUnreclaim_kb "$s0")))
	drop1=$(($(field memfree_kb "${s1:-$s0}") - $(field memfree_kb "$s")))
	st="cycles ${ncycles:-0}; pages in use $(field in_use "$s0") -> $(field in_use "$s"), chunks $(field chunks "$s0") -> $(field chunks "$s"), Xen scratch $(field scratch_kb "$s0") -> $(field scratch_kb "$s") kB, balloon $(field balloon_kb "$s0") -> $(field balloon_kb "$s") kB, MemTotal $(field memtotal_kb "$s0") -> $(field memtotal_kb "$s") kB, MemFree $(field memfree_kb "$s0") -> $(field memfree_kb "${s1:-$s0}") after cycle 1 -> $(field memfree_kb "$s") kB (less slab growth: $drop0 kB down from cycle 0; $drop1 kB from cycle 1), grant entries $g0 -> ${g:-none}"
	for i in in_use chunks scratch_kb balloon_kb memtotal_kb; do
		[ "$(field $i "$s")" = "$(field $i "$s0")" ] || ok=
	done
	[ "${ncycles:-0}" = "$BUSY_CYCLES" ] && [ "$g" = 0 ] &&
		[ "$drop0" -le 8192 ] && [ "$drop1" -le 8192 ] || ok=
	[ -n "$ok" ] && result busy.churn-baseline PASS "$st" || result busy.churn-baseline FAIL "$st"
	for i in $(seq 0 $((BUSY_DISKS - 1))); do losetup -d /dev/loop$i; done
	kill "$(pidof httpd)" 2> /dev/null
}

# Scenario dom0less: Xen started domain 1 from its device tree, with
# xen,enhanced; dom0 gives it xenstore (init-dom0less), a PV disk, and maps
# the pages it grants.  The domU judges its side and prints its results on
# Xen's console (domu-init).
run_dom0less() {
	local domid=1 refs i
	if ! start_xen_tools; then
		result xen-tools FAIL "xenstored/xen-init-dom0/xenconsoled did not start"
		return
	fi
	if init-dom0less; then
		result dom0less.init PASS "$(xl list | awk 'NR > 2 { printf "%s d%s %s MiB; ", $1, $2, $3 }')"
	else
		result dom0less.init FAIL "init-dom0less failed"
		return
	fi
	dd if=/dev/zero of=/tmp/disk.img bs=1M count=8 2> /dev/null
	losetup /dev/loop0 /tmp/disk.img
	xl block-attach $domid 'phy:/dev/loop0,xvda,w' &&
		result dom0less.block-attach PASS || result dom0less.block-attach FAIL
	i=0
	while ! refs=$(xenstore-read "/local/domain/$domid/data/grant-refs" 2> /dev/null) &&
		[ $i -lt 300 ]; do
		sleep 1
		i=$((i + 1))
	done
	if [ -n "$refs" ]; then
		show_state "dom0less domU running, its disk attached"
		selftest dom0less-foreign -t foreign_map -t mmap_resource -t grant_map_peer \
			env XEN_FOREIGN_DOMID="$domid" XEN_PEER_DOMID="$domid" XEN_PEER_REFS="$refs"
		xenstore-write "/local/domain/$domid/data/grant-done" 1
	else
		result dom0less.grants FAIL "the domU published no grants in 300 s"
	fi
	i=0
	while [ "$(xenstore-read "/local/domain/$domid/data/done" 2> /dev/null)" != 1 ] && [ $i -lt 300 ]; do
		sleep 1
		i=$((i + 1))
	done
	[ $i -lt 300 ] && result dom0less.domu-done PASS || result dom0less.domu-done FAIL "no end in 300 s"
	xl block-detach $domid xvda
	losetup -d /dev/loop0
}
