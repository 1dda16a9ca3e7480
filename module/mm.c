// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vminspect/<pid>/mm: the mm_struct summary, page totals by state and
 * attribute, and the page-table census per level.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "compat.h"
#include "vminspect.h"

static const char *const vmi_level_names[] = VMI_LEVEL_NAMES;
static const char *const vmi_state_names[] = VMI_STATE_NAMES;
static const char *const vmi_attr_names[] = VMI_ATTR_NAMES;
static const char *const vmi_folio_names[] = VMI_FOLIO_NAMES;
static const char *const vmi_thpoff_names[] = VMI_THPOFF_NAMES;

/**
 * vmi_census - walk a whole address space
 * @mm:	the address space, with mm_users held by the caller
 * @w:	walk to initialise and fill (counts cover every VMA)
 *
 * Return: 0 or -EINTR.
 */
int vmi_census(struct mm_struct *mm, struct vmi_walk *w)
{
	int ret;

	vmi_walk_init(w, mm, NULL, NULL);
	ret = vmi_walk_range(w, 0, TASK_SIZE_MAX);
	vmi_census_finish(w);
	return ret;
}

/* the mm's values, as the mm file's keys (VMI_MM_KEYS) */
struct vmi_mm_snapshot {
	struct vmi_val keys[VMI_MM_NR_KEYS];
};

static int vmi_mm_snapshot(struct mm_struct *mm, struct vmi_mm_snapshot *s)
{
	struct vmi_val *k = s->keys;

	memset(s, 0, sizeof(*s));
	if (vmi_mmap_read_lock(mm))
		return -EINTR;
	k[VMI_MM_START_CODE].n = mm->start_code;
	k[VMI_MM_END_CODE].n = mm->end_code;
	k[VMI_MM_START_DATA].n = mm->start_data;
	k[VMI_MM_END_DATA].n = mm->end_data;
	k[VMI_MM_START_BRK].n = mm->start_brk;
	k[VMI_MM_BRK].n = mm->brk;
	k[VMI_MM_START_STACK].n = mm->start_stack;
	spin_lock(&mm->arg_lock);
	k[VMI_MM_ARG_START].n = mm->arg_start;
	k[VMI_MM_ARG_END].n = mm->arg_end;
	k[VMI_MM_ENV_START].n = mm->env_start;
	k[VMI_MM_ENV_END].n = mm->env_end;
	spin_unlock(&mm->arg_lock);
	k[VMI_MM_MMAP_BASE].n = mm->mmap_base;
	k[VMI_MM_TASK_SIZE].n = mm->task_size;
	k[VMI_MM_MAP_COUNT].n = mm->map_count;
	k[VMI_MM_TOTAL_VM].n = mm->total_vm;
	k[VMI_MM_LOCKED_VM].n = mm->locked_vm;
	k[VMI_MM_PINNED_VM].n = atomic64_read(&mm->pinned_vm);
	k[VMI_MM_DATA_VM].n = mm->data_vm;
	k[VMI_MM_EXEC_VM].n = mm->exec_vm;
	k[VMI_MM_STACK_VM].n = mm->stack_vm;
	/* as status prints it */
	k[VMI_MM_HIWATER_RSS].n = max(mm->hiwater_rss, vmi_mm_rss(mm));
	k[VMI_MM_HIWATER_VM].n = get_mm_hiwater_vm(mm);
	k[VMI_MM_RSS_ANON].n = vmi_mm_counter(mm, MM_ANONPAGES);
	k[VMI_MM_RSS_FILE].n = vmi_mm_counter(mm, MM_FILEPAGES);
	k[VMI_MM_RSS_SHMEM].n = vmi_mm_counter(mm, MM_SHMEMPAGES);
	k[VMI_MM_SWAP_ENTS].n = vmi_mm_counter(mm, MM_SWAPENTS);
	k[VMI_MM_PGTABLES_BYTES].n = mm_pgtables_bytes(mm);
	k[VMI_MM_THP_DISABLED].s = vmi_thpoff_names[vmi_mm_thp_disabled(mm)];
	mmap_read_unlock(mm);
	return 0;
}

