#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-abi-doc.sh: Documentation/proc-vminspect.rst documents every key and
# column of every table of include/vminspect_abi.h, and no other.  Each
# table is documented by a reST table that follows a comment
# ".. vminspect-abi: TABLE" and whose first column lists ``name`` (one per
# row; rows whose first cell is empty continue the row above).  The
# "since" column, when the table has one, must say the table's minor
# (1.N).  Prints one TAP line per table; exits non-zero on any mismatch.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/abi-names
mkdir -p "$top/build"
cc -O1 -Wall -Wextra -Werror -I"$top/include" -o "$out" "$top/tools/abi-names.c" || exit 1
"$out" > "$top/build/abi-names.txt" || exit 1
python3 - "$top/build/abi-names.txt" "$top/Documentation/proc-vminspect.rst" <<'PY'
import re, sys

tables = {}
for line in open(sys.argv[1]):
    t, name, since = line.split()
    tables.setdefault(t, []).append((name, int(since)))

doc = open(sys.argv[2]).read().split('\n')
documented = {}
i = 0
while i < len(doc):
    m = re.match(r'^\.\. vminspect-abi: (\S+)\s*$', doc[i])
    i += 1
    if not m:
        continue
    t = m.group(1)
    while i < len(doc) and not doc[i].startswith('='):
        i += 1
    border = doc[i] if i < len(doc) else ''
    # column boundaries from the border line
    cols = [(mm.start(), mm.end()) for mm in re.finditer(r'=+', border)]
    # a simple table: border, [header, border,] rows, border, blank line
    isborder = lambda l: re.match(r'^=+( +=+)*\s*$', l)
    lines = [doc[i]]
    i += 1
    while i < len(doc):
        lines.append(doc[i])
        i += 1
        if isborder(lines[-1]) and (i >= len(doc) or not doc[i].strip()):
            break
    inner = [k for k, l in enumerate(lines) if isborder(l)]
    if len(inner) >= 3:
        head, body = [lines[1]], lines[inner[1] + 1:inner[-1]]
    else:
        head, body = [], lines[1:inner[-1]]
    hcells = [head[0][a:(cols[k + 1][0] if k + 1 < len(cols) else None)].strip()
              for k, (a, b) in enumerate(cols)] if head else []
    since_col = hcells.index('since') if 'since' in hcells else None
    entries = []
    for r in body:
        first = r[:cols[1][0]].strip() if len(cols) > 1 else r.strip()
        if not first:
            continue
        nm = re.fullmatch(r'``([^`]+)``', first)
        if not nm:
            entries.append((first, None))
            continue
        since = None
        if since_col is not None:
            a = cols[since_col][0]
            b = cols[since_col + 1][0] if since_col + 1 < len(cols) else None
            since = r[a:b].strip()
        entries.append((nm.group(1), since))
    documented.setdefault(t, []).extend(entries)

n, bad = 0, 0
for t in list(tables) + [t for t in documented if t not in tables]:
    n += 1
    want = tables.get(t)
    have = documented.get(t)
    errs = []
    if want is None:
        errs.append('documented, but no such table in include/vminspect_abi.h')
    elif have is None:
        errs.append('no ".. vminspect-abi: %s" table in the documentation' % t)
    else:
        wn = [w for w, _ in want]
        hn = [h for h, _ in have]
        for w in wn:
            if w not in hn:
                errs.append('%s not documented' % w)
        for h in hn:
            if h not in wn:
                errs.append('%s documented but not in the table' % h)
            elif hn.count(h) > 1:
                errs.append('%s documented twice' % h)
        for h, s in have:
            if s is not None and h in wn:
                ws = dict(want)[h]
                if s != '1.%d' % ws:
                    errs.append('%s: since %s, the table says 1.%d' % (h, s, ws))
    if errs:
        bad += 1
        print('not ok %d - %s: %s' % (n, t, '; '.join(sorted(set(errs)))))
    else:
        print('ok %d - %s: %d names documented' % (n, t, len(tables[t])))
print('1..%d' % n)
sys.exit(1 if bad else 0)
PY
