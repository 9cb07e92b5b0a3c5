#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Assemble the kernel trees in the cache, for the base named by $BASE
# (bases/$BASE; default mainline):
#   $SRC/base     Debian's kernel source, a git repository whose one commit
#                 is tagged $BASE_TAG
#   $SRC/stage    the tag + "git am series/$BASE/*.patch", redone each run
#   $SRC/patched  checked out at the stage's commit: git rewrites only the
#                 files that differ, so builds stay incremental
. "$(dirname "$0")/lib.sh"

GIT="git -c advice.detachedHead=false"
# Reproducible: the same tarball gives the same base commit.
BASE_DATE="2000-01-01T00:00:00Z"

# The base's package in the cache (setup.sh: of the version bases/$BASE
# records, or the suite's current one when that is gone), and its version.
base_deb() {
	local deb
	deb=$(ls "$CACHE/debs-base$BASE_SUFFIX/${BASE_PACKAGE}_"*.deb 2> /dev/null | head -1 || true)
	[ -n "$deb" ] || die "no $BASE_PACKAGE package in $CACHE/debs-base$BASE_SUFFIX: run bench/setup.sh"
	echo "$deb"
}
base_deb_version() { dpkg-deb -f "$(base_deb)" Version; }

make_base() {
	local deb tmp=$SRC/base.tmp unpack=$SRC/base.deb
	deb=$(base_deb)
	rm -rf "$tmp" "$unpack"
	mkdir -p "$tmp" "$unpack"
	dpkg-deb -x "$deb" "$unpack"
	tar -C "$tmp" --strip-components=1 -xf "$unpack/$BASE_TARBALL"
	rm -rf "$unpack"
	# Debian's .gitignore ends by ignoring the whole top level.
	sed -i '/^# Debian packaging/,$d' "$tmp/.gitignore"
	sed -i '${/^#$/d}' "$tmp/.gitignore"
	(cd "$tmp" && $GIT init -q && $GIT add -A &&
	 GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE \
	 $GIT -c user.name=Debian -c user.email=debian-kernel@lists.debian.org commit -qm \
		"Linux $(make -s kernelversion) (Debian $BASE_PACKAGE $(base_deb_version))" &&
	 $GIT tag "$BASE_TAG")
	mv "$tmp" "$SRC/base"
}

# A worktree of the base repository at $2 (a commit), created if missing.
worktree() {
	local wt=$1
	if [ ! -e "$wt/.git" ]; then
		rm -rf "$wt"
		$GIT -C "$SRC/base" worktree prune
		$GIT -C "$SRC/base" worktree add -q --detach "$wt" "$BASE_TAG"
	fi
	# A "git am" that stopped is abandoned (its state too, which an abort
	# after "git apply --reject" has been seen to leave).
	$GIT -C "$wt" am --abort > /dev/null 2>&1 || true
	rm -rf "$($GIT -C "$wt" rev-parse --git-path rebase-apply)"
	$GIT -C "$wt" checkout -q -f --detach "$2"
}

# The series on a clean base, applied as an integrator applies it
# (apply.sh); a patch that does not apply stops everything with its name
# and the hunks that failed.
make_stage() {
	local s=$SRC/stage
	worktree "$s" "$BASE_TAG"
	$GIT -C "$s" clean -q -fdx
	"$BENCH_DIR/apply.sh" "$s"
	[ "$($GIT -C "$s" rev-list --count "$BASE_TAG..HEAD")" -gt 0 ] ||
		die "$s: the series was applied without commits (is it a git tree for this user?)"
	$GIT -C "$s" diff --name-only "$BASE_TAG" HEAD > "$SRC/stage.files"
}

check_disk
mkdir -p "$SRC"
# A base repository without this base's tag, or made from another version
# of its package (setup.sh took the suite's current one), is not this base:
# redo it and every tree made from it.
if [ -d "$SRC/base/.git" ] &&
   ! git -C "$SRC/base" log -1 --format=%s "refs/tags/$BASE_TAG" 2> /dev/null |
	grep -qF "(Debian $BASE_PACKAGE $(base_deb_version))"; then
	log "$SRC/base is not $BASE_TAG from $BASE_PACKAGE $(base_deb_version): extracting it again"
	rm -rf "$SRC/base" "$SRC/stage" "$SRC/patched" "$SRC/series-am" "$BUILD"/*
fi
[ -d "$SRC/base/.git" ] || stage "extract base" make_base
make_stage
worktree "$SRC/patched" "$($GIT -C "$SRC/stage" rev-parse HEAD)"
log "base $BASE_TAG, $(series_patches | wc -w) patches, $(wc -l < "$SRC/stage.files") files changed"
