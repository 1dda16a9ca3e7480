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
 * Locking rules, on every kernel we build for (6.1, 6.12, 7.3); what
 * changed between them is said where it matters:
 *
 * - The caller holds a reference on mm_users (mmget_not_zero()), so the mm
 *   is not torn down (exit_mmap() frees every table); it holds no lock.
 *   Asserted (mm_users not zero) by vmi_walk_range().
 * - vmi_walk_range() holds mmap_read_lock_killable() for at most
 *   VMI_WALK_BATCH entries (a VMA counting as one more), and for one PTE
 *   table only when a writer wants the lock (vmi_mmap_lock_wanted(): one
 *   queued, as smaps_rollup checks, or one spinning on the rwsem); then it
 *   drops the lock, calls cond_resched(), lets that writer take the lock
 *   first (vmi_mmap_read_lock(), as every mmap read lock of ours) and
 *   looks the VMA up again at the address it stopped at
 *   (vmi_walk_yield()).  The per-VMA files hold it the same way across
 *   VMAs (@w->hold).  Asserted
 *   (vmi_mmap_assert_locked(), the kernel's mmap_assert_locked() less its
 *   6.1-unexported dump) where each range
 *   of a VMA starts (vmi_pgd_range()), before every VMA lookup of
 *   vmi_walk_range() and vmi_walk_yield(), and where a hole's table is
 *   judged by the VMAs around it (vmi_guarded()).
 * - What keeps a table alive while we read it:
 *   - pgd: the mm itself.
 *   - p4d, pud and pmd tables: the mmap read lock, for a table whose range
 *     a VMA in the tree overlaps.  Tables are freed by free_pgtables()
 *     (munmap, after the VMAs left the tree, on 6.1 under the downgraded
 *     read lock) and only where no remaining VMA overlaps them
 *     (floor/ceiling), or by exit_mmap().  So inside a VMA every table is
 *     safe, and outside every VMA (walk_holes: translate) a table is read
 *     only if some VMA in the tree overlaps its range (vmi_guarded());
 *     otherwise the walk stops at the entry pointing to it and reports it
 *     (e->unguarded).  Interrupts off would not do: munmap's TLB-flush IPIs
 *     go to the target's mm_cpumask, not to the CPU reading a foreign mm.
 *   - PTE tables: as above on 6.1.  From 6.6, khugepaged retracts file and
 *     shmem PTE tables without the mmap lock (pte_free_defer(), RCU), and
 *     with PT_RECLAIM (7.3) MADV_DONTNEED frees empty PTE tables under the
 *     read lock (RCU-deferred).  So a PTE table is mapped as the kernel's
 *     own (unexported) helper does, in one place: vmi_pte_range() (RCU
 *     read lock, lockless PMD read, only a real table, its PTE lock,
 *     pmd_same() re-check).  When it finds no table the PMD value it found
 *     is classified again (the kernel's ACTION_AGAIN): a table is counted
 *     and shown only once it is mapped and locked.  Asserted where the
 *     table is used (vmi_pte_table()): lockdep_assert_held() of the PTE
 *     lock and RCU_LOCKDEP_WARN() of the RCU read lock.
 *   - hugetlb: never below the hstate level (no entry there is a table).
 *     A shared PMD table (huge_pmd_share()) can be unshared by a hole punch
 *     or truncate of the file in another mm, holding i_mmap_rwsem for
 *     write but not our mmap lock, and by MADV_DONTNEED under the read
 *     lock: a hugetlb VMA is walked under i_mmap_lock_read() of its file,
 *     which excludes huge_pmd_unshare().  Asserted where a hugetlb PMD
 *     table is read (vmi_pmd_range()): i_mmap_assert_locked().
 * - Every entry is read once (READ_ONCE(), vmi_pmdp_get_lockless(),
 *   ptep_get()), classified, and the walk descends from the value it read
 *   (pXd_offset_lockless(), pte_offset_kernel() of the PMD value), never by
 *   re-reading the parent, as gup_fast does.  Values are classified by the
 *   kernel's accessors (pte_present(), pte_dirty(), pte_write() ...), which
 *   know the bits each kernel gives meaning to (the saved-dirty bit and
 *   shadow-stack writability from 6.6).  A bad entry (pXd_bad()) is
 *   reported as special and not descended into.
 * - The folio of a present PTE (its order, node and mapcount: the counts
 *   of walks without a leaf callback, vmi_pte_page()) is read under the
 *   PTE lock, with no reference taken: while a present PTE maps the page,
 *   the folio cannot be freed (zapping the PTE needs the lock) nor split
 *   (split_folio() first replaces every PTE mapping it by a migration
 *   entry, under the same lock).  The values are as of the read.  Raced
 *   by race_test's thp_split (splits, collapses and zaps of THPs).
 * - Swap, migration and other non-present entries are decoded, never
 *   followed.
 * - 5-level paging is decided at run time (pgtable_l5_enabled()); on
 *   4-level paging the p4d level is folded into the pgd and counted there.
 * - Callbacks run under the mmap read lock and, at PTE level, the PTE lock
 *   and the RCU read lock: they must not sleep.  Asserted at every level
 *   (vmi_call(): a non_block_start() section, reported by
 *   CONFIG_DEBUG_ATOMIC_SLEEP kernels).  A callback's return value is its
 *   own (0 goes on, anything else ends the walk and is returned); the
 *   walker's own state (a batch used up: @w->paused, where to resume; a
 *   PTE table gone: vmi_pte_range()'s @gone) never travels in a
 *   return value, and a @table callback skips a table by @w->action.
 * - Nothing here disables interrupts (lockdep_assert_irqs_disabled() has
 *   no section to guard): the PTE lock is a plain spinlock, taken as the
 *   kernel's own page-table walks take it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include "compat.h"
#include "walk.h"

/*
 * Entries visited per hold of the mmap lock at most; a walk also yields
 * after any PTE table when a writer waits for the lock.
 */
#define VMI_WALK_BATCH		512

/*
 * What mapping and locking a PTE table costs, in entries of the batch: a
 * walk that only counts tables (vmi_walk_tables(), the processes file)
 * reads no entry of it, and 512 tables a hold held a target's lock for
 * 1.5-4.5 ms on 7.3 (lockhold_bench): a table costs 50-150 entries read.
 * At 32, a hold of that walk is some 15 tables.
 */
#define VMI_PTE_MAP_COST	32

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

static __always_inline unsigned long vmi_level_span(enum vmi_level level)
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
 * @val: the raw entry (any level: x86-64 uses one layout)
 */
enum vmi_state vmi_swp_state(u64 val)
{
	vmi_leaf_t entry = vmi_leaf_of(val);

	if (vmi_leaf_is_marker(entry))
		return VMI_STATE_SPECIAL;
	if (vmi_leaf_is_swap(entry))
		return VMI_STATE_SWAP;
	if (vmi_leaf_is_migration(entry))
		return VMI_STATE_MIGRATION;
	/* device private/exclusive, hwpoison */
	return VMI_STATE_SPECIAL;
}

/* The NUMA node of a frame, or NUMA_NO_NODE if it has no struct page. */
static int vmi_pfn_nid(unsigned long pfn)
{
	return pfn_valid(pfn) ? page_to_nid(pfn_to_page(pfn)) : NUMA_NO_NODE;
}

/* The occupancy bucket of a table with @used entries in use. */
static enum vmi_occ vmi_occ_bucket(unsigned int used)
{
	if (used <= 1)
		return used ? VMI_OCC_E1 : VMI_OCC_E0;
	if (used <= 8)
		return VMI_OCC_E2_8;
	if (used <= 64)
		return VMI_OCC_E9_64;
	if (used <= 256)
		return VMI_OCC_E65_256;
	return used < PTRS_PER_PTE ? VMI_OCC_E257_511 : VMI_OCC_E512;
}

/*
 * The walk leaves a table of @level (@cur): add it to @use by the entries
 * it used and whether most of its data is on another node, and to the
 * census's per-node lists (@c, NULL for a range).
 */
static void vmi_table_done(const struct vmi_table_cur *cur,
			   enum vmi_level level, struct vmi_occupancy *use,
			   struct vmi_census *c)
{
	bool remote = cur->data && cur->local * 2 < cur->data;

	use->occ[level][vmi_occ_bucket(cur->used)]++;
	use->remote[level] += remote;
	if (c && cur->node >= 0 && cur->node < VMI_NUMA_NODES) {
		c->node_tables[level][cur->node]++;
		c->node_remote[level][cur->node] += remote;
		c->node_data[level][cur->node] += cur->data;
		c->node_local[level][cur->node] += cur->local;
	}
}

static void vmi_table_enter(struct vmi_table_cur *cur, int node)
{
	cur->used = 0;
	cur->node = node;
	cur->data = 0;
	cur->local = 0;
}

/*
 * A table of @level, in frame @pfn, entered at @addr: count it once per
 * range (for the VMA's own table count) and once per walk (for the
 * census), and start its occupancy.  The walk goes up in address order, so
 * a table is met in one run of calls and the base of the region it covers
 * identifies it; meeting another one ends the last.
 *
 * This, vmi_count_entry(), vmi_emit_table() and vmi_descend() run at every
 * level of every VMA's descent and are always inlined: a process of
 * 32,000 one-page VMAs read 1.65x as long as its maps through mm with
 * them called, 1.23x inlined (7.3 guest, where each return is a lookup
 * of the emulator's; the text does not grow).
 */
static __always_inline void vmi_count_table(struct vmi_walk *w,
					    enum vmi_level level,
					    unsigned long addr,
					    unsigned long pfn)
{
	unsigned long base = 0;
	int node;

	if (level != VMI_LEVEL_PGD)
		base = addr & ~(vmi_level_span(level - 1) - 1);
	if (w->range_base[level] == base && w->census_table_base[level] == base)
		return;
	node = vmi_pfn_nid(pfn);
	if (w->range_base[level] != base) {
		if (w->range_base[level] != ULONG_MAX)
			vmi_table_done(&w->range_cur[level], level,
				       &w->counts.use, NULL);
		w->range_base[level] = base;
		w->counts.tables[level]++;
		vmi_table_enter(&w->range_cur[level], node);
	}
	if (w->census_table_base[level] != base) {
		if (w->census_table_base[level] != ULONG_MAX)
			vmi_table_done(&w->census_cur[level], level,
				       &w->census.use, &w->census);
		w->census_table_base[level] = base;
		w->census.tables[level]++;
		vmi_table_enter(&w->census_cur[level], node);
	}
}

/* The frame of the table a table entry points to. */
static unsigned long vmi_entry_pfn(u64 val)
{
	return (val & PTE_PFN_MASK) >> PAGE_SHIFT;
}

/* The occupancy of the range's tables so far, when a range ends. */
static void vmi_range_done(struct vmi_walk *w)
{
	int l;

	for (l = 0; l < VMI_NR_LEVELS; l++)
		if (w->range_base[l] != ULONG_MAX)
			vmi_table_done(&w->range_cur[l], l, &w->counts.use,
				       NULL);
}

/**
 * vmi_census_finish - end the census's occupancy of a walk
 * @w:	a walk whose ranges are all walked
 *
 * The tables the walk is still in are added to @w->census.use.
 */
void vmi_census_finish(struct vmi_walk *w)
{
	int l;

	for (l = 0; l < VMI_NR_LEVELS; l++) {
		if (w->census_table_base[l] == ULONG_MAX)
			continue;
		vmi_table_done(&w->census_cur[l], l, &w->census.use,
			       &w->census);
		w->census_table_base[l] = ULONG_MAX;
	}
}

/*
 * A non-empty entry of @level met at @addr: count it once per range and
 * once per walk (an entry met again after a pause counts once).
 * Return: true the first time in the walk.
 */
static __always_inline bool vmi_count_entry(struct vmi_walk *w,
					    enum vmi_level level,
					    unsigned long addr)
{
	unsigned long base = addr & ~(vmi_level_span(level) - 1);

	if (w->range_entry_base[level] != base) {
		w->range_entry_base[level] = base;
		w->range_cur[level].used++;
	}
	if (w->census_entry_base[level] == base)
		return false;
	w->census_entry_base[level] = base;
	w->census.entries[level]++;
	w->census_cur[level].used++;
	return true;
}

/* @n more PTEs in use, each met once (the PTE loops count in bulk). */
static void vmi_count_ptes(struct vmi_walk *w, unsigned long n)
{
	w->census.entries[VMI_LEVEL_PTE] += n;
	w->census_cur[VMI_LEVEL_PTE].used += n;
	w->range_cur[VMI_LEVEL_PTE].used += n;
}

/*
 * @n data pages on node @nid mapped by a leaf of @level: they are data of
 * the tables of that level and every level above.  The node is read from
 * the page the walk reads anyway (the folio, for its size).
 */
static void vmi_count_data(struct vmi_walk *w, enum vmi_level level, int nid,
			   unsigned long n)
{
	int l;

	if (nid == NUMA_NO_NODE)
		return;
	for (l = 0; l <= level; l++) {
		w->range_cur[l].data += n;
		w->census_cur[l].data += n;
		if (w->range_cur[l].node == nid)
			w->range_cur[l].local += n;
		if (w->census_cur[l].node == nid)
			w->census_cur[l].local += n;
	}
}

/* Does this walk read every entry itself (no @leaf callback)? */
static bool vmi_walk_counts_pages(const struct vmi_walk *w)
{
	return !w->ops || !w->ops->leaf;
}

/*
 * A 2 MiB slot not mapped huge, with @none empty or zero-page entries,
 * @swap swap entries and @shared small anonymous pages mapped more than
 * once: keep the counts of the slot closest to a collapse.
 */
static void vmi_slot_cand(struct vmi_walk *w, unsigned int none,
			  unsigned int swap, unsigned int shared)
{
	struct vmi_slots *sl = &w->counts.slots;

	if (sl->cand && (none > sl->none ||
			 (none == sl->none && swap >= sl->swap)))
		return;
	sl->cand = true;
	sl->none = none;
	sl->swap = swap;
	sl->shared = shared;
}

/* Is [@addr, @next) a PMD-aligned 2 MiB slot of a VMA a THP may map? */
static bool vmi_is_slot(struct vm_area_struct *vma, unsigned long addr,
			unsigned long next)
{
	return vma && !is_vm_hugetlb_page(vma) && !(addr & ~PMD_MASK) &&
	       next - addr == PMD_SIZE;
}

/*
 * The 2 MiB slots of [@addr, @next) under an empty entry above the PMD
 * level (no PMD table there yet): each is a slot whose PTRS_PER_PTE
 * entries are all none, as vmi_pmd_range() counts a none PMD entry.
 */
static void vmi_count_empty_slots(struct vmi_walk *w,
				  struct vm_area_struct *vma,
				  unsigned long addr, unsigned long next)
{
	unsigned long first = ALIGN(addr, PMD_SIZE), last = next & PMD_MASK;

	if (!vma || is_vm_hugetlb_page(vma) || last <= first)
		return;
	w->counts.slots.slots += (last - first) >> PMD_SHIFT;
	if (vmi_walk_counts_pages(w))
		vmi_slot_cand(w, PTRS_PER_PTE, 0, 0);
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

/*
 * Call a callback.  Its value is only its own: 0 goes on, anything else
 * ends the walk and is returned as it is (walk.h); the walker's pause is
 * @w->paused, never a return value.  Callbacks must not sleep (they may
 * run under a PTE spinlock, and the walk holds pointers into tables that
 * only the locks it holds keep): a might_sleep() in one is reported on
 * CONFIG_DEBUG_ATOMIC_SLEEP kernels at every level, not only under the
 * spinlock.
 */
static int vmi_call(struct vmi_walk *w,
		    int (*fn)(struct vmi_walk *w, const struct vmi_entry *e),
		    const struct vmi_entry *e)
{
	int ret;

	non_block_start();
	ret = fn(w, e);
	non_block_end();
	return ret;
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
		return vmi_call(w, w->ops->leaf, &e);
	return 0;
}

static __always_inline int vmi_emit_table(struct vmi_walk *w,
					  struct vm_area_struct *vma,
					  enum vmi_level level,
					  unsigned long addr,
					  unsigned long next, u64 val,
					  bool unguarded)
{
	struct vmi_entry e = {
		.start = addr,
		.end = next,
		.level = level,
		.val = val,
		.vma = vma,
		.unguarded = unguarded,
	};

	vmi_count_entry(w, level, addr);
	w->action = VMI_WALK_SUBTREE;
	if (w->ops && w->ops->table)
		return vmi_call(w, w->ops->table, &e);
	return 0;
}

/*
 * After vmi_emit_table() of a guarded entry: the table of @level it points
 * to exists, so it is counted; walk it unless the callback skipped it.
 */
static __always_inline bool vmi_descend(struct vmi_walk *w,
					enum vmi_level level,
					unsigned long addr, u64 entry)
{
	vmi_count_table(w, level, addr, vmi_entry_pfn(entry));
	return w->action == VMI_WALK_SUBTREE;
}

/*
 * Charge @cost entries to the batch.  When it is used up before @end, the
 * end of the current table's range, pause: remember @next, where the walk
 * resumes, and unwind (every level returns 0 at once on @w->paused);
 * vmi_walk_range() cycles the lock and goes on from there.  Return: true
 * if paused.
 */
static bool vmi_walk_charge(struct vmi_walk *w, long cost,
			    unsigned long next, unsigned long end)
{
	w->budget -= cost;
	if (w->budget > 0 || next >= end)
		return false;
	w->resume = next;
	w->paused = true;
	return true;
}

/*
 * shmem (tmpfs, memfd, SysV shm) keeps the swap entries of its pages in
 * its page cache, not in the page tables: a page of a shmem VMA that is in
 * swap has no PTE.  Like smaps (smaps_pte_hole()), count it as swap.
 * shmem_mapping() is not exported on 6.1; every shmem file lives on a
 * tmpfs superblock (memfd and SysV shm on the internal shm_mnt).
 */
bool vmi_vma_shmem(struct vm_area_struct *vma)
{
	return vma && vma->vm_file && !is_vm_hugetlb_page(vma) &&
	       file_inode(vma->vm_file)->i_sb->s_magic == TMPFS_MAGIC;
}

static pgoff_t vmi_vma_pgoff(struct vm_area_struct *vma, unsigned long addr)
{
	return vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
}

/*
 * The first page of [@addr, @end) of shmem VMA @vma whose page-cache slot
 * holds a swap entry, or @end.  Under the RCU read lock, as
 * shmem_partial_swap_usage() reads it.
 */
static unsigned long vmi_shmem_next_swap(struct vm_area_struct *vma,
					 unsigned long addr, unsigned long end)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	XA_STATE(xas, &mapping->i_pages, vmi_vma_pgoff(vma, addr));
	pgoff_t last = vmi_vma_pgoff(vma, end) - 1;
	unsigned long found = end;
	void *entry;

	rcu_read_lock();
	xas_for_each(&xas, entry, last) {
		if (xas_retry(&xas, entry))
			continue;
		if (xa_is_value(entry)) {
			found = vma->vm_start +
				((xas.xa_index - vma->vm_pgoff) << PAGE_SHIFT);
			break;
		}
	}
	rcu_read_unlock();
	return max(found, addr);
}

static bool vmi_shmem_swapped(struct vm_area_struct *vma, unsigned long addr)
{
	return vmi_shmem_next_swap(vma, addr, addr + PAGE_SIZE) == addr;
}

static int vmi_empty(struct vmi_walk *w, struct vm_area_struct *vma,
		     enum vmi_level level, unsigned long addr,
		     unsigned long next, u64 val)
{
	unsigned long swap, swap_end;
	int ret;

	if (level < VMI_LEVEL_PMD)
		vmi_count_empty_slots(w, vma, addr, next);
	if (!vma || !vma->vm_file)
		return vmi_emit(w, vma, level, addr, next, val,
				VMI_STATE_UNTOUCHED);
	if (!vmi_vma_shmem(vma))
		return vmi_emit(w, vma, level, addr, next, val, VMI_STATE_FILE);
	/* alternate runs of file and swap pages */
	while (addr < next) {
		swap = vmi_shmem_next_swap(vma, addr, next);
		if (swap > addr) {
			ret = vmi_emit(w, vma, level, addr, swap, val,
				       VMI_STATE_FILE);
			if (ret)
				return ret;
			addr = swap;
			continue;
		}
		for (swap_end = addr + PAGE_SIZE; swap_end < next;
		     swap_end += PAGE_SIZE)
			if (!vmi_shmem_swapped(vma, swap_end))
				break;
		ret = vmi_emit(w, vma, level, addr, swap_end, val,
			       VMI_STATE_SWAP);
		if (ret)
			return ret;
		addr = swap_end;
	}
	return 0;
}

/* A bad entry (pXd_bad()): reported, never descended into. */
static int vmi_bad(struct vmi_walk *w, struct vm_area_struct *vma,
		   enum vmi_level level, unsigned long addr,
		   unsigned long next, u64 val)
{
	vmi_count_entry(w, level, addr);
	return vmi_emit(w, vma, level, addr, next, val, VMI_STATE_SPECIAL);
}

static int vmi_nonpresent(struct vmi_walk *w, struct vm_area_struct *vma,
			  enum vmi_level level, unsigned long addr,
			  unsigned long next, u64 val)
{
	bool first = vmi_count_entry(w, level, addr);

	/* a THP being migrated keeps its deposited table */
	if (level == VMI_LEVEL_PMD && vmi_pmd_is_migration(__pmd(val)))
		vmi_count_deposit(w, vma, addr, first);
	return vmi_emit(w, vma, level, addr, next, val, vmi_swp_state(val));
}

/**
 * vmi_write_copies - will the next write to this read-only leaf copy?
 * @pfn:	the frame it maps
 * @nopage:	it maps no refcounted page (the zero page, a special or
 *		devmap entry)
 *
 * For a present, hardware-read-only leaf of a private writable VMA that
 * userfaultfd does not write-protect: what do_wp_page() will do.  An
 * anonymous page marked exclusive is reused (a fresh anonymous page, or
 * one whose write bit soft-dirty clearing or mprotect removed); so is a
 * small anonymous page nobody else holds (wp_can_reuse_anon_folio(): a
 * single reference, or two with the swap cache).  Everything else is
 * copied: a page shared since fork, a KSM page, a file page, the zero page.
 * Reading the struct page of a mapped frame is safe (its memmap exists);
 * we take no reference, so the answer is as of the read.
 */
static bool vmi_write_copies(unsigned long pfn, bool nopage)
{
	struct page *page;
	struct folio *folio;

	if (nopage || !pfn_valid(pfn))
		return true;
	page = pfn_to_page(pfn);
	if (!PageAnon(page))
		return true;
	if (PageAnonExclusive(page))
		return false;
	folio = page_folio(page);
	if (folio_test_ksm(folio) || folio_test_large(folio))
		return true;
	return folio_ref_count(folio) > 1 + !!folio_test_swapcache(folio);
}

/* a private writable VMA: where a read-only page may be copy-on-write */
static bool vmi_vma_cow(struct vm_area_struct *vma)
{
	return vma && (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
}

/**
 * struct vmi_leaf_attrs - what the kernel's accessors say of a present leaf
 * @dirty:	pXd_dirty() (hardware or saved dirty)
 * @young:	pXd_young()
 * @write:	pXd_write() (a shadow-stack page is writable)
 * @nopage:	no refcounted page: pte_special(), devmap, the huge zero page
 * @cow:	the next write copies (vmi_write_copies())
 */
struct vmi_leaf_attrs {
	bool dirty;
	bool young;
	bool write;
	bool nopage;
	bool cow;
};

static int vmi_present(struct vmi_walk *w, struct vm_area_struct *vma,
		       enum vmi_level level, unsigned long addr,
		       unsigned long next, u64 val,
		       const struct vmi_leaf_attrs *a)
{
	unsigned long pages = (next - addr) >> PAGE_SHIFT;
	unsigned long *attr = w->counts.attr;
	bool first = vmi_count_entry(w, level, addr);

	if (level == VMI_LEVEL_PMD) {
		attr[VMI_ATTR_HUGE_PMD] += pages;
		if (!vmi_pmd_devmap(__pmd(val)))
			vmi_count_deposit(w, vma, addr, first);
	} else if (level == VMI_LEVEL_PUD) {
		attr[VMI_ATTR_HUGE_PUD] += pages;
	}
	/*
	 * a huge leaf's data node (PTEs: the PTE loop counts them), as
	 * numa_maps counts data: pages with a struct page, not the huge zero
	 * page or a devmap leaf
	 */
	if (level != VMI_LEVEL_PTE && vmi_walk_counts_pages(w) && !a->nopage)
		vmi_count_data(w, level,
			       vmi_pfn_nid(level == VMI_LEVEL_PMD ?
					   pmd_pfn(__pmd(val)) :
					   pud_pfn(__pud(val))),
			       pages);
	if (a->dirty)
		attr[VMI_ATTR_DIRTY] += pages;
	if (a->young)
		attr[VMI_ATTR_YOUNG] += pages;
	if (a->write)
		attr[VMI_ATTR_WRITABLE] += pages;
	if (a->cow)
		attr[VMI_ATTR_COW] += pages;
	if (a->nopage)
		attr[VMI_ATTR_NOPAGE] += pages;
	return vmi_emit(w, vma, level, addr, next, val, VMI_STATE_PRESENT);
}

/*
 * The attributes of a present PTE, through the kernel's accessors.  This
 * and vmi_pte_page() run for every present PTE: always inlined.
 */
static __always_inline void vmi_pte_attrs(struct vm_area_struct *vma,
					  pte_t pte, struct vmi_leaf_attrs *a)
{
	a->dirty = pte_dirty(pte);
	a->young = pte_young(pte);
	a->write = pte_write(pte);
	a->nopage = pte_special(pte);
	/* not PROT_NONE/NUMA hinting, not write-protected by userfaultfd */
	a->cow = !a->write && vmi_vma_cow(vma) && !pte_protnone(pte) &&
		 !vmi_pte_uffd_wp(pte) &&
		 vmi_write_copies(pte_pfn(pte), a->nopage);
}

/*
 * A present PMD leaf maps no refcounted page when it is a devmap entry or
 * the huge zero page.  is_huge_zero_pmd() needs symbols modules cannot
 * use; in an anonymous VMA a PMD leaf whose page is not anonymous can only
 * be the huge zero page.
 */
static bool vmi_pmd_nopage(struct vm_area_struct *vma, pmd_t pmd)
{
	unsigned long pfn = pmd_pfn(pmd);

	if (vmi_pmd_devmap(pmd))
		return true;
	if (!vma || !vma_is_anonymous(vma) || is_vm_hugetlb_page(vma))
		return false;
	return pfn_valid(pfn) && !PageAnon(pfn_to_page(pfn));
}

static void vmi_pmd_attrs(struct vm_area_struct *vma, pmd_t pmd,
			  struct vmi_leaf_attrs *a)
{
	a->dirty = pmd_dirty(pmd);
	a->young = pmd_young(pmd);
	a->write = pmd_write(pmd);
	a->nopage = vmi_pmd_nopage(vma, pmd);
	a->cow = !a->write && vmi_vma_cow(vma) &&
		 (pmd_val(pmd) & _PAGE_PRESENT) && !vmi_pmd_uffd_wp(pmd) &&
		 vmi_write_copies(pmd_pfn(pmd), a->nopage);
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

static void vmi_pud_attrs(struct vm_area_struct *vma, pud_t pud,
			  struct vmi_leaf_attrs *a)
{
	a->dirty = pud_dirty(pud);
	a->young = pud_young(pud);
	a->write = pud_write(pud);
	a->nopage = vmi_pud_devmap(pud);
	/* hugetlb 1G: userfaultfd write-protects it with the PTE bit */
	a->cow = !a->write && vmi_vma_cow(vma) &&
		 (pud_val(pud) & _PAGE_PRESENT) &&
		 !(pud_val(pud) & VMI_PAGE_UFFD) &&
		 vmi_write_copies(pud_pfn(pud), a->nopage);
}

/*
 * What the PTE loop learns from the folios of one table's present pages
 * (vmi_pte_page()): pages per folio size (added to the walk's counts as
 * they come: a one-page VMA's range has one entry, and a local array to
 * clear and add up cost more than that entry), small anonymous pages
 * mapped more than once (khugepaged's "shared"), and the data pages by
 * node, counted in runs of one node.  The last large folio met is
 * remembered: its other pages need no second look at its struct page.
 */
struct vmi_pte_pages {
	unsigned long *folio;		/* the walk's counts, by size */
	unsigned int shared;
	unsigned long head, nr;		/* the last large folio's frames */
	unsigned int size;		/* its VMI_FOLIO_* */
	int nid;			/* the node of the current run */
	unsigned long run;		/* data pages in the run */
};

static void vmi_pte_pages_flush_run(struct vmi_walk *w,
				    struct vmi_pte_pages *pp)
{
	if (pp->run)
		vmi_count_data(w, VMI_LEVEL_PTE, pp->nid, pp->run);
	pp->run = 0;
}

/*
 * The folio of a present PTE mapping frame @pfn: its size, its node and,
 * if it is a small page of an anonymous VMA (@anon), whether it is mapped
 * more than once.  The struct page of a mapped frame exists and, under the
 * PTE lock, its folio is neither freed nor split (see the top of this
 * file); no reference is taken, so the answer is as of the read.
 */
static __always_inline void vmi_pte_page(struct vmi_walk *w,
					 struct vmi_pte_pages *pp,
					 unsigned long pfn, bool nopage,
					 bool anon)
{
	struct folio *folio;
	unsigned int order;
	int nid;

	if (pfn - pp->head < pp->nr) {		/* the same large folio */
		pp->folio[pp->size]++;
		pp->run++;
		return;
	}
	/*
	 * A present PTE that is not special maps a page with a struct page
	 * (vm_normal_page(); gup_fast takes pte_page() likewise): PFN maps,
	 * the zero page and mixed maps without pages are special (@nopage).
	 */
	if (nopage) {
		pp->folio[VMI_FOLIO_4K]++;
		return;
	}
	folio = page_folio(pfn_to_page(pfn));
	if (folio_test_large(folio)) {
		order = folio_order(folio);
		pp->size = min_t(unsigned int, order, VMI_FOLIO_BIG);
		pp->head = folio_pfn(folio);
		pp->nr = 1UL << order;
		pp->folio[pp->size]++;
	} else {
		pp->folio[VMI_FOLIO_4K]++;
		pp->shared += anon && vmi_small_mapcount(folio) > 1;
	}
	nid = folio_nid(folio);
	if (nid != pp->nid) {
		vmi_pte_pages_flush_run(w, pp);
		pp->nid = nid;
	}
	pp->run++;
}

/*
 * The PTE loop when nobody wants to see entries one by one (mm, vmas,
 * processes): classify with the same accessors as the general path, count
 * in locals and add them up once per table.  Non-present entries (swap,
 * migration, markers) and empty entries of shmem VMAs (which may be in
 * swap) take the general path.  The batch budget is charged per table; the
 * PMD loop pauses.
 */
static int vmi_pte_count(struct vmi_walk *w, struct vm_area_struct *vma,
			 pte_t *ptep, unsigned long addr, unsigned long end)
{
	unsigned long none = 0, present = 0, dirty = 0, young = 0;
	unsigned long write = 0, nopage = 0, cow = 0;
	unsigned long *attr = w->counts.attr;
	unsigned long i, n = (end - addr) >> PAGE_SHIFT;
	struct vmi_pte_pages pp = {
		.folio = w->counts.folio,
		.nid = NUMA_NO_NODE,
	};
	bool anon = vma && vma_is_anonymous(vma);
	bool shmem = vmi_vma_shmem(vma);
	unsigned int empty = 0, swap = 0;
	struct vmi_leaf_attrs a;
	int ret = 0;

	for (i = 0; i < n; i++) {
		pte_t pte = ptep_get(ptep + i);
		unsigned long va = addr + (i << PAGE_SHIFT);

		if (pte_none(pte) && !shmem) {
			none++;
		} else if (pte_none(pte)) {
			empty++;
			ret = vmi_empty(w, vma, VMI_LEVEL_PTE, va,
					va + PAGE_SIZE, pte_val(pte));
		} else if (!pte_present(pte)) {
			swap += vmi_swp_state(pte_val(pte)) == VMI_STATE_SWAP;
			ret = vmi_nonpresent(w, vma, VMI_LEVEL_PTE, va,
					     va + PAGE_SIZE, pte_val(pte));
		} else {
			vmi_pte_attrs(vma, pte, &a);
			present++;
			dirty += a.dirty;
			young += a.young;
			write += a.write;
			nopage += a.nopage;
			cow += a.cow;
			vmi_pte_page(w, &pp, pte_pfn(pte), a.nopage, anon);
		}
		if (ret)
			break;
	}
	w->budget -= n;
	vmi_pte_pages_flush_run(w, &pp);
	/* a whole slot: how far from a collapse (zero pages count as none) */
	if (!ret && vmi_is_slot(vma, addr, end))
		vmi_slot_cand(w, none + empty + nopage, swap, pp.shared);

	vmi_count_ptes(w, present);
	w->counts.state[VMI_STATE_PRESENT] += present;
	if (vma && vma->vm_file)
		w->counts.state[VMI_STATE_FILE] += none;
	else
		w->counts.state[VMI_STATE_UNTOUCHED] += none;
	attr[VMI_ATTR_DIRTY] += dirty;
	attr[VMI_ATTR_YOUNG] += young;
	attr[VMI_ATTR_WRITABLE] += write;
	attr[VMI_ATTR_NOPAGE] += nopage;
	attr[VMI_ATTR_COW] += cow;
	return ret;
}

/*
 * How many PTEs from @ptep (at most @max) continue the run of present
 * entry @pte with attributes @a, for a walk that takes runs
 * (@w->leaf_runs): the same flags and attributes and, unless the frames do
 * not matter (@w->runs_any_frame), the next frames.
 */
static unsigned long vmi_pte_run(struct vmi_walk *w,
				 struct vm_area_struct *vma, pte_t *ptep,
				 pte_t pte, const struct vmi_leaf_attrs *a,
				 unsigned long max)
{
	pteval_t flags = pte_val(pte) & ~PTE_PFN_MASK;
	unsigned long n, pfn = pte_pfn(pte);
	/* equal flags give equal attributes, but cow asks the page */
	bool ask_page = !a->write && vmi_vma_cow(vma);
	struct vmi_leaf_attrs b;

	for (n = 1; n < max; n++) {
		pte_t q = ptep_get(ptep + n);

		if ((pte_val(q) & ~PTE_PFN_MASK) != flags || !pte_present(q))
			break;
		if (!w->runs_any_frame && pte_pfn(q) != pfn + n)
			break;
		if (ask_page) {
			vmi_pte_attrs(vma, q, &b);
			if (memcmp(a, &b, sizeof(b)))
				break;
		}
	}
	return n;
}

/*
 * The entries of one PTE table from @ptep, mapped and locked by the caller.
 * A walk that takes runs gets runs of empty entries, and of present ones
 * (vmi_pte_run()), as one entry each: the callback's cost is per run.
 */
static int vmi_pte_entries(struct vmi_walk *w, struct vm_area_struct *vma,
			   pte_t *ptep, unsigned long addr, unsigned long end)
{
	struct vmi_leaf_attrs a;
	unsigned long n;
	int ret = 0;

	if (!w->ops || !w->ops->leaf)
		return vmi_pte_count(w, vma, ptep, addr, end);
	while (addr < end) {
		pte_t pte = ptep_get(ptep);
		unsigned long left = (end - addr) >> PAGE_SHIFT, next;

		n = 1;
		if (pte_none(pte)) {
			while (w->leaf_runs && n < left &&
			       pte_none(ptep_get(ptep + n)))
				n++;
			next = addr + (n << PAGE_SHIFT);
			ret = vmi_empty(w, vma, VMI_LEVEL_PTE, addr, next,
					pte_val(pte));
		} else if (!pte_present(pte)) {
			next = addr + PAGE_SIZE;
			ret = vmi_nonpresent(w, vma, VMI_LEVEL_PTE, addr, next,
					     pte_val(pte));
		} else {
			vmi_pte_attrs(vma, pte, &a);
			if (w->leaf_runs)
				n = vmi_pte_run(w, vma, ptep, pte, &a, left);
			next = addr + (n << PAGE_SHIFT);
			ret = vmi_present(w, vma, VMI_LEVEL_PTE, addr, next,
					  pte_val(pte), &a);
			/* vmi_present() counted the run's first entry */
			vmi_count_ptes(w, n - 1);
			w->census_entry_base[VMI_LEVEL_PTE] = next - PAGE_SIZE;
			w->range_entry_base[VMI_LEVEL_PTE] = next - PAGE_SIZE;
		}
		if (ret || vmi_walk_charge(w, n, next, end))
			break;
		ptep += n;
		addr = next;
	}
	return ret;
}

/*
 * May the walk read the table the entry of @level at @addr points to?
 * Inside a VMA always; in a hole only if a VMA in the tree overlaps the
 * table's range (see "What keeps a table alive" at the top of this file).
 */
static bool vmi_guarded(struct vmi_walk *w, struct vm_area_struct *vma,
			enum vmi_level level, unsigned long addr)
{
	unsigned long span = vmi_level_span(level);
	unsigned long base = addr & ~(span - 1);

	if (vma)
		return true;
	/* the VMA found keeps the table only while the lock is held */
	vmi_mmap_assert_locked(w->mm);
	return find_vma_intersection(w->mm, base, base + span);
}

/*
 * In a hugetlb VMA nothing at or below the hstate level is a table: an
 * entry there that looks like one is reported as bad.
 */
static bool vmi_hugetlb_leaf_level(struct vmi_walk *w, enum vmi_level level)
{
	return w->hugetlb_level != VMI_NR_LEVELS && level >= w->hugetlb_level;
}

/**
 * vmi_pte_table - the PMD entry of a mapped and locked PTE table, and the
 *		   table's entries
 * @w:		the walk
 * @vma:	the VMA (NULL: a hole whose table vmi_guarded() allowed)
 * @ptep:	the PTE of @addr, mapped by vmi_pte_range()
 * @ptl:	the table's PTE lock, held
 * @pmd:	the PMD value that points to the table
 * @addr:	start of the range, in the entry's span
 * @end:	end of the range, in the entry's span
 *
 * The table is counted and shown only here, once it is locked.
 *
 * Context: mmap read lock, RCU read lock and @ptl held.
 * Return: 0 or a callback's value; @w->paused if the batch ran out.
 */
static int vmi_pte_table(struct vmi_walk *w, struct vm_area_struct *vma,
			 pte_t *ptep, spinlock_t *ptl, pmd_t pmd,
			 unsigned long addr, unsigned long end)
{
	int ret;

	/* what keeps the table from being freed and changed under us */
	lockdep_assert_held(ptl);
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(),
			 "vminspect: PTE table read outside an RCU read section");
	ret = vmi_emit_table(w, vma, VMI_LEVEL_PMD, addr, end, pmd_val(pmd),
			     false);
	if (ret || !vmi_descend(w, VMI_LEVEL_PTE, addr, pmd_val(pmd)))
		return ret;
	return vmi_pte_entries(w, vma, ptep, addr, end);
}

/**
 * vmi_pte_range - map and lock the PTE table a PMD entry points to, and
 *		   walk it
 * @w:		the walk
 * @vma:	the VMA (NULL: a hole whose table vmi_guarded() allowed)
 * @pmdp:	the PMD entry
 * @pmd:	set to the value read: the table's, or what is there instead
 * @addr:	start of the range, in the entry's span
 * @end:	end of the range, in the entry's span
 * @gone:	set when the entry no longer points to a table
 *
 * Maps the table as the kernel's own pte_offset_map_lock() does (out of
 * line and not exported since 6.5): under the RCU read lock, which keeps a
 * PTE table freed by khugepaged's retract or by PT_RECLAIM (both
 * RCU-deferred, 6.6+ and 7.3) from being reused under us; reads the PMD
 * once and maps the table from the value read, never re-reading the
 * parent; takes the table's PTE lock and checks that the PMD still points
 * to that table.  If it does not, *@gone is set and *@pmd is the value
 * there now, for the caller to classify again (the kernel's ACTION_AGAIN).
 *
 * Context: mmap read lock held.  Takes the RCU read lock and the PTE lock.
 * Return: 0 or a callback's value; @w->paused if the batch ran out.
 */
static int vmi_pte_range(struct vmi_walk *w, struct vm_area_struct *vma,
			 pmd_t *pmdp, pmd_t *pmd, unsigned long addr,
			 unsigned long end, bool *gone)
{
	spinlock_t *ptl;	/* the PTE table's lock */
	pte_t *ptep;
	int ret = 0;

	*gone = true;
	rcu_read_lock();
	*pmd = vmi_pmdp_get_lockless(pmdp);
	if (!vmi_pmd_is_table(*pmd))
		goto out_rcu;
	ptep = pte_offset_kernel(pmd, addr);
	ptl = pte_lockptr(w->mm, pmd);
	spin_lock(ptl);
	if (unlikely(!pmd_same(*pmd, vmi_pmdp_get_lockless(pmdp)))) {
		*pmd = vmi_pmdp_get_lockless(pmdp);
		goto out_unlock;
	}
	*gone = false;
	ret = vmi_pte_table(w, vma, ptep, ptl, *pmd, addr, end);
out_unlock:
	spin_unlock(ptl);
out_rcu:
	rcu_read_unlock();
	return ret;
}

static int vmi_pmd_range(struct vmi_walk *w, struct vm_area_struct *vma,
			 pud_t *pudp, pud_t pud, unsigned long addr,
			 unsigned long end)
{
	pmd_t *pmdp = pmd_offset_lockless(pudp, pud, addr);
	bool leaf_level = vmi_hugetlb_leaf_level(w, VMI_LEVEL_PMD);
	struct vmi_leaf_attrs a;
	unsigned long next;
	bool gone;
	int ret;

	/* a hugetlb PMD table may be shared: no huge_pmd_unshare() now */
	if (leaf_level)
		i_mmap_assert_locked(vma->vm_file->f_mapping);
	do {
		pmd_t pmd = vmi_pmdp_get_lockless(pmdp);

		next = pmd_addr_end(addr, end);
		if (vmi_is_slot(vma, addr, next))
			w->counts.slots.slots++;
again:
		if (pmd_none(pmd)) {
			if (vmi_is_slot(vma, addr, next) &&
			    vmi_walk_counts_pages(w))
				vmi_slot_cand(w, PTRS_PER_PTE, 0, 0);
			ret = vmi_empty(w, vma, VMI_LEVEL_PMD, addr, next,
					pmd_val(pmd));
		} else if (!pmd_present(pmd)) {
			/* THP or hugetlb migration, hwpoison, marker */
			ret = vmi_nonpresent(w, vma, VMI_LEVEL_PMD, addr, next,
					     pmd_val(pmd));
		} else if (pmd_leaf(pmd) || vmi_pmd_devmap(pmd)) {
			/* THP, hugetlb 2M, device DAX */
			vmi_pmd_attrs(vma, pmd, &a);
			ret = vmi_present(w, vma, VMI_LEVEL_PMD, addr, next,
					  pmd_val(pmd), &a);
		} else if (pmd_bad(pmd) || leaf_level) {
			ret = vmi_bad(w, vma, VMI_LEVEL_PMD, addr, next,
				      pmd_val(pmd));
		} else if (!vmi_guarded(w, vma, VMI_LEVEL_PMD, addr)) {
			ret = vmi_emit_table(w, vma, VMI_LEVEL_PMD, addr, next,
					     pmd_val(pmd), true);
		} else {
			ret = vmi_pte_range(w, vma, pmdp, &pmd, addr, next,
					    &gone);
			if (gone)
				goto again;	/* classify what is there now */
			/* a table done: yield to a waiting writer */
			if (next < end && vmi_mmap_lock_wanted(w->mm))
				w->budget = 0;
			w->budget -= VMI_PTE_MAP_COST;
		}
		if (ret || w->paused)
			return ret;
		if (vmi_walk_charge(w, 1, next, end))
			return 0;
	} while (pmdp++, addr = next, addr != end);
	return 0;
}

static int vmi_pud_range(struct vmi_walk *w, struct vm_area_struct *vma,
			 p4d_t *p4dp, p4d_t p4d, unsigned long addr,
			 unsigned long end)
{
	pud_t *pudp = pud_offset_lockless(p4dp, p4d, addr);
	bool leaf_level = vmi_hugetlb_leaf_level(w, VMI_LEVEL_PUD);
	struct vmi_leaf_attrs a;
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
			vmi_pud_attrs(vma, pud, &a);
			ret = vmi_present(w, vma, VMI_LEVEL_PUD, addr, next,
					  pud_val(pud), &a);
		} else if (!pud_present(pud)) {
			/* hugetlb 1G migration, hwpoison, marker */
			ret = vmi_nonpresent(w, vma, VMI_LEVEL_PUD, addr, next,
					     pud_val(pud));
		} else if (pud_bad(pud) || leaf_level) {
			ret = vmi_bad(w, vma, VMI_LEVEL_PUD, addr, next,
				      pud_val(pud));
		} else if (!vmi_guarded(w, vma, VMI_LEVEL_PUD, addr)) {
			ret = vmi_emit_table(w, vma, VMI_LEVEL_PUD, addr, next,
					     pud_val(pud), true);
		} else {
			ret = vmi_emit_table(w, vma, VMI_LEVEL_PUD, addr, next,
					     pud_val(pud), false);
			if (!ret && vmi_descend(w, VMI_LEVEL_PMD, addr,
						pud_val(pud)))
				ret = vmi_pmd_range(w, vma, pudp, pud, addr,
						    next);
		}
		if (ret || w->paused)
			return ret;
		if (vmi_walk_charge(w, 1, next, end))
			return 0;
	} while (pudp++, addr = next, addr != end);
	return 0;
}

