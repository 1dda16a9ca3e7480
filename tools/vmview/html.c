// SPDX-License-Identifier: GPL-2.0
/*
 * vmview html PID|SNAPSHOT [B] [-o FILE] [-a ADDR]: one self-contained HTML
 * file (inline SVG, CSS and script; nothing fetched) with the address
 * space to scale (every pixel the same number of bytes, rows wrapped, big
 * holes compressed into labelled bands), each VMA's pages coloured by state
 * from the pagetable runs, huge mappings hatched, the page tables behind
 * each part as an overlay, details on hover, and the walk of one address
 * through the levels as the articles draw it.  With B, the picture is of B
 * and what changed since A is outlined (a diff).
 *
 * The output is well-formed XML as well as HTML (xmllint checks it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "diff.h"
#include "procfmt.h"
#include "snapshot.h"
#include "vmview.h"

static const char * const state_names[] = VMI_STATE_NAMES;
static const char * const level_names[] = VMI_LEVEL_NAMES;

#define ROW_PX		1024	/* drawing width of one row */
#define ROW_H		14
#define ROW_GAP		3
#define LEFT		200	/* address and name column */
#define RIGHT		150	/* page-table overlay column */
#define HOLE_H		16
#define MAX_ROWS	400	/* the scale is chosen to stay below */
#define PAGE		4096ULL

static const char *out_path;
static uint64_t walk_addr;
static bool have_walk_addr;

static FILE *out;

static const char * const ps_color[VMV_NR_PSTATES] = {
	[VMV_PS_UNMAPPED] = "#ffffff",
	[VMV_PS_UNTOUCHED] = "#e4e4e4",
	[VMV_PS_FILE] = "#a9cbeb",
	[VMV_PS_PTE] = "#2f9e55",
	[VMV_PS_PMD] = "#1c6b37",
	[VMV_PS_PUD] = "#0f4423",
	[VMV_PS_SWAP] = "#e8912a",
	[VMV_PS_MIGRATION] = "#9b59b6",
	[VMV_PS_SPECIAL] = "#7f8c8d",
};

static const char * const ps_words[VMV_NR_PSTATES] = {
	[VMV_PS_UNMAPPED] = "no VMA (unallocated)",
	[VMV_PS_UNTOUCHED] = "anonymous, never touched (unallocated)",
	[VMV_PS_FILE] = "file-backed, not mapped (uncached)",
	[VMV_PS_PTE] = "present, 4K PTE (cached)",
	[VMV_PS_PMD] = "present, 2M PMD leaf (cached, huge)",
	[VMV_PS_PUD] = "present, 1G PUD leaf (cached, huge)",
	[VMV_PS_SWAP] = "in swap (uncached)",
	[VMV_PS_MIGRATION] = "migration entry",
	[VMV_PS_SPECIAL] = "special entry",
};

static void html_help(FILE *f)
{
	fprintf(f,
		"Usage: %s html PID|SNAPSHOT [B] [-o FILE] [-a ADDR]\n"
		"\n"
		"One self-contained HTML file (inline SVG, no network) with the address\n"
		"space to scale (big holes compressed and labelled), each VMA's pages\n"
		"coloured by state, huge mappings hatched, the page tables behind each\n"
		"part as an overlay, details on hover, and the walk of ADDR through the\n"
		"levels (default: the first page of the largest present mapping).  With\n"
		"a second PID or SNAPSHOT B, B is drawn and what changed since the first\n"
		"is outlined.  Written to stdout, or to FILE.\n"
		"\n"
		"  -o, --output FILE   write to FILE\n"
		"  -a, --address ADDR  the address whose walk is drawn (hex)\n",
		vmv_bin_name);
}

static int html_opt(int opt, const char *arg)
{
	char *end;

	switch (opt) {
	case 'o':
		out_path = arg;
		return 0;
	case 'a':
		errno = 0;
		walk_addr = strtoull(arg, &end, 16);
		if (errno || end == arg || *end || *arg == '-')
			return vmv_usage("'%s' is not an address (hex, 0x optional)",
				       arg);
		have_walk_addr = true;
		return 0;
	}
	return VMV_EXIT_USAGE;
}

/* Text for XML: & < > " ' escaped, control characters dropped. */
static void esc(const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '&')
			fputs("&amp;", out);
		else if (c == '<')
			fputs("&lt;", out);
		else if (c == '>')
			fputs("&gt;", out);
		else if (c == '"')
			fputs("&quot;", out);
		else if (c == '\'')
			fputs("&#39;", out);
		else if (c < 0x20 || c == 0x7f)
			fputc('?', out);
		else
			fputc(c, out);
	}
}

static const char *hsize(uint64_t b)
{
	static char buf[4][16];
	static int i;

	i = (i + 1) % 4;
	return vmv_size(b, buf[i], sizeof(buf[i]));
}

