#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run every vminspect selftest in the guest; each prints kselftest TAP.
# Usage: run.sh [TEST...]   (default: all *_test in this directory)

dir=$(dirname "$0")
tests=$*
[ -n "$tests" ] || tests=$(cd "$dir" && ls *_test)
rc=0
for t in $tests; do
	echo "# selftest: $t"
	if ! "$dir/$t"; then
		rc=1
	fi
done
exit $rc