/*
 * On 4-level paging p4d_offset_lockless() hands back the pgd value itself
 * and the loop below runs once per pgd entry: its entries are counted as
 * pgd entries and no p4d table exists.
 */
static int vmi_p4d_range(struct vmi_walk *w, struct vm_area_struct *vma,
			 pgd_t *pgdp, pgd_t pgd, unsigned long addr,
			 unsigned long end)
{
	enum vmi_level level = pgtable_l5_enabled() ? VMI_LEVEL_P4D :
						      VMI_LEVEL_PGD;
	p4d_t *p4dp = p4d_offset_lockless(pgdp, pgd, addr);
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
		} else if (p4d_bad(p4d)) {
			ret = vmi_bad(w, vma, level, addr, next, p4d_val(p4d));
		} else if (!vmi_guarded(w, vma, level, addr)) {
			ret = vmi_emit_table(w, vma, level, addr, next,
					     p4d_val(p4d), true);
		} else {
			ret = vmi_emit_table(w, vma, level, addr, next,
					     p4d_val(p4d), false);
			if (!ret && vmi_descend(w, VMI_LEVEL_PUD, addr,
						p4d_val(p4d)))
				ret = vmi_pud_range(w, vma, p4dp, p4d, addr,
						    next);
		}
		if (ret || w->paused)
			return ret;
		if (vmi_walk_charge(w, 1, next, end))
			return 0;
	} while (p4dp++, addr = next, addr != end);
	return 0;
}

