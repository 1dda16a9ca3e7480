// SPDX-License-Identifier: GPL-2.0
/*
 * Who may look at which process, and what an open file holds on to.
 *
 * The rules are /proc/<pid>/pagemap's (mm_access() with
 * PTRACE_MODE_READ_FSCREDS), written out here because mm_access() and
 * ptrace_may_access() are not exported:
 *
 * - a process may always inspect its own address space;
 * - otherwise the opener's fsuid must equal the target's uid, euid and suid
 *   and its fsgid the target's gid, egid and sgid, or the opener must have
 *   CAP_SYS_PTRACE in the target's user namespace;
 * - and the target's mm must be dumpable (SUID_DUMP_USER), or the opener
 *   must have CAP_SYS_PTRACE in the mm's user namespace.
 *
 * LSM ptrace hooks (Yama, SELinux) are not consulted: their entry point is
 * not exported.  Capabilities are checked against the file's credentials,
 * i.e. the opener's, so the decision is made once at open().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rwsem.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/user_namespace.h>

#include "vminspect.h"

/**
 * vmi_may_inspect - may the opener of @file inspect @task's memory?
 * @task:	a thread-group leader, referenced by the caller
 * @mm:		@task's mm, referenced by the caller
 * @file:	the file being opened (its f_cred are the opener's)
 *
 * Return: true if allowed.
 */
bool vmi_may_inspect(struct task_struct *task, struct mm_struct *mm,
		     const struct file *file)
{
	const struct cred *cred = file->f_cred;
	const struct cred *tcred;
	bool ids_match, cap;

	if (mm == current->mm)
		return true;

	rcu_read_lock();
	tcred = __task_cred(task);
	ids_match = uid_eq(cred->fsuid, tcred->euid) &&
		    uid_eq(cred->fsuid, tcred->suid) &&
		    uid_eq(cred->fsuid, tcred->uid) &&
		    gid_eq(cred->fsgid, tcred->egid) &&
		    gid_eq(cred->fsgid, tcred->sgid) &&
		    gid_eq(cred->fsgid, tcred->gid);
	cap = file_ns_capable(file, tcred->user_ns, CAP_SYS_PTRACE);
	rcu_read_unlock();

	if (!ids_match && !cap)
		return false;
	if (get_dumpable(mm) != SUID_DUMP_USER &&
	    !file_ns_capable(file, mm->user_ns, CAP_SYS_PTRACE))
		return false;
	return true;
}

/**
 * vmi_get_mm_checked - the mm of @task, if the opener of @file may inspect it
 * @task:	a thread-group leader, referenced by the caller
 * @file:	the file being read or opened (its f_cred are the opener's)
 *
 * Like mm_access(): exec_update_lock is held across get_task_mm() and the
 * check, so an exec of a setuid program cannot install its new mm while
 * the old credentials are still being checked.
 *
 * Return: the mm with mm_users raised (mmput() it), or ERR_PTR(-ESRCH)
 * without one, -EACCES if not allowed, -EINTR on a fatal signal.
 */
struct mm_struct *vmi_get_mm_checked(struct task_struct *task,
				     const struct file *file)
{
	struct mm_struct *mm;

	if (down_read_killable(&task->signal->exec_update_lock))
		return ERR_PTR(-EINTR);
	mm = get_task_mm(task);
	if (!mm) {
		mm = ERR_PTR(-ESRCH);
	} else if (!vmi_may_inspect(task, mm, file)) {
		mmput(mm);
		mm = ERR_PTR(-EACCES);
	}
	up_read(&task->signal->exec_update_lock);
	return mm;
}

/**
 * vmi_find_process - the live thread-group leader of @tgid
 * @tgid:	a pid in the initial pid namespace
 *
 * Return: the task with a reference taken, or NULL if @tgid is not a live
 * user process (no such pid, a thread id, a kernel thread, or a group that
 * is exiting).
 */
struct task_struct *vmi_find_process(pid_t tgid)
{
	struct task_struct *task;

	rcu_read_lock();
	task = pid_task(find_pid_ns(tgid, &init_pid_ns), PIDTYPE_TGID);
	if (task && (task->flags & PF_KTHREAD || !atomic_read(&task->signal->live)))
		task = NULL;
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	return task;
}

/**
 * vmi_next_process - the first live user process with a pid >= @nr
 * @nr:	a pid in the initial pid namespace
 *
 * Return: the task with a reference taken, or NULL past the last one.
 */
struct task_struct *vmi_next_process(pid_t nr)
{
	struct task_struct *task;
	struct pid *pid;

	for (;; nr++) {
		rcu_read_lock();
		pid = find_ge_pid(nr, &init_pid_ns);
		if (pid)
			nr = pid_nr_ns(pid, &init_pid_ns);
		rcu_read_unlock();
		if (!pid)
			return NULL;
		task = vmi_find_process(nr);
		if (task)
			return task;
	}
}

/**
 * vmi_target_open - resolve the pid of a per-process file and check access
 * @t:		target to fill
 * @inode:	the /proc/vminspect/<pid>/<file> inode (pde data: the pid)
 * @file:	the file being opened
 *
 * Takes an mm_count reference (mmgrab) so the mm_struct outlives the
 * process, and a user of the pid's directory (vmi_pid_get()) so it stays
 * while the file is open; reads take mm_users on top with
 * vmi_target_get_mm().
 *
 * Return: 0, -ESRCH if the process is gone, -EACCES if not allowed.
 */
int vmi_target_open(struct vmi_target *t, struct inode *inode,
		    struct file *file)
{
	pid_t tgid = (pid_t)(unsigned long)pde_data(inode);
	struct task_struct *task;
	struct mm_struct *mm;
	int ret;

	ret = vmi_pid_get(tgid);
	if (ret)
		return ret;
	task = vmi_find_process(tgid);
	if (!task) {
		ret = -ESRCH;
		goto out_put_pid;
	}
	mm = vmi_get_mm_checked(task, file);
	if (IS_ERR(mm)) {
		ret = PTR_ERR(mm);
		goto out_put_task;
	}

	t->pid = tgid;
	get_task_comm(t->comm, task);
	t->show_phys = file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
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
