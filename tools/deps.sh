#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages vminspect needs (skipping what is present)
# and extract the few files we use from linux-source-6.1 into build/kernel/.
# Nothing from the kernel tree is ever committed.  What the 6.12 and 7.3
# builds need lives in a Debian 13 root that tools/vm/kernel makes with
# debootstrap; the host's apt sources are never changed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/kernel

pkgs=(
	build-essential		# gcc, make, libc6-dev (static selftests)
	pkg-config
	linux-headers-cloud-amd64	# KDIR for the guest kernel
	linux-image-cloud-amd64		# the guest kernel and its modules (zram)
	qemu-system-x86		# the test VM
	busybox-static		# the guest userland
	cpio			# initramfs
	kmod			# modinfo, to resolve guest module deps
	xz-utils zstd		# kernel source tarball, compressed guest modules
	libbpf-dev libelf-dev zlib1g-dev	# vmview loads BPF (static link)
	bpftool			# skeletons, make -C bpf vmlinux-h
	clang llvm		# BPF CO-RE compilation
	libjson-c-dev		# vmview -j output
	libncurses-dev		# vmview top
	sparse			# make C=1
	chromium		# test-views.sh: vmview html rendered headless
	libxml2-utils		# test-views.sh: xmllint, the html is well-formed
	python3			# test-views.sh: the DOM and JSON compared
	linux-source-6.1	# checkpatch.pl, kselftest_harness.h
	flex bison bc libssl-dev	# make debug-kernel: building linux-source-6.1
	dwarves			# pahole: BTF of the debug kernel
	debootstrap debian-archive-keyring	# the Debian 13 root (tools/vm/kernel)
	prometheus		# promtool check metrics; the server the export test scrapes with
	python3-prometheus-client	# its strict OpenMetrics parser checks vmview export -O
	apparmor		# apparmor_parser: access_test's profile, loaded in the guest
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# From linux-source-6.1: the kselftest harness and checkpatch (+ its data).
tarball=$(ls /usr/src/linux-source-6.1*.tar.xz | head -n1)
stamp=$out/.stamp
if [ ! -e "$stamp" ] || [ "$tarball" -nt "$stamp" ]; then
	echo "deps: extracting kselftest headers and checkpatch from $(basename "$tarball")"
	rm -rf "$out"
	mkdir -p "$out"
	tar -C "$out" --strip-components=1 -xJf "$tarball" \
		--wildcards \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h' \
		'*/scripts/checkpatch.pl' \
		'*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' \
		'*/scripts/extract-vmlinux'
	touch "$stamp"
fi
echo "deps: ok"
