// SPDX-License-Identifier: GPL-2.0
/*
 * vmview diff A B: what changed between two views of a process (each a
 * live pid or a snapshot): VMAs that appeared, went, grew, shrank or
 * changed permissions; pages that moved between states, page by page from
 * the pagetable runs; huge mappings formed, split or dropped; page tables
 * per level; faults and TLB flushes in between.
 *
 * vmview diff --fork PARENT CHILD: per VMA, the frames parent and child
 * still share and those copy-on-write has already copied, from the
 * pagetable file's physical addresses (root) or /proc/PID/pagemap.
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
const char * const vmv_pstate_names[VMV_NR_PSTATES] = VMV_PSTATE_NAMES;

#define PAGE_SHIFT	12
#define PMD_SIZE	(1ULL << 21)
#define PUD_SIZE	(1ULL << 30)

static bool fork_mode;
static const char *frames_from;

static void diff_help(FILE *f)
{
	fprintf(f,
		"Usage: %s diff A B [-j] [-p]\n"
		"       %s diff --fork PARENT CHILD [--frames pagetable|pagemap] [-j]\n"
		"\n"
		"A and B are each a PID or a snapshot file ('vmview snapshot').  Shows the\n"
		"VMAs that appeared, went, grew, shrank or changed permissions, pages\n"
		"that moved between states (page by page), huge mappings formed, split\n"
		"or dropped, page tables per level, and the faults and TLB flushes in\n"
		"between when A and B are the same process.\n"
		"\n"
		"With --fork: per VMA, the frames PARENT and CHILD still share and the\n"
		"ones copy-on-write has already copied.  Frames come from the pagetable\n"
		"file (the default; physical addresses need root) or /proc/PID/pagemap\n"
		"(--frames pagemap, live PIDs, root).\n",
		vmv_bin_name, vmv_bin_name);
}

static int diff_opt(int opt, const char *arg)
{
	switch (opt) {
	case 'f':
		fork_mode = true;
		return 0;
	case 'F':
		if (strcmp(arg, "pagetable") && strcmp(arg, "pagemap"))
			return vmv_usage("--frames takes pagetable or pagemap, not '%s'",
				       arg);
		frames_from = arg;
		return 0;
	}
	return VMV_EXIT_USAGE;
}

/* Identity of a mapping: same file (or both anonymous / same [name]). */
static bool same_backing(const struct vmv_vma *a, const struct vmv_vma *b)
{
	if (!a->path || !b->path)
		return !a->path && !b->path;
	return !strcmp(a->path, b->path) && a->inode == b->inode;
}

static bool overlap(const struct vmv_vma *a, const struct vmv_vma *b)
{
	return a->start < b->end && b->start < a->end;
}

void vmv_match_vmas(const struct vmv_vma *a, size_t na,
		    const struct vmv_vma *b, size_t nb, ssize_t *a2b,
		    ssize_t *b2a)
{
	size_t i, j;
	int pass;

	for (i = 0; i < na; i++)
		a2b[i] = -1;
	for (j = 0; j < nb; j++)
		b2a[j] = -1;
	/* 1: same range; 2: same start or end; 3: any overlap */
	for (pass = 1; pass <= 3; pass++) {
		for (i = 0, j = 0; i < na; i++) {
			if (a2b[i] >= 0)
				continue;
			while (j < nb && b[j].end <= a[i].start)
				j++;
			for (size_t k = j; k < nb && b[k].start < a[i].end; k++) {
				bool ok;

				if (b2a[k] >= 0 || !same_backing(&a[i], &b[k]) ||
				    !overlap(&a[i], &b[k]))
					continue;
				if (pass == 1)
					ok = a[i].start == b[k].start &&
					     a[i].end == b[k].end;
				else if (pass == 2)
					ok = a[i].start == b[k].start ||
					     a[i].end == b[k].end;
				else
					ok = true;
				if (ok) {
					a2b[i] = k;
					b2a[k] = i;
					break;
				}
			}
		}
	}
}

/* is the pagetable VMA file-backed (its vmas line has an inode)? */
static bool pt_vma_file(const struct vmv_view *v, const struct vmv_pt_vma *pv)
{
	const struct vmv_vma *m = vmv_find_vma(v->vmas, v->nr_vmas, pv->start);

	return m && m->inode;
}

static enum vmv_pstate run_state(const struct vmv_view *v,
				 const struct vmv_pt_run *r)
{
	if (!strcmp(r->state, "present")) {
		if (!strcmp(r->level, "pmd"))
			return VMV_PS_PMD;
		if (!strcmp(r->level, "pud"))
			return VMV_PS_PUD;
		return VMV_PS_PTE;
	}
	if (!strcmp(r->state, "swap"))
		return VMV_PS_SWAP;
	if (!strcmp(r->state, "migration"))
		return VMV_PS_MIGRATION;
	if (!strcmp(r->state, "special"))
		return VMV_PS_SPECIAL;
	if (r->vma < v->pt.nr_vmas && pt_vma_file(v, &v->pt.vmas[r->vma]))
		return VMV_PS_FILE;
	return VMV_PS_UNTOUCHED;
}

