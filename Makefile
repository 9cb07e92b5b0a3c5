# SPDX-License-Identifier: GPL-2.0
# make run       set up, build, boot the domU scenario, print a report
# make check     every suite of every base; ends with "N passed, N failed"
#                (BASE=6.12 XEN=4.20: one cell of the matrix)
# make bench     patched vs base vs ballooning: results/bench.{json,md,png}
# make figures   publish that run: doc/bench.{json,md,png}, doc/busy.png and
#                the figures of README.md and the cover letter (figures.py)
# make defects   plant known bugs, show which KUnit cases catch them
# make vmemmap   the gate on the mm/sparse-vmemmap fixes: base and patched
#                kernels with 16 KiB pages (FLAVOUR=prod-64k: 64 KiB)
# make series    the gates on series/$(BASE)/: checkpatch, git am on the
#                tagged base, every patch built alone, sparse
# make worktree  a git worktree of the series to edit (prints its path)
# make export    write that worktree back to series/$(BASE)/
# make apply TREE=/path/to/linux   apply series/$(BASE)/ to a kernel tree
#                (git am in a git tree, else patch -p1; all or nothing)
# BASE names the kernel base (bases/); default mainline.

.PHONY: all help run check bench figures defects vmemmap series worktree export apply prepare clean-results

all: run

# make help: the targets above and every knob, with its default.
help:
	@sed -n '2,/^$$/s/^# \{0,1\}//p' Makefile
	@echo 'Knobs (environment or make variables), default in brackets:'
	@echo '  BASE        the base of a one-base target (bases/)            [mainline]'
	@echo '  BASES       the bases make check runs                         [mainline 6.12 6.1, or BASE]'
	@echo '  XEN         the Xen a boot runs on (4.17, 4.20)               [the base'"'"'s first; make run: 4.17]'
	@echo '  XENS        the Xens prepared and booted                      [XEN, else the base'"'"'s BASE_XENS]'
	@echo '  KINDS, PAGE_FLAVOURS, X86_PV  what a base builds and boots   [the base'"'"'s BASE_* (bench/lib.sh)]'
	@echo '  SCENARIOS   only these, where their MATRIX puts them          [all (bench/scenarios/)]'
	@echo '  SKIP_BASE, SKIP_STATIC, SKIP_KUNIT  non-empty: leave out the unpatched kernel,'
	@echo '              the static gates, KUnit                           [empty]'
	@echo '  REUSE_RESULTS  empty: boot again what passed before with the same inputs [1]'
	@echo '  JOBS        make -j of the builds                             [CPUs + 1]'
	@echo '  BOOT_CORES  vCPUs booted at once                              [CPUs]'
	@echo '  TIMEOUT     seconds a boot may take                           [300 to 1200, by scenario]'
	@echo '  KUNIT_TIMEOUT  seconds the KUnit boot may take                [300]'
	@echo '  QEMU_MEM    MiB of the QEMU machine                           [2048]'
	@echo '  QEMU_SMP    its vCPUs                                         [1 or 2, bench/lib.sh boot_vcpus]'
	@echo '  DOM0_MEM    dom0_mem of Xen                                   [512M; tight: 1536M]'
	@echo '  LAYOUTS     make bench: the layouts                           [modern tight legacy domu busy busy-balloon]'
	@echo '  BENCH_PAGES make bench: the other page sizes                  [16k 64k]'
	@echo '  BENCH_BOOTS make bench: boots of each kernel                  [2]'
	@echo '  FLAVOUR     make vmemmap: the kernel flavour                  [prod-16k]'
	@echo '  TREE        make apply: the kernel tree to patch              [none]'
	@echo '  TARGETS     bench/build.sh: the make targets                  [Image modules headers_install]'
	@echo '  RESULTS     where results go                                  [results/]'
	@echo '  XDG_CACHE_HOME  the cache is $$XDG_CACHE_HOME/xenext          [~/.cache]'

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

figures:
	@test -f results/bench.json || { echo "no results/bench.json: make bench first"; exit 1; }
	cp results/bench.json results/bench.md doc/
	python3 bench/figures.py write doc/bench.json
	python3 bench/figures.py plot doc/bench.json results
	cp results/bench.png doc/bench.png
	if [ -f results/busy.png ]; then cp results/busy.png doc/busy.png; fi

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

apply:
	@test -n "$(TREE)" || { echo "usage: make apply BASE=6.12 TREE=/path/to/linux" >&2; exit 2; }
	bench/apply.sh "$(TREE)"

clean-results:
	rm -rf results
