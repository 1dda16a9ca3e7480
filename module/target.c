// SPDX-License-Identifier: GPL-2.0
/*
 * Who may look at which process, and what an open file holds on to.
 *
 * The decision is the kernel's own: a reader may open a process's files
 * exactly when it could open that process's /proc/<pid>/pagemap through
 * its own /proc.  ptrace_may_access(), mm_access() and the LSM hook are
 * not exported, so instead of copying their rules we ask the kernel to
 * apply them: from our open handler, running as the opener, we open
 * "proc/<pid>/pagemap" under the opener's root directory.  procfs then
 * makes every check it makes for pagemap: hidepid= and subset= of the
 * reader's /proc mount, the file's DAC mode (owner: the task's euid, or
 * root when it is not dumpable), security_file_open(), and
 * mm_access(PTRACE_MODE_READ_FSCREDS) with Yama, AppArmor, SELinux and the
 * other ptrace hooks.  Its error is ours.
 *
 * The reader controls what "proc/<pid>/pagemap" resolves to (its own mount
 * namespace, chroot, a tmpfs or FUSE file of that name, a procfs of
 * another pid namespace), so the file we get is not trusted by name: it
 * must have the f_op of a real pagemap file (learnt at load from a procfs
 * instance we mount ourselves) and its private data, which pagemap_open()
 * sets to the mm it granted, must be the mm of the process whose directory
 * is being opened.  Any other file gives EACCES.
 *
 * Readers outside the initial pid namespace see no process (ENOENT): the
 * directories are named by initial-namespace pids, which such a reader
 * cannot know (see Documentation/proc-vminspect.rst, "Access control").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/user_namespace.h>

#include "vminspect.h"

/* pagemap's file operations, learnt at load (vmi_access_init()) */
static const struct file_operations *vmi_pagemap_fops;

static bool vmi_table_phys;
module_param_named(table_phys, vmi_table_phys, bool, 0444);
MODULE_PARM_DESC(table_phys,
		 "show the physical addresses of page-table pages to CAP_SYS_ADMIN (default: never)");

/**
 * vmi_access_init - learn what a real /proc/<pid>/pagemap file looks like
 *
 * Mounts a private procfs instance (never attached to any namespace),
 * opens the loader's own pagemap through it and keeps its f_op.  Called
 * once from module init, in the loader's context.
 *
 * Return: 0, or a negative errno (no procfs, CONFIG_PROC_PAGE_MONITOR off).
 */
int vmi_access_init(void)
{
	struct file_system_type *proc;
	struct vfsmount *mnt;
	struct file *f;
	int ret = 0;

	/* procfs is built in: get_fs_type() takes no module reference */
	proc = get_fs_type("proc");
	if (!proc)
		return -ENOENT;
	mnt = kern_mount(proc);
	if (IS_ERR(mnt))
		return PTR_ERR(mnt);
	f = file_open_root_mnt(mnt, "self/pagemap", O_RDONLY, 0);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		pr_err("cannot open a pagemap file (%d)\n", ret);
		goto out_unmount;
	}
	vmi_pagemap_fops = f->f_op;
	fput(f);
out_unmount:
	kern_unmount(mnt);
	return ret;
}

/**
 * vmi_reader_visible - may the current task name processes at all?
 *
 * Return: true in the initial pid namespace, where directory names are
 * the reader's own pids.
 */
bool vmi_reader_visible(void)
{
	return task_active_pid_ns(current) == &init_pid_ns;
}

/**
 * vmi_pagemap_mm - the kernel's decision to open @task's pagemap
 * @root:	the reader's root directory (its /proc is @root/proc)
 * @task:	a thread-group leader, referenced by the caller
 *
 * Opens "proc/<tgid>/pagemap" under @root with the current credentials
 * (the caller overrides them with the opener's where the opener is not
 * current) and checks that the file is @task's real pagemap.  Takes no
 * lock of ours; procfs takes @task's exec_update_lock for the check, so
 * the caller must not hold it.  Sleeps.
 *
 * Return: @task's mm with mm_users raised (mmput() it), or ERR_PTR() of
 * pagemap's error (-EACCES, -ENOENT under hidepid=2...), -ESRCH if @task
 * has no mm any more, -EACCES if the file is not @task's pagemap.
 */
struct mm_struct *vmi_pagemap_mm(const struct path *root,
				 struct task_struct *task)
{
	struct mm_struct *mm, *granted;
	char name[32];
	struct file *f;

	snprintf(name, sizeof(name), "proc/%d/pagemap", task_tgid_nr(task));
	f = file_open_root(root, name, O_RDONLY | O_LARGEFILE, 0);
	if (IS_ERR(f))
		return ERR_CAST(f);
	/* pagemap_open() leaves the mm it granted (mmgrab()bed) here */
	granted = f->f_op == vmi_pagemap_fops ? f->private_data : NULL;
	mm = get_task_mm(task);
	if (!mm) {
		mm = ERR_PTR(-ESRCH);
	} else if (!granted || mm != granted) {
		/* not a pagemap, another process's, or the task exec()ed */
		mmput(mm);
		mm = ERR_PTR(-EACCES);
	}
	fput(f);
	return mm;
}

/**
 * vmi_reader_may_try - might the current reader be allowed @task?
 * @root:	the reader's root directory (its /proc is @root/proc)
 * @task:	a thread-group leader, referenced by the caller
 *
 * A filter without audit records for listings, before vmi_pagemap_mm()
 * (whose refusals audit, as a refused open of pagemap does).  It predicts
 * the two checks that audit when they fail: the DAC check of the pagemap
 * file (its owner is the task's euid, or root when the task is not
 * dumpable: procfs keeps it up to date at lookup) and ptrace's capability
 * checks, here made with ns_capable_noaudit().  It is the reader itself;
 * or the ids match as ptrace wants them and the pagemap file is the
 * reader's; or the reader has CAP_SYS_PTRACE over the target's user
 * namespace and may override DAC.  A wrong guess only costs an audited
 * check; the answer is still the kernel's.  Sleeps.
 *
 * Return: true if vmi_pagemap_mm() is worth asking.
 */
