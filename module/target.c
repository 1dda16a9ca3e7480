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
 * another pid namespace, mounts over /proc/<pid>), so the file we get is
 * not trusted by name: it
 * must have the f_op of a real pagemap file (learnt at load from a procfs
 * instance we mount ourselves) and its private data, which pagemap_open()
 * sets to the mm it granted, must be the mm of the process whose directory
 * is being opened.  Any other file gives EACCES.
 *
 * "proc" is looked up once per open and must be the root of a procfs
 * (anything else gives EACCES); <pid> is the process's pid in that
 * procfs's pid namespace (proc_pid_ns()), and a process it does not see
 * gives ENOENT, as that /proc would (see Documentation/proc-vminspect.rst, "Access control").
 *
 * The processes themselves are found here too, in the pid namespace of a
 * vminspect mount (vmi_next_process(), vmi_find_process_pid()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/hashtable.h>
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
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/user_namespace.h>

#include "vminspect.h"

/* procfs and pagemap's file operations, learnt at load (vmi_access_init()) */
static struct file_system_type *vmi_proc_type;
static const struct file_operations *vmi_pagemap_fops;

static bool vmi_table_phys;
module_param_named(table_phys, vmi_table_phys, bool, 0444);
MODULE_PARM_DESC(table_phys,
		 "show the physical addresses of page-table pages to CAP_SYS_ADMIN (default: never)");
/*
 * Tasks inside vmi_pagemap_mm()'s open, hashed by task_struct address.  A
 * file of ours bind-mounted over the pagemap it opens (any user can, in a
 * user and mount namespace of its own) would have that open check itself,
 * and so on until the kernel stack overflows; the open that finds its task
 * here is refused instead.  The entries live on the stack of the
 * vmi_pagemap_mm() that added them: a listing checks every process, and
 * an xarray allocated and RCU-freed a node for each.
 */
struct vmi_check {
	struct hlist_node node;
	struct task_struct *task;
};

static DEFINE_HASHTABLE(vmi_in_check, 6);
static DEFINE_SPINLOCK(vmi_in_check_lock);

/* Add @c for current.  Return: false if current is in a check already. */
static bool vmi_check_enter(struct vmi_check *c)
{
	struct vmi_check *o;
	bool ok = true;

	spin_lock(&vmi_in_check_lock);
	hash_for_each_possible(vmi_in_check, o, node, (unsigned long)current)
		if (o->task == current)
			ok = false;
	if (ok) {
		c->task = current;
		hash_add(vmi_in_check, &c->node, (unsigned long)current);
	}
	spin_unlock(&vmi_in_check_lock);
	return ok;
}

static void vmi_check_exit(struct vmi_check *c)
{
	spin_lock(&vmi_in_check_lock);
	hash_del(&c->node);
	spin_unlock(&vmi_in_check_lock);
}

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
	struct vfsmount *mnt;
	struct file *f;
	int ret = 0;

	/* procfs is built in: get_fs_type() takes no module reference */
	vmi_proc_type = get_fs_type("proc");
	if (!vmi_proc_type)
		return -ENOENT;
	mnt = kern_mount(vmi_proc_type);
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
 * vmi_reader_get - the current reader's /proc and its pid namespace
 * @r:	filled on success; release with vmi_reader_put()
 *
 * The reader's /proc is "proc" under its root directory, looked up as the
 * reader (its mount namespace, chroot, credentials).  It must be the root
 * of a procfs, whose pid namespace then names the processes the reader may
 * ask about (proc_pid_ns()).  Sleeps.
 *
 * Return: 0; the lookup's error (-ENOENT: no /proc); -EACCES if it is not
 * the root of a procfs (a tmpfs or FUSE file system of that name, a bind
 * mount of a procfs subdirectory), where no pagemap could be believed.
 */
int vmi_reader_get(struct vmi_reader *r)
{
	struct super_block *sb;
	struct path root;
	struct file *f;
	int ret = 0;

	get_fs_root(current->fs, &root);
	f = file_open_root(&root, "proc", O_PATH | O_DIRECTORY, 0);
	path_put(&root);
	if (IS_ERR(f))
		return PTR_ERR(f);
	sb = f->f_path.mnt->mnt_sb;
	if (sb->s_type != vmi_proc_type || f->f_path.dentry != sb->s_root) {
		ret = -EACCES;
		goto out;
	}
	r->proc = f->f_path;
	path_get(&r->proc);
	/* the superblock holds its namespace while we hold the mount */
	r->ns = proc_pid_ns(sb);
out:
	fput(f);
	return ret;
}

/**
 * vmi_reader_put - drop what vmi_reader_get() took
 * @r: the reader
 */
void vmi_reader_put(struct vmi_reader *r)
{
	path_put(&r->proc);
}

/*
 * "<pid>/pagemap" of @task as @r's /proc names it: 0 if that /proc does
 * not see @task (another pid namespace, or @task has died).
 */
static pid_t vmi_reader_name(const struct vmi_reader *r,
			     struct task_struct *task, char *buf, size_t size)
{
	pid_t nr = task_tgid_nr_ns(task, r->ns);

	if (nr)
		snprintf(buf, size, "%d/pagemap", nr);
	return nr;
}

/**
 * vmi_pagemap_mm - the kernel's decision to open @task's pagemap
 * @r:		the reader's /proc (vmi_reader_get())
 * @task:	a thread-group leader, referenced by the caller
 *
 * Opens "<pid>/pagemap" under @r's /proc, <pid> being @task's pid in that
 * /proc's namespace, with the current credentials (the caller overrides
 * them with the opener's where the opener is not current) and checks that
 * the file is @task's real pagemap.  The lookup starts at that procfs's
 * root, which is also its root for ".." and absolute symlinks: it reaches
 * nothing the reader could not reach through its /proc.  Takes no lock of
 * ours; called from open and read only, never with an inode lock held (a
 * path walk from a lookup could come back into a vminspect directory).
 * procfs takes @task's exec_update_lock for the check, so the caller must
 * not hold it.  Sleeps.
 *
 * Return: @task's mm with mm_users raised (mmput() it), or ERR_PTR() of
 * pagemap's error (-EACCES, -ENOENT under hidepid=2...), -ENOENT if @r's
 * /proc does not see @task, -ESRCH if @task has no mm any more, -EACCES if
 * the file is not @task's pagemap (or is a file of ours: vmi_in_check).
 */
struct mm_struct *vmi_pagemap_mm(const struct vmi_reader *r,
				 struct task_struct *task)
{
	struct mm_struct *mm, *granted;
	struct vmi_check check;
	char name[32];
	struct file *f;

	might_sleep();
	if (!vmi_reader_name(r, task, name, sizeof(name)))
		return ERR_PTR(-ENOENT);
	/* already in: we are that open, so the file is one of ours */
	if (!vmi_check_enter(&check))
		return ERR_PTR(-EACCES);
	f = file_open_root(&r->proc, name, O_RDONLY | O_LARGEFILE, 0);
	vmi_check_exit(&check);
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
 * @r:		the reader's /proc (vmi_reader_get())
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
 * namespace and may override DAC.  A process @r's /proc does not see is
 * never tried.  A wrong guess only costs an audited check; the answer is
 * still the kernel's.  Sleeps.
 *
 * Return: true if vmi_pagemap_mm() is worth asking.
 */
bool vmi_reader_may_try(const struct vmi_reader *r, struct task_struct *task)
{
	const struct cred *cred = current_cred();
	const struct cred *tcred;
	struct file *f;
	char name[32];
	bool ids, cap, owner;

	might_sleep();
	if (!vmi_reader_name(r, task, name, sizeof(name)))
		return false;
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
	f = file_open_root(&r->proc, name, O_PATH, 0);
	if (IS_ERR(f))
		return false;
	owner = uid_eq(file_inode(f)->i_uid, cred->fsuid);
	fput(f);
	return owner;
}

/**
 * vmi_task_is_process - is @task a live user thread-group leader?
 * @task:	from pid_task(..., PIDTYPE_TGID), or NULL
 *
 * Not a kernel thread, and not a group that is exiting.  Caller holds
 * rcu_read_lock() (it keeps @task and its signal_struct).
 *
 * Return: true if vminspect shows @task.
 */
bool vmi_task_is_process(struct task_struct *task)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "task read without RCU");
	return task && !(task->flags & PF_KTHREAD) &&
	       atomic_read(&task->signal->live);
}

