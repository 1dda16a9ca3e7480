/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vminspect's view of the kernel's differences: 6.1, 6.12 and 7.3.
 *
 * Every kernel difference the module depends on lives here, tested by
 * feature (a macro the kernel defines) where the kernel lets us, by
 * version only where it does not.  The rest of the module calls the
 * vmi_* names below and never tests LINUX_VERSION_CODE itself.
 */
#ifndef _VMI_COMPAT_H
#define _VMI_COMPAT_H

#include <linux/version.h>

#include <vminspect_abi.h>

/* ---- page-table walker (walk.c, decode.c, pagetable.c, translate.c) ---- */

#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/swap.h>
#include <linux/swapops.h>

/*
 * Non-present entries.  7.3 decodes them through the softleaf API
 * (<linux/leafops.h>); 6.1 and 6.12 through swp_entry_t and the
 * is_*_entry() helpers.  x86-64 uses one layout at every level, so an entry
 * of any level is decoded as a PTE.
 */
#ifdef VMI_HAVE_LEAFOPS	/* set by module/Kbuild: <linux/leafops.h> exists */
#include <linux/leafops.h>

#define vmi_leaf_t			softleaf_t

static inline vmi_leaf_t vmi_leaf_of(u64 val)
{
	return softleaf_from_pte(__pte(val));
}

#define vmi_leaf_is_swap(e)		softleaf_is_swap(e)
#define vmi_leaf_is_marker(e)		softleaf_is_marker(e)
#define vmi_leaf_marker(e)		softleaf_to_marker(e)
#define vmi_leaf_is_migration(e)	softleaf_is_migration(e)
#define vmi_leaf_is_migration_write(e)	softleaf_is_migration_write(e)
#define vmi_leaf_is_migration_read_exclusive(e) \
	softleaf_is_migration_read_exclusive(e)
#define vmi_leaf_is_device_private(e)	softleaf_is_device_private(e)
#define vmi_leaf_is_device_exclusive(e)	softleaf_is_device_exclusive(e)
#define vmi_leaf_is_hwpoison(e)		softleaf_is_hwpoison(e)
#define vmi_pmd_is_migration(pmd)	pmd_is_migration_entry(pmd)
#else
#define vmi_leaf_t			swp_entry_t

static inline vmi_leaf_t vmi_leaf_of(u64 val)
{
	return pte_to_swp_entry(__pte(val));
}

#define vmi_leaf_is_swap(e)		(!non_swap_entry(e))
#define vmi_leaf_is_marker(e)		is_pte_marker_entry(e)
#define vmi_leaf_marker(e)		pte_marker_get(e)
#define vmi_leaf_is_migration(e)	is_migration_entry(e)
#define vmi_leaf_is_migration_write(e)	is_writable_migration_entry(e)
#define vmi_leaf_is_migration_read_exclusive(e) \
	is_readable_exclusive_migration_entry(e)
#define vmi_leaf_is_device_private(e)	is_device_private_entry(e)
#define vmi_leaf_is_device_exclusive(e)	is_device_exclusive_entry(e)
#define vmi_leaf_is_hwpoison(e)		is_hwpoison_entry(e)
#define vmi_pmd_is_migration(pmd)	is_pmd_migration_entry(pmd)
#endif

/* The userfaultfd bit: _PAGE_UFFD_WP up to 6.12, _PAGE_UFFD in 7.3. */
#ifdef _PAGE_BIT_UFFD
#define VMI_PAGE_UFFD			_PAGE_UFFD
#define vmi_pte_uffd_wp(pte)		pte_uffd(pte)
#define vmi_pmd_uffd_wp(pmd)		pmd_uffd(pmd)
#define vmi_pte_swp_uffd_wp(pte)	pte_swp_uffd(pte)
#else
#define VMI_PAGE_UFFD			_PAGE_UFFD_WP
#define vmi_pte_uffd_wp(pte)		pte_uffd_wp(pte)
#define vmi_pmd_uffd_wp(pmd)		pmd_uffd_wp(pmd)
#define vmi_pte_swp_uffd_wp(pte)	pte_swp_uffd_wp(pte)
#endif

/* Device-DAX "devmap" leaves: gone in 7.3 (_PAGE_DEVMAP with them). */
#ifdef _PAGE_DEVMAP
#define VMI_PAGE_DEVMAP			_PAGE_DEVMAP
#define vmi_pmd_devmap(pmd)		pmd_devmap(pmd)
#define vmi_pud_devmap(pud)		pud_devmap(pud)
#else
#define VMI_PAGE_DEVMAP			0
#define vmi_pmd_devmap(pmd)		false
#define vmi_pud_devmap(pud)		false
#endif

/*
 * A PMD read once without its lock: on x86-64 entries are 64 bits and the
 * kernel's pmdp_get_lockless() (absent on 6.1) is READ_ONCE().
 */
static inline pmd_t vmi_pmdp_get_lockless(pmd_t *pmdp)
{
	return READ_ONCE(*pmdp);
}

/**
 * vmi_pmd_is_table - does a PMD value point to a PTE table?
 * @pmd: the value, read once
 *
 * What the kernel's __pte_offset_map() accepts: not none, not a migration
 * or other non-present entry, not a huge leaf (THP, hugetlb, devmap), and
 * not bad.
 */
static inline bool vmi_pmd_is_table(pmd_t pmd)
{
	return !pmd_none(pmd) && pmd_present(pmd) && !pmd_leaf(pmd) &&
	       !vmi_pmd_devmap(pmd) && !pmd_bad(pmd);
}

