/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vminspect ABI: the one header shared by the module, the BPF programs and
 * vmview.  Format versions, /proc names, and the names of page states,
 * page-table levels and probe counters live here and nowhere else.
 *
 * Each enum has a matching VMI_*_NAMES initializer; users write
 * "static const char * const names[] = VMI_STATE_NAMES;".
 */
#ifndef _VMINSPECT_ABI_H
#define _VMINSPECT_ABI_H

/*
 * First line of every /proc/vminspect file:
 *   "vminspect-<file> <major>.<minor>"
 * A new key or column bumps the minor; a changed meaning bumps the major,
 * and readers refuse a major they do not know.
 */
#define VMI_FORMAT_MAJOR	1
#define VMI_FORMAT_MINOR	0

#define VMI_PROC_DIR		"vminspect"
#define VMI_PROC_PROCESSES	"processes"
#define VMI_PROC_MM		"mm"
#define VMI_PROC_VMAS		"vmas"
#define VMI_PROC_PAGETABLE	"pagetable"
#define VMI_PROC_TRANSLATE	"translate"

/* Page-table levels, top down.  P4D is folded into PGD on 4-level paging. */
enum vmi_level {
	VMI_LEVEL_PGD,
	VMI_LEVEL_P4D,
	VMI_LEVEL_PUD,
	VMI_LEVEL_PMD,
	VMI_LEVEL_PTE,
	VMI_NR_LEVELS
};

#define VMI_LEVEL_NAMES {		\
	[VMI_LEVEL_PGD] = "pgd",	\
	[VMI_LEVEL_P4D] = "p4d",	\
	[VMI_LEVEL_PUD] = "pud",	\
	[VMI_LEVEL_PMD] = "pmd",	\
	[VMI_LEVEL_PTE] = "pte",	\
}

/*
 * What a virtual page is, as the page tables say (the three states of the
 * background articles, refined):
 *   present    mapped to a page frame ("cached")
 *   swap       a swap entry: the data is in swap ("uncached")
 *   migration  a migration entry: the page is being moved
 *   special    another non-present entry: device-private/exclusive,
 *              hwpoison, or a PTE marker (uffd-wp, swapin error)
 *   file       no entry in a file-backed VMA: the data is in the file
 *              ("uncached"; it may or may not be in the page cache)
 *   untouched  no entry in an anonymous VMA: never touched, or dropped
 * A page outside every VMA is the articles' "unallocated" state.
 */
enum vmi_state {
	VMI_STATE_PRESENT,
	VMI_STATE_SWAP,
	VMI_STATE_MIGRATION,
	VMI_STATE_SPECIAL,
	VMI_STATE_FILE,
	VMI_STATE_UNTOUCHED,
	VMI_NR_STATES
};

#define VMI_STATE_NAMES {			\
	[VMI_STATE_PRESENT] = "present",	\
	[VMI_STATE_SWAP] = "swap",		\
	[VMI_STATE_MIGRATION] = "migration",	\
	[VMI_STATE_SPECIAL] = "special",	\
	[VMI_STATE_FILE] = "file",		\
	[VMI_STATE_UNTOUCHED] = "untouched",	\
}

/*
 * Attributes counted over present pages, in pages:
 *   huge_pmd / huge_pud  mapped by a PMD (2M) / PUD (1G) leaf entry
 *   dirty, young, writable  the hardware bits of the mapping entry
 *   cow        read-only in a private writable VMA: the next write faults
 *              and copies (copy-on-write after fork, or the zero page)
 *   nopage     mapped without a refcounted page (zero page, PFN maps);
 *              the kernel leaves these out of RSS
 */
enum vmi_attr {
	VMI_ATTR_HUGE_PMD,
	VMI_ATTR_HUGE_PUD,
	VMI_ATTR_DIRTY,
	VMI_ATTR_YOUNG,
	VMI_ATTR_WRITABLE,
	VMI_ATTR_COW,
	VMI_ATTR_NOPAGE,
	VMI_NR_ATTRS
};

#define VMI_ATTR_NAMES {			\
	[VMI_ATTR_HUGE_PMD] = "huge_pmd",	\
	[VMI_ATTR_HUGE_PUD] = "huge_pud",	\
	[VMI_ATTR_DIRTY] = "dirty",		\
	[VMI_ATTR_YOUNG] = "young",		\
	[VMI_ATTR_WRITABLE] = "writable",	\
	[VMI_ATTR_COW] = "cow",			\
	[VMI_ATTR_NOPAGE] = "nopage",		\
}

#endif /* _VMINSPECT_ABI_H */
