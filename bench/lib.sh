# SPDX-License-Identifier: GPL-2.0
# Common settings of the bench scripts.  Sourced, never run.

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/xenext
RESULTS=${RESULTS:-$REPO_DIR/results}
JOBS=${JOBS:-$(($(nproc) + 1))}

export ARCH=arm64
export CROSS_COMPILE=aarch64-linux-gnu-
# Debian's python3 (ply, git for the kernel's scripts), not one a user put first.
export PATH=/usr/bin:$PATH
export CCACHE_DIR=$CACHE/ccache
export CCACHE_MAXSIZE=5G
# Objects of the two trees differ only in the build directory's name.
export CCACHE_NOHASHDIR=1

# The kernel base (bases/$BASE) and its series (series/$BASE/).  A
# backport (BASE_UPSTREAM: the base whose series it backports) keeps only
# the patches it adjusted; series/$BASE/series lists all of them in order,
# each a path relative to series/$BASE/ (../mainline/0001-... for a patch
# taken as it is), and series/$BASE/range-diff how the others differ.
BASE=${BASE:-mainline}
[ -f "$REPO_DIR/bases/$BASE" ] || { echo "ERROR: no bases/$BASE" >&2; exit 1; }
BASE_UPSTREAM=
# What the checks of the base build and boot; these are mainline's, and
# bases/$BASE says what differs:
#   BASE_FLAVOUR        build.sh's flavour of its 4 KiB-page kernels
#   BASE_KINDS          the patched kernel, and the unpatched one ("base")
#                       that shows the bugs the fixes remove (fix.*)
#   BASE_PAGE_FLAVOURS  patched kernels with other page sizes
#   BASE_X86_PV         1: the x86_64 dom0 kernel, which boots the
#                       scenarios of MATRIX x86 (x86-pv, x86-pvh)
#   BASE_XENS           the Xens it boots on, the one Debian ships it with first
#   BASE_DEBIAN_CONFIG  what an integrator changes in Debian's own arm64
#                       config of the kernel for the series (compile-test.sh
#                       debian builds with it)
BASE_FLAVOUR=test
BASE_KINDS="patched base"
BASE_PAGE_FLAVOURS=prod-64k
BASE_X86_PV=1
BASE_XENS="4.17 4.20"
BASE_DEBIAN_CONFIG=
. "$REPO_DIR/bases/$BASE"
# The caller's KINDS, PAGE_FLAVOURS ("" for none) and X86_PV, or the
# base's own.
CHECK_KINDS=${KINDS-$BASE_KINDS}
CHECK_PAGE_FLAVOURS=${PAGE_FLAVOURS-$BASE_PAGE_FLAVOURS}
CHECK_X86_PV=${X86_PV:-$BASE_X86_PV}
# scenarios_with WORD...: the scenarios whose MATRIX has every WORD
# (bench/scenarios/README), of SCENARIOS if the caller names some.
scenarios_with() {
	local f m w
	for f in "$BENCH_DIR"/scenarios/*; do
		f=${f##*/}
		[ "$f" != README ] || continue
		[ -z "${SCENARIOS:-}" ] || [[ " $SCENARIOS " == *" $f "* ]] || continue
		w=$(MATRIX=; . "$BENCH_DIR/scenarios/$f"; echo " $MATRIX ")
		for m in "$@"; do
			[[ $w == *" $m "* ]] || continue 2
		done
		echo "$f"
	done
}
SERIES_DIR=$REPO_DIR/series/$BASE
# The patches of the series, in order, without the cover letter.
series_patches() {
	if [ -f "$SERIES_DIR/series" ]; then
		sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SERIES_DIR/series" |
			while read -r p; do echo "$SERIES_DIR/$p"; done
	else
		ls "$SERIES_DIR"/[0-9][0-9][0-9][0-9]-*.patch 2> /dev/null | grep -v '/0000-' || true
	fi
}
# Trees, builds and test names of a base other than mainline carry its
# name: base_suffix 6.12 is "-6.12".
base_suffix() { [ "$1" = mainline ] || echo "-$1"; }
BASE_SUFFIX=$(base_suffix "$BASE")

