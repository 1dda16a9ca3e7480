// SPDX-License-Identifier: GPL-2.0
/*
 * vmview pt PID [--map]: the page-table census of /proc/vminspect/PID/mm
 * drawn as the tree pgd -> p4d -> pud -> pmd -> pte, or with --map the
 * coalesced leaf mappings of /proc/vminspect/PID/pagetable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "procfmt.h"
#include "vmview.h"

static const char * const level_names[] = VMI_LEVEL_NAMES;
static bool want_map;

static void pt_help(FILE *f)
{
	fprintf(f,
		"Usage: %s pt PID [--map] [-j] [-p]\n"
		"\n"
		"The page tables of a process.  Without --map: the census as a tree from\n"
		"the pgd down to the pte level, per level the tables allocated, the\n"
		"entries used, how full they are, their size and how much address space\n"
		"one entry maps (the p4d level is folded into the pgd on 4-level paging).\n"
		"With --map: every leaf mapping, runs of identical entries coalesced, a\n"
		"header per VMA: range, size, leaf level (pte 4K, pmd 2M, pud 1G), state\n"
		"(present, swap, migration, special, none), flags, and the physical\n"
		"address (root only).\n",
		vmv_bin_name);
}

static int pt_opt(int opt, const char *arg)
{
	want_map = true;
	return 0;
}

/* Address space one entry of level l maps: 4K << 9 * (levels below). */
static uint64_t entry_span(int l, unsigned int levels)
{
	int shift = 12 + 9 * (VMI_LEVEL_PTE - l);

	if (l == VMI_LEVEL_PGD && levels == 4)
		shift = 39;	/* the p4d is folded: pgd entries map 512G */
	return 1ULL << shift;
}

static const char * const occ_names[] = {
	VMI_OCC_TABLE(VMI_X_NAME, OCC)
};

static const char * const folio_names[] = VMI_FOLIO_NAMES;

/*
 * Format 1.4: tables by entries in use (e0: empty, what PT_RECLAIM frees),
 * page tables per resident byte, tables per NUMA node, and how the
 * resident pages are mapped: PUD and PMD leaves, PTEs by folio size.
 */
static void waste_plain(const struct vmv_mm *mm, unsigned int levels)
{
	uint64_t ps = vmv_page_size();
	char sz[16], sz2[16];
	int l, k, n;

	printf("\n%stables by entries in use%s\n%-6s", vmv_col(C_BOLD),
	       vmv_col(C_RESET), "level");
	for (k = 0; k < VMI_NR_OCCS; k++)
		printf(" %8s", occ_names[k]);
	printf(" %7s\n", "remote");
	for (l = 0; l < VMI_NR_LEVELS; l++) {
		if (l == VMI_LEVEL_P4D && levels == 4)
			continue;
		printf("%-6s", level_names[l]);
		for (k = 0; k < VMI_NR_OCCS; k++)
			printf(" %8llu",
			       (unsigned long long)mm->census[l].occ[k]);
		printf(" %7llu\n", (unsigned long long)mm->census[l].remote);
	}
	printf("page tables are %.2f%% of the resident memory they map\n",
	       mm->pt_resident_pct);
	for (n = 0; n < VMV_NUMA_NODES; n++) {
		const struct vmv_pt_node *pn = &mm->pt_node[VMI_LEVEL_PTE][n];
		uint64_t t = 0, r = 0;

		for (l = 0; l < VMI_NR_LEVELS; l++) {
			t += mm->pt_node[l][n].tables;
			r += mm->pt_node[l][n].remote;
		}
		if (!t)
			continue;
		printf("node %d: %llu tables, %llu of them remote %s;", n,
		       (unsigned long long)t, (unsigned long long)r,
		       "(most of their data on other nodes)");
		printf(" its PTE tables map %s, %s of it on node %d\n",
		       vmv_size(pn->data * ps, sz, sizeof(sz)),
		       vmv_size(pn->local * ps, sz2, sizeof(sz2)), n);
	}
	printf("\n%sresident memory by mapping%s\n", vmv_col(C_BOLD),
	       vmv_col(C_RESET));
	printf("  %-8s %9s\n", "pud 1G",
	       vmv_size(mm->attr[VMI_ATTR_HUGE_PUD] * ps, sz, sizeof(sz)));
	printf("  %-8s %9s\n", "pmd 2M",
	       vmv_size(mm->attr[VMI_ATTR_HUGE_PMD] * ps, sz, sizeof(sz)));
	for (k = VMI_NR_FOLIOS - 1; k >= 0; k--)
		if (mm->folio[k] || k == VMI_FOLIO_4K)
			printf("  %-8s %9s\n", folio_names[k],
			       vmv_size(mm->folio[k] * ps, sz, sizeof(sz)));
}

