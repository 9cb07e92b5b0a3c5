#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the bench needs from Debian, idempotently; download the
# kernel base of bases/$BASE and unpack Debian's Xen 4.17 arm64 packages,
# and its amd64 hypervisor for the x86 PV dom0, into the cache.
. "$(dirname "$0")/lib.sh"

HOST_PKGS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross
qemu-system-arm qemu-system-x86 gcc libc6-dev device-tree-compiler bc flex bison libssl-dev libelf-dev cpio
kmod rsync ccache python3 python3-ply python3-git xz-utils gzip gnuplot-nox sparse"

# Xen and the arm64 userland of the dom0 and domU initramfs.
ARM64_PKGS="xen-hypervisor-4.17-arm64 xen-utils-4.17 xen-utils-common
xenstore-utils busybox-static libc6 libncurses6 libtinfo6 libxencall1
libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenmisc4.17 libxenstore4
libxentoollog1 libxentoolcore1 libyajl2 libext2fs2 libfdt1 libuuid1
libxendevicemodel1 libxenhypfs1 zlib1g libgcc-s1 libcom-err2 libzstd1
liblzma5 libbz2-1.0 liblzo2-2"
# The x86 PV dom0 (scenario x86-pv): Xen and a static busybox.
AMD64_PKGS="xen-hypervisor-4.17-amd64 busybox-static"

[ "$(id -u)" = 0 ] || die "setup needs root (apt-get, dpkg --add-architecture)"
check_disk

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return
	log "apt-get update"
	apt-get update -qq || die "apt-get update failed: is the Debian archive reachable?"
	apt_updated=1
}

missing=
for p in $HOST_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	apt_updated=
fi
if [ -n "$missing" ]; then
	apt_update
	log "installing:$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
		> "$CACHE/apt-install.log" 2>&1 ||
		{ tail -20 "$CACHE/apt-install.log" >&2; die "apt-get install failed (log: $CACHE/apt-install.log)"; }
fi

# The kernel base comes from a newer suite (bases/$BASE names it): a private
# apt state, so that the host's own sources stay as they are.
base_deb() {
	local a=$CACHE/apt uri
	ls "$CACHE"/debs-base/"${BASE_PACKAGE}_${BASE_VERSION//:/%3a}"_*.deb > /dev/null 2>&1 && return
	uri=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2> /dev/null | head -1)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2> /dev/null)
	[ -n "$uri" ] || die "cannot tell the Debian archive URI from /etc/apt"
	mkdir -p "$a/state/lists/partial" "$a/cache/archives/partial" "$CACHE/debs-base"
	for suite in $BASE_SUITES; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
	done > "$a/sources.list"
	local opts=(-o "Dir::State=$a/state" -o "Dir::Cache=$a/cache"
		-o "Dir::Etc::SourceList=$a/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::status=/var/lib/dpkg/status -o APT::Sandbox::User=root)
	log "downloading $BASE_PACKAGE $BASE_VERSION ($BASE_SUITES)"
	apt-get "${opts[@]}" update -qq > "$CACHE/apt-base.log" 2>&1 &&
	(cd "$CACHE/debs-base" && rm -f ./*.deb &&
	 apt-get "${opts[@]}" download "$BASE_PACKAGE=$BASE_VERSION" >> "$CACHE/apt-base.log" 2>&1) ||
		{ tail -20 "$CACHE/apt-base.log" >&2; die "cannot download $BASE_PACKAGE $BASE_VERSION"; }
}
base_deb

# unpack_debs ARCH DIR ROOT PKGS...: download into DIR the packages of
# ARCH that it lacks, and unpack all of them into a fresh ROOT.
unpack_debs() {
	local arch=$1 dir=$2 root=$3 p d pkgs=
	shift 3
	mkdir -p "$dir"
	for p in "$@"; do
		ls "$dir/${p}_"*_"$arch".deb > /dev/null 2>&1 || pkgs="$pkgs $p:$arch"
	done
	if [ -n "$pkgs" ]; then
		apt_update
		log "downloading $arch packages:$pkgs"
		(cd "$dir" && apt-get download $pkgs >> "$CACHE/apt-download.log" 2>&1) ||
			{ tail -20 "$CACHE/apt-download.log" >&2; die "apt-get download failed"; }
	fi
	rm -rf "$root"
	mkdir -p "$root"
	for d in "$dir"/*_"$arch".deb; do
		dpkg-deb -x "$d" "$root"
	done
}

stamp=$CACHE/xenroot.stamp
want=$(echo $ARM64_PKGS | md5sum | cut -c1-8)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -f "$XEN_IMAGE" ]; then
	unpack_debs arm64 "$CACHE/debs" "$XENROOT" $ARM64_PKGS
	[ -f "$XEN_IMAGE" ] || die "no $XEN_IMAGE in xen-hypervisor-4.17-arm64"
	echo "$want" > "$stamp"
fi
# amd64: the same archive as the host's, so the host's apt state serves.
if [ "$(cat "$XENROOT_X86.stamp" 2>/dev/null)" != "$(echo $AMD64_PKGS | md5sum)" ] ||
   [ ! -f "$XEN_IMAGE_X86" ]; then
	unpack_debs amd64 "$CACHE/debs-amd64" "$XENROOT_X86" $AMD64_PKGS
	# QEMU loads the ELF multiboot image, not the gzip'd one.
	zcat "$XENROOT_X86"/boot/xen-4.17-amd64.gz > "$XEN_IMAGE_X86" ||
		die "no boot/xen-4.17-amd64.gz in xen-hypervisor-4.17-amd64"
	echo $AMD64_PKGS | md5sum > "$XENROOT_X86.stamp"
fi
log "setup ok: Xen $(ls "$CACHE"/debs/xen-hypervisor-4.17-arm64_*.deb | sed 's/.*_\(4[^_]*\)_.*/\1/')"