/* The layout: where each byte of each VMA is drawn. */
struct band {
	uint64_t start, end;	/* addresses drawn, one VMA */
	double y;		/* top of its first row */
	unsigned int rows;
};

struct layout {
	uint64_t bpp;		/* bytes per pixel */
	struct band *b;		/* one per VMA */
	double height;
};

static unsigned int rows_of(uint64_t bytes, uint64_t bpp)
{
	uint64_t px = (bytes + bpp - 1) / bpp;

	return px ? (px + ROW_PX - 1) / ROW_PX : 1;
}

/* Gaps up to this many pixels are drawn to scale, bigger ones compressed. */
static bool hole_compressed(uint64_t gap, uint64_t bpp)
{
	return gap / bpp > 8;
}

static int lay_out(const struct vmv_view *v, struct layout *L)
{
	uint64_t bpp;
	size_t i;

	L->b = calloc(v->nr_vmas + 1, sizeof(*L->b));
	if (!L->b)
		return -ENOMEM;
	for (bpp = PAGE; ; bpp *= 2) {
		uint64_t rows = 0;

		for (i = 0; i < v->nr_vmas; i++)
			rows += rows_of(v->vmas[i].end - v->vmas[i].start, bpp);
		if (rows <= MAX_ROWS || bpp >= 1ULL << 40)
			break;
	}
	L->bpp = bpp;
	L->height = 10;
	for (i = 0; i < v->nr_vmas; i++) {
		const struct vmv_vma *m = &v->vmas[i];

		if (i) {
			uint64_t gap = m->start - v->vmas[i - 1].end;

			if (hole_compressed(gap, bpp))
				L->height += HOLE_H;
		}
		L->b[i].start = m->start;
		L->b[i].end = m->end;
		L->b[i].y = L->height;
		L->b[i].rows = rows_of(m->end - m->start, bpp);
		L->height += L->b[i].rows * (ROW_H + ROW_GAP) + 2;
	}
	L->height += 10;
	return 0;
}

/*
 * Draw [x0, x1) of band b (addresses) as rects, wrapped over rows: calls
 * rect(x, y, w) for each piece, in pixels.
 */
static void band_rects(const struct band *b, uint64_t bpp, uint64_t x0,
		       uint64_t x1, const char *cls, const char *fill,
		       const char *extra)
{
	double p0, p1;

	if (x0 < b->start)
		x0 = b->start;
	if (x1 > b->end)
		x1 = b->end;
	if (x0 >= x1)
		return;
	p0 = (double)(x0 - b->start) / bpp;
	p1 = (double)(x1 - b->start) / bpp;
	while (p0 < p1) {
		unsigned int row = p0 / ROW_PX;
		double end = (row + 1.0) * ROW_PX;
		double w = (p1 < end ? p1 : end) - p0;

		fprintf(out,
			"<rect class=\"%s\" x=\"%.3f\" y=\"%.1f\" width=\"%.3f\" height=\"%d\"",
			cls, LEFT + (p0 - row * ROW_PX),
			b->y + row * (ROW_H + ROW_GAP), w, ROW_H);
		if (fill)
			fprintf(out, " fill=\"%s\"", fill);
		if (extra)
			fprintf(out, " %s", extra);
		fputs("/>\n", out);
		p0 += w;
	}
}

static void page_head(const struct vmv_view *v, const struct vmv_view *a)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\"/>\n<title>", out);
	fprintf(out, "vmview: %d ", v->pid);
	esc(v->mm.comm);
	fputs("</title>\n<style>\n"
	      "body{font:13px/1.4 sans-serif;margin:16px;color:#222;background:#fafafa}\n"
	      "h1{font-size:18px;margin:0 0 4px}h2{font-size:15px;margin:18px 0 6px}\n"
	      ".mono,svg text{font-family:monospace}\n"
	      "svg text{font-size:11px;fill:#333}\n"
	      ".vma .frame{fill:none;stroke:#555;stroke-width:0.6}\n"
	      ".vma:hover .frame,.vma.sel .frame{stroke:#d00;stroke-width:2}\n"
	      ".hole text{fill:#888;font-style:italic}\n"
	      ".pt{opacity:0.85}\n"
	      "#ptov:not(:checked)~svg .pt{display:none}\n"
	      ".chg{fill:none;stroke:#e0003c;stroke-width:1.5;stroke-dasharray:3 2}\n"
	      "#detail{position:sticky;top:0;background:#fff;border:1px solid #ccc;padding:6px 10px"
		";min-height:3em;white-space:pre;font-family:monospace;font-size:12px;z"
		"-index:2}\n"
	      "table{border-collapse:collapse;font-family:monospace;font-size:12px}\n"
	      "td,th{padding:1px 8px;text-align:right;border-bottom:1px solid #eee}\n"
	      "td.l,th.l{text-align:left}\n"
	      ".sw{display:inline-block;width:12px;height:12px;vertical-align:middle;border:1px "
		"solid #666;margin:0 4px 0 12px}\n"
	      "</style>\n</head>\n<body>\n", out);
	fprintf(out, "<h1>process %d (", v->pid);
	esc(v->mm.comm);
	fprintf(out, ")</h1>\n<div class=\"mono\" id=\"meta\">source: ");
	esc(v->label);
	fputs(" · taken ", out);
	esc(v->time[0] ? v->time : "?");
	fputs(" · kernel ", out);
	esc(v->kernel[0] ? v->kernel : "?");
	fprintf(out, " · %llu-level paging · %zu VMAs",
		(unsigned long long)v->mm.key[VMI_MM_PAGING_LEVELS], v->nr_vmas);
	if (a) {
		fputs(" · changes since ", out);
		esc(a->label);
		fputs(" (", out);
		esc(a->time[0] ? a->time : "?");
		fputs(") outlined", out);
	}
	fputs("</div>\n", out);
}

