/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vminspect module internals.
 */
#ifndef _VMI_VMINSPECT_H
#define _VMI_VMINSPECT_H

#include <linux/fs.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include <vminspect_abi.h>

#include "walk.h"

extern struct proc_dir_entry *vmi_proc_root;

/**
 * struct vmi_target - what an open per-process file holds
 * @mm:		the address space, mmgrab()bed at open (mm_count only)
 * @pid:	thread-group id in the initial pid namespace
 * @show_phys:	opener had CAP_SYS_ADMIN in the initial user namespace:
 *		show kernel addresses, PFNs and swap offsets
 * @comm:	the process's name at open
 */
struct vmi_target {
	struct mm_struct *mm;
	pid_t pid;
	bool show_phys;
	char comm[TASK_COMM_LEN];
};

/* target.c */
bool vmi_may_inspect(struct task_struct *task, struct mm_struct *mm,
		     const struct file *file);
struct task_struct *vmi_find_process(pid_t tgid);
int vmi_target_open(struct vmi_target *t, struct inode *inode,
		    struct file *file);
void vmi_target_release(struct vmi_target *t);
struct mm_struct *vmi_target_get_mm(struct vmi_target *t);

/* track.c: /proc/vminspect/<pid>/ kept in step with fork and exit */
int vmi_track_init(void);
void vmi_track_exit(void);

/* the files */
extern const struct proc_ops vmi_processes_proc_ops;
extern const struct proc_ops vmi_mm_proc_ops;
extern const struct proc_ops vmi_vmas_proc_ops;

/* mm.c: census of a whole address space, shared with processes */
int vmi_census(struct mm_struct *mm, struct vmi_walk *w);

/* Version line of every file. */
static inline void vmi_seq_version(struct seq_file *m, const char *file)
{
	seq_printf(m, "vminspect-%s %d.%d\n", file, VMI_FORMAT_MAJOR,
		   VMI_FORMAT_MINOR);
}

#endif /* _VMI_VMINSPECT_H */
