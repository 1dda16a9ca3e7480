// SPDX-License-Identifier: GPL-2.0
/*
 * Which processes live, and /proc/vminspect/<pid>/ for every one of them,
 * kept in step with fork and exit.
 *
 * The kernel's pid table says which processes live (vmi_find_process(),
 * vmi_next_process()): the directories here follow it, and so do the opens
 * of target.c and the processes listing, which sit above this file.  What
 * each directory holds is main.c's table, handed to vmi_track_init(), so
 * nothing here names a file's operations.
 *
 * sched_process_fork and sched_process_exit are not exported as symbols, so
 * they are found with for_each_kernel_tracepoint() and attached with
 * tracepoint_probe_register().  The probes run in atomic context: they only
 * push "tgid forked" / "tgid exited" events into a kfifo and kick a work
 * item; the work creates and removes the proc entries.  When the kfifo
 * overflows the work resynchronises from the pid table instead, so no
 * event can be lost for good.
 *
 * An entry is only a name: opening a file resolves its pid again (see
 * target.c), so a late removal or a reused pid can never show the wrong
 * process.  proc_remove() would close the files still open on a directory
 * and make them fail with EIO, so a dead process's directory stays until
 * its last file is closed: until then reads of open files give ESRCH, new
 * opens give ESRCH, and a new process that reuses the pid takes the
 * directory over.
 *
 * Locking: vmi_event_lock (spinlock, irqsave: the probes may run in any
 * context) protects vmi_events and vmi_resync.  vmi_pids_lock (mutex)
 * protects vmi_pids and the vmi_pid_dir counts; it is never held across
 * proc_remove(), which waits for our file operations (open and release take
 * the mutex).  Directories are created and removed by the work item only,
 * on an ordered workqueue, and by init/exit when the work cannot run.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/kfifo.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "compat.h"
#include "vminspect.h"

#define VMI_EVENT_EXIT		1U
#define VMI_EVENTS		4096

static DEFINE_SPINLOCK(vmi_event_lock);
static DEFINE_KFIFO(vmi_events, u32, VMI_EVENTS);
static bool vmi_resync;

static struct workqueue_struct *vmi_wq;
static void vmi_track_work(struct work_struct *work);
static DECLARE_WORK(vmi_work, vmi_track_work);

/**
 * struct vmi_pid_dir - /proc/vminspect/<tgid>
 * @dir:	the proc directory
 * @owned:	its file given to the process's ids (see vmi_pid_own())
 * @users:	files open in it
 * @dead:	the process has exited; remove when @users drops to zero
 */
struct vmi_pid_dir {
	struct proc_dir_entry *dir;
	struct proc_dir_entry *owned;
	unsigned int users;
	bool dead;
};

/* where the directories go and what is in them: vmi_track_init()'s */
static struct proc_dir_entry *vmi_root;
static const struct vmi_pid_file *vmi_pid_files;
static unsigned int vmi_nr_pid_files;

/* tgid -> struct vmi_pid_dir */
static DEFINE_XARRAY(vmi_pids);
static DEFINE_MUTEX(vmi_pids_lock);
static bool vmi_reap;		/* a dead directory lost its last user */
static bool vmi_stopping;	/* module exit: no more work */

static struct tracepoint *vmi_tp_fork;
static struct tracepoint *vmi_tp_exit;

static void vmi_push_event(pid_t tgid, u32 flags)
{
	unsigned long irqflags;
	u32 ev = ((u32)tgid << 1) | flags;

	spin_lock_irqsave(&vmi_event_lock, irqflags);
	if (!kfifo_put(&vmi_events, ev))
		vmi_resync = true;
	spin_unlock_irqrestore(&vmi_event_lock, irqflags);
	queue_work(vmi_wq, &vmi_work);
}

static void vmi_probe_fork(void *data, struct task_struct *parent,
			   struct task_struct *child)
{
	if (thread_group_leader(child) && !(child->flags & PF_KTHREAD))
		vmi_push_event(task_tgid_nr(child), 0);
}