/* The runs in address order, gaps (no VMA) left out; runs that overlap or
 * go backwards (a VMA changed while it was read) are cut.
 */
int vmv_segs(const struct vmv_view *v, struct seg **out, size_t *nr)
{
	struct seg *s;
	uint64_t last = 0;
	size_t i, n = 0;

	s = calloc(v->pt.nr_runs + 1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (i = 0; i < v->pt.nr_runs; i++) {
		const struct vmv_pt_run *r = &v->pt.runs[i];
		uint64_t start = r->start;

		if (r->end <= last)
			continue;
		if (start < last)
			start = last;
		s[n].start = start;
		s[n].end = r->end;
		s[n].st = run_state(v, r);
		if (r->phys[0] == '0' && r->phys[1] == 'x') {
			char *end;

			s[n].phys = strtoull(r->phys, &end, 16);
			s[n].have_phys = !*end;
			s[n].phys += start - r->start;
		}
		last = r->end;
		n++;
	}
	*out = s;
	*nr = n;
	return 0;
}

void vmv_sweep(const struct seg *a, size_t na, const struct seg *b,
	       size_t nb, vmv_piece_fn cb, void *data)
{
	size_t i = 0, j = 0;
	uint64_t x = 0;

	while (i < na || j < nb) {
		const struct seg *sa = NULL, *sb = NULL;
		uint64_t y = UINT64_MAX;

		while (i < na && a[i].end <= x)
			i++;
		while (j < nb && b[j].end <= x)
			j++;
		if (i >= na && j >= nb)
			break;
		if (i < na) {
			if (a[i].start <= x) {
				sa = &a[i];
				y = a[i].end;
			} else {
				y = a[i].start;
			}
		}
		if (j < nb) {
			if (b[j].start <= x) {
				sb = &b[j];
				if (b[j].end < y)
					y = b[j].end;
			} else if (b[j].start < y) {
				y = b[j].start;
			}
		}
		if (sa || sb)
			cb(x, y, sa, sb, data);
		x = y;
	}
}

/* diff A B */

struct moves {
	uint64_t pages[VMV_NR_PSTATES][VMV_NR_PSTATES];
};

static void move_piece(uint64_t x, uint64_t y, const struct seg *a,
		       const struct seg *b, void *data)
{
	struct moves *m = data;
	enum vmv_pstate from = a ? a->st : VMV_PS_UNMAPPED;
	enum vmv_pstate to = b ? b->st : VMV_PS_UNMAPPED;

	m->pages[from][to] += (y - x) >> PAGE_SHIFT;
}

/* Does a segment of segs in [x, x + span) have a state pred() likes? */
static bool region_has(const struct seg *s, size_t n, uint64_t x,
		       uint64_t span, bool (*pred)(enum vmv_pstate))
{
	size_t lo = 0, hi = n, i;

	while (lo < hi) {	/* the first segment ending after x */
		size_t mid = (lo + hi) / 2;

		if (s[mid].end <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < n && s[i].start < x + span; i++)
		if (pred(s[i].st))
			return true;
	return false;
}

static enum vmv_pstate huge_state;

static bool is_huge(enum vmv_pstate st)
{
	return st == huge_state;
}

/* still mapped, by smaller entries: a split */
static bool is_mapped_smaller(enum vmv_pstate st)
{
	return st == VMV_PS_PTE || st == VMV_PS_SWAP || st == VMV_PS_MIGRATION ||
	       st == VMV_PS_SPECIAL || (huge_state == VMV_PS_PUD && st == VMV_PS_PMD);
}

/*
 * Huge leaves of one size (state st, span bytes) formed, split and
 * dropped between A and B, counted per leaf: a leaf of A that B maps by
 * smaller entries was split, one B does not map at all was dropped, a
 * leaf of B that A did not have was formed.
 */
static void huge_changes(const struct seg *a, size_t na, const struct seg *b,
			 size_t nb, enum vmv_pstate st, uint64_t span,
			 uint64_t *out)
{
	size_t i;
	uint64_t x;

	huge_state = st;
	for (i = 0; i < na; i++) {
		if (a[i].st != st)
			continue;
		for (x = a[i].start & ~(span - 1); x < a[i].end; x += span) {
			if (region_has(b, nb, x, span, is_huge))
				continue;
			if (region_has(b, nb, x, span, is_mapped_smaller))
				out[1]++;
			else
				out[2]++;
		}
	}
	for (i = 0; i < nb; i++) {
		if (b[i].st != st)
			continue;
		for (x = b[i].start & ~(span - 1); x < b[i].end; x += span)
			if (!region_has(a, na, x, span, is_huge))
				out[0]++;
	}
}

static const char *vma_name(const struct vmv_vma *v)
{
	return v->path ? v->path : "[anon]";
}

static struct json_object *vma_json(const struct vmv_vma *v)
{
	struct json_object *o;

	if (!v)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "start", vmv_json_u64(v->start));
	json_object_object_add(o, "end", vmv_json_u64(v->end));
	json_object_object_add(o, "perms", json_object_new_string(v->perms));
	json_object_object_add(o, "path", vmv_json_str(v->path));
	return o;
}

static struct json_object *view_json(const struct vmv_view *v)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "source", json_object_new_string(v->label));
	json_object_object_add(o, "snapshot", json_object_new_boolean(v->snapshot));
	json_object_object_add(o, "pid", json_object_new_int(v->pid));
	json_object_object_add(o, "comm", json_object_new_string(v->mm.comm));
	json_object_object_add(o, "time", json_object_new_string(v->time));
	json_object_object_add(o, "kernel", json_object_new_string(v->kernel));
	return o;
}

