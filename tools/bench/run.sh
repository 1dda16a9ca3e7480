#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every benchmark in the guest, side by side with the kernel's own interfaces.
dir=$(dirname "$0")
for b in $(cd "$dir" && ls *_bench 2>/dev/null); do
	echo "== $b"
	"$dir/$b" || exit 1
done
