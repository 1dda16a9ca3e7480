#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-views.sh [--screenshot FILE]: vmview's snapshots and html on the
# host, where there is no module.  In the test VM (once per initramfs) the
# demo's sample process and its forked child are snapshotted and their
# views taken live (vmview -j show, maps, pt, pt --map, translate,
# diff --fork).  On the host:
#   - every view of the snapshot equals the live view from the VM, byte for
#     byte (a snapshot is read on another machine as on its own);
#   - diff --fork of the two snapshots equals the live one;
#   - the html of the snapshot is well-formed (xmllint) and self-contained
#     (no http(s), src, href, <link>, @import, url() outside the document);
#   - headless Chromium loads it without a console message, its script ran,
#     the DOM holds one g.vma per VMA with the snapshot's state counts, and
#     the drawn widths of each VMA's present / untouched / file pages are
#     those counts at the page's scale; a screenshot is taken
#     (build/views/sample.png, or FILE);
#   - and against the guest kernel's own files, read in the VM when the
#     snapshot was taken (the process stopped): the g.vma are the VMAs of
#     /proc/PID/maps, and each one's drawn present pages, less those with
#     no refcounted page (data-nopage: the zero page, PFN maps), are Rss of
#     its /proc/PID/smaps entry, its swap pages Swap;
#   - the walk drawn for the fixture's address (-a) has, level by level,
#     the index and entry the VM's translate file gave;
#   - the html of the diff of the child to its parent is as clean and
#     outlines what changed.
# Prints "test-views: N checks, N failed"; exits non-zero on a failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/build/views
fx=$out/fixture
bin=$top/tools/vmview/vmview
shot=$out/sample.png
[ "${1:-}" = --screenshot ] && shot=$2
mkdir -p "$out"

if [ ! -e "$fx/.done" ] || [ ! -e "$fx/smaps" ] ||
   [ build/vm/initramfs.cpio.gz -nt "$fx/.done" ]; then
	rm -rf "$fx" && mkdir -p "$fx"
	tools/vm/run --timeout 300 -- sh -c '
		/vmi/bin/vmi-sample > /dev/null & sleep 1
		set -- $(pidof vmi-sample | tr " " "\n" | sort -n)
		p=$1 c=$2 V=/vmi/bin/vmview
		kill -STOP $p $c
		mkdir /tmp/f && cd /tmp/f
		$V snapshot $p -o parent.json && $V snapshot $c -o child.json
		cat /proc/$p/maps > maps; cat /proc/$p/smaps > smaps
		a=$(sed -n 5p /proc/vminspect/$p/vmas | cut -d" " -f1)
		echo $a > addr
		$V -j show $p > show.json; $V -j maps $p > maps.json
		$V -j pt $p > pt.json; $V -j pt $p --map > ptmap.json
		$V -j translate $p $a > translate.json
		$V -j diff --fork $p $c > fork.json
		echo @@fixture; tar c . | gzip | base64; echo @@end' \
		> "$out/fixture.txt" ||
		{ echo "test-views: the VM run failed" >&2; exit 1; }
	sed -n '/^@@fixture$/,/^@@end$/{/^@@/d;p}' "$out/fixture.txt" |
		base64 -d | tar xz -C "$fx" || exit 1
	touch "$fx/.done"
fi

n=0 failed=0
check() {	# check WHAT COMMAND...: the command must succeed
	local what=$1
	shift
	n=$((n + 1))
	if ! "$@"; then
		echo "test-views: FAIL: $what" >&2
		failed=$((failed + 1))
	fi
}

same_output() {	# same_output EXPECTED_FILE VMVIEW_ARGS...
	local want=$1
	shift
	"$bin" "$@" > "$out/got.json" && cmp -s "$want" "$out/got.json"
}

