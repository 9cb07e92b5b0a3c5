#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench-selftest.sh: the bench's own judges, fed what a broken run leaves
# behind; each must turn it into a FAIL line.  One result per case:
# PASS bench.CASE when the judge failed it, FAIL bench.CASE when it let it
# through.
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# judged CASE PATTERN TEXT: TEXT (what a judge printed) has a FAIL line
# matching PATTERN.
judged() {
	if grep -qE "^FAIL $2" <<< "$3"; then
		echo "PASS bench.$1 $(grep -m1 -E "^FAIL $2" <<< "$3" | cut -c1-120)"
	else
		echo "FAIL bench.$1 not judged a failure: $(tr '\n' ' ' <<< "$3" | cut -c1-160)"
	fi
}

# A stage that dies after printing a PASS line.
out=$(suite "scratch stage" bash -c 'echo "PASS scratch.one"; exit 3' 2> /dev/null)
judged stage-dies 'stage\.scratch-stage exited 3' "$out"

# A KTAP log cut short: the second case and suite never printed.
printf '%s\n' 'KTAP version 1' '1..2' '    KTAP version 1' '    # Subtest: suite_a' \
	'    1..2' '    ok 1 case_one' > "$tmp/ktap.log"
out=$(python3 "$BENCH_DIR/tap-results.py" "$SRC/patched/tools/testing/kunit/kunit.py" "$tmp/ktap.log" kunit)
judged ktap-cut-short 'kunit\.suite_a\.plan ' "$out"
# No KTAP at all (a kernel that never reached the tests).
echo 'Booting Linux' > "$tmp/none.log"
out=$(python3 "$BENCH_DIR/tap-results.py" "$SRC/patched/tools/testing/kunit/kunit.py" "$tmp/none.log" kunit)
judged ktap-none 'kunit\.run ' "$out"

# A kselftest that exits 1 after its ok lines, and one that stops early,
# as the guest prints them (tests.sh tap_out) and the host reads them.
. "$BENCH_DIR/rootfs/tests.sh"
kselftest() {
	printf '%s\n' "$@" | tap_out st |
		python3 "$BENCH_DIR/tap-results.py" "$SRC/patched/tools/testing/kunit/kunit.py" --marked /dev/stdin
}
out=$(kselftest 'TAP version 13' '1..2' 'ok 1 a' 'ok 2 b' '# exit: 1')
judged kselftest-exit-1 'st\.exit exited 1' "$out"
out=$(kselftest 'TAP version 13' '1..3' 'ok 1 a' '# exit: 0')
judged kselftest-cut-short 'st\.plan ' "$out"
# One that never printed TAP (a binary that could not run), and a result
# line without a name.
out=$(kselftest "env: can't execute '/bench/xen_ext_regions'" '# exit: 127')
judged kselftest-no-tap 'st\.run no TAP' "$out"
out=$(kselftest 'TAP version 13' '1..2' 'ok 1 a' 'not ok 2' '# exit: 1')
judged kselftest-no-name 'st\.case2' "$out"

# A kernel report in x86's and in arm64's spelling (lib.sh KERNEL_REPORTS,
# the one judge of the boots, KUnit and the vmemmap gate).
missed=
for l in ' Call Trace:' ' Call trace:' 'kernel BUG at mm/slub.c:1!' 'Oops: general protection fault' \
	'Internal error: Oops: 0000000096000004 [#1] SMP'; do
	grep -qE "$KERNEL_REPORTS" <<< "[    1.000000] $l" || missed="$missed '$l'"
done
[ -z "$missed" ] && echo "PASS bench.kernel-report-spellings x86 and arm64 reports judged" ||
	echo "FAIL bench.kernel-report-spellings not judged:$missed"

