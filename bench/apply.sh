#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# apply.sh TREE: apply the series of bases/$BASE (series/$BASE/, its list
# resolved: a backport names the mainline patches it takes as they are) to
# the kernel tree TREE, in order.  In a git tree with "git am", so that
# each patch is a commit; in any other (an unpacked linux-source tarball)
# with "patch -p1", after a dry run of all of them on a copy of the files
# they touch, so that a series that does not apply changes nothing.  A
# patch that does not apply stops it with its name and the hunks that
# failed.  What "make apply" runs, and what bench/tree.sh makes the trees
# of every check with.
. "$(dirname "$0")/lib.sh"

tree=${1:?usage: apply.sh TREE (make apply BASE=... TREE=...)}
[ -f "$tree/Makefile" ] && [ -d "$tree/drivers/xen" ] || die "$tree is not a kernel tree"
patches=$(series_patches)
[ -n "$patches" ] || die "no patches in series/$BASE/"
for p in $patches; do
	[ -f "$p" ] || die "series/$BASE/series names $p, which is missing"
done

if [ "$(git -C "$tree" rev-parse --show-toplevel 2> /dev/null || true)" = "$(cd "$tree" && pwd -P)" ]; then
	# A git am or rebase of the user's own in progress is not ours to abort.
	for d in rebase-apply rebase-merge; do
		[ ! -e "$(git -C "$tree" rev-parse --git-path "$d")" ] ||
			die "$tree has a git am or rebase in progress ($d): finish or abort it first"
	done
	amlog=$(mktemp)
	trap 'rm -f "$amlog"' EXIT
	# The committer: the user's, or one for a machine that has none.
	who=()
	git -C "$tree" config user.email > /dev/null || who=(-c user.name=bench -c user.email=bench@localhost)
	if ! git -C "$tree" "${who[@]}" am -q --no-3way $patches > "$amlog" 2>&1; then
		echo "series/$BASE: $(grep -m1 '^Patch failed at' "$amlog" || head -1 "$amlog")" >&2
		git -C "$tree" am --show-current-patch=diff 2> /dev/null |
			git -C "$tree" apply --check --verbose 2>&1 | grep -E '^(error|Checking)' >&2 || true
		git -C "$tree" am --abort > /dev/null 2>&1 || true
		die "series/$BASE does not apply to $tree (git am aborted: the tree is as it was)"
	fi
	log "series/$BASE: $(echo "$patches" | wc -w) patches applied to $tree with git am"
	exit 0
fi

# Not a git tree: every patch on a scratch copy of what the series touches,
# then for real.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
files=$(cat $patches | sed -n 's|^--- a/||p; s|^+++ b/||p' | sort -u)
(cd "$tree" && for f in $files; do [ ! -e "$f" ] || echo "$f"; done | cpio -pdm --quiet "$scratch")
for p in $patches; do
	if ! out=$(patch -d "$scratch" -p1 --forward --batch --fuzz=0 --no-backup-if-mismatch \
			--quiet < "$p" 2>&1); then
		echo "series/$BASE: $(basename "$p") does not apply:" >&2
		echo "$out" | grep -E 'FAILED|failed|malformed|Reversed|not found|No file' >&2 || echo "$out" >&2
		die "series/$BASE does not apply to $tree (nothing changed)"
	fi
done
for p in $patches; do
	patch -d "$tree" -p1 --forward --batch --fuzz=0 --no-backup-if-mismatch --quiet < "$p" ||
		die "$(basename "$p") applied to a copy but not to $tree: the tree is half patched"
done
log "series/$BASE: $(echo "$patches" | wc -w) patches applied to $tree with patch -p1"
