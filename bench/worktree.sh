#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# worktree.sh: a git worktree of the series to edit, $SRC/dev-$BASE, on
# branch series-$BASE: the tagged base plus "git am series/$BASE/*.patch".
# Edit it with git (commit --fixup, rebase -i --autosquash), then write
# it back with bench/export.sh.  An existing worktree is kept unless it is
# what series/$BASE/ already holds.
. "$(dirname "$0")/lib.sh"

DEV=$SRC/dev-$BASE
if ! "$BENCH_DIR/tree.sh" > /dev/null; then
	# A backport that no longer applies after a change to an upstream
	# patch it takes as it is: it is mended in the worktree it was made in.
	[ -e "$DEV/.git" ] || die "series/$BASE does not apply, and there is no $DEV to mend it in"
	log "series/$BASE does not apply (above): $DEV kept, as it was; mend the series there"
	echo "$DEV"
	exit 0
fi
stage_head=$(git -C "$SRC/stage" rev-parse HEAD)
if [ -e "$DEV/.git" ]; then
	if [ -n "$(git -C "$DEV" status --porcelain)" ] ||
	   [ -n "$(git -C "$DEV" diff "$stage_head" HEAD --stat)" ]; then
		log "$DEV differs from series/$BASE: kept (bench/export.sh writes it back)"
		echo "$DEV"
		exit 0
	fi
else
	git -C "$SRC/base" worktree prune
	git -C "$SRC/base" worktree add -q -B "series-$BASE" "$DEV" "$stage_head"
fi
git -C "$DEV" checkout -q -B "series-$BASE" "$stage_head"
log "$DEV: branch series-$BASE, $(git -C "$DEV" rev-list --count "$BASE_TAG..HEAD") patches on $BASE_TAG"
echo "$DEV"
