// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vminspect/<pid>/translate: write a virtual address, read back the
 * walk the MMU would make for it: per level the index taken from the
 * address, the raw entry and its bits, where the walk stops and why, the
 * VMA the address lies in, and the physical address.
 *
 * The address is per open file (two users never see each other's), parsed
 * strictly: one hex number, "0x" optional, a trailing newline allowed,
 * below the process's task_size.  Anything else is EINVAL and changes
 * nothing.  A successful write rewinds the file so the next read shows
 * the new answer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pgtable.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "vminspect.h"

/* longest accepted write: "0x" + 16 digits + "\n" */
#define VMI_TRANSLATE_MAX	19

struct vmi_translate_priv {
	struct vmi_target t;
	struct mutex lock;	/* protects addr and valid */
	unsigned long addr;
	bool valid;
};

/* what translate prints: the keys to print and their values */
struct vmi_xlate;

struct vmi_xlate_out {
	struct vmi_target *t;
	struct vmi_xlate *x;
	unsigned long addr;
	DECLARE_BITMAP(have, VMI_TR_NR_KEYS);
	struct vmi_val k[VMI_TR_NR_KEYS];
	struct vmi_val swap[VMI_TRSWAP_NR_COLS];
	char stop[24];
};

/* What the walk of one address found, level by level. */
struct vmi_xlate {
	struct {
		bool seen;
		bool leaf;
		u64 val;
		enum vmi_state state;
	} lvl[VMI_NR_LEVELS];
	enum vmi_level stop;
	bool found_leaf;
	bool unguarded;
	bool have_vma;
	struct vmi_vma_rec rec;
	struct vmi_walk walk;
	struct vmi_xlate_out out;
};

static void vmi_xlate_vma(struct vmi_xlate *x, const struct vmi_entry *e)
{
	if (e->vma && !x->have_vma) {
		vmi_rec_fill(e->vma, &x->rec);
		x->have_vma = true;
	}
}

static int vmi_xlate_table(struct vmi_walk *w, const struct vmi_entry *e)
{
	struct vmi_xlate *x = w->private;

	x->lvl[e->level].seen = true;
	x->lvl[e->level].val = e->val;
	if (e->unguarded) {
		x->stop = e->level;
		x->unguarded = true;
	}
	vmi_xlate_vma(x, e);
	return 0;
}

static int vmi_xlate_leaf(struct vmi_walk *w, const struct vmi_entry *e)
{
	struct vmi_xlate *x = w->private;

	x->lvl[e->level].seen = true;
	x->lvl[e->level].leaf = true;
	x->lvl[e->level].val = e->val;
	x->lvl[e->level].state = e->state;
	x->stop = e->level;
	x->found_leaf = true;
	vmi_xlate_vma(x, e);
	return 0;
}

static const struct vmi_walk_ops vmi_xlate_ops = {
	.table	= vmi_xlate_table,
	.leaf	= vmi_xlate_leaf,
};

/* the 9-bit index @addr selects in a table of @level */
static unsigned long vmi_level_index(enum vmi_level level, unsigned long addr)
{
	return (addr >> vmi_level_shift(level)) & (PTRS_PER_PTE - 1);
}

static void vmi_xlate_key(struct vmi_xlate_out *o, int key, u64 n)
{
	o->k[key].n = n;
	__set_bit(key, o->have);
}

/* the entry bits of level @arg (a struct vmi_xlate_bits) */
struct vmi_xlate_bits {
	enum vmi_level level;
	enum vmi_state state;
	u64 val;
	bool leaf;
};

static void vmi_xlate_put_bits(struct seq_file *m, const void *arg)
{
	const struct vmi_xlate_bits *b = arg;

	vmi_seq_entry_bits(m, b->level, b->state, b->val, b->leaf);
}

/* "level NAME INDEX ENTRY BITS" per level walked (VMI_TRLEVEL_COLS) */
static void vmi_xlate_levels(struct seq_file *m, struct vmi_xlate_out *o)
{
	static const char *const names[] = VMI_LEVEL_NAMES;
	const char *tag = vmi_tr_keys[VMI_TR_LEVEL].name;
	struct vmi_xlate *x = o->x;
	struct vmi_target *t = o->t;
	int i;

	vmi_seq_header(m, tag, vmi_trlevel_cols, VMI_TRLEVEL_NR_COLS);
	for (i = 0; i < VMI_NR_LEVELS; i++) {
		bool leaf = x->lvl[i].leaf;
		bool present = !leaf || x->lvl[i].state == VMI_STATE_PRESENT;
		u64 val = vmi_target_bits(t, x->lvl[i].val, present);
		struct vmi_xlate_bits b = {
			.level = i, .state = x->lvl[i].state, .val = val,
			.leaf = leaf,
		};
		struct vmi_val c[VMI_TRLEVEL_NR_COLS] = {
			[VMI_TRLEVEL_NAME] = { .s = names[i] },
		};

		if (i == VMI_LEVEL_P4D && vmi_paging_levels() == 4) {
			/* not a row of the table: the index is a word here */
			seq_printf(m, "%s %s folded\n", tag, names[i]);
			continue;
		}
		if (!x->lvl[i].seen)
			continue;
		c[VMI_TRLEVEL_INDEX].n = vmi_level_index(i, o->addr);
		c[VMI_TRLEVEL_ENTRY].n =
			vmi_entry_visible(val, present, leaf ? t->show_phys :
					  t->show_table_phys);
		c[VMI_TRLEVEL_BITS].put = vmi_xlate_put_bits;
		c[VMI_TRLEVEL_BITS].arg = &b;
		vmi_seq_row(m, tag, vmi_trlevel_cols, VMI_TRLEVEL_NR_COLS, c);
	}
}

/* translate's lines of more than one value: vma, level, swap */
static void vmi_xlate_lines(struct seq_file *m, int key, void *arg)
{
	struct vmi_xlate_out *o = arg;

	switch (key) {
	case VMI_TR_VMA:
		if (o->x->have_vma)
			vmi_seq_vmarow(m, &o->x->rec);
		else
			seq_printf(m, "%s none\n", vmi_tr_keys[key].name);
		break;
	case VMI_TR_LEVEL:
		vmi_xlate_levels(m, o);
		break;
	case VMI_TR_SWAP:
		vmi_seq_row(m, vmi_tr_keys[key].name, vmi_trswap_cols,
			    VMI_TRSWAP_NR_COLS, o->swap);
		break;
	}
}

static void vmi_xlate_print(struct seq_file *m, struct vmi_xlate_out *o)
{
	static const char *const names[] = VMI_LEVEL_NAMES;
	static const char *const states[] = VMI_STATE_NAMES;
	struct vmi_xlate *x = o->x;
	struct vmi_target *t = o->t;
	enum vmi_level stop = x->stop;
	u64 val = x->lvl[stop].val;
	enum vmi_state state = x->lvl[stop].state;

	vmi_xlate_key(o, VMI_TR_PID, t->pid);
	vmi_xlate_key(o, VMI_TR_ADDRESS, o->addr);
	vmi_xlate_key(o, VMI_TR_PAGING_LEVELS, vmi_paging_levels());
	__set_bit(VMI_TR_VMA, o->have);
	if (x->have_vma)
		vmi_xlate_key(o, VMI_TR_VMA_OFFSET, x->rec.offset);
	__set_bit(VMI_TR_LEVEL, o->have);
	o->k[VMI_TR_STOP].s = o->stop;

	if (x->unguarded) {
		/* the table below lies outside every VMA: not read */
		snprintf(o->stop, sizeof(o->stop), "unguarded-%s", names[stop]);
		__set_bit(VMI_TR_STOP, o->have);
	} else if (!x->found_leaf) {
		/* nothing more to say */
	} else if (!val) {
		snprintf(o->stop, sizeof(o->stop), "none-%s", names[stop]);
		__set_bit(VMI_TR_STOP, o->have);
	} else if (state == VMI_STATE_PRESENT) {
		unsigned long size = 1UL << vmi_level_shift(stop);
		unsigned long off = o->addr & (size - 1);

		snprintf(o->stop, sizeof(o->stop), "leaf-%s", names[stop]);
		__set_bit(VMI_TR_STOP, o->have);
		vmi_xlate_key(o, VMI_TR_PAGE_SIZE, size);
		vmi_xlate_key(o, VMI_TR_PAGE_OFFSET, off);
		vmi_xlate_key(o, VMI_TR_PHYS, t->show_phys ?
			      vmi_entry_phys(stop, val) + off : 0);
	} else {
		vmi_leaf_t entry = vmi_leaf_of(val);

		strscpy(o->stop, states[state], sizeof(o->stop));
		__set_bit(VMI_TR_STOP, o->have);
		if (state == VMI_STATE_SWAP) {
			o->swap[VMI_TRSWAP_TYPE].n = swp_type(entry);
			o->swap[VMI_TRSWAP_OFFSET].n =
				t->show_phys ? swp_offset(entry) : 0;
			__set_bit(VMI_TR_SWAP, o->have);
		} else if (state == VMI_STATE_MIGRATION) {
			o->k[VMI_TR_MIGRATION].s =
				vmi_leaf_is_migration_write(entry) ?
				"write" : "read";
			__set_bit(VMI_TR_MIGRATION, o->have);
		}
	}
	vmi_seq_keys(m, vmi_tr_keys, VMI_TR_NR_KEYS, o->k, o->have,
		     vmi_xlate_lines, o);
}

static int vmi_translate_show(struct seq_file *m, void *v)
{
	struct vmi_translate_priv *p = m->private;
	struct vmi_xlate *x;
	struct mm_struct *mm;
	unsigned long addr;
	bool valid;
	int ret;

	mutex_lock(&p->lock);
	addr = p->addr;
	valid = p->valid;
	mutex_unlock(&p->lock);

	vmi_seq_version(m, VMI_PROC_TRANSLATE);
	if (!valid) {
		seq_puts(m, "# write a virtual address (hex) to this file, then read it\n");
		return 0;
	}

	mm = vmi_target_get_mm(&p->t);
	if (!mm)
		return -ESRCH;
	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x) {
		ret = -ENOMEM;
		goto out_mmput;
	}
	vmi_walk_init(&x->walk, mm, &vmi_xlate_ops, x);
	x->walk.walk_holes = true;
	ret = vmi_walk_range(&x->walk, addr & PAGE_MASK,
			     (addr & PAGE_MASK) + PAGE_SIZE);
	if (!ret) {
		x->out.t = &p->t;
		x->out.x = x;
		x->out.addr = addr;
		vmi_xlate_print(m, &x->out);
	}
	if (x->have_vma)
		vmi_rec_put(&x->rec);
	kfree(x);
out_mmput:
	mmput(mm);
	return ret;
}

