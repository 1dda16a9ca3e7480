#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-export.sh: vmview export and serve on the host, where no module is
# needed: the host's own processes (the module absent: the degraded
# exposition), and a made-up /proc (VMVIEW_PROC_ROOT) and /proc/vminspect
# (VMVIEW_PROCFS) whose every figure is known.  The exposition is checked
# by promtool check metrics (Debian's prometheus package) and by
# prometheus_client's strict OpenMetrics parser; values, grouping
# templates, --match, top K, the series limit, label escaping, -o and
# --interval, and serve's HTTP answers are asserted.  Prints TAP.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bin=${VMVIEW:-$top/tools/vmview/vmview}
py=/usr/bin/python3
[ -x $py ] || py=python3
w=$(mktemp -d "${TMPDIR:-/tmp}/vmi-export.XXXXXX")
serve=
cleanup() {
	[ -n "$serve" ] && kill "$serve" 2> /dev/null
	rm -rf "$w"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
# eq NAME GOT WANT
eq() { if [ "$2" = "$3" ]; then ok "$1 ($2)"; else not_ok "$1: got '$2', want '$3'"; fi; }
# val FILE SERIES: the value of the sample named exactly SERIES
val() { S=$1 awk 'index($0, ENVIRON["S"] " ") == 1 { print substr($0, length(ENVIRON["S"]) + 2) }' "$2"; }
promtool_ok() {
	if ! command -v promtool > /dev/null; then
		skip "$1" "promtool missing (apt-get install prometheus)"
	elif promtool check metrics < "$2" > "$w/promtool.out" 2>&1; then
		ok "$1"
	else
		not_ok "$1"
		sed 's/^/# /' "$w/promtool.out"
	fi
}
om_ok() {
	if ! $py -c 'import prometheus_client' 2> /dev/null; then
		skip "$1" "python3-prometheus-client missing"
	elif $py -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as p
list(p(open(sys.argv[1]).read()))' "$2" > "$w/om.out" 2>&1; then
		ok "$1"
	else
		not_ok "$1"
		sed 's/^/# /' "$w/om.out"
	fi
}

echo "TAP version 13"

# 1. the host: no module, maybe no probes
VMVIEW_PROCFS=$w/none "$bin" export > "$w/host.prom"
eq "export on the host exits 0" $? 0
promtool_ok "promtool: the host's degraded exposition" "$w/host.prom"
eq "module source down" "$(val 'vminspect_exporter_source_up{source="module"}' "$w/host.prom")" 0
eq "and why" "$(val 'vminspect_exporter_source_info{source="module",reason="not_loaded"}' "$w/host.prom")" 1
self=$(val 'vminspect_group_processes{group="vmview"}' "$w/host.prom")
[ "${self:-0}" -ge 1 ] && ok "the exporter sees itself (group vmview: $self)" ||
	not_ok "group vmview missing"
VMVIEW_PROCFS=$w/none "$bin" export --openmetrics > "$w/host.om"
om_ok "OpenMetrics parser: the host's exposition" "$w/host.om"
eq "OpenMetrics ends with # EOF" "$(tail -n1 "$w/host.om")" "# EOF"

# 2. a made-up /proc and /proc/vminspect
P=$w/proc V=$w/vmi
mkdir -p "$P" "$V"
# mkproc PID COMM MINFLT MAJFLT START RSS_KB PTE_KB UID EXE CMDLINE...
mkproc() {
	local pid=$1 comm=$2 min=$3 maj=$4 start=$5 rss=$6 pte=$7 uid=$8 exe=$9
	shift 9
	mkdir -p "$P/$pid"
	printf '%s (%s) S 1 1 1 0 -1 0 %s 0 %s 0 0 0 0 0 20 0 1 0 %s 0 0\n' \
		"$pid" "$comm" "$min" "$maj" "$start" > "$P/$pid/stat"
	printf 'Name:\t%s\nUid:\t%s\t%s\t%s\t%s\nVmSize:\t   10000 kB\nVmRSS:\t%8s kB\nVmPTE:\t%8s kB\nVmSwap:\t       0 kB\n' \
		"$comm" "$uid" "$uid" "$uid" "$uid" "$rss" "$pte" > "$P/$pid/status"
	printf '%s\0' "$@" > "$P/$pid/cmdline"
	ln -s "$exe" "$P/$pid/exe"
}
# mkmm PID PRESENT NOPAGE PTE_TABLES: an mm file as the module writes it
mkmm() {
	mkdir -p "$V/$1"
	cat > "$V/$1/mm" <<EOF
vminspect-mm 1.0
pid $1
comm x
paging_levels 4
pgtables_bytes $((($4 + 2) * 4096))
state present $2
state swap 0
state migration 0
state special 0
state file 10
state untouched 20
attr huge_pmd 512
attr huge_pud 0
attr dirty 5
attr young $2
attr writable 7
attr cow 1
attr nopage $3
# census level tables entries capacity fill_pct bytes
census pgd 1 3 512 0.59 4096
census p4d 0 0 0 0.00 0
census pud 1 2 512 0.39 4096
census pmd 1 $4 512 0.00 4096
census pte $4 $(($4 * 100)) $(($4 * 512)) 19.53 $(($4 * 4096))
EOF
}
mkproc 10 db 100 2 1000 4000 40 0 /usr/sbin/postgres postgres -D /srv/main
mkproc 11 db 50 1 1001 2000 24 0 /usr/sbin/postgres postgres -D /srv/other
mkproc 12 'we"ird\name' 7 0 1002 100 12 1000 /bin/sh sh -c 'sleep 1'
mkproc 13 $'\xff\xfebad' 1 0 1003 8 8 1000 /bin/true true
mkmm 10 1000 1 4
mkmm 11 600 0 2
mkmm 12 50 1 1
mkmm 13 2 0 1
mkdir -p "$P/2"		# a kernel thread: stat, a status without VmSize
printf '2 (kthreadd) S 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0\n' > "$P/2/stat"
printf 'Name:\tkthreadd\nUid:\t0\t0\t0\t0\n' > "$P/2/status"
x() { VMVIEW_PROC_ROOT=$P VMVIEW_PROCFS=$V "$bin" export --lock-file "$w/lock" "$@"; }

x --pid 12 > "$w/fake.prom"
eq "export of the made-up /proc exits 0" $? 0
promtool_ok "promtool: made-up processes, odd names escaped" "$w/fake.prom"
x --openmetrics --top 2 > "$w/fake.om"
om_ok "OpenMetrics parser: made-up processes" "$w/fake.om"
f=$w/fake.prom
eq "module source up" "$(val 'vminspect_exporter_source_up{source="module"}' "$f")" 1
eq "kernel threads left out, 4 walked" "$(val 'vminspect_exporter_processes{state="walked"}' "$f")" 4
eq "group db: 2 processes" "$(val 'vminspect_group_processes{group="db"}' "$f")" 2
eq "group db: VmRSS summed" "$(val 'vminspect_group_resident_bytes{group="db"}' "$f")" $(((4000 + 2000) * 1024))
eq "group db: VmPTE summed" "$(val 'vminspect_group_kernel_page_table_bytes{group="db"}' "$f")" $(((40 + 24) * 1024))
eq "group db: minor faults summed" "$(val 'vminspect_group_page_faults_total{group="db",type="minor"}' "$f")" 150
eq "group db: present bytes" "$(val 'vminspect_group_memory_bytes{group="db",state="present"}' "$f")" $((1600 * 4096))
eq "group db: pte tables" "$(val 'vminspect_group_page_tables{group="db",level="pte"}' "$f")" 6
eq "group db: pte fill ratio" "$(val 'vminspect_group_page_table_fill_ratio{group="db",level="pte"}' "$f")" \
	"$(awk 'BEGIN { printf "%.9g", 600 / (6 * 512) }')"
eq "folded p4d: no fill ratio" "$(grep -c 'fill_ratio{group="db",level="p4d"}' "$f")" 0
eq "group db: 2M huge pages" "$(val 'vminspect_group_huge_page_bytes{group="db",size="2M"}' "$f")" $((1024 * 4096))
eq "comm escaped (quote, backslash)" \
	"$(val 'vminspect_process_resident_bytes{pid="12",group="we\"ird\\name"}' "$f")" $((100 * 1024))
