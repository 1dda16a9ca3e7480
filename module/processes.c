// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vminspect/processes: one line per process the reader may inspect,
 * with its VMA count, RSS and page-table pages per level.
 *
 * The processes are those of the mount's pid namespace, under their pids
 * there, as the directories next to this file are named.  "May inspect"
 * is the decision vmi_target_open() makes (the kernel's own to open
 * /proc/<pid>/pagemap), for the opener: its credentials (f_cred, installed
 * with override_creds() for each check) and its /proc as it was at open
 * (vmi_reader_get()), which must see the process.  A reader without a
 * procfs at /proc is shown no process at all.  Processes are first
 * filtered without audit (vmi_reader_may_try()), so a listing does not
 * fill the audit log with the processes it leaves out.
 *
 * The seq_file position is the next pid to look at (0: the header), so the
 * listing resumes correctly across reads while processes come and go.
 * Each line costs a walk of that process's page tables.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/path.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "compat.h"
#include "vminspect.h"

/**
 * struct vmi_processes_priv - an open processes file
 * @task:	the current line's process
 * @nr:		its pid in @ns
 * @ns:		the mount's pid namespace (held by the superblock)
 * @reader:	the opener's /proc at open
 * @visible:	@reader is valid (the opener had a procfs at /proc)
 * @walk:	the census of the current line
 * @cols:	the current line's values
 */
struct vmi_processes_priv {
	struct task_struct *task;
	pid_t nr;
	struct pid_namespace *ns;
	struct vmi_reader reader;
	bool visible;
	struct vmi_walk walk;
	struct vmi_val cols[VMI_PS_NR_COLS];
};

/* the page-table columns follow the levels */
static_assert(VMI_PS_PTE - VMI_PS_PGD == VMI_LEVEL_PTE);

static void *vmi_processes_find(struct vmi_processes_priv *p, loff_t *pos)
{
	if (!p->visible || *pos > PID_MAX_LIMIT)
		return NULL;
	p->nr = *pos;
	p->task = vmi_next_process(p->ns, &p->nr);
	if (!p->task)
		return NULL;
	*pos = p->nr;
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

/*
 * The mm of @p->task if the opener of @file may inspect it, decided with
 * the opener's credentials; NULL (skip the line) or an ERR_PTR otherwise.
 */
static struct mm_struct *vmi_processes_mm(struct vmi_processes_priv *p,
					  const struct file *file)
{
	const struct cred *old = override_creds(file->f_cred);
	struct mm_struct *mm = NULL;

	if (vmi_reader_may_try(&p->reader, p->task))
		mm = vmi_pagemap_mm(&p->reader, p->task);
	revert_creds(old);
	if (mm == ERR_PTR(-EINTR))
		return mm;
	return IS_ERR(mm) ? NULL : mm;
}

static int vmi_processes_show(struct seq_file *m, void *v)
{
	struct vmi_processes_priv *p = m->private;
	struct vmi_census *c = &p->walk.census;
	struct vmi_val *col = p->cols;
	char comm[TASK_COMM_LEN];
	struct mm_struct *mm;
	unsigned long bytes = 0;
	int i, ret;

	if (v == SEQ_START_TOKEN) {
		vmi_seq_version(m, VMI_PROC_PROCESSES);
		vmi_seq_header(m, NULL, vmi_ps_cols, VMI_PS_NR_COLS);
		return 0;
	}

	mm = vmi_processes_mm(p, m->file);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	if (!mm)
		return 0;	/* exited since we found it, or not ours to see */
	ret = vmi_walk_tables(&p->walk, mm);
	memset(p->cols, 0, sizeof(p->cols));
	col[VMI_PS_PID].n = p->nr;
	col[VMI_PS_VMAS].n = READ_ONCE(mm->map_count);
	col[VMI_PS_RSS].n = vmi_mm_rss(mm);
	mmput(mm);
	if (ret)
		return ret;
	for (i = 0; i < VMI_NR_LEVELS; i++) {
		col[VMI_PS_PGD + i].n = c->tables[i];
		bytes += c->tables[i] * PAGE_SIZE;
	}
	col[VMI_PS_PT_BYTES].n = bytes;
	get_task_comm(comm, p->task);
	col[VMI_PS_COMM].s = comm;
	vmi_seq_row(m, NULL, vmi_ps_cols, VMI_PS_NR_COLS, col);
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
	struct vmi_processes_priv *p;

	p = __seq_open_private(file, &vmi_processes_seq_ops, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->ns = vmi_sb_ns(inode->i_sb);
	p->visible = !vmi_reader_get(&p->reader);
	return 0;
}

static int vmi_processes_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct vmi_processes_priv *p = m->private;

	if (p->visible)
		vmi_reader_put(&p->reader);
	return seq_release_private(inode, file);
}

const struct file_operations vmi_processes_fops = {
	.owner		= THIS_MODULE,
	.open		= vmi_processes_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= vmi_processes_release,
};
