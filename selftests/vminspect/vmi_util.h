/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vminspect selftests: module load/unload, reading
 * the kernel's own ground truth (/proc/<pid>/maps, smaps, pagemap, status)
 * and vminspect's files, and starting stopped target processes.
 */
#ifndef _VMI_UTIL_H
#define _VMI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <vminspect_abi.h>

#define VMI_MODULE_PATH	"/vmi/vminspect.ko"
#define VMI_PAGE	4096UL
#define VMI_FS_MAGIC	0x766d6966	/* statfs()'s f_type of a vminspect mount */

bool vmi_module_loaded(void);
/* finit_module(), then mount vminspect on /proc/vminspect */
int vmi_module_load(void);
/* umount -l /proc/vminspect if mounted, then delete_module(O_NONBLOCK) */
int vmi_module_unload(void);
/* vmi_module_unload() until it is not refused as busy (up to ~1 s) */
int vmi_retry_unload(void);
/* loaded and mounted on /proc/vminspect, whatever it was before */
int vmi_module_ensure(void);
/* mount a vminspect file system on DIR (nosuid,nodev,noexec) */
int vmi_fs_mount(const char *dir);
/* is DIR the root of a vminspect mount? */
bool vmi_fs_mounted(const char *dir);

/* Read a whole file into a malloc'd NUL-terminated buffer; NULL + errno. */
char *vmi_read_file(const char *path, size_t *len);
char *vmi_read_pidfile(pid_t pid, const char *name);	/* /proc/vminspect/PID/NAME */

/* One VMA as /proc/<pid>/maps or /proc/vminspect/<pid>/vmas shows it. */
struct vmi_vma {
	unsigned long start, end;
	char perms[5];
	unsigned long long offset;
	unsigned int dev_major, dev_minor;
	unsigned long ino;
	char path[256];
	/* vmas only */
	unsigned long state[VMI_NR_STATES];
	unsigned long attr[VMI_NR_ATTRS];
	unsigned long tables[3];	/* pud, pmd, pte */
	char flags[160];
};

/* Parse into a malloc'd array; return the count, or -1 with errno set. */
int vmi_read_maps(pid_t pid, struct vmi_vma **out);
int vmi_read_vmas(pid_t pid, struct vmi_vma **out);
int vmi_parse_vmas(char *text, struct vmi_vma **out);

/*
 * pagemap truth for [start, end): present, swap (incl. migration) pages,
 * and present pages mapped exclusively (bit 56).
 */
struct vmi_pagemap_counts {
	unsigned long present, swap, exclusive, none;
};

int vmi_pagemap_counts(pid_t pid, unsigned long start, unsigned long end,
		       struct vmi_pagemap_counts *c);
/* One pagemap entry. */
int vmi_pagemap_entry(pid_t pid, unsigned long addr, uint64_t *entry);

/* "Key:   N kB" of /proc/<pid>/status, in kB; -1 if absent. */
long vmi_status_kb(pid_t pid, const char *key);
/* Rss of the smaps record starting at @start, in kB; -1 if absent. */
long vmi_smaps_rss_kb(pid_t pid, unsigned long start);
long vmi_smaps_total_rss_kb(pid_t pid, bool skip_hugetlb);

/* "key value" of our text formats; value as parsed by strtoul(..., 0). */
bool vmi_kv(const char *text, const char *key, unsigned long *val);
/* "census LEVEL tables entries capacity fill bytes" */
bool vmi_census_line(const char *text, const char *level, unsigned long *tables,
		     unsigned long *entries, unsigned long *capacity,
		     unsigned long *bytes);

/* Wait (up to ~5 s) until /proc/vminspect/<pid> and its files exist (or it is gone). */
int vmi_wait_pid_dir(pid_t pid, bool present);

/*
 * fork(); the child runs fn(arg), then stops itself with SIGSTOP and, once
 * continued, exits 0.  Returns the pid with the child stopped, or -1.
 */
pid_t vmi_spawn_stopped(void (*fn)(void *arg), void *arg);
/* SIGKILL and reap. */
void vmi_kill(pid_t pid);

/* Environment. */
bool vmi_thp_available(void);
int vmi_swap_on(void);			/* zram swap; 0 if on */
bool vmi_hugetlb_reserve(unsigned long size_kb, int pages);
int vmi_paging_levels(void);		/* 5 if the CPU flags show la57 */

#endif /* _VMI_UTIL_H */