static ssize_t vmi_translate_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	struct vmi_translate_priv *p = m->private;
	char buf[VMI_TRANSLATE_MAX + 1];
	unsigned long addr;

	if (!count || count > VMI_TRANSLATE_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	/*
	 * kstrtoul: optional 0x, digits, optional trailing newline; it would
	 * also take a leading '+' and stop at a NUL byte: refuse both.
	 */
	if (buf[0] == '+' || strlen(buf) != count || kstrtoul(buf, 16, &addr))
		return -EINVAL;
	if (addr >= READ_ONCE(p->t.mm->task_size))
		return -EINVAL;

	mutex_lock(&p->lock);
	p->addr = addr;
	p->valid = true;
	mutex_unlock(&p->lock);
	*ppos = 0;
	return count;
}

static int vmi_translate_open(struct inode *inode, struct file *file)
{
	struct vmi_translate_priv *p;
	int ret;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	mutex_init(&p->lock);
	ret = vmi_target_open(&p->t, inode, file);
	if (ret)
		goto err_free;
	ret = single_open(file, vmi_translate_show, p);
	if (ret)
		goto err_release;
	return 0;

err_release:
	vmi_target_release(&p->t);
err_free:
	kfree(p);
	return ret;
}

static int vmi_translate_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct vmi_translate_priv *p = m->private;

	vmi_target_release(&p->t);
	mutex_destroy(&p->lock);
	kfree(p);
	return single_release(inode, file);
}

const struct file_operations vmi_translate_fops = {
	.owner		= THIS_MODULE,
	.open		= vmi_translate_open,
	.read		= seq_read,
	.write		= vmi_translate_write,
	.llseek		= seq_lseek,
	.release	= vmi_translate_release,
};