snap=$fx/parent.json
check "show from the snapshot" same_output "$fx/show.json" -j show "$snap"
check "maps from the snapshot" same_output "$fx/maps.json" -j maps "$snap"
check "pt from the snapshot" same_output "$fx/pt.json" -j pt "$snap"
check "pt --map from the snapshot" same_output "$fx/ptmap.json" -j pt "$snap" --map
# translate: the same walk; the ELF symbol is looked up only on the machine
# where the file is
translate_same() {
	"$bin" -j translate "$snap" "$(cat "$fx/addr")" > "$out/got.json" &&
	python3 - "$fx/translate.json" "$out/got.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
fa, fb = a.pop("file"), b.pop("file")
sys.exit(0 if a == b and fa["path"] == fb["path"] and
         fa["offset"] == fb["offset"] and "snapshot" in fb["error"] else 1)
PY
}
check "translate from the snapshot" translate_same

fork_same() {	# the frames of diff --fork, live in the VM and of the snapshots
	"$bin" -j diff --fork "$fx/parent.json" "$fx/child.json" > "$out/fork.json" &&
	python3 - "$fx/fork.json" "$out/fork.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
sys.exit(0 if a["vmas"] == b["vmas"] and a["total"] == b["total"] and
         a["total"]["shared"] > 0 else 1)
PY
}
check "diff --fork of two snapshots" fork_same

html=$out/sample.html
check "html of the snapshot" "$bin" html "$snap" -o "$html"
check "html is well-formed XML" xmllint --noout "$html"
self_contained() {
	! grep -qiE 'https?:|src=|href=|<link|@import|url\([^#]' "$html"
}
check "html is self-contained" self_contained

