// SPDX-License-Identifier: GPL-2.0
/*
 * The vminspect file system, mounted on /proc/vminspect:
 *
 *	mount -t vminspect -o nosuid,nodev,noexec vminspect /proc/vminspect
 *
 * Its root lists "processes" and one directory per live user process of
 * one pid namespace, named by the process's pid in that namespace; each
 * directory holds mm, vmas, pagetable and translate.  As with procfs's
 * /proc/<pid>, the namespace is the mounter's (task_active_pid_ns() at
 * mount time, kept in s_fs_info), every mount is a superblock of its own,
 * and nothing is created ahead of time: directories and files are
 * instantiated by lookup from the pid table and read by readdir from it
 * (find_ge_pid() under RCU, as proc_pid_readdir() does), so they follow
 * fork and exit with nothing to keep in step.
 *
 * A per-process inode holds a reference to its struct pid (i_private,
 * dropped in vmi_evict_inode()); a dentry is valid while that pid names a
 * live user thread group (vmi_d_revalidate()), so a dead process's names
 * go away and a reused pid is looked up afresh to a new struct pid: an
 * old dentry or an open file never shows the new process.
 *
 * A reader sees the names of the processes of its own pid namespace (and
 * of those below it) only (vmi_reader_sees()): one handed a mount of an
 * ancestor namespace learns no other process from it.  Whether it may
 * open a file is decided at open, through its own /proc (target.c).
 *
 * The module makes /proc/vminspect an empty directory of every procfs
 * mount (proc_create_mount_point()), so a container's fresh /proc shows
 * nothing until someone mounts vminspect there.  Mounting needs
 * CAP_SYS_ADMIN in the initial user namespace (no FS_USERNS_MOUNT).  A
 * mounted superblock pins the module (vmi_fs_type.owner), as do open files
 * (their f_op owner): unloading needs umount first.
 *
 * Locking: none of ours.  The pid table is read under rcu_read_lock();
 * lookups run under the directory's i_rwsem (VFS), readdir under it shared;
 * revalidation may run in RCU path walk, where everything it touches
 * (inode, struct pid, task, cred) is freed only after a grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>

#include "compat.h"
#include "vminspect.h"

/* readdir positions of the root: ".", "..", processes, then pid + this */
#define VMI_PID_POS		3

/* d_ino of readdir entries, as procfs's proc_fill_cache() gives on failure */
#define VMI_DIRENT_INO		1

static struct proc_dir_entry *vmi_mount_point;

static const struct {
	const char *name;
	umode_t mode;
	const struct file_operations *fops;
} vmi_pid_files[] = {
	{ VMI_PROC_MM, 0444, &vmi_mm_fops },
	{ VMI_PROC_VMAS, 0444, &vmi_vmas_fops },
	{ VMI_PROC_PAGETABLE, 0444, &vmi_pagetable_fops },
	/*
	 * Writable by its owner, the process's euid (vmi_inode_update()):
	 * access is still checked at open, the mode only keeps others from
	 * writing.
	 */
	{ VMI_PROC_TRANSLATE, 0644, &vmi_translate_fops },
};

/*
 * Give translate (the one writable file) to @task's effective uid and gid,
 * as procfs gives /proc/<pid>/ files to the task's euid; refreshed at each
 * revalidation, as pid_revalidate() refreshes procfs's.  Caller holds
 * rcu_read_lock().
 */
static void vmi_inode_update(struct inode *inode, struct task_struct *task)
{
	const struct cred *cred;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "task creds read without RCU");
	if (!S_ISREG(inode->i_mode) || !(inode->i_mode & 0200))
		return;
	cred = __task_cred(task);
	inode->i_uid = cred->euid;
	inode->i_gid = cred->egid;
}

/*
 * Is @pid in the current reader's pid namespace, or in one below it?
 * Caller holds rcu_read_lock() or a reference to @pid.
 */
static bool vmi_reader_sees(struct pid *pid)
{
	return pid_nr_ns(pid, task_active_pid_ns(current));
}

static struct inode *vmi_new_inode(struct super_block *sb, umode_t mode)
{
	struct inode *inode = new_inode(sb);

	if (!inode)
		return NULL;
	inode->i_ino = get_next_ino();
	inode->i_mode = mode;
	vmi_inode_init_ts(inode);
	return inode;
}

/* ---- /proc/vminspect/<pid>/ ---------------------------------------------- */

static struct dentry *vmi_pid_lookup(struct inode *dir, struct dentry *dentry,
				     unsigned int flags)
{
	struct pid *pid = vmi_inode_pid(dir);
	struct task_struct *task;
	struct inode *inode;
	int i;

	for (i = 0; i < ARRAY_SIZE(vmi_pid_files); i++)
		if (!strcmp(dentry->d_name.name, vmi_pid_files[i].name))
			break;
	if (i == ARRAY_SIZE(vmi_pid_files) || !vmi_reader_sees(pid))
		return ERR_PTR(-ENOENT);
	task = vmi_pid_process(pid);
	if (!task)
		return ERR_PTR(-ENOENT);
	inode = vmi_new_inode(dir->i_sb, S_IFREG | vmi_pid_files[i].mode);
	if (!inode) {
		put_task_struct(task);
		return ERR_PTR(-ENOMEM);
	}
	inode->i_fop = vmi_pid_files[i].fops;
	inode->i_private = get_pid(pid);
	rcu_read_lock();
	vmi_inode_update(inode, task);
	rcu_read_unlock();
	put_task_struct(task);
	return d_splice_alias(inode, dentry);
}

