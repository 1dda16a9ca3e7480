# SPDX-License-Identifier: GPL-2.0
#
# vminspect: build the module, the BPF programs, vmview and the selftests,
# and run them in the test VM.  'make help' lists the targets.

KVER_GUEST := $(shell tools/vm/guest-kernel --version 2>/dev/null)
ifneq ($(wildcard /lib/modules/$(shell uname -r)/build),)
KDIR ?= /lib/modules/$(shell uname -r)/build
else
KDIR ?= /usr/src/linux-headers-$(KVER_GUEST)
endif

B := $(CURDIR)/build
KERNEL_SRC := $(B)/kernel
CHECKPATCH := $(KERNEL_SRC)/scripts/checkpatch.pl
VM_RUN := tools/vm/run
PAGING ?= 4 5
# The kernels 'make check' runs the suite on (tools/vm/kernel: 6.1 is the
# host's Debian 12 cloud kernel, 6.12 Debian 13's, 7.3 trixie-backports'),
# the debug kernels of 'make check-debug', and the one kernel 'make demo',
# 'vm', 'bench' and 'stress' boot (also debug or debug-7.3).
KERNELS ?= 6.1 6.12 7.3
DEBUG_KERNELS ?= debug debug-7.3
KERNEL ?= 6.1

# W=1 always: the house rule is a warning-free W=1 build.
KBUILD_ARGS := -C $(KDIR) M=$(CURDIR) W=1 $(if $(WERROR),KCFLAGS=-Werror)

.PHONY: all module bpf vmview selftests payload initramfs deps check demo vm \
	clean help sparse checkpatch dkms-install dkms-remove bench \
	debug-kernel debug-module debug-initramfs check-debug fuzz-vmview stress \
	kernels dkms-check

all: module bpf vmview selftests initramfs

deps:
	@tools/deps.sh

# The module in the source tree, for KDIR (the running kernel's, for insmod).
module:
	$(MAKE) $(KBUILD_ARGS) modules

sparse:
	$(MAKE) $(KBUILD_ARGS) C=2 modules

bpf:
	$(MAKE) -C bpf

vmview: bpf
	$(MAKE) -C tools/vmview

# The kselftest harness is extracted from linux-source-6.1 by tools/deps.sh:
# a fresh clone gets it (and the packages) on its first build.
$(KERNEL_SRC)/.stamp:
	@tools/deps.sh

selftests: $(KERNEL_SRC)/.stamp
	$(MAKE) -C selftests/vminspect

# The Debian 13 root (6.12 and 7.3 headers, gcc-14) and the guest kernels,
# made once into ~/.cache/vminspect; prints the exact versions.
kernels:
	@tools/vm/kernel --setup

# The guest's /vmi but for vminspect.ko: one build (CO-RE BPF, static
# programs) for every kernel.
payload: vmview selftests
	@rm -rf $(B)/vm/payload && mkdir -p $(B)/vm/payload/bin $(B)/vm/payload/selftests
	@$(CC) -static -O2 -o $(B)/vm/vm-exit tools/vm/vm-exit.c
	@cp $(B)/vm/vm-exit $(B)/vm/payload/bin/
	@$(CC) -static -O2 -Wall -o $(B)/vm/payload/bin/vmi-sample tools/vm/vmi-sample.c
	@cp tools/vm/demo.sh $(B)/vm/payload/bin/
	@cp tools/vmview/vmview $(B)/vm/payload/bin/
	@$(MAKE) -s -C selftests/vminspect install DESTDIR=$(B)/vm/payload/selftests
	@$(MAKE) -s -C tools/bench install DESTDIR=$(B)/vm/payload/bench

# build/vm/initramfs-K.cpio.gz for kernel K (6.1, 6.12, 7.3, debug,
# debug-7.3): the payload, vminspect.ko built for K from a copy of the
# sources in build/k/K (tools/vm/kernel --module; 6.12 and 7.3 in the Debian
# 13 root with gcc-14) and K's zram modules (built into the debug kernels).
# SPARSE=1: the same build under sparse (C=2), whose findings check.sh
# reads from build/k/K/build.log.
# KDIR plays no part: whatever the host runs, the module in the initramfs
# is built for the kernel that boots it, which its vermagic must name (a
# guest refuses any other: tools/vm/run's exit 125); build/vm/initramfs-K
# .release records that kernel, for run to refuse a stale initramfs.
initramfs-%: payload
	@tools/vm/kernel --module $* $(if $(WERROR),KCFLAGS=-Werror) $(if $(SPARSE),C=2)
	@rel=$$(tools/vm/kernel --version $*) && \
	mod=$$(modinfo -F vermagic $(B)/k/$*/vminspect.ko | cut -d' ' -f1) && \
	[ "$$mod" = "$$rel" ] || { \
		echo "initramfs-$*: vminspect.ko is built for '$$mod', kernel $* is '$$rel'" >&2; \
		exit 1; }
	@tools/vm/mkinitramfs $(if $(filter debug%,$*),,--kernel $*) \
		--module $(B)/k/$*/vminspect.ko $(B)/vm/initramfs-$*.cpio.gz $(B)/vm/payload
	@tools/vm/kernel --version $* > $(B)/vm/initramfs-$*.release
	@$(if $(filter 6.1,$*),ln -sf initramfs-6.1.cpio.gz $(B)/vm/initramfs.cpio.gz)
	@echo "  INITRAMFS build/vm/initramfs-$*.cpio.gz ($$(tools/vm/kernel --version $*))"

