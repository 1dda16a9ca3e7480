#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo: start a small sample process in the guest and show what
# vminspect sees of it.
set -e
/vmi/bin/vmi-sample &
pid=$!
sleep 1
echo "== sample process $pid: /proc/$pid/maps (the kernel's own view)"
cat /proc/$pid/maps
echo
echo "== /proc/vminspect"
ls /proc/vminspect
for f in mm vmas pagetable; do
	if [ -r /proc/vminspect/$pid/$f ]; then
		echo
		echo "== /proc/vminspect/$pid/$f"
		cat /proc/vminspect/$pid/$f
	fi
done
kill $pid