static void draw_legend(void)
{
	int s;

	fputs("<div id=\"legend\">", out);
	for (s = VMV_PS_UNTOUCHED; s < VMV_NR_PSTATES; s++) {
		fprintf(out, "<span class=\"sw\" style=\"background:%s\"></span>",
			ps_color[s]);
		esc(ps_words[s]);
	}
	fputs("<br/><span class=\"sw\" style=\"background:#5b7fb0\"></span>PTE table"
	      "<span class=\"sw\" style=\"background:#b05b8f\"></span>PMD table"
	      "<span class=\"sw\" style=\"background:#c9a227\"></span>PUD table"
	      " (overlay: the 2M / 1G / 512G spans each table maps)</div>\n", out);
}

static void vma_attrs(const struct vmv_view *v, size_t i)
{
	const struct vmv_vma *m = &v->vmas[i];
	int k;

	fprintf(out, " data-start=\"0x%llx\" data-end=\"0x%llx\" data-perms=\"",
		(unsigned long long)m->start, (unsigned long long)m->end);
	esc(m->perms);
	fputs("\" data-path=\"", out);
	esc(m->path ? m->path : "[anon]");
	fputs("\" data-flags=\"", out);
	esc(m->flags ? m->flags : "");
	fputs("\"", out);
	for (k = 0; k < VMI_NR_STATES; k++)
		fprintf(out, " data-%s=\"%llu\"", state_names[k],
			(unsigned long long)m->state[k]);
	fprintf(out, " data-huge-pmd=\"%llu\" data-huge-pud=\"%llu\" data-cow=\"%llu\" data-dirty="
		"\"%llu\" data-nopage=\"%llu\"",
		(unsigned long long)m->attr[VMI_ATTR_HUGE_PMD],
		(unsigned long long)m->attr[VMI_ATTR_HUGE_PUD],
		(unsigned long long)m->attr[VMI_ATTR_COW],
		(unsigned long long)m->attr[VMI_ATTR_DIRTY],
		(unsigned long long)m->attr[VMI_ATTR_NOPAGE]);
	fprintf(out, " data-pud-tables=\"%llu\" data-pmd-tables=\"%llu\" data-pte-tables=\"%llu\"",
		(unsigned long long)m->tables[VMV_VT_PUD],
		(unsigned long long)m->tables[VMV_VT_PMD],
		(unsigned long long)m->tables[VMV_VT_PTE]);
	if (v->vma_faults)
		fprintf(out, " data-faults=\"%llu\"",
			(unsigned long long)v->vma_faults[i]);
}

