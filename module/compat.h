/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vminspect's view of the kernel's differences: 6.1, 6.12 and 7.3.
 *
 * Every kernel difference the module depends on lives here, tested by
 * feature (a macro the kernel defines) where the kernel lets us, by
 * version only where it does not.  The rest of the module calls the
 * vmi_* names below and never tests LINUX_VERSION_CODE itself.
 */
#ifndef _VMI_COMPAT_H
#define _VMI_COMPAT_H

#include <linux/version.h>

/* ---- page-table walker (walk.c, decode.c, pagetable.c, translate.c) ---- */

/* ---- access control (target.c, processes.c, track.c) ---- */

#endif /* _VMI_COMPAT_H */
