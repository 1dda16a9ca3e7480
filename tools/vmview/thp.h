/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why a VMA is or is not mapped huge: the facts of vmas (kind, 2 MiB
 * slots, the slot closest to a collapse) against the kernel's THP policy
 * (sysfs, prctl), see Documentation/vmview.rst, "Huge-page coverage".
 */
#ifndef _VMV_THP_H
#define _VMV_THP_H

#include <stdbool.h>
#include <stddef.h>

#include "procfmt.h"

enum vmv_thp_reason {
	VMV_THP_HUGE,		/* every slot mapped by a PMD leaf */
	VMV_THP_HUGETLB,	/* hugetlbfs: huge by its own pages */
	VMV_THP_SPECIAL,	/* a driver's PFN/IO/mixed map, [vdso] */
	VMV_THP_SMALL,		/* no 2 MiB-aligned 2 MiB range inside */
	VMV_THP_NOHUGEPAGE,	/* MADV_NOHUGEPAGE */
	VMV_THP_PRCTL,		/* PR_SET_THP_DISABLE */
	VMV_THP_DISABLED,	/* THP "never" */
	VMV_THP_NOT_ADVISED,	/* THP "madvise" and no MADV_HUGEPAGE */
	VMV_THP_SHMEM,		/* shmem THP "never"/"deny" */
	VMV_THP_FILE,		/* a regular file's page cache */
	VMV_THP_BLOCKED_NONE,	/* over khugepaged's max_ptes_none */
	VMV_THP_BLOCKED_SWAP,	/* over max_ptes_swap */
	VMV_THP_BLOCKED_SHARED,	/* over max_ptes_shared */
	VMV_THP_UNTOUCHED,	/* eligible, nothing mapped: a fault maps huge */
	VMV_THP_PENDING,	/* eligible, not collapsed yet */
	VMV_THP_UNKNOWN,	/* the policy is not known (a snapshot) */
	VMV_NR_THP_REASONS
};

/*
 * The kernel's THP policy as this machine's sysfs gives it: the PMD size's
 * setting for anonymous memory and shmem ("always", "madvise", "never",
 * shmem's "within_size", "advise", "deny", "force"; a per-size setting of
 * "inherit" resolved), and khugepaged's limits.  known is false where
 * sysfs has no THP (or for a snapshot).
 */
struct vmv_thp_policy {
	bool known;
	char anon[16];
	char shmem[16];
	unsigned long max_ptes_none, max_ptes_swap, max_ptes_shared;
};

void vmv_thp_policy_read(struct vmv_thp_policy *p);
/*
 * The reason for @v; @thp_disabled is mm's thp_disabled ("" if unknown).
 * @detail (if not NULL) gets the counts that decided it.
 */
enum vmv_thp_reason vmv_thp_reason(const struct vmv_vma *v,
				   const char *thp_disabled,
				   const struct vmv_thp_policy *p,
				   char *detail, size_t len);
extern const char * const vmv_thp_reason_names[VMV_NR_THP_REASONS];

#endif /* _VMV_THP_H */
