// SPDX-License-Identifier: GPL-2.0
/*
 * Why a VMA is or is not mapped huge.  The module gives the facts of the
 * page tables (vmas: kind, flags, huge_pmd, pmd_slots and the counts of
 * the slot closest to a collapse); the policy is the kernel's, read from
 * sysfs as the kernel reads it in __thp_vma_allowable_orders() and
 * khugepaged: checked in that order, the first that applies is the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thp.h"
#include "vmview.h"

#define THP_SYSFS	"/sys/kernel/mm/transparent_hugepage"

const char * const vmv_thp_reason_names[VMV_NR_THP_REASONS] = {
	[VMV_THP_HUGE] = "huge",
	[VMV_THP_HUGETLB] = "hugetlb",
	[VMV_THP_SPECIAL] = "special",
	[VMV_THP_SMALL] = "small",
	[VMV_THP_NOHUGEPAGE] = "nohugepage",
	[VMV_THP_PRCTL] = "prctl",
	[VMV_THP_DISABLED] = "disabled",
	[VMV_THP_NOT_ADVISED] = "not_advised",
	[VMV_THP_SHMEM] = "shmem",
	[VMV_THP_FILE] = "file",
	[VMV_THP_BLOCKED_NONE] = "blocked_none",
	[VMV_THP_BLOCKED_SWAP] = "blocked_swap",
	[VMV_THP_BLOCKED_SHARED] = "blocked_shared",
	[VMV_THP_UNTOUCHED] = "untouched",
	[VMV_THP_PENDING] = "pending",
	[VMV_THP_UNKNOWN] = "unknown",
};

/* The [selected] word of a sysfs choice ("always [madvise] never"). */
static bool thp_choice(const char *path, char *out, size_t len)
{
	char buf[256], *a, *b;

	if (vmv_read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!b)
		return false;
	*b = '\0';
	snprintf(out, len, "%s", a + 1);
	return true;
}

static unsigned long thp_number(const char *path, unsigned long dflt)
{
	char buf[64];

	if (vmv_read_small(path, buf, sizeof(buf)) <= 0)
		return dflt;
	return strtoul(buf, NULL, 10);
}

/*
 * The PMD size's own setting (6.8+ for anonymous memory, 6.11+ for
 * shmem) where it is not "inherit", else the top-level one.
 */
static void thp_setting(const char *file, char *out, size_t len)
{
	char path[128], own[16];

	snprintf(path, sizeof(path), THP_SYSFS "/hugepages-2048kB/%s", file);
	if (thp_choice(path, own, sizeof(own)) && strcmp(own, "inherit")) {
		snprintf(out, len, "%s", own);
		return;
	}
	snprintf(path, sizeof(path), THP_SYSFS "/%s", file);
	if (!thp_choice(path, out, len))
		out[0] = '\0';
}

void vmv_thp_policy_read(struct vmv_thp_policy *p)
{
	memset(p, 0, sizeof(*p));
	thp_setting("enabled", p->anon, sizeof(p->anon));
	thp_setting("shmem_enabled", p->shmem, sizeof(p->shmem));
	p->known = p->anon[0] != '\0';
	p->max_ptes_none = thp_number(THP_SYSFS "/khugepaged/max_ptes_none",
				      511);
	p->max_ptes_swap = thp_number(THP_SYSFS "/khugepaged/max_ptes_swap",
				      64);
	p->max_ptes_shared =
		thp_number(THP_SYSFS "/khugepaged/max_ptes_shared", 256);
}

/* Does smaps' VmFlags mnemonic @fl appear in @flags ("rd,wr,hg")? */
static bool has_flag(const char *flags, const char *fl)
{
	const char *p = flags;

	while (p && *p) {
		if (!strncmp(p, fl, 2) && (p[2] == ',' || !p[2]))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

static enum vmv_thp_reason thp_blocked(const struct vmv_vma *v,
				       const struct vmv_thp_policy *p,
				       char *detail, size_t len)
{
	if (v->slot_none >= 512) {
		snprintf(detail, len, "no slot has a page yet");
		return VMV_THP_UNTOUCHED;
	}
	if (v->slot_none > p->max_ptes_none) {
		snprintf(detail, len, "%llu empty > max_ptes_none %lu",
			 (unsigned long long)v->slot_none, p->max_ptes_none);
		return VMV_THP_BLOCKED_NONE;
	}
	if (v->slot_swap > p->max_ptes_swap) {
		snprintf(detail, len, "%llu swapped > max_ptes_swap %lu",
			 (unsigned long long)v->slot_swap, p->max_ptes_swap);
		return VMV_THP_BLOCKED_SWAP;
	}
	if (v->slot_shared > p->max_ptes_shared) {
		snprintf(detail, len, "%llu shared > max_ptes_shared %lu",
			 (unsigned long long)v->slot_shared,
			 p->max_ptes_shared);
		return VMV_THP_BLOCKED_SHARED;
	}
	snprintf(detail, len, "%llu empty, %llu swapped, %llu shared",
		 (unsigned long long)v->slot_none,
		 (unsigned long long)v->slot_swap,
		 (unsigned long long)v->slot_shared);
	return VMV_THP_PENDING;
}

enum vmv_thp_reason vmv_thp_reason(const struct vmv_vma *v,
				   const char *thp_disabled,
				   const struct vmv_thp_policy *p,
				   char *detail, size_t len)
{
	uint64_t huge_slots = v->attr[VMI_ATTR_HUGE_PMD] / 512;
	bool advised = has_flag(v->flags, "hg");
	char scratch[8];

	if (!detail) {
		detail = scratch;
		len = sizeof(scratch);
	}
	detail[0] = '\0';
	if (!v->have_thp)
		return VMV_THP_UNKNOWN;
	if (!strcmp(v->kind, "hugetlb"))
		return VMV_THP_HUGETLB;
	if (!strcmp(v->kind, "special"))
		return VMV_THP_SPECIAL;
	if (!v->pmd_slots) {
		snprintf(detail, len, "no 2M-aligned 2M range");
		return VMV_THP_SMALL;
	}
	if (huge_slots >= v->pmd_slots) {
		snprintf(detail, len, "%llu of %llu slots",
			 (unsigned long long)huge_slots,
			 (unsigned long long)v->pmd_slots);
		return VMV_THP_HUGE;
	}
	if (has_flag(v->flags, "nh"))
		return VMV_THP_NOHUGEPAGE;
	if (!strcmp(thp_disabled, "all") ||
	    (!strcmp(thp_disabled, "except_advised") && !advised))
		return VMV_THP_PRCTL;
	if (!strcmp(v->kind, "file"))
		return VMV_THP_FILE;
	if (!p->known)
		return VMV_THP_UNKNOWN;
	if (!strcmp(v->kind, "anon")) {
		snprintf(detail, len, "enabled %s", p->anon);
		if (!strcmp(p->anon, "never"))
			return VMV_THP_DISABLED;
		if (!strcmp(p->anon, "madvise") && !advised)
			return VMV_THP_NOT_ADVISED;
	} else {
		snprintf(detail, len, "shmem_enabled %s", p->shmem);
		if (!strcmp(p->shmem, "never") || !strcmp(p->shmem, "deny") ||
		    !p->shmem[0])
			return VMV_THP_SHMEM;
		if (!strcmp(p->shmem, "advise") && !advised)
			return VMV_THP_NOT_ADVISED;
	}
	return thp_blocked(v, p, detail, len);
}
