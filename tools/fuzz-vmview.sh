#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz-vmview.sh [RUNS]: run vmview built with ASan and UBSan
# (build/vmview-asan/vmview-asan) on the host RUNS times (default
# $VMI_VMVIEW_FUZZ_RUNS or 300) with random arguments, against three
# sources of /proc/vminspect: none (the module is absent on the host), a
# snapshot taken in the test VM, and randomly corrupted copies of it
# (VMVIEW_PROCFS; the snapshot's copies of the guest's /proc/PID/stat,
# status and cmdline are the kernel's files for export, VMVIEW_PROC_ROOT).
# Every run must end with status 0, 1 or 2 and without a sanitizer report;
# top may also be stopped by the timeout, and serve and export --interval
# are stopped by it (SIGTERM, a 2 s timeout).  Runs happen in a scratch
# directory (export -o writes files).  "probe start" is never generated: it
# would load BPF programs into the host kernel.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
runs=${1:-${VMI_VMVIEW_FUZZ_RUNS:-300}}
out=$top/build/fuzz
bin=$top/build/vmview-asan/vmview-asan
snap=$out/snapshot

make -s -C tools/vmview vmview-asan || exit 1
mkdir -p "$out"

# A snapshot of /proc/vminspect from the VM (vmi-sample has a THP, a file
# mapping, a COW child); translate holds the answer for one address.
if [ ! -e "$snap/.done" ] || [ ! -d "$snap/.json" ] ||
   [ build/vm/initramfs.cpio.gz -nt "$snap/.done" ]; then
	rm -rf "$snap" && mkdir -p "$snap"
	tools/vm/run --timeout 300 -- sh -c '
		/vmi/bin/vmi-sample > /dev/null & sleep 1
		mkdir /tmp/s && cd /tmp/s
		cat /proc/vminspect/processes > processes
		for d in /proc/vminspect/[0-9]*; do
			p=${d##*/}; mkdir $p
			for f in mm vmas pagetable; do cat $d/$f > $p/$f; done
			mkdir -p k/$p
			for f in stat status cmdline; do cat /proc/$p/$f > k/$p/$f; done
			a=$(sed -n 3p $p/vmas | cut -d" " -f1)
			{ echo $a >&3; cat <&3; } 3<>$d/translate > $p/translate
			[ -s $p/translate ] || rm -r $p k/$p
		done 2> /dev/null
		mkdir /tmp/s/.json
		for p in $(pidof vmi-sample); do
			/vmi/bin/vmview snapshot $p -o /tmp/s/.json/$p.json
		done
		echo @@snapshot; cd /tmp && tar c s | gzip | base64; echo @@end' \
		> "$out/snapshot.txt" ||
		{ echo "fuzz-vmview: snapshot failed" >&2; exit 1; }
	sed -n '/^@@snapshot$/,/^@@end$/{/^@@/d;p}' "$out/snapshot.txt" |
		base64 -d | tar xz -C "$snap" --strip-components=1 || exit 1
	touch "$snap/.done"
fi
pids=($(cd "$snap" && ls -d [0-9]*))
mkdir -p "$out/cwd"

words=(help ps show maps pt translate top probe p s m t tr h he
	-h --help -j --json -p --pretty -v --verbose -V --version --bogus -x
	-- --sort --map -m -n -d --iterations --delay status stop pid rss
	vmas name pt_bytes comm 0 1 -1 42 99999999 2147483648 -2147483649
	export serve e se -o --output -i --interval -O --openmetrics -g --group
	-m --match -P --pid -k --top -K --top-by -S --max-series -T --budget-time
	-B --budget-pages -L --large -E --large-every -W --no-walk -l --lock-file
	-a --listen "{comm}" "{exe}" "{exe_path}" "{user}" "{uid}" "{1}" "{x}" "{"
	"(a)(b)" "(" "[" ":0" "127.0.0.1:0" "[::1]:0" "[::1" 1:2:3 4G 1K 0.1 0.0
	faults tlb swap out.prom
	0x 0x0 0x1000 0x7fffffffffff 0xffffffffffffffff 0x10000000000000000
	ffff800000000000 zz "" " " "%s%s%n%x" 1e9 0777 +5
	snapshot diff html sn d ht --fork --frames pagemap pagetable -o -a -t
	--output --address --translate -)
long=$(head -c 5000 /dev/zero | tr '\0' A)
# longer than vmview's first read of a file (64 KiB), digits: a number too
overlong=$(head -c 70000 /dev/zero | tr '\0' 7)

# Corrupt a copy of the snapshot: flipped bytes, cut files, lines dropped
# or repeated, numbers made huge or negative, the version changed, and the
# lines no module writes: a line of blanks, an overlong line (one token, or
# a line that goes on), a NUL inside a line, a line cut short.
# corrupt DIR: one to four files, any damage; corrupt DIR FILE: that file
# (relative to DIR), one of the line-shaped damages (7 to 11).
corrupt() {
	local dir=$1 f n l m files
	rm -rf "$dir" && cp -a "$snap" "$dir"
	if [ $# -gt 1 ]; then
		files=$dir/$2
	else
		files=$(find "$dir" -type f ! -name .done | shuf -n $((1 + RANDOM % 4)))
	fi
	for f in $files; do
		n=$(stat -c %s "$f")
		[ "$n" -gt 0 ] || continue
		l=$((1 + RANDOM % 40))
		m=$((RANDOM % 12))
		[ $# -eq 1 ] || m=$((7 + RANDOM % 5))
		case $m in
		0) printf "\\x$(printf %02x $((RANDOM % 256)))" |
			dd of="$f" bs=1 seek=$((RANDOM * 32768 % n + RANDOM % n)) \
			conv=notrunc status=none ;;
		1) truncate -s $((RANDOM % n)) "$f" ;;
		2) sed -i "${l}d" "$f" ;;
		3) sed -i "${l}p" "$f" ;;
		4) sed -i "s/ [0-9][0-9]*/ 18446744073709551616/$((1 + RANDOM % 9))" "$f" ;;
		5) sed -i "s/ [0-9][0-9]*/ -$RANDOM/$((1 + RANDOM % 9))" "$f" ;;
		6) sed -i "1s/ [0-9.]*$/ $((RANDOM % 3)).$RANDOM/" "$f" ;;
		7) blanks=("" " " "   " "\t" " \t ")
		   awk -v l=$l -v b="${blanks[RANDOM % 5]}" \
			'NR == l { print b } { print } END { if (NR < l) print b }' \
			"$f" > "$f.new" && mv "$f.new" "$f" ;;
		8) awk -v l=$l -v t="$overlong" -v w=$((RANDOM % 2)) \
			'NR == l { print (w ? $0 " " t : t) } NR != l { print }' \
			"$f" > "$f.new" && mv "$f.new" "$f" ;;
		9) n=$((RANDOM * 32768 % n + RANDOM % n))
		   { head -c "$n" "$f"; printf '\0'; tail -c +$((n + 1)) "$f"; } \
			> "$f.new" && mv "$f.new" "$f" ;;
		10) awk -v l=$l -v r=$RANDOM \
			'NR == l { $0 = substr($0, 1, r % (length($0) + 1)) } { print }' \
			"$f" > "$f.new" && mv "$f.new" "$f" ;;
		11) n=$(grep -c '' "$f")	# cut inside the last line
		   truncate -s $(($(head -n $((n - 1)) "$f" | wc -c) + RANDOM % 8)) "$f" ;;
		esac
	done
}

