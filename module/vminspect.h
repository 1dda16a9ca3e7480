/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vminspect module internals.
 */
#ifndef _VMI_VMINSPECT_H
#define _VMI_VMINSPECT_H

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/path.h>
#include <linux/pgtable.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/string_helpers.h>

#include <vminspect_abi.h>

#include "walk.h"

/**
 * struct vmi_target - what an open per-process file holds
 * @mm:		the address space, mmgrab()bed at open (mm_count only)
 * @pid:	thread-group id in the pid namespace of the file's mount
 * @show_phys:	opener had CAP_SYS_ADMIN in the initial user namespace:
 *		show PFNs of leaf entries and swap offsets
 * @show_table_phys: @show_phys and the table_phys module parameter: show
 *		the physical addresses of page-table pages too
 * @show_ad:	show per-page accessed/dirty bits: @show_phys, or the opener
 *		is the process itself
 * @comm:	the process's name at open
 * @kptr_mm:	the mm_struct's address as %pK printed it for the opener
 * @kptr_pgd:	the same for the pgd
 */
struct vmi_target {
	struct mm_struct *mm;
	pid_t pid;
	bool show_phys;
	bool show_table_phys;
	bool show_ad;
	char comm[TASK_COMM_LEN];
	char kptr_mm[20];
	char kptr_pgd[20];
};

/* fs.c: the vminspect file system, mounted on /proc/vminspect */
int vmi_fs_init(void);
void vmi_fs_exit(void);

/* The pid namespace of a vminspect superblock: its mounter's. */
static inline struct pid_namespace *vmi_sb_ns(const struct super_block *sb)
{
	return sb->s_fs_info;
}

/* The process of a per-process inode (NULL: the root, processes). */
static inline struct pid *vmi_inode_pid(const struct inode *inode)
{
	return inode->i_private;
}

/**
 * struct vmi_reader - a reader's /proc (see vmi_reader_get())
 * @proc:	the root of the procfs at "proc" under the reader's root
 * @ns:		its pid namespace (held by the superblock of @proc)
 */
struct vmi_reader {
	struct path proc;
	struct pid_namespace *ns;
};

/* target.c: who may look at which process */
int vmi_access_init(void);
int vmi_reader_get(struct vmi_reader *r);
void vmi_reader_put(struct vmi_reader *r);
bool vmi_reader_may_try(const struct vmi_reader *r, struct task_struct *task);
struct mm_struct *vmi_pagemap_mm(const struct vmi_reader *r,
				 struct task_struct *task);
bool vmi_task_is_process(struct task_struct *task);
struct task_struct *vmi_pid_process(struct pid *pid);
struct pid *vmi_find_process_pid(struct pid_namespace *ns, pid_t nr);
struct task_struct *vmi_next_process(struct pid_namespace *ns, pid_t *nr);
int vmi_target_open(struct vmi_target *t, struct inode *inode,
		    struct file *file);
void vmi_target_release(struct vmi_target *t);
struct mm_struct *vmi_target_get_mm(struct vmi_target *t);

/* the files */
extern const struct file_operations vmi_processes_fops;
extern const struct file_operations vmi_mm_fops;
extern const struct file_operations vmi_vmas_fops;
extern const struct file_operations vmi_pagetable_fops;
extern const struct file_operations vmi_translate_fops;

/* mm.c: census of a whole address space */
int vmi_census(struct mm_struct *mm, struct vmi_walk *w);

#define VMI_VMA_NAME_LEN	32

/*
 * What is printed of one VMA, copied under the lock: its range, flags and
 * file offset, the file (referenced until the record is dropped) with its
 * device and inode, or the name maps gives it ([heap], [vdso]...), and
 * its enum vmi_kind.
 */
struct vmi_vma_rec {
	unsigned long start;
	unsigned long end;
	unsigned long flags;
	unsigned long long offset;
	dev_t dev;
	unsigned long ino;
	struct file *file;
	int kind;
	char name[VMI_VMA_NAME_LEN];
};

/**
 * struct vmi_vma_seq - cursor of the per-VMA seq_files (see vmas.c)
 * @t:		the target
 * @mm:		pinned (mm_users) from seq start to stop
 * @rec:	the current VMA
 * @addr:	where the current record starts in it
 * @next:	where the next record starts (set by show, default @rec.end)
 * @walk:	the file's walk, which holds the mmap lock from start to stop
 */
struct vmi_vma_seq {
	struct vmi_target t;
	struct mm_struct *mm;
	struct vmi_walk *walk;
	struct vmi_vma_rec rec;
	unsigned long addr;
	unsigned long next;
};

