// SPDX-License-Identifier: GPL-2.0
/*
 * vminspect's page-table walker.
 *
 * One walker serves every /proc/vminspect file: it descends pgd -> p4d ->
 * pud -> pmd -> pte over the VMAs of a range, classifies every page
 * (present, swap, migration, special, file, untouched), counts attributes
 * of present pages, and counts the page-table pages and entries it passes.
 * Users that want to see entries one by one (pagetable, translate) give
 * vmi_walk_ops callbacks.
 *
 * walk_page_range() is not exported to modules, so this is our own, kept
 * close to mm/pagewalk.c and to the rules of fs/proc/task_mmu.c.
 *
 * Locking rules (6.1):
 *
 * - The caller holds a reference on mm_users (mmget_not_zero()), so the page
 *   tables exist; it holds no lock.
 * - vmi_walk_range() takes mmap_read_lock_killable() for at most
 *   VMI_WALK_BATCH entries, and for one PTE table only when a writer is
 *   waiting (mmap_lock_is_contended(), as smaps_rollup does); then it drops
 *   the lock, calls cond_resched() and looks the VMA up again at the
 *   address it stopped at.  A writer (mmap, munmap, mprotect) waits for
 *   one table, or one batch at most, and a VMA that changes between
 *   batches is walked as it is found in each.
 * - Under the mmap read lock the page tables of a VMA in the tree are not
 *   freed: khugepaged and MADV_COLLAPSE retract them under the write lock,
 *   and munmap(), which in 6.1 downgrades to the read lock before
 *   free_pgtables(), first takes its VMAs out of the tree and frees only
 *   tables no remaining VMA uses (floor/ceiling).  So, within a VMA found
 *   under the lock, a pointer to a lower table stays valid while we hold
 *   it.  Entries themselves still change under us (faults, zap, THP split,
 *   reclaim): each entry is read once (READ_ONCE / ptep_get()) and only that
 *   value is decoded.  PMD values are classified before descending, so a
 *   THP or hugetlb leaf is never taken for a table.
 * - Outside every VMA (walk_holes, for translate) that munmap may be
 *   freeing the tables as we read them, so holes are walked like
 *   gup_fast: with interrupts off, which holds off the freeing (x86 frees
 *   page tables after an RCU-sched grace period or a TLB-flush IPI), and
 *   without the PTE lock, whose page could be the one being freed.
 * - PTE tables are read under their PTE lock (pte_offset_map_lock()), like
 *   /proc/<pid>/pagemap; the lock is held for one table at most.
 * - Swap, migration and other non-present entries are decoded, never
 *   followed.
 * - 5-level paging is decided at run time (pgtable_l5_enabled()); on
 *   4-level paging the p4d level is folded into the pgd and counted there.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pgtable.h>
#include <linux/sched/signal.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/version.h>

#include "walk.h"

/*
 * Entries visited per hold of the mmap lock at most; a walk also yields
 * after any PTE table when a writer waits for the lock.
 */
#define VMI_WALK_BATCH		512
/* Internal: the batch is used up, resume at w->resume. */
#define VMI_WALK_PAUSE		1

/* log2 of the address range one entry of @level maps */
unsigned int vmi_level_shift(enum vmi_level level)
{
	switch (level) {
	case VMI_LEVEL_PGD:
		return PGDIR_SHIFT;
	case VMI_LEVEL_P4D:
		return P4D_SHIFT;
	case VMI_LEVEL_PUD:
		return PUD_SHIFT;
	case VMI_LEVEL_PMD:
		return PMD_SHIFT;
	default:
		return PAGE_SHIFT;
	}
}

static unsigned long vmi_level_span(enum vmi_level level)
{
	return 1UL << vmi_level_shift(level);
}

unsigned long vmi_level_ptrs(enum vmi_level level)
{
	switch (level) {
	case VMI_LEVEL_PGD:
		return PTRS_PER_PGD;
	case VMI_LEVEL_P4D:
		return pgtable_l5_enabled() ? PTRS_PER_P4D : 0;
	case VMI_LEVEL_PUD:
		return PTRS_PER_PUD;
	case VMI_LEVEL_PMD:
		return PTRS_PER_PMD;
	default:
		return PTRS_PER_PTE;
	}
}

int vmi_paging_levels(void)
{
	return pgtable_l5_enabled() ? 5 : 4;
}

