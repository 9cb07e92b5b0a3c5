# SPDX-License-Identifier: GPL-2.0
# make run    set up, build, boot the domU scenario, print a report
# make check  every suite; ends with "N passed, N failed"
# make bench  patched vs base vs ballooning: results/bench.{json,md,png}
# make defects  plant known bugs, show which KUnit cases catch them
# make series  out/series/: the git am-able series with its cover letter

.PHONY: all run check bench defects series prepare clean-results

all: run

prepare:
	bench/prepare.sh

run:
	KINDS=patched PAGE_FLAVOURS= bench/prepare.sh
	SCENARIOS=domu PAGE_FLAVOURS= SKIP_BASE=1 SKIP_STATIC=1 bench/check.sh > /dev/null || true
	bench/report.sh

check: prepare
	bench/check.sh

bench:
	KINDS= PAGE_FLAVOURS= bench/prepare.sh
	bench/bench.sh

defects:
	KINDS= PAGE_FLAVOURS= bench/prepare.sh
	bench/defects.sh

series:
	KINDS= PAGE_FLAVOURS= bench/prepare.sh
	bench/series.sh

clean-results:
	rm -rf results