/* a kernel pointer as %pK printed it for the opener (@arg: the string) */
static void vmi_put_kptr(struct seq_file *m, const void *arg)
{
	seq_puts(m, "0x");
	seq_puts(m, arg);
}

/* "occupancy LEVEL E0 ... E512", a line per level */
static void vmi_mm_occupancy(struct seq_file *m, const struct vmi_walk *w)
{
	const char *key = vmi_mm_keys[VMI_MM_OCCUPANCY].name;
	struct vmi_val c[VMI_OCCROW_NR_COLS] = {};
	int i, j;

	vmi_seq_header(m, key, vmi_occrow_cols, VMI_OCCROW_NR_COLS);
	for (i = 0; i < VMI_NR_LEVELS; i++) {
		c[VMI_OCCROW_LEVEL].s = vmi_level_names[i];
		for (j = 0; j < VMI_NR_OCCS; j++)
			c[VMI_OCCROW_E0 + j].n = w->census.use.occ[i][j];
		vmi_seq_row(m, key, vmi_occrow_cols, VMI_OCCROW_NR_COLS, c);
	}
}

/* "pt_node LEVEL NODE TABLES REMOTE DATA LOCAL", per level and node */
static void vmi_mm_pt_node(struct seq_file *m, const struct vmi_walk *w)
{
	const char *key = vmi_mm_keys[VMI_MM_PT_NODE].name;
	struct vmi_val c[VMI_PTNODE_NR_COLS] = {};
	int i, n;

	vmi_seq_header(m, key, vmi_ptnode_cols, VMI_PTNODE_NR_COLS);
	for (i = 0; i < VMI_NR_LEVELS; i++) {
		for (n = 0; n < VMI_NUMA_NODES; n++) {
			if (!w->census.node_tables[i][n])
				continue;
			c[VMI_PTNODE_LEVEL].s = vmi_level_names[i];
			c[VMI_PTNODE_NODE].n = n;
			c[VMI_PTNODE_TABLES].n = w->census.node_tables[i][n];
			c[VMI_PTNODE_REMOTE].n = w->census.node_remote[i][n];
			c[VMI_PTNODE_DATA].n = w->census.node_data[i][n];
			c[VMI_PTNODE_LOCAL].n = w->census.node_local[i][n];
			vmi_seq_row(m, key, vmi_ptnode_cols, VMI_PTNODE_NR_COLS,
				    c);
		}
	}
}

/*
 * mm's lines of more than one value: state, attr, census, mapped,
 * occupancy, pt_node
 */
static void vmi_mm_lines(struct seq_file *m, int key, void *arg)
{
	const struct vmi_walk *w = arg;
	struct vmi_val c[VMI_CENSUS_NR_COLS] = {};
	int i;

	switch (key) {
	case VMI_MM_STATE:
		for (i = 0; i < VMI_NR_STATES; i++)
			seq_printf(m, "%s %s %lu\n", vmi_mm_keys[key].name,
				   vmi_state_names[i], w->counts.state[i]);
		break;
	case VMI_MM_ATTR:
		for (i = 0; i < VMI_NR_ATTRS; i++)
			seq_printf(m, "%s %s %lu\n", vmi_mm_keys[key].name,
				   vmi_attr_names[i], w->counts.attr[i]);
		break;
	case VMI_MM_CENSUS:
		vmi_seq_header(m, vmi_mm_keys[key].name, vmi_census_cols,
			       VMI_CENSUS_NR_COLS);
		for (i = 0; i < VMI_NR_LEVELS; i++) {
			unsigned long tables = w->census.tables[i];
			unsigned long entries = w->census.entries[i];
			unsigned long cap = tables * vmi_level_ptrs(i);

			c[VMI_CENSUS_LEVEL].s = vmi_level_names[i];
			c[VMI_CENSUS_TABLES].n = tables;
			c[VMI_CENSUS_ENTRIES].n = entries;
			c[VMI_CENSUS_CAPACITY].n = cap;
			c[VMI_CENSUS_FILL_PCT].n = cap ? entries * 10000 / cap : 0;
			c[VMI_CENSUS_BYTES].n = tables * PAGE_SIZE;
			c[VMI_CENSUS_REMOTE].n = w->census.use.remote[i];
			vmi_seq_row(m, vmi_mm_keys[key].name, vmi_census_cols,
				    VMI_CENSUS_NR_COLS, c);
		}
		break;
	case VMI_MM_MAPPED:
		for (i = 0; i < VMI_NR_FOLIOS; i++)
			seq_printf(m, "%s %s %lu\n", vmi_mm_keys[key].name,
				   vmi_folio_names[i], w->counts.folio[i]);
		break;
	case VMI_MM_OCCUPANCY:
		vmi_mm_occupancy(m, w);
		break;
	case VMI_MM_PT_NODE:
		vmi_mm_pt_node(m, w);
		break;
	}
}

