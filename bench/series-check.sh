#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# series-check.sh: the gates on series/$BASE/, one line per gate:
# checkpatch --strict of the base on every patch (less the types listed
# with a reason in bench/checkpatch-ignore), "git am" on a clean base
# (bench/tree.sh's stage, which this script then walks commit by commit),
# every patch built on its own (drivers/xen/, arch/arm64/xen/ and the
# other C files the series changes, with the arm64 config of the base's
# kernel, BASE_FLAVOUR, and the KUnit tests, W=1), sparse (C=2) on the
# same with no warning that the base does not have, and for a backport,
# its range-diff against the upstream series as recorded.
. "$(dirname "$0")/lib.sh"

WT=$SRC/stage
O=$BUILD/series-bisect
# So that every patch builds what it touches.
DIRS=$(series_dirs)
MAKE=(make -C "$WT" O="$O" CC="ccache ${CROSS_COMPILE}gcc" -j"$JOBS")
patches=$(series_patches)
ignore=$(grep -v '^#' "$BENCH_DIR/checkpatch-ignore" | cut -f1 | paste -sd, -)

# checkpatch one patch: one result line.
checkpatch() {
	local n out
	n=$(basename "$1" | cut -c1-4)
	if out=$(cd "$SRC/base" && scripts/checkpatch.pl --strict --show-types \
		--ignore "$ignore" -q "$1" 2>&1); then
		echo "PASS series$BASE_SUFFIX.$n.checkpatch"
	else
		echo "FAIL series$BASE_SUFFIX.$n.checkpatch $(echo "$out" | grep -m1 -E '^(ERROR|WARNING|CHECK)')"
	fi
}
export -f checkpatch
export SRC ignore BASE_SUFFIX
# One checkpatch per CPU; the lines in patch order.
printf '%s\n' $patches | xargs -P "$(nproc)" -I{} bash -c 'checkpatch {}' | sort -k2

# bench/tree.sh made the stage with "git am" of the series on a clean
# $BASE_TAG, and stops everything when a patch does not apply.
head=$(git -C "$WT" rev-parse HEAD)
n=$(git -C "$WT" rev-list --count "$BASE_TAG..$head")
if [ "$n" = "$(echo "$patches" | wc -w)" ] && git -C "$WT" diff --quiet "$head"; then
	echo "PASS series$BASE_SUFFIX.git-am $n patches on $(make -s -C "$WT" kernelversion)"
else
	echo "FAIL series$BASE_SUFFIX.git-am the stage holds $n commits on $BASE_TAG for $(echo "$patches" | wc -w) patches: run bench/tree.sh"
	exit 0
fi

# An integrator's tree without git (an unpacked linux-source tarball):
# apply.sh's patch -p1 path gives the files git am gave, and a tree the
# series does not fit is refused whole, naming the patch.
tar_tree() {
	rm -rf "$1"
	mkdir -p "$1"
	git -C "$SRC/base" archive "$BASE_TAG" Makefile drivers/xen \
		$(git -C "$WT" diff --name-only --no-renames --diff-filter=a "$BASE_TAG" "$head") | tar -x -C "$1"
}
t=$BUILD/apply-tarball
tar_tree "$t"
if ! out=$("$BENCH_DIR/apply.sh" "$t" 2>&1); then
	echo "FAIL series$BASE_SUFFIX.apply-tarball $(echo "$out" | tail -1)"
elif bad=$(cd "$WT" && git diff --name-only --no-renames "$BASE_TAG" "$head" | while read -r f; do
		[ -e "$f" ] || [ ! -e "$t/$f" ] || echo "$f"; [ ! -e "$f" ] || cmp -s "$f" "$t/$f" || echo "$f"
	done) && [ -n "$bad" ]; then
	echo "FAIL series$BASE_SUFFIX.apply-tarball differs from git am in: $(echo $bad | cut -c1-160)"
