// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vminspect/<pid>/pagetable: the leaf mappings of every VMA with runs
 * of identical entries merged into one line, ptdump style.
 *
 * Output streams in bounded records: a seq_file record is a VMA header
 * and/or at most VMI_PT_RUNS runs, always cut where a run ends, and the
 * seq_file position is the address the next record starts at (the cursor
 * of vmas.c).  No buffer
 * grows with the size of the process, and the walker drops the mmap lock
 * between its batches whatever the size of a VMA.
 *
 * Runs merge entries of the same level, state and bits (the frame number
 * or swap offset excluded).  For CAP_SYS_ADMIN openers, who see physical
 * addresses, present runs also need contiguous frames and swap runs
 * contiguous offsets, so a line's start address says where all of it is.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include "compat.h"
#include "vminspect.h"

#define VMI_PT_RUNS		32
/* internal: the record is full, continue at priv->next */
#define VMI_PT_FULL		(-EOVERFLOW)
/* a line printed costs as many entries' worth of the batch */
#define VMI_PT_LINE_COST	16
/* the level of a run of empty entries, which merge across levels */
#define VMI_PT_NOLEVEL		VMI_NR_LEVELS

struct vmi_pt_run {
	bool active;
	unsigned long start;
	unsigned long end;
	enum vmi_level level;
	enum vmi_state state;
	u64 key;		/* bits that must match to merge */
	u64 val;		/* first entry */
	u64 first;		/* phys address or swap offset of the start */
	u64 next;		/* ... expected of the next page */
};

struct vmi_pt_priv {
	struct vmi_vma_seq s;		/* first: the shared cursor */
	struct seq_file *m;
	unsigned int runs;
	struct vmi_pt_run run;
	struct vmi_walk walk;
};

static bool vmi_pt_none(enum vmi_state state)
{
	return state == VMI_STATE_FILE || state == VMI_STATE_UNTOUCHED;
}

/* the run's entry bits (@arg: the struct vmi_pt_run) */
static void vmi_pt_put_bits(struct seq_file *m, const void *arg)
{
	const struct vmi_pt_run *r = arg;

	vmi_seq_entry_bits(m, r->level, r->state, r->val, true);
}

/* the physical address of the run's first page (@arg: the run) */
static void vmi_pt_put_phys(struct seq_file *m, const void *arg)
{
	const struct vmi_pt_run *r = arg;

	seq_puts(m, "0x");
	vmi_seq_hex(m, 0, r->first, 16);
}

/* its first swap slot, "swap:TYPE:0xOFFSET" (@arg: the run) */
static void vmi_pt_put_swap(struct seq_file *m, const void *arg)
{
	const struct vmi_pt_run *r = arg;

	seq_printf(m, "swap:%u:0x%llx", swp_type(vmi_leaf_of(r->val)),
		   r->first);
}

static void vmi_pt_flush(struct vmi_pt_priv *p)
{
	static const char *const levels[] = VMI_LEVEL_NAMES;
	static const char *const states[] = VMI_STATE_NAMES;
	struct vmi_pt_run *r = &p->run;
	struct vmi_val c[VMI_PT_NR_COLS] = {};
	bool none = vmi_pt_none(r->state);

	if (!r->active)
		return;
	/* printing under the mmap lock counts against the walk's batch */
	p->walk.budget -= VMI_PT_LINE_COST;
	c[VMI_PT_START].n = r->start;
	c[VMI_PT_END].n = r->end;
	c[VMI_PT_SIZE].n = r->end - r->start;
	c[VMI_PT_LEVEL].s = r->level == VMI_PT_NOLEVEL ? "-" : levels[r->level];
	c[VMI_PT_STATE].s = none ? "none" : states[r->state];
	if (!none) {
		c[VMI_PT_FLAGS].put = vmi_pt_put_bits;
		c[VMI_PT_FLAGS].arg = r;
	}
	if (p->s.t.show_phys && r->state == VMI_STATE_PRESENT) {
		c[VMI_PT_PHYS].put = vmi_pt_put_phys;
		c[VMI_PT_PHYS].arg = r;
	} else if (p->s.t.show_phys && r->state == VMI_STATE_SWAP && r->val) {
		c[VMI_PT_PHYS].put = vmi_pt_put_swap;
		c[VMI_PT_PHYS].arg = r;
	}
	vmi_seq_row(p->m, NULL, vmi_pt_cols, VMI_PT_NR_COLS, c);
	r->active = false;
}

