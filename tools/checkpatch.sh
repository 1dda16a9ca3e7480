#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.sh CHECKPATCH: run the kernel's checkpatch.pl --strict on every
# C source and header of ours; exit non-zero on any error, warning or check.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cp=${1:-$top/build/kernel/scripts/checkpatch.pl}
cd "$top"
files=$(git ls-files '*.c' '*.h' 2>/dev/null)
[ -n "$files" ] || files=$(find module bpf include tools selftests -name '*.[ch]')
# bpf programs use the BPF helpers' conventions (SEC(), __u32 ...).
# CAMELCASE: libelf's own types (Elf, Elf_Scn, GElf_Shdr) are CamelCase.
ignore=SPDX_LICENSE_TAG,FILE_PATH_CHANGES,LINUX_VERSION_CODE,CAMELCASE
# shellcheck disable=SC2086
out=$("$cp" --no-tree --strict --terse --show-types --ignore "$ignore" -f $files 2>&1)
if [ -n "$out" ]; then
	echo "$out"
	echo "checkpatch: $(echo "$out" | grep -c ':') findings"
	exit 1
fi
echo "checkpatch: $(echo $files | wc -w) files clean"
