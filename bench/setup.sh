#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the bench needs from Debian, idempotently; download the
# kernel base of bases/$BASE, unpack Debian's arm64 packages of each Xen in
# XENS (default $XEN, 4.17), the amd64 Xen 4.17 of the x86 PV dom0 and
# the amd64 Xen 4.20 and OVMF of the x86 PVH dom0, into the cache.
. "$(dirname "$0")/lib.sh"

HOST_PKGS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross
qemu-system-arm qemu-system-x86 gcc libc6-dev device-tree-compiler bc flex bison libssl-dev libelf-dev cpio
kmod rsync ccache python3 python3-ply python3-git xz-utils gzip gnuplot-nox sparse"

# Xen and the arm64 userland of the dom0 and domU initramfs, of each Xen
# in XENS: what every version needs (lib.sh xen_pkgs: what is its own).
ARM64_PKGS="xen-utils-common xenstore-utils busybox-static libc6 libncurses6
libtinfo6 libxencall1 libxenevtchn1 libxenforeignmemory1 libxengnttab1
libxenstore4 libxentoollog1 libxentoolcore1 libyajl2 libfdt1 libuuid1
libxendevicemodel1 libxenhypfs1 zlib1g libgcc-s1 libcom-err2 libzstd1
liblzma5 libbz2-1.0 liblzo2-2"
# The x86 PV dom0 (scenario x86-pv): Xen and a static busybox.
AMD64_PKGS="xen-hypervisor-4.17-amd64 busybox-static"
# The x86 PVH dom0 (scenario x86-pvh), from trixie: Xen 4.20's amd64
# build, an EFI application that OVMF starts (lib.sh XENROOT_PVH says why).
PVH_PKGS="xen-hypervisor-4.20-amd64 ovmf"

[ "$(id -u)" = 0 ] || die "setup needs root (apt-get, dpkg --add-architecture)"
check_disk

# Each apt state is updated once a run: downloads run in subshells, so
# stamps, not variables, say it was done.
stamps=$CACHE/apt-updated.$$
trap 'rm -f "$stamps".*' EXIT
apt_update() {
	[ -e "$stamps.host" ] && return
	log "apt-get update"
	apt-get update -qq || die "apt-get update failed: is the Debian archive reachable?"
	touch "$stamps.host"
}

missing=
[ -n "${SETUP_SELFTEST:-}" ] ||
for p in $HOST_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	rm -f "$stamps.host"
fi
if [ -n "$missing" ]; then
	apt_update
	log "installing:$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
		> "$CACHE/apt-install.log" 2>&1 ||
		{ tail -20 "$CACHE/apt-install.log" >&2; die "apt-get install failed (log: $CACHE/apt-install.log)"; }
fi

# Packages of newer suites (the kernel base of bases/$BASE, Xen 4.20) come
# through a private apt state, so that the host's own sources stay as they
# are.  Its suites: the base's and those of the Xens in XENS.
newer_suites=$({ for v in $XENS; do xen_pkgs "$v" | cut -d' ' -f1; done
	[ "$CHECK_X86_PV" != 1 ] || echo trixie; } |
	cat - <(printf '%s\n' $BASE_SUITES) | { grep -vx -e - -e bookworm || true; } | sort -u | paste -sd' ' -)
PRIVATE=(-o "Dir::State=$CACHE/apt/state" -o "Dir::Cache=$CACHE/apt/cache"
	-o "Dir::Etc::SourceList=$CACHE/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::status=/var/lib/dpkg/status -o APT::Sandbox::User=root)
private_apt_update() {
	local uri
	[ -e "$stamps.private" ] && return
	uri=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2> /dev/null | head -1)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2> /dev/null)
	[ -n "$uri" ] || die "cannot tell the Debian archive URI from /etc/apt"
	mkdir -p "$CACHE/apt/state/lists/partial" "$CACHE/apt/cache/archives/partial"
	for suite in $newer_suites; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
	done > "$CACHE/apt/sources.list"
	log "apt-get update of $newer_suites (private state $CACHE/apt)"
	apt-get "${PRIVATE[@]}" update -qq > "$CACHE/apt-private.log" 2>&1 ||
		{ tail -20 "$CACHE/apt-private.log" >&2; die "apt-get update of $newer_suites failed"; }
	touch "$stamps.private"
}