void *vmi_vma_seq_start(struct seq_file *m, loff_t *pos);
void *vmi_vma_seq_next(struct seq_file *m, void *v, loff_t *pos);
void vmi_vma_seq_stop(struct seq_file *m, void *v);
int vmi_vma_seq_open(struct inode *inode, struct file *file,
		     const struct seq_operations *ops, int size,
		     size_t walk_offset);
int vmi_vma_seq_release(struct inode *inode, struct file *file);

/* vmas.c: VMA records shared by vmas, pagetable and translate */
void vmi_rec_fill(struct vm_area_struct *vma, struct vmi_vma_rec *rec);
void vmi_rec_put(struct vmi_vma_rec *rec);
bool vmi_rec_has_path(const struct vmi_vma_rec *rec);
void vmi_put_path(struct seq_file *m, const void *rec);

/*
 * format.c: the files print from the tables of include/vminspect_abi.h.
 * A value is printed by @put(m, @arg) if set, else from @s (a WORD; a
 * TEXT name, escaped as status escapes it), else from @n as the field's
 * type says.  A TEXT value with neither @put nor @s is absent.
 */
struct vmi_val {
	u64 n;
	const char *s;
	void (*put)(struct seq_file *m, const void *arg);
	const void *arg;
};

extern const struct vmi_field vmi_ps_cols[VMI_PS_NR_COLS];
extern const struct vmi_field vmi_mm_keys[VMI_MM_NR_KEYS];
extern const struct vmi_field vmi_census_cols[VMI_CENSUS_NR_COLS];
extern const struct vmi_field vmi_occrow_cols[VMI_OCCROW_NR_COLS];
extern const struct vmi_field vmi_ptnode_cols[VMI_PTNODE_NR_COLS];
extern const struct vmi_field vmi_vmas_cols[VMI_VMAS_NR_COLS];
extern const struct vmi_field vmi_vmarow_cols[VMI_VMAROW_NR_COLS];
extern const struct vmi_field vmi_pt_cols[VMI_PT_NR_COLS];
extern const struct vmi_field vmi_tr_keys[VMI_TR_NR_KEYS];
extern const struct vmi_field vmi_trlevel_cols[VMI_TRLEVEL_NR_COLS];
extern const struct vmi_field vmi_trswap_cols[VMI_TRSWAP_NR_COLS];

void vmi_seq_hex(struct seq_file *m, char delim, unsigned long long val,
		 int width);
void vmi_seq_val(struct seq_file *m, const struct vmi_field *f,
		 const struct vmi_val *v);
void vmi_seq_header(struct seq_file *m, const char *tag,
		    const struct vmi_field *f, int nr);
void vmi_seq_row(struct seq_file *m, const char *tag,
		 const struct vmi_field *f, int nr, const struct vmi_val *v);
void vmi_seq_keys(struct seq_file *m, const struct vmi_field *f, int nr,
		  const struct vmi_val *v, const unsigned long *have,
		  void (*lines)(struct seq_file *m, int key, void *arg),
		  void *arg);
/* The "vma" line of pagetable and translate (VMI_VMAROW_COLS). */
void vmi_seq_vmarow(struct seq_file *m, const struct vmi_vma_rec *rec);

/* decode.c: x86 entry bits */
void vmi_seq_entry_bits(struct seq_file *m, enum vmi_level level,
			enum vmi_state state, u64 val, bool leaf);
u64 vmi_entry_visible(u64 val, bool present, bool show_phys);
u64 vmi_entry_phys(enum vmi_level level, u64 val);

/*
 * An entry as this opener may see it: the accessed and dirty bits of
 * present entries only for @t->show_ad (per-page access history is root's,
 * as idle page tracking is; see Documentation/proc-vminspect.rst).
 */
static inline u64 vmi_target_bits(const struct vmi_target *t, u64 val,
				  bool present)
{
	if (t->show_ad || !present)
		return val;
	return val & ~(u64)(_PAGE_ACCESSED | _PAGE_DIRTY);
}

/* A name (comm) escaped as /proc/<pid>/status escapes it. */
static inline void vmi_seq_comm(struct seq_file *m, const char *comm)
{
	seq_escape_str(m, comm, ESCAPE_SPACE | ESCAPE_SPECIAL, "\n\\");
}

/* Version line of every file. */
static inline void vmi_seq_version(struct seq_file *m, const char *file)
{
	seq_printf(m, "vminspect-%s %d.%d\n", file, VMI_FORMAT_MAJOR,
		   VMI_FORMAT_MINOR);
}

#endif /* _VMI_VMINSPECT_H */
