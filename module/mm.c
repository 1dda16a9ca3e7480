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

/**
 * vmi_census - walk a whole address space
 * @mm:	the address space, with mm_users held by the caller
 * @w:	walk to initialise and fill (counts cover every VMA)
 *
 * Return: 0 or -EINTR.
 */
int vmi_census(struct mm_struct *mm, struct vmi_walk *w)
{
	vmi_walk_init(w, mm, NULL, NULL);
	return vmi_walk_range(w, 0, TASK_SIZE_MAX);
}

struct vmi_mm_snapshot {
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk, start_stack;
	unsigned long arg_start, arg_end, env_start, env_end;
	unsigned long mmap_base, task_size;
	unsigned long total_vm, locked_vm, pinned_vm, data_vm, exec_vm;
	unsigned long stack_vm, hiwater_rss, hiwater_vm;
	unsigned long rss[NR_MM_COUNTERS];
	unsigned long pgtables_bytes;
	int map_count;
};

static int vmi_mm_snapshot(struct mm_struct *mm, struct vmi_mm_snapshot *s)
{
	int i;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	s->start_code = mm->start_code;
	s->end_code = mm->end_code;
	s->start_data = mm->start_data;
	s->end_data = mm->end_data;
	s->start_brk = mm->start_brk;
	s->brk = mm->brk;
	s->start_stack = mm->start_stack;
	spin_lock(&mm->arg_lock);
	s->arg_start = mm->arg_start;
	s->arg_end = mm->arg_end;
	s->env_start = mm->env_start;
	s->env_end = mm->env_end;
	spin_unlock(&mm->arg_lock);
	s->mmap_base = mm->mmap_base;
	s->task_size = mm->task_size;
	s->map_count = mm->map_count;
	s->total_vm = mm->total_vm;
	s->locked_vm = mm->locked_vm;
	s->pinned_vm = atomic64_read(&mm->pinned_vm);
	s->data_vm = mm->data_vm;
	s->exec_vm = mm->exec_vm;
	s->stack_vm = mm->stack_vm;
	s->hiwater_rss = max(mm->hiwater_rss, vmi_mm_rss(mm));	/* as status */
	s->hiwater_vm = get_mm_hiwater_vm(mm);
	for (i = 0; i < NR_MM_COUNTERS; i++)
		s->rss[i] = vmi_mm_counter(mm, i);
	s->pgtables_bytes = mm_pgtables_bytes(mm);
	mmap_read_unlock(mm);
	return 0;
}

static void vmi_seq_addr(struct seq_file *m, const char *key, unsigned long v)
{
	seq_printf(m, "%s 0x%016lx\n", key, v);
}

static void vmi_seq_ulong(struct seq_file *m, const char *key, unsigned long v)
{
	seq_printf(m, "%s %lu\n", key, v);
}

static int vmi_mm_show(struct seq_file *m, void *v)
{
	struct vmi_target *t = m->private;
	struct vmi_mm_snapshot *s;
	struct mm_struct *mm;
	struct vmi_walk *w;
	int ret, i;

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

	vmi_seq_version(m, VMI_PROC_MM);
	seq_printf(m, "pid %d\n", t->pid);
	seq_puts(m, "comm ");
	vmi_seq_comm(m, t->comm);
	seq_putc(m, '\n');
	seq_printf(m, "paging_levels %d\n", vmi_paging_levels());
	/* kernel pointers as %pK printed them for the opener, at open */
	seq_printf(m, "mm 0x%s\n", t->kptr_mm);
	seq_printf(m, "pgd 0x%s\n", t->kptr_pgd);
	vmi_seq_addr(m, "task_size", s->task_size);
	vmi_seq_addr(m, "mmap_base", s->mmap_base);
	vmi_seq_addr(m, "start_code", s->start_code);
	vmi_seq_addr(m, "end_code", s->end_code);
	vmi_seq_addr(m, "start_data", s->start_data);
	vmi_seq_addr(m, "end_data", s->end_data);
	vmi_seq_addr(m, "start_brk", s->start_brk);
	vmi_seq_addr(m, "brk", s->brk);
	vmi_seq_addr(m, "start_stack", s->start_stack);
	vmi_seq_addr(m, "arg_start", s->arg_start);
	vmi_seq_addr(m, "arg_end", s->arg_end);
	vmi_seq_addr(m, "env_start", s->env_start);
	vmi_seq_addr(m, "env_end", s->env_end);
	seq_printf(m, "map_count %d\n", s->map_count);
	vmi_seq_ulong(m, "total_vm", s->total_vm);
	vmi_seq_ulong(m, "locked_vm", s->locked_vm);
	vmi_seq_ulong(m, "pinned_vm", s->pinned_vm);
	vmi_seq_ulong(m, "data_vm", s->data_vm);
	vmi_seq_ulong(m, "exec_vm", s->exec_vm);
	vmi_seq_ulong(m, "stack_vm", s->stack_vm);
	vmi_seq_ulong(m, "hiwater_rss", s->hiwater_rss);
	vmi_seq_ulong(m, "hiwater_vm", s->hiwater_vm);
	vmi_seq_ulong(m, "rss_anon", s->rss[MM_ANONPAGES]);
	vmi_seq_ulong(m, "rss_file", s->rss[MM_FILEPAGES]);
	vmi_seq_ulong(m, "rss_shmem", s->rss[MM_SHMEMPAGES]);
	vmi_seq_ulong(m, "swap_ents", s->rss[MM_SWAPENTS]);
	vmi_seq_ulong(m, "pgtables_bytes", s->pgtables_bytes);

	for (i = 0; i < VMI_NR_STATES; i++)
		seq_printf(m, "state %s %lu\n", vmi_state_names[i],
			   w->counts.state[i]);
	for (i = 0; i < VMI_NR_ATTRS; i++)
		seq_printf(m, "attr %s %lu\n", vmi_attr_names[i],
			   w->counts.attr[i]);

	vmi_seq_ulong(m, "deposited_pte_tables", w->census.deposited);
	seq_puts(m, "# census level tables entries capacity fill_pct bytes\n");
	for (i = 0; i < VMI_NR_LEVELS; i++) {
		unsigned long tables = w->census.tables[i];
		unsigned long entries = w->census.entries[i];
		unsigned long cap = tables * vmi_level_ptrs(i);
		unsigned long fill = cap ? entries * 10000 / cap : 0;

		seq_printf(m, "census %s %lu %lu %lu %lu.%02lu %lu\n",
			   vmi_level_names[i], tables, entries, cap,
			   fill / 100, fill % 100, tables * PAGE_SIZE);
	}

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
