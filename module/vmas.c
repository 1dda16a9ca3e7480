// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vminspect/<pid>/vmas: one line per VMA, what /proc/<pid>/maps shows
 * followed by the walker's counts for the VMA's range.  Also the VMA
 * records and the seq_file cursor over VMAs that pagetable shares.
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

#include "compat.h"
#include "vminspect.h"

struct vmi_vmas_priv {
	struct vmi_vma_seq s;		/* first: the shared cursor */
	struct vmi_walk walk;
	struct vmi_val cols[VMI_VMAS_NR_COLS];	/* the line being printed */
	char perms[5];			/* its "rwxp" */
	unsigned long flags_of;		/* the vm_flags @flags spells */
	char flags[96];			/* as smaps' VmFlags, "," for " " */
};

/* the columns of state and attribute counts follow the ABI's order */
static_assert(VMI_VMAS_UNTOUCHED - VMI_VMAS_PRESENT == VMI_STATE_UNTOUCHED);
static_assert(VMI_VMAS_NOPAGE - VMI_VMAS_HUGE_PMD == VMI_ATTR_NOPAGE);
static_assert(VMI_VMAS_BIG - VMI_VMAS_4K == VMI_FOLIO_BIG);

static const char *const vmi_kind_names[] = VMI_KIND_NAMES;

/* The kind of a VMA (vmas' "kind"), as the kernel treats it for THP. */
static enum vmi_kind vmi_vma_kind(struct vm_area_struct *vma)
{
	if (is_vm_hugetlb_page(vma))
		return VMI_KIND_HUGETLB;
	if (vma->vm_flags & (VM_PFNMAP | VM_IO | VM_MIXEDMAP))
		return VMI_KIND_SPECIAL;
	if (vma_is_anonymous(vma))
		return VMI_KIND_ANON;
	if (!vma->vm_file)
		return VMI_KIND_SPECIAL;
	if (vmi_vma_shmem(vma))
		return VMI_KIND_SHMEM;
	return VMI_KIND_FILE;
}

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

/*
 * @flags as smaps' VmFlags, joined by ","; "-" for none.  Most VMAs of a
 * process share their flags: @p keeps the last string made.
 */
