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
export CCACHE_DIR=$CACHE/ccache
export CCACHE_MAXSIZE=5G
# Objects of the two trees differ only in the build directory's name.
export CCACHE_NOHASHDIR=1

# The kernel base (bases/$BASE) and its series (series/$BASE/).
BASE=${BASE:-mainline}
[ -f "$REPO_DIR/bases/$BASE" ] || { echo "ERROR: no bases/$BASE" >&2; exit 1; }
. "$REPO_DIR/bases/$BASE"
SERIES_DIR=$REPO_DIR/series/$BASE
# The patches of the series, in order, without the cover letter.
series_patches() { ls "$SERIES_DIR"/[0-9][0-9][0-9][0-9]-*.patch 2> /dev/null | grep -v '/0000-' || true; }

# The arm64 Xen the scenarios boot, and the userland of its dom0 and domU
# initramfs: Debian's 4.17 (bookworm, the host's suite) or 4.20 (trixie).
XEN=${XEN:-4.17}
case $XEN in
4.17|4.20) ;;
*) echo "ERROR: XEN=$XEN: the bench has Xen 4.17 and 4.20" >&2; exit 1 ;;
esac
XENROOT=$CACHE/xenroot-$XEN
XEN_IMAGE=$XENROOT/boot/xen-$XEN-arm64
# Results and test names of another Xen than 4.17 carry its version:
# xen_suffix 4.20 is "-xen420".
xen_suffix() { [ "$1" = 4.17 ] || echo "-xen${1//./}"; }
XEN_SUFFIX=$(xen_suffix "$XEN")
# The x86 PV dom0 of scenario x86-pv: Xen 4.17 amd64 and a static busybox.
XENROOT_X86=$CACHE/xenroot-amd64
XEN_IMAGE_X86=$XENROOT_X86/boot/xen-4.17-amd64
SRC=$CACHE/src
BUILD=$CACHE/build

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

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

# boot_vcpus SCENARIO FLAVOUR: the CPUs of a QEMU boot, which are Xen's
# and dom0's.  Under TCG each vCPU is a host thread: a 2-vCPU boot keeps
# both cores of a 2-core host busy and is hardly faster than a 1-vCPU one
# (legacy: 45 s against 48 s), and two 1-vCPU boots run side by side in
# the time of one (legacy and policy: 46 s for both).  Two for
# modern on the debug kernel, where the stress test maps from several
# processes under lockdep and KASAN, so that they run in parallel for real
# (and for the base's modern boot, which the fix gates compare with it),
# and for the benchmark's kernels, which time threads at once.
boot_vcpus() {
	case $1:$2 in
	modern:test|*:bench|*:bench-*) echo 2 ;;
	*) echo 1 ;;
	esac
}

# What a kernel prints when something went wrong: any of it in a console
# fails the boot (scenario.sh) or the KUnit run (kunit.sh).
KERNEL_REPORTS='Kernel panic|Oops|BUG:|WARNING:|Call trace:|unreferenced object|kmemleak: [0-9]+ new suspected|INFO: task .* blocked|possible recursive locking|Unable to handle kernel'

check_disk() {
	local avail
	mkdir -p "$CACHE"
	avail=$(df -Pk "$CACHE" | awk 'NR == 2 { print $4 }')
	[ "$avail" -gt $((8 * 1024 * 1024)) ] ||
		die "less than 8 GiB free under $CACHE ($((avail / 1024)) MiB): free some disk space"
}