static int vmi_pgd_range(struct vmi_walk *w, struct vm_area_struct *vma,
			 unsigned long addr, unsigned long end)
{
	pgd_t *pgdp = pgd_offset(w->mm, addr);
	unsigned long next;
	int ret;

	vmi_mmap_assert_locked(w->mm);
	vmi_count_table(w, VMI_LEVEL_PGD, addr, PFN_DOWN(__pa(w->mm->pgd)));
	do {
		pgd_t pgd = READ_ONCE(*pgdp);

		next = pgd_addr_end(addr, end);
		if (!pgtable_l5_enabled()) {
			ret = vmi_p4d_range(w, vma, pgdp, pgd, addr, next);
		} else if (pgd_none(pgd)) {
			ret = vmi_empty(w, vma, VMI_LEVEL_PGD, addr, next,
					pgd_val(pgd));
		} else if (!pgd_present(pgd)) {
			ret = vmi_nonpresent(w, vma, VMI_LEVEL_PGD, addr, next,
					     pgd_val(pgd));
		} else if (pgd_bad(pgd)) {
			ret = vmi_bad(w, vma, VMI_LEVEL_PGD, addr, next,
				      pgd_val(pgd));
		} else if (!vmi_guarded(w, vma, VMI_LEVEL_PGD, addr)) {
			ret = vmi_emit_table(w, vma, VMI_LEVEL_PGD, addr, next,
					     pgd_val(pgd), true);
		} else {
			ret = vmi_emit_table(w, vma, VMI_LEVEL_PGD, addr, next,
					     pgd_val(pgd), false);
			if (!ret && vmi_descend(w, VMI_LEVEL_P4D, addr,
						pgd_val(pgd)))
				ret = vmi_p4d_range(w, vma, pgdp, pgd, addr,
						    next);
		}
		if (ret || w->paused)
			return ret;
	} while (pgdp++, addr = next, addr != end);
	return 0;
}