/* The page-table spans under band b: which 2M/1G/512G parts have a table. */
static void pt_overlay(const struct band *b, uint64_t bpp, const struct seg *s,
		       size_t ns)
{
	static const struct { uint64_t span; const char *col; int lvl; } lv[] = {
		{ 1ULL << 21, "#5b7fb0", VMI_LEVEL_PTE },
		{ 1ULL << 30, "#b05b8f", VMI_LEVEL_PMD },
		{ 1ULL << 39, "#c9a227", VMI_LEVEL_PUD },
	};
	size_t i, k;

	for (k = 0; k < ARRAY_SIZE(lv); k++) {
		uint64_t last = 0;
		bool have = false;

		for (i = 0; i < ns; i++) {
			uint64_t lo, hi, a;

			if (s[i].end <= b->start || s[i].start >= b->end)
				continue;
			/* a table of this level exists where entries below it do */
			if (s[i].st == VMV_PS_UNTOUCHED || s[i].st == VMV_PS_FILE)
				continue;
			if (lv[k].lvl == VMI_LEVEL_PTE &&
			    (s[i].st == VMV_PS_PMD || s[i].st == VMV_PS_PUD))
				continue;
			if (lv[k].lvl == VMI_LEVEL_PMD && s[i].st == VMV_PS_PUD)
				continue;
			lo = s[i].start & ~(lv[k].span - 1);
			hi = s[i].end;
			for (a = lo; a < hi; a += lv[k].span) {
				if (have && a == last)
					continue;
				have = true;
				last = a;
				/* a thin bar under the row: the span the table maps */
				{
					double p0, p1;
					uint64_t x0 = a < b->start ? b->start : a;
					uint64_t x1 = a + lv[k].span > b->end ?
						      b->end : a + lv[k].span;

					p0 = (double)(x0 - b->start) / bpp;
					p1 = (double)(x1 - b->start) / bpp;
					while (p0 < p1) {
						unsigned int row = p0 / ROW_PX;
						double e = (row + 1.0) * ROW_PX;
						double w = (p1 < e ? p1 : e) - p0;

						fprintf(out, "<rect class=\"pt pt-%s\" x=\"%.3f\" y"
							"=\"%.1f\" width=\"%.3f\" height=\"1\" fill=\"%s\"/>\n",

							level_names[lv[k].lvl],
							LEFT + (p0 - row * ROW_PX),
							b->y + row * (ROW_H + ROW_GAP) + ROW_H + k,
							w > 0.5 ? w - 0.3 : w, lv[k].col);
						p0 += w;
					}
				}
			}
		}
	}
}

struct chg_ctx {
	const struct layout *L;
	const struct vmv_view *v;
};

static void chg_piece(uint64_t x, uint64_t y, const struct seg *a,
		      const struct seg *b, void *data)
{
	const struct chg_ctx *c = data;
	size_t i;

	if ((a ? a->st : VMV_PS_UNMAPPED) == (b ? b->st : VMV_PS_UNMAPPED))
		return;
	for (i = 0; i < c->v->nr_vmas; i++)
		band_rects(&c->L->b[i], c->L->bpp, x, y, "chg", NULL, NULL);
}