static const char *vmi_vma_flags_str(struct vmi_vmas_priv *p,
				     unsigned long flags)
{
	char *s = p->flags;
	int i;

	if (p->flags[0] && p->flags_of == flags)
		return p->flags;
	for (i = 0; i < ARRAY_SIZE(vmi_vma_flags); i++) {
		if (!(flags & vmi_vma_flags[i].flag))
			continue;
		if (s != p->flags)
			*s++ = ',';
		*s++ = vmi_vma_flags[i].name[0];
		*s++ = vmi_vma_flags[i].name[1];
	}
	if (s == p->flags)
		*s++ = '-';
	*s = '\0';
	p->flags_of = flags;
	return p->flags;
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

/* Does maps print a path for the VMA (none for anonymous memory)? */
bool vmi_rec_has_path(const struct vmi_vma_rec *r)
{
	return r->file || r->name[0];
}

/* The path (@rec: a struct vmi_vma_rec) as /proc/<pid>/maps prints it */
void vmi_put_path(struct seq_file *m, const void *rec)
{
	const struct vmi_vma_rec *r = rec;

	if (r->file)
		seq_file_path(m, r->file, "\n");
	else
		seq_puts(m, r->name);
}

/* "rwxp" of @fl, as /proc/<pid>/maps prints it, into @perms[4] */
static void vmi_perms(unsigned long fl, char *perms)
{
	perms[0] = fl & VM_READ ? 'r' : '-';
	perms[1] = fl & VM_WRITE ? 'w' : '-';
	perms[2] = fl & VM_EXEC ? 'x' : '-';
	perms[3] = fl & VM_MAYSHARE ? 's' : 'p';
}

/* "rwxp" (@arg: the VMA's unsigned long vm_flags) */
static void vmi_put_perms(struct seq_file *m, const void *arg)
{
	char perms[4];

	vmi_perms(*(const unsigned long *)arg, perms);
	seq_write(m, perms, sizeof(perms));
}

/* "vma START END PERMS [PATH]" (VMI_VMAROW_COLS) */
void vmi_seq_vmarow(struct seq_file *m, const struct vmi_vma_rec *r)
{
	struct vmi_val v[VMI_VMAROW_NR_COLS] = {
		[VMI_VMAROW_START] = { .n = r->start },
		[VMI_VMAROW_END] = { .n = r->end },
		[VMI_VMAROW_PERMS] = { .put = vmi_put_perms, .arg = &r->flags },
	};

	if (vmi_rec_has_path(r))
		v[VMI_VMAROW_PATH] = (struct vmi_val){ .put = vmi_put_path,
						       .arg = r };
	vmi_seq_row(m, VMI_VMAROW_TAG, vmi_vmarow_cols, VMI_VMAROW_NR_COLS, v);
}

/**
 * vmi_rec_fill - copy what is printed of @vma into @rec
 * @vma:	a VMA, under the mmap lock (may be called in atomic context)
 * @rec:	filled; release with vmi_rec_put()
 */
void vmi_rec_fill(struct vm_area_struct *vma, struct vmi_vma_rec *rec)
{
	rec->start = vma->vm_start;
	rec->end = vma->vm_end;
	rec->flags = vma->vm_flags;
	rec->offset = 0;
	rec->dev = 0;
	rec->ino = 0;
	rec->name[0] = '\0';
	rec->kind = vmi_vma_kind(vma);
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
}

void vmi_rec_put(struct vmi_vma_rec *rec)
{
	if (rec->file)
		fput(rec->file);
	rec->file = NULL;
}

/*
 * The per-VMA seq_files (vmas, pagetable) walk the address space with a
 * cursor: the seq_file position is the address the next record starts at
 * (0 is the header line, N > 0 the first VMA ending above
 * (N - 1) << PAGE_SHIFT), so a reader resumes correctly however the buffer
 * was cut and whatever changed in between.  mm_users is held from start to
 * stop, and so is the mmap read lock, as /proc/<pid>/maps holds it for a
 * buffer: the file's walk takes it (vmi_walk_lock()) and cycles it when a
 * batch of entries is used up or a writer waits, between VMAs
 * (vmi_walk_yield(), each VMA costing VMI_VMA_COST entries) and inside a
 * big one (the walker itself).  A show() records where the next record
 * starts in s->next (by default the end of the VMA).
 */
#define VMI_VMA_COST	8

static void *vmi_vma_seq_find(struct vmi_vma_seq *s, unsigned long addr)
{
	struct vm_area_struct *vma;

	vmi_mmap_assert_locked(s->mm);
	vma = find_vma(s->mm, addr);
	if (!vma)
		return NULL;
	vmi_rec_fill(vma, &s->rec);
	s->walk->vma = vma;	/* for the walk of the record, if under this hold */
	s->addr = max(addr, s->rec.start);
	s->next = s->rec.end;
	return &s->rec;
}

void *vmi_vma_seq_start(struct seq_file *m, loff_t *pos)
{
	struct vmi_vma_seq *s = m->private;
	int ret;

	s->mm = vmi_target_get_mm(&s->t);
	if (!s->mm)
		return ERR_PTR(-ESRCH);
	s->walk->mm = s->mm;
	s->walk->hold = true;
	ret = vmi_walk_lock(s->walk);
	if (ret)
		return ERR_PTR(ret);
	if (*pos == 0)
		return SEQ_START_TOKEN;
	return vmi_vma_seq_find(s, (unsigned long)(*pos - 1) << PAGE_SHIFT);
}

void *vmi_vma_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct vmi_vma_seq *s = m->private;
	unsigned long addr = 0;
	int ret;

	if (v != SEQ_START_TOKEN) {
		addr = s->next;
		vmi_rec_put(&s->rec);
	}
	*pos = (addr >> PAGE_SHIFT) + 1;
	ret = vmi_walk_yield(s->walk, VMI_VMA_COST);
	if (ret < 0)
		return ERR_PTR(ret);
	return vmi_vma_seq_find(s, addr);
}

void vmi_vma_seq_stop(struct seq_file *m, void *v)
{
	struct vmi_vma_seq *s = m->private;

	vmi_rec_put(&s->rec);
	if (s->mm) {
		vmi_walk_unlock(s->walk);
		mmput(s->mm);
	}
	s->mm = NULL;
}

/*
 * The seq_file's buffer: what one read() can return.  seq_read() fills
 * a page at a time by default, and each read() takes the lock, finds the
 * VMA again and shows the record that did not fit twice; a reader with a
 * large buffer (vmview, cat) gets up to this much per call.  The lock is
 * still cycled per batch of the walk.
 */
#define VMI_VMA_SEQ_BUF		(64 << 10)

/**
 * vmi_vma_seq_open - open a per-VMA seq_file
 * @inode:	the file's inode
 * @file:	the file
 * @ops:	its seq_operations (start, next, stop: the vmi_vma_seq_* ones)
 * @size:	size of its private data, which starts with struct vmi_vma_seq
 * @walk_offset: where in it the file's struct vmi_walk is
 *
 * The walk's ops and private data are the caller's to set once open.
 */
