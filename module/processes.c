// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vminspect/processes: one line per process the reader may inspect,
 * with its VMA count, RSS and page-table pages per level.
 *
 * The seq_file position is the next pid to look at (0: the header), so the
 * listing resumes correctly across reads while processes come and go.
 * Each line costs a walk of that process's page tables.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "compat.h"
#include "vminspect.h"

struct vmi_processes_priv {
	struct task_struct *task;	/* the current line's process */
	struct vmi_walk walk;
};

static void *vmi_processes_find(struct vmi_processes_priv *p, loff_t *pos)
{
	if (*pos > PID_MAX_LIMIT)
		return NULL;
	p->task = vmi_next_process(*pos);
	if (!p->task)
		return NULL;
	*pos = task_tgid_nr(p->task);
	return p->task;
}

static void *vmi_processes_start(struct seq_file *m, loff_t *pos)
{
	if (*pos == 0)
		return SEQ_START_TOKEN;
	return vmi_processes_find(m->private, pos);
}

static void *vmi_processes_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct vmi_processes_priv *p = m->private;

	if (v != SEQ_START_TOKEN) {
		put_task_struct(p->task);
		p->task = NULL;
	}
	++*pos;
	return vmi_processes_find(p, pos);
}

static void vmi_processes_stop(struct seq_file *m, void *v)
{
	struct vmi_processes_priv *p = m->private;

	if (p->task)
		put_task_struct(p->task);
	p->task = NULL;
}

static int vmi_processes_show(struct seq_file *m, void *v)
{
	struct vmi_processes_priv *p = m->private;
	struct vmi_census *c = &p->walk.census;
	char comm[TASK_COMM_LEN];
	struct mm_struct *mm;
	unsigned long bytes = 0;
	int i, ret, map_count;

	if (v == SEQ_START_TOKEN) {
		vmi_seq_version(m, VMI_PROC_PROCESSES);
		seq_puts(m, "# pid vmas rss pgd p4d pud pmd pte pt_bytes comm\n");
		return 0;
	}

	mm = vmi_get_mm_checked(p->task, m->file);
	if (mm == ERR_PTR(-EINTR))
		return -EINTR;
	if (IS_ERR(mm))
		return 0;	/* exited since we found it, or not ours to see */
	ret = vmi_census(mm, &p->walk);
	map_count = READ_ONCE(mm->map_count);
	seq_printf(m, "%d %d %lu", task_tgid_nr(p->task), map_count,
		   vmi_mm_rss(mm));
	mmput(mm);
	if (ret)
		return ret;
	for (i = 0; i < VMI_NR_LEVELS; i++) {
		seq_printf(m, " %lu", c->tables[i]);
		bytes += c->tables[i] * PAGE_SIZE;
	}
	get_task_comm(comm, p->task);
	seq_printf(m, " %lu %s\n", bytes, comm);
	return 0;
}

static const struct seq_operations vmi_processes_seq_ops = {
	.start	= vmi_processes_start,
	.next	= vmi_processes_next,
	.stop	= vmi_processes_stop,
	.show	= vmi_processes_show,
};

static int vmi_processes_open(struct inode *inode, struct file *file)
{
	if (!__seq_open_private(file, &vmi_processes_seq_ops,
				sizeof(struct vmi_processes_priv)))
		return -ENOMEM;
	return 0;
}

const struct proc_ops vmi_processes_proc_ops = {
	.proc_open	= vmi_processes_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= seq_release_private,
};