/*
 * mmap_assert_locked() without its VM_BUG_ON_MM(), whose dump_mm() 6.1
 * does not export to modules (modpost fails on a DEBUG_VM kernel): the
 * same lockdep assertion and a warning instead of the dump.
 */
static inline void vmi_mmap_assert_locked(struct mm_struct *mm)
{
	lockdep_assert_held(&mm->mmap_lock);
	VM_WARN_ON_ONCE(!rwsem_is_locked(&mm->mmap_lock));
}

/*
 * The mappings of a small folio: its _mapcount plus one on every kernel
 * (folio_mapcount() is out of line and not exported on 6.1).
 */
static inline int vmi_small_mapcount(const struct folio *folio)
{
	return atomic_read(&folio->_mapcount) + 1;
}

/**
 * vmi_mmap_lock_wanted - does a writer want the mmap lock we may hold?
 * @mm:	the address space
 *
 * mmap_lock_is_contended() sees the writers queued on the rwsem.  A writer
 * that finds the lock owned by readers first spins on it (up to about
 * 10 us of its own time, rwsem_optimistic_spin()) before it queues, and
 * only writers spin: the spinner holds the rwsem's osq lock.  A reader
 * that lets only queued writers in makes a spinning one spin to its limit
 * on every cycle of the lock; under TCG, where a vCPU that pauses hands
 * its turn to the other, that limit has been measured at 64 ms
 * (Documentation/testing.rst, "Lock hold time").  PREEMPT_RT's rwsem does
 * not spin.
 */
static inline bool vmi_mmap_lock_wanted(struct mm_struct *mm)
{
	if (mmap_lock_is_contended(mm))
		return true;
#if defined(CONFIG_RWSEM_SPIN_ON_OWNER) && !defined(CONFIG_PREEMPT_RT)
	return osq_is_locked(&mm->mmap_lock.osq);
#else
	return false;
#endif
}

/* ---- counters (mm.c, processes.c) ---- */

/*
 * prctl(PR_SET_THP_DISABLE): one MMF_DISABLE_THP flag in mm->flags up to
 * 6.12; 7.3 has MMF_DISABLE_THP_COMPLETELY and _EXCEPT_ADVISED in a flags
 * bitmap read with mm_flags_test().  Return: enum vmi_thpoff.
 */
#ifdef MMF_DISABLE_THP_COMPLETELY
static inline int vmi_mm_thp_disabled(const struct mm_struct *mm)
{
	if (mm_flags_test(MMF_DISABLE_THP_COMPLETELY, mm))
		return VMI_THPOFF_ALL;
	if (mm_flags_test(MMF_DISABLE_THP_EXCEPT_ADVISED, mm))
		return VMI_THPOFF_EXCEPT_ADVISED;
	return VMI_THPOFF_NO;
}
#else
static inline int vmi_mm_thp_disabled(const struct mm_struct *mm)
{
	return test_bit(MMF_DISABLE_THP, &mm->flags) ? VMI_THPOFF_ALL :
						       VMI_THPOFF_NO;
}
#endif

/*
 * RSS counters as /proc/<pid>/status reads them: since they became per-CPU
 * (6.2) status sums them exactly (get_mm_counter_sum(), 6.12 and 7.3);
 * 6.1's are exact already.  Kbuild sets VMI_HAVE_MM_COUNTER_SUM when
 * <linux/mm.h> has it.
 */
#ifdef VMI_HAVE_MM_COUNTER_SUM
#define vmi_mm_counter(mm, member)	get_mm_counter_sum(mm, member)
#else
#define vmi_mm_counter(mm, member)	get_mm_counter(mm, member)
#endif

static inline unsigned long vmi_mm_rss(struct mm_struct *mm)
{
	return vmi_mm_counter(mm, MM_FILEPAGES) +
	       vmi_mm_counter(mm, MM_ANONPAGES) +
	       vmi_mm_counter(mm, MM_SHMEMPAGES);
}

/* ---- the vminspect file system (fs.c) ---- */

#include <linux/dcache.h>
#include <linux/fs.h>

/*
 * d_revalidate() is told its parent directory and name from 6.14 on
 * (module/Kbuild sets VMI_HAVE_D_REVALIDATE_DIR from <linux/dcache.h>).
 */
#ifdef VMI_HAVE_D_REVALIDATE_DIR
#define VMI_D_REVALIDATE_PROTO	struct inode *dir, const struct qstr *name, \
				struct dentry *dentry, unsigned int flags
#else
#define VMI_D_REVALIDATE_PROTO	struct dentry *dentry, unsigned int flags
#endif

/* A superblock's default dentry operations: a setter from 6.17 on. */
#ifdef VMI_HAVE_SET_DEFAULT_D_OP
#define vmi_set_default_d_op(sb, dops)	set_default_d_op(sb, dops)
#else
#define vmi_set_default_d_op(sb, dops)	((sb)->s_d_op = (dops))
#endif

/* A new inode's times: simple_inode_init_ts() from 6.6 on. */
#ifdef VMI_HAVE_SIMPLE_INODE_INIT_TS
#define vmi_inode_init_ts(inode)	simple_inode_init_ts(inode)
#else
static inline void vmi_inode_init_ts(struct inode *inode)
{
	inode->i_atime = current_time(inode);
	inode->i_mtime = inode->i_atime;
	inode->i_ctime = inode->i_atime;
}
#endif

/* ---- access control (target.c, processes.c) ---- */

#endif /* _VMI_COMPAT_H */