static int vmi_pid_readdir(struct file *file, struct dir_context *ctx)
{
	struct task_struct *task;
	int i;

	if (!vmi_reader_sees(vmi_inode_pid(file_inode(file))))
		return -ENOENT;
	task = vmi_pid_process(vmi_inode_pid(file_inode(file)));
	if (!task)
		return -ENOENT;
	put_task_struct(task);
	if (!dir_emit_dots(file, ctx))
		return 0;
	for (i = ctx->pos - 2; i < ARRAY_SIZE(vmi_pid_files); i++) {
		if (!dir_emit(ctx, vmi_pid_files[i].name,
			      strlen(vmi_pid_files[i].name), VMI_DIRENT_INO,
			      DT_REG))
			return 0;
		ctx->pos++;
	}
	return 0;
}

static const struct inode_operations vmi_pid_iops = {
	.lookup		= vmi_pid_lookup,
};

static const struct file_operations vmi_pid_dir_fops = {
	.read		= generic_read_dir,
	.iterate_shared	= vmi_pid_readdir,
	.llseek		= generic_file_llseek,
};

/* ---- the root: processes and one directory per process ------------------ */

/* "1234" to 1234; -1 for anything procfs would not name a pid */
static pid_t vmi_name_to_pid(const struct qstr *name)
{
	pid_t nr = 0;
	unsigned int i;

	if (!name->len || name->len > 7 || name->name[0] == '0')
		return -1;
	for (i = 0; i < name->len; i++) {
		if (!isdigit(name->name[i]))
			return -1;
		nr = nr * 10 + name->name[i] - '0';
	}
	return nr <= PID_MAX_LIMIT ? nr : -1;
}

static struct dentry *vmi_root_lookup(struct inode *dir, struct dentry *dentry,
				      unsigned int flags)
{
	struct pid_namespace *ns = vmi_sb_ns(dir->i_sb);
	struct inode *inode;
	struct pid *pid;
	pid_t nr;

	if (!strcmp(dentry->d_name.name, VMI_PROC_PROCESSES)) {
		inode = vmi_new_inode(dir->i_sb, S_IFREG | 0444);
		if (!inode)
			return ERR_PTR(-ENOMEM);
		inode->i_fop = &vmi_processes_fops;
		return d_splice_alias(inode, dentry);
	}
	nr = vmi_name_to_pid(&dentry->d_name);
	if (nr <= 0)
		return ERR_PTR(-ENOENT);
	pid = vmi_find_process_pid(ns, nr);
	if (!pid)
		return ERR_PTR(-ENOENT);
	if (!vmi_reader_sees(pid)) {
		put_pid(pid);
		return ERR_PTR(-ENOENT);
	}
	inode = vmi_new_inode(dir->i_sb, S_IFDIR | 0555);
	if (!inode) {
		put_pid(pid);
		return ERR_PTR(-ENOMEM);
	}
	inode->i_op = &vmi_pid_iops;
	inode->i_fop = &vmi_pid_dir_fops;
	inode->i_private = pid;
	set_nlink(inode, 2);
	return d_splice_alias(inode, dentry);
}

static int vmi_root_readdir(struct file *file, struct dir_context *ctx)
{
	struct pid_namespace *ns = vmi_sb_ns(file_inode(file)->i_sb);
	struct task_struct *task;
	char name[12];
	pid_t nr;
	int len;

	if (!dir_emit_dots(file, ctx))
		return 0;
	if (ctx->pos == VMI_PID_POS - 1) {
		if (!dir_emit(ctx, VMI_PROC_PROCESSES,
			      strlen(VMI_PROC_PROCESSES), VMI_DIRENT_INO,
			      DT_REG))
			return 0;
		ctx->pos++;
	}
	if (ctx->pos >= PID_MAX_LIMIT + VMI_PID_POS)
		return 0;
	nr = ctx->pos - VMI_PID_POS;
	while ((task = vmi_next_process(ns, &nr))) {
		/* vmi_reader_sees(), for a task (its pid read under RCU) */
		bool seen = task_tgid_nr_ns(task, task_active_pid_ns(current));

		put_task_struct(task);
		if (!seen) {
			nr++;
			continue;
		}
		len = snprintf(name, sizeof(name), "%d", nr);
		ctx->pos = nr + VMI_PID_POS;
		if (!dir_emit(ctx, name, len, VMI_DIRENT_INO, DT_DIR))
			return 0;
		nr++;
		cond_resched();
	}
	ctx->pos = PID_MAX_LIMIT + VMI_PID_POS;
	return 0;
}

