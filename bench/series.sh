#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# series.sh: write out/series/, the change as a git am-able series against
# Debian's linux-source-6.1 (tag "base"), with a cover letter.  Each patch
# is built from the final tree ($SRC/stage, which tree.sh assembles) by
# taking the files of one step of the design; the messages are in
# bench/series/NN-*.txt.
. "$(dirname "$0")/lib.sh"

OUT=${SERIES_OUT:-$REPO_DIR/out/series}
WT=$SRC/series
final=$SRC/stage
NAME=${SERIES_NAME:-$(git -C "$REPO_DIR" log -1 --format=%an)}
EMAIL=${SERIES_EMAIL:-$(git -C "$REPO_DIR" log -1 --format=%ae)}
GIT=(git -c "user.name=$NAME" -c "user.email=$EMAIL" -c advice.detachedHead=false)
SOB="Signed-off-by: $NAME <$EMAIL>"

"$BENCH_DIR/tree.sh" > /dev/null
if [ ! -e "$WT/.git" ]; then
	git -C "$SRC/base" worktree prune
	git -C "$SRC/base" worktree add -q --detach "$WT" base
fi
"${GIT[@]}" -C "$WT" checkout -q -f --detach base
"${GIT[@]}" -C "$WT" clean -q -fdx

# take FILE...: the final version of each file (or its removal).
take() {
	local f
	for f in "$@"; do
		if [ -e "$final/$f" ]; then
			mkdir -p "$(dirname "$WT/$f")"
			cp "$final/$f" "$WT/$f"
		else
			rm -f "$WT/$f"
		fi
	done
}

# apply PATCH: one of patches/, whole.
apply() {
	patch -d "$WT" -p1 -s --no-backup-if-mismatch < "$REPO_DIR/patches/$1" ||
		die "patches/$1 does not apply at this step"
}

# drop_tests FILE: remove what only the KUnit tests need from a file that
# steps 5 to 8 add in its final form (step 9 puts it back).
drop_tests() {
	python3 - "$WT/$1" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
# C: the include of the tests; Kconfig: the two test entries; Makefile:
# the test lines.
s = re.sub(r"\n#ifdef CONFIG_XEN_UNPOPULATED_KUNIT_TEST\n.*?#endif\n", "", s, flags=re.S)
s = re.sub(r"config XEN_\w+_KUNIT_TEST\n(?:(?!config |endmenu).*\n)*", "", s)
s = re.sub(r".*(KUNIT_TEST|ext-regions-test|test blob).*\n", "", s)
open(p, "w").write(s)
PY
}

commit() {
	local msg=$BENCH_DIR/series/$1.txt
	[ -f "$msg" ] || die "no message $msg"
	"${GIT[@]}" -C "$WT" add -A
	{ cat "$msg"; echo; echo "$SOB"; } | "${GIT[@]}" -C "$WT" commit -q -F -
}

apply xen-gntdev-copy-to-user-unlocked.patch
commit 01-gntdev

apply xen-privcmd-mmap-resource-check-vma.patch
commit 02-privcmd

apply xen-privcmd-mmap-resource-remap-pages.patch
commit 02-privcmd-pages

take Documentation/devicetree/bindings/arm/xen.yaml
apply dt-bindings-xen-txt-remove.patch
commit 03-binding

take drivers/xen/ext-regions.c include/xen/ext-regions.h
sed -i 's/^obj-$(CONFIG_XEN_UNPOPULATED_ALLOC)\t+= unpopulated-alloc.o$/&\nobj-$(CONFIG_XEN_UNPOPULATED_ALLOC)\t+= ext-regions.o/' \
	"$WT/drivers/xen/Makefile"
grep -q ext-regions.o "$WT/drivers/xen/Makefile" || die "step 4: Makefile line not found"
commit 04-discovery

