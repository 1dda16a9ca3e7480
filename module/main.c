// SPDX-License-Identifier: GPL-2.0
/*
 * vminspect - look inside a live process's virtual memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>

#include "vminspect.h"

struct proc_dir_entry *vmi_proc_root;

static int __init vmi_init(void)
{
	vmi_proc_root = proc_mkdir(VMI_PROC_DIR, NULL);
	if (!vmi_proc_root)
		return -ENOMEM;
	pr_info("loaded, format %d.%d\n", VMI_FORMAT_MAJOR, VMI_FORMAT_MINOR);
	return 0;
}

static void __exit vmi_exit(void)
{
	proc_remove(vmi_proc_root);
	pr_info("unloaded\n");
}

module_init(vmi_init);
module_exit(vmi_exit);
MODULE_DESCRIPTION("Inspect processes' VMAs and page tables through /proc/vminspect");
MODULE_AUTHOR("vminspect developers");
MODULE_LICENSE("GPL");
