// SPDX-License-Identifier: GPL-2.0
/*
 * vmview maps PID: the VMA map of /proc/vminspect/PID/vmas, each VMA with
 * its pages by state and a residency bar, the holes between VMAs (the
 * "unallocated" state) drawn too; faults per VMA when the probes run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "procfmt.h"
#include "snapshot.h"
#include "thp.h"
#include "vmview.h"

#define BAR_WIDTH	24

static const char * const state_names[] = VMI_STATE_NAMES;
static const char * const attr_names[] = VMI_ATTR_NAMES;
static const char * const folio_names[] = VMI_FOLIO_NAMES;

/* What decides the THP column: the process's prctl and the policy. */
struct maps_thp {
	const char *disabled;		/* mm's thp_disabled, "" unknown */
	struct vmv_thp_policy policy;
};

/* One character and colour per state in the residency bar. */
static const struct {
	char ch;
	const char *col;
} bar_style[VMI_NR_STATES] = {
	[VMI_STATE_PRESENT] = { '#', C_GREEN },
	[VMI_STATE_SWAP] = { 's', C_YELLOW },
	[VMI_STATE_MIGRATION] = { 'm', C_MAGENTA },
	[VMI_STATE_SPECIAL] = { '!', C_RED },
	[VMI_STATE_FILE] = { '-', C_BLUE },
	[VMI_STATE_UNTOUCHED] = { '.', C_DIM },
};

static void maps_help(FILE *f)
{
	fprintf(f,
		"Usage: %s maps PID [-j] [-p]\n"
		"\n"
		"The VMA map of a process, in address order, as /proc/PID/maps lists it,\n"
		"with each VMA's resident size, swapped size, page tables and a bar of\n"
		"its pages by state:\n"
		"  # present (in RAM)   s swapped   m migrating   ! other special entry\n"
		"  - file-backed, not mapped        . anonymous, never touched\n"
		"Holes between VMAs (no VMA: unallocated) are shown as such.  With the\n"
		"probes running, page faults per VMA.  THP says why the VMA is or is not\n"
		"mapped by 2M pages (huge, small, nohugepage, prctl, disabled,\n"
		"not_advised, shmem, file, blocked_none/swap/shared, pending, hugetlb,\n"
		"special); -j gives the counts behind it and the pages by folio size.\n",
		vmv_bin_name);
}

/*
 * Spread BAR_WIDTH cells over the states in proportion to their pages
 * (largest remainder), giving every non-empty state at least one cell.
 */
static void bar_cells(const struct vmv_vma *v, int cells[VMI_NR_STATES])
{
	uint64_t total = 0, rem[VMI_NR_STATES];
	int s, used = 0, best;

	for (s = 0; s < VMI_NR_STATES; s++)
		total += v->state[s];
	memset(cells, 0, sizeof(int) * VMI_NR_STATES);
	if (!total)
		return;
	for (s = 0; s < VMI_NR_STATES; s++) {
		cells[s] = v->state[s] * BAR_WIDTH / total;
		rem[s] = v->state[s] * BAR_WIDTH % total;
		if (v->state[s] && !cells[s]) {
			cells[s] = 1;
			rem[s] = 0;
		}
		used += cells[s];
	}
	while (used < BAR_WIDTH) {
		best = 0;
		for (s = 1; s < VMI_NR_STATES; s++)
			if (rem[s] > rem[best])
				best = s;
		cells[best]++;
		rem[best] = 0;
		used++;
	}
	while (used > BAR_WIDTH) {
		best = 0;
		for (s = 1; s < VMI_NR_STATES; s++)
			if (cells[s] > cells[best])
				best = s;
		cells[best]--;
		used--;
	}
}

static void print_bar(const struct vmv_vma *v)
{
	int cells[VMI_NR_STATES], s, i;

	bar_cells(v, cells);
	putchar('[');
	for (s = 0; s < VMI_NR_STATES; s++) {
		if (!cells[s])
			continue;
		fputs(vmv_col(bar_style[s].col), stdout);
		for (i = 0; i < cells[s]; i++)
			putchar(bar_style[s].ch);
		fputs(vmv_col(C_RESET), stdout);
	}
	putchar(']');
}