/* page-table bytes per resident byte, in hundredths of a percent */
static u64 vmi_pt_resident(const struct vmi_walk *w)
{
	unsigned long tables = 0, present = w->counts.state[VMI_STATE_PRESENT];
	int i;

	for (i = 0; i < VMI_NR_LEVELS; i++)
		tables += w->census.tables[i];
	return present ? (u64)tables * 10000 / present : 0;
}

static int vmi_mm_show(struct seq_file *m, void *v)
{
	struct vmi_target *t = m->private;
	struct vmi_mm_snapshot *s;
	struct mm_struct *mm;
	struct vmi_val *k;
	struct vmi_walk *w;
	int ret;

	mm = vmi_target_get_mm(t);
	if (!mm)
		return -ESRCH;
	s = kmalloc(sizeof(*s), GFP_KERNEL);
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	ret = -ENOMEM;
	if (!s || !w)
		goto out_free;
	ret = vmi_mm_snapshot(mm, s);
	if (ret)
		goto out_free;
	ret = vmi_census(mm, w);
	if (ret)
		goto out_free;

	k = s->keys;
	k[VMI_MM_PID].n = t->pid;
	k[VMI_MM_COMM].s = t->comm;
	k[VMI_MM_PAGING_LEVELS].n = vmi_paging_levels();
	/* kernel pointers as %pK printed them for the opener, at open */
	k[VMI_MM_MM].put = vmi_put_kptr;
	k[VMI_MM_MM].arg = t->kptr_mm;
	k[VMI_MM_PGD].put = vmi_put_kptr;
	k[VMI_MM_PGD].arg = t->kptr_pgd;
	k[VMI_MM_DEPOSITED_PTE_TABLES].n = w->census.deposited;
	k[VMI_MM_PT_RESIDENT_PCT].n = vmi_pt_resident(w);
	vmi_seq_version(m, VMI_PROC_MM);
	vmi_seq_keys(m, vmi_mm_keys, VMI_MM_NR_KEYS, k, NULL, vmi_mm_lines, w);

out_free:
	kfree(w);
	kfree(s);
	mmput(mm);
	return ret;
}

static int vmi_mm_open(struct inode *inode, struct file *file)
{
	struct vmi_target *t;
	int ret;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	ret = vmi_target_open(t, inode, file);
	if (ret)
		goto err_free;
	ret = single_open(file, vmi_mm_show, t);
	if (ret)
		goto err_release;
	return 0;

err_release:
	vmi_target_release(t);
err_free:
	kfree(t);
	return ret;
}

static int vmi_mm_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct vmi_target *t = m->private;

	vmi_target_release(t);
	kfree(t);
	return single_release(inode, file);
}

const struct file_operations vmi_mm_fops = {
	.owner		= THIS_MODULE,
	.open		= vmi_mm_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= vmi_mm_release,
};