/* The changes of a VMA pair as words: appeared, went, grew... */
static int vma_changes(const struct vmv_vma *a, const struct vmv_vma *b,
		       const char **w)
{
	int n = 0;

	if (!a) {
		w[n++] = "appeared";
		return n;
	}
	if (!b) {
		w[n++] = "went";
		return n;
	}
	if (b->end - b->start > a->end - a->start)
		w[n++] = "grew";
	else if (b->end - b->start < a->end - a->start)
		w[n++] = "shrank";
	else if (a->start != b->start)
		w[n++] = "moved";
	if (strcmp(a->perms, b->perms))
		w[n++] = "perms";
	return n;
}

static bool same_process(const struct vmv_view *a, const struct vmv_view *b)
{
	return a->pid == b->pid && a->boot_id[0] &&
	       !strcmp(a->boot_id, b->boot_id) &&
	       b->boottime_ns >= a->boottime_ns;
}

static int64_t d64(uint64_t a, uint64_t b)
{
	return (int64_t)(b - a);
}

static void print_vma_line(char sign, const struct vmv_vma *a,
			   const struct vmv_vma *b, const char **w, int nw)
{
	const struct vmv_vma *v = b ? b : a;
	char s1[16], s2[16];
	int k;

	printf("  %c %016llx-%016llx %s", sign, (unsigned long long)v->start,
	       (unsigned long long)v->end, v->perms);
	if (a && b && strcmp(a->perms, b->perms))
		printf(" (was %s)", a->perms);
	if (a && b && (a->start != b->start || a->end != b->end))
		printf(" %s -> %s (was %016llx-%016llx)",
		       vmv_size(a->end - a->start, s1, sizeof(s1)),
		       vmv_size(b->end - b->start, s2, sizeof(s2)),
		       (unsigned long long)a->start, (unsigned long long)a->end);
	else
		printf(" %s", vmv_size(v->end - v->start, s1, sizeof(s1)));
	printf("  %s ", vma_name(v));
	for (k = 0; k < nw; k++)
		printf("%s%s", k ? "," : "", w[k]);
	printf("\n");
}

struct diff_sum {
	unsigned int appeared, went, grew, shrank, moved, perms, unchanged;
};

static void count_words(struct diff_sum *s, const char **w, int nw)
{
	int k;

	if (!nw)
		s->unchanged++;
	for (k = 0; k < nw; k++) {
		if (!strcmp(w[k], "appeared"))
			s->appeared++;
		else if (!strcmp(w[k], "went"))
			s->went++;
		else if (!strcmp(w[k], "grew"))
			s->grew++;
		else if (!strcmp(w[k], "shrank"))
			s->shrank++;
		else if (!strcmp(w[k], "moved"))
			s->moved++;
		else if (!strcmp(w[k], "perms"))
			s->perms++;
	}
}

static struct json_object *states_delta_json(const uint64_t *a,
					     const uint64_t *b)
{
	struct json_object *o = json_object_new_object();
	int k;

	for (k = 0; k < VMI_NR_STATES; k++)
		json_object_object_add(o, state_names[k],
				       json_object_new_int64(d64(a ? a[k] : 0,
								 b ? b[k] : 0)));
	return o;
}

struct row {
	const struct vmv_vma *a, *b;
};

static int row_cmp(const void *x, const void *y)
{
	const struct row *p = x, *q = y;
	uint64_t ka = p->b ? p->b->start : p->a->start;
	uint64_t kb = q->b ? q->b->start : q->a->start;

	return ka < kb ? -1 : ka > kb;
}

