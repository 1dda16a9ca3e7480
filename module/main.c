// SPDX-License-Identifier: GPL-2.0
/*
 * vminspect - look inside a live process's virtual memory.
 *
 * The module makes /proc/vminspect a mount point and registers the
 * vminspect file system (fs.c), which its users mount there (type and
 * source "vminspect", see README.md): its processes file lists
 * the processes, and <pid>/ holds each one's mm summary, VMA map,
 * page-table map and an address translator.
 * Documentation/proc-vminspect.rst describes the files.
 *
 * A mounted vminspect and every file open on one pin the module, so
 * vmi_exit() runs only once all are gone: no code of ours runs after it
 * returns.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "vminspect.h"

static int __init vmi_init(void)
{
	int ret;

	ret = vmi_access_init();
	if (ret)
		return ret;
	ret = vmi_fs_init();
	if (ret)
		return ret;

	pr_info("loaded, format %d.%d, %d-level paging\n", VMI_FORMAT_MAJOR,
		VMI_FORMAT_MINOR, vmi_paging_levels());
	return 0;
}

static void __exit vmi_exit(void)
{
	vmi_fs_exit();
	pr_info("unloaded\n");
}

module_init(vmi_init);
module_exit(vmi_exit);
MODULE_DESCRIPTION("Inspect processes' VMAs and page tables through /proc/vminspect");
MODULE_AUTHOR("vminspect developers");
MODULE_LICENSE("GPL");