# Arguments also name the JSON snapshots 'vmview snapshot' took in the VM
# and copies of them corrupted here (corrupt_json).
jsons=("$snap"/.json/*.json)
[ -e "${jsons[0]}" ] || { echo "fuzz-vmview: no JSON snapshots" >&2; exit 1; }

# Corrupt a copy of a JSON snapshot: flipped bytes, cut, lines of the
# files inside it dropped or repeated, numbers made huge, negative or
# strings, keys renamed, the version changed; in the files inside it a
# line of blanks, an overlong line, a NUL (\u0000).
corrupt_json() {
	local f=$1 n
	cp "${jsons[RANDOM % ${#jsons[@]}]}" "$f"
	n=$(stat -c %s "$f")
	case $((RANDOM % 13)) in
	0) printf "\\x$(printf %02x $((RANDOM % 256)))" |
		dd of="$f" bs=1 seek=$((RANDOM * 32768 % n + RANDOM % n)) \
		conv=notrunc status=none ;;
	1) truncate -s $((RANDOM % n)) "$f" ;;
	2) sed -i "s/\\\\n[^\\\\]*\\\\n/\\\\n/$((1 + RANDOM % 60))" "$f" ;;
	3) sed -i "s/\\\\n\\([^\\\\]*\\)\\\\n/\\\\n\\1\\\\n\\1\\\\n/$((1 + RANDOM % 60))" "$f" ;;
	4) sed -i "s/\\([ :]\\)[0-9][0-9]*/\\118446744073709551616/$((1 + RANDOM % 30))" "$f" ;;
	5) sed -i "s/\\([ :]\\)[0-9][0-9]*/\\1-$RANDOM/$((1 + RANDOM % 30))" "$f" ;;
	6) sed -i "s/\\(:\\) *[0-9][0-9]*/\\1\"x\"/$((1 + RANDOM % 30))" "$f" ;;
	7) sed -i "s/\"\\(pid\\|files\\|mm\\|vmas\\|pagetable\\|walks\\|counters\\|format\\)\"/\"x\"/$((1 + RANDOM % 3))" "$f" ;;
	8) sed -i "s/\"version\": *\"[0-9.]*\"/\"version\": \"$((RANDOM % 3)).$RANDOM\"/" "$f" ;;
	9) sed -i "s/\\\\n0000/\\\\nzz00/$((1 + RANDOM % 80))" "$f" ;;	# a line of a file
	10) sed -i "s/\\\\n/\\\\n   \\\\n/$((1 + RANDOM % 80))" "$f" ;;
	11) sed -i "s/\\\\n/\\\\n${long:0:$((RANDOM % 5000 + 100))}\\\\n/$((1 + RANDOM % 80))" "$f" ;;
	12) sed -i "s/\\\\n\\([a-z0-9]\\)/\\\\n\\1\\\\u0000/$((1 + RANDOM % 80))" "$f" ;;
	esac
}