eq "invalid UTF-8 replaced" "$(val 'vminspect_group_processes{group="??bad"}' "$f")" 1
eq "per-pid series only for --pid" "$(grep -c '^vminspect_process_resident_bytes' "$f")" 1

x --group '{exe}' > "$w/exe.prom"
eq "--group {exe}" "$(val 'vminspect_group_processes{group="postgres"}' "$w/exe.prom")" 2
x --group '{user}' > "$w/user.prom"
eq "--group {user}: uid 0 is root" "$(val 'vminspect_group_processes{group="root"}' "$w/user.prom")" 2
x --match 'postgres -D /srv/([a-z]+)' --group 'pg-{1}' > "$w/match.prom"
eq "--match submatch" "$(val 'vminspect_group_processes{group="pg-main"}' "$w/match.prom")" 1
eq "--match: the rest is other" "$(val 'vminspect_group_processes{group="other"}' "$w/match.prom")" 2
x --top 1 --top-by pt > "$w/top.prom"
eq "--top 1 --top-by pt: the largest VmPTE" "$(grep '^vminspect_process_kernel_page_table_bytes' "$w/top.prom" | cut -d'"' -f2)" 10
x --max-series 20 --top 4 > "$w/lim.prom"
promtool_ok "promtool: series limit" "$w/lim.prom"
s=$(grep -cE '^vminspect_(group|process)_' "$w/lim.prom")
eq "--max-series 20: exported series counted" "$(val vminspect_exporter_series "$w/lim.prom")" "$s"
[ "$s" -le 20 ] && [ "$(val vminspect_exporter_series_dropped_total "$w/lim.prom")" -gt 0 ] &&
	ok "at most 20 series, the rest counted as dropped" || not_ok "series limit"
