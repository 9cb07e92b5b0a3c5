#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# export.sh: write the developer's branch (bench/worktree.sh) back to
# series/$BASE/ with git format-patch.  The cover letter keeps its subject
# and text; its shortlog and diffstat are made anew.
. "$(dirname "$0")/lib.sh"

DEV=$SRC/dev-$BASE
[ -e "$DEV/.git" ] || die "no $DEV: make worktree first"
git -C "$DEV" diff --quiet HEAD && git -C "$DEV" diff --cached --quiet HEAD ||
	die "$DEV has uncommitted changes: commit them (git commit --fixup=...) first"
n=$(git -C "$DEV" rev-list --count "$BASE_TAG..HEAD")
[ "$n" -gt 0 ] || die "$DEV has no commit on $BASE_TAG"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A stable backport's subjects name its kernel: [PATCH 6.12 01/13].
prefix=PATCH
[ -z "$BASE_UPSTREAM" ] || prefix="PATCH $BASE"
git -C "$DEV" format-patch -q --zero-commit --no-signature --cover-letter \
	--subject-prefix="$prefix" -o "$tmp" "$BASE_TAG..HEAD"
old=$(ls "$SERIES_DIR"/0000-cover-letter.patch 2> /dev/null || true)
python3 - "$tmp/0000-cover-letter.patch" "$old" <<'PY'
import re, sys
new_p, old_p = sys.argv[1], sys.argv[2]
new = open(new_p).read()
if old_p:
    old = open(old_p).read()
    head, body = old.split("\n\n", 1)
    subj = re.search(r"^Subject: \[PATCH[^\]]*\] (.*(?:\n .*)*)", head, re.M).group(1)
    subj = re.sub(r"\n ", " ", subj)
    # The text ends where git's shortlog begins: "Name (N):".
    blurb = re.split(r"\n(?=\S.* \(\d+\):\n)", body, 1)[0].rstrip()
    # The recipients (scripts/get_maintainer.pl) stay as they were written.
    rcpt = "".join(m.group(0) + "\n" for m in
                   re.finditer(r"^(To|Cc): .*(?:\n .*)*", head, re.M))
    new = new.replace("*** SUBJECT HERE ***", subj).replace("*** BLURB HERE ***", blurb)
    new = re.sub(r"^(?=Subject: )", lambda m: rcpt, new, count=1, flags=re.M)
open(new_p, "w").write(new)
PY
if [ -n "$BASE_UPSTREAM" ]; then
	# A backport keeps only the patches it adjusted: series lists every
	# patch, the upstream file of one taken as it is, and range-diff
	# records how the others differ (series-check.sh compares).
	up=$REPO_DIR/series/$BASE_UPSTREAM
	"$BENCH_DIR/range-diff.py" "$up" "$tmp" "$BASE" > "$tmp/range-diff" ||
		{ cat "$tmp/range-diff" >&2; die "the backport does not pair up with series/$BASE_UPSTREAM"; }
	ups=($(ls "$up"/[0-9][0-9][0-9][0-9]-*.patch | grep -v '/0000-'))
	mine=($(ls "$tmp"/[0-9][0-9][0-9][0-9]-*.patch | grep -v '/0000-'))
	for i in "${!mine[@]}"; do
		if grep -q "^$(printf %04d $((i + 1))) = " "$tmp/range-diff"; then
			echo "../$BASE_UPSTREAM/$(basename "${ups[$i]}")"
			rm "${mine[$i]}"
		else
			basename "${mine[$i]}"
		fi
	done > "$tmp/series"
fi
mkdir -p "$SERIES_DIR"
rm -f "$SERIES_DIR"/[0-9][0-9][0-9][0-9]-*.patch
cp "$tmp"/* "$SERIES_DIR/"
log "series/$BASE: $n patches and the cover letter from $DEV"
git -C "$REPO_DIR" status --short -- "series/$BASE" >&2