/**
 * vmi_pid_process - the live user process of @pid
 * @pid:	a thread-group id, or NULL
 *
 * Takes rcu_read_lock() itself.
 *
 * Return: the task with a reference taken, or NULL if @pid names no live
 * user process (it exited, or never was a thread-group leader).
 */
struct task_struct *vmi_pid_process(struct pid *pid)
{
	struct task_struct *task;

	rcu_read_lock();
	task = pid_task(pid, PIDTYPE_TGID);
	if (vmi_task_is_process(task))
		get_task_struct(task);
	else
		task = NULL;
	rcu_read_unlock();
	return task;
}

/**
 * vmi_find_process_pid - the struct pid of live user process @nr in @ns
 * @ns:		a pid namespace
 * @nr:		a pid in @ns
 *
 * Takes rcu_read_lock() itself.
 *
 * Return: the pid with a reference taken (put_pid()), or NULL if @nr is
 * not a live user process in @ns (no such pid, a thread id, a kernel
 * thread, or a group that is exiting).
 */
struct pid *vmi_find_process_pid(struct pid_namespace *ns, pid_t nr)
{
	struct pid *pid;

	rcu_read_lock();
	pid = find_pid_ns(nr, ns);
	if (vmi_task_is_process(pid_task(pid, PIDTYPE_TGID)))
		get_pid(pid);
	else
		pid = NULL;
	rcu_read_unlock();
	return pid;
}