static int vmi_pt_leaf(struct vmi_walk *w, const struct vmi_entry *e)
{
	struct vmi_pt_priv *p = w->private;
	struct vmi_pt_run *r = &p->run;
	bool none = vmi_pt_none(e->state);
	enum vmi_level level = none ? VMI_PT_NOLEVEL : e->level;
	u64 val = vmi_target_bits(&p->s.t, e->val,
				  e->state == VMI_STATE_PRESENT);
	u64 key = 0, where = 0, size = 0;

	if (e->state == VMI_STATE_PRESENT) {
		size = e->end - e->start;
		key = val & ~PTE_PFN_MASK;
		where = vmi_entry_phys(e->level, e->val);
		if (e->level != VMI_LEVEL_PTE)	/* a leaf clipped at its start */
			where += e->start & ((1UL << vmi_level_shift(e->level)) - 1);
	} else if (!none) {
		key = vmi_entry_visible(e->val, false, false);
		if (e->state == VMI_STATE_SWAP)
			where = swp_offset(vmi_leaf_of(e->val));
		size = (e->end - e->start) >> PAGE_SHIFT;
	}

	if (r->active && r->end == e->start && r->level == level &&
	    r->state == e->state && r->key == key &&
	    (!p->s.t.show_phys || r->next == where)) {
		r->end = e->end;
		r->next = where + size;
		return 0;
	}
	if (r->active) {
		vmi_pt_flush(p);
		if (++p->runs >= VMI_PT_RUNS) {
			p->s.next = e->start;
			return VMI_PT_FULL;
		}
	}
	*r = (struct vmi_pt_run) {
		.active = true,
		.start = e->start,
		.end = e->end,
		.level = level,
		.state = e->state,
		.key = key,
		.val = val,
		.first = where,
		.next = where + size,
	};
	return 0;
}

static const struct vmi_walk_ops vmi_pt_ops = {
	.leaf	= vmi_pt_leaf,
};

static int vmi_pt_show(struct seq_file *m, void *v)
{
	struct vmi_pt_priv *p = m->private;
	struct vmi_vma_rec *r = &p->s.rec;
	int ret;

	if (v == SEQ_START_TOKEN) {
		vmi_seq_version(m, VMI_PROC_PAGETABLE);
		vmi_seq_header(m, VMI_VMAROW_TAG, vmi_vmarow_cols,
			       VMI_VMAROW_NR_COLS);
		vmi_seq_header(m, NULL, vmi_pt_cols, VMI_PT_NR_COLS);
		return 0;
	}

	if (p->s.addr == r->start)
		vmi_seq_vmarow(m, r);
	p->m = m;
	p->runs = 0;
	p->run.active = false;
	vmi_walk_reset_counts(&p->walk);
	ret = vmi_walk_range(&p->walk, p->s.addr, r->end);
	if (ret && ret != VMI_PT_FULL)
		return ret;
	vmi_pt_flush(p);
	return 0;
}

static const struct seq_operations vmi_pt_seq_ops = {
	.start	= vmi_vma_seq_start,
	.next	= vmi_vma_seq_next,
	.stop	= vmi_vma_seq_stop,
	.show	= vmi_pt_show,
};

static int vmi_pt_open(struct inode *inode, struct file *file)
{
	struct vmi_pt_priv *p;
	int ret;

	ret = vmi_vma_seq_open(inode, file, &vmi_pt_seq_ops,
			       sizeof(struct vmi_pt_priv),
			       offsetof(struct vmi_pt_priv, walk));
	if (ret)
		return ret;
	p = ((struct seq_file *)file->private_data)->private;
	p->walk.ops = &vmi_pt_ops;
	p->walk.private = p;
	/* runs merge as the lines do: by frame only for who sees frames */
	p->walk.leaf_runs = true;
	p->walk.runs_any_frame = !p->s.t.show_phys;
	return 0;
}

const struct file_operations vmi_pagetable_fops = {
	.owner		= THIS_MODULE,
	.open		= vmi_pt_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= vmi_vma_seq_release,
};