x --budget-pages 1 > "$w/bud.prom"
eq "--budget-pages 1: one walk" "$(val 'vminspect_exporter_processes{state="walked"}' "$w/bud.prom")" 1
eq "--budget-pages 1: three skipped" "$(val 'vminspect_exporter_processes_skipped_total{reason="budget"}' "$w/bud.prom")" 3
x --no-walk > "$w/nowalk.prom"
eq "--no-walk: module disabled" "$(val 'vminspect_exporter_source_info{source="module",reason="disabled"}' "$w/nowalk.prom")" 1

# 3. -o and --interval
mkdir "$w/tf"
x -o "$w/tf/vminspect.prom"
eq "-o writes the file" "$(head -c 6 "$w/tf/vminspect.prom")" "# HELP"
eq "-o leaves nothing else" "$(ls -A "$w/tf" | wc -l)" 1
eq "-o mode 0644" "$(stat -c %a "$w/tf/vminspect.prom")" 644
ln -s /dev/null "$w/tf/link"
x -o "$w/tf/link" 2> "$w/err"
eq "-o refuses to replace a symlink or device" "$?:$(readlink "$w/tf/link")" 1:/dev/null
rm "$w/tf/link"
VMVIEW_PROC_ROOT=$P VMVIEW_PROCFS=$V "$bin" export --lock-file "$w/lock" \
	-o "$w/tf/vminspect.prom" --interval 0.2 &
