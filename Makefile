# SPDX-License-Identifier: GPL-2.0
# make run       set up, build, boot the domU scenario, print a report
# make check     every suite; ends with "N passed, N failed"
# make bench     patched vs base vs ballooning: results/bench.{json,md,png}
# make defects   plant known bugs, show which KUnit cases catch them
# make series    the gates on series/$(BASE)/: checkpatch, git am on the
#                tagged base, every patch built alone, sparse
# make worktree  a git worktree of the series to edit (prints its path)
# make export    write that worktree back to series/$(BASE)/
# BASE names the kernel base (bases/); default mainline.

.PHONY: all run check bench defects series worktree export prepare clean-results

all: run

prepare:
	bench/prepare.sh

run:
	KINDS=patched PAGE_FLAVOURS= X86_PV=0 bench/prepare.sh
	SCENARIOS=domu PAGE_FLAVOURS= X86_PV=0 SKIP_BASE=1 SKIP_STATIC=1 SKIP_KUNIT=1 \
		bench/check.sh > /dev/null || true
	bench/report.sh

# On both Xens, or on the one XEN names.
check: export XENS ?= $(if $(XEN),$(XEN),4.17 4.20)
check: prepare
	bench/check.sh

bench:
	KINDS= PAGE_FLAVOURS= X86_PV=0 bench/prepare.sh
	bench/bench.sh

defects:
	KINDS= PAGE_FLAVOURS=prod-64k X86_PV=0 bench/prepare.sh
	bench/defects.sh

series:
	KINDS=patched PAGE_FLAVOURS= X86_PV=0 bench/prepare.sh
	bench/series-check.sh

worktree:
	@bench/worktree.sh

export:
	bench/export.sh

clean-results:
	rm -rf results