/*
 * Walk [@addr, @stop) of @vma (NULL: a hole) under the mmap read lock; a
 * hugetlb VMA under its file's i_mmap_rwsem too, which keeps its shared
 * PMD tables from being unshared (huge_pmd_unshare() holds it for write).
 */
static int vmi_vma_range(struct vmi_walk *w, struct vm_area_struct *vma,
			 unsigned long addr, unsigned long stop)
{
	struct address_space *mapping;
	unsigned int shift;
	int ret;

	w->hugetlb_level = VMI_NR_LEVELS;
	if (!vma || !is_vm_hugetlb_page(vma))
		return vmi_pgd_range(w, vma, addr, stop);

	shift = huge_page_shift(hstate_vma(vma));
	w->hugetlb_level = shift >= PUD_SHIFT ? VMI_LEVEL_PUD : VMI_LEVEL_PMD;
	mapping = vma->vm_file->f_mapping;
	i_mmap_lock_read(mapping);
	ret = vmi_pgd_range(w, vma, addr, stop);
	i_mmap_unlock_read(mapping);
	return ret;
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
	vmi_walk_reset(w);
}

/**
 * vmi_walk_reset - forget what a walk counted, keep how it walks
 * @w:	an initialised walk
 *
 * Clears @w->counts and @w->census for a new range; the mm, the callbacks
 * and the state of a held lock stay.
 */
