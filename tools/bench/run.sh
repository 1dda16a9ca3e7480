#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run every benchmark in the guest, side by side with the kernel's own
# interfaces.  Each *_bench prints its own ratios.
dir=$(dirname "$0")
rc=0
for b in $(cd "$dir" && ls *_bench 2>/dev/null); do
	echo "== $b"
	"$dir/$b" || rc=1
done
exit $rc