static int diff_views(const struct vmv_view *a, const struct vmv_view *b)
{
	struct row *rows = NULL;
	size_t nrows = 0;
	ssize_t *a2b, *b2a;
	struct seg *sa = NULL, *sb = NULL;
	size_t nsa = 0, nsb = 0, i, j;
	struct diff_sum sum = { 0 };
	struct moves *mv;
	uint64_t huge[2][3] = { { 0 } };	/* pmd/pud: formed, split, dropped */
	struct json_object *root = NULL, *arr = NULL;
	bool same = same_process(a, b);
	const char *w[4];
	char sz[16];
	int nw, f, t, l, ret = VMV_EXIT_ERR;

	a2b = calloc(a->nr_vmas + 1, sizeof(*a2b));
	b2a = calloc(b->nr_vmas + 1, sizeof(*b2a));
	mv = calloc(1, sizeof(*mv));
	if (!a2b || !b2a || !mv || vmv_segs(a, &sa, &nsa) ||
	    vmv_segs(b, &sb, &nsb)) {
		vmv_err("out of memory");
		goto out;
	}
	vmv_match_vmas(a->vmas, a->nr_vmas, b->vmas, b->nr_vmas, a2b, b2a);
	vmv_sweep(sa, nsa, sb, nsb, move_piece, mv);
	huge_changes(sa, nsa, sb, nsb, VMV_PS_PMD, PMD_SIZE, huge[0]);
	huge_changes(sa, nsa, sb, nsb, VMV_PS_PUD, PUD_SIZE, huge[1]);

	if (vmv_json_output) {
		root = json_object_new_object();
		json_object_object_add(root, "a", view_json(a));
		json_object_object_add(root, "b", view_json(b));
		json_object_object_add(root, "same_process",
				       json_object_new_boolean(same));
		json_object_object_add(root, "interval_ns", same ?
				       vmv_json_u64(b->boottime_ns - a->boottime_ns) :
				       NULL);
		arr = json_object_new_array();
	} else {
		printf("%sdiff%s %s (%s, %s) -> %s (%s, %s)",
		       vmv_col(C_BOLD), vmv_col(C_RESET), a->label, a->mm.comm,
		       a->time[0] ? a->time : "?", b->label, b->mm.comm,
		       b->time[0] ? b->time : "?");
		if (same)
			printf(", %.3f s apart",
			       (b->boottime_ns - a->boottime_ns) / 1e9);
		printf("\n\n%sVMAs%s\n", vmv_col(C_BOLD), vmv_col(C_RESET));
	}

	/* in address order: pairs, and what has no pair on either side */
	rows = calloc(a->nr_vmas + b->nr_vmas + 1, sizeof(*rows));
	if (!rows) {
		vmv_err("out of memory");
		goto out;
	}
	for (i = 0; i < a->nr_vmas; i++) {
		rows[nrows].a = &a->vmas[i];
		rows[nrows++].b = a2b[i] >= 0 ? &b->vmas[a2b[i]] : NULL;
	}
	for (j = 0; j < b->nr_vmas; j++)
		if (b2a[j] < 0)
			rows[nrows++].b = &b->vmas[j];
	qsort(rows, nrows, sizeof(*rows), row_cmp);
	for (i = 0; i < nrows; i++) {
		const struct vmv_vma *va = rows[i].a, *vb = rows[i].b;

		nw = vma_changes(va, vb, w);
		count_words(&sum, w, nw);
		if (vmv_json_output) {
			struct json_object *o = json_object_new_object(), *ch;
			int k;

			ch = json_object_new_array();
			for (k = 0; k < nw; k++)
				json_object_array_add(ch, json_object_new_string(w[k]));
			json_object_object_add(o, "changes", ch);
			json_object_object_add(o, "a", vma_json(va));
			json_object_object_add(o, "b", vma_json(vb));
			json_object_object_add(o, "states",
					       states_delta_json(va ? va->state : NULL,
								 vb ? vb->state : NULL));
			json_object_array_add(arr, o);
			continue;
		}
		if (!nw)
			continue;
		print_vma_line(!va ? '+' : !vb ? '-' : '~', va, vb, w, nw);
	}

	if (vmv_json_output) {
		struct json_object *o, *m;

		json_object_object_add(root, "vmas", arr);
		o = json_object_new_object();
		json_object_object_add(o, "appeared", json_object_new_int(sum.appeared));
		json_object_object_add(o, "went", json_object_new_int(sum.went));
		json_object_object_add(o, "grew", json_object_new_int(sum.grew));
		json_object_object_add(o, "shrank", json_object_new_int(sum.shrank));
		json_object_object_add(o, "moved", json_object_new_int(sum.moved));
		json_object_object_add(o, "perms", json_object_new_int(sum.perms));
		json_object_object_add(o, "unchanged", json_object_new_int(sum.unchanged));
		json_object_object_add(root, "vma_summary", o);
		json_object_object_add(root, "states",
				       states_delta_json(a->mm.state, b->mm.state));
		arr = json_object_new_array();
		for (f = 0; f < VMV_NR_PSTATES; f++) {
			for (t = 0; t < VMV_NR_PSTATES; t++) {
				if (f == t || !mv->pages[f][t])
					continue;
				m = json_object_new_object();
				json_object_object_add(m, "from",
						       json_object_new_string(vmv_pstate_names[f]));
				json_object_object_add(m, "to",
						       json_object_new_string(vmv_pstate_names[t]));
				json_object_object_add(m, "pages",
						       vmv_json_u64(mv->pages[f][t]));
				json_object_array_add(arr, m);
			}
		}
		json_object_object_add(root, "moves", arr);
		o = json_object_new_object();
		for (l = 0; l < 2; l++) {
			m = json_object_new_object();
			json_object_object_add(m, "formed", vmv_json_u64(huge[l][0]));
			json_object_object_add(m, "split", vmv_json_u64(huge[l][1]));
			json_object_object_add(m, "dropped", vmv_json_u64(huge[l][2]));
			json_object_object_add(o, l ? "pud" : "pmd", m);
		}
		json_object_object_add(root, "huge", o);
		arr = json_object_new_array();
		for (l = 0; l < VMI_NR_LEVELS; l++) {
			m = json_object_new_object();
			json_object_object_add(m, "level",
					       json_object_new_string(level_names[l]));
			json_object_object_add(m, "a", vmv_json_u64(a->mm.census[l].tables));
			json_object_object_add(m, "b", vmv_json_u64(b->mm.census[l].tables));
			json_object_object_add(m, "delta",
					       json_object_new_int64(d64(a->mm.census[l].tables,
									 b->mm.census[l].tables)));
			json_object_object_add(m, "entries_delta",
					       json_object_new_int64(d64(a->mm.census[l].entries,
									 b->mm.census[l].entries)));
			json_object_array_add(arr, m);
		}
		json_object_object_add(root, "page_tables", arr);
		o = json_object_new_object();
		if (same && a->have_stat && b->have_stat) {
			m = json_object_new_object();
			json_object_object_add(m, "min_flt",
					       json_object_new_int64(d64(a->min_flt, b->min_flt)));
			json_object_object_add(m, "maj_flt",
					       json_object_new_int64(d64(a->maj_flt, b->maj_flt)));
			json_object_object_add(o, "stat", m);
		} else {
			json_object_object_add(o, "stat", NULL);
		}
		if (same && a->have_counters && b->have_counters) {
			m = json_object_new_object();
			json_object_object_add(m, "faults",
					       json_object_new_int64(d64(a->counters.faults,
									 b->counters.faults)));
			json_object_object_add(m, "min_flt",
					       json_object_new_int64(d64(a->counters.min_flt,
									 b->counters.min_flt)));
			json_object_object_add(m, "maj_flt",
					       json_object_new_int64(d64(a->counters.maj_flt,
									 b->counters.maj_flt)));
			json_object_object_add(m, "tlb_flushes",
					       json_object_new_int64(d64(a->counters.tlb,
									 b->counters.tlb)));
			json_object_object_add(o, "probes", m);
		} else {
			json_object_object_add(o, "probes", NULL);
		}
		json_object_object_add(root, "between", o);
		vmv_json_print(root);
		ret = VMV_EXIT_OK;
		goto out;
	}

	printf("  %u appeared, %u went, %u grew, %u shrank, %u moved, %u changed permissions, %u "
		"unchanged\n",
	       sum.appeared, sum.went, sum.grew, sum.shrank, sum.moved,
	       sum.perms, sum.unchanged);

	/* the VMAs of both whose pages changed state */
	nw = 0;
	for (i = 0; i < nrows; i++) {
		const struct vmv_vma *va = rows[i].a, *vb = rows[i].b;
		bool any = false;
		int k;

		if (!va || !vb)
			continue;
		for (k = 0; k < VMI_NR_STATES; k++)
			any |= va->state[k] != vb->state[k];
		if (!any)
			continue;
		if (!nw++)
			printf("\n%spages of VMAs in both%s (by state, in pages)\n",
			       vmv_col(C_BOLD), vmv_col(C_RESET));
		printf("  %016llx-%016llx %s %-20s", (unsigned long long)vb->start,
		       (unsigned long long)vb->end, vb->perms, vma_name(vb));
		for (k = 0; k < VMI_NR_STATES; k++)
			if (va->state[k] != vb->state[k])
				printf(" %s %+lld", state_names[k],
				       (long long)d64(va->state[k], vb->state[k]));
		printf("\n");
	}

	printf("\n%spages by state%s (all VMAs)\n", vmv_col(C_BOLD),
	       vmv_col(C_RESET));
	for (l = 0; l < VMI_NR_STATES; l++)
		printf("  %-10s %10llu -> %10llu  %+lld\n", state_names[l],
		       (unsigned long long)a->mm.state[l],
		       (unsigned long long)b->mm.state[l],
		       (long long)d64(a->mm.state[l], b->mm.state[l]));

	printf("\n%spages that moved%s (4 KiB pages, from the pagetable runs)\n",
	       vmv_col(C_BOLD), vmv_col(C_RESET));
	nw = 0;
	for (f = 0; f < VMV_NR_PSTATES; f++) {
		for (t = 0; t < VMV_NR_PSTATES; t++) {
			if (f == t || !mv->pages[f][t])
				continue;
			printf("  %-10s -> %-10s %10llu %7s\n", vmv_pstate_names[f],
			       vmv_pstate_names[t],
			       (unsigned long long)mv->pages[f][t],
			       vmv_size(mv->pages[f][t] << PAGE_SHIFT, sz,
					sizeof(sz)));
			nw++;
		}
	}
	if (!nw)
		printf("  none\n");

	printf("\n%shuge mappings%s\n", vmv_col(C_BOLD), vmv_col(C_RESET));
	for (l = 0; l < 2; l++)
		printf("  %s (%s): %llu formed, %llu split, %llu dropped\n",
		       l ? "pud" : "pmd", l ? "1G" : "2M",
		       (unsigned long long)huge[l][0],
		       (unsigned long long)huge[l][1],
		       (unsigned long long)huge[l][2]);

	printf("\n%spage tables%s\n", vmv_col(C_BOLD), vmv_col(C_RESET));
	for (l = 0; l < VMI_NR_LEVELS; l++)
		printf("  %-5s %8llu -> %8llu  %+lld tables, %+lld entries\n",
		       level_names[l],
		       (unsigned long long)a->mm.census[l].tables,
		       (unsigned long long)b->mm.census[l].tables,
		       (long long)d64(a->mm.census[l].tables,
				      b->mm.census[l].tables),
		       (long long)d64(a->mm.census[l].entries,
				      b->mm.census[l].entries));

	printf("\n%sbetween%s\n", vmv_col(C_BOLD), vmv_col(C_RESET));
	if (!same) {
		printf("  %snot the same process at two moments: no faults between%s\n",
		       vmv_col(C_DIM), vmv_col(C_RESET));
	} else {
		if (a->have_stat && b->have_stat)
			printf("  faults (/proc/PID/stat): %+lld minor, %+lld major\n",
			       (long long)d64(a->min_flt, b->min_flt),
			       (long long)d64(a->maj_flt, b->maj_flt));
		if (a->have_counters && b->have_counters)
			printf("  probes: %+lld faults (%+lld minor, %+lld major), %+lld TLB "
				"flushes\n",
			       (long long)d64(a->counters.faults, b->counters.faults),
			       (long long)d64(a->counters.min_flt, b->counters.min_flt),
			       (long long)d64(a->counters.maj_flt, b->counters.maj_flt),
			       (long long)d64(a->counters.tlb, b->counters.tlb));
		else
			printf("  %sprobes: not running at both moments (no TLB flush count)%s\n",
			       vmv_col(C_DIM), vmv_col(C_RESET));
	}
	ret = VMV_EXIT_OK;
out:
	free(rows);
	free(a2b);
	free(b2a);
	free(mv);
	free(sa);
	free(sb);
	return ret;
}

