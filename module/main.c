// SPDX-License-Identifier: GPL-2.0
/*
 * vminspect - look inside a live process's virtual memory.
 *
 * /proc/vminspect/processes lists the processes; /proc/vminspect/<pid>/
 * holds each one's mm summary, VMA map, page-table map and an address
 * translator.  Documentation/proc-vminspect.rst describes the files.
 *
 * Unload is safe at any time: the tracepoint probes are unregistered and
 * synchronised, pending work is drained, and proc_remove() waits for
 * readers inside our file operations and closes the files still open, so
 * no code of ours runs after vmi_exit() returns.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>

#include "vminspect.h"

static struct proc_dir_entry *vmi_proc_root;

/*
 * The files of every /proc/vminspect/<pid>/, which track.c creates as
 * processes come and go.
 */
static const struct vmi_pid_file vmi_pid_files[] = {
	{ VMI_PROC_MM, 0444, &vmi_mm_proc_ops },
	{ VMI_PROC_VMAS, 0444, &vmi_vmas_proc_ops },
	{ VMI_PROC_PAGETABLE, 0444, &vmi_pagetable_proc_ops },
	/* writable by its owner, the process's euid */
	{ VMI_PROC_TRANSLATE, 0644, &vmi_translate_proc_ops, .owned = true },
};

static int __init vmi_init(void)
{
	int ret;

	ret = vmi_access_init();
	if (ret)
		return ret;
	vmi_proc_root = proc_mkdir(VMI_PROC_DIR, NULL);
	if (!vmi_proc_root)
		return -ENOMEM;
	if (!proc_create(VMI_PROC_PROCESSES, 0444, vmi_proc_root,
			 &vmi_processes_proc_ops)) {
		ret = -ENOMEM;
		goto err_remove_root;
	}
	ret = vmi_track_init(vmi_proc_root, vmi_pid_files,
			     ARRAY_SIZE(vmi_pid_files));
	if (ret)
		goto err_remove_root;

	pr_info("loaded, format %d.%d, %d-level paging\n", VMI_FORMAT_MAJOR,
		VMI_FORMAT_MINOR, vmi_paging_levels());
	return 0;

err_remove_root:
	proc_remove(vmi_proc_root);
	return ret;
}

static void __exit vmi_exit(void)
{
	vmi_track_exit();
	proc_remove(vmi_proc_root);
	pr_info("unloaded\n");
}

module_init(vmi_init);
module_exit(vmi_exit);
MODULE_DESCRIPTION("Inspect processes' VMAs and page tables through /proc/vminspect");
MODULE_AUTHOR("vminspect developers");
MODULE_LICENSE("GPL");
