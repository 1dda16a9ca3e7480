// SPDX-License-Identifier: GPL-2.0
/*
 * vmview ps: every process with its VMA count, RSS and page-table pages per
 * level, from /proc/vminspect/processes (faults and TLB flushes from the
 * probes when they run).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "procfmt.h"
#include "vmview.h"

enum ps_sort { SORT_PID, SORT_PT, SORT_RSS, SORT_VMAS, SORT_FAULTS, SORT_TLB };

struct ps_row {
	struct vmv_proc p;
	struct vmv_counters c;
	bool have_c;
};

static enum ps_sort sort_key;

static void ps_help(FILE *f)
{
	fprintf(f,
		"Usage: %s ps [--sort pt|rss|vmas|faults|tlb] [-j] [-p]\n"
		"\n"
		"Every process the caller may inspect: VMA count, RSS, page-table pages\n"
		"per level (pgd p4d pud pmd pte) and their size.  With the probes running,\n"
		"since they started: page faults, FLUSHES of the process's own address\n"
		"space (whoever made them: the process, kswapd, khugepaged ...) with the\n"
		"CAUSE of most of them and its share, and TLB flushes run on a CPU while\n"
		"it was current.  --sort orders by that column, largest first (default:\n"
		"by pid; 'tlb' sorts by FLUSHES).\n",
		vmv_bin_name);
}

static uint64_t sort_val(const struct ps_row *r)
{
	switch (sort_key) {
	case SORT_PT:
		return r->p.pt_bytes;
	case SORT_RSS:
		return r->p.rss;
	case SORT_VMAS:
		return r->p.vmas;
	case SORT_FAULTS:
		return r->c.faults;
	case SORT_TLB:
		return r->c.flushes;
	case SORT_PID:
		break;
	}
	return 0;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct ps_row *x = a, *y = b;
	uint64_t vx = sort_val(x), vy = sort_val(y);

	if (vx != vy)
		return vx < vy ? 1 : -1;
	return x->p.pid - y->p.pid;
}

static void ps_json(struct ps_row *rows, size_t nr, bool counters)
{
	static const char * const lvl[] = VMI_LEVEL_NAMES;
	struct json_object *arr = json_object_new_array(), *o, *pt;
	size_t i;
	int l;

	for (i = 0; i < nr; i++) {
		struct vmv_proc *p = &rows[i].p;

		o = json_object_new_object();
		json_object_object_add(o, "pid", json_object_new_int(p->pid));
		json_object_object_add(o, "comm", vmv_json_str(p->comm));
		json_object_object_add(o, "vmas", vmv_json_u64(p->vmas));
		json_object_object_add(o, "rss_pages", vmv_json_u64(p->rss));
		json_object_object_add(o, "rss_bytes",
				       vmv_json_u64(p->rss * vmv_page_size()));
		pt = json_object_new_object();
		for (l = 0; l < VMI_NR_LEVELS; l++)
			json_object_object_add(pt, lvl[l], vmv_json_u64(p->pt[l]));
		json_object_object_add(o, "pt_pages", pt);
		json_object_object_add(o, "pt_bytes", vmv_json_u64(p->pt_bytes));
		if (counters && rows[i].have_c) {
			json_object_object_add(o, "faults",
					       vmv_json_u64(rows[i].c.faults));
			json_object_object_add(o, "tlb_flushes",
					       vmv_json_u64(rows[i].c.tlb));
			json_object_object_add(o, "flushes",
					       vmv_json_u64(rows[i].c.flushes));
			json_object_object_add(o, "tlb_causes",
					       vmv_tlb_causes_json(&rows[i].c.t));
		}
		json_object_array_add(arr, o);
	}
	vmv_json_print(arr);
}

static void ps_plain(struct ps_row *rows, size_t nr, bool counters)
{
	char rss[16], pt[16], lead[32];
	double share;
	size_t i;
	int l, cause;

	printf("%s%7s %5s %7s %4s %4s %4s %4s %5s %7s", vmv_col(C_BOLD), "PID",
	       "VMAS", "RSS", "PGD", "P4D", "PUD", "PMD", "PTE", "PT");
	if (counters)
		printf(" %9s %9s %-12s %9s", "FAULTS", "FLUSHES", "CAUSE",
		       "TLB");
	printf("  COMM%s\n", vmv_col(C_RESET));
	for (i = 0; i < nr; i++) {
		struct vmv_proc *p = &rows[i].p;

		printf("%7d %5llu %7s", p->pid, (unsigned long long)p->vmas,
		       vmv_size(p->rss * vmv_page_size(), rss, sizeof(rss)));
		for (l = 0; l < VMI_NR_LEVELS; l++)
			printf(l == VMI_LEVEL_PTE ? " %5llu" : " %4llu",
			       (unsigned long long)p->pt[l]);
		printf(" %7s", vmv_size(p->pt_bytes, pt, sizeof(pt)));
		if (counters) {
			if (rows[i].have_c) {
				cause = vmv_lead_cause(&rows[i].c.t, NULL,
						       &share);
				printf(" %9llu %9llu %-12s %9llu",
				       (unsigned long long)rows[i].c.faults,
				       (unsigned long long)rows[i].c.flushes,
				       vmv_cause_share_str(cause, share, lead,
							   sizeof(lead)),
				       (unsigned long long)rows[i].c.tlb);
			} else {
				printf(" %9s %9s %-12s %9s", "-", "-", "-", "-");
			}
		}
		printf("  %s\n", p->comm);
	}
}

static int ps_opt(int opt, const char *arg)
{
	static const char * const sorts[] = {
		[SORT_PID] = "pid", [SORT_PT] = "pt", [SORT_RSS] = "rss",
		[SORT_VMAS] = "vmas", [SORT_FAULTS] = "faults",
		[SORT_TLB] = "tlb",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sorts); i++) {
		if (!strcmp(arg, sorts[i])) {
			sort_key = i;
			return 0;
		}
	}
	return vmv_usage("--sort takes pid, pt, rss, vmas, faults or tlb, not '%s'",
		       arg);
}

int vmv_do_ps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sort",	required_argument,	NULL,	's' },
		{ NULL,		0,			NULL,	0 },
	};
	struct vmv_proc *procs;
	struct ps_row *rows;
	bool counters;
	size_t nr, i;
	int ret;

	sort_key = SORT_PID;
	ret = vmv_parse_opts(argc, argv, "s:", opts, ps_help,
			     ps_opt);
	if (ret < 0)
		ret = vmv_no_more(argc, argv);
	if (ret >= 0)
		return ret;

	counters = vmv_probes_running();
	if (sort_key == SORT_FAULTS || sort_key == SORT_TLB) {
		ret = vmv_probes_check();
		if (ret)
			return ret;
	}

	ret = vmv_read_processes(&procs, &nr);
	if (ret)
		return vmv_proc_error(ret, 0, VMI_PROC_PROCESSES);
	rows = calloc(nr ? nr : 1, sizeof(*rows));
	if (!rows) {
		free(procs);
		vmv_err("out of memory");
		return VMV_EXIT_ERR;
	}
	for (i = 0; i < nr; i++) {
		rows[i].p = procs[i];
		if (counters)
			rows[i].have_c = !vmv_counters_pid(procs[i].pid,
							   &rows[i].c);
	}
	qsort(rows, nr, sizeof(*rows), cmp_rows);
	if (vmv_json_output)
		ps_json(rows, nr, counters);
	else
		ps_plain(rows, nr, counters);
	free(rows);
	free(procs);
	return VMV_EXIT_OK;
}