int vmi_vma_seq_open(struct inode *inode, struct file *file,
		     const struct seq_operations *ops, int size,
		     size_t walk_offset)
{
	struct vmi_vma_seq *s;
	struct seq_file *m;
	int ret;

	s = __seq_open_private(file, ops, size);
	if (!s)
		return -ENOMEM;
	/* else seq_read() allocates its page */
	m = file->private_data;
	m->buf = kvmalloc(VMI_VMA_SEQ_BUF, GFP_KERNEL_ACCOUNT);
	if (m->buf)
		m->size = VMI_VMA_SEQ_BUF;
	s->walk = (struct vmi_walk *)((char *)s + walk_offset);
	vmi_walk_init(s->walk, NULL, NULL, NULL);
	ret = vmi_target_open(&s->t, inode, file);
	if (ret)
		seq_release_private(inode, file);
	return ret;
}

int vmi_vma_seq_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct vmi_vma_seq *s = m->private;

	vmi_target_release(&s->t);
	return seq_release_private(inode, file);
}

static int vmi_vmas_show(struct seq_file *m, void *v)
{
	struct vmi_vmas_priv *p = m->private;
	struct vmi_vma_rec *r = &p->s.rec;
	struct vmi_walk *w = &p->walk;
	struct vmi_val *c = p->cols;
	int i, ret;

	if (v == SEQ_START_TOKEN) {
		vmi_seq_version(m, VMI_PROC_VMAS);
		vmi_seq_header(m, NULL, vmi_vmas_cols, VMI_VMAS_NR_COLS);
		return 0;
	}

	/*
	 * s.addr is r->start unless the VMA was mapped over addresses the
	 * previous line already covered (the lock is not held between
	 * lines): then list it from there on, so lines never overlap.
	 */
	vmi_walk_reset_counts(w);
	ret = vmi_walk_range(w, p->s.addr, r->end);
	if (ret)
		return ret;

	/*
	 * Every column is set below, so @c is not cleared per line (it was
	 * zeroed with @p): only the path's printer comes and goes.
	 */
	c[VMI_VMAS_START].n = p->s.addr;
	c[VMI_VMAS_END].n = r->end;
	vmi_perms(r->flags, p->perms);
	c[VMI_VMAS_PERMS].s = p->perms;
	c[VMI_VMAS_OFFSET].n = r->offset;
	c[VMI_VMAS_DEV].n = r->dev;
	c[VMI_VMAS_INODE].n = r->ino;
	for (i = 0; i < VMI_NR_STATES; i++)
		c[VMI_VMAS_PRESENT + i].n = w->counts.state[i];
	for (i = 0; i < VMI_NR_ATTRS; i++)
		c[VMI_VMAS_HUGE_PMD + i].n = w->counts.attr[i];
	c[VMI_VMAS_PUD_TABLES].n = w->counts.tables[VMI_LEVEL_PUD];
	c[VMI_VMAS_PMD_TABLES].n = w->counts.tables[VMI_LEVEL_PMD];
	c[VMI_VMAS_PTE_TABLES].n = w->counts.tables[VMI_LEVEL_PTE];
	c[VMI_VMAS_KIND].s = vmi_kind_names[r->kind];
	for (i = 0; i < VMI_NR_FOLIOS; i++)
		c[VMI_VMAS_4K + i].n = w->counts.folio[i];
	c[VMI_VMAS_PTE_EMPTY].n = w->counts.use.occ[VMI_LEVEL_PTE][VMI_OCC_E0];
	c[VMI_VMAS_PTE_REMOTE].n = w->counts.use.remote[VMI_LEVEL_PTE];
	c[VMI_VMAS_PMD_SLOTS].n = w->counts.slots.slots;
	c[VMI_VMAS_SLOT_NONE].n = w->counts.slots.none;
	c[VMI_VMAS_SLOT_SWAP].n = w->counts.slots.swap;
	c[VMI_VMAS_SLOT_SHARED].n = w->counts.slots.shared;
	c[VMI_VMAS_FLAGS].s = vmi_vma_flags_str(p, r->flags);
	c[VMI_VMAS_PATH].put = vmi_rec_has_path(r) ? vmi_put_path : NULL;
	c[VMI_VMAS_PATH].arg = r;
	vmi_seq_row(m, NULL, vmi_vmas_cols, VMI_VMAS_NR_COLS, c);
	return 0;
}

static const struct seq_operations vmi_vmas_seq_ops = {
	.start	= vmi_vma_seq_start,
	.next	= vmi_vma_seq_next,
	.stop	= vmi_vma_seq_stop,
	.show	= vmi_vmas_show,
};

static int vmi_vmas_open(struct inode *inode, struct file *file)
{
	return vmi_vma_seq_open(inode, file, &vmi_vmas_seq_ops,
				sizeof(struct vmi_vmas_priv),
				offsetof(struct vmi_vmas_priv, walk));
}

const struct file_operations vmi_vmas_fops = {
	.owner		= THIS_MODULE,
	.open		= vmi_vmas_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= vmi_vma_seq_release,
};
