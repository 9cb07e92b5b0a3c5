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
# step 5 adds in its final form (step 6 puts it back).
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

take Documentation/devicetree/bindings/arm/xen.yaml
apply dt-bindings-xen-txt-remove.patch
commit 03-binding

take drivers/xen/ext-regions.c include/xen/ext-regions.h
sed -i 's/^obj-$(CONFIG_XEN_UNPOPULATED_ALLOC)\t+= unpopulated-alloc.o$/&\nobj-$(CONFIG_XEN_UNPOPULATED_ALLOC)\t+= ext-regions.o/' \
	"$WT/drivers/xen/Makefile"
grep -q ext-regions.o "$WT/drivers/xen/Makefile" || die "step 4: Makefile line not found"
commit 04-discovery

take drivers/xen/unpopulated-pool.c drivers/xen/unpopulated-alloc.c drivers/xen/Kconfig \
	drivers/xen/Makefile include/xen/xen.h arch/arm/xen/enlighten.c
for f in drivers/xen/unpopulated-pool.c drivers/xen/Kconfig drivers/xen/Makefile; do
	drop_tests "$f"
done
commit 05-pool

take drivers/xen/unpopulated-pool.c drivers/xen/Kconfig drivers/xen/Makefile \
	drivers/xen/unpopulated-pool-test.c drivers/xen/ext-regions-test.c \
	drivers/xen/ext-regions-test.dts drivers/xen/.kunitconfig
commit 06-kunit

take $(cd "$final" && find tools/testing/selftests/xen -type f ! -path "*/upop_bench/*")
commit 07-selftests

take Documentation/driver-api/xen/index.rst Documentation/driver-api/xen/unpopulated-alloc.rst \
	Documentation/driver-api/index.rst Documentation/admin-guide/kernel-parameters.txt
commit 08-docs

take MAINTAINERS
commit 09-maintainers

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
