#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of tools/test-prometheus.sh: start the probes, then a
# sample process (stopped, so its figures hold still), serve the exporter
# on port 9417, print the kernel's own figures for it as "truth KEY VALUE"
# lines, and wait until the host connects to port 9418 (or 300 s).

vmview=/vmi/bin/vmview
$vmview probe start || echo "truth probes 0"
setsid /vmi/bin/vmi-sample > /dev/null 2>&1 < /dev/null &
pid=$!
sleep 1
kill -STOP $pid
child=$(for s in /proc/[0-9]*/stat; do
	set -- $(cat "$s" 2> /dev/null)
	[ "$4" = "$pid" ] && echo "$1"
done | head -n 1)
[ -n "$child" ] && kill -STOP "$child"
sleep 0.2

$vmview serve --listen :9417 --pid "$pid" --group '{comm}' &
serve=$!

kb() { sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB$/\1/p" "/proc/$1/$3"; }
echo "truth pid $pid"
echo "truth child ${child:-0}"
echo "truth vmpte $(($(kb $pid VmPTE status) * 1024))"
echo "truth vmrss $(($(kb $pid VmRSS status) * 1024))"
echo "truth rss_rollup $(($(kb $pid Rss smaps_rollup) * 1024))"
set -- $(cat /proc/$pid/stat)
echo "truth min_flt ${10}"
echo "truth maj_flt ${12}"
g=0
for p in $pid $child; do
	g=$((g + $(kb $p VmPTE status) * 1024))
done
echo "truth group_vmpte $g"
echo "truth done"

timeout 300 nc -l -p 9418 < /dev/null > /dev/null
kill $serve
wait $serve
rc=$?
$vmview probe stop
kill -CONT $pid $child
kill $pid $child
exit $rc
