// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vminspect/<pid>/vmas: one line per VMA, what /proc/<pid>/maps shows
 * followed by the walker's counts for the VMA's range.
 *
 * The seq_file position encodes the address to continue at (0 is the
 * header line, N > 0 the first VMA ending above (N - 1) << PAGE_SHIFT), so
 * a reader resumes correctly however the buffer was cut and whatever
 * changed in between.  The mmap lock is only held to find a VMA and copy
 * what is printed of it, then per batch by the walker.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "vminspect.h"

#define VMI_VMA_NAME_LEN	32

/*
 * What is printed of one VMA, copied under the lock: its range, flags and
 * file offset, the file (referenced until the record is dropped) with its
 * device and inode, or the name maps gives it ([heap], [vdso]...).
 */
struct vmi_vma_rec {
	unsigned long start;
	unsigned long end;
	unsigned long flags;
	unsigned long long offset;
	dev_t dev;
	unsigned long ino;
	struct file *file;
	char name[VMI_VMA_NAME_LEN];
};

struct vmi_vmas_priv {
	struct vmi_target t;
	struct mm_struct *mm;		/* mm_users held from start to stop */
	struct vmi_vma_rec rec;
	struct vmi_walk walk;
};

/* smaps' VmFlags mnemonics (fs/proc/task_mmu.c) */
static const struct {
	unsigned long flag;
	const char name[3];
} vmi_vma_flags[] = {
	{ VM_READ, "rd" }, { VM_WRITE, "wr" }, { VM_EXEC, "ex" },
	{ VM_SHARED, "sh" }, { VM_MAYREAD, "mr" }, { VM_MAYWRITE, "mw" },
	{ VM_MAYEXEC, "me" }, { VM_MAYSHARE, "ms" }, { VM_GROWSDOWN, "gd" },
	{ VM_PFNMAP, "pf" }, { VM_LOCKED, "lo" }, { VM_IO, "io" },
	{ VM_SEQ_READ, "sr" }, { VM_RAND_READ, "rr" }, { VM_DONTCOPY, "dc" },
	{ VM_DONTEXPAND, "de" }, { VM_ACCOUNT, "ac" }, { VM_NORESERVE, "nr" },
	{ VM_HUGETLB, "ht" }, { VM_SYNC, "sf" }, { VM_ARCH_1, "ar" },
	{ VM_WIPEONFORK, "wf" }, { VM_DONTDUMP, "dd" },
#ifdef CONFIG_MEM_SOFT_DIRTY
	{ VM_SOFTDIRTY, "sd" },
#endif
	{ VM_MIXEDMAP, "mm" }, { VM_HUGEPAGE, "hg" }, { VM_NOHUGEPAGE, "nh" },
	{ VM_MERGEABLE, "mg" }, { VM_UFFD_MISSING, "um" }, { VM_UFFD_WP, "uw" },
#ifdef CONFIG_HAVE_ARCH_USERFAULTFD_MINOR
	{ VM_UFFD_MINOR, "ui" },
#endif
};

static void vmi_seq_vma_flags(struct seq_file *m, unsigned long flags)
{
	bool first = true;
	int i;

	for (i = 0; i < ARRAY_SIZE(vmi_vma_flags); i++) {
		if (!(flags & vmi_vma_flags[i].flag))
			continue;
		seq_printf(m, "%s%s", first ? "" : ",", vmi_vma_flags[i].name);
		first = false;
	}
	if (first)
		seq_putc(m, '-');
}

/* The name /proc/<pid>/maps gives a VMA without a file (show_map_vma()). */
static void vmi_vma_name(struct vm_area_struct *vma, char *buf, size_t len)
{
	struct mm_struct *mm = vma->vm_mm;
	const char *name = NULL;

	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);
	if (!name && vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk)
		name = "[heap]";
	if (!name && vma->vm_start <= mm->start_stack &&
	    vma->vm_end >= mm->start_stack)
		name = "[stack]";
	strscpy(buf, name ?: "", len);
}

static void vmi_rec_put(struct vmi_vma_rec *rec)
{
	if (rec->file)
		fput(rec->file);
	rec->file = NULL;
}

/* Copy the first VMA ending above @addr into @rec. */
static int vmi_rec_get(struct mm_struct *mm, unsigned long addr,
		       struct vmi_vma_rec *rec)
{
	struct vm_area_struct *vma;
	int ret = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma = find_vma(mm, addr);
	if (!vma) {
		ret = -ENOENT;
		goto out_unlock;
	}
	rec->start = vma->vm_start;
	rec->end = vma->vm_end;
	rec->flags = vma->vm_flags;
	rec->offset = 0;
	rec->dev = 0;
	rec->ino = 0;
	rec->name[0] = '\0';
	rec->file = vma->vm_file;
	if (rec->file) {
		struct inode *inode = file_inode(rec->file);

		get_file(rec->file);
		rec->dev = inode->i_sb->s_dev;
		rec->ino = inode->i_ino;
		rec->offset = (unsigned long long)vma->vm_pgoff << PAGE_SHIFT;
	} else {
		vmi_vma_name(vma, rec->name, sizeof(rec->name));
	}
out_unlock:
	mmap_read_unlock(mm);
	return ret;
}