browser() {
	local prof=$out/chromium-profile log=$out/chromium.log
	local flags=(--headless --no-sandbox --disable-gpu --disable-quic
		--no-first-run --disable-background-networking
		--disable-component-update --disable-sync --enable-logging=stderr
		--v=0 --user-data-dir="$prof" --window-size=1400,1500)

	command -v chromium > /dev/null || { echo "test-views: no chromium" >&2; return 1; }
	rm -rf "$prof"
	timeout 120 chromium "${flags[@]}" --dump-dom "file://$html" \
		> "$out/dom.html" 2> "$log" || return 1
	if grep -E 'CONSOLE|Uncaught' "$log" >&2; then
		echo "test-views: console messages (above)" >&2
		return 1
	fi
	rm -rf "$prof"
	timeout 120 chromium "${flags[@]}" --screenshot="$shot" "file://$html" \
		> /dev/null 2>> "$log" || return 1
	[ -s "$shot" ] || return 1
	"$bin" -j maps "$snap" > "$out/maps.json" || return 1
	python3 - "$out/dom.html" "$out/maps.json" "$fx/maps" "$fx/smaps" <<'PY'
import json, re, sys
from html.parser import HTMLParser

dom, vmas = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
kmaps = [tuple(int(x, 16) for x in l.split()[0].split("-"))
         for l in open(sys.argv[3]) if l.strip()]
ksmaps, cur = {}, None
for l in open(sys.argv[4]):
    m = re.match(r"([0-9a-f]+)-([0-9a-f]+) ", l)
    if m:
        cur = ksmaps.setdefault((int(m[1], 16), int(m[2], 16)), {})
        continue
    m = re.match(r"(\w+):\s+(\d+) kB", l)
    if m and cur is not None:
        cur[m[1]] = int(m[2])

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.groups, self.cur, self.bpp, self.body = [], None, None, {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        if tag == "svg" and a.get("id") == "space":
            self.bpp = int(a["data-bpp"])
        if tag == "g" and a.get("class") == "vma":
            self.cur = {"a": a, "w": {}}
            self.groups.append(self.cur)
        if tag == "rect" and self.cur is not None:
            for c in a.get("class", "").split():
                if c.startswith("st-"):
                    self.cur["w"][c[3:]] = self.cur["w"].get(c[3:], 0) + float(a["width"])
    def handle_endtag(self, tag):
        if tag == "g":
            self.cur = None

p = P()
p.feed(dom)
bad, checked = [], 0
if p.body.get("data-vmas") != str(len(vmas)):
    bad.append("the page's script did not run or counted %s VMAs" % p.body.get("data-vmas"))
if len(p.groups) != len(vmas):
    bad.append("%d g.vma for %d VMAs" % (len(p.groups), len(vmas)))
drawn_vmas = [(int(g["a"]["data-start"], 16), int(g["a"]["data-end"], 16))
              for g in p.groups]
if drawn_vmas != kmaps:
    bad.append("g.vma are not the VMAs of /proc/PID/maps: %d drawn, %d in maps"
               % (len(drawn_vmas), len(kmaps)))
for g, v in zip(p.groups, vmas):
    a = g["a"]
    if int(a["data-start"], 16) != v["start"] or int(a["data-end"], 16) != v["end"]:
        bad.append("g.vma %s-%s for VMA %x" % (a["data-start"], a["data-end"], v["start"]))
    for s, n in v["states"].items():
        if int(a["data-" + s]) != n:
            bad.append("VMA %x: data-%s %s, snapshot %d" % (v["start"], s, a["data-" + s], n))
    # what is drawn: each state's pixels at the page's scale, in pages
    drawn = {k: w * p.bpp / 4096 for k, w in g["w"].items()}
    present = sum(drawn.get(k, 0) for k in ("present", "present-pmd", "present-pud"))
    for name, want in (("present", v["states"]["present"]),
                       ("untouched", v["states"]["untouched"]),
                       ("file", v["states"]["file"])):
        got = present if name == "present" else drawn.get(name, 0)
        if abs(got - want) > 0.01 * max(1, want):
            bad.append("VMA %x: %.2f %s pages drawn, %d in the snapshot" % (v["start"], got, name, want))
    # the kernel's smaps: Rss is the present pages that have a page
    k = ksmaps.get((v["start"], v["end"]))
    if k is None:
        bad.append("VMA %x: not in /proc/PID/smaps" % v["start"])
        continue
    rss = int(a["data-present"]) - int(a["data-nopage"])
    if rss * 4 != k["Rss"]:
        bad.append("VMA %x: %d present pages with a page in the DOM, smaps Rss %d kB"
                   % (v["start"], rss, k["Rss"]))
    if int(a["data-swap"]) * 4 != k["Swap"]:
        bad.append("VMA %x: data-swap %s, smaps Swap %d kB" % (v["start"], a["data-swap"], k["Swap"]))
    checked += 1
print("test-views: %d VMAs checked against /proc/PID/maps and smaps" % checked)
for b in bad:
    print("test-views:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}
check "html in headless Chromium" browser

# the walk drawn for ADDR is the kernel's: each level's index and entry as
# the VM's /proc/vminspect/PID/translate gave them live
walk_html() {
	local w=$out/walk.html
	"$bin" html "$snap" -a "$(cat "$fx/addr")" -o "$w" && xmllint --noout "$w" &&
	python3 - "$w" "$fx/translate.json" <<'PY'
import json, sys
from html.parser import HTMLParser

tr = json.load(open(sys.argv[2]))
want = [(l["level"], l["index"], l["entry"]) for l in tr["levels"]
        if l["walked"] and not l["folded"]]

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "g" and a.get("class") == "level":
            self.levels.append((a["data-level"], int(a["data-index"]),
                                int(a["data-entry"], 16)))

p = P()
p.feed(open(sys.argv[1]).read())
if p.levels != want:
    print("test-views: walk drawn %s, translate gave %s" % (p.levels, want),
          file=sys.stderr)
    sys.exit(1)
PY
}
check "html: the walk of an address is translate's" walk_html

# the diff drawn: the child against its parent (its text pages unmapped)
diff_html() {
	local d=$out/diff.html prof=$out/chromium-profile log=$out/chromium-diff.log
	"$bin" html "$fx/parent.json" "$fx/child.json" -o "$d" &&
	xmllint --noout "$d" &&
	! grep -qiE 'https?:|src=|href=|<link|@import|url\([^#]' "$d" || return 1
	rm -rf "$prof"
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --enable-logging=stderr \
		--v=0 --user-data-dir="$prof" --dump-dom "file://$d" \
		> "$out/diff-dom.html" 2> "$log" || return 1
	! grep -E 'CONSOLE|Uncaught' "$log" >&2 &&
	grep -q 'class="chg"' "$out/diff-dom.html"
}
check "html of a diff in headless Chromium" diff_html

echo "test-views: $n checks, $failed failed"
[ $failed -eq 0 ]