else
	echo "PASS series$BASE_SUFFIX.apply-tarball make apply on a tree without git: the files of git am"
fi
tar_tree "$t"
f=$(sed -n 's|^+++ b/||p' $(echo "$patches" | tail -1) | head -1)
[ ! -f "$t/$f" ] || echo "not what the series was written against" > "$t/$f"
sum=$(find "$t" -type f -exec md5sum {} + | sort | md5sum)
if out=$("$BENCH_DIR/apply.sh" "$t" 2>&1); then
	echo "FAIL series$BASE_SUFFIX.apply-refused a tree with $f replaced took the series"
elif [ "$(find "$t" -type f -exec md5sum {} + | sort | md5sum)" != "$sum" ]; then
	echo "FAIL series$BASE_SUFFIX.apply-refused the refused tree was changed"
elif ! grep -qF "$(basename "$(echo "$patches" | tail -1)")" <<< "$out"; then
	echo "FAIL series$BASE_SUFFIX.apply-refused the error names no patch: $(echo "$out" | head -1)"
else
	echo "PASS series$BASE_SUFFIX.apply-refused $f replaced: $(echo "$out" | grep -m1 'does not apply' | cut -c1-120)"
fi
rm -rf "$t"

# A backport differs from its upstream patches as series/$BASE/range-diff
# recorded when it was written (bench/export.sh): a change to an upstream
# patch that the backport has not followed shows here.
if [ -n "$BASE_UPSTREAM" ]; then
	rd=$RESULTS/range-diff$BASE_SUFFIX
	mkdir -p "$RESULTS"
	if ! "$BENCH_DIR/range-diff.py" "$REPO_DIR/series/$BASE_UPSTREAM" "$SERIES_DIR" "$BASE" > "$rd"; then
		echo "FAIL series$BASE_SUFFIX.range-diff $(grep -m1 '!' "$rd" | grep -v '^     ') (results/$(basename "$rd"))"
	elif ! diff -u "$SERIES_DIR/range-diff" "$rd" > "$rd.diff"; then
		echo "FAIL series$BASE_SUFFIX.range-diff differs from series/$BASE/range-diff, first at: $(sed -n '3,$p' "$rd.diff" | grep -m1 '^[-+]' | cut -c1-120) (results/$(basename "$rd").diff): port the upstream change, then make export BASE=$BASE"
	else
		echo "PASS series$BASE_SUFFIX.range-diff $(grep -c '^[0-9]* = ' "$rd") patches as in $BASE_UPSTREAM, $(grep -c '^[0-9]* ! ' "$rd") adjusted, each with its note, as recorded"
	fi
fi

# The arm64 config of the base's kernel (the test config for mainline),
# with the KUnit tests where the series has them.
mkdir -p "$O"
if ! cmp -s "$BUILD/patched-$BASE_FLAVOUR/.config" "$O/.config.want"; then
	cp "$BUILD/patched-$BASE_FLAVOUR/.config" "$O/.config.want"
	rm -f "$O/.config"
fi
cfg() {
	local kconfig
	# The Kconfig files and the wanted config decide the .config.
	kconfig=$( { git -C "$WT" ls-tree -r HEAD | grep -E '/Kconfig[^/]*$'
		cat "$O/.config.want"; } | sha1sum)
	[ -f "$O/.config" ] && [ "$kconfig" = "$(cat "$O/.config.key" 2> /dev/null)" ] && return
	grep -v -E '^(# )?CONFIG_(KUNIT|XEN_[A-Z_]*KUNIT_TEST)[= ]' "$O/.config.want" > "$O/.config"
	printf 'CONFIG_KUNIT=y\nCONFIG_XEN_UNPOPULATED_KUNIT_TEST=y\nCONFIG_XEN_EXT_REGIONS_KUNIT_TEST=y\n' >> "$O/.config"
	"${MAKE[@]}" -s olddefconfig > /dev/null
	echo "$kconfig" > "$O/.config.key"
}