void vmi_walk_reset(struct vmi_walk *w)
{
	memset(&w->counts, 0, sizeof(w->counts));
	memset(&w->census, 0, sizeof(w->census));
	memset(w->census_table_base, 0xff, sizeof(w->census_table_base));
	memset(w->census_entry_base, 0xff, sizeof(w->census_entry_base));
}

/**
 * vmi_walk_reset_counts - forget what a walk counted in its last range
 * @w:	an initialised walk
 *
 * Clears only @w->counts, for the files that read nothing else per range
 * (vmas, pagetable: a record per VMA): @w->census goes on accumulating,
 * unread, and its 2.6 KiB of per-node arrays are not cleared per VMA.
 */
void vmi_walk_reset_counts(struct vmi_walk *w)
{
	memset(&w->counts, 0, sizeof(w->counts));
}

/*
 * How long a walk waits at most, before it takes the lock, for those
 * waiting for it to get it first.
 */
#define VMI_LET_IN_NS		(2 * NSEC_PER_MSEC)

/*
 * Before taking the mmap lock (again: the lock is dropped after every
 * batch, and between the read() calls of a file): let whoever waits for it
 * (a writer: mmap, munmap, mprotect) take it first.  An rwsem lets a
 * reader take it ahead of a waiting writer (reader lock stealing) until
 * that writer has waited RWSEM_WAIT_TIMEOUT and asks for a handoff: a
 * reader that drops the lock and takes it again at once makes a writer
 * wait for all its batches, up to that timeout, as smaps_rollup does.
 * The waiter leaves the rwsem's wait list once it has the lock (then our
 * read lock queues behind it) or gives up; a spinning writer
 * (vmi_mmap_lock_wanted()) stops spinning once it has the lock or queues.
 *
 * Context: no mmap lock held; sleeps.
 */
