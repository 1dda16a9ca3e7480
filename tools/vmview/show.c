// SPDX-License-Identifier: GPL-2.0
/*
 * vmview show PID: the mm_struct summary from /proc/vminspect/PID/mm (the
 * bounds of code, data, heap, stack, arguments and environment, the VM and
 * RSS counters, pages per state, the page-table census) and the probes'
 * fault and TLB counters when they run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "procfmt.h"
#include "vmview.h"

static const char * const state_names[] = VMI_STATE_NAMES;
static const char * const attr_names[] = VMI_ATTR_NAMES;
static const char * const level_names[] = VMI_LEVEL_NAMES;

static void show_help(FILE *f)
{
	fprintf(f,
		"Usage: %s show PID [-j] [-p]\n"
		"\n"
		"The summary of a process's address space: where its code, data, heap,\n"
		"stack, arguments and environment lie, its VM and RSS counters, its pages\n"
		"by state (present, swap, migration, special, file, untouched) and the\n"
		"page-table census per level; fault and TLB flush counts when the probes\n"
		"run.  Kernel addresses (mm, pgd) are zero unless you are root.\n",
		vmv_bin_name);
}

static const char * const occ_names[] = {
	VMI_OCC_TABLE(VMI_X_NAME, OCC)
};

/* format 1.4: remote tables and the occupancy of a level */
static void census_json_v14(struct json_object *o, const struct vmv_census *c)
{
	struct json_object *occ = json_object_new_object();
	int k;

	json_object_object_add(o, "remote", vmv_json_u64(c->remote));
	for (k = 0; k < VMI_NR_OCCS; k++)
		json_object_object_add(occ, occ_names[k],
				       vmv_json_u64(c->occ[k]));
	json_object_object_add(o, "occupancy", occ);
}

struct json_object *vmv_census_json(const struct vmv_mm *mm)
{
	struct json_object *arr = json_object_new_array(), *o;
	int l;

	for (l = 0; l < VMI_NR_LEVELS; l++) {
		const struct vmv_census *c = &mm->census[l];
		char pct[32];

		/* the file's two decimals, not the double's full expansion */
		snprintf(pct, sizeof(pct), "%.2f", c->fill_pct);
		o = json_object_new_object();
		json_object_object_add(o, "level",
				       json_object_new_string(level_names[l]));
		json_object_object_add(o, "tables", vmv_json_u64(c->tables));
		json_object_object_add(o, "entries", vmv_json_u64(c->entries));
		json_object_object_add(o, "capacity", vmv_json_u64(c->capacity));
		json_object_object_add(o, "fill_pct",
				       json_object_new_double_s(c->fill_pct, pct));
		json_object_object_add(o, "bytes", vmv_json_u64(c->bytes));
		if (mm->have[VMI_MM_PT_RESIDENT_PCT])
			census_json_v14(o, c);
		json_object_array_add(arr, o);
	}
	return arr;
}

static void show_json(pid_t pid, const struct vmv_mm *mm,
		      const struct vmv_counters *c)
{
	struct json_object *o = json_object_new_object(), *m, *s, *a;
	char pct[32];
	int k;

	json_object_object_add(o, "pid", json_object_new_int(pid));
	json_object_object_add(o, "comm", vmv_json_str(mm->comm));
	json_object_object_add(o, "paging_levels",
			       vmv_json_u64(mm->key[VMI_MM_PAGING_LEVELS]));
	m = json_object_new_object();
	for (k = 0; k < VMI_MM_NR_KEYS; k++) {
		if (!mm->have[k])
			continue;
		if (k == VMI_MM_PT_RESIDENT_PCT) {
			snprintf(pct, sizeof(pct), "%.2f", mm->pt_resident_pct);
			json_object_object_add(m, vmv_mm_key_names[k],
					       json_object_new_double_s(mm->pt_resident_pct,
									pct));
		} else if (k == VMI_MM_THP_DISABLED) {
			json_object_object_add(m, vmv_mm_key_names[k],
					       vmv_json_str(mm->thp_disabled));
		} else {
			json_object_object_add(m, vmv_mm_key_names[k],
					       vmv_json_u64(mm->key[k]));
		}
	}
	json_object_object_add(o, "mm", m);
	s = json_object_new_object();
	for (k = 0; k < VMI_NR_STATES; k++)
		json_object_object_add(s, state_names[k],
				       vmv_json_u64(mm->state[k]));
	json_object_object_add(o, "states", s);
	a = json_object_new_object();
	for (k = 0; k < VMI_NR_ATTRS; k++)
		json_object_object_add(a, attr_names[k],
				       vmv_json_u64(mm->attr[k]));
	json_object_object_add(o, "attrs", a);
	json_object_object_add(o, "census", vmv_census_json(mm));
	json_object_object_add(o, "counters", c ? vmv_counters_json(c) : NULL);
	vmv_json_print(o);
}

static void range(const char *what, uint64_t a, uint64_t b)
{
	char sz[16];

	printf("  %-12s %016llx-%016llx %7s\n", what, (unsigned long long)a,
	       (unsigned long long)b,
	       b >= a ? vmv_size(b - a, sz, sizeof(sz)) : "?");
}

static void show_pages(const char *what, uint64_t n)
{
	char sz[16];

	printf("  %-12s %10llu pages %7s\n", what, (unsigned long long)n,
	       vmv_size(n * vmv_page_size(), sz, sizeof(sz)));
}

