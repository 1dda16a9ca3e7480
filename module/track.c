// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vminspect/<pid>/ for every live process, kept in step with fork and
 * exit.
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
 * process.
 *
 * Locking: vmi_event_lock (spinlock, irqsave: the probes may run in any
 * context) protects vmi_events and vmi_resync; vmi_pids is only touched by
 * the work item, which runs on an ordered workqueue, and by init/exit when
 * the work cannot run.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

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

#include "vminspect.h"

#define VMI_EVENT_EXIT		1U
#define VMI_EVENTS		4096

static DEFINE_SPINLOCK(vmi_event_lock);
static DEFINE_KFIFO(vmi_events, u32, VMI_EVENTS);
static bool vmi_resync;

static struct workqueue_struct *vmi_wq;
static void vmi_track_work(struct work_struct *work);
static DECLARE_WORK(vmi_work, vmi_track_work);

/* tgid -> struct proc_dir_entry * of /proc/vminspect/<tgid> */
static DEFINE_XARRAY(vmi_pids);

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
 * Runs once per exiting thread, after signal->live was decremented: the
 * group is dead when it reads zero.
 */
static void vmi_probe_exit(void *data, struct task_struct *task)
{
	if (!(task->flags & PF_KTHREAD) && !atomic_read(&task->signal->live))
		vmi_push_event(task_tgid_nr(task), VMI_EVENT_EXIT);
}

static const struct {
	const char *name;
	umode_t mode;
	const struct proc_ops *ops;
} vmi_pid_files[] = {
	{ VMI_PROC_MM, 0444, &vmi_mm_proc_ops },
	{ VMI_PROC_VMAS, 0444, &vmi_vmas_proc_ops },
};

static void vmi_pid_add(pid_t tgid)
{
	struct proc_dir_entry *dir;
	void *data = (void *)(unsigned long)tgid;
	char name[16];
	int i;

	if (xa_load(&vmi_pids, tgid))
		return;
	snprintf(name, sizeof(name), "%d", tgid);
	dir = proc_mkdir_data(name, 0555, vmi_proc_root, data);
	if (!dir)
		goto err;
	for (i = 0; i < ARRAY_SIZE(vmi_pid_files); i++) {
		if (!proc_create_data(vmi_pid_files[i].name,
				      vmi_pid_files[i].mode, dir,
				      vmi_pid_files[i].ops, data))
			goto err_remove_dir;
	}
	if (xa_err(xa_store(&vmi_pids, tgid, dir, GFP_KERNEL)))
		goto err_remove_dir;
	return;

err_remove_dir:
	proc_remove(dir);
err:
	pr_warn_ratelimited("cannot create /proc/%s/%d\n", VMI_PROC_DIR, tgid);
}

static void vmi_pid_remove(pid_t tgid)
{
	struct proc_dir_entry *dir = xa_erase(&vmi_pids, tgid);

	/* waits for readers inside our file operations, closes open files */
	proc_remove(dir);
}

static bool vmi_tgid_alive(pid_t tgid)
{
	struct task_struct *task = vmi_find_process(tgid);

	if (task)
		put_task_struct(task);
	return task;
}

/* Make the directories match the pid table. */
static void vmi_resync_all(void)
{
	struct proc_dir_entry *dir;
	unsigned long index;
	struct pid *pid;
	int nr = 1;

	for (;;) {
		struct task_struct *task;

		rcu_read_lock();
		pid = find_ge_pid(nr, &init_pid_ns);
		if (pid)
			nr = pid_nr_ns(pid, &init_pid_ns);
		rcu_read_unlock();
		if (!pid)
			break;
		task = vmi_find_process(nr);
		if (task) {
			vmi_pid_add(nr);
			put_task_struct(task);
		}
		nr++;
		cond_resched();
	}

	xa_for_each(&vmi_pids, index, dir) {
		if (!vmi_tgid_alive(index))
			vmi_pid_remove(index);
	}
}

static void vmi_track_work(struct work_struct *work)
{
	unsigned long irqflags;
	bool resync, got;
	u32 ev;

	for (;;) {
		spin_lock_irqsave(&vmi_event_lock, irqflags);
		resync = vmi_resync;
		vmi_resync = false;
		if (resync)
			kfifo_reset(&vmi_events);
		got = !resync && kfifo_get(&vmi_events, &ev);
		spin_unlock_irqrestore(&vmi_event_lock, irqflags);

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

static void vmi_find_tracepoint(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_fork"))
		vmi_tp_fork = tp;
	else if (!strcmp(tp->name, "sched_process_exit"))
		vmi_tp_exit = tp;
}

/**
 * vmi_track_init - create the per-process directories and follow fork/exit
 *
 * Call after vmi_proc_root exists.  Returns when every live process has
 * its directory.
 */
int vmi_track_init(void)
{
	int ret;

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
	destroy_workqueue(vmi_wq);
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
	struct proc_dir_entry *dir;
	unsigned long index;

	tracepoint_probe_unregister(vmi_tp_exit, vmi_probe_exit, NULL);
	tracepoint_probe_unregister(vmi_tp_fork, vmi_probe_fork, NULL);
	tracepoint_synchronize_unregister();
	destroy_workqueue(vmi_wq);

	xa_for_each(&vmi_pids, index, dir)
		vmi_pid_remove(index);
	xa_destroy(&vmi_pids);
}