static void vmi_walk_let_in(struct mm_struct *mm)
{
	u64 until;

	if (!vmi_mmap_lock_wanted(mm))
		return;
	until = ktime_get_ns() + VMI_LET_IN_NS;
	while (vmi_mmap_lock_wanted(mm) && !fatal_signal_pending(current) &&
	       ktime_get_ns() < until)
		usleep_range(10, 20);
}

/**
 * vmi_mmap_read_lock - mmap_read_lock_killable(), after those waiting
 * @mm:	the address space
 *
 * Every mmap read lock vminspect takes: waits (a little) for a writer that
 * waits to get it first (vmi_walk_let_in()).
 *
 * Return: 0 with the lock held, or -EINTR.
 */
int vmi_mmap_read_lock(struct mm_struct *mm)
{
	vmi_walk_let_in(mm);
	return mmap_read_lock_killable(mm) ? -EINTR : 0;
}

/**
 * vmi_walk_lock - take the mmap read lock for walks that hold it
 * @w:	a walk with @w->hold set
 *
 * For a caller that walks many small ranges under one hold (the per-VMA
 * files), as /proc/<pid>/maps holds it per buffer: vmi_walk_range() then
 * keeps the lock, and cycles it (vmi_walk_yield()) when a batch of
 * VMI_WALK_BATCH entries is used up or a writer waits.
 *
 * Return: 0 with the lock held, or -EINTR.
 */