bool vmi_reader_may_try(const struct path *root, struct task_struct *task)
{
	const struct cred *cred = current_cred();
	const struct cred *tcred;
	struct file *f;
	char name[32];
	bool ids, cap, owner;

	if (same_thread_group(task, current))
		return true;
	tcred = get_task_cred(task);
	ids = uid_eq(cred->fsuid, tcred->euid) &&
	      uid_eq(cred->fsuid, tcred->suid) &&
	      uid_eq(cred->fsuid, tcred->uid) &&
	      gid_eq(cred->fsgid, tcred->egid) &&
	      gid_eq(cred->fsgid, tcred->sgid) &&
	      gid_eq(cred->fsgid, tcred->gid);
	cap = ns_capable_noaudit(tcred->user_ns, CAP_SYS_PTRACE) &&
	      (ns_capable_noaudit(current_user_ns(), CAP_DAC_READ_SEARCH) ||
	       ns_capable_noaudit(current_user_ns(), CAP_DAC_OVERRIDE));
	put_cred(tcred);
	if (cap)
		return true;
	if (!ids)
		return false;
	/*
	 * An O_PATH open looks the file up without opening it (no ->open,
	 * no permission check).  Not found (hidepid=2...): the open would
	 * not find it either.
	 */
	snprintf(name, sizeof(name), "proc/%d/pagemap", task_tgid_nr(task));
	f = file_open_root(root, name, O_PATH, 0);
	if (IS_ERR(f))
		return false;
	owner = uid_eq(file_inode(f)->i_uid, cred->fsuid);
	fput(f);
	return owner;
}

/*
 * A kernel pointer as %pK prints it for the opener (hashed, real or
 * zeros, per kptr_restrict and the opener's CAP_SYSLOG), 16 hex digits.
 */
static void vmi_kptr(char *buf, size_t size, const void *ptr)
{
	size_t i;

	snprintf(buf, size, "%pK", ptr);
	for (i = 0; buf[i]; i++)
		if (!isxdigit(buf[i]))
			break;
	if (i != 16 || buf[i])	/* "(ptrval)" before the hash key is ready */
		strscpy(buf, "0000000000000000", size);
}

/**
 * vmi_target_open - resolve the pid of a per-process file and check access
 * @t:		target to fill
 * @inode:	the /proc/vminspect/<pid>/<file> inode (pde data: the pid)
 * @file:	the file being opened (by current: its f_cred are current's)
 *
 * The access decision is vmi_pagemap_mm()'s, made here with the opener's
 * credentials, root and pid namespace; so is what the file will show:
 * physical frames (CAP_SYS_ADMIN in the initial user namespace), per-page
 * accessed/dirty bits (the process itself or CAP_SYS_ADMIN), kernel
 * pointers (%pK, kptr_restrict).  Takes an mm_count reference (mmgrab) so
 * the mm_struct outlives the process, and a user of the pid's directory
 * (vmi_pid_get()) so it stays while the file is open; reads take
 * mm_users on top with vmi_target_get_mm().  Sleeps; takes no lock across
 * the check.
 *
 * Return: 0, -ESRCH if the process is gone, -ENOENT for a reader outside
 * the initial pid namespace, or pagemap's error (-EACCES, -ENOENT...).
 */
int vmi_target_open(struct vmi_target *t, struct inode *inode,
		    struct file *file)
{
	pid_t tgid = (pid_t)(unsigned long)pde_data(inode);
	struct task_struct *task;
	struct mm_struct *mm;
	struct path root;
	int ret;

	if (!vmi_reader_visible())
		return -ENOENT;
	ret = vmi_pid_get(tgid);
	if (ret)
		return ret;
	task = vmi_find_process(tgid);
	if (!task) {
		ret = -ESRCH;
		goto out_put_pid;
	}
	get_fs_root(current->fs, &root);
	mm = vmi_pagemap_mm(&root, task);
	path_put(&root);
	if (IS_ERR(mm)) {
		ret = PTR_ERR(mm);
		goto out_put_task;
	}

	t->pid = tgid;
	get_task_comm(t->comm, task);
	/* what it shows: no audit record for a reader who sees less */
	t->show_phys = ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
	t->show_table_phys = t->show_phys && vmi_table_phys;
	t->show_ad = t->show_phys || mm == current->mm;
	vmi_kptr(t->kptr_mm, sizeof(t->kptr_mm), mm);
	vmi_kptr(t->kptr_pgd, sizeof(t->kptr_pgd), mm->pgd);
	mmgrab(mm);
	t->mm = mm;
	mmput(mm);
out_put_task:
	put_task_struct(task);
out_put_pid:
	if (ret)
		vmi_pid_put(tgid);
	return ret;
}

/**
 * vmi_target_release - drop what vmi_target_open() took
 * @t: the target
 */
void vmi_target_release(struct vmi_target *t)
{
	if (!t->mm)
		return;
	mmdrop(t->mm);
	t->mm = NULL;
	vmi_pid_put(t->pid);
}

/**
 * vmi_target_get_mm - pin the target's address space for one read
 * @t: the target
 *
 * Return: @t->mm with mm_users raised (release with mmput()), or NULL once
 * the process has exited (the caller reports -ESRCH).
 */
struct mm_struct *vmi_target_get_mm(struct vmi_target *t)
{
	if (t->mm && mmget_not_zero(t->mm))
		return t->mm;
	return NULL;
}
