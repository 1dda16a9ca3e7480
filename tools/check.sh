#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [--kernels "6.1 6.12 7.3"] [--paging "4 5"]: checkpatch once,
# sparse against each kernel's headers (tools/vm/kernel --module K C=2);
# the ABI tables against their documentation (tools/test-abi-doc.sh);
# when the kernels include 6.1, on it: vmview under ASan/UBSan with random
# arguments (tools/fuzz-vmview.sh), export's host tests
# (tools/test-export.sh) and a real Prometheus scraping the VM
# (tools/test-prometheus.sh); then the selftests in the VM for each kernel
# and paging mode; in the first paging mode, probe_test in a guest booted
# preempt=full (kernels built PREEMPT_DYNAMIC) and waste_test and
# probe_test with 2 NUMA nodes (kernels built NUMA).  Kernels are those of
# tools/vm/run --kernel (6.1, 6.12, 7.3, debug, debug-7.3); their
# initramfs-K must be built ('make initramfs-K').  Prints the TAP output,
# one "# K, P-level: ..." line per run and a last line
# "N passed, N failed, N skipped" counted from the TAP results of every run
# (the vmview fuzz counts as one test); exits non-zero on any failure, any
# checkpatch or sparse finding, or a guest that did not report.
#
# Old form, still accepted: check.sh [--kernel K] "4 5".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kernels=6.1 modes="4 5"
while [ $# -gt 0 ]; do
	case $1 in
	--kernels) kernels=$2; shift 2 ;;
	--kernel) kernels=$2; shift 2 ;;
	--paging) modes=$2; shift 2 ;;
	-*) awk 'NR >= 4 && /^#/ { sub(/^# ?/, ""); print; next } NR >= 4 { exit }' "$0" >&2
	    exit 2 ;;
	*) modes=$1; shift ;;
	esac
done
log=$top/build/check
mkdir -p "$log"
rc=0

if ! tools/checkpatch.sh; then
	rc=1
fi

# sparse (make C=2: every module file checked) must say nothing, on every
# kernel: each has its own headers, and so its own macros and annotations.
# The -Werror C=2 build of 'make check' (SPARSE=1) is read from its log when
# no source changed since; otherwise the module is built again under sparse.
for k in $kernels; do
	out=build/k/$k
	if [ -s "$out/vminspect.ko" ] && [ -r "$out/build.log" ] &&
	   grep -q ' C=2' "$out/build.args" 2>/dev/null &&
	   grep -q 'KCFLAGS=-Werror' "$out/build.args" &&
	   [ -z "$(find Kbuild include module -newer "$out/build.log" 2>/dev/null)" ]; then
		sparse_out=$(cat "$out/build.log") brc=0
	else
		sparse_out=$(tools/vm/kernel --module "$k" C=2 KCFLAGS=-Werror 2>&1)
		brc=$?
	fi
	# a checker the kernel's Makefile finds unfit is skipped, not run
	findings=$(echo "$sparse_out" | grep -E ': (warning|error):|is not available or not up to date')
	if [ -n "$findings" ] || [ $brc -ne 0 ]; then
		echo "$sparse_out" | grep -E ': (warning|error):|Error|ERROR|not up to date' | head -n 60
		echo "sparse on $k: $(echo "$findings" | grep -c .) findings, build status $brc"
		rc=1
	else
		echo "sparse on $k ($(tools/vm/kernel --version "$k")): module clean"
	fi
done

pass=0 fail=0 skip=0
summary=()
failures=()
# failed LABEL FILE: keep each failed test of FILE, with the harness's
# lines that say why (the last three since the test before it), for the
# end of the output: CI shows only the tail
failed() {
	local l

	while IFS= read -r l; do
		failures+=("# $1: $l")
	done < <(awk '/^not ok [0-9]+/ { for (i = n > 3 ? n - 3 : 0; i < n; i++) print "  " w[i % 3]; print }
		/^(not )?ok [0-9]+/ { n = 0; next }
		{ w[n++ % 3] = $0 }' "$2")
}
# tap FILE STATUS [LABEL]: add FILE's TAP results to the counts and its
# failed tests to the list, under LABEL (FILE's name if none); a non-zero
# STATUS without a failed test is a failure in itself.  This file's own
# counts are left in tap_pass, tap_fail and tap_skip.
tap() {
	local a

	tap_skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$1")
	a=$(grep -cE '^ok [0-9]+' "$1")
	tap_pass=$((a - tap_skip))
	tap_fail=$(grep -cE '^not ok [0-9]+' "$1")
	failed "${3:-${1##*/}}" "$1"
	if [ "$2" -ne 0 ] && [ "$tap_fail" -eq 0 ]; then
		tap_fail=1
	fi
	pass=$((pass + tap_pass)) skip=$((skip + tap_skip))
	fail=$((fail + tap_fail))
}
# tools/test-abi-doc.sh: the documentation names every key and column of
# the ABI tables, and no other (host, no kernel needed)
echo "# ==== /proc formats: the ABI tables against Documentation/proc-vminspect.rst ===="
tools/test-abi-doc.sh | tee "$log/abi-doc.txt"
tap "$log/abi-doc.txt" "${PIPESTATUS[0]}"
summary+=("# ABI tables and their documentation: $pass passed, $fail failed")
case " $kernels " in
*" 6.1 "*)
	start=$SECONDS
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
	summary+=("# vmview views, fuzz, export, Prometheus (6.1): $pass passed, $fail failed, $skip skipped ($((SECONDS - start))s)")
	;;