int vmi_walk_lock(struct vmi_walk *w)
{
	if (vmi_mmap_read_lock(w->mm))
		return -EINTR;
	w->locked = true;
	w->budget = VMI_WALK_BATCH;
	return 0;
}

/**
 * vmi_walk_unlock - drop the lock vmi_walk_lock() took, if still held
 * @w:	the walk
 */
void vmi_walk_unlock(struct vmi_walk *w)
{
	if (w->locked)
		mmap_read_unlock(w->mm);
	w->locked = false;
	w->vma = NULL;
}

/**
 * vmi_walk_yield - let a writer in if the batch is used up or one waits
 * @w:		a walk holding the lock (vmi_walk_lock())
 * @cost:	entries' worth of work done since the last call
 *
 * Context: mmap read lock held; may drop it and sleep.  Anything found
 * under the lock (a VMA) must be looked up again if this returns 1.
 * Return: 0 (lock kept), 1 (lock dropped and taken again), or -EINTR
 * (fatal signal: the lock is not held any more).
 */
int vmi_walk_yield(struct vmi_walk *w, long cost)
{
	vmi_mmap_assert_locked(w->mm);
	w->budget -= cost;
	if (w->budget > 0 && !vmi_mmap_lock_wanted(w->mm))
		return 0;
	vmi_walk_unlock(w);
	cond_resched();
	return vmi_walk_lock(w) ?: 1;
}