static void census_plain(pid_t pid, const struct vmv_mm *mm)
{
	unsigned int levels = mm->key[VMI_MM_PAGING_LEVELS];
	uint64_t tables = 0, bytes = 0;
	char sz[16], span[16];
	int l, depth = 0;

	printf("%spage tables of process %d (%s)%s, %u-level paging\n\n",
	       vmv_col(C_BOLD), pid, mm->comm, vmv_col(C_RESET), levels);
	printf("%-18s %7s %17s %7s %7s %s\n", "level", "tables",
	       "entries/capacity", "fill", "size", "one entry maps");
	for (l = 0; l < VMI_NR_LEVELS; l++) {
		const struct vmv_census *c = &mm->census[l];
		char name[32];

		snprintf(name, sizeof(name), "%*s%s%s", depth * 3, "",
			 depth ? "`- " : "", level_names[l]);
		depth++;
		if (l == VMI_LEVEL_P4D && levels == 4) {
			printf("%s%-18s %7s %17s %7s %7s (folded into the pgd)%s\n",
			       vmv_col(C_DIM), name, "-", "-", "-", "-",
			       vmv_col(C_RESET));
			continue;
		}
		printf("%-18s %7llu %8llu/%-8llu %6.2f%% %7s %s\n", name,
		       (unsigned long long)c->tables,
		       (unsigned long long)c->entries,
		       (unsigned long long)c->capacity, c->fill_pct,
		       vmv_size(c->bytes, sz, sizeof(sz)),
		       vmv_size(entry_span(l, levels), span, sizeof(span)));
		tables += c->tables;
		bytes += c->bytes;
	}
	printf("\n%llu page-table pages, %s; VmPTE (pud+pmd+pte tables) %llu bytes\n",
	       (unsigned long long)tables, vmv_size(bytes, sz, sizeof(sz)),
	       (unsigned long long)mm->key[VMI_MM_PGTABLES_BYTES]);
	if (mm->have[VMI_MM_PT_RESIDENT_PCT])
		waste_plain(mm, levels);
}

static void waste_json(struct json_object *o, const struct vmv_mm *mm)
{
	struct json_object *cov = json_object_new_object();
	struct json_object *nodes = json_object_new_array(), *n;
	char pct[32];
	int l, k;

	snprintf(pct, sizeof(pct), "%.2f", mm->pt_resident_pct);
	json_object_object_add(o, "pt_resident_pct",
			       json_object_new_double_s(mm->pt_resident_pct,
							pct));
	json_object_object_add(o, "thp_disabled",
			       vmv_json_str(mm->thp_disabled));
	json_object_object_add(cov, "huge_pud",
			       vmv_json_u64(mm->attr[VMI_ATTR_HUGE_PUD]));
	json_object_object_add(cov, "huge_pmd",
			       vmv_json_u64(mm->attr[VMI_ATTR_HUGE_PMD]));
	for (k = 0; k < VMI_NR_FOLIOS; k++)
		json_object_object_add(cov, folio_names[k],
				       vmv_json_u64(mm->folio[k]));
	json_object_object_add(o, "coverage_pages", cov);
	for (l = 0; l < VMI_NR_LEVELS; l++) {
		for (k = 0; k < VMV_NUMA_NODES; k++) {
			if (!mm->pt_node[l][k].tables)
				continue;
			n = json_object_new_object();
			json_object_object_add(n, "level",
					       vmv_json_str(level_names[l]));
			json_object_object_add(n, "node",
					       json_object_new_int(k));
			json_object_object_add(n, "tables",
					       vmv_json_u64(mm->pt_node[l][k].tables));
			json_object_object_add(n, "remote",
					       vmv_json_u64(mm->pt_node[l][k].remote));
			json_object_object_add(n, "data_pages",
					       vmv_json_u64(mm->pt_node[l][k].data));
			json_object_object_add(n, "local_pages",
					       vmv_json_u64(mm->pt_node[l][k].local));
			json_object_array_add(nodes, n);
		}
	}
	json_object_object_add(o, "pt_nodes", nodes);
}

static void census_json(pid_t pid, const struct vmv_mm *mm)
{
	struct json_object *o = json_object_new_object();
	uint64_t tables = 0, bytes = 0;
	int l;

	for (l = 0; l < VMI_NR_LEVELS; l++) {
		tables += mm->census[l].tables;
		bytes += mm->census[l].bytes;
	}
	json_object_object_add(o, "pid", json_object_new_int(pid));
	json_object_object_add(o, "comm", vmv_json_str(mm->comm));
	json_object_object_add(o, "paging_levels",
			       vmv_json_u64(mm->key[VMI_MM_PAGING_LEVELS]));
	json_object_object_add(o, "census", vmv_census_json(mm));
	json_object_object_add(o, "tables", vmv_json_u64(tables));
	json_object_object_add(o, "bytes", vmv_json_u64(bytes));
	json_object_object_add(o, "pgtables_bytes",
			       vmv_json_u64(mm->key[VMI_MM_PGTABLES_BYTES]));
	if (mm->have[VMI_MM_PT_RESIDENT_PCT])
		waste_json(o, mm);
	vmv_json_print(o);
}

