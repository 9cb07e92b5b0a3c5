#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Assemble the kernel trees in the cache:
#   $SRC/base     Debian's linux-source-6.1, a git repository tagged "base"
#   $SRC/stage    base + this repository's files + patches/series, rebuilt
#                 from scratch on every run
#   $SRC/patched  what the patched kernel is built from; only files whose
#                 content changed are rewritten, so builds stay incremental
. "$(dirname "$0")/lib.sh"

TARBALL=/usr/src/linux-source-6.1.tar.xz
OVERLAY_DIRS="drivers arch include Documentation tools"
GIT="git -c user.name=bench -c user.email=bench@localhost -c advice.detachedHead=false"

make_base() {
	[ -f "$TARBALL" ] || die "$TARBALL missing: run bench/setup.sh (package linux-source-6.1)"
	rm -rf "$SRC/base.tmp"
	mkdir -p "$SRC/base.tmp"
	tar -C "$SRC/base.tmp" --strip-components=1 -xf "$TARBALL"
	# Debian's .gitignore ends by ignoring the whole top level.
	sed -i '/^# Debian packaging/,$d' "$SRC/base.tmp/.gitignore"
	sed -i '${/^#$/d}' "$SRC/base.tmp/.gitignore"
	(cd "$SRC/base.tmp" && $GIT init -q && $GIT add -A &&
	 $GIT commit -qm "Linux $(base_version) (Debian linux-source-6.1)" && $GIT tag base)
	mv "$SRC/base.tmp" "$SRC/base"
}

base_version() {
	make -s -C "${1:-$SRC/base.tmp}" kernelversion 2>/dev/null
}

make_stage() {
	local s=$SRC/stage p
	if [ ! -d "$s/.git" ] && [ ! -f "$s/.git" ]; then
		rm -rf "$s"
		$GIT -C "$SRC/base" worktree prune
		$GIT -C "$SRC/base" worktree add -q --detach "$s" base
	fi
	$GIT -C "$s" checkout -q -f --detach base
	$GIT -C "$s" clean -q -fdx
	for d in $OVERLAY_DIRS; do
		[ -d "$REPO_DIR/$d" ] && cp -r "$REPO_DIR/$d" "$s/"
	done
	if [ -f "$REPO_DIR/patches/series" ]; then
		while read -r p; do
			case "$p" in ''|'#'*) continue ;; esac
			[ -f "$REPO_DIR/patches/$p" ] || die "patches/series names $p, which does not exist"
			rm -f "$CACHE/patch.rej"
			if ! patch -d "$s" -p1 -s -N -r "$CACHE/patch.rej" --no-backup-if-mismatch \
				< "$REPO_DIR/patches/$p" > "$CACHE/patch.log" 2>&1; then
				echo "patch $p does not apply on $(base_version "$s"):" >&2
				cat "$CACHE/patch.log" >&2
				[ -f "$CACHE/patch.rej" ] && { echo "failing hunks:" >&2; cat "$CACHE/patch.rej" >&2; }
				die "patch $p failed"
			fi
		done < "$REPO_DIR/patches/series"
	fi
	$GIT -C "$s" add -A
	$GIT -C "$s" diff --cached --name-only base > "$SRC/stage.files"
}

# Copy into $SRC/patched only what differs, so that make sees new mtimes
# on changed files only.
sync_patched() {
	local p=$SRC/patched f
	if [ ! -e "$p/.git" ]; then
		rm -rf "$p"
		$GIT -C "$SRC/base" worktree prune
		$GIT -C "$SRC/base" worktree add -q --detach "$p" base
		: > "$SRC/patched.files"
	fi
	sort -u "$SRC/stage.files" "$SRC/patched.files" | while read -r f; do
		if [ -e "$SRC/stage/$f" ]; then
			cmp -s "$SRC/stage/$f" "$p/$f" && continue
			mkdir -p "$(dirname "$p/$f")"
			cp "$SRC/stage/$f" "$p/$f"
		else
			rm -f "$p/$f"
		fi
	done
	cp "$SRC/stage.files" "$SRC/patched.files"
	# The kernel's .gitignore leaves dotfiles out of git; dt_binding_check
	# needs this one.
	cp -n "$SRC/base/Documentation/devicetree/bindings/.yamllint" \
		"$p/Documentation/devicetree/bindings/"
}

check_disk
mkdir -p "$SRC"
[ -d "$SRC/base/.git" ] || stage "extract base" make_base
make_stage
sync_patched
log "base $(make -s -C "$SRC/base" kernelversion), $(wc -l < "$SRC/stage.files") files changed by this repository"
