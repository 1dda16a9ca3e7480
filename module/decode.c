// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding x86-64 page-table entries for translate and pagetable.
 *
 * The bit names are documented with their bit numbers in
 * Documentation/proc-vminspect.rst.  What an unprivileged opener may see
 * of a raw entry follows /proc/<pid>/pagemap: no frame numbers (the PFN
 * field of present entries and of table pointers) and no swap offsets.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/seq_file.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include "compat.h"
#include "vminspect.h"

/* bits 9..58 of a non-present x86-64 entry: the inverted swap offset */
#define VMI_SWP_OFFSET_MASK	GENMASK_ULL(63 - SWP_TYPE_BITS, SWP_OFFSET_FIRST_BIT)

struct vmi_bit {
	u64 mask;
	const char *name;
};

/* Present entries, every level.  _PAGE_PSE/_PAGE_PAT share bit 7. */
static const struct vmi_bit vmi_present_bits[] = {
	{ _PAGE_RW, "rw" },
	{ _PAGE_USER, "user" },
	{ _PAGE_PWT, "pwt" },
	{ _PAGE_PCD, "pcd" },
	{ _PAGE_ACCESSED, "accessed" },
	{ _PAGE_DIRTY, "dirty" },
};

/* Present leaf entries only: software bits the kernel gives meaning to. */
static const struct vmi_bit vmi_leaf_bits[] = {
	{ _PAGE_SPECIAL, "special" },
	{ VMI_PAGE_UFFD, "uffd-wp" },
	{ _PAGE_SOFT_DIRTY, "soft-dirty" },
	{ VMI_PAGE_DEVMAP, "devmap" },	/* 0 from 7.3: no devmap */
};

struct vmi_tokens {
	struct seq_file *m;
	bool any;
};

static void vmi_token(struct vmi_tokens *t, const char *name)
{
	if (t->any)
		seq_putc(t->m, ',');
	seq_puts(t->m, name);
	t->any = true;
}

static void vmi_tokens_bits(struct vmi_tokens *t, u64 val,
			    const struct vmi_bit *bits, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (val & bits[i].mask)
			vmi_token(t, bits[i].name);
}

static void vmi_seq_present_bits(struct vmi_tokens *t, enum vmi_level level,
				 u64 val, bool leaf)
{
	unsigned int pkey;

	vmi_token(t, val & _PAGE_PRESENT ? "present" : "protnone");
	vmi_tokens_bits(t, val, vmi_present_bits, ARRAY_SIZE(vmi_present_bits));
	if (leaf && (val & _PAGE_PSE))
		vmi_token(t, level == VMI_LEVEL_PTE ? "pat" : "pse");
	if ((val & _PAGE_PRESENT) && (val & _PAGE_GLOBAL))
		vmi_token(t, "global");
	if (leaf) {
		vmi_tokens_bits(t, val, vmi_leaf_bits,
				ARRAY_SIZE(vmi_leaf_bits));
		pkey = (val & _PAGE_PKEY_MASK) >> _PAGE_BIT_PKEY_BIT0;
		if (pkey)
			seq_printf(t->m, "%spkey=%u", t->any ? "," : "", pkey);
	}
	if (val & _PAGE_NX)
		vmi_token(t, "nx");
}

static void vmi_seq_swap_bits(struct vmi_tokens *t, u64 val)
{
	pte_t pte = __pte(val);
	vmi_leaf_t entry = vmi_leaf_of(val);

	if (vmi_leaf_is_marker(entry)) {
		pte_marker marker = vmi_leaf_marker(entry);

		vmi_token(t, "marker");
		if (marker & PTE_MARKER_UFFD_WP)
			vmi_token(t, "uffd-wp");
		return;
	}
	if (vmi_leaf_is_migration(entry)) {
		vmi_token(t, "migration");
		vmi_token(t, vmi_leaf_is_migration_write(entry) ? "write" :
			  vmi_leaf_is_migration_read_exclusive(entry) ?
			  "read-exclusive" : "read");
	} else if (vmi_leaf_is_device_private(entry)) {
		vmi_token(t, "device-private");
	} else if (vmi_leaf_is_device_exclusive(entry)) {
		vmi_token(t, "device-exclusive");
	} else if (vmi_leaf_is_hwpoison(entry)) {
		vmi_token(t, "hwpoison");
	} else {
		vmi_token(t, "swap");
		seq_printf(t->m, ",type=%u", swp_type(entry));
	}
	if (pte_swp_soft_dirty(pte))
		vmi_token(t, "soft-dirty");
	if (vmi_pte_swp_uffd_wp(pte))
		vmi_token(t, "uffd-wp");
	if (pte_swp_exclusive(pte))
		vmi_token(t, "exclusive");
}

/**
 * vmi_seq_entry_bits - print the decoded bits of an entry
 * @m:		where to print
 * @level:	its level
 * @state:	VMI_STATE_* the walker gave it (leaf entries)
 * @val:	the raw entry
 * @leaf:	a leaf (or empty/non-present) entry rather than a table pointer
 *
 * Prints comma-separated names, "none" for an empty entry.
 */
void vmi_seq_entry_bits(struct seq_file *m, enum vmi_level level,
			enum vmi_state state, u64 val, bool leaf)
{
	struct vmi_tokens t = { .m = m };

	if (!val)
		vmi_token(&t, "none");
	else if (!leaf || state == VMI_STATE_PRESENT)
		vmi_seq_present_bits(&t, level, val, leaf);
	else
		vmi_seq_swap_bits(&t, val);
}

/**
 * vmi_entry_visible - what of a raw entry an opener may see
 * @val:	the raw entry
 * @present:	it maps a frame or points to a table
 * @show_phys:	the opener has CAP_SYS_ADMIN
 */
u64 vmi_entry_visible(u64 val, bool present, bool show_phys)
{
	if (show_phys)
		return val;
	return val & ~(present ? PTE_PFN_MASK : VMI_SWP_OFFSET_MASK);
}

/**
 * vmi_entry_phys - physical address of the frame a present leaf maps
 * @level:	VMI_LEVEL_PTE, _PMD or _PUD
 * @val:	the raw entry
 */
u64 vmi_entry_phys(enum vmi_level level, u64 val)
{
	switch (level) {
	case VMI_LEVEL_PUD:
		return (u64)pud_pfn(__pud(val)) << PAGE_SHIFT;
	case VMI_LEVEL_PMD:
		return (u64)pmd_pfn(__pmd(val)) << PAGE_SHIFT;
	default:
		return (u64)pte_pfn(__pte(val)) << PAGE_SHIFT;
	}
}
