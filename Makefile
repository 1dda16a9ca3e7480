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

# W=1 always: the house rule is a warning-free W=1 build.
KBUILD_ARGS := -C $(KDIR) M=$(CURDIR) W=1 $(if $(WERROR),KCFLAGS=-Werror)

.PHONY: all module bpf vmview selftests initramfs deps check demo vm \
	clean help sparse checkpatch dkms-install dkms-remove bench \
	debug-kernel debug-module debug-initramfs check-debug fuzz-vmview stress

all: module bpf vmview selftests initramfs

deps:
	@tools/deps.sh

module:
	$(MAKE) $(KBUILD_ARGS) modules

sparse:
	$(MAKE) $(KBUILD_ARGS) C=2 modules

bpf:
	$(MAKE) -C bpf

vmview: bpf
	$(MAKE) -C tools/vmview

selftests:
	$(MAKE) -C selftests/vminspect

# The guest's /vmi: everything the tests and the demo need.
initramfs: module vmview selftests
	@rm -rf $(B)/vm/payload && mkdir -p $(B)/vm/payload/bin $(B)/vm/payload/selftests
	@$(CC) -static -O2 -o $(B)/vm/vm-exit tools/vm/vm-exit.c
	@cp $(B)/vm/vm-exit $(B)/vm/payload/bin/
	@$(CC) -static -O2 -Wall -o $(B)/vm/payload/bin/vmi-sample tools/vm/vmi-sample.c
	@cp tools/vm/demo.sh $(B)/vm/payload/bin/
	@cp module/vminspect.ko $(B)/vm/payload/
	@cp tools/vmview/vmview $(B)/vm/payload/bin/
	@$(MAKE) -s -C selftests/vminspect install DESTDIR=$(B)/vm/payload/selftests
	@$(MAKE) -s -C tools/bench install DESTDIR=$(B)/vm/payload/bench
	@tools/vm/mkinitramfs $(B)/vm/initramfs.cpio.gz $(B)/vm/payload
	@echo "  INITRAMFS build/vm/initramfs.cpio.gz"

checkpatch:
	@tools/checkpatch.sh $(CHECKPATCH)

# The debug guest kernel (KASAN, lockdep, DEBUG_VM, DEBUG_PAGEALLOC), built
# once into ~/.cache/vminspect (tools/vm/debug-kernel), and the module built
# against it from a copy of the sources in build/debug (an external module
# builds in its source directory; module/vminspect.ko stays the normal one).
DEBUG_SRC := $(B)/debug/src

debug-kernel:
	@tools/deps.sh
	@tools/vm/debug-kernel --build

debug-module: debug-kernel
	@rm -rf $(DEBUG_SRC) && mkdir -p $(DEBUG_SRC)/module
	@cp -a Kbuild include $(DEBUG_SRC)/
	@cp -a module/Kbuild module/*.[ch] $(DEBUG_SRC)/module/
	$(MAKE) -C $$(tools/vm/debug-kernel --kdir) M=$(DEBUG_SRC) W=1 \
		$(if $(WERROR),KCFLAGS=-Werror) modules

# The debug guest's initramfs: the normal payload with the debug module;
# zram is built into the debug kernel, so no guest modules.
debug-initramfs: initramfs debug-module
	@rm -rf $(B)/vm/payload-debug && cp -a $(B)/vm/payload $(B)/vm/payload-debug
	@cp $(DEBUG_SRC)/module/vminspect.ko $(B)/vm/payload-debug/
	@VMI_GUEST_MODULES= tools/vm/mkinitramfs $(B)/vm/initramfs-debug.cpio.gz \
		$(B)/vm/payload-debug
	@echo "  INITRAMFS build/vm/initramfs-debug.cpio.gz"

# make check-debug: the whole selftest suite on the debug kernel, 5-level
# paging (PAGING_DEBUG=4 or "4 5" to change).
PAGING_DEBUG ?= 5
check-debug:
	@tools/deps.sh
	@$(MAKE) --no-print-directory all debug-initramfs WERROR=1
	@tools/check.sh --kernel debug "$(PAGING_DEBUG)"

# make stress [STRESS_SECONDS=1800] [KERNEL=debug]: one long stress_test run.
STRESS_SECONDS ?= 1800
stress: $(if $(filter debug,$(KERNEL)),debug-initramfs,all)
	@$(VM_RUN) $(if $(KERNEL),--kernel $(KERNEL)) \
		--timeout $$(($(STRESS_SECONDS) + 600)) -- \
		env VMI_STRESS_SECONDS=$(STRESS_SECONDS) /vmi/selftests/stress_test

# vmview under ASan/UBSan on the host with random arguments and corrupted
# snapshots (tools/fuzz-vmview.sh; RUNS=N).
fuzz-vmview: all
	@tools/fuzz-vmview.sh $(RUNS)

# make check: deps, a -Werror W=1 build, checkpatch, then the selftests in
# the VM on each paging mode.  The last line counts the TAP results.
check:
	@tools/deps.sh
	@$(MAKE) --no-print-directory all WERROR=1
	@tools/check.sh "$(PAGING)"

demo:
	@tools/deps.sh
	@$(MAKE) --no-print-directory all
	@$(VM_RUN) -- sh /vmi/bin/demo.sh

vm: all
	@$(VM_RUN) --interactive

# 6G: export_bench's 4 GiB process of 4 KiB pages
bench: all
	@$(VM_RUN) --mem 6G --timeout 1800 -- sh /vmi/bench/run.sh

DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

dkms-install:
	@command -v dkms >/dev/null || { echo "dkms not installed: apt-get install dkms"; exit 1; }
	dkms add $(CURDIR)
	dkms install vminspect/$(DKMS_VERSION)

dkms-remove:
	dkms remove vminspect/$(DKMS_VERSION) --all

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C bpf clean
	-$(MAKE) -C tools/vmview clean
	-$(MAKE) -C selftests/vminspect clean
	-$(MAKE) -C tools/bench clean
	rm -rf $(B)/vm

help:
	@echo "make            build module, BPF programs, vmview, selftests, initramfs"
	@echo "make deps       install the Debian packages (tools/deps.sh)"
	@echo "make check      deps + build + checkpatch + selftests in the VM (4- and 5-level)"
	@echo "make demo       deps + build + show a sample process in the VM"
	@echo "make vm         interactive shell in the test VM"
	@echo "make bench      benchmarks in the VM (tools/bench)"
	@echo "make debug-kernel  build the debug guest kernel (cached in ~/.cache/vminspect)"
	@echo "make check-debug   the selftests on the debug kernel (KASAN, lockdep, ...)"
	@echo "make fuzz-vmview   vmview under ASan/UBSan with random arguments (RUNS=N)"
	@echo "make stress        a long stress_test run (STRESS_SECONDS=1800, KERNEL=debug)"
	@echo "make sparse     the module under sparse (C=2)"
	@echo "make dkms-install / dkms-remove"
	@echo "KDIR=...        kernel build dir (default: running kernel's, else guest headers)"
