/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vminspect selftests: module load/unload, reading
 * the kernel's own ground truth (/proc/<pid>/maps, smaps, pagemap, status)
 * and vminspect's files.
 */
#ifndef _VMI_UTIL_H
#define _VMI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <vminspect_abi.h>

#define VMI_MODULE_PATH	"/vmi/vminspect.ko"

bool vmi_module_loaded(void);
int vmi_module_load(void);
int vmi_module_unload(void);

/* Read a whole file into a malloc'd NUL-terminated buffer; NULL + errno. */
char *vmi_read_file(const char *path, size_t *len);

#endif /* _VMI_UTIL_H */
