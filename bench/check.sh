#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every suite of the project for each base of BASES (the matrix); one
# line per test, then "N passed, N failed".  The unpatched kernel of a base
# boots where a scenario's MATRIX says "unpatched", for the bugs the series
# fixes (fix.*) and the figures beside the patched kernel's; its own
# results are printed for comparison, not counted.
. "$(dirname "$0")/lib.sh"

# The bases of the run: BASES (default $BASE), each with the Xens and
# kernels of its own (lib.sh, bases/), or those the caller gave for all
# of them (XEN, XENS, PAGE_FLAVOURS, X86_PV); the scenarios where their
# files' MATRIX puts them (bench/scenarios/README), or those of them the
# caller names (SCENARIOS).
BASES=${BASES:-$BASE}
mkdir -p "$RESULTS"
all=$RESULTS/check.txt
: > "$all"
# The Debian versions the run's kernels and Xens come from (setup.sh).
for b in $BASES; do
	sed "s/^/$b /" "$CACHE/versions$(base_suffix "$b")" ||
		echo "FAIL setup$(base_suffix "$b").versions no record of the versions: run bench/setup.sh" | tee -a "$all"
done > "$RESULTS/versions.txt"
# settings_of BASE: "XENS|FLAVOUR|PAGE_FLAVOURS|X86_PV|KINDS|TAG" of BASE
# for this run, from a shell of its own (this one has $BASE's).
settings_of() {
	BASE=$1 bash -c '. "$0"; echo "$XENS|$BASE_FLAVOUR|$CHECK_PAGE_FLAVOURS|$CHECK_X86_PV|$CHECK_KINDS|$BASE_TAG"' \
		"$BENCH_DIR/lib.sh"
}

# The suites that need no Xen: hygiene and the compile tests (mainline),
# the series gates, KUnit and the planted defects (mainline).
suites() {
	local b flavours flavour
	for b in $BASES; do
		IFS='|' read -r _ flavour flavours _ _ _ < <(settings_of "$b")
		if [ -z "${SKIP_STATIC:-}" ]; then
			[ "$b" != mainline ] || BASE=mainline static_mainline
			# The series as a maintainer gets it: per patch checkpatch and build.
			BASE=$b suite "series gates$(base_suffix "$b")" "$BENCH_DIR/series-check.sh" | tee -a "$all"
			# As an integrator builds it: Debian's own config.
			BASE=$b compile_test debian | tee -a "$all"
		fi
		if [ -z "${SKIP_KUNIT:-}" ]; then
			# The suites run in the Images the scenarios boot: for
			# mainline with the debug options (4 KiB pages) and on the
			# production paths (64 KiB pages).
			for f in $flavour $flavours; do
				BASE=$b suite "kunit$(base_suffix "$b") $f" "$BENCH_DIR/kunit.sh" "$f" | tee -a "$all"
			done
			# The suites must catch the bugs planted by bench/defects/*.patch.
			[ "$b" != mainline ] ||
				BASE=mainline suite "defects" "$BENCH_DIR/defects.sh" 2> /dev/null | tee -a "$all"
		fi
		if [ -z "${SKIP_STATIC:-}" ]; then
			# The mm/sparse-vmemmap fixes, on the kernels with pages
			# larger than 4 KiB, against the base of the same flavour.
			for f in $flavours; do
				BASE=$b suite "vmemmap$(base_suffix "$b") $f" "$BENCH_DIR/vmemmap.sh" "$f" | tee -a "$all"
			done
			[ -n "$flavours" ] || for f in populate share; do
				echo "SKIP fix$(base_suffix "$b").vmemmap-$f no kernel with pages larger than 4 KiB in this run (make vmemmap BASE=$b FLAVOUR=prod-64k)"
			done | tee -a "$all"
		fi
	done
}
# compile_test NAME: compile-test.sh NAME on $BASE's patched tree; no
# warning (W=1) in a file the series touches.
compile_test() {
	local ours w bad name=compile$(base_suffix "$BASE").$1
	ours=$(grep -E '\.(c|h)$' "$CACHE/src$(base_suffix "$BASE")/stage.files" | sed 's/\./\\./g' | paste -sd'|')
	if w=$(stage "compile test$(base_suffix "$BASE") $1" "$BENCH_DIR/compile-test.sh" "$1" 2>&1); then
		bad=$(echo "$w" | grep -E "$ours" || true)
		[ -z "$bad" ] && echo "PASS $name W=1" || echo "FAIL $name $(echo "$bad" | head -2)"
	else
		echo "FAIL $name $(echo "$w" | tail -3 | tr '\n' ' ')"
	fi
}
static_mainline() {
	local t
	suite "hygiene" "$BENCH_DIR/hygiene.sh" | tee -a "$all"
	# The bench's own judges must fail what a broken run leaves.
	suite "bench self-test" "$BENCH_DIR/bench-selftest.sh" | tee -a "$all"
	# The published figures are those of the last benchmark (make figures).
	suite "figures" python3 "$BENCH_DIR/figures.py" check "$REPO_DIR/doc/bench.json" | tee -a "$all"
	for t in x86_64-xen arm64-64k; do
		compile_test "$t" | tee -a "$all"
	done
}