/**
 * vmi_walk_range - walk the page tables of [@start, @end)
 * @w:		an initialised walk; ranges of one walk go up in address order
 * @start:	page-aligned start
 * @end:	page-aligned end
 *
 * Walks the VMAs in the range (and the holes between them when
 * @w->walk_holes, as far as a VMA keeps their tables alive), adding to
 * @w->counts and @w->census and calling the callbacks.  Without
 * @w->hold it must be called without mmap_lock held: the lock is taken
 * here, dropped and taken again between batches of entries (see the top
 * of this file) and dropped on return.  With @w->hold the caller holds it
 * (vmi_walk_lock()); it is cycled likewise and held on return, unless
 * -EINTR says otherwise (@w->locked).
 *
 * Return: 0, -EINTR on a fatal signal, or the non-zero value a callback
 * returned.
 */
int vmi_walk_range(struct vmi_walk *w, unsigned long start, unsigned long end)
{
	VMA_ITERATOR(vmi, w->mm, start);
	/* find_vma(@addr), when @known; @iter: @vmi stands on it */
	struct vm_area_struct *next = w->vma;
	bool known = false, iter = false;
	unsigned long addr = start;
	int ret = 0;

	/* exit_mmap() frees every table once mm_users drops to zero */
	VM_WARN_ON_ONCE(!atomic_read(&w->mm->mm_users));
	memset(w->range_base, 0xff, sizeof(w->range_base));
	memset(w->range_entry_base, 0xff, sizeof(w->range_entry_base));
	w->range_deposit_base = ULONG_MAX;
	if (!w->hold) {
		ret = vmi_walk_lock(w);
		if (ret)
			return ret;
	}
	/* the caller's VMA, found under this hold */
	known = next && next->vm_start <= addr && addr < next->vm_end;
	w->vma = NULL;
	while (addr < end) {
		struct vm_area_struct *vma;
		unsigned long stop;

		vmi_mmap_assert_locked(w->mm);
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (!known) {
			mas_set(&vmi.mas, addr);
			next = vma_next(&vmi);
			known = true;
			iter = true;
		}
		vma = next;
		if (!w->walk_holes && (!vma || vma->vm_start >= end))
			break;
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

		w->paused = false;
		ret = vmi_vma_range(w, vma, addr, stop);
		if (ret)
			break;
		addr = w->paused ? w->resume : stop;
		/* past @next: the VMA after it, as the iterator goes on */
		if (next && addr >= next->vm_end) {
			if (iter)
				next = vma_next(&vmi);
			else
				known = false;
		}
		/*
		 * Between VMAs, and where a batch ran out inside one: let a
		 * waiting writer in (each VMA costs an entry's worth).  If the
		 * lock was dropped, the VMAs are looked up again.
		 */
		if (addr < end) {
			ret = vmi_walk_yield(w, 1);
			if (ret < 0)
				return ret;
			if (ret)
				known = false;
			ret = 0;
		}
	}
	vmi_range_done(w);
	if (!w->hold)
		vmi_walk_unlock(w);
	return ret;
}

/* Skip every PTE table: the PMD entry that points to it counts it. */
static int vmi_tables_table(struct vmi_walk *w, const struct vmi_entry *e)
{
	if (e->level == VMI_LEVEL_PMD)
		w->action = VMI_WALK_CONTINUE;
	return 0;
}

static const struct vmi_walk_ops vmi_tables_ops = {
	.table	= vmi_tables_table,
};

/**
 * vmi_walk_tables - count the page tables of a whole address space
 * @w:	walk to initialise and fill
 * @mm:	the address space, with mm_users held by the caller
 *
 * The census of tables only, for the processes listing: @w->census.tables
 * (each table counted once, deposited PTE tables included) and
 * @w->census.deposited are what a full walk gives, and the entries of
 * every level but the PTE level.  Each PTE table is still mapped and
 * locked before it is counted (vmi_pte_table()), but none of its entries
 * is read: @w->census.entries[VMI_LEVEL_PTE] and @w->counts.state and
 * .attr leave out what PTE tables map.
 *
 * Return: 0 or -EINTR.
 */
int vmi_walk_tables(struct vmi_walk *w, struct mm_struct *mm)
{
	vmi_walk_init(w, mm, &vmi_tables_ops, NULL);
	return vmi_walk_range(w, 0, TASK_SIZE_MAX);
}