/* diff --fork */

struct share {
	uint64_t shared, copied, parent_only, child_only;
};

static void share_piece(uint64_t x, uint64_t y, const struct seg *a,
			const struct seg *b, void *data)
{
	struct share *s = data;
	bool pa = a && a->st >= VMV_PS_PTE && a->st <= VMV_PS_PUD;
	bool pb = b && b->st >= VMV_PS_PTE && b->st <= VMV_PS_PUD;
	uint64_t n = (y - x) >> PAGE_SHIFT;

	if (pa && pb) {
		/* both linear in x with the same stride: equal everywhere or nowhere */
		if (a->phys + (x - a->start) == b->phys + (x - b->start))
			s->shared += n;
		else
			s->copied += n;
	} else if (pa) {
		s->parent_only += n;
	} else if (pb) {
		s->child_only += n;
	}
}

/* Present runs split where frames are not contiguous, from pagemap. */
static int pagemap_segs(const struct vmv_view *v, struct seg **out,
			size_t *nr)
{
	struct seg *s = NULL, *ns;
	size_t n = 0, cap = 0, i;
	char path[64];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", v->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (i = 0; i < v->nr_vmas && !ret; i++) {
		const struct vmv_vma *m = &v->vmas[i];
		uint64_t addr, buf[512];

		for (addr = m->start; addr < m->end && !ret;) {
			size_t cnt = (m->end - addr) >> PAGE_SHIFT, k;
			ssize_t r;

			if (cnt > ARRAY_SIZE(buf))
				cnt = ARRAY_SIZE(buf);
			r = pread(fd, buf, cnt * 8, (addr >> PAGE_SHIFT) * 8);
			if (r <= 0) {
				ret = r < 0 ? -errno : -EIO;
				break;
			}
			cnt = r / 8;
			for (k = 0; k < cnt; k++, addr += 1ULL << PAGE_SHIFT) {
				uint64_t e = buf[k], pfn = e & ((1ULL << 55) - 1);

				if (!(e >> 63))
					continue;	/* not present */
				if (!pfn) {
					ret = -EPERM;	/* PFNs hidden */
					break;
				}
				if (n && s[n - 1].end == addr &&
				    s[n - 1].phys + (addr - s[n - 1].start) ==
				    pfn << PAGE_SHIFT) {
					s[n - 1].end += 1ULL << PAGE_SHIFT;
					continue;
				}
				if (n == cap) {
					cap = cap ? cap * 2 : 256;
					ns = realloc(s, cap * sizeof(*s));
					if (!ns) {
						ret = -ENOMEM;
						break;
					}
					s = ns;
				}
				s[n].start = addr;
				s[n].end = addr + (1ULL << PAGE_SHIFT);
				s[n].st = VMV_PS_PTE;
				s[n].phys = pfn << PAGE_SHIFT;
				s[n].have_phys = true;
				n++;
			}
		}
	}
	close(fd);
	if (ret) {
		free(s);
		return ret;
	}
	*out = s;
	*nr = n;
	return 0;
}