# Steps 5 to 8 build the pool up: bench/series/NN-*.diff hold what steps 6,
# 7 and 8 add to unpopulated-pool.c, so that taking them back off the final
# file, last first, gives the file of each earlier step.
pool=drivers/xen/unpopulated-pool.c
steps=$(mktemp -d)
trap 'rm -rf "$steps"' EXIT
take $pool
drop_tests $pool
cp "$WT/$pool" "$steps/8"
for n in 8 7 6; do
	cp "$steps/$n" "$steps/$((n - 1))"
	patch -s -R --no-backup-if-mismatch "$steps/$((n - 1))" < "$BENCH_DIR"/series/0$n-*.diff ||
		die "bench/series/0$n-*.diff no longer fits $pool: regenerate it"
done

# pool_step N: unpopulated-pool.c as step N leaves it.
pool_step() {
	cp "$steps/$1" "$WT/$pool"
}

take drivers/xen/unpopulated-alloc.c drivers/xen/Kconfig drivers/xen/Makefile \
	include/xen/xen.h arch/arm/xen/enlighten.c
for f in drivers/xen/Kconfig drivers/xen/Makefile; do
	drop_tests "$f"
done
cp "$WT/drivers/xen/Kconfig" "$steps/Kconfig"
# The parameter the help text points to comes with step 6.
python3 - "$WT/drivers/xen/Kconfig" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
old = """fallback when
	  there is none or they run out (see xen_unpopulated= in
	  Documentation/admin-guide/kernel-parameters.txt).
"""
assert old in s, "step 5: Kconfig help text not found"
open(p, "w").write(s.replace(old, "fallback when\n\t  there is none.\n"))
PY
pool_step 5
commit 05-pool

pool_step 6
cp "$steps/Kconfig" "$WT/drivers/xen/Kconfig"
take Documentation/admin-guide/kernel-parameters.txt
commit 06-fallback

pool_step 7
commit 07-give-back

pool_step 8
commit 08-debugfs

take drivers/xen/unpopulated-pool.c drivers/xen/Kconfig drivers/xen/Makefile \
	drivers/xen/unpopulated-pool-test.c drivers/xen/ext-regions-test.c \
	drivers/xen/ext-regions-test.dts drivers/xen/.kunitconfig
commit 09-kunit

take $(cd "$final" && find tools/testing/selftests/xen -type f ! -path "*/upop_bench/*")
commit 10-selftests

take Documentation/driver-api/xen/index.rst Documentation/driver-api/xen/unpopulated-alloc.rst \
	Documentation/driver-api/index.rst
commit 11-docs

take MAINTAINERS
commit 12-maintainers

# Everything of the final tree but the bench's own module is in the series.
left=$(cd "$final" && git diff --name-only HEAD -- . ':!tools/testing/selftests/xen/upop_bench' |
	while read -r f; do cmp -s "$final/$f" "$WT/$f" 2>/dev/null ||
		{ [ ! -e "$final/$f" ] && [ ! -e "$WT/$f" ]; } || echo "$f"; done)
left="$left $(cd "$final" && git ls-files --others --exclude-standard |
	while read -r f; do case $f in */upop_bench/*) ;; *) cmp -s "$final/$f" "$WT/$f" || echo "$f" ;; esac; done)"
[ -z "${left// /}" ] || die "the series misses: $left"

rm -rf "$OUT"
mkdir -p "$OUT"
"${GIT[@]}" -C "$WT" format-patch -q --cover-letter --thread -o "$OUT" base
# The cover letter's subject and blurb.
python3 - "$OUT"/0000-cover-letter.patch "$BENCH_DIR/series/00-cover.txt" <<'PY'
import sys
p, c = sys.argv[1:]
subject, _, blurb = open(c).read().partition("\n\n")
s = open(p).read()
s = s.replace("*** SUBJECT HERE ***", subject.strip())
s = s.replace("*** BLURB HERE ***", blurb.strip())
open(p, "w").write(s)
PY
log "series: $(ls "$OUT" | wc -l) files in $OUT"
ls "$OUT"