# 'make initramfs': KERNEL's (6.1 unless told; build/vm/initramfs.cpio.gz
# names the 6.1 one).
initramfs: initramfs-$(KERNEL)

checkpatch:
	@tools/checkpatch.sh $(CHECKPATCH)

# The debug guest kernels (KASAN, lockdep, DEBUG_VM, DEBUG_PAGEALLOC): 6.1
# from linux-source-6.1 on the host, 7.3 from trixie-backports'
# linux-source-7.3 in the Debian 13 root, each built once into
# ~/.cache/vminspect (tools/vm/debug-kernel).  'debug' and 'debug-7.3' are
# their names for KERNEL, DEBUG_KERNELS and tools/vm/run --kernel.
debug-kernel:
	@tools/deps.sh
	@for k in $(DEBUG_KERNELS); do \
		v=$${k#debug}; v=$${v#-}; tools/vm/debug-kernel --build $${v:-6.1} >/dev/null || exit 1; \
		echo "  DEBUG-KERNEL $$k: $$(tools/vm/kernel --version $$k)"; \
	done

debug-module: debug-kernel
	@for k in $(DEBUG_KERNELS); do \
		tools/vm/kernel --module $$k $(if $(WERROR),KCFLAGS=-Werror) || exit 1; \
	done

debug-initramfs: debug-kernel
	@$(MAKE) --no-print-directory $(addprefix initramfs-,$(DEBUG_KERNELS))

# make check-debug: the whole selftest suite on the debug kernels, 5-level
# paging (PAGING_DEBUG=4 or "4 5" to change; DEBUG_KERNELS=debug-7.3 for one).
PAGING_DEBUG ?= 5
check-debug:
	@tools/deps.sh
	@$(MAKE) --no-print-directory debug-kernel
	@$(MAKE) --no-print-directory $(addprefix initramfs-,$(DEBUG_KERNELS)) WERROR=1 SPARSE=1
	@tools/check.sh --kernels "$(DEBUG_KERNELS)" --paging "$(PAGING_DEBUG)"

# make stress [STRESS_SECONDS=1800] [KERNEL=debug]: one long stress_test run.
STRESS_SECONDS ?= 1800
# A debug KERNEL: only that debug kernel is built.
ifneq ($(filter debug%,$(KERNEL)),)
DEBUG_KERNELS := $(KERNEL)
endif

stress: $(if $(filter debug%,$(KERNEL)),debug-kernel) initramfs-$(KERNEL)
	@$(VM_RUN) --kernel $(KERNEL) \
		--timeout $$(($(STRESS_SECONDS) + 600)) -- \
		env VMI_STRESS_SECONDS=$(STRESS_SECONDS) /vmi/selftests/stress_test

# vmview under ASan/UBSan on the host with random arguments and corrupted
# snapshots (tools/fuzz-vmview.sh; RUNS=N).
fuzz-vmview: initramfs-6.1
	@tools/fuzz-vmview.sh $(RUNS)

# make check: deps, the root and guest kernels, a -Werror W=1 build for
# every kernel of KERNELS, checkpatch, sparse per kernel, then the selftests
# in the VM on each kernel and paging mode.  The last line counts the TAP
# results of all of them.  KERNELS=6.12 or PAGING=5 runs a subset.
check:
	@tools/deps.sh
	@$(if $(filter-out 6.1,$(KERNELS)),tools/vm/kernel --setup)
	@$(MAKE) --no-print-directory bpf vmview selftests $(addprefix initramfs-,$(KERNELS)) \
		WERROR=1 SPARSE=1
	@tools/check.sh --kernels "$(KERNELS)" --paging "$(PAGING)"

# demo, vm, bench and stress boot KERNEL: they build its initramfs (the
# module built for it), not 'make all' (the module for the host's KDIR,
# which they do not use and which need not build).
demo:
	@tools/deps.sh
	@$(MAKE) --no-print-directory initramfs-$(KERNEL)
	@$(VM_RUN) --kernel $(KERNEL) -- sh /vmi/bin/demo.sh

vm: $(if $(filter debug%,$(KERNEL)),debug-kernel) initramfs-$(KERNEL)
	@$(VM_RUN) --kernel $(KERNEL) --interactive

# 6G: export_bench's 4 GiB process of 4 KiB pages.  BENCH picks the parts
# (tools/bench/run.sh: "wall cost memory other", or benches by name).
bench: $(if $(filter debug%,$(KERNEL)),debug-kernel) initramfs-$(KERNEL)
	@$(VM_RUN) --kernel $(KERNEL) --mem 6G --timeout 1800 -- \
		env BENCH="$(or $(BENCH),wall cost memory other)" sh /vmi/bench/run.sh

DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

# make dkms-install [DKMS_KERNELS="RELEASE..."]: the module's sources (only
# those) into /usr/src/vminspect-VERSION, registered with DKMS and built and
# installed for each kernel release (default: the running kernel), and
# /etc/modprobe.d/vminspect.conf, whose install/remove lines make modprobe
# mount and unmount /proc/vminspect.
# make dkms-check: the same in the Debian 13 root for the 6.12 and 7.3
# headers (dkms installed there), then removed again.
DKMS_SRC := /usr/src/vminspect-$(DKMS_VERSION)

dkms-install:
	@command -v dkms >/dev/null || { echo "dkms not installed: apt-get install dkms"; exit 1; }
	rm -rf $(DKMS_SRC) && mkdir -p $(DKMS_SRC)/module
	cp -a dkms.conf Kbuild include $(DKMS_SRC)/
	cp -a module/Kbuild module/*.[ch] $(DKMS_SRC)/module/
	install -D -m 0644 tools/modprobe/vminspect.conf /etc/modprobe.d/vminspect.conf
	dkms status vminspect/$(DKMS_VERSION) | grep -q . || dkms add vminspect/$(DKMS_VERSION)
	$(if $(DKMS_KERNELS),for k in $(DKMS_KERNELS); do \
		dkms install vminspect/$(DKMS_VERSION) -k $$k || exit 1; done, \
		dkms install vminspect/$(DKMS_VERSION))

dkms-remove:
	dkms remove vminspect/$(DKMS_VERSION) --all
	rm -rf $(DKMS_SRC) /etc/modprobe.d/vminspect.conf

dkms-check:
	@tools/vm/kernel --setup >/dev/null
	@tools/vm/kernel --install dkms
	@rc=0; tools/vm/kernel --exec --bind $(CURDIR) -- make -C $(CURDIR) --no-print-directory \
		dkms-install DKMS_KERNELS="$(foreach k,6.12 7.3,$$(tools/vm/kernel --version $(k)))" || rc=1; \
	tools/vm/kernel --exec -- dkms status vminspect; \
	[ $$rc -eq 0 ] || tools/vm/kernel --exec -- sh -c 'tail -n 30 /var/lib/dkms/vminspect/*/build/make.log'; \
	tools/vm/kernel --exec --bind $(CURDIR) -- make -C $(CURDIR) --no-print-directory dkms-remove; \
	exit $$rc

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C bpf clean
	-$(MAKE) -C tools/vmview clean
	-$(MAKE) -C selftests/vminspect clean
	-$(MAKE) -C tools/bench clean
	rm -rf $(B)/vm $(B)/k

help:
	@echo "make            build module, BPF programs, vmview, selftests, initramfs"
	@echo "make deps       install the Debian packages (tools/deps.sh)"
	@echo "make check      deps + build + checkpatch + sparse + selftests in the VM on"
	@echo "                every kernel of KERNELS (6.1 6.12 7.3), 4- and 5-level paging"
	@echo "make kernels    set up the Debian 13 root and guest kernels; print their versions"
	@echo "make demo       deps + build + show a sample process in the VM"
	@echo "make vm         interactive shell in the test VM"
	@echo "make bench      benchmarks in the VM (tools/bench)"
	@echo "make debug-kernel  build the 6.1 and 7.3 debug guest kernels (cached in ~/.cache/vminspect)"
	@echo "make check-debug   the selftests on the debug kernels (KASAN, lockdep, ...)"
	@echo "make fuzz-vmview   vmview under ASan/UBSan with random arguments (RUNS=N)"
	@echo "make stress        a long stress_test run (STRESS_SECONDS=1800, KERNEL=debug)"
	@echo "make sparse     the module under sparse (C=2)"
	@echo "make dkms-install / dkms-remove  (DKMS_KERNELS=RELEASE... for other kernels)"
	@echo "make dkms-check    dkms-install in the Debian 13 root for 6.12 and 7.3"
	@echo "KDIR=...        kernel build dir of 'make module' (default: running kernel's, else 6.1 guest headers)"
	@echo "KERNELS=...     kernels of make check (6.1 6.12 7.3); PAGING=... paging modes (4 5)"
	@echo "KERNEL=...      kernel of demo, vm, bench, stress (6.1, 6.12, 7.3, debug, debug-7.3)"