static void maps_plain(const struct vmv_vma *vmas, size_t nr,
		       const uint64_t *faults, const struct maps_thp *thp)
{
	uint64_t ps = vmv_page_size(), rss = 0, swap = 0, size = 0;
	char a[16], b[16], c[16], d[16];
	enum vmv_thp_reason reason;
	size_t i;
	int s;

	printf("%s%-16s %-16s %-4s %7s %7s %7s %7s %-14s %-*s",
	       vmv_col(C_BOLD), "START", "END", "PERM", "SIZE", "RSS", "SWAP",
	       "HUGE", "THP", BAR_WIDTH + 2, "RESIDENCY");
	if (faults)
		printf(" %8s", "FAULTS");
	printf(" PATH%s\n", vmv_col(C_RESET));
	for (i = 0; i < nr; i++) {
		const struct vmv_vma *v = &vmas[i];

		if (i && v->start > vmas[i - 1].end)
			printf("%s%16s %-16s %-4s %7s  (unmapped)%s\n",
			       vmv_col(C_DIM), "", "", "",
			       vmv_size(v->start - vmas[i - 1].end, a,
					sizeof(a)),
			       vmv_col(C_RESET));
		printf("%016llx %016llx %-4s %7s %7s %7s %7s ",
		       (unsigned long long)v->start,
		       (unsigned long long)v->end, v->perms,
		       vmv_size(v->end - v->start, a, sizeof(a)),
		       vmv_size(v->state[VMI_STATE_PRESENT] * ps, b, sizeof(b)),
		       vmv_size(v->state[VMI_STATE_SWAP] * ps, c, sizeof(c)),
		       vmv_size((v->attr[VMI_ATTR_HUGE_PMD] +
				 v->attr[VMI_ATTR_HUGE_PUD]) * ps, d,
				sizeof(d)));
		reason = vmv_thp_reason(v, thp->disabled, &thp->policy, NULL,
					0);
		printf("%-14s ", vmv_thp_reason_names[reason]);
		print_bar(v);
		if (faults)
			printf(" %8llu", (unsigned long long)faults[i]);
		printf(" %s\n", v->path ? v->path : "");
		size += v->end - v->start;
		rss += v->state[VMI_STATE_PRESENT] * ps;
		swap += v->state[VMI_STATE_SWAP] * ps;
	}
	printf("%s%-16s %-16s %-4s %7s %7s %7s%s\n", vmv_col(C_BOLD), "total",
	       "", "", vmv_size(size, a, sizeof(a)),
	       vmv_size(rss, b, sizeof(b)), vmv_size(swap, c, sizeof(c)),
	       vmv_col(C_RESET));
	printf("%s", vmv_col(C_DIM));
	for (s = 0; s < VMI_NR_STATES; s++)
		printf("%s%c %s", s ? "  " : "", bar_style[s].ch,
		       state_names[s]);
	printf("%s\n", vmv_col(C_RESET));
}

/* format 1.4: kind, pages by folio size, empty tables, the THP reason */
static void maps_json_thp(struct json_object *o, const struct vmv_vma *v,
			  const struct maps_thp *thp)
{
	struct json_object *f = json_object_new_object();
	struct json_object *t = json_object_new_object();
	enum vmv_thp_reason reason;
	char detail[96];
	int k;

	json_object_object_add(o, "kind", vmv_json_str(v->kind));
	for (k = 0; k < VMI_NR_FOLIOS; k++)
		json_object_object_add(f, folio_names[k],
				       vmv_json_u64(v->folio[k]));
	json_object_object_add(o, "pte_mapped", f);
	json_object_object_add(o, "pte_empty", vmv_json_u64(v->pte_empty));
	json_object_object_add(o, "pte_remote", vmv_json_u64(v->pte_remote));
	reason = vmv_thp_reason(v, thp->disabled, &thp->policy, detail,
				sizeof(detail));
	json_object_object_add(t, "reason",
			       vmv_json_str(vmv_thp_reason_names[reason]));
	json_object_object_add(t, "detail", vmv_json_str(detail));
	json_object_object_add(t, "pmd_slots", vmv_json_u64(v->pmd_slots));
	json_object_object_add(t, "slot_none", vmv_json_u64(v->slot_none));
	json_object_object_add(t, "slot_swap", vmv_json_u64(v->slot_swap));
	json_object_object_add(t, "slot_shared",
			       vmv_json_u64(v->slot_shared));
	json_object_object_add(o, "thp", t);
}

