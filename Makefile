# SPDX-License-Identifier: GPL-2.0
# make run       set up, build, boot the domU scenario, print a report
# make check     every suite of every base; ends with "N passed, N failed"
#                (BASE=6.12 XEN=4.20: one cell of the matrix)
# make bench     patched vs base vs ballooning: results/bench.{json,md,png}
# make defects   plant known bugs, show which KUnit cases catch them
# make vmemmap   the gate on the mm/sparse-vmemmap fixes: base and patched
#                kernels with 16 KiB pages (FLAVOUR=prod-64k: 64 KiB)
# make series    the gates on series/$(BASE)/: checkpatch, git am on the
#                tagged base, every patch built alone, sparse
# make worktree  a git worktree of the series to edit (prints its path)
# make export    write that worktree back to series/$(BASE)/
# BASE names the kernel base (bases/); default mainline.

.PHONY: all run check bench defects vmemmap series worktree export prepare clean-results

all: run

prepare:
	bench/prepare.sh

run: export XEN ?= 4.17
run:
	KINDS=patched PAGE_FLAVOURS= X86_PV=0 bench/prepare.sh
	SCENARIOS=domu PAGE_FLAVOURS= X86_PV=0 SKIP_BASE=1 SKIP_STATIC=1 SKIP_KUNIT=1 \
		bench/check.sh > /dev/null; rc=$$?; bench/report.sh || rc=1; exit $$rc

# The matrix: every base on its Xens (bench/lib.sh, bases/), or the base
# BASE names; XEN=... boots every base of the run on that Xen only.
check: export BASES ?= $(if $(BASE),$(BASE),mainline 6.12 6.1)
check: prepare
	bench/check.sh

bench:
	KINDS= PAGE_FLAVOURS= X86_PV=0 bench/prepare.sh
	bench/bench.sh

defects:
	KINDS= PAGE_FLAVOURS=prod-64k X86_PV=0 bench/prepare.sh
	bench/defects.sh

vmemmap: FLAVOUR ?= prod-16k
vmemmap:
	KINDS= PAGE_FLAVOURS= X86_PV=0 bench/prepare.sh
	bench/build.sh patched $(FLAVOUR)
	bench/build.sh base $(FLAVOUR)
	bench/vmemmap.sh $(FLAVOUR)

series:
	KINDS=patched PAGE_FLAVOURS= X86_PV=0 bench/prepare.sh
	bench/series-check.sh

worktree:
	@bench/worktree.sh

export:
	bench/export.sh

clean-results:
	rm -rf results