# apt_download SUITE ARGS...: apt-get download ARGS, updated first, from
# the host's own sources (SUITE "-", bookworm's) or the private state.
apt_download() {
	if [ "$1" = - ]; then
		apt_update
		shift
		apt-get download "$@"
	else
		private_apt_update
		shift
		apt-get "${PRIVATE[@]}" download "$@"
	fi
}

# fetch_deb DIR SUITE PKG[:ARCH] VERSION: PKG at VERSION in DIR, downloaded unless
# there; when SUITE no longer has VERSION (a point release replaces it, and
# a backports suite keeps only its newest), its current version instead,
# with one line that says so.  Prints the version DIR holds.
fetch_deb() {
	local dir=$1 suite=$2 spec=$3 want=$4 pkg=${3%:*} deb have=
	deb=$(ls "$dir/${pkg}_"*.deb 2> /dev/null | head -1 || true)
	[ -z "$deb" ] || have=$(dpkg-deb -f "$deb" Version)
	# Another version stays only as the stand-in for the one gone.
	if [ -n "$have" ] && [ "$have" != "$want" ] &&
	   [ "$(cat "$dir/stand-in-for" 2> /dev/null)" != "$want" ]; then
		have=
	fi
	if [ -z "$have" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		log "downloading $pkg $want ($suite)"
		if ! (cd "$dir" && apt_download "$suite" "$spec=$want") > "$CACHE/apt-base.log" 2>&1; then
			grep -qE "Version '.*' for '$pkg(:[a-z0-9]+)?' was not found|Can't find a source to download version" \
				"$CACHE/apt-base.log" ||
				{ tail -20 "$CACHE/apt-base.log" >&2; die "cannot download $pkg $want"; }
			(cd "$dir" && apt_download "$suite" "$spec") >> "$CACHE/apt-base.log" 2>&1 ||
				{ tail -20 "$CACHE/apt-base.log" >&2; die "cannot download $pkg ($suite)"; }
			echo "$want" > "$dir/stand-in-for"
		fi
		deb=$(ls "$dir/${pkg}_"*.deb 2> /dev/null | head -1 || true)
		[ -n "$deb" ] || die "apt-get download left no $pkg package in $dir"
		have=$(dpkg-deb -f "$deb" Version)
	fi
	[ "$have" = "$want" ] ||
		log "$pkg $want is no longer in ${suite/#-/bookworm}: using $have (bases/$BASE records $want)"
	echo "$have"
}

# bench-selftest.sh: a version the suite never had falls back to the
# current one, which is then kept; the recorded one is taken as it is.
if [ -n "${SETUP_SELFTEST:-}" ]; then
	fetch_deb "$SETUP_SELFTEST/a" - busybox-static:arm64 1:0.0-0
	fetch_deb "$SETUP_SELFTEST/a" - busybox-static:arm64 1:0.0-0
	fetch_deb "$SETUP_SELFTEST/b" - busybox-static:arm64 "$(dpkg-deb -f "$SETUP_SELFTEST"/a/*.deb Version)"
	exit 0
fi

# The kernel base.
base_version=$(fetch_deb "$CACHE/debs-base$BASE_SUFFIX" "$BASE_SUITES" "$BASE_PACKAGE" "$BASE_VERSION")
versions="base $BASE_PACKAGE $base_version"
# Debian's own arm64 config of that kernel, for compile-test.sh debian.
config_version=$(fetch_deb "$CACHE/debs-config$BASE_SUFFIX" "$BASE_SUITES" \
	"${BASE_PACKAGE/source/config}:arm64" "$base_version")
config=$CACHE/debs-config$BASE_SUFFIX/config.arm64_none_arm64
if [ ! -f "$config" ] || [ "$(cat "$config.version" 2> /dev/null)" != "$config_version" ]; then
	rm -rf "$config.tmp"
	dpkg-deb -x "$CACHE/debs-config$BASE_SUFFIX/${BASE_PACKAGE/source/config}_"*.deb "$config.tmp"
	xz -dc "$config.tmp/usr/src/${BASE_PACKAGE/source/config}/config.arm64_none_arm64.xz" > "$config" ||
		die "no config.arm64_none_arm64.xz in ${BASE_PACKAGE/source/config}"
	rm -rf "$config.tmp"
	echo "$config_version" > "$config.version"
fi
versions="$versions
config ${BASE_PACKAGE/source/config} $config_version"

# unpack_debs ARCH DIR ROOT SUITE PKGS...: download into DIR the packages
# of ARCH that it lacks (SUITE "-": the host's own sources), and unpack all
# of them into a fresh ROOT.
unpack_debs() {
	local arch=$1 dir=$2 root=$3 suite=$4 p d pkgs=
	shift 4
	mkdir -p "$dir"
	# An "all" package (ovmf) is asked for as one of ARCH.
	for p in "$@"; do
		compgen -G "$dir/${p}_*_$arch.deb" > /dev/null ||
			compgen -G "$dir/${p}_*_all.deb" > /dev/null || pkgs="$pkgs $p:$arch"
	done
	if [ -n "$pkgs" ]; then
		log "downloading $arch packages:$pkgs"
		(cd "$dir" && apt_download "$suite" $pkgs >> "$CACHE/apt-download.log" 2>&1) ||
			{ tail -20 "$CACHE/apt-download.log" >&2; die "apt-get download failed"; }
	fi
	rm -rf "$root"
	mkdir -p "$root"
	for d in "$dir"/*_"$arch".deb "$dir"/*_all.deb; do
		[ ! -f "$d" ] || dpkg-deb -x "$d" "$root"
	done
}

for v in $XENS; do
	read -r suite own < <(xen_pkgs "$v")
	root=$CACHE/xenroot-$v
	want=$(echo $ARM64_PKGS $own | md5sum | cut -c1-8)
	if [ "$(cat "$root.stamp" 2>/dev/null)" != "$want" ] || [ ! -f "$root/boot/xen-$v-arm64" ]; then
		unpack_debs arm64 "$CACHE/debs-xen$v" "$root" "$suite" $ARM64_PKGS $own
		[ -f "$root/boot/xen-$v-arm64" ] || die "no boot/xen-$v-arm64 in xen-hypervisor-$v-arm64"
		echo "$want" > "$root.stamp"
	fi
	xen_version=$(dpkg-deb -f "$CACHE/debs-xen$v"/xen-hypervisor-"$v"-arm64_*.deb Version)
	log "Xen $v: $xen_version"
	versions="$versions
xen $v $xen_version"
done

# amd64: the same archive as the host's, so the host's apt state serves.
if [ "$(cat "$XENROOT_X86.stamp" 2>/dev/null)" != "$(echo $AMD64_PKGS | md5sum)" ] ||
   [ ! -f "$XEN_IMAGE_X86" ]; then
	unpack_debs amd64 "$CACHE/debs-amd64" "$XENROOT_X86" - $AMD64_PKGS
	# QEMU loads the ELF multiboot image, not the gzip'd one.
	zcat "$XENROOT_X86"/boot/xen-4.17-amd64.gz > "$XEN_IMAGE_X86" ||
		die "no boot/xen-4.17-amd64.gz in xen-hypervisor-4.17-amd64"
	echo $AMD64_PKGS | md5sum > "$XENROOT_X86.stamp"
fi
versions="$versions
xen-amd64 4.17 $(dpkg-deb -f "$CACHE"/debs-amd64/xen-hypervisor-4.17-amd64_*.deb Version)"
if [ "$CHECK_X86_PV" = 1 ]; then
	if [ "$(cat "$XENROOT_PVH.stamp" 2>/dev/null)" != "$(echo $PVH_PKGS | md5sum)" ] ||
	   [ ! -f "$XENROOT_PVH/boot/xen-4.20-amd64.efi" ] || [ ! -f "$OVMF" ]; then
		unpack_debs amd64 "$CACHE/debs-amd64-pvh" "$XENROOT_PVH" trixie $PVH_PKGS
		[ -f "$XENROOT_PVH/boot/xen-4.20-amd64.efi" ] && [ -f "$OVMF" ] ||
			die "no boot/xen-4.20-amd64.efi or $OVMF in $PVH_PKGS"
		echo $PVH_PKGS | md5sum > "$XENROOT_PVH.stamp"
	fi
	for p in $PVH_PKGS; do
		versions="$versions
x86-pvh $p $(dpkg-deb -f "$(ls "$CACHE"/debs-amd64-pvh/"${p}"_*.deb | head -1)" Version)"
	done
fi
# What this run's results come from (check.sh copies it to results/).
echo "$versions" > "$CACHE/versions$BASE_SUFFIX"