static void maps_json(const struct vmv_vma *vmas, size_t nr,
		      const uint64_t *faults, const struct maps_thp *thp)
{
	static const char * const tab_names[] = { "pud", "pmd", "pte" };
	struct json_object *arr = json_object_new_array(), *o, *s, *a, *t;
	size_t i;
	int k;

	for (i = 0; i < nr; i++) {
		const struct vmv_vma *v = &vmas[i];

		o = json_object_new_object();
		json_object_object_add(o, "start", vmv_json_u64(v->start));
		json_object_object_add(o, "end", vmv_json_u64(v->end));
		json_object_object_add(o, "size",
				       vmv_json_u64(v->end - v->start));
		json_object_object_add(o, "perms", vmv_json_str(v->perms));
		json_object_object_add(o, "offset", vmv_json_u64(v->offset));
		json_object_object_add(o, "dev", vmv_json_str(v->dev));
		json_object_object_add(o, "inode", vmv_json_u64(v->inode));
		json_object_object_add(o, "path", vmv_json_str(v->path));
		json_object_object_add(o, "flags", vmv_json_list(v->flags));
		s = json_object_new_object();
		for (k = 0; k < VMI_NR_STATES; k++)
			json_object_object_add(s, state_names[k],
					       vmv_json_u64(v->state[k]));
		json_object_object_add(o, "states", s);
		a = json_object_new_object();
		for (k = 0; k < VMI_NR_ATTRS; k++)
			json_object_object_add(a, attr_names[k],
					       vmv_json_u64(v->attr[k]));
		json_object_object_add(o, "attrs", a);
		t = json_object_new_object();
		for (k = 0; k < VMV_NR_VT; k++)
			json_object_object_add(t, tab_names[k],
					       vmv_json_u64(v->tables[k]));
		json_object_object_add(o, "tables", t);
		if (v->have_thp)
			maps_json_thp(o, v, thp);
		if (faults)
			json_object_object_add(o, "faults",
					       vmv_json_u64(faults[i]));
		json_object_array_add(arr, o);
	}
	vmv_json_print(arr);
}

int vmv_do_maps(int argc, char **argv)
{
	uint64_t *faults = NULL, *st = NULL, *en = NULL;
	struct maps_thp thp = { .disabled = "" };
	struct vmv_mm *mm = NULL;
	struct vmv_vma *vmas;
	size_t nr, i;
	pid_t pid;
	int ret;

	ret = vmv_parse_pid_cmd(argc, argv, NULL, NULL, maps_help, NULL,
				&pid);
	if (ret >= 0)
		return ret;

	ret = vmv_read_vmas(pid, &vmas, &nr);
	if (ret)
		return vmv_proc_error(ret, pid, VMI_PROC_VMAS);
	if (nr && vmv_probes_running()) {
		faults = calloc(nr, sizeof(*faults));
		st = calloc(nr, sizeof(*st));
		en = calloc(nr, sizeof(*en));
		if (faults && st && en) {
			for (i = 0; i < nr; i++) {
				st[i] = vmas[i].start;
				en[i] = vmas[i].end;
			}
			ret = vmv_counters_ranges(pid, st, en, nr, faults);
		}
		if (!st || !en || ret) {
			free(faults);
			faults = NULL;
		}
	}
	/* the prctl is mm's; the policy this machine's (a snapshot: unknown) */
	mm = calloc(1, sizeof(*mm));
	if (mm && !vmv_read_mm(pid, mm))
		thp.disabled = mm->thp_disabled;
	if (vmv_snap_active())
		vmv_snap_thp_policy(&thp.policy);
	else
		vmv_thp_policy_read(&thp.policy);
	if (vmv_json_output)
		maps_json(vmas, nr, faults, &thp);
	else
		maps_plain(vmas, nr, faults, &thp);
	free(mm);
	free(faults);
	free(st);
	free(en);
	vmv_free_vmas(vmas, nr);
	return VMV_EXIT_OK;
}