/*
 * Runs once per exiting thread, after signal->live was decremented (on
 * every kernel: from 6.16 the tracepoint runs before exit_mm() and says
 * group_dead itself): the group is dead when it reads zero.  The prototype
 * must be the tracepoint's exactly (kCFI): VMI_TP_EXIT_PROTO.
 */
static void vmi_probe_exit(void *data, VMI_TP_EXIT_PROTO)
{
	if (!(task->flags & PF_KTHREAD) && !atomic_read(&task->signal->live))
		vmi_push_event(task_tgid_nr(task), VMI_EVENT_EXIT);
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

/*
 * Give the owned file (translate, the one writable file) to @tgid's
 * effective uid and gid, as procfs gives /proc/<pid>/ files to the task's
 * euid.  Later changes
 * of the process's ids are not followed: the mode only narrows who may
 * write, the open check decides.
 */
static void vmi_pid_own(struct proc_dir_entry *file, pid_t tgid)
{
	struct task_struct *task = vmi_find_process(tgid);
	const struct cred *cred;

	if (!task)
		return;
	cred = get_task_cred(task);
	proc_set_user(file, cred->euid, cred->egid);
	put_cred(cred);
	put_task_struct(task);
}

static bool vmi_tgid_alive(pid_t tgid)
{
	struct task_struct *task = vmi_find_process(tgid);

	if (task)
		put_task_struct(task);
	return task;
}

static void vmi_pid_add(pid_t tgid)
{
	struct vmi_pid_dir *pd, *old;
	struct proc_dir_entry *dir, *file;
	void *data = (void *)(unsigned long)tgid;
	char name[16];
	int i;

	pd = kzalloc(sizeof(*pd), GFP_KERNEL);
	if (!pd)
		goto err;
	/*
	 * Publish the entry before its files exist, so that an open racing
	 * with their creation finds it (vmi_pid_get()).
	 */
	mutex_lock(&vmi_pids_lock);
	old = xa_load(&vmi_pids, tgid);
	if (old) {
		old->dead = false;	/* a reused pid takes the entry over */
		file = old->owned;
		mutex_unlock(&vmi_pids_lock);
		kfree(pd);
		if (file)		/* set by this work, so stable here */
			vmi_pid_own(file, tgid);
		return;
	}
	if (xa_err(xa_store(&vmi_pids, tgid, pd, GFP_KERNEL))) {
		mutex_unlock(&vmi_pids_lock);
		goto err_free;
	}
	mutex_unlock(&vmi_pids_lock);

	snprintf(name, sizeof(name), "%d", tgid);
	dir = proc_mkdir_data(name, 0555, vmi_root, data);
	if (!dir)
		goto err_erase;
	for (i = 0; i < vmi_nr_pid_files; i++) {
		file = proc_create_data(vmi_pid_files[i].name,
					vmi_pid_files[i].mode, dir,
					vmi_pid_files[i].ops, data);
		if (!file)
			goto err_remove_dir;
		if (vmi_pid_files[i].owned) {
			vmi_pid_own(file, tgid);
			pd->owned = file;
		}
	}
	pd->dir = dir;		/* only the work and exit read them */
	return;

err_remove_dir:
	lockdep_assert_not_held(&vmi_pids_lock);
	proc_remove(dir);
err_erase:
	mutex_lock(&vmi_pids_lock);
	xa_erase(&vmi_pids, tgid);
	mutex_unlock(&vmi_pids_lock);
err_free:
	kfree(pd);
err:
	pr_warn_ratelimited("cannot create /proc/%s/%d\n", VMI_PROC_DIR, tgid);
}

/*
 * @tgid is gone (or going): remove its directory now if no file is open
 * in it, else mark it for removal at the last close.
 */
static void vmi_pid_remove(pid_t tgid)
{
	struct vmi_pid_dir *pd;

	mutex_lock(&vmi_pids_lock);
	pd = xa_load(&vmi_pids, tgid);
	if (pd && !vmi_stopping && vmi_tgid_alive(tgid))
		pd = NULL;		/* reused meanwhile */
	if (pd) {
		pd->dead = true;
		if (pd->users && !vmi_stopping)
			pd = NULL;
		else
			xa_erase(&vmi_pids, tgid);
	}
	mutex_unlock(&vmi_pids_lock);
	if (pd) {
		/* waits for readers inside our file operations */
		lockdep_assert_not_held(&vmi_pids_lock);
		proc_remove(pd->dir);
		kfree(pd);
	}
}

/**
 * vmi_pid_get - a file of /proc/vminspect/<tgid>/ is being opened
 * @tgid: the directory's pid
 *
 * Return: 0, or -ESRCH if the directory is on its way out.
 */
int vmi_pid_get(pid_t tgid)
{
	struct vmi_pid_dir *pd;
	int ret = -ESRCH;

	mutex_lock(&vmi_pids_lock);
	pd = xa_load(&vmi_pids, tgid);
	/* a new process may reuse the pid before its fork event is handled */
	if (pd && pd->dead && vmi_tgid_alive(tgid))
		pd->dead = false;
	if (pd && !pd->dead) {
		pd->users++;
		ret = 0;
	}
	mutex_unlock(&vmi_pids_lock);
	return ret;
}

/**
 * vmi_pid_put - a file opened with vmi_pid_get() is released
 * @tgid: the directory's pid
 *
 * May run from proc_remove() closing files at module exit.
 */
void vmi_pid_put(pid_t tgid)
{
	struct vmi_pid_dir *pd;
	bool reap = false;

	mutex_lock(&vmi_pids_lock);
	pd = xa_load(&vmi_pids, tgid);
	if (pd && !WARN_ON_ONCE(!pd->users)) {
		pd->users--;
		reap = !pd->users && pd->dead && !vmi_stopping;
	}
	if (reap) {
		/*
		 * Not from here: proc_remove() would wait for this release.
		 * Queued under vmi_pids_lock, so never after vmi_track_exit()
		 * has set vmi_stopping and destroyed the workqueue.
		 */
		spin_lock_irq(&vmi_event_lock);
		vmi_reap = true;
		spin_unlock_irq(&vmi_event_lock);
		queue_work(vmi_wq, &vmi_work);
	}
	mutex_unlock(&vmi_pids_lock);
}

/* Make the directories match the pid table. */
static void vmi_resync_all(void)
{
	struct task_struct *task;
	struct vmi_pid_dir *pd;
	unsigned long index;
	pid_t nr = 1;

	while ((task = vmi_next_process(nr))) {
		nr = task_tgid_nr(task);
		put_task_struct(task);
		vmi_pid_add(nr++);
		cond_resched();
	}

	xa_for_each(&vmi_pids, index, pd) {
		if (!vmi_tgid_alive(index))
			vmi_pid_remove(index);
	}
}

/* Remove the directories of dead processes whose last file was closed. */
static void vmi_reap_dead(void)
{
	struct vmi_pid_dir *pd;
	unsigned long index;

	xa_for_each(&vmi_pids, index, pd) {
		if (READ_ONCE(pd->dead))
			vmi_pid_remove(index);
	}
}

static void vmi_track_work(struct work_struct *work)
{
	unsigned long irqflags;
	bool resync, reap, got;
	u32 ev;

	for (;;) {
		spin_lock_irqsave(&vmi_event_lock, irqflags);
		resync = vmi_resync;
		vmi_resync = false;
		reap = vmi_reap;
		vmi_reap = false;
		if (resync)
			kfifo_reset(&vmi_events);
		got = !resync && kfifo_get(&vmi_events, &ev);
		spin_unlock_irqrestore(&vmi_event_lock, irqflags);

		if (reap)
			vmi_reap_dead();
		if (resync) {
			vmi_resync_all();
			continue;
		}
		if (!got)
			return;
		/* the pid may already be reused: ask the pid table */
		if (vmi_tgid_alive(ev >> 1))
			vmi_pid_add(ev >> 1);
		else if (ev & VMI_EVENT_EXIT)
			vmi_pid_remove(ev >> 1);
		cond_resched();
	}
}

/*
 * The workqueue is gone and no release may queue work again: remove every
 * directory, closing the files still open (their release runs
 * vmi_pid_put(), which finds nothing left to do).
 */
static void vmi_pids_remove_all(void)
{
	struct vmi_pid_dir *pd;
	unsigned long index;

	mutex_lock(&vmi_pids_lock);
	vmi_stopping = true;
	mutex_unlock(&vmi_pids_lock);
	xa_for_each(&vmi_pids, index, pd)
		vmi_pid_remove(index);
	xa_destroy(&vmi_pids);
}

static void vmi_find_tracepoint(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_fork"))
		vmi_tp_fork = tp;
	else if (!strcmp(tp->name, "sched_process_exit"))
		vmi_tp_exit = tp;
}

/**
 * vmi_track_init - create the per-process directories and follow fork/exit
 * @root:	the directory to create them in (/proc/vminspect)
 * @files:	the files of each, kept until vmi_track_exit(); at most one
 *		of them @owned
 * @nr:		how many
 *
 * Returns when every live process has its directory.
 */
int vmi_track_init(struct proc_dir_entry *root,
		   const struct vmi_pid_file *files, unsigned int nr)
{
	int ret;

	vmi_root = root;
	vmi_pid_files = files;
	vmi_nr_pid_files = nr;

	for_each_kernel_tracepoint(vmi_find_tracepoint, NULL);
	if (!vmi_tp_fork || !vmi_tp_exit) {
		pr_err("sched_process_fork/exit tracepoints not found\n");
		return -ENOENT;
	}

	vmi_wq = alloc_ordered_workqueue("vminspect", 0);
	if (!vmi_wq)
		return -ENOMEM;

	ret = tracepoint_probe_register(vmi_tp_fork, vmi_probe_fork, NULL);
	if (ret)
		goto err_destroy_wq;
	ret = tracepoint_probe_register(vmi_tp_exit, vmi_probe_exit, NULL);
	if (ret)
		goto err_unregister_fork;

	/* processes that existed before the probes: scan the pid table */
	spin_lock_irq(&vmi_event_lock);
	vmi_resync = true;
	spin_unlock_irq(&vmi_event_lock);
	queue_work(vmi_wq, &vmi_work);
	flush_work(&vmi_work);
	return 0;

err_unregister_fork:
	tracepoint_probe_unregister(vmi_tp_fork, vmi_probe_fork, NULL);
	tracepoint_synchronize_unregister();
err_destroy_wq:
	/*
	 * The fork probe may have created directories whose files are open
	 * already: as in vmi_track_exit(), no release may queue work once
	 * the workqueue is going.
	 */
	mutex_lock(&vmi_pids_lock);
	vmi_stopping = true;
	mutex_unlock(&vmi_pids_lock);
	destroy_workqueue(vmi_wq);
	vmi_pids_remove_all();	/* what the fork probe may have created */
	return ret;
}

/**
 * vmi_track_exit - stop following processes and remove their directories
 *
 * After the probes are unregistered and synchronised no new work can be
 * queued; destroy_workqueue() drains what was.
 */
void vmi_track_exit(void)
{
	tracepoint_probe_unregister(vmi_tp_exit, vmi_probe_exit, NULL);
	tracepoint_probe_unregister(vmi_tp_fork, vmi_probe_fork, NULL);
	tracepoint_synchronize_unregister();
	/* releases from now on must not queue work */
	mutex_lock(&vmi_pids_lock);
	vmi_stopping = true;
	mutex_unlock(&vmi_pids_lock);
	destroy_workqueue(vmi_wq);
	vmi_pids_remove_all();
}