esac
# guest LABEL TAP RUN-OPTION... -- CMD...: one guest run (tools/vm/run),
# its TAP results added to the counts under LABEL; a guest that died or
# reported kernel errors is a failure in itself.
guest() {
	local label=$1 tap=$log/$2 start=$SECONDS vrc l
	shift 2
	tools/vm/run --timeout "${VMI_CHECK_TIMEOUT:-1500}" "$@" | tee "$tap"
	vrc=${PIPESTATUS[0]}
	tap "$tap" "$vrc" "$label"
	if [ "$vrc" -ne 0 ]; then
		echo "# $label run exited $vrc"
		failures+=("# $label: the run exited $vrc")
		# tools/vm/init's kernel reports, run.sh's failed binaries
		while IFS= read -r l; do
			failures+=("#   $l")
		done < <({ sed -n '/^vm: the report lines:/,$p' "$tap"
			grep -E '^# selftest: .* exited [0-9]+' "$tap"; } | head -n 20)
		rc=1
	fi
	summary+=("# $label: $tap_pass passed, $tap_fail failed, $tap_skip skipped ($((SECONDS - start))s)")
}
for k in $kernels; do
	for p in $modes; do
		echo "# ==== selftests on $k ($(tools/vm/kernel --version "$k" 2>/dev/null)), ${p}-level paging ===="
		guest "$k, ${p}-level" "tap-$k-$p.txt" --kernel "$k" \
			--paging "$p" -- sh /vmi/selftests/run.sh
	done
done
# kernel_has K CONFIG_X: K was built with CONFIG_X=y
kernel_has() {
	local c

	c=$(tools/vm/kernel --config "$1" 2>/dev/null) &&
		grep -q "^$2=y" "$c"
}
# probe_test once more per kernel in a guest booted preempt=full (7.3's
# default, lazy, is the run above): a task preempted inside a probe makes
# the kernel skip the next runs on that CPU, and the counts must not lose
# those faults (Documentation/probes.rst).  preempt= chooses a model only
# under PREEMPT_DYNAMIC (Debian's kernels); the debug kernels are built
# CONFIG_PREEMPT, full preemption, which the run above already had.
p=${modes%% *}
for k in $kernels; do
	if ! kernel_has "$k" CONFIG_PREEMPT_DYNAMIC; then
		if kernel_has "$k" CONFIG_PREEMPT; then
			summary+=("# $k: built with full preemption, no preempt=full run of its own")
		else
			echo "# $k: neither PREEMPT_DYNAMIC nor PREEMPT: no run under full preemption"
			rc=1
		fi
		continue
	fi
	echo "# ==== probe_test on $k, ${p}-level paging, preempt=full ===="
	guest "$k, ${p}-level, preempt=full" "tap-$k-$p-preempt-full.txt" \
		--kernel "$k" --paging "$p" --append preempt=full -- \
		sh /vmi/selftests/run.sh probe_test
done
# waste_test once more per kernel in a 2-node NUMA guest: page tables on
# one node mapping data bound to the other (Documentation/testing.rst);
# probe_test too, whose flush_cause_migrate skips with one node (the
# kselftest harness of 6.1 cannot run a single test of a binary).  Not on
# a kernel built without NUMA (the debug kernels: their tests of nodes
# would skip, and QEMU's two nodes made debug-7.3 report a KASAN
# wild-memory-access at boot).
for k in $kernels; do
	if ! kernel_has "$k" CONFIG_NUMA; then
		summary+=("# $k: built without NUMA, no 2-node run")
		continue
	fi
	echo "# ==== waste_test, probe_test on $k, ${p}-level paging, 2 NUMA nodes ===="
	guest "$k, ${p}-level, 2 NUMA nodes" "tap-$k-$p-numa.txt" \
		--kernel "$k" --paging "$p" --numa 2 -- \
		sh /vmi/selftests/run.sh waste_test probe_test
done
printf '%s\n' "${summary[@]}"
[ ${#failures[@]} -eq 0 ] || printf '%s\n' "# what failed:" "${failures[@]}"
[ $fail -eq 0 ] || rc=1
echo "$pass passed, $fail failed, $skip skipped"
exit $rc
