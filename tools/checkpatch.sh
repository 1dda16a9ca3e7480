#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.sh CHECKPATCH: run the kernel's checkpatch.pl --strict on every
# C source and header of ours; exit non-zero on any error, warning or check.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cp=${1:-$top/build/kernel/scripts/checkpatch.pl}
cd "$top"
# bpf/ARCH/vmlinux.h is generated (make -C bpf vmlinux-h): the kernel's
# types, not our code.
files=$(git ls-files '*.c' '*.h' 2>/dev/null)
[ -n "$files" ] || files=$(find module bpf include tools selftests -name '*.[ch]')
files=$(echo "$files" | grep -v '^bpf/[^/]*/vmlinux\.h$')
# Kernel code gets every check.  User-space code (vmview, BPF programs,
# selftests, tools) has no __printf()/__packed/... macros and may use
# volatile for the BPF rodata knobs libbpf needs; libelf's types (Elf,
# Elf_Scn, GElf_Shdr) are CamelCase.
kernel=$(echo "$files" | grep -E '^(module|include)/' | grep -v '^include/vminspect_abi.h$')
# The ABI header's key and column tables are X-macros (VMI_MM_KEYS(X)...):
# a list of X(...) is not one expression and reuses X by design.
abi=$(echo "$files" | grep -E '^include/vminspect_abi.h$')
user=$(echo "$files" | grep -vE '^(module|include)/')
common=FILE_PATH_CHANGES
# LINUX_VERSION_CODE: an out-of-tree module must build on more than one
# kernel (6.5 changed pte_offset_map_lock()); the check stays behind it.
kernel_ignore=$common,LINUX_VERSION_CODE
user_ignore=$common,BIT_MACRO,PREFER_DEFINED_ATTRIBUTE_MACRO,VOLATILE,NEW_TYPEDEFS,SPLIT_STRING,PREFER_KERNEL_TYPES,SPDX_LICENSE_TAG,CAMELCASE
out=""
# shellcheck disable=SC2086
[ -z "$kernel" ] || out+=$("$cp" --no-tree --strict --terse --show-types --ignore "$kernel_ignore" -f $kernel 2>&1 | grep -v '^total:')
# shellcheck disable=SC2086
[ -z "$abi" ] || out+=$("$cp" --no-tree --strict --terse --show-types --ignore "$kernel_ignore,COMPLEX_MACRO,MACRO_ARG_REUSE" -f $abi 2>&1 | grep -v '^total:')
# shellcheck disable=SC2086
[ -z "$user" ] || out+=$("$cp" --no-tree --strict --terse --show-types --ignore "$user_ignore" -f $user 2>&1 | grep -v '^total:')
if [ -n "$out" ]; then
	echo "$out"
	echo "checkpatch: $(echo "$out" | grep -c ':') findings"
	exit 1
fi
echo "checkpatch: $(echo $files | wc -w) files clean"