static void *vmi_vmas_start(struct seq_file *m, loff_t *pos)
{
	struct vmi_vmas_priv *p = m->private;
	int ret;

	p->mm = vmi_target_get_mm(&p->t);
	if (!p->mm)
		return ERR_PTR(-ESRCH);
	if (*pos == 0)
		return SEQ_START_TOKEN;
	ret = vmi_rec_get(p->mm, (unsigned long)(*pos - 1) << PAGE_SHIFT,
			  &p->rec);
	if (ret == -ENOENT)
		return NULL;
	return ret ? ERR_PTR(ret) : &p->rec;
}

static void *vmi_vmas_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct vmi_vmas_priv *p = m->private;
	unsigned long addr = 0;
	int ret;

	if (v != SEQ_START_TOKEN) {
		addr = p->rec.end;
		vmi_rec_put(&p->rec);
	}
	*pos = (addr >> PAGE_SHIFT) + 1;
	ret = vmi_rec_get(p->mm, addr, &p->rec);
	if (ret == -ENOENT)
		return NULL;
	return ret ? ERR_PTR(ret) : &p->rec;
}

static void vmi_vmas_stop(struct seq_file *m, void *v)
{
	struct vmi_vmas_priv *p = m->private;

	vmi_rec_put(&p->rec);
	if (p->mm)
		mmput(p->mm);
	p->mm = NULL;
}

static int vmi_vmas_show(struct seq_file *m, void *v)
{
	static const char *const states[] = VMI_STATE_NAMES;
	static const char *const attrs[] = VMI_ATTR_NAMES;
	struct vmi_vmas_priv *p = m->private;
	struct vmi_vma_rec *r = &p->rec;
	struct vmi_walk *w = &p->walk;
	unsigned long fl = r->flags;
	int i, ret;

	if (v == SEQ_START_TOKEN) {
		vmi_seq_version(m, VMI_PROC_VMAS);
		seq_puts(m, "# start end perms offset dev inode");
		for (i = 0; i < VMI_NR_STATES; i++)
			seq_printf(m, " %s", states[i]);
		for (i = 0; i < VMI_NR_ATTRS; i++)
			seq_printf(m, " %s", attrs[i]);
		seq_puts(m, " pud_tables pmd_tables pte_tables flags path\n");
		return 0;
	}

	vmi_walk_init(w, p->mm, NULL, NULL);
	ret = vmi_walk_range(w, r->start, r->end);
	if (ret)
		return ret;

	seq_printf(m, "%016lx %016lx %c%c%c%c %08llx %02x:%02x %lu",
		   r->start, r->end,
		   fl & VM_READ ? 'r' : '-', fl & VM_WRITE ? 'w' : '-',
		   fl & VM_EXEC ? 'x' : '-', fl & VM_MAYSHARE ? 's' : 'p',
		   r->offset, MAJOR(r->dev), MINOR(r->dev), r->ino);
	for (i = 0; i < VMI_NR_STATES; i++)
		seq_printf(m, " %lu", w->counts.state[i]);
	for (i = 0; i < VMI_NR_ATTRS; i++)
		seq_printf(m, " %lu", w->counts.attr[i]);
	seq_printf(m, " %lu %lu %lu ", w->counts.tables[VMI_LEVEL_PUD],
		   w->counts.tables[VMI_LEVEL_PMD],
		   w->counts.tables[VMI_LEVEL_PTE]);
	vmi_seq_vma_flags(m, fl);
	if (r->file) {
		seq_putc(m, ' ');
		seq_file_path(m, r->file, "\n");
	} else if (r->name[0]) {
		seq_printf(m, " %s", r->name);
	}
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations vmi_vmas_seq_ops = {
	.start	= vmi_vmas_start,
	.next	= vmi_vmas_next,
	.stop	= vmi_vmas_stop,
	.show	= vmi_vmas_show,
};

static int vmi_vmas_open(struct inode *inode, struct file *file)
{
	struct vmi_vmas_priv *p;
	int ret;

	p = __seq_open_private(file, &vmi_vmas_seq_ops, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ret = vmi_target_open(&p->t, inode, file);
	if (ret)
		seq_release_private(inode, file);
	return ret;
}

static int vmi_vmas_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct vmi_vmas_priv *p = m->private;

	vmi_target_release(&p->t);
	return seq_release_private(inode, file);
}

const struct proc_ops vmi_vmas_proc_ops = {
	.proc_open	= vmi_vmas_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= vmi_vmas_release,
};
