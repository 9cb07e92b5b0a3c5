#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build.sh KIND [FLAVOUR]: build the arm64 Image of the "patched" or "base"
# tree.  FLAVOUR "test" (default) adds the debug options (KASAN, lockdep,
# kmemleak, DEBUG_LIST) and the KUnit suites; "prod" only the KUnit suites
# (the production paths); "bench" neither.  The KUnit suites are built in
# and run only with kunit.enable=1 (bench/kunit.sh): the Image that boots
# as dom0 is the one the suites ran on.  A suffix "-16k" or "-64k" (e.g.
# "prod-64k") builds it with 16 or 64 KiB pages (config/pages-*.config).
# FLAVOUR "x86" builds the x86_64 PV dom0 of scenario x86-pv
# (config/x86_64-dom0.config, no debug options).
. "$(dirname "$0")/lib.sh"

kind=$1
flavour=${2:-test}
src=$SRC/$kind
[ -d "$src" ] || die "no tree $src: run bench/tree.sh"
# The objects live in a directory of the tree, so that the kernel builds
# with relative paths (srctree ".."): a build directory copied to the other
# tree (the base's, below) still holds, and the two trees share ccache
# entries; $BUILD/KIND-FLAVOUR, where the other scripts look, points there.
out=$src/.build-$flavour
link=$BUILD/$kind-$flavour
if [ -d "$link" ] && [ ! -L "$link" ]; then
	log "moving to the in-tree build directory: $link is rebuilt"
	rm -rf "$link"
fi
mkdir -p "$BUILD"
ln -sfn "$out" "$link"

lean=$BENCH_DIR/config/lean.config
frags="$BENCH_DIR/config/xen-guest.config $lean"
image=arch/arm64/boot/Image
case $flavour in
x86)
	export ARCH=x86_64 CROSS_COMPILE=
	frags="$BENCH_DIR/config/x86_64-dom0.config $lean"
	image=arch/x86/boot/bzImage
	;;
test|test-*) frags="$frags $BENCH_DIR/config/debug.config" ;;
esac
# The suites the series' own kunitconfig names (the base has none).
kunit_frag=$BUILD/$kind-$flavour.kunit.config
case $flavour in
test|test-*|prod|prod-*)
	{ cat "$BENCH_DIR/config/kunit.config"
	  grep -h '_KUNIT_TEST=y' "$src/drivers/xen/.kunitconfig" 2> /dev/null || true
	} > "$kunit_frag"
	frags="$frags $kunit_frag"
	;;
esac
case $flavour in
*-16k|*-64k) frags="$frags $BENCH_DIR/config/pages-${flavour##*-}.config" ;;
esac

# The base differs from the patched tree in the files the series changes:
# its build starts from a copy of the patched build of the same flavour,
# with those files touched, so that make rebuilds what depends on them and
# nothing else (54 s; a ccache pass still preprocesses every file, 4 to 6
# minutes).  Done again whenever the base's fragments change; the fix.*
# gates of check.sh fail if the base ever got the patched code.
seed=$SRC/patched/.build-$flavour
if [ "$kind" = base ] && [ -f "$seed/fragments" ] && [ -f "$SRC/stage.files" ] &&
	! cat $frags | cmp -s - "$out/fragments"; then
	log "base-$flavour: starting from the patched build"
	mkdir -p "$out"
	rsync -a --delete "$seed/" "$out/"
	(cd "$src" && while read -r f; do
		if [ -e "$f" ]; then touch "$f"; fi
	done < "$SRC/stage.files")
fi

mkdir -p "$out"
# shellcheck disable=SC2086 # the fragments are words
merge_config "$src" "$out" allnoconfig $frags

# TARGETS builds only part of the tree (e.g. TARGETS=drivers/xen/).
targets=${TARGETS:-$(basename "$image") modules headers_install}
if ! make -C "$src" O="$out" CC="ccache ${CROSS_COMPILE}gcc" -j"$JOBS" \
	$targets > "$out/build.log" 2>&1; then
	grep -E 'error|Error' "$out/build.log" | head -30 >&2
	die "$kind kernel build failed (log: $out/build.log)"
fi
grep -E '^[^ ]+:[0-9]+:[0-9]+: warning:' "$out/build.log" | sort -u > "$out/warnings" || true
[ -n "${TARGETS:-}" ] && { cat "$out/warnings"; exit 0; }
cp "$out/$image" "$out/Image"

# The bench's modules (the measuring one, vmemmap.sh's), from one source
# for every kernel, built afresh (seconds): a .mod.o left from an earlier
# config of the kernel once survived an incremental build, and insmod
# failed with "invalid module format" (struct module of another size).
for m in upop_bench vmemmap; do
	mdir=$out/$m
	rm -rf "$mdir"
	mkdir -p "$mdir"
	cp "$BENCH_DIR/$m"/* "$mdir/"
	make -C "$src" O="$out" CC="ccache ${CROSS_COMPILE}gcc" M="$mdir" modules \
		> "$mdir/build.log" 2>&1 || { tail -20 "$mdir/build.log" >&2; die "$m module build failed"; }
done
log "$kind-$flavour: Image $(($(stat -c %s "$out/Image") / 1024 / 1024)) MiB, $(wc -l < "$out/warnings") warnings"
