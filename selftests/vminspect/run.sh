#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run every vminspect selftest in the guest; each prints kselftest TAP.
# Usage: run.sh [TEST...]   (default: all *_test in this directory)
# The first line names the kernel and the paging mode the results are for.

dir=$(dirname "$0")
tests=$*
[ -n "$tests" ] || tests=$(cd "$dir" && ls *_test)
levels=4
grep -qw la57 /proc/cpuinfo && levels=5
echo "# kernel: $(uname -r) ($(uname -v)), ${levels}-level paging"
rc=0
for t in $tests; do
	echo "# selftest: $t"
	"$dir/$t"
	trc=$?
	if [ $trc -ne 0 ]; then
		echo "# selftest: $t exited $trc"
		rc=1
	fi
done
exit $rc