static void address_space(const struct vmv_view *v, const struct vmv_view *a,
			  const struct layout *L, const struct seg *s,
			  size_t ns)
{
	size_t i, j = 0;

	fprintf(out, "<h2>Address space</h2>\n<div>to scale: one pixel is %s of address space, %d "
		"pixels a row; holes of more than 8 pixels are compressed into a "
		"labelled band</div>\n",
		hsize(L->bpp), ROW_PX);
	draw_legend();
	fputs("<div id=\"detail\">hover over a mapping</div>\n", out);
	fputs("<input type=\"checkbox\" id=\"ptov\" checked=\"checked\"/><label for=\"ptov\"> page-"
		"table overlay</label>\n", out);
	fprintf(out, "<svg id=\"space\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" "
		"data-bpp=\"%llu\" data-row-px=\"%d\">\n",
		LEFT + ROW_PX + RIGHT, L->height, LEFT + ROW_PX + RIGHT, L->height,
		(unsigned long long)L->bpp, ROW_PX);
	fputs("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\""
		" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill="
		"\"#1c6b37\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#8fe0a8\" "
		"stroke-width=\"2\"/></pattern>"
	      "<pattern id=\"hatch1g\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
		"patternTransform=\"rotate(-45)\"><rect width=\"6\" height=\"6\" fill=\"#0f4423\"/><line "
		"x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#d8f5e1\" "
		"stroke-width=\"2\"/></pattern></defs>\n",
	      out);
	for (i = 0; i < v->nr_vmas; i++) {
		const struct vmv_vma *m = &v->vmas[i];
		const struct band *b = &L->b[i];
		char title[600];

		if (i) {
			uint64_t gap = m->start - v->vmas[i - 1].end;

			if (hole_compressed(gap, L->bpp))
				fprintf(out, "<g class=\"hole\" data-start=\"0x%llx\" data-end=\"0x"
					"%llx\"><line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#bbb"
					"\" stroke-dasharray=\"4 3\"/><text x=\"%d\" y=\"%.1f\">hole of %s (not"
					" drawn to scale)</text></g>\n",
					(unsigned long long)v->vmas[i - 1].end,
					(unsigned long long)m->start, LEFT,
					LEFT + ROW_PX, b->y - HOLE_H / 2.0,
					b->y - HOLE_H / 2.0, LEFT + 8,
					b->y - 4.0, hsize(gap));
		}
		fprintf(out, "<g class=\"vma\" id=\"vma-%zu\"", i);
		vma_attrs(v, i);
		fputs(">\n<title>", out);
		snprintf(title, sizeof(title),
			 "%016llx-%016llx %s %s %s\npresent %llu, swap %llu, file %llu, untouched %"
				"llu pages; huge PMD %llu\ntables: pud %llu, pmd %llu, pte %llu",
			 (unsigned long long)m->start, (unsigned long long)m->end,
			 m->perms, hsize(m->end - m->start),
			 m->path ? m->path : "[anon]",
			 (unsigned long long)m->state[VMI_STATE_PRESENT],
			 (unsigned long long)m->state[VMI_STATE_SWAP],
			 (unsigned long long)m->state[VMI_STATE_FILE],
			 (unsigned long long)m->state[VMI_STATE_UNTOUCHED],
			 (unsigned long long)m->attr[VMI_ATTR_HUGE_PMD],
			 (unsigned long long)m->tables[VMV_VT_PUD],
			 (unsigned long long)m->tables[VMV_VT_PMD],
			 (unsigned long long)m->tables[VMV_VT_PTE]);
		esc(title);
		fputs("</title>\n", out);
		fprintf(out, "<text x=\"4\" y=\"%.1f\">%012llx ", b->y + ROW_H - 3,
			(unsigned long long)m->start);
		esc(m->perms);
		fputs(" ", out);
		{
			const char *p = m->path ? m->path : "[anon]";
			const char *base = strrchr(p, '/');

			esc(base && base[1] ? base + 1 : p);
		}
		fputs("</text>\n", out);
		/* the pages by state: the runs inside this VMA */
		while (j < ns && s[j].end <= m->start)
			j++;
		for (size_t k = j; k < ns && s[k].start < m->end; k++) {
			char cls[48];
			const char *fill = ps_color[s[k].st];

			snprintf(cls, sizeof(cls), "st st-%s",
				 vmv_pstate_names[s[k].st]);
			if (s[k].st == VMV_PS_PMD)
				fill = "url(#hatch)";
			else if (s[k].st == VMV_PS_PUD)
				fill = "url(#hatch1g)";
			band_rects(b, L->bpp, s[k].start, s[k].end, cls, fill,
				   NULL);
		}
		/* the frame: the VMA's extent, at least 2 pixels wide */
		{
			uint64_t e = m->end;

			if ((m->end - m->start) / L->bpp < 2)
				e = m->start + 2 * L->bpp;
			band_rects(b, L->bpp, m->start, e, "frame", NULL, NULL);
		}
		pt_overlay(b, L->bpp, s, ns);
		fprintf(out, "<text x=\"%d\" y=\"%.1f\">%s  pte %llu pmd %llu</text>\n",
			LEFT + ROW_PX + 8, b->y + ROW_H - 3,
			hsize(m->end - m->start),
			(unsigned long long)m->tables[VMV_VT_PTE],
			(unsigned long long)m->tables[VMV_VT_PMD]);
		fputs("</g>\n", out);
	}
	if (a) {
		struct seg *sa = NULL;
		size_t nsa = 0;
		struct chg_ctx c = { L, v };

		if (!vmv_segs(a, &sa, &nsa)) {
			fputs("<g id=\"changes\">\n", out);
			vmv_sweep(sa, nsa, s, ns, chg_piece, &c);
			fputs("</g>\n", out);
		}
		free(sa);
	}
	fputs("</svg>\n", out);
}

