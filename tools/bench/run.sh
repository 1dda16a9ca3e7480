#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks in the guest ('make bench').  fault_bench runs with the eBPF
# probes off and on, alternately in the same VM, for each probe
# configuration; the ratio is the mean time per fault with the probes on
# over the mean with them off (1.000 = no cost).  Then, deterministically,
# the kernel's own BPF statistics (kernel.bpf_stats_enabled): run time per
# run of each program over one fault_bench; and the probes' map memory
# (fdinfo memlock) with PROCS processes (default 1000) that faulted.
# Other *_bench run once.
#
# Usage: run.sh [PAIRS]   (off/on pairs per configuration, default 6)
# BENCH="wall cost memory other" (the default) picks the parts to run;
# instead of "other", the names of benches run only those (BENCH="vmas pt"
# runs vmas_bench and pt_bench).
dir=$(dirname "$0")
vmview=${VMVIEW:-/vmi/bin/vmview}
pairs=${1:-6}
parts=" ${BENCH:-wall cost memory other} "

# The fastest of 9 rounds of 16 MiB on CPU 0: under TCG on a shared host
# the slower rounds measure the host, not the guest.
best() {
	taskset 1 "$dir/fault_bench" -q -m 16 -r 9 |
		sed -n 's/.* min \([0-9.]*\) .*/\1/p'
}

# compare LABEL [START OPTIONS]: prints "LABEL off X on Y ratio R".  Pairs
# alternate off-on and on-off so that drift of the host cancels out.
compare() {
	label=$1
	shift
	soff=0 son=0 i=0
	while [ $i -lt "$pairs" ]; do
		[ $((i % 2)) -eq 0 ] && off=$(best)
		"$vmview" probe start "$@" > /dev/null || return 1
		on=$(best)
		"$vmview" probe stop > /dev/null || return 1
		[ $((i % 2)) -eq 1 ] && off=$(best)
		[ -n "$off" ] && [ -n "$on" ] || return 1
		echo "#   $label pair $i: off $off on $on ns/fault"
		soff=$(awk "BEGIN { print $soff + $off }")
		son=$(awk "BEGIN { print $son + $on }")
		i=$((i + 1))
	done
	awk -v l="$label" -v a="$soff" -v b="$son" -v n="$pairs" 'BEGIN {
		printf "fault_bench %-14s off %8.1f on %8.1f ns/fault  ratio on/off %.3f\n",
			l, a / n, b / n, b / a }'
}

rc=0
if [ -x "$dir/fault_bench" ] && [ "${parts#* wall }" != "$parts" ]; then
	echo "== fault_bench: probes off vs on ($pairs pairs, fastest of 9 rounds of 16 MiB each)"
	"$vmview" probe stop > /dev/null 2>&1
	best > /dev/null	# warm up
	compare "default" || rc=1
	compare "--no-vmas" --no-vmas || rc=1
	compare "--exceptions" --exceptions || rc=1
fi
# progs_cost [START OPTIONS]: each program's runs and ns per run (its
# run_time_ns / run_cnt, measured by the kernel) over one fault_bench, also
# as a share of the time per fault with the probes off; and the time per
# fault with them on over off (the trampolines included).  Under QEMU
# -icount shift=0 (guest ns = instructions) these are instruction counts.
progs_cost() {
	off=$(best)
	echo 1 > /proc/sys/kernel/bpf_stats_enabled || return 1
	"$vmview" probe start "$@" > /dev/null || return 1
	on=$(best)
	"$vmview" -j probe status | tr '{' '\n' |
		awk -v o="${*:-default}" -v off="$off" '
		/"name":"vmi_/ {
			n = $0; sub(/.*"name":"/, "", n); sub(/".*/, "", n)
			c = $0; sub(/.*"run_cnt":/, "", c); sub(/[,}].*/, "", c)
			t = $0; sub(/.*"run_time_ns":/, "", t); sub(/[,}].*/, "", t)
			m = $0; sub(/.*"recursion_misses":/, "", m); sub(/[,}].*/, "", m)
			if (c > 0)
				printf "bpf_stats %-14s %-16s %9d runs %8.1f ns/run (%5.2f%% of a fault) %d missed\n",
					o, n, c, t / c, 100 * t / c / off, m
		}'
	awk -v o="${*:-default}" -v a="$off" -v b="$on" 'BEGIN {
		printf "bpf_stats %-14s fault off %.1f on %.1f ns/fault, ratio %.3f\n",
			o, a, b, b / a }'
	"$vmview" probe stop > /dev/null
	echo 0 > /proc/sys/kernel/bpf_stats_enabled
}

if [ -x "$dir/fault_bench" ] && [ "${parts#* cost }" != "$parts" ]; then
	echo "== BPF statistics: run_time_ns / run_cnt per program over one fault_bench (9 x 16 MiB)"
	progs_cost || rc=1
	progs_cost --no-vmas || rc=1
	progs_cost --exceptions || rc=1
fi
if [ -x "$dir/hold_procs" ] && [ "${parts#* memory }" != "$parts" ]; then
	procs=${PROCS:-1000}
	echo "== probe memory with $procs processes, $(nproc) CPUs (fdinfo memlock, bytes)"
	"$vmview" probe start > /dev/null &&
		"$dir/hold_procs" "$procs" "$vmview" probe status |
		grep -E '^(# |memory|procs)' || rc=1
	"$vmview" probe stop > /dev/null
fi
echo "== kernel $(uname -r) ($(uname -v)), $(nproc) CPUs"
for b in $(cd "$dir" && ls ./*_bench 2>/dev/null); do
	b=${b#./}
	[ "$b" = fault_bench ] && continue
	# "other" runs every other bench; "vmas pt ..." only those named
	[ "${parts#* other }" != "$parts" ] ||
		[ "${parts#* ${b%_bench} }" != "$parts" ] || continue
	echo "== $b"
	"$dir/$b" || rc=1
done
exit $rc