# The boots, as many at a time as their vCPUs (lib.sh boot_vcpus) fit in
# BOOT_CORES (default: the host's), their results printed in the order of
# the list: "MODE KIND SCENARIO FLAVOUR XEN BASE".
BOOT_CORES=${BOOT_CORES:-$(nproc)}
boots=()
fix_cells=()
for b in $BASES; do
	IFS='|' read -r xens flavour flavours x86_pv kinds tag < <(settings_of "$b")
	# Every arm64 boot of MATRIX "each" runs on each Xen of the base: for
	# mainline, Debian 12's 4.17 and Debian 13's 4.20, which advertises
	# its regions differently (2 MiB short of their end, fixed in 4.21);
	# "first" on the first Xen.  "pages": also the other page sizes
	# (PAGE_FLAVOURS), where the granule and the memmap differ; for
	# mainline 64 KiB, built without the debug options ("prod": the
	# production paths of the allocator, and 8 minutes less to build cold
	# than with them); each such kernel is a whole build, so 16 KiB runs
	# with PAGE_FLAVOURS="test-16k prod-64k".
	for xen in $xens; do
		if [ "$xen" = "${xens%% *}" ]; then
			mine() { scenarios_with first "$@"; scenarios_with each "$@"; }
		else
			mine() { scenarios_with each "$@"; }
		fi
		for sc in $(mine); do
			boots+=("counted patched $sc $flavour $xen $b")
		done
		for f in $flavours; do
			for sc in $(mine pages); do
				boots+=("counted patched $sc $f $xen $b")
			done
		done
	done
	# x86: a PV dom0 on Xen's amd64 build (4.17), where the allocator is
	# seeded with the pages of Xen's extra memory, and a PVH dom0 (4.20),
	# seeded with the unpopulated space of its memory map (X86_PV).
	if [ "$x86_pv" = 1 ]; then
		for sc in $(scenarios_with x86); do
			boots+=("counted patched $sc x86 ${xens%% *} $b")
		done
	fi
	# The unpatched kernel of a base (BASE_KINDS) boots only where a
	# result needs it (MATRIX "unpatched"), on the first Xen: modern,
	# which shows the bugs the fixes at the head of the series remove
	# (fix.*) and gives the figures the patched kernel's stand beside.
	# Its lines are printed for comparison, not counted.
	if [[ " $kinds " == *" base "* ]] && [ -z "${SKIP_BASE:-}" ]; then
		for sc in $(scenarios_with unpatched); do
			boots+=("info base $sc $flavour ${xens%% *} $b")
		done
		fix_cells+=("$b $flavour ${xens%% *} $tag")
	fi