/**
 * vmi_next_process - the first live user process with a pid >= *@nr
 * @ns:		the pid namespace to walk
 * @nr:		in: where to start; out: the process's pid in @ns
 *
 * Walks @ns's pid table with find_ge_pid() under rcu_read_lock() (taken
 * here, one pid at a time), as procfs's next_tgid() does.
 *
 * Return: the task with a reference taken, or NULL past the last one.
 */
struct task_struct *vmi_next_process(struct pid_namespace *ns, pid_t *nr)
{
	struct task_struct *task;
	struct pid *pid;

	for (;; ++*nr) {
		rcu_read_lock();
		pid = find_ge_pid(*nr, ns);
		task = NULL;
		if (pid) {
			*nr = pid_nr_ns(pid, ns);
			task = pid_task(pid, PIDTYPE_TGID);
			if (vmi_task_is_process(task))
				get_task_struct(task);
			else
				task = NULL;
		}
		rcu_read_unlock();
		if (!pid)
			return NULL;
		if (task)
			return task;
	}
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
 * vmi_target_open - resolve the process of a per-process file and check access
 * @t:		target to fill
 * @inode:	the /proc/vminspect/<pid>/<file> inode (i_private: the pid)
 * @file:	the file being opened (by current: its f_cred are current's)
 *
 * The access decision is vmi_pagemap_mm()'s, made here with the opener's
 * credentials, root and /proc, which must see the process (its pid
 * namespace may differ from the mount's); so is what the file will show:
 * physical frames (CAP_SYS_ADMIN in the initial user namespace), per-page
 * accessed/dirty bits (the process itself or CAP_SYS_ADMIN), kernel
 * pointers (%pK, kptr_restrict).  Takes an mm_count reference (mmgrab) so
 * the mm_struct outlives the process; reads take mm_users on top with
 * vmi_target_get_mm().  Sleeps; takes no lock across the check.
 *
 * Return: 0, -ESRCH if the process is gone, vmi_reader_get()'s error
 * (-ENOENT: no /proc, -EACCES: not a procfs), -ENOENT if the reader's
 * /proc does not see the process, or pagemap's error (-EACCES, -ENOENT...).
 */
int vmi_target_open(struct vmi_target *t, struct inode *inode,
		    struct file *file)
{
	struct pid *pid = vmi_inode_pid(inode);
	struct task_struct *task;
	struct vmi_reader r;
	struct mm_struct *mm;
	int ret;

	task = vmi_pid_process(pid);
	if (!task)
		return -ESRCH;
	ret = vmi_reader_get(&r);
	if (ret)
		goto out_put_task;
	mm = vmi_pagemap_mm(&r, task);
	vmi_reader_put(&r);
	if (IS_ERR(mm)) {
		ret = PTR_ERR(mm);
		goto out_put_task;
	}

	/* the directory's name: the pid in the mount's namespace */
	t->pid = pid_nr_ns(pid, vmi_sb_ns(inode->i_sb));
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