# A boot with fewer results than bench/expected-results records for it.
want=$(awk '!/^#/ { print $1, $2; exit }' "$BENCH_DIR/expected-results")
out=$(expect_results "${want% *}" $((${want#* } - 1)))
judged boot-short "${want% *}\.results" "$out"

# A base whose recorded version its suite no longer has (setup.sh
# fetch_deb): the suite's current one, said in one line, kept on the next
# run; a version the suite has is taken as it is.
read -r v1 v2 v3 < <(SETUP_SELFTEST=$tmp/setup "$BENCH_DIR/setup.sh" 2> "$tmp/setup.err" | paste -sd' ')
if [ -n "${v1:-}" ] && [ "$v1" != 1:0.0-0 ] && [ "$v1" = "${v2:-}" ] && [ "$v1" = "${v3:-}" ] &&
   [ "$(grep -c 'downloading busybox-static 1:0.0-0' "$tmp/setup.err")" = 1 ] &&
   grep -qF "1:0.0-0 is no longer in bookworm: using $v1" "$tmp/setup.err"; then
	echo "PASS bench.setup-version-gone busybox-static 1:0.0-0 gone: $v1 taken, said once, kept"
else
	echo "FAIL bench.setup-version-gone got '${v1:-}' '${v2:-}' '${v3:-}': $(tail -2 "$tmp/setup.err" | tr '\n' ' ' | cut -c1-160)"
fi

# The figures' check fails when the README's table and the cover letter's
# paragraph are not those of the benchmark: here one whose patched
# kernel took twice as long for one-page alloc+free (of the series as it
# is, so that only those two fail); and when the benchmark measured
# another series.
python3 - "$REPO_DIR/doc/bench.json" "$tmp/bench.json" "$tmp/other.json" "$BENCH_DIR" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[4])
import figures
j = json.load(open(sys.argv[1]))
j["meta"]["series"] = {"name": "mainline", "code": "0" * 16}
json.dump(j, open(sys.argv[3], "w"))
j["meta"]["series"]["code"] = figures.series_code("mainline")
for r in j["records"]:
    if (r["kernel"], r["layout"], r["measure"]) == ("patched", "modern", "steady1_ns_per_page"):
        r["value"] *= 2
json.dump(j, open(sys.argv[2], "w"))
PY
if python3 "$BENCH_DIR/figures.py" check "$tmp/bench.json" > "$tmp/figures.out" 2>&1; then
	echo "FAIL bench.figures-stale the check passed figures of another benchmark"
elif [ "$(grep -c '^FAIL figures\.' "$tmp/figures.out")" = 2 ]; then
	echo "PASS bench.figures-stale README.md and the cover letter both told apart from another benchmark"
else
	echo "FAIL bench.figures-stale $(tr '\n' ' ' < "$tmp/figures.out" | cut -c1-160)"
fi
if python3 "$BENCH_DIR/figures.py" check "$tmp/other.json" > "$tmp/figures.out" 2>&1; then
	echo "FAIL bench.figures-series the check passed the figures of another series"
elif [ "$(grep -c '^FAIL figures\.' "$tmp/figures.out")" = 1 ] &&
     grep -q '^FAIL figures\.series ' "$tmp/figures.out"; then
	echo "PASS bench.figures-series a benchmark of another series told apart"
else
	echo "FAIL bench.figures-series $(tr '\n' ' ' < "$tmp/figures.out" | cut -c1-160)"
fi

# scenario.sh's own reading of a file (its mapfile block, run as
# scenario.sh runs, under set -u): seven values for every file, whatever
# it leaves unset.
read_block=$(sed -n '/^mapfile -t sc < <(unset XEN_ARGS/,/^\tprintf /p' "$BENCH_DIR/scenario.sh")
for f in "$BENCH_DIR"/scenarios/*; do
	[ "$(basename "$f")" != README ] || continue
	n=$( (set -euo pipefail; sc_file=$f; eval "$read_block"; echo "${#sc[@]}") 2>&1 | tail -1)
	if [ -n "$read_block" ] && [ "$n" = 7 ]; then
		echo "PASS bench.scenario-read.$(basename "$f")"
	else
		echo "FAIL bench.scenario-read.$(basename "$f") scenario.sh read: ${n:-no mapfile block found}"
	fi
done

# Every scenario file sets what scenario.sh, tests.sh and check.sh read,
# with values they know: each check one run_dom0 runs, x86 alone on
# BOOT=x86, MATRIX the words check.sh knows (x86 alone on BOOT=x86).
checks=$(sed -n '/^run_dom0() {/,/^}/{/for c in \$checks/,/done/p}' "$BENCH_DIR/rootfs/tests.sh" |
	sed -n 's/^\t\t\([a-z0-9-]*\)).*/\1/p')
for f in "$BENCH_DIR"/scenarios/*; do
	[ "$(basename "$f")" != README ] || continue
	out=$( (unset XEN_ARGS DOM0_MEM TIMEOUT BOOT REGIONS CHECKS TEST_VCPUS MATRIX; set -u; . "$f"
		: "$XEN_ARGS"
		case $BOOT:" $MATRIX " in
		x86*:" x86 "|x86*:"  ") ;;
		x86*|*" x86 "*) echo "MATRIX=$MATRIX with BOOT=$BOOT" ;;
		esac
		[[ " $MATRIX " != *" each "* || " $MATRIX " != *" first "* ]] ||
			echo "MATRIX=$MATRIX: each or first"
		[[ " $MATRIX " != *" pages "* || " $MATRIX " == *" each "* || " $MATRIX " == *" first "* ]] ||
			echo "MATRIX=$MATRIX: pages of neither each nor first"
		for w in $MATRIX; do
			[[ $w =~ ^(each|first|pages|unpatched|x86)$ ]] || echo "MATRIX word $w"
		done
		[[ $TIMEOUT =~ ^[0-9]+$ ]] || echo "TIMEOUT=$TIMEOUT"
		[[ ${TEST_VCPUS:-1} =~ ^[12]$ ]] || echo "TEST_VCPUS=$TEST_VCPUS"
		[ -n "$DOM0_MEM" ] || echo "no DOM0_MEM"
		[[ $CHECKS =~ ^[a-z0-9\ -]+$ ]] || echo "CHECKS='$CHECKS'"
		case $BOOT:$REGIONS:$CHECKS in
		x86::x86|x86-efi::x86) ;;
		x86:*|*:x86|*:*" x86"*|*:*"x86 "*) echo "x86: BOOT=$BOOT REGIONS=$REGIONS CHECKS=$CHECKS" ;;
		guest-loader:yes:*|guest-loader:no:*|dom0less:yes:*|dom0less:no:*)
			for c in $CHECKS; do
				grep -qx -- "$c" <<< "$checks" || echo "no check $c in tests.sh run_dom0"
			done ;;
		*) echo "BOOT=$BOOT REGIONS=$REGIONS" ;;
		esac) 2>&1 || echo "a setting is missing")
	if [ -z "$out" ]; then
		echo "PASS bench.scenario-file.$(basename "$f")"
	else
		echo "FAIL bench.scenario-file.$(basename "$f") $(echo $out | cut -c1-160)"
	fi
done