done
# A scenario the caller named that nothing boots: a failure, not a silence.
for sc in ${SCENARIOS:-}; do
	[[ " ${boots[*]} " == *" $sc "* ]] ||
		echo "FAIL check.scenario-$sc no boot of it in this run (bench/scenarios/$sc: MATRIX; the kernels and Xens of the run)"
done | tee -a "$all"

boot() {
	local mode=$1 kind=$2 sc=$3 flavour=$4 i=$7 label dir
	export XEN=$5 BASE=$6
	label="scenario $kind$(base_suffix "$BASE") $sc"
	[ "$flavour" = test ] || label="$label $flavour"
	[ "$flavour" = x86 ] || label="$label, Xen $XEN"
	# A boot of the same kernel, initramfs, Xen and arguments as the last
	# is not repeated (scenario.sh): a counted one if it passed
	# (REUSE_RESULTS= boots them all again), the unpatched kernel's always.
	if [ "$mode" = info ]; then
		REUSE_RESULTS=all suite "$label (for comparison)" \
			"$BENCH_DIR/scenario.sh" "$kind" "$sc" "$flavour" |
			sed 's/^\([A-Z]*\) /INFO-\1 /'
	else
		REUSE_RESULTS=${REUSE_RESULTS-1} suite "$label" "$BENCH_DIR/scenario.sh" "$kind" "$sc" "$flavour" |
			tee "$out/$i.lines"
		# Cells outside the default matrix (another XEN, PAGE_FLAVOURS)
		# have no count recorded.
		dir=$(basename "$(result_dir "$kind" "$BASE" "$sc" "$flavour" "$XEN")")
		if grep -q "^$dir " "$BENCH_DIR/expected-results"; then
			expect_results "$dir" "$(grep -cE '^(PASS|FAIL|SKIP) ' "$out/$i.lines" || true)"
		else
			echo "SKIP $dir.results no count recorded in bench/expected-results"
		fi
	fi
}
out=$RESULTS/boots
rm -rf "$out"
mkdir -p "$out"
declare -A vcpus_of
busy_cores() {
	local p n=0
	for p in $(jobs -rp); do
		n=$((n + ${vcpus_of[$p]:-1}))
	done
	echo $n
}
boot_all() {
	local i v
	for i in "${!boots[@]}"; do
		# shellcheck disable=SC2086 # the spec is six words
		set -- ${boots[$i]}
		v=$(boot_vcpus "$3" "$4")
		while [ -n "$(jobs -rp)" ] && [ $(($(busy_cores) + v)) -gt "$BOOT_CORES" ]; do
			wait -n || true
		done
		boot "$@" "$i" > "$out/$i" &
		vcpus_of[$!]=$v
	done
	wait
}

# The boots and the other suites run side by side: each leaves the cores
# idle part of the time (a guest waiting on its backend or a timer, make
# walking the tree, one checkpatch).  The suites run at a lower priority:
# a guest slowed down by a build misses the timeouts of its selftests
# (seen: the domU's stress test, 30 s, with a kernel build beside it),
# while a build or a KUnit boot has no clock to miss.  Results are
# printed in the order of the lists.
boot_all &
boots_pid=$!
suites_rc=0
(renice -n 10 -p "$BASHPID" > /dev/null; suites) || suites_rc=$?
wait "$boots_pid"
for i in "${!boots[@]}"; do
	cat "$out/$i"
done | tee -a "$all"
[ "$suites_rc" = 0 ] || echo "FAIL suites stopped at an error (exit $suites_rc, above)" | tee -a "$all"