static void show_plain(pid_t pid, const struct vmv_mm *mm,
		       const struct vmv_counters *c)
{
	const uint64_t *k = mm->key;
	char sz[16];
	int i;

	printf("%sprocess %d (%s)%s: %llu-level paging, %llu VMAs\n",
	       vmv_col(C_BOLD), pid, mm->comm, vmv_col(C_RESET),
	       (unsigned long long)k[VMI_MM_PAGING_LEVELS],
	       (unsigned long long)k[VMI_MM_MAP_COUNT]);
	if (k[VMI_MM_MM] || k[VMI_MM_PGD] || vmv_verbose)
		printf("  mm_struct 0x%016llx  pgd 0x%016llx\n",
		       (unsigned long long)k[VMI_MM_MM],
		       (unsigned long long)k[VMI_MM_PGD]);

	printf("\n%saddress space%s\n", vmv_col(C_BOLD), vmv_col(C_RESET));
	range("code", k[VMI_MM_START_CODE], k[VMI_MM_END_CODE]);
	range("data", k[VMI_MM_START_DATA], k[VMI_MM_END_DATA]);
	range("heap (brk)", k[VMI_MM_START_BRK], k[VMI_MM_BRK]);
	range("arguments", k[VMI_MM_ARG_START], k[VMI_MM_ARG_END]);
	range("environment", k[VMI_MM_ENV_START], k[VMI_MM_ENV_END]);
	printf("  %-12s %016llx\n", "stack start",
	       (unsigned long long)k[VMI_MM_START_STACK]);
	printf("  %-12s %016llx\n", "mmap_base",
	       (unsigned long long)k[VMI_MM_MMAP_BASE]);
	printf("  %-12s %016llx (%s of user address space)\n", "task_size",
	       (unsigned long long)k[VMI_MM_TASK_SIZE],
	       vmv_size(k[VMI_MM_TASK_SIZE], sz, sizeof(sz)));

	printf("\n%smemory%s\n", vmv_col(C_BOLD), vmv_col(C_RESET));
	show_pages("total_vm", k[VMI_MM_TOTAL_VM]);
	show_pages("rss", k[VMI_MM_RSS_ANON] + k[VMI_MM_RSS_FILE] +
		   k[VMI_MM_RSS_SHMEM]);
	show_pages("  anon", k[VMI_MM_RSS_ANON]);
	show_pages("  file", k[VMI_MM_RSS_FILE]);
	show_pages("  shmem", k[VMI_MM_RSS_SHMEM]);
	show_pages("swap", k[VMI_MM_SWAP_ENTS]);
	show_pages("hiwater_rss", k[VMI_MM_HIWATER_RSS]);
	show_pages("hiwater_vm", k[VMI_MM_HIWATER_VM]);
	show_pages("data_vm", k[VMI_MM_DATA_VM]);
	show_pages("exec_vm", k[VMI_MM_EXEC_VM]);
	show_pages("stack_vm", k[VMI_MM_STACK_VM]);
	show_pages("locked_vm", k[VMI_MM_LOCKED_VM]);
	show_pages("pinned_vm", k[VMI_MM_PINNED_VM]);
	printf("  %-12s %10llu bytes %7s  (VmPTE: pte+pmd+pud tables)\n",
	       "page tables", (unsigned long long)k[VMI_MM_PGTABLES_BYTES],
	       vmv_size(k[VMI_MM_PGTABLES_BYTES], sz, sizeof(sz)));

	printf("\n%spages by state%s (walked)\n", vmv_col(C_BOLD),
	       vmv_col(C_RESET));
	for (i = 0; i < VMI_NR_STATES; i++)
		show_pages(state_names[i], mm->state[i]);
	printf("\n%spresent pages by attribute%s\n", vmv_col(C_BOLD),
	       vmv_col(C_RESET));
	for (i = 0; i < VMI_NR_ATTRS; i++)
		show_pages(attr_names[i], mm->attr[i]);

	printf("\n%spage-table census%s\n", vmv_col(C_BOLD), vmv_col(C_RESET));
	printf("  %-5s %8s %9s %10s %7s %8s\n", "level", "tables", "entries",
	       "capacity", "fill", "size");
	for (i = 0; i < VMI_NR_LEVELS; i++) {
		const struct vmv_census *cs = &mm->census[i];

		printf("  %-5s %8llu %9llu %10llu %6.2f%% %8s\n", level_names[i],
		       (unsigned long long)cs->tables,
		       (unsigned long long)cs->entries,
		       (unsigned long long)cs->capacity, cs->fill_pct,
		       vmv_size(cs->bytes, sz, sizeof(sz)));
	}

	printf("\n%sprobes%s\n", vmv_col(C_BOLD), vmv_col(C_RESET));
	if (c) {
		printf("  faults %llu (minor %llu, major %llu), TLB flushes %llu\n",
		       (unsigned long long)c->faults,
		       (unsigned long long)c->min_flt,
		       (unsigned long long)c->maj_flt,
		       (unsigned long long)c->tlb);
		printf("  flushes of its address space %llu\n",
		       (unsigned long long)c->flushes);
		vmv_print_causes(&c->t);
	} else {
		printf("  %snot running: 'vmview probe start' counts faults and TLB flushes%s\n",
		       vmv_col(C_DIM), vmv_col(C_RESET));
	}
}

int vmv_do_show(int argc, char **argv)
{
	struct vmv_counters cnt, *c = NULL;
	struct vmv_mm mm;
	pid_t pid;
	int ret;

	ret = vmv_parse_pid_cmd(argc, argv, NULL, NULL, show_help, NULL,
				&pid);
	if (ret >= 0)
		return ret;

	ret = vmv_read_mm(pid, &mm);
	if (ret)
		return vmv_proc_error(ret, pid, VMI_PROC_MM);
	if (vmv_probes_running() && !vmv_counters_pid(pid, &cnt))
		c = &cnt;
	if (vmv_json_output)
		show_json(pid, &mm, c);
	else
		show_plain(pid, &mm, c);
	return VMV_EXIT_OK;
}