/* The articles' picture of a walk: the address split, a table per level. */
static void draw_walk(const struct vmv_view *v, const struct vmv_translate *tr)
{
	static const char * const col[VMI_NR_LEVELS] = {
		"#c0392b", "#d35400", "#c9a227", "#b05b8f", "#5b7fb0",
	};
	unsigned int levels = tr->paging_levels == 5 ? 5 : 4;
	int shift[VMI_NR_LEVELS] = { levels == 5 ? 48 : 39, 39, 30, 21, 12 };
	int l, n = 0;
	double x;
	bool stopped = false;
	double bw = 176, gap = 30;

	fputs("<h2>The walk of one address</h2>\n", out);
	fprintf(out, "<div class=\"mono\">address 0x%016llx: ",
		(unsigned long long)tr->address);
	if (tr->in_vma)
		fprintf(out, "in VMA %llx-%llx %s",
			(unsigned long long)tr->vma_start,
			(unsigned long long)tr->vma_end, tr->vma_perms);
	else
		fputs("in no VMA (unallocated)", out);
	fputs(", stops at ", out);
	esc(tr->stop[0] ? tr->stop : "?");
	fputs("</div>\n", out);
	fprintf(out, "<svg id=\"walk\" width=\"%d\" height=\"300\" viewBox=\"0 0 %d 300\">\n",
		LEFT + ROW_PX + RIGHT, LEFT + ROW_PX + RIGHT);
	/* the address's bits, one field per level and the page offset */
	x = 10;
	for (l = 0; l < VMI_NR_LEVELS; l++) {
		const struct vmv_tr_level *t = &tr->level[l];
		unsigned int idx = (tr->address >> shift[l]) & 511;

		if (l == VMI_LEVEL_P4D && levels == 4)
			continue;
		fprintf(out, "<g class=\"field\" data-level=\"%s\"><rect x=\"%.0f\" y=\"10\" width="
			"\"110\" height=\"34\" fill=\"%s\" opacity=\"0.85\"/><text x=\"%.0f\" y"
			"=\"24\" fill=\"#fff\" style=\"fill:#fff\">%s bits %d-%d</text><text x="
			"\"%.0f\" y=\"38\" style=\"fill:#fff\">index %u</text></g>\n",
			level_names[l], x, col[l], x + 4, level_names[l],
			shift[l], shift[l] + 8, x + 4,
			t->present && !t->folded ? t->index : idx);
		x += 114;
	}
	fprintf(out, "<g class=\"field\" data-level=\"offset\">"
		"<rect x=\"%.0f\" y=\"10\" width=\"110\" "
		"height=\"34\" fill=\"#555\"/><text x=\"%.0f\" y=\"24\" style=\"fill:#fff\">offset "
		"bits 0-11</text><text x=\"%.0f\" y=\"38\" style=\"fill"
		":#fff\">0x%03llx</text></g>\n",
		x, x + 4, x + 4, (unsigned long long)(tr->address & 0xfff));
	/* the tables: CR3, then one per level, then the frame */
	fprintf(out, "<g class=\"cr3\"><rect x=\"10\" y=\"90\" width=\"60\" "
		"height=\"40\" fill=\"#eee\" stroke=\"#333\"/><text x=\"22\" y=\"114\">CR3</text></g>\n");
	x = 10 + 60 + gap / 2;
	for (l = 0; l < VMI_NR_LEVELS && !stopped; l++) {
		const struct vmv_tr_level *t = &tr->level[l];
		char bits[160];

		if (!t->present || t->folded)
			continue;
		snprintf(bits, sizeof(bits), "%s", t->bits);
		fprintf(out, "<g class=\"level\" data-level=\"%s\" data-index=\"%u\" data-entry=\""
			"0x%016llx\"><title>",
			level_names[l], t->index, (unsigned long long)t->entry);
		esc(bits);
		fprintf(out, "</title><line x1=\"%.0f\" y1=\"110\" x2=\"%.0f\" y2=\"110\" stroke=\""
			"#333\" marker-end=\"url(#arrow)\"/>",
			x - gap / 2, x);
		fprintf(out, "<rect x=\"%.0f\" y=\"60\" width=\"%.0f\" height=\"120\" fill=\"#fff\""
			" stroke=\"%s\" stroke-width=\"2\"/>",
			(double)x, bw, col[l]);
		fprintf(out, "<text x=\"%.0f\" y=\"76\">%s table</text>", x + 6,
			level_names[l]);
		fprintf(out, "<rect x=\"%.0f\" y=\"102\" width=\"%.0f\" height=\"16\" fill=\"%s\" "
			"opacity=\"0.3\"/>",
			x + 2, bw - 4, col[l]);
		fprintf(out, "<text x=\"%.0f\" y=\"114\">[%u] %016llx</text>",
			x + 6, t->index, (unsigned long long)t->entry);
		/* the decoded bits, cut at commas into lines that fit the box */
		{
			char *p = bits, *line = bits;
			int row = 0;

			while (*line && row < 4) {
				char *cut = NULL;

				for (p = line; *p && p - line <= 22; p++)
					if (*p == ',')
						cut = p;
				if (!*p || p - line <= 22)
					cut = NULL;
				if (cut)
					*cut = '\0';
				fprintf(out, "<text x=\"%.0f\" y=\"%d\" font-size=\"10\">",
					x + 6, 136 + 12 * row);
				esc(line);
				fputs("</text>", out);
				row++;
				line = cut ? cut + 1 : line + strlen(line);
			}
		}
		fputs("</g>\n", out);
		x += bw + gap;
		n++;
		if (!strncmp(t->bits, "none", 4) || !(t->entry & 1))
			stopped = true;
	}
	if (tr->have_phys && tr->page_size) {
		fprintf(out, "<g class=\"frame-page\"><line x1=\"%.0f\" y1=\"110\" x2=\"%.0f\" y2="
			"\"110\" stroke=\"#333\"/><rect x=\"%.0f\" y=\"80\" width=\"%.0f\" "
			"height=\"60\" fill=\"#2f9e55\" opacity=\"0.8\"/><text x=\"%.0f\" y=\"100\""
			" style=\"fill:#fff\">%s page frame</text><text x=\"%.0f\" y=\"118\" "
			"style=\"fill:#fff\">",
			x - gap / 2, (double)x, (double)x, bw, x + 6,
			hsize(tr->page_size), x + 6);
		if (tr->phys)
			fprintf(out, "phys 0x%llx", (unsigned long long)tr->phys);
		else
			fputs("phys hidden (root)", out);
		fprintf(out, "</text><text x=\"%.0f\" y=\"134\" style=\"fill:#fff\">+ offset 0x%llx"
			"</text></g>\n",
			x + 6, (unsigned long long)tr->page_offset);
	} else {
		fprintf(out, "<g class=\"frame-page\"><rect x=\"%.0f\" y=\"80\" width=\"%.0f\" "
			"height=\"60\" fill=\"#e4e4e4\" stroke=\"#999\"/><text x=\"%.0f\" y=\"104\""
			">no frame: ",
			(double)x - gap / 2 + 10, bw, x - gap / 2 + 16);
		esc(tr->stop);
		fputs("</text>", out);
		if (tr->have_swap)
			fprintf(out, "<text x=\"%.0f\" y=\"122\">swap %llu:0x%llx</text>",
				x - gap / 2 + 16, (unsigned long long)tr->swap_type,
				(unsigned long long)tr->swap_offset);
		fputs("</g>\n", out);
	}
	fputs("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth="
		"\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0 0L10 5L0 10z\" "
		"fill=\"#333\"/></marker></defs>\n", out);
	fprintf(out, "<text x=\"10\" y=\"210\">each level's 9 bits of the address index its table; "
		"the entry found there points to the next table, or is the leaf that "
		"maps the page (%d tables read)</text>\n",
		n);
	fputs("</svg>\n", out);
}

