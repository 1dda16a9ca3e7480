/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vminspect selftests: module load/unload, reading
 * the kernel's own ground truth (/proc/<pid>/maps, smaps, pagemap, status)
 * and vminspect's files, and starting stopped target processes.
 */
#ifndef _VST_UTIL_H
#define _VST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <vminspect_abi.h>

#define VST_MODULE_PATH	"/vmi/vminspect.ko"
#define VST_PAGE	4096UL

bool vst_module_loaded(void);
/* finit_module(), then mount vminspect on /proc/vminspect */
int vst_module_load(void);
/* umount -l /proc/vminspect if mounted, then delete_module(O_NONBLOCK) */
int vst_module_unload(void);
/* vst_module_unload() until it is not refused as busy (up to ~30 s) */
int vst_retry_unload(void);

/* Is each of the @n counters (shared between processes) above zero? */
bool vst_all_positive(long *const counters[], size_t n);
/* loaded and mounted on /proc/vminspect, whatever it was before */
int vst_module_ensure(void);
/* mount a vminspect file system on DIR (nosuid,nodev,noexec) */
int vst_fs_mount(const char *dir);
/* is DIR the root of a vminspect mount? */
bool vst_fs_mounted(const char *dir);

/* Read a whole file into a malloc'd NUL-terminated buffer; NULL + errno. */
char *vst_read_file(const char *path, size_t *len);
char *vst_read_pidfile(pid_t pid, const char *name);	/* /proc/vminspect/PID/NAME */

/* One VMA as /proc/<pid>/maps or /proc/vminspect/<pid>/vmas shows it. */
struct vst_vma {
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
int vst_read_maps(pid_t pid, struct vst_vma **out);
int vst_read_vmas(pid_t pid, struct vst_vma **out);
int vst_parse_vmas(char *text, struct vst_vma **out);

/*
 * pagemap truth for [start, end): present, swap (incl. migration) pages,
 * and present pages mapped exclusively (bit 56).
 */
struct vst_pagemap_counts {
	unsigned long present, swap, exclusive, none;
};

int vst_pagemap_counts(pid_t pid, unsigned long start, unsigned long end,
		       struct vst_pagemap_counts *c);
/* One pagemap entry. */
int vst_pagemap_entry(pid_t pid, unsigned long addr, uint64_t *entry);

/* "Key:   N kB" of /proc/<pid>/status, in kB; -1 if absent. */
long vst_status_kb(pid_t pid, const char *key);
/* Rss of the smaps record starting at @start, in kB; -1 if absent. */
long vst_smaps_rss_kb(pid_t pid, unsigned long start);
long vst_smaps_total_rss_kb(pid_t pid, bool skip_hugetlb);

/* "key value" of our text formats; value as parsed by strtoul(..., 0). */
bool vst_kv(const char *text, const char *key, unsigned long *val);
/* The names of the ABI tables' keys (include/vminspect_abi.h). */
extern const char *const vst_mm_key_name[VMI_MM_NR_KEYS];
extern const char *const vst_tr_key_name[VMI_TR_NR_KEYS];
/* An mm key, by its ABI enum. */
bool vst_mm_key(const char *text, enum vmi_mm_key key, unsigned long *val);
/*
 * Positions of the columns @names (@nr of them, an ABI table's names) in a
 * header line "# [@tag] NAME...": @pos[i] is the word index of column i or
 * -1.  Returns the number of columns the header names, or -1.
 */
int vst_header_cols(const char *header, const char *tag,
		    const char *const *names, int nr, int *pos);
/* Split @line at blanks into at most @max words, the last one the rest. */
int vst_words(char *line, char **w, int max);
/* A "census LEVEL ..." line of mm, its columns as its header names them. */
bool vst_census_line(const char *text, const char *level, unsigned long *tables,
		     unsigned long *entries, unsigned long *capacity,
		     unsigned long *bytes);

/* Wait (up to ~5 s) until /proc/vminspect/<pid> and its files exist (or it is gone). */
int vst_wait_pid_dir(pid_t pid, bool present);

/*
 * fork(); the child runs fn(arg), then stops itself with SIGSTOP and, once
 * continued, exits 0.  Returns the pid with the child stopped, or -1.
 */
pid_t vst_spawn_stopped(void (*fn)(void *arg), void *arg);
/* SIGKILL and reap. */
void vst_kill(pid_t pid);

/* Environment. */
bool vst_thp_available(void);
int vst_swap_on(void);			/* zram swap; 0 if on */
bool vst_hugetlb_reserve(unsigned long size_kb, int pages);
int vst_paging_levels(void);		/* 5 if the CPU flags show la57 */

/*
 * Write @val to sysfs file @path; if @old, first keep its value there (a
 * choice file's [selected] word) for a later vst_sysfs_set(path, old,
 * NULL, 0).  Returns 0 or -1.
 */
int vst_sysfs_set(const char *path, const char *val, char *old, size_t len);

/* The names in @dir other than "." and "..", or -1 if it cannot be read. */
int vst_count_entries(const char *dir);

#endif /* _VST_UTIL_H */
