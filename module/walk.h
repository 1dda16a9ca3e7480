/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vminspect's page-table walker: pgd -> p4d -> pud -> pmd -> pte over a
 * range of a process's address space.  See walk.c for the locking rules.
 */
#ifndef _VMI_WALK_H
#define _VMI_WALK_H

#include <linux/mm_types.h>
#include <linux/types.h>

#include <vminspect_abi.h>

struct vmi_walk;

/**
 * struct vmi_entry - one entry met by the walk
 * @start:	first address the entry maps (clipped to the walked range)
 * @end:	end of the range it maps (clipped likewise)
 * @level:	level of the entry (VMI_LEVEL_*)
 * @state:	VMI_STATE_* of the pages it maps (leaf and empty entries)
 * @val:	the raw entry, read once
 * @vma:	the VMA it lies in, or NULL outside every VMA
 * @unguarded:	(table entries outside every VMA) the table it points to
 *		lies outside every VMA too: nothing keeps it from being
 *		freed, so the walk does not read it and stops here
 */
struct vmi_entry {
	unsigned long start;
	unsigned long end;
	enum vmi_level level;
	enum vmi_state state;
	u64 val;
	struct vm_area_struct *vma;
	bool unguarded;
};

/**
 * enum vmi_walk_action - what the walk does after a @table callback
 * @VMI_WALK_SUBTREE:	descend into the table the entry points to (the
 *			default, set before every @table call)
 * @VMI_WALK_CONTINUE:	skip that table: go on with the next entry of the
 *			entry's own level; the table is still counted (in
 *			@counts.tables and @census.tables), none of its
 *			entries is read, counted or shown
 *
 * As mm/pagewalk.c's walk->action.  Only @table callbacks set it; the
 * walker ignores it after a @leaf callback.
 */
enum vmi_walk_action {
	VMI_WALK_SUBTREE,
	VMI_WALK_CONTINUE,
};

/**
 * struct vmi_walk_ops - what a user of the walker wants to see
 * @table:	called for every entry that points to a lower table
 *		(e->state is meaningless there); may set @w->action to
 *		VMI_WALK_CONTINUE to skip the table.  An entry of a PMD
 *		table is shown only once the PTE table it points to is
 *		mapped and locked, so a skip of it still costs the lock
 *		but no read of its 512 entries.
 * @leaf:	called for every leaf, empty or non-present entry, in
 *		address order
 *
 * Both are optional.  They run under the mmap read lock, for a hugetlb VMA
 * under its file's i_mmap_rwsem too, and for entries in or pointing to a
 * PTE table under the RCU read lock and the table's PTE spinlock: they
 * must not sleep (asserted on CONFIG_DEBUG_ATOMIC_SLEEP kernels: the
 * calls are a non_block_start() section).  They return 0 to go on;
 * anything else ends the walk and is what vmi_walk_range() returns.  The
 * walker's own state (a paused batch, a PTE table to map again) never
 * travels in a return value, so no value of a callback's is taken for it.
 */
struct vmi_walk_ops {
	int (*table)(struct vmi_walk *w, const struct vmi_entry *e);
	int (*leaf)(struct vmi_walk *w, const struct vmi_entry *e);
};

/* NUMA nodes whose page tables the census lists one by one (pt_node) */
#define VMI_NUMA_NODES		16

/**
 * struct vmi_occupancy - page tables by use, as the walk met them
 * @occ:	tables per level by entries in use (VMI_OCC_*)
 * @remote:	tables per level most of whose data pages (the present
 *		pages mapped through the table, by the walk's reading of
 *		them) are on another NUMA node than the table itself
 *
 * A table that is deposited under a THP is in neither (it has no entry).
 */
struct vmi_occupancy {
	unsigned long occ[VMI_NR_LEVELS][VMI_NR_OCCS];
	unsigned long remote[VMI_NR_LEVELS];
};

/**
 * struct vmi_slots - how far the 2 MiB slots of a range are from huge
 * @slots:	PMD-aligned 2 MiB ranges wholly inside the range's VMA
 *		(not hugetlb): where a PMD leaf could map it
 * @cand:	a slot not mapped by a PMD leaf was seen; the three below
 *		are its counts, for the one with the fewest @none (then
 *		the fewest @swap): what khugepaged's max_ptes_none,
 *		max_ptes_swap and max_ptes_shared are compared with
 * @none:	empty entries and zero-page entries (no PTE table: 512)
 * @swap:	swap entries
 * @shared:	small anonymous pages mapped more than once
 */
struct vmi_slots {
	unsigned long slots;
	bool cand;
	unsigned int none;
	unsigned int swap;
	unsigned int shared;
};

/**
 * struct vmi_counts - what the walker counts in a range
 * @state:	pages per VMI_STATE_*
 * @attr:	present pages per VMI_ATTR_*
 * @tables:	page-table pages the range passes through, per level
 *		(a table shared with a neighbouring range counts in both)
 * @folio:	present pages mapped by PTEs, per VMI_FOLIO_* (the size of
 *		their folio)
 * @use:	the range's tables by the entries the range uses in them
 *		(a table shared with a neighbour: only the range's part)
 * @slots:	the range's 2 MiB slots
 *
 * @folio, @slots and @use.remote are counted by walks that read every
 * entry themselves (no @leaf callback: mm, vmas); a walk with a @leaf
 * callback leaves them 0.
 */