ipid=$!
sleep 1.5
kill -TERM $ipid
wait $ipid
eq "--interval stops cleanly on SIGTERM" $? 0
c=$(val vminspect_exporter_scrapes_total "$w/tf/vminspect.prom")
[ "${c:-0}" -ge 3 ] && ok "--interval rewrote the file ($c collections)" ||
	not_ok "--interval: $c collections"
eq "--interval leaves nothing else" "$(ls -A "$w/tf" | wc -l)" 1

# 4. serve
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
VMVIEW_PROC_ROOT=$P VMVIEW_PROCFS=$V "$bin" serve --listen "127.0.0.1:$port" \
	--lock-file "$w/lock" --pid 10 &
serve=$!
$py - "$port" > "$w/http.out" 2>&1 <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
def req(raw):
    for _ in range(100):
        try:
            s = socket.create_connection(("127.0.0.1", port), 5)
            break
        except OSError:
            time.sleep(0.05)
    s.sendall(raw)
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    return out.decode(errors="replace")
r = req(b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: application/openmetrics-text; version=1.0.0\r\n\r\n")
print("om", r.split("\r\n")[0], "application/openmetrics-text" in r, r.endswith("# EOF\n"))
r = req(b"GET /metrics?x=1 HTTP/1.0\r\n\r\n")
print("text", r.split("\r\n")[0], "text/plain; version=0.0.4" in r)
sys.stdout.flush()
r = req(b"HEAD /metrics HTTP/1.1\r\n\r\n")
print("head", r.split("\r\n")[0], r.endswith("\r\n\r\n"))
print("404", req(b"GET /x HTTP/1.1\r\n\r\n").split("\r\n")[0])
print("405", req(b"PUT /metrics HTTP/1.1\r\n\r\n").split("\r\n")[0])
print("400", req(b"\x00\x01garbage\r\n\r\n").split("\r\n")[0])
print("408", req(b"GET /metrics HTTP/1.1\r\n" + b"a" * 9000).split("\r\n")[0])
EOF
eq "serve: OpenMetrics on Accept" "$(grep '^om' "$w/http.out")" "om HTTP/1.1 200 OK True True"
eq "serve: text format otherwise" "$(grep '^text' "$w/http.out")" "text HTTP/1.1 200 OK True"
eq "serve: HEAD has no body" "$(grep '^head' "$w/http.out")" "head HTTP/1.1 200 OK True"
eq "serve: 404" "$(grep '^404' "$w/http.out")" "404 HTTP/1.1 404 Not Found"
eq "serve: 405" "$(grep '^405' "$w/http.out")" "405 HTTP/1.1 405 Method Not Allowed"
eq "serve: 400" "$(grep '^400' "$w/http.out")" "400 HTTP/1.1 400 Bad Request"
eq "serve: a request over 8 KiB" "$(grep '^408' "$w/http.out")" "408 HTTP/1.1 408 Request Timeout"
kill -TERM $serve
wait $serve
eq "serve stops cleanly on SIGTERM" $? 0
serve=

# 5. serve with ever new group names: old groups are forgotten, new
# processes still counted
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
VMVIEW_PROC_ROOT=$P VMVIEW_PROCFS=$V "$bin" serve --listen "127.0.0.1:$port" \
	--lock-file "$w/lock" --no-walk --max-series 5 &
serve=$!
for i in $(seq 30); do
	LC_ALL=C sed -i "s/^13 ([^)]*)/13 (name$i)/" "$P/13/stat"
	$py - "$port" > "$w/gc.prom" <<'EOF2'
import socket, sys, time
for _ in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
        break
    except OSError:
        time.sleep(0.05)
s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode(errors="replace").split("\r\n\r\n", 1)[1])
EOF2
done
eq "30 new group names later every process is still counted" \
	"$(val 'vminspect_exporter_processes{state="unwalked"}' "$w/gc.prom")" 4
kill -TERM $serve
wait $serve
serve=

echo "1..$n"
[ $failed -eq 0 ]
