#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-prometheus.sh: a real Prometheus server (Debian's prometheus package)
# on the host scrapes 'vmview serve' in the test VM through a QEMU
# user-network port forwarded to 127.0.0.1, and its HTTP API must give the
# figures the guest kernel's own files give (tools/prometheus-guest.sh
# prints them): page-table bytes against VmPTE, faults against
# /proc/PID/stat, RSS against smaps_rollup.  The exposition is also checked
# with promtool (text format) and prometheus_client's strict OpenMetrics
# parser.  Prints TAP; skips (with the reason) where prometheus cannot be
# installed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
work=$(mktemp -d "${TMPDIR:-/tmp}/vmi-prom.XXXXXX")
vm= prom=
cleanup() {
	[ -n "$prom" ] && kill "$prom" 2> /dev/null && wait "$prom" 2> /dev/null
	[ -n "$vm" ] && kill "$vm" 2> /dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# Debian's python3, where python3-prometheus-client is (not a pyenv's)
py=/usr/bin/python3
[ -x $py ] || py=python3

echo "TAP version 13"
if ! command -v prometheus > /dev/null || ! command -v promtool > /dev/null; then
	echo "1..1"
	echo "ok 1 prometheus # SKIP the prometheus package is not installed (apt-get install prometheus)"
	exit 0
fi
echo "1..9"
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }
check() { if [ "$2" = "$3" ]; then ok "$1 ($2)"; else not_ok "$1: prometheus $2, kernel $3"; fi; }

free_port() {
	$py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
get() {	# URL [ACCEPT]: the body on stdout
	$py - "$@" <<'EOF'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1])
if len(sys.argv) > 2:
    req.add_header("Accept", sys.argv[2])
with urllib.request.urlopen(req, timeout=30) as r:
    sys.stdout.write(r.headers.get("Content-Type", "") + "\n" + r.read().decode())
EOF
}
# query PROMQL: the value of the one sample it gives, "none" otherwise
query() {
	$py - "http://127.0.0.1:$pport/api/v1/query" "$1" <<'EOF'
import json, sys, urllib.parse, urllib.request
u = sys.argv[1] + "?" + urllib.parse.urlencode({"query": sys.argv[2]})
try:
    d = json.load(urllib.request.urlopen(u, timeout=10))
except OSError:
    d = {"status": "down"}	# not listening yet
r = d["data"]["result"] if d["status"] == "success" else []
print(r[0]["value"][1] if len(r) == 1 else "none")
EOF
}

mport=$(free_port) sport=$(free_port) pport=$(free_port)
log=$work/vm.log
tools/vm/run --timeout 600 --forward "$mport:9417" --forward "$sport:9418" \
	--add tools/prometheus-guest.sh -- sh prometheus-guest.sh > "$log" 2>&1 &
vm=$!
for _ in $(seq 300); do
	grep -q '^truth done' "$log" && break
	kill -0 $vm 2> /dev/null || break
	sleep 1
done
truth() { sed -n "s/^truth $1 //p" "$log" | tr -d '\r'; }
if ! grep -q '^truth done' "$log"; then
	not_ok "guest did not start the exporter"
	cat "$log"
	exit 1
fi
pid=$(truth pid)

# the exposition itself, fetched through the forwarded port
get "http://127.0.0.1:$mport/metrics" > "$work/text"
if head -n1 "$work/text" | grep -q '^text/plain; version=0.0.4' &&
	tail -n +2 "$work/text" | promtool check metrics; then
	ok "promtool check metrics on the text format"
else
	not_ok "promtool check metrics on the text format"
fi
get "http://127.0.0.1:$mport/metrics" \
	'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' > "$work/om"
if head -n1 "$work/om" | grep -q '^application/openmetrics-text' &&
	tail -n +2 "$work/om" | $py -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as p
fams = list(p(sys.stdin.read()))
assert any(f.name == "vminspect_process_page_faults" for f in fams)
'; then
	ok "OpenMetrics parsed by prometheus_client (strict)"
else
	not_ok "OpenMetrics parsed by prometheus_client"
fi

cat > "$work/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
  scrape_timeout: 2s
scrape_configs:
  - job_name: vmview
    static_configs:
      - targets: ['127.0.0.1:$mport']
EOF
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
	--web.listen-address="127.0.0.1:$pport" > "$work/prometheus.log" 2>&1 &
prom=$!
sel="pid=\"$pid\""
# a loaded host (TCG guests beside us) makes both slow: wait up to 3 min
for _ in $(seq 180); do
	kill -0 $prom 2> /dev/null || break
	[ "$(query "vminspect_process_kernel_page_table_bytes{$sel}" 2> /dev/null)" != none ] &&
		break
	sleep 1
done
if [ "$(query "vminspect_process_kernel_page_table_bytes{$sel}" 2> /dev/null)" = none ]; then
	echo "# prometheus has no sample of the guest; its log and targets:"
	tail -n 20 "$work/prometheus.log" | sed 's/^/#   /'
	get "http://127.0.0.1:$pport/api/v1/targets" 2>&1 | head -c 2000 | sed 's/^/#   /'
	echo
fi
check "up{job=vmview}" "$(query 'up{job="vmview"}')" 1
check "page-table bytes (pte+pmd+pud walked) = VmPTE" \
	"$(query "sum(vminspect_process_page_table_bytes{$sel,level=~\"pte|pmd|pud\"})")" "$(truth vmpte)"
check "kernel_page_table_bytes = VmPTE" \
	"$(query "vminspect_process_kernel_page_table_bytes{$sel}")" "$(truth vmpte)"
check "page_faults_total{type=minor} = min_flt of /proc/PID/stat" \
	"$(query "vminspect_process_page_faults_total{$sel,type=\"minor\"}")" "$(truth min_flt)"
if [ "$(truth probes)" = 0 ]; then
	ok "probe faults # SKIP the probes did not start in the guest"
else
	check "probe_faults_total{counter=minor} = min_flt of /proc/PID/stat" \
		"$(query "vminspect_process_probe_faults_total{$sel,counter=\"minor\"}")" "$(truth min_flt)"
fi
check "present - nopage bytes = Rss of smaps_rollup" \
	"$(query "vminspect_process_memory_bytes{$sel,state=\"present\"} - ignoring(state, attr) vminspect_process_present_bytes{$sel,attr=\"nopage\"}")" \
	"$(truth rss_rollup)"
check "group vmi-sample: VmPTE of parent and child" \
	"$(query 'vminspect_group_kernel_page_table_bytes{group="vmi-sample"}')" "$(truth group_vmpte)"

# let the guest go
$py -c "import socket; socket.create_connection(('127.0.0.1', $sport), 10).close()"
wait $vm
vrc=$?
vm=
if [ $vrc -ne 0 ]; then
	echo "# guest exited $vrc"
	tail -n 20 "$log"
	failed=$((failed + 1))
fi
[ $failed -eq 0 ]