# The fixes at the head of the series, each shown by the unpatched base in
# the same boots: the base must show the bug, the patched kernel must not.
# fix_gate NAME PATTERN SCENARIO BASE FLAVOUR XEN TAG: fix-BASE.NAME
# (fix.NAME for mainline), from what the guests of the SCENARIO boots of
# that base, flavour and Xen printed (dom0's console and a dom0less
# domU's, not Xen's own lines) and the results read from it.
guest_lines_of() {
	sed -n -e 's/^(XEN) DOM[0-9]*: //p;t' -e '/^(XEN)/d;p' "$1"
	cat "${1%/console.log}/results.txt" 2> /dev/null || true
}
fix_gate() {
	local name=fix$(base_suffix "$4").$1 pattern=$2 sc=$3 hit base_log patched_log
	# Only what this run booted: a caller's SCENARIOS may leave one out.
	if [[ " ${boots[*]/%/;} " != *" counted patched $sc $5 $6 $4;"* ]] ||
	   [[ " ${boots[*]/%/;} " != *" info base $sc $5 $6 $4;"* ]]; then
		echo "SKIP $name this run booted $sc on one of the two kernels at most"
		return
	fi
	base_log=$(result_dir base "$4" "$sc" "$5" "$6")/console.log
	patched_log=$(result_dir patched "$4" "$sc" "$5" "$6")/console.log
	[ -f "$base_log" ] && [ -f "$patched_log" ] || { echo "FAIL $name no $sc console of both kernels"; return; }
	hit=$(guest_lines_of "$base_log" | grep -m1 -oE "$pattern" || true)
	if [ -z "$hit" ]; then
		echo "FAIL $name the unpatched base does not show it in $sc: the test cannot fail"
	# grep reads to the end: a "grep -q" that stops early makes the
	# writer's SIGPIPE the status of the pipeline (pipefail).
	elif guest_lines_of "$patched_log" | grep -E "$pattern" > /dev/null; then
		echo "FAIL $name the patched kernel still shows it in $sc"
	else
		echo "PASS $name base $7 in $sc: \"$hit\"; patched: none"
	fi
}
for cell in "${fix_cells[@]}"; do
	# shellcheck disable=SC2086 # BASE FLAVOUR XEN TAG
	set -- $cell
	case $2 in
	test|test-*)
		# Lockdep's splat, and the gref a failed gntalloc mmap() kept
		# (selftest gntalloc_mmap_fails, under fail_page_alloc, finds
		# it through gntalloc's limit): only the test kernels have
		# lockdep and fault injection.
		fix_gate gntdev-lock-order '\(&priv->lock\)[^ ]* at: gntdev_mmap' modern "$@"
		fix_gate gntalloc-mmap-leak 'FAIL dom0\.global\.gntalloc_mmap_fails .*' modern "$@"
		;;
	*)
		echo "SKIP fix$(base_suffix "$1").gntdev-lock-order no lockdep in the $2 kernel"
		echo "SKIP fix$(base_suffix "$1").gntalloc-mmap-leak no kmemleak or fault injection in the $2 kernel"
		;;
	esac
	fix_gate xenbus-dom0less-early 'xb_init_comms\+0x[0-9a-f]+' dom0less "$@"
	# Patch 15: the balloon hotplugs memory below Xen's guest RAM, whose
	# memmap arm64 then finds below VMEMMAP_START (a legacy guest's
	# burst of unpopulated pages; both spellings of WARNING, 6.1's and 7.3's).
	fix_gate balloon-hotplug-below-ram 'WARNING: .*arch/arm64/mm/mmu\.c:[0-9]+ (at )?vmemmap_populate\+0x[0-9a-f]+/0x[0-9a-f]+' legacy "$@"
	# Patch 14: mappings that come and go 10 ms apart take RAM each
	# time when a free wakes the balloon thread at once (check churn).
	fix_gate balloon-churn 'FAIL churn [0-9]+ of [0-9]+ allocations took RAM' legacy "$@"
	fix_gate privcmd-mmap-resource-vma 'kernel BUG at drivers/xen/privcmd.c:[0-9]+' modern "$@"
done | tee -a "$all"

passed=$(grep -c '^PASS ' "$all" || true)
failed=$(grep -c '^FAIL ' "$all" || true)
skipped=$(grep -c '^SKIP ' "$all" || true)
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