static void vma_table(const struct vmv_view *v)
{
	size_t i;

	fputs("<h2>VMAs</h2>\n<table id=\"vmas\"><tr><th class=\"l\">start</th><th class=\"l\">end<"
		"/th><th>perms</th><th>size</th><th>present</th><th>swap</th><th>file</"
		"th><th>untouched</th><th>huge pmd</th><th>pte tables</th><th class=\"l"
		"\">path</th></tr>\n",
	      out);
	for (i = 0; i < v->nr_vmas; i++) {
		const struct vmv_vma *m = &v->vmas[i];

		fprintf(out, "<tr data-vma=\"vma-%zu\"><td class=\"l\">%016llx</td><td class=\"l\">"
			"%016llx</td><td>",
			i, (unsigned long long)m->start,
			(unsigned long long)m->end);
		esc(m->perms);
		fprintf(out, "</td><td>%s</td><td>%llu</td><td>%llu</td><td>%llu</td><td>%llu</td><"
			"td>%llu</td><td>%llu</td><td class=\"l\">",
			hsize(m->end - m->start),
			(unsigned long long)m->state[VMI_STATE_PRESENT],
			(unsigned long long)m->state[VMI_STATE_SWAP],
			(unsigned long long)m->state[VMI_STATE_FILE],
			(unsigned long long)m->state[VMI_STATE_UNTOUCHED],
			(unsigned long long)m->attr[VMI_ATTR_HUGE_PMD],
			(unsigned long long)m->tables[VMV_VT_PTE]);
		esc(m->path ? m->path : "");
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

/* Hover details: plain DOM, no library; CDATA keeps it valid XML. */
static void hover_script(void)
{
	fputs("<script>//<![CDATA[\n"
	      "(function () {\n"
	      "  var detail = document.getElementById('detail');\n"
	      "  var sel = null;\n"
	      "  function show(g) {\n"
	      "    if (sel) sel.classList.remove('sel');\n"
	      "    sel = g;\n"
	      "    g.classList.add('sel');\n"
	      "    var d = g.dataset, s = d.start + '-' + d.end + ' ' + d.perms + ' ' + d.path + '"
		"\\n';\n"
	      "    s += 'pages: present ' + d.present + ', swap ' + d.swap + ', migration ' + "
		"d.migration + ', special ' + d.special + ', file ' + d.file + ', untouched "
		"' + d.untouched + '\\n';\n"
	      "    s += 'huge: pmd ' + d.hugePmd + ' pud ' + d.hugePud + ' pages; dirty ' + d.dirty"
		" + ', cow ' + d.cow + '; tables: pud ' + d.pudTables + ', pmd ' + "
		"d.pmdTables + ', pte ' + d.pteTables;\n"
	      "    if (d.faults !== undefined) s += '; faults ' + d.faults;\n"
	      "    s += '\\nflags ' + d.flags;\n"
	      "    detail.textContent = s;\n"
	      "  }\n"
	      "  var gs = document.querySelectorAll('g.vma');\n"
	      "  gs.forEach(function (g) {\n"
	      "    g.addEventListener('mouseenter', function () { show(g); });\n"
	      "  });\n"
	      "  document.querySelectorAll('tr[data-vma]').forEach(function (tr) {\n"
	      "    tr.addEventListener('mouseenter', function () {\n"
	      "      var g = document.getElementById(tr.dataset.vma);\n"
	      "      if (g) show(g);\n"
	      "    });\n"
	      "  });\n"
	      "  document.body.dataset.vmas = String(gs.length);\n"
	      "})();\n"
	      "//]]></script>\n", out);
}

/* The address whose walk is drawn: -a, else the first present page of
 * the largest present mapping (a huge one first).
 */
static uint64_t pick_addr(const struct vmv_view *v)
{
	uint64_t best = 0, best_size = 0;
	int best_rank = -1;
	size_t i;

	for (i = 0; i < v->pt.nr_runs; i++) {
		const struct vmv_pt_run *r = &v->pt.runs[i];
		int rank;

		if (strcmp(r->state, "present"))
			continue;
		rank = !strcmp(r->level, "pte") ? 0 : 1;
		if (rank > best_rank ||
		    (rank == best_rank && r->end - r->start > best_size)) {
			best_rank = rank;
			best_size = r->end - r->start;
			best = r->start;
		}
	}
	if (best_rank < 0 && v->nr_vmas)
		best = v->vmas[0].start;
	return best;
}

static int get_walk(const struct vmv_view *v, const char *arg,
		    struct vmv_translate *tr)
{
	uint64_t addr = have_walk_addr ? walk_addr : pick_addr(v);
	pid_t pid;
	int ret;

	if (v->snapshot) {
		ret = vmv_parse_target(arg, &pid);	/* its walks answer */
		if (ret >= 0)
			return ret;
	}
	ret = vmv_translate(v->pid, addr, tr);
	if (ret == -EINVAL) {
		vmv_err("0x%llx is not a user-space address of process %d",
			(unsigned long long)addr, v->pid);
		return VMV_EXIT_ERR;
	}
	if (ret)
		return vmv_proc_error(ret, v->pid, VMI_PROC_TRANSLATE);
	if (!tr->address)
		tr->address = addr;
	return -1;
}

int vmv_do_html(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output",	required_argument,	NULL,	'o' },
		{ "address",	required_argument,	NULL,	'a' },
		{ NULL,		0,			NULL,	0 },
	};
	struct vmv_view a, b, *v = &a, *prev = NULL;
	const char *arg1, *arg2 = NULL, *cur;
	struct vmv_translate tr;
	struct layout L = { 0 };
	struct seg *s = NULL;
	size_t ns = 0;
	char tmp[4200];
	int ret;

	out_path = NULL;
	have_walk_addr = false;
	ret = vmv_parse_opts(argc, argv, "o:a:", opts, html_help, html_opt);
	if (ret >= 0)
		return ret;
	arg1 = vmv_operand(argc, argv, "PID or SNAPSHOT");
	if (!arg1)
		return VMV_EXIT_USAGE;
	if (vmv_more_operands(argc))	/* a second: draw the diff to it */
		arg2 = vmv_operand(argc, argv, "B");
	ret = vmv_no_more(argc, argv);
	if (ret >= 0)
		return ret;
	ret = vmv_view_load(arg1, &a);
	if (ret >= 0)
		return ret;
	cur = arg1;
	if (arg2) {
		ret = vmv_view_load(arg2, &b);
		if (ret >= 0) {
			vmv_view_free(&a);
			return ret;
		}
		prev = &a;
		v = &b;
		cur = arg2;
	}
	ret = get_walk(v, cur, &tr);
	if (ret >= 0)
		goto done;
	if (lay_out(v, &L) || vmv_segs(v, &s, &ns)) {
		vmv_err("out of memory");
		ret = VMV_EXIT_ERR;
		goto done;
	}
	out = stdout;
	if (out_path && strcmp(out_path, "-")) {
		if (snprintf(tmp, sizeof(tmp), "%s.tmp", out_path) >= (int)sizeof(tmp)) {
			vmv_err("%s: name too long", out_path);
			ret = VMV_EXIT_ERR;
			goto done;
		}
		out = fopen(tmp, "we");
		if (!out) {
			vmv_err("cannot create %s: %s", tmp, strerror(errno));
			ret = VMV_EXIT_ERR;
			goto done;
		}
	}
	page_head(v, prev);
	address_space(v, prev, &L, s, ns);
	draw_walk(v, &tr);
	vma_table(v);
	hover_script();
	fputs("</body>\n</html>\n", out);
	ret = VMV_EXIT_OK;
	if (out != stdout) {
		if (ferror(out) | fclose(out)) {
			vmv_err("writing %s: %s", tmp, strerror(errno));
			unlink(tmp);
			ret = VMV_EXIT_ERR;
		} else if (rename(tmp, out_path)) {
			vmv_err("renaming %s to %s: %s", tmp, out_path,
				strerror(errno));
			unlink(tmp);
			ret = VMV_EXIT_ERR;
		}
	} else if (fflush(stdout) || ferror(stdout)) {
		ret = VMV_EXIT_ERR;
	}
done:
	free(L.b);
	free(s);
	vmv_view_free(&a);
	if (arg2)
		vmv_view_free(&b);
	return ret;
}
