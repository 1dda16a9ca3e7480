/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What diff.c shares with html.c: VMAs of two views paired, and the
 * pagetable runs as per-page states.
 */
#ifndef _VMVIEW_DIFF_H
#define _VMVIEW_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "procfmt.h"
#include "snapshot.h"

/*
 * The state of a page as the pagetable file tells it: no VMA, no entry
 * (in an anonymous or a file-backed VMA), present by a PTE, PMD or PUD
 * leaf, or another kind of entry.
 */
enum vmv_pstate {
	VMV_PS_UNMAPPED, VMV_PS_UNTOUCHED, VMV_PS_FILE,
	VMV_PS_PTE, VMV_PS_PMD, VMV_PS_PUD,	/* present: keep these together */
	VMV_PS_SWAP, VMV_PS_MIGRATION, VMV_PS_SPECIAL,
	VMV_NR_PSTATES
};

#define VMV_PSTATE_NAMES {				\
	[VMV_PS_UNMAPPED] = "unmapped",			\
	[VMV_PS_UNTOUCHED] = "untouched",		\
	[VMV_PS_FILE] = "file",				\
	[VMV_PS_PTE] = "present",			\
	[VMV_PS_PMD] = "present-pmd",			\
	[VMV_PS_PUD] = "present-pud",			\
	[VMV_PS_SWAP] = "swap",				\
	[VMV_PS_MIGRATION] = "migration",		\
	[VMV_PS_SPECIAL] = "special",			\
}

extern const char * const vmv_pstate_names[VMV_NR_PSTATES];

struct seg {
	uint64_t start, end;
	enum vmv_pstate st;
	uint64_t phys;		/* of start, when present and known */
	bool have_phys;
};

/* The pagetable runs of v in address order, as segments (malloc'd). */
int vmv_segs(const struct vmv_view *v, struct seg **out, size_t *nr);

/*
 * Walk A's and B's segments side by side: cb() for every piece [x, y)
 * with the segment on each side, NULL where there is none (no VMA).
 */
typedef void (*vmv_piece_fn)(uint64_t x, uint64_t y, const struct seg *a,
			     const struct seg *b, void *data);
void vmv_sweep(const struct seg *a, size_t na, const struct seg *b,
	       size_t nb, vmv_piece_fn cb, void *data);

/*
 * Pair the VMAs of two views (both in address order) that are the same
 * mapping: the same range, else the same start or end, else an overlap,
 * always with the same backing file (or both anonymous).  a2b[i] is the
 * index in b of a[i]'s pair or -1; b2a the other way.
 */
void vmv_match_vmas(const struct vmv_vma *a, size_t na,
		    const struct vmv_vma *b, size_t nb, ssize_t *a2b,
		    ssize_t *b2a);

#endif /* _VMVIEW_DIFF_H */
