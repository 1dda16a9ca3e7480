/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procfmt: the one parser of the /proc/vminspect formats
 * (Documentation/proc-vminspect.rst).  Every reader checks the version line,
 * refuses an unknown major and ignores keys and columns it does not know.
 *
 * Functions return 0 or a negative errno; -EPROTO means a format problem
 * (unknown major, malformed line) and vmv_fmt_error() says which.
 */
#ifndef _VMVIEW_PROCFMT_H
#define _VMVIEW_PROCFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <vminspect_abi.h>

/* VMVIEW_PROCFS overrides /proc/vminspect (snapshots, tests). */
const char *vmv_proc_root(void);
/* Text of the last -EPROTO (or other detail) a parser returned. */
const char *vmv_fmt_error(void);

/* Read a whole file (NUL-terminated, malloc'd); NULL with errno set. */
char *vmv_slurp(const char *path, size_t *len);
/*
 * The longest single read() vmv_slurp() made (ns), since the last call with
 * reset: one read() of a /proc/vminspect file is one walk of the module's,
 * which holds the mmap lock only in bounded pieces inside it.
 */
uint64_t vmv_read_max_ns(bool reset);

/* /proc/vminspect/processes */
struct vmv_proc {
	pid_t pid;
	uint64_t vmas;
	uint64_t rss;			/* pages */
	uint64_t pt[VMI_NR_LEVELS];	/* page-table pages per level */
	uint64_t pt_bytes;
	char comm[64];
};

int vmv_read_processes(struct vmv_proc **procs, size_t *nr);

/* /proc/vminspect/<pid>/mm: keys enum vmi_mm_key (VMI_MM_KEYS) */
/* Key names as the mm file spells them, indexed by enum vmi_mm_key. */
extern const char * const vmv_mm_key_names[VMI_MM_NR_KEYS];
/* Keys that are addresses (printed in hex, JSON as numbers all the same). */
bool vmv_mm_key_is_addr(enum vmi_mm_key k);

struct vmv_census {
	uint64_t tables, entries, capacity, bytes;
	uint64_t remote;		/* 1.4 */
	double fill_pct;
	uint64_t occ[VMI_NR_OCCS];	/* 1.4: the occupancy line */
};

#define VMV_NUMA_NODES	64

struct vmv_pt_node {
	uint64_t tables, remote, data, local;
};

struct vmv_mm {
	char comm[64];
	uint64_t key[VMI_MM_NR_KEYS];
	bool have[VMI_MM_NR_KEYS];
	uint64_t state[VMI_NR_STATES];
	uint64_t attr[VMI_NR_ATTRS];
	struct vmv_census census[VMI_NR_LEVELS];
	/* 1.4 (have[VMI_MM_PT_RESIDENT_PCT]) */
	double pt_resident_pct;
	char thp_disabled[24];
	uint64_t folio[VMI_NR_FOLIOS];
	struct vmv_pt_node pt_node[VMI_NR_LEVELS][VMV_NUMA_NODES];
};

int vmv_read_mm(pid_t pid, struct vmv_mm *mm);

/* /proc/vminspect/<pid>/vmas */
enum vmv_vma_tables { VMV_VT_PUD, VMV_VT_PMD, VMV_VT_PTE, VMV_NR_VT };

struct vmv_vma {
	uint64_t start, end;
	char perms[5];
	uint64_t offset;
	char dev[16];
	uint64_t inode;
	uint64_t state[VMI_NR_STATES];
	uint64_t attr[VMI_NR_ATTRS];
	uint64_t tables[VMV_NR_VT];
	/* 1.4 (have_thp): kind, folio sizes, empty tables, 2 MiB slots */
	bool have_thp;
	char kind[12];
	uint64_t folio[VMI_NR_FOLIOS];
	uint64_t pte_empty, pte_remote;
	uint64_t pmd_slots, slot_none, slot_swap, slot_shared;
	char *flags;		/* "rd,mr,..." */
	char *path;		/* NULL for anonymous memory */
};

int vmv_read_vmas(pid_t pid, struct vmv_vma **vmas, size_t *nr);
void vmv_free_vmas(struct vmv_vma *vmas, size_t nr);
/* The VMA containing addr, or NULL. */
const struct vmv_vma *vmv_find_vma(const struct vmv_vma *vmas, size_t nr,
				   uint64_t addr);

/* /proc/vminspect/<pid>/pagetable */
struct vmv_pt_run {
	uint64_t start, end, size;
	char level[8];		/* pud, pmd, pte or - */
	char state[16];
	char *flags;		/* "-" when none */
	char *phys;		/* "0x...", "swap:T:O" or "-" */
	size_t vma;		/* index into the vma headers */
};

struct vmv_pt_vma {
	uint64_t start, end;
	char perms[5];
	char *path;
};

struct vmv_pagetable {
	struct vmv_pt_vma *vmas;
	size_t nr_vmas;
	struct vmv_pt_run *runs;
	size_t nr_runs;
};

int vmv_read_pagetable(pid_t pid, struct vmv_pagetable *pt);
void vmv_free_pagetable(struct vmv_pagetable *pt);

/* /proc/vminspect/<pid>/translate */
struct vmv_tr_level {
	bool present;		/* this level printed */
	bool folded;
	unsigned int index;
	uint64_t entry;
	char bits[160];
};

struct vmv_translate {
	pid_t pid;
	uint64_t address;
	unsigned int paging_levels;
	bool in_vma;
	uint64_t vma_start, vma_end;
	char vma_perms[5];
	char vma_path[4096];	/* "" for anonymous memory */
	bool have_vma_offset;	/* format 1.3 */
	uint64_t vma_offset;	/* the VMA's file offset (vma_offset) */
	struct vmv_tr_level level[VMI_NR_LEVELS];
	char stop[24];
	bool have_phys;
	uint64_t page_size, page_offset, phys;
	bool have_swap;
	uint64_t swap_type, swap_offset;
	char migration[8];
};

int vmv_translate(pid_t pid, uint64_t addr, struct vmv_translate *tr);
/* The text a write of addr to translate reads back (malloc'd). */
int vmv_translate_text(pid_t pid, uint64_t addr, char **text);
/* Parse that text (modified in place); path names it in errors. */
int vmv_parse_translate(char *text, const char *path,
			struct vmv_translate *tr);

/*
 * Where the files come from: NULL (the default) reads /proc/vminspect;
 * a source (a snapshot) answers instead.  read(rel) returns the text of
 * "PID/FILE" or "processes", malloc'd, or NULL with errno set; translate()
 * answers vmv_translate().
 */
struct vmv_source {
	char *(*read)(const char *rel);
	int (*translate)(pid_t pid, uint64_t addr, struct vmv_translate *tr);
	/* report a failed read of FILE from it; returns the exit status */
	int (*error)(int err, const char *file);
};

void vmv_set_source(const struct vmv_source *src);
/* The source set, or NULL for the live files. */
const struct vmv_source *vmv_get_source(void);

/* Parse a size as pagetable prints it ("4K", "2M", "120K", "1G", "4096"). */
int vmv_parse_size(const char *s, uint64_t *out);

#endif /* _VMVIEW_PROCFMT_H */