/**
 * vmi_swp_state - classify a non-present, non-empty entry
 * @entry: the swap entry decoded from it
 */
enum vmi_state vmi_swp_state(swp_entry_t entry)
{
	if (is_pte_marker_entry(entry))
		return VMI_STATE_SPECIAL;
	if (!non_swap_entry(entry))
		return VMI_STATE_SWAP;
	if (is_migration_entry(entry))
		return VMI_STATE_MIGRATION;
	/* device private/exclusive, hwpoison */
	return VMI_STATE_SPECIAL;
}

/*
 * A table of @level entered at @addr: count it once per range (for the
 * VMA's own table count) and once per walk (for the census).  The walk goes
 * up in address order, so a table is met in one run of calls and the base
 * of the region it covers identifies it.
 */
static void vmi_count_table(struct vmi_walk *w, enum vmi_level level,
			    unsigned long addr)
{
	unsigned long base = 0;

	if (level != VMI_LEVEL_PGD)
		base = addr & ~(vmi_level_span(level - 1) - 1);
	if (w->range_base[level] != base) {
		w->range_base[level] = base;
		w->counts.tables[level]++;
	}
	if (w->census_table_base[level] != base) {
		w->census_table_base[level] = base;
		w->census.tables[level]++;
	}
}

/*
 * A non-empty entry of @level met at @addr: count it once per walk.
 * Return: true the first time.
 */
static bool vmi_count_entry(struct vmi_walk *w, enum vmi_level level,
			    unsigned long addr)
{
	unsigned long base = addr & ~(vmi_level_span(level) - 1);

	if (w->census_entry_base[level] == base)
		return false;
	w->census_entry_base[level] = base;
	w->census.entries[level]++;
	return true;
}

/*
 * An anonymous THP (or the huge zero page) mapped by a PMD has a PTE table
 * deposited beside it (pgtable_trans_huge_deposit()) so that a later split
 * cannot fail; the kernel counts it in mm->pgtables_bytes (VmPTE) although
 * no entry points to it.  Count it as a PTE table of the census and of the
 * range.  File and DAX PMDs deposit nothing on x86, hugetlb never does.
 */
static void vmi_count_deposit(struct vmi_walk *w, struct vm_area_struct *vma,
			      unsigned long addr, bool first)
{
	unsigned long base = addr & PMD_MASK;

	if (!vma || !vma_is_anonymous(vma) || is_vm_hugetlb_page(vma))
		return;
	if (first) {
		w->census.tables[VMI_LEVEL_PTE]++;
		w->census.deposited++;
	}
	if (w->range_deposit_base != base) {
		w->range_deposit_base = base;
		w->counts.tables[VMI_LEVEL_PTE]++;
	}
}

static int vmi_emit(struct vmi_walk *w, struct vm_area_struct *vma,
		    enum vmi_level level, unsigned long addr,
		    unsigned long next, u64 val, enum vmi_state state)
{
	struct vmi_entry e = {
		.start = addr,
		.end = next,
		.level = level,
		.state = state,
		.val = val,
		.vma = vma,
	};

	w->counts.state[state] += (next - addr) >> PAGE_SHIFT;
	if (w->ops && w->ops->leaf)
		return w->ops->leaf(w, &e);
	return 0;
}

static int vmi_emit_table(struct vmi_walk *w, struct vm_area_struct *vma,
			  enum vmi_level level, unsigned long addr,
			  unsigned long next, u64 val)
{
	struct vmi_entry e = {
		.start = addr,
		.end = next,
		.level = level,
		.val = val,
		.vma = vma,
	};

	vmi_count_entry(w, level, addr);
	if (w->ops && w->ops->table)
		return w->ops->table(w, &e);
	return 0;
}

static int vmi_empty(struct vmi_walk *w, struct vm_area_struct *vma,
		     enum vmi_level level, unsigned long addr,
		     unsigned long next, u64 val)
{
	enum vmi_state state = VMI_STATE_UNTOUCHED;

	if (vma && vma->vm_file)
		state = VMI_STATE_FILE;
	return vmi_emit(w, vma, level, addr, next, val, state);
}