static bool segs_have_phys(const struct seg *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i].st >= VMV_PS_PTE && s[i].st <= VMV_PS_PUD &&
		    !s[i].have_phys)
			return false;
	return true;
}

static int frames_error(int err, const struct vmv_view *v)
{
	if (err == -EPERM || err == -EACCES)
		vmv_err("frame numbers of %s are hidden: diff --fork needs root (CAP_SYS_ADMIN) to "
			"read physical addresses",
		      v->label);
	else if (err == -ENOMEM)
		vmv_err("out of memory");
	else
		vmv_err("reading the frames of %s: %s", v->label, strerror(-err));
	return VMV_EXIT_ERR;
}

/* Only the part of segs inside [start, end). */
static size_t clip(const struct seg *s, size_t n, uint64_t start,
		   uint64_t end, struct seg *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (s[i].end <= start || s[i].start >= end)
			continue;
		out[k] = s[i];
		if (out[k].start < start) {
			out[k].phys += start - out[k].start;
			out[k].start = start;
		}
		if (out[k].end > end)
			out[k].end = end;
		k++;
	}
	return k;
}

static int diff_fork(const struct vmv_view *p, const struct vmv_view *c)
{
	struct seg *sp = NULL, *sc = NULL, *cp = NULL, *cc = NULL;
	size_t nsp = 0, nsc = 0, i;
	ssize_t *p2c = NULL, *c2p = NULL;
	struct share tot = { 0 };
	struct json_object *root = NULL, *arr = NULL;
	bool pagemap = frames_from && !strcmp(frames_from, "pagemap");
	int ret = VMV_EXIT_ERR, err;
	char sz[16], sz2[16];

	if (pagemap && (p->snapshot || c->snapshot)) {
		vmv_err("--frames pagemap reads /proc/PID/pagemap: PARENT and CHILD must be live PIDs");
		return VMV_EXIT_USAGE;
	}
	err = pagemap ? pagemap_segs(p, &sp, &nsp) : vmv_segs(p, &sp, &nsp);
	if (err)
		return frames_error(err, p);
	err = pagemap ? pagemap_segs(c, &sc, &nsc) : vmv_segs(c, &sc, &nsc);
	if (err) {
		ret = frames_error(err, c);
		goto out;
	}
	if (!segs_have_phys(sp, nsp)) {
		ret = frames_error(-EPERM, p);
		goto out;
	}
	if (!segs_have_phys(sc, nsc)) {
		ret = frames_error(-EPERM, c);
		goto out;
	}
	cp = calloc(nsp + 1, sizeof(*cp));
	cc = calloc(nsc + 1, sizeof(*cc));
	p2c = calloc(p->nr_vmas + 1, sizeof(*p2c));
	c2p = calloc(c->nr_vmas + 1, sizeof(*c2p));
	if (!cp || !cc || !p2c || !c2p) {
		ret = frames_error(-ENOMEM, p);
		goto out;
	}
	vmv_match_vmas(p->vmas, p->nr_vmas, c->vmas, c->nr_vmas, p2c, c2p);

	if (vmv_json_output) {
		root = json_object_new_object();
		json_object_object_add(root, "parent", view_json(p));
		json_object_object_add(root, "child", view_json(c));
		json_object_object_add(root, "frames",
				       json_object_new_string(pagemap ? "pagemap" :
							      "pagetable"));
		arr = json_object_new_array();
	} else {
		printf("%sfork%s: parent %s (%s), child %s (%s); frames from %s\n\n",
		       vmv_col(C_BOLD), vmv_col(C_RESET), p->label, p->mm.comm,
		       c->label, c->mm.comm,
		       pagemap ? "/proc/PID/pagemap" : "the pagetable file");
		printf("%s%-16s %-16s %-4s %7s %8s %8s %8s %8s %s%s\n",
		       vmv_col(C_BOLD), "start", "end", "perm", "size", "shared",
		       "copied", "parent", "child", "path", vmv_col(C_RESET));
	}
	for (i = 0; i < c->nr_vmas; i++) {
		const struct vmv_vma *vc = &c->vmas[i], *vp;
		struct share s = { 0 };
		uint64_t lo, hi;
		size_t ncp, ncc;

		if (c2p[i] < 0)
			continue;	/* mapped in the child after the fork */
		vp = &p->vmas[c2p[i]];
		lo = vp->start > vc->start ? vp->start : vc->start;
		hi = vp->end < vc->end ? vp->end : vc->end;
		if (lo >= hi)
			continue;
		ncp = clip(sp, nsp, lo, hi, cp);
		ncc = clip(sc, nsc, lo, hi, cc);
		vmv_sweep(cp, ncp, cc, ncc, share_piece, &s);
		tot.shared += s.shared;
		tot.copied += s.copied;
		tot.parent_only += s.parent_only;
		tot.child_only += s.child_only;
		if (vmv_json_output) {
			struct json_object *o = vma_json(vc);

			json_object_object_add(o, "shared", vmv_json_u64(s.shared));
			json_object_object_add(o, "copied", vmv_json_u64(s.copied));
			json_object_object_add(o, "parent_only",
					       vmv_json_u64(s.parent_only));
			json_object_object_add(o, "child_only",
					       vmv_json_u64(s.child_only));
			json_object_array_add(arr, o);
			continue;
		}
		printf("%016llx %016llx %-4s %7s %8llu %8llu %8llu %8llu %s\n",
		       (unsigned long long)vc->start, (unsigned long long)vc->end,
		       vc->perms, vmv_size(vc->end - vc->start, sz, sizeof(sz)),
		       (unsigned long long)s.shared, (unsigned long long)s.copied,
		       (unsigned long long)s.parent_only,
		       (unsigned long long)s.child_only, vma_name(vc));
	}
	if (vmv_json_output) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(root, "vmas", arr);
		json_object_object_add(o, "shared", vmv_json_u64(tot.shared));
		json_object_object_add(o, "copied", vmv_json_u64(tot.copied));
		json_object_object_add(o, "parent_only",
				       vmv_json_u64(tot.parent_only));
		json_object_object_add(o, "child_only",
				       vmv_json_u64(tot.child_only));
		json_object_object_add(root, "total", o);
		vmv_json_print(root);
	} else {
		printf("\n%stotal%s: %llu frames shared (%s), %llu copied by copy-on-write (%s); "
			"present in the parent only %llu, in the child only %llu (4 KiB pages)\n",
		       vmv_col(C_BOLD), vmv_col(C_RESET),
		       (unsigned long long)tot.shared,
		       vmv_size(tot.shared << PAGE_SHIFT, sz, sizeof(sz)),
		       (unsigned long long)tot.copied,
		       vmv_size(tot.copied << PAGE_SHIFT, sz2, sizeof(sz2)),
		       (unsigned long long)tot.parent_only,
		       (unsigned long long)tot.child_only);
	}
	ret = VMV_EXIT_OK;
