#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo: start a small sample process in the guest and show what
# vminspect sees of it: the kernel's own maps, then vminspect's files
# and vmview's views, then the probes counting its faults.
vmview=/vmi/bin/vmview
/vmi/bin/vmi-sample > /tmp/sample.out &
sleep 1
pid=$(pidof vmi-sample | tr ' ' '\n' | sort -n | head -n1)
cat /tmp/sample.out
thp=$(sed -n 's/.* thp \(0x[0-9a-f]*\) .*/\1/p' /tmp/sample.out)
anon=$(sed -n 's/.* anon \(0x[0-9a-f]*\) .*/\1/p' /tmp/sample.out)

step() {
	echo
	echo "=== $*"
}

step "the kernel's own view: /proc/$pid/maps"
cat /proc/$pid/maps
step "vmview ps"
$vmview ps
step "vmview show $pid    (the mm_struct and the page-table census)"
$vmview show $pid
step "vmview maps $pid    (every VMA with its residency)"
$vmview maps $pid
step "vmview pt $pid      (the page-table tree)"
$vmview pt $pid
step "vmview pt $pid --map    (leaf mappings, runs merged)"
$vmview pt $pid --map | head -n 40
step "vmview translate $pid $anon    (a touched anonymous page, shared CoW with the child)"
$vmview translate $pid $anon
step "vmview translate $pid $thp    (a transparent huge page: the walk stops at the PMD)"
$vmview translate $pid $thp
step "vmview translate $pid 0x1000    (no VMA: the unallocated state)"
$vmview translate $pid 0x1000
step "raw files: /proc/vminspect/$pid/mm"
cat /proc/vminspect/$pid/mm
step "eBPF probes: vmview probe start, a workload, vmview top -n 1"
if $vmview probe start; then
	/vmi/bin/vmi-sample > /dev/null &
	pid2=$!
	sleep 2
	$vmview top -n 1 -d 1
	step "vmview ps --sort tlb    (flushes of each address space, by cause)"
	$vmview ps --sort tlb
	step "vmview show $pid2 | tail -n 8    (its probe counters)"
	$vmview show $pid2 | tail -n 8
	step "vmview probe status"
	$vmview probe status
	$vmview probe stop
	kill $pid2 2>/dev/null
fi
kill $pid 2>/dev/null
exit 0