# sparse warnings of the directories, without line numbers.
sparse_of() {
	{ "${MAKE[@]}" C=2 $DIRS 2>&1 || true; } |
		{ grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' || true; } |
		sed -E 's/:[0-9]+:[0-9]+:/:/' | sort -u
}

# The base's warnings, and a patch's build, change only with the config,
# this script and what it builds: keyed on those.
key=$( { cat "$O/.config.want" "$BENCH_DIR/series-check.sh"; echo "$DIRS"; } | sha1sum | cut -c1-40)
if [ "$(cat "$O.sparse.base.key" 2> /dev/null)" != "$key" ]; then
	git -C "$WT" checkout -q --detach "$BASE_TAG"
	cfg
	sparse_of > "$O.sparse.base"
	echo "$key" > "$O.sparse.base.key"
fi
# A patch whose tree built before with the same wanted config is not built
# again: after a change, only the patches it reaches are.
built=$O.built
touch "$built"
for c in $(git -C "$WT" rev-list --reverse "$BASE_TAG".."$head"); do
	n=$(git -C "$WT" rev-list --count "$BASE_TAG".."$c")
	tree=$(git -C "$WT" rev-parse "$c^{tree}")
	if line=$(grep -m1 "^$tree $key " "$built"); then
		echo "${line#* * } (tree built before)"
		continue
	fi
	git -C "$WT" checkout -q --detach "$c"
	cfg
	if "${MAKE[@]}" W=1 $DIRS > "$O.$n.log" 2>&1; then
		w=$(grep -cE '^[^ ]+:[0-9]+:[0-9]+: warning:' "$O.$n.log" || true)
		line="PASS series$BASE_SUFFIX.$(printf %04d "$n").builds $DIRS W=1, $w warnings"
		echo "$tree $key $line" >> "$built"
	else
		line="FAIL series$BASE_SUFFIX.$(printf %04d "$n").builds $(grep -m1 -E 'error:|Error [0-9]' "$O.$n.log")"
	fi
	echo "$line"
done
# A fix (a patch with a Fixes: tag or for stable) goes to the stable
# trees on its own: it must apply and build alone on the clean base.
for p in $patches; do
	grep -qE '^(Fixes: |Cc: stable@)' "$p" || continue
	name=series$BASE_SUFFIX.$(basename "$p" | cut -c1-4).alone
	git -C "$WT" checkout -q -f --detach "$BASE_TAG"
	if ! git -C "$WT" apply --index "$p" 2> "$O.alone.log"; then
		echo "FAIL $name does not apply alone on $BASE_TAG: $(head -1 "$O.alone.log")"
		continue
	fi
	tree=$(git -C "$WT" write-tree)
	# Only trees that built are recorded.
	if grep -q "^$tree $key " "$built"; then
		echo "PASS $name applies and builds alone on $BASE_TAG (tree built before)"
		continue
	fi
	cfg
	if "${MAKE[@]}" W=1 $DIRS > "$O.alone.log" 2>&1; then
		line="PASS $name applies and builds alone on $BASE_TAG"
		echo "$tree $key $line" >> "$built"
	else
		line="FAIL $name does not build alone on $BASE_TAG: $(grep -m1 -E 'error:|Error [0-9]' "$O.alone.log")"
	fi
	echo "$line"
done
git -C "$WT" reset -q --hard
git -C "$WT" checkout -q --detach "$head"
cfg
sparse_of > "$O.sparse.head"
new=$(comm -13 "$O.sparse.base" "$O.sparse.head")
if [ -z "$new" ]; then
	echo "PASS series$BASE_SUFFIX.sparse C=2 $DIRS: no new warning ($(wc -l < "$O.sparse.head") in all, as in the base)"
else
	echo "FAIL series$BASE_SUFFIX.sparse $(echo "$new" | head -2 | tr '\n' ' ')"
fi