# The arm64 Xens of the bench and their Debian packages: xen_pkgs VERSION
# prints the suite they come from ("-": the host's own, bookworm's), then
# the packages of that version (setup.sh adds those all of them need).
xen_pkgs() {
	case $1 in
	4.17) echo "- xen-hypervisor-4.17-arm64 xen-utils-4.17 libxenmisc4.17 libext2fs2" ;;
	# trixie's 64-bit time_t transition renamed libext2fs2.
	4.20) echo "trixie xen-hypervisor-4.20-arm64 xen-utils-4.20 libxenmisc4.20 libext2fs2t64" ;;
	*) return 1 ;;
	esac
}
# XENS: the Xens prepare.sh unpacks and builds an initramfs for and
# check.sh boots on (default: $XEN if given, else the base's); XEN: the
# Xen a boot runs on, and whose userland its initramfs has (default: the
# first of XENS).
XENS=${XENS:-${XEN:-$BASE_XENS}}
XEN=${XEN:-${XENS%% *}}
for xen_v in $XEN $XENS; do
	xen_pkgs "$xen_v" > /dev/null || { echo "ERROR: no Xen $xen_v on the bench (4.17, 4.20)" >&2; exit 1; }
done
XENROOT=$CACHE/xenroot-$XEN
XEN_IMAGE=$XENROOT/boot/xen-$XEN-arm64
# Results and test names of another Xen than 4.17 carry its version:
# xen_suffix 4.20 is "-xen420".
xen_suffix() { [ "$1" = 4.17 ] || echo "-xen${1//./}"; }
XEN_SUFFIX=$(xen_suffix "$XEN")
# result_dir KIND BASE SCENARIO FLAVOUR XEN: where scenario.sh writes the
# results of a boot: results/KIND[-BASE]-SCENARIO[-FLAVOUR][-xenNNN] (no
# flavour for "test", no Xen for the x86 dom0, which boots 4.17's amd64).
result_dir() {
	local d=$RESULTS/$1$(base_suffix "$2")-$3
	[ "$4" = test ] || d=$d-$4
	[ "$4" = x86 ] || d=$d$(xen_suffix "$5")
	echo "$d"
}
# The x86 PV dom0 of scenario x86-pv: Xen 4.17 amd64 and a static busybox.
XENROOT_X86=$CACHE/xenroot-amd64
XEN_IMAGE_X86=$XENROOT_X86/boot/xen-4.17-amd64
# The x86 PVH dom0 of scenario x86-pvh: Xen 4.20's amd64 EFI build, which
# OVMF starts.  Xen 4.17 gives a PVH dom0 an XSDT whose header it copies
# from address 0 when the firmware has an RSDT only (QEMU's SeaBIOS), and
# neither Xen maps SeaBIOS's tables, in reserved memory, into a PVH dom0:
# Linux then sums a 4 GiB "table" in acpi_early_init().  OVMF's are in
# ACPI memory, with an XSDT.
XENROOT_PVH=$CACHE/xenroot-amd64-pvh
XEN_EFI_PVH=$XENROOT_PVH/boot/xen-4.20-amd64.efi
OVMF=$XENROOT_PVH/usr/share/qemu/OVMF.fd
SRC=$CACHE/src$BASE_SUFFIX
BUILD=$CACHE/build$BASE_SUFFIX

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# What a build of the series compiles: drivers/xen/, arch/arm64/xen/
# (which builds arch/arm/xen/) and the objects of the other C files the
# series changes (netfront, mm), from tree.sh's list of the files it
# changes.
series_dirs() {
	[ -f "$SRC/stage.files" ] || die "no $SRC/stage.files: run bench/tree.sh"
	echo "drivers/xen/ arch/arm64/xen/ $(sed -n 's|^\(.*\)\.c$|\1.o|p' "$SRC/stage.files" |
		{ grep -vE '^(drivers/xen|arch/arm64/xen|arch/arm/xen|tools)/' || true; } | paste -sd' ')"
}

