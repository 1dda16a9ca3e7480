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

struct proc_dir_entry *vmi_proc_root;

bool vmi_table_phys;
module_param_named(table_phys, vmi_table_phys, bool, 0444);
MODULE_PARM_DESC(table_phys,
		 "show the physical addresses of page-table pages to CAP_SYS_ADMIN (default: never)");

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
	ret = vmi_track_init();
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