out:
	free(sp);
	free(sc);
	free(cp);
	free(cc);
	free(p2c);
	free(c2p);
	return ret;
}

int vmv_do_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fork",	no_argument,		NULL,	'f' },
		{ "frames",	required_argument,	NULL,	'F' },
		{ NULL,		0,			NULL,	0 },
	};
	struct vmv_view a, b;
	const char *aa, *ab;
	int ret;

	fork_mode = false;
	frames_from = NULL;
	ret = vmv_parse_opts(argc, argv, "", opts, diff_help, diff_opt);
	if (ret >= 0)
		return ret;
	aa = vmv_operand(argc, argv, fork_mode ? "PARENT" : "A");
	if (!aa)
		return VMV_EXIT_USAGE;
	ab = vmv_operand(argc, argv, fork_mode ? "CHILD" : "B");
	if (!ab)
		return VMV_EXIT_USAGE;
	ret = vmv_no_more(argc, argv);
	if (ret >= 0)
		return ret;
	if (frames_from && !fork_mode)
		return vmv_usage("--frames goes with --fork");
	ret = vmv_view_load(aa, &a);
	if (ret >= 0)
		return ret;
	ret = vmv_view_load(ab, &b);
	if (ret >= 0) {
		vmv_view_free(&a);
		return ret;
	}
	ret = fork_mode ? diff_fork(&a, &b) : diff_views(&a, &b);
	vmv_view_free(&a);
	vmv_view_free(&b);
	return ret;
}
