/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vminspect module internals.
 */
#ifndef _VMI_VMINSPECT_H
#define _VMI_VMINSPECT_H

#include <vminspect_abi.h>

extern struct proc_dir_entry *vmi_proc_root;

#endif /* _VMI_VMINSPECT_H */