static int vmi_nonpresent(struct vmi_walk *w, struct vm_area_struct *vma,
			  enum vmi_level level, unsigned long addr,
			  unsigned long next, u64 val)
{
	/* x86 uses one swap-entry layout at every level */
	swp_entry_t entry = pte_to_swp_entry(__pte(val));
	bool first = vmi_count_entry(w, level, addr);

	/* a THP being migrated keeps its deposited table */
	if (level == VMI_LEVEL_PMD && is_pmd_migration_entry(__pmd(val)))
		vmi_count_deposit(w, vma, addr, first);
	return vmi_emit(w, vma, level, addr, next, val, vmi_swp_state(entry));
}

static int vmi_present(struct vmi_walk *w, struct vm_area_struct *vma,
		       enum vmi_level level, unsigned long addr,
		       unsigned long next, u64 val, bool dirty, bool young,
		       bool write, bool nopage)
{
	unsigned long pages = (next - addr) >> PAGE_SHIFT;
	unsigned long *attr = w->counts.attr;
	bool first = vmi_count_entry(w, level, addr);

	if (level == VMI_LEVEL_PMD) {
		attr[VMI_ATTR_HUGE_PMD] += pages;
		if (!pmd_devmap(__pmd(val)))
			vmi_count_deposit(w, vma, addr, first);
	} else if (level == VMI_LEVEL_PUD) {
		attr[VMI_ATTR_HUGE_PUD] += pages;
	}
	if (dirty)
		attr[VMI_ATTR_DIRTY] += pages;
	if (young)
		attr[VMI_ATTR_YOUNG] += pages;
	if (write)
		attr[VMI_ATTR_WRITABLE] += pages;
	else if ((val & _PAGE_PRESENT) && vma &&
		 (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
		attr[VMI_ATTR_COW] += pages;	/* not PROT_NONE/NUMA hinting */
	if (nopage)
		attr[VMI_ATTR_NOPAGE] += pages;
	return vmi_emit(w, vma, level, addr, next, val, VMI_STATE_PRESENT);
}

/*
 * A present PMD leaf maps no refcounted page when it is a devmap entry or
 * the huge zero page.  is_huge_zero_pmd() needs symbols modules cannot
 * use; in an anonymous VMA a PMD leaf whose page is not anonymous can only
 * be the huge zero page.  Reading the struct page of a mapped frame is safe
 * (the memmap of a valid pfn always exists); we do not take a reference.
 */
static bool vmi_pmd_nopage(struct vm_area_struct *vma, pmd_t pmd)
{
	unsigned long pfn = pmd_pfn(pmd);

	if (pmd_devmap(pmd))
		return true;
	if (!vma || !vma_is_anonymous(vma) || is_vm_hugetlb_page(vma))
		return false;
	return pfn_valid(pfn) && !PageAnon(pfn_to_page(pfn));
}

/*
 * The PTE loop when nobody wants to see entries one by one (mm, vmas,
 * processes): count in locals, without branches on the common path, and
 * add them up once per table.  This is x86-64's layout (the only one this
 * module builds for): present is PRESENT or PROTNONE as in pte_present(),
 * empty is pte_none(), the attributes are the bits pte_dirty(),
 * pte_young(), pte_write() and pte_special() test.  Non-present entries
 * (swap, migration, markers) take the general path.  The batch budget is
 * charged per table; the PMD loop pauses.
 */
static int vmi_pte_count(struct vmi_walk *w, struct vm_area_struct *vma,
			 pte_t *ptep, unsigned long addr, unsigned long end)
{
	unsigned long none = 0, present = 0, dirty = 0, young = 0;
	unsigned long write = 0, special = 0, wrprotected = 0;
	unsigned long *attr = w->counts.attr;
	unsigned long i, n = (end - addr) >> PAGE_SHIFT;
	int ret = 0;

	for (i = 0; i < n; i++) {
		pteval_t v = pte_val(ptep_get(ptep + i));
		unsigned long p = !!(v & (_PAGE_PRESENT | _PAGE_PROTNONE));
		unsigned long e = !(v & ~_PAGE_KNL_ERRATUM_MASK);

		present += p;
		none += e;
		dirty += (v >> _PAGE_BIT_DIRTY) & p;
		young += (v >> _PAGE_BIT_ACCESSED) & p;
		write += (v >> _PAGE_BIT_RW) & p;
		special += (v >> _PAGE_BIT_SPECIAL) & p;
		/* hardware-present and read-only: not PROT_NONE/NUMA hinting */
		wrprotected += (v & _PAGE_PRESENT) & ~(v >> _PAGE_BIT_RW);
		if (unlikely(!(p | e))) {
			unsigned long a = addr + (i << PAGE_SHIFT);

			ret = vmi_nonpresent(w, vma, VMI_LEVEL_PTE, a,
					     a + PAGE_SIZE, v);
			if (ret)
				break;
		}
	}
	w->budget -= n;

	w->census.entries[VMI_LEVEL_PTE] += present;
	w->counts.state[VMI_STATE_PRESENT] += present;
	if (vma && vma->vm_file)
		w->counts.state[VMI_STATE_FILE] += none;
	else
		w->counts.state[VMI_STATE_UNTOUCHED] += none;
	attr[VMI_ATTR_DIRTY] += dirty;
	attr[VMI_ATTR_YOUNG] += young;
	attr[VMI_ATTR_WRITABLE] += write;
	attr[VMI_ATTR_NOPAGE] += special;
	if (vma && (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
		attr[VMI_ATTR_COW] += wrprotected;
	return ret;
}

/* The entries of one PTE table from @ptep, mapped (and locked) by the caller. */
static int vmi_pte_entries(struct vmi_walk *w, struct vm_area_struct *vma,
			   pte_t *ptep, unsigned long addr, unsigned long end)
{
	int ret = 0;

	if (!w->ops || !w->ops->leaf)
		return vmi_pte_count(w, vma, ptep, addr, end);
	for (; addr < end; ptep++, addr += PAGE_SIZE) {
		pte_t pte = ptep_get(ptep);
		unsigned long next = addr + PAGE_SIZE;

		if (pte_none(pte))
			ret = vmi_empty(w, vma, VMI_LEVEL_PTE, addr, next,
					pte_val(pte));
		else if (!pte_present(pte))
			ret = vmi_nonpresent(w, vma, VMI_LEVEL_PTE, addr, next,
					     pte_val(pte));
		else
			ret = vmi_present(w, vma, VMI_LEVEL_PTE, addr, next,
					  pte_val(pte), pte_dirty(pte),
					  pte_young(pte), pte_write(pte),
					  pte_special(pte));
		if (ret)
			break;
		if (--w->budget <= 0 && next < end) {
			w->resume = next;
			ret = VMI_WALK_PAUSE;
			break;
		}
	}
	return ret;
}

static int vmi_pte_range(struct vmi_walk *w, struct vm_area_struct *vma,
			 pmd_t *pmdp, unsigned long addr, unsigned long end)
{
	spinlock_t *ptl;	/* the PTE table's lock */
	pte_t *ptep;
	int ret;

	if (!vma) {
		/* a hole, interrupts off: no lock (see the top of this file) */
		ptep = pte_offset_map(pmdp, addr);
#if KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
		if (!ptep)
			return vmi_empty(w, vma, VMI_LEVEL_PMD, addr, end, 0);
#endif
		ret = vmi_pte_entries(w, vma, ptep, addr, end);
		pte_unmap(ptep);
		return ret;
	}

	ptep = pte_offset_map_lock(w->mm, pmdp, addr, &ptl);
#if KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
	/* 6.5+: the table may have been freed or replaced since we read it */
	if (!ptep)
		return vmi_empty(w, vma, VMI_LEVEL_PMD, addr, end, 0);
#endif
	ret = vmi_pte_entries(w, vma, ptep, addr, end);
	pte_unmap_unlock(ptep, ptl);
	return ret;
}

static int vmi_pmd_range(struct vmi_walk *w, struct vm_area_struct *vma,
			 pud_t *pudp, unsigned long addr, unsigned long end)
{
	pmd_t *pmdp = pmd_offset(pudp, addr);
	unsigned long next;
	int ret;

	do {
		pmd_t pmd = READ_ONCE(*pmdp);

		next = pmd_addr_end(addr, end);
		if (pmd_none(pmd)) {
			ret = vmi_empty(w, vma, VMI_LEVEL_PMD, addr, next,
					pmd_val(pmd));
		} else if (!pmd_present(pmd)) {
			/* THP or hugetlb migration, hwpoison */
			ret = vmi_nonpresent(w, vma, VMI_LEVEL_PMD, addr, next,
					     pmd_val(pmd));
		} else if (pmd_leaf(pmd) || pmd_devmap(pmd)) {
			/* THP, hugetlb 2M, device DAX */
			ret = vmi_present(w, vma, VMI_LEVEL_PMD, addr, next,
					  pmd_val(pmd), pmd_dirty(pmd),
					  pmd_young(pmd), pmd_write(pmd),
					  vmi_pmd_nopage(vma, pmd));
		} else {
			ret = vmi_emit_table(w, vma, VMI_LEVEL_PMD, addr, next,
					     pmd_val(pmd));
			if (!ret) {
				vmi_count_table(w, VMI_LEVEL_PTE, addr);
				ret = vmi_pte_range(w, vma, pmdp, addr, next);
			}
			/* a table done: yield to a waiting writer */
			if (!ret && next < end && mmap_lock_is_contended(w->mm))
				w->budget = 0;
		}
		if (ret)
			return ret;
		if (--w->budget <= 0 && next < end) {
			w->resume = next;
			return VMI_WALK_PAUSE;
		}
	} while (pmdp++, addr = next, addr != end);
	return 0;
}

/*
 * x86's pud_leaf() wants _PAGE_PRESENT; a PROT_NONE (or NUMA-hinting) 1G
 * leaf has PSE with PROTNONE instead, as pmd_present() knows.
 */
static bool vmi_pud_leaf(pud_t pud)
{
	return (pud_val(pud) & _PAGE_PSE) &&
	       (pud_val(pud) & (_PAGE_PRESENT | _PAGE_PROTNONE));
}

static int vmi_pud_range(struct vmi_walk *w, struct vm_area_struct *vma,
			 p4d_t *p4dp, unsigned long addr, unsigned long end)
{
	pud_t *pudp = pud_offset(p4dp, addr);
	unsigned long next;
	int ret;

	do {
		pud_t pud = READ_ONCE(*pudp);

		next = pud_addr_end(addr, end);
		if (pud_none(pud)) {
			ret = vmi_empty(w, vma, VMI_LEVEL_PUD, addr, next,
					pud_val(pud));
		} else if (vmi_pud_leaf(pud)) {
			/* hugetlb 1G, device DAX */
			ret = vmi_present(w, vma, VMI_LEVEL_PUD, addr, next,
					  pud_val(pud), pud_dirty(pud),
					  pud_young(pud), pud_write(pud),
					  pud_devmap(pud));
		} else if (!pud_present(pud)) {
			/* hugetlb 1G migration, hwpoison */
			ret = vmi_nonpresent(w, vma, VMI_LEVEL_PUD, addr, next,
					     pud_val(pud));
		} else {
			ret = vmi_emit_table(w, vma, VMI_LEVEL_PUD, addr, next,
					     pud_val(pud));
			if (!ret) {
				vmi_count_table(w, VMI_LEVEL_PMD, addr);
				ret = vmi_pmd_range(w, vma, pudp, addr, next);
			}
		}
		if (ret)
			return ret;
		if (--w->budget <= 0 && next < end) {
			w->resume = next;
			return VMI_WALK_PAUSE;
		}
	} while (pudp++, addr = next, addr != end);
	return 0;
}

/*
 * On 4-level paging p4d_offset() hands back the pgd entry itself and the
 * loop below runs once per pgd entry: its entries are counted as pgd
 * entries and no p4d table exists.
 */
static int vmi_p4d_range(struct vmi_walk *w, struct vm_area_struct *vma,
			 pgd_t *pgdp, unsigned long addr, unsigned long end)
{
	enum vmi_level level = pgtable_l5_enabled() ? VMI_LEVEL_P4D :
						      VMI_LEVEL_PGD;
	p4d_t *p4dp = p4d_offset(pgdp, addr);
	unsigned long next;
	int ret;

	do {
		p4d_t p4d = READ_ONCE(*p4dp);

		next = p4d_addr_end(addr, end);
		if (p4d_none(p4d)) {
			ret = vmi_empty(w, vma, level, addr, next, p4d_val(p4d));
		} else if (!p4d_present(p4d)) {
			/* no swap or leaf entries at this level on x86 */
			ret = vmi_nonpresent(w, vma, level, addr, next,
					     p4d_val(p4d));
		} else {
			ret = vmi_emit_table(w, vma, level, addr, next,
					     p4d_val(p4d));
			if (!ret) {
				vmi_count_table(w, VMI_LEVEL_PUD, addr);
				ret = vmi_pud_range(w, vma, p4dp, addr, next);
			}
		}
		if (ret)
			return ret;
		if (--w->budget <= 0 && next < end) {
			w->resume = next;
			return VMI_WALK_PAUSE;
		}
	} while (p4dp++, addr = next, addr != end);
	return 0;
}

static int vmi_pgd_range(struct vmi_walk *w, struct vm_area_struct *vma,
			 unsigned long addr, unsigned long end)
{
	pgd_t *pgdp = pgd_offset(w->mm, addr);
	unsigned long next;
	int ret;

	vmi_count_table(w, VMI_LEVEL_PGD, addr);
	do {
		next = pgd_addr_end(addr, end);
		if (!pgtable_l5_enabled()) {
			ret = vmi_p4d_range(w, vma, pgdp, addr, next);
		} else {
			pgd_t pgd = READ_ONCE(*pgdp);

			if (pgd_none(pgd)) {
				ret = vmi_empty(w, vma, VMI_LEVEL_PGD, addr,
						next, pgd_val(pgd));
			} else if (!pgd_present(pgd)) {
				ret = vmi_nonpresent(w, vma, VMI_LEVEL_PGD,
						     addr, next, pgd_val(pgd));
			} else {
				ret = vmi_emit_table(w, vma, VMI_LEVEL_PGD,
						     addr, next, pgd_val(pgd));
				if (!ret) {
					vmi_count_table(w, VMI_LEVEL_P4D, addr);
					ret = vmi_p4d_range(w, vma, pgdp, addr,
							    next);
				}
			}
		}
		if (ret)
			return ret;
	} while (pgdp++, addr = next, addr != end);
	return 0;
}

/**
 * vmi_walk_init - prepare a walk of @mm
 * @w:		the walk
 * @mm:		address space; the caller keeps a reference on mm_users
 * @ops:	callbacks or NULL
 * @private:	for the callbacks
 */
void vmi_walk_init(struct vmi_walk *w, struct mm_struct *mm,
		   const struct vmi_walk_ops *ops, void *private)
{
	memset(w, 0, sizeof(*w));
	w->mm = mm;
	w->ops = ops;
	w->private = private;
	memset(w->census_table_base, 0xff, sizeof(w->census_table_base));
	memset(w->census_entry_base, 0xff, sizeof(w->census_entry_base));
}

/**
 * vmi_walk_range - walk the page tables of [@start, @end)
 * @w:		an initialised walk; ranges of one walk go up in address order
 * @start:	page-aligned start
 * @end:	page-aligned end
 *
 * Walks the VMAs in the range (and the holes between them when
 * @w->walk_holes; callbacks then also run with interrupts off), adding to
 * @w->counts and @w->census and calling the callbacks.  Must be called
 * without mmap_lock held: the lock is taken and dropped per batch of
 * entries (see the top of this file).
 *
 * Return: 0, -EINTR on a fatal signal, or a callback's error.
 */
int vmi_walk_range(struct vmi_walk *w, unsigned long start, unsigned long end)
{
	unsigned long addr = start;
	int ret;

	memset(w->range_base, 0xff, sizeof(w->range_base));
	w->range_deposit_base = ULONG_MAX;
	while (addr < end) {
		struct vm_area_struct *vma;
		unsigned long stop;

		if (fatal_signal_pending(current))
			return -EINTR;
		if (mmap_read_lock_killable(w->mm))
			return -EINTR;

		vma = find_vma(w->mm, addr);
		if (!w->walk_holes && (!vma || vma->vm_start >= end)) {
			mmap_read_unlock(w->mm);
			break;
		}
		if (vma && vma->vm_start <= addr) {
			stop = min(end, vma->vm_end);
		} else if (w->walk_holes) {
			/* the hole before the next VMA */
			stop = vma ? min(end, vma->vm_start) : end;
			vma = NULL;
		} else {
			addr = vma->vm_start;
			stop = min(end, vma->vm_end);
		}

		w->budget = VMI_WALK_BATCH;
		if (vma) {
			ret = vmi_pgd_range(w, vma, addr, stop);
		} else {
			unsigned long flags;

			local_irq_save(flags);
			ret = vmi_pgd_range(w, NULL, addr, stop);
			local_irq_restore(flags);
		}
		mmap_read_unlock(w->mm);

		if (ret && ret != VMI_WALK_PAUSE)
			return ret;
		addr = ret ? w->resume : stop;
		cond_resched();
	}
	return 0;
}