static const struct inode_operations vmi_root_iops = {
	.lookup		= vmi_root_lookup,
};

static const struct file_operations vmi_root_fops = {
	.read		= generic_read_dir,
	.iterate_shared	= vmi_root_readdir,
	.llseek		= generic_file_llseek,
};

/* ---- dentries and inodes ------------------------------------------------- */

/*
 * Is @inode's process (none for the root and processes: always) still a
 * live user thread group, and one the reader sees (else a lookup is made
 * afresh, and fails)?  Refreshes translate's owner on the way.  May run in
 * RCU path walk (no sleeping, @dentry's inode may be going).
 */
static int vmi_d_revalidate(VMI_D_REVALIDATE_PROTO)
{
	struct task_struct *task;
	struct inode *inode;
	int ret = 0;

	rcu_read_lock();
	inode = d_inode_rcu(dentry);
	if (!inode)
		goto out;
	if (!vmi_inode_pid(inode)) {
		ret = 1;
		goto out;
	}
	task = pid_task(vmi_inode_pid(inode), PIDTYPE_TGID);
	if (vmi_task_is_process(task) && vmi_reader_sees(vmi_inode_pid(inode))) {
		vmi_inode_update(inode, task);
		ret = 1;
	}
out:
	rcu_read_unlock();
	return ret;
}

/* A dead process's dentries are not kept on the LRU (pid_delete_dentry()). */
static int vmi_d_delete(const struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	bool dead;

	if (!inode || !vmi_inode_pid(inode))
		return 0;
	rcu_read_lock();
	dead = !vmi_task_is_process(pid_task(vmi_inode_pid(inode),
					     PIDTYPE_TGID));
	rcu_read_unlock();
	return dead;
}

static const struct dentry_operations vmi_dops = {
	.d_revalidate	= vmi_d_revalidate,
	.d_delete	= vmi_d_delete,
};

static void vmi_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	put_pid(vmi_inode_pid(inode));	/* NULL for the root and processes */
}

static const struct super_operations vmi_sops = {
	.statfs		= simple_statfs,
	.evict_inode	= vmi_evict_inode,
};

/* ---- mounting ------------------------------------------------------------ */

static int vmi_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct inode *root;

	sb->s_magic = VMI_FS_MAGIC;
	sb->s_op = &vmi_sops;
	sb->s_time_gran = 1;
	sb->s_flags |= SB_NODIRATIME | SB_NOSUID | SB_NOEXEC;
	sb->s_iflags |= SB_I_NOEXEC | SB_I_NODEV;
	vmi_set_default_d_op(sb, &vmi_dops);

	root = vmi_new_inode(sb, S_IFDIR | 0555);
	if (!root)
		return -ENOMEM;
	root->i_op = &vmi_root_iops;
	root->i_fop = &vmi_root_fops;
	set_nlink(root, 2);
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

static int vmi_get_tree(struct fs_context *fc)
{
	/* a superblock per mount; sget_fc() moves fc->s_fs_info into it */
	return get_tree_nodev(fc, vmi_fill_super);
}

static void vmi_free_fc(struct fs_context *fc)
{
	if (fc->s_fs_info)
		put_pid_ns(fc->s_fs_info);
}

static const struct fs_context_operations vmi_fs_context_ops = {
	.get_tree	= vmi_get_tree,
	.free		= vmi_free_fc,
};

/* The mounter's pid namespace, as procfs's proc_init_fs_context() takes. */
static int vmi_init_fs_context(struct fs_context *fc)
{
	fc->s_fs_info = get_pid_ns(task_active_pid_ns(current));
	fc->ops = &vmi_fs_context_ops;
	return 0;
}

static void vmi_kill_sb(struct super_block *sb)
{
	struct pid_namespace *ns = vmi_sb_ns(sb);

	kill_anon_super(sb);
	if (ns)
		put_pid_ns(ns);
}

static struct file_system_type vmi_fs_type = {
	.owner			= THIS_MODULE,
	.name			= VMI_FS_TYPE,
	.init_fs_context	= vmi_init_fs_context,
	.kill_sb		= vmi_kill_sb,
};

/**
 * vmi_fs_init - make /proc/vminspect and register the vminspect file system
 *
 * Called once from module init.
 *
 * Return: 0, or a negative errno with nothing left behind.
 */
int vmi_fs_init(void)
{
	int ret;

	vmi_mount_point = proc_create_mount_point(VMI_PROC_DIR);
	if (!vmi_mount_point)
		return -ENOMEM;
	ret = register_filesystem(&vmi_fs_type);
	if (ret)
		goto err_remove;
	return 0;

err_remove:
	proc_remove(vmi_mount_point);
	return ret;
}

/**
 * vmi_fs_exit - unregister the file system and remove /proc/vminspect
 *
 * Called from module exit, which cannot run while a vminspect superblock
 * exists (each pins the module), so nothing of ours is mounted or open.
 */
void vmi_fs_exit(void)
{
	unregister_filesystem(&vmi_fs_type);
	proc_remove(vmi_mount_point);
}