# -o FILE writes where vmview runs: a scratch directory (paths are absolute;
# no word is an absolute path but copies of snapshots made for the run)
mkdir -p "$out/cwd" && cd "$out/cwd" || exit 1

# The command that reads each file, for the runs aimed at one file.
readers=("show mm" "maps vmas" "pt mm" "pt pagetable --map" "snapshot mm"
	"html vmas")

pass=0 fail=0 hung=0
for ((i = 1; i <= runs; i++)); do
	args=()
	env=()
	# a fifth of the runs aim at one file: damage a line of it, run the
	# command that reads it (ps: processes)
	if [ $((RANDOM % 5)) -eq 0 ]; then
		p=${pids[RANDOM % ${#pids[@]}]}
		read -ra r <<< "${readers[RANDOM % ${#readers[@]}]}"
		if [ $((RANDOM % 6)) -eq 0 ]; then
			args=(ps) && corrupt "$out/corrupt" processes
		else
			args=("${r[0]}" "$p" "${r[@]:2}")
			corrupt "$out/corrupt" "$p/${r[1]}"
		fi
		[ $((RANDOM % 2)) -eq 0 ] && args=(-j "${args[@]}")
		env=(VMVIEW_PROCFS="$out/corrupt" VMVIEW_PROC_ROOT="$out/corrupt/k")
	fi
	# a quarter of the others fuzz export's many options, a few serve's
	case $((${#env[@]} ? 19 : RANDOM % 20)) in
	[0-4]) args=(export) ;;
	5) args=(serve --listen 127.0.0.1:0) ;;
	esac
	for ((k = ${#env[@]} ? 0 : RANDOM % 6; k > 0; k--)); do
		case $((RANDOM % 10)) in
		0) args+=("${pids[RANDOM % ${#pids[@]}]}") ;;
		1) args+=("0x$(printf %x $((RANDOM << 30 | RANDOM << 15 | RANDOM)))") ;;
		2) [ $((RANDOM % 20)) -eq 0 ] && args+=("$long") ;;
		3) cp "${jsons[RANDOM % ${#jsons[@]}]}" "$out/valid-$k.json"
		   args+=("$out/valid-$k.json") ;;	# -o may overwrite it
		4) corrupt_json "$out/corrupt-$k.json"
		   args+=("$out/corrupt-$k.json") ;;
		*) args+=("${words[RANDOM % ${#words[@]}]}") ;;
		esac
	done
	# never load BPF programs into the host kernel
	for a in "${args[@]}"; do
		[ "$a" = probe ] && args=("${args[@]/#start/stop}")
	done
	case $((${#env[@]} ? 0 : RANDOM % 4)) in
	0) ;;
	1) env=(VMVIEW_PROCFS="$snap" VMVIEW_PROC_ROOT="$snap/k") ;;
	*) corrupt "$out/corrupt"
	   env=(VMVIEW_PROCFS="$out/corrupt" VMVIEW_PROC_ROOT="$out/corrupt/k") ;;
	esac
	# serve and export --interval run until stopped: 2 s
	limit=10 stops=0
	if printf '%s\n' "${args[@]}" | grep -qxE 'se|serve|-i|--interval'; then
		limit=2 stops=1
	fi
	(cd "$out/cwd" && env "${env[@]}" ASAN_OPTIONS=exitcode=99:detect_leaks=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98 \
		timeout -k 2 $limit "$bin" "${args[@]}" > "$out/stdout" 2> "$out/stderr" < /dev/null)
	rc=$?
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error|SUMMARY:' "$out/stderr"; then
		rc=99
	fi
	if [ $rc -eq 124 ] && { [ $stops -eq 1 ] ||
		printf '%s\n' "${args[@]}" | grep -qx 'top\|t'; }; then
		hung=$((hung + 1))	# top, serve, export -i run until stopped
	elif [ $rc -le 2 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "fuzz-vmview: status $rc: ${env[*]} vmview ${args[*]:0:8}" >&2
		head -n 30 "$out/stderr" >&2
		[ -n "${env[*]}" ] && cp -a "${env[0]#VMVIEW_PROCFS=}" "$out/fail-$i"
		mkdir -p "$out/fail-$i" && cp "$out"/corrupt-*.json "$out/fail-$i/" 2> /dev/null
	fi
done
echo "fuzz-vmview: $runs runs: $pass clean exits, $hung runs of top, serve or export -i stopped by the timeout, $fail failures"
[ $fail -eq 0 ]