# merge_config SRC OUT BASE FRAGMENT...: OUT/.config for the tree SRC
# from BASE (a make target, e.g. allnoconfig, or a config file) and the
# fragments, a later one overriding an earlier (the page size); done again
# only when one of them changed, as the merge rewrites .config.  A
# fragment's "=y" that did not survive the merge is a bench bug.
merge_config() {
	local src=$1 out=$2 base=$3 inputs
	shift 3
	inputs=("$@")
	case $base in /*) inputs=("$base" "$@") ;; esac
	! cat "${inputs[@]}" | cmp -s - "$out/fragments" || return 0
	mkdir -p "$out"
	case $base in
	/*) cp "$base" "$out/.config" ;;
	*) make -s -C "$src" O="$out" "$base" > /dev/null ;;
	esac
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$@" \
		> "$out/merge.log" 2>&1
	make -s -C "$src" O="$out" olddefconfig > /dev/null
	cat "$@" | sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=\(.*\)/\1 \2/p;s/^# \(CONFIG_[A-Z0-9_]*\) is not set/\1 n/p' |
		awk '{ v[$1] = $2 } END { for (k in v) if (v[k] == "y") print k "=y" }' |
		while read -r l; do
			grep -qx "$l" "$out/.config" || die "$l dropped from $out/.config (see $out/merge.log)"
		done
	cat "${inputs[@]}" > "$out/fragments"
}

# A stage that takes long says so, and how long it took.
stage() {
	local name=$1 t0 rc
	shift
	log "$name ..."
	t0=$(date +%s)
	rc=0
	"$@" || rc=$?
	log "$name: $(($(date +%s) - t0)) s"
	echo "$name $(($(date +%s) - t0))" >> "$CACHE/stage-times"
	return $rc
}

# suite NAME CMD...: a stage of make check; one that exits non-zero is a
# failure of its own, whatever it printed before.
suite() {
	local name=$1 rc=0
	shift
	stage "$name" "$@" || rc=$?
	[ "$rc" = 0 ] || echo "FAIL stage.${name// /-} exited $rc"
}

# expect_results DIR N: a boot (results/DIR) with fewer result lines than
# bench/expected-results records for it lost some on the way.
expect_results() {
	local want
	want=$(awk -v d="$1" '$1 == d { print $2 }' "$BENCH_DIR/expected-results")
	if [ -z "$want" ]; then
		echo "FAIL $1.results $2 results, and none expected in bench/expected-results"
	elif [ "$2" -lt "$want" ]; then
		echo "FAIL $1.results $2 of the $want results expected"
	fi
}

# boot_vcpus SCENARIO FLAVOUR: the CPUs of a QEMU boot, which are Xen's
# and dom0's.  Under TCG each vCPU is a host thread: a 2-vCPU boot keeps
# both cores of a 2-core host busy and is hardly faster than a 1-vCPU one
# (legacy: 45 s against 48 s), and two 1-vCPU boots run side by side in
# the time of one (two legacy boots: 46 s for both).  Two for the
# benchmark's kernels, which time threads at once; on the debug kernel,
# the scenario's TEST_VCPUS (bench/scenarios/README); otherwise one.
boot_vcpus() {
	local n=
	case $2 in
	bench|bench-*) echo 2; return ;;
	test) n=$(TEST_VCPUS=; . "$BENCH_DIR/scenarios/$1" && echo "$TEST_VCPUS") ;;
	esac
	echo "${n:-1}"
}

# What a kernel prints when something went wrong, in arm64's and x86's
# spellings ("Call trace:", "Call Trace:"): any of it in a console fails
# the boot (scenario.sh), the KUnit run (kunit.sh) or the vmemmap gate.
# KERNEL_DEATH: what a kernel seldom survives (scenario.sh stops the boot).
KERNEL_DEATH='Oops|kernel BUG at|Kernel panic'
KERNEL_REPORTS="$KERNEL_DEATH|BUG:|WARNING:|Call [Tt]race:|general protection fault|unreferenced object|kmemleak: [0-9]+ new suspected|INFO: task .* blocked|possible recursive locking|Unable to handle kernel"

check_disk() {
	local avail
	mkdir -p "$CACHE"
	avail=$(df -Pk "$CACHE" | awk 'NR == 2 { print $4 }')
	[ "$avail" -gt $((8 * 1024 * 1024)) ] ||
		die "less than 8 GiB free under $CACHE ($((avail / 1024)) MiB): free some disk space"
}