struct vmi_counts {
	unsigned long state[VMI_NR_STATES];
	unsigned long attr[VMI_NR_ATTRS];
	unsigned long tables[VMI_NR_LEVELS];
	unsigned long folio[VMI_NR_FOLIOS];
	struct vmi_occupancy use;
	struct vmi_slots slots;
};

/**
 * struct vmi_census - page tables of a whole walk, each counted once
 * @tables:	page-table pages per level
 * @entries:	entries in use (not none) per level
 * @deposited:	PTE tables deposited under anonymous THPs (in @tables too)
 * @use:	every table not deposited, by entries in use; complete after
 *		vmi_census_finish() (@use.remote: as in struct vmi_counts)
 * @node_tables: tables (not deposited) per level on NUMA node N, for N <
 *		VMI_NUMA_NODES
 * @node_remote: of those, the remote ones (@use.remote)
 * @node_data:	data pages mapped through those tables
 * @node_local:	of those, the ones on node N too
 */
struct vmi_census {
	unsigned long tables[VMI_NR_LEVELS];
	unsigned long entries[VMI_NR_LEVELS];
	unsigned long deposited;
	struct vmi_occupancy use;
	unsigned long node_tables[VMI_NR_LEVELS][VMI_NUMA_NODES];
	unsigned long node_remote[VMI_NR_LEVELS][VMI_NUMA_NODES];
	unsigned long node_data[VMI_NR_LEVELS][VMI_NUMA_NODES];
	unsigned long node_local[VMI_NR_LEVELS][VMI_NUMA_NODES];
};

/*
 * The table of one level the walk is in (private): entries it uses, its
 * NUMA node, the data pages mapped through it and how many are on its node.
 */
struct vmi_table_cur {
	unsigned int used;
	int node;
	unsigned long data;
	unsigned long local;
};

/**
 * struct vmi_walk - state of one walk
 * @mm:		the address space; the caller holds a reference (mm_users)
 * @ops:	callbacks, may be NULL
 * @private:	for the callbacks
 * @walk_holes:	also walk the page tables outside every VMA (translate)
 * @leaf_runs:	@leaf may get a run of PTEs as one entry (@start to @end,
 *		@val the first's): empty ones, or present ones with the same
 *		flags and attributes and consecutive frames
 * @runs_any_frame: with @leaf_runs, the frames need not be consecutive
 * @hold:	the caller holds the mmap lock across calls (vmi_walk_lock())
 * @locked:	the lock is held by this walk (read-only for the caller)
 * @vma:	with @hold, the VMA the caller found under this hold at the
 *		start of its next vmi_walk_range(), which then need not look
 *		it up again; used once, forgotten when the lock is dropped
 * @action:	set by a @table callback (enum vmi_walk_action)
 * @counts:	accumulated by every vmi_walk_range() call; reset by caller
 * @census:	accumulated over the life of the walk
 *
 * Initialise with vmi_walk_init().  The remaining fields are private.
 */
struct vmi_walk {
	struct mm_struct *mm;
	const struct vmi_walk_ops *ops;
	void *private;
	bool walk_holes;
	bool leaf_runs;
	bool runs_any_frame;
	bool hold;
	bool locked;
	struct vm_area_struct *vma;
	enum vmi_walk_action action;
	struct vmi_counts counts;
	struct vmi_census census;

	/* private: */
	long budget;
	enum vmi_level hugetlb_level;
	bool paused;
	unsigned long resume;
	unsigned long range_base[VMI_NR_LEVELS];
	unsigned long range_deposit_base;
	unsigned long census_table_base[VMI_NR_LEVELS];
	unsigned long census_entry_base[VMI_NR_LEVELS];
	unsigned long range_entry_base[VMI_NR_LEVELS];
	struct vmi_table_cur range_cur[VMI_NR_LEVELS];
	struct vmi_table_cur census_cur[VMI_NR_LEVELS];
};

void vmi_walk_init(struct vmi_walk *w, struct mm_struct *mm,
		   const struct vmi_walk_ops *ops, void *private);
void vmi_walk_reset(struct vmi_walk *w);
void vmi_walk_reset_counts(struct vmi_walk *w);
int vmi_walk_range(struct vmi_walk *w, unsigned long start, unsigned long end);
int vmi_mmap_read_lock(struct mm_struct *mm);
int vmi_walk_lock(struct vmi_walk *w);
void vmi_walk_unlock(struct vmi_walk *w);
int vmi_walk_yield(struct vmi_walk *w, long cost);
int vmi_walk_tables(struct vmi_walk *w, struct mm_struct *mm);
void vmi_census_finish(struct vmi_walk *w);

/* Entries per table at @level (PTRS_PER_*; p4d is 0 when folded). */
unsigned long vmi_level_ptrs(enum vmi_level level);
/* log2 of the range one entry of @level maps (a leaf's page size) */
unsigned int vmi_level_shift(enum vmi_level level);
int vmi_paging_levels(void);
enum vmi_state vmi_swp_state(u64 val);
/* a tmpfs-backed VMA: shmem, memfd, SysV shm, shared anonymous memory */
bool vmi_vma_shmem(struct vm_area_struct *vma);

#endif /* _VMI_WALK_H */