static const char *state_col(const char *state)
{
	if (!strcmp(state, "present"))
		return C_GREEN;
	if (!strcmp(state, "swap"))
		return C_YELLOW;
	if (!strcmp(state, "none"))
		return C_DIM;
	return C_RED;
}

static void map_plain(const struct vmv_pagetable *pt)
{
	size_t v, r = 0;
	char sz[16];

	for (v = 0; v < pt->nr_vmas; v++) {
		const struct vmv_pt_vma *h = &pt->vmas[v];

		printf("%s%016llx-%016llx %s %s%s\n", vmv_col(C_BOLD),
		       (unsigned long long)h->start, (unsigned long long)h->end,
		       h->perms, h->path ? h->path : "", vmv_col(C_RESET));
		for (; r < pt->nr_runs && pt->runs[r].vma == v; r++) {
			const struct vmv_pt_run *run = &pt->runs[r];

			printf("  %016llx-%016llx %6s %-3s %s%-9s%s %s %s\n",
			       (unsigned long long)run->start,
			       (unsigned long long)run->end,
			       vmv_size(run->size, sz, sizeof(sz)), run->level,
			       vmv_col(state_col(run->state)), run->state,
			       vmv_col(C_RESET), run->flags, run->phys);
		}
	}
}

static void map_json(pid_t pid, const struct vmv_pagetable *pt)
{
	struct json_object *o = json_object_new_object(), *vmas, **runs;
	size_t i;

	vmas = json_object_new_array();
	runs = calloc(pt->nr_vmas ? pt->nr_vmas : 1, sizeof(*runs));
	for (i = 0; i < pt->nr_vmas; i++) {
		const struct vmv_pt_vma *h = &pt->vmas[i];
		struct json_object *v = json_object_new_object();

		json_object_object_add(v, "start", vmv_json_u64(h->start));
		json_object_object_add(v, "end", vmv_json_u64(h->end));
		json_object_object_add(v, "perms", vmv_json_str(h->perms));
		json_object_object_add(v, "path", vmv_json_str(h->path));
		runs[i] = json_object_new_array();
		json_object_object_add(v, "runs", runs[i]);
		json_object_array_add(vmas, v);
	}
	for (i = 0; i < pt->nr_runs; i++) {
		const struct vmv_pt_run *run = &pt->runs[i];
		struct json_object *r = json_object_new_object();

		json_object_object_add(r, "start", vmv_json_u64(run->start));
		json_object_object_add(r, "end", vmv_json_u64(run->end));
		json_object_object_add(r, "size", vmv_json_u64(run->size));
		json_object_object_add(r, "level",
				       strcmp(run->level, "-") ?
				       vmv_json_str(run->level) : NULL);
		json_object_object_add(r, "state", vmv_json_str(run->state));
		json_object_object_add(r, "flags", vmv_json_list(run->flags));
		json_object_object_add(r, "phys",
				       strcmp(run->phys, "-") ?
				       vmv_json_str(run->phys) : NULL);
		json_object_array_add(runs[run->vma], r);
	}
	free(runs);
	json_object_object_add(o, "pid", json_object_new_int(pid));
	json_object_object_add(o, "vmas", vmas);
	vmv_json_print(o);
}

int vmv_do_pt(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "map",	no_argument,	NULL,	'm' },
		{ NULL,		0,		NULL,	0 },
	};
	struct vmv_pagetable pt;
	struct vmv_mm mm;
	pid_t pid;
	int ret;

	want_map = false;
	ret = vmv_parse_pid_cmd(argc, argv, "m", opts, pt_help, pt_opt,
				&pid);
	if (ret >= 0)
		return ret;

	if (want_map) {
		ret = vmv_read_pagetable(pid, &pt);
		if (ret)
			return vmv_proc_error(ret, pid, VMI_PROC_PAGETABLE);
		if (vmv_json_output)
			map_json(pid, &pt);
		else
			map_plain(&pt);
		vmv_free_pagetable(&pt);
		return VMV_EXIT_OK;
	}
	ret = vmv_read_mm(pid, &mm);
	if (ret)
		return vmv_proc_error(ret, pid, VMI_PROC_MM);
	if (vmv_json_output)
		census_json(pid, &mm);
	else
		census_plain(pid, &mm);
	return VMV_EXIT_OK;
}
