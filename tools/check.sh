#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [--kernel debug] "4 5": checkpatch and sparse, vmview under
# ASan/UBSan with random arguments (tools/fuzz-vmview.sh), export's host
# tests (tools/test-export.sh) and a real Prometheus scraping the VM
# (tools/test-prometheus.sh), those three on the normal kernel only; then
# the selftests in the VM for each paging mode.  Prints the TAP
# output and a last line "N passed, N failed, N skipped" counted from the
# TAP results of every run (the vmview fuzz counts as one test); exits
# non-zero on any failure, any checkpatch finding, or a guest that did not
# report.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kernel=() tag=""
if [ "${1:-}" = --kernel ]; then
	kernel=(--kernel "$2") tag="-$2"
	shift 2
fi
modes=${1:-4 5}
log=$top/build/check
mkdir -p "$log"
rc=0

if ! tools/checkpatch.sh; then
	rc=1
fi

# sparse (make C=2: every module file checked) must say nothing
sparse_out=$(make --no-print-directory sparse 2>&1 | grep -E ': (warning|error):')
if [ -n "$sparse_out" ]; then
	echo "$sparse_out"
	echo "sparse: $(echo "$sparse_out" | wc -l) findings"
	rc=1
else
	echo "sparse: module clean"
fi

pass=0 fail=0 skip=0
# tap FILE STATUS: add FILE's TAP results to the counts (a non-zero STATUS
# without a failed test is a failure in itself)
tap() {
	local s a f
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$1")
	a=$(grep -cE '^ok [0-9]+' "$1")
	f=$(grep -cE '^not ok [0-9]+' "$1")
	pass=$((pass + a - s)) skip=$((skip + s)) fail=$((fail + f))
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		fail=$((fail + 1))
	fi
}
if [ -z "$tag" ]; then
	# tools/test-views.sh: vmview's snapshots and html on the host (one test)
	echo "# ==== vmview snapshots and html on the host, headless Chromium ===="
	if tools/test-views.sh; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
	echo "# ==== vmview under ASan/UBSan, random arguments ===="
	if tools/fuzz-vmview.sh "${VMI_VMVIEW_FUZZ_RUNS:-300}"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
	echo "# ==== vmview export on the host: promtool, OpenMetrics parser ===="
	tools/test-export.sh | tee "$log/export.txt"
	tap "$log/export.txt" "${PIPESTATUS[0]}"
	echo "# ==== a real Prometheus server scraping vmview serve in the VM ===="
	tools/test-prometheus.sh | tee "$log/prometheus.txt"
	tap "$log/prometheus.txt" "${PIPESTATUS[0]}"
fi
for p in $modes; do
	echo "# ==== selftests${tag:+ on the ${tag#-} kernel}, ${p}-level paging ===="
	tools/vm/run "${kernel[@]}" --paging "$p" \
		--timeout "${VMI_CHECK_TIMEOUT:-1500}" -- \
		sh /vmi/selftests/run.sh | tee "$log/tap$tag-$p.txt"
	vrc=${PIPESTATUS[0]}
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log/tap$tag-$p.txt")
	a=$(grep -cE '^ok [0-9]+' "$log/tap$tag-$p.txt")
	f=$(grep -cE '^not ok [0-9]+' "$log/tap$tag-$p.txt")
	pass=$((pass + a - s)) skip=$((skip + s)) fail=$((fail + f))
	if [ "$vrc" -ne 0 ]; then
		echo "# ${p}-level run exited $vrc"
		# a guest that died or reported kernel errors is a failure in itself
		[ "$f" -gt 0 ] || fail=$((fail + 1))
		rc=1
	fi
done
[ $fail -eq 0 ] || rc=1
echo "$pass passed, $fail failed, $skip skipped"
exit $rc
