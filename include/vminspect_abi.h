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
#define VMI_FORMAT_MINOR	2

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

/*
 * eBPF probes (bpf/vmi_probes.bpf.c, Documentation/probes.rst): per
 * thread group (tgid of the initial pid namespace) counters of page faults
 * and TLB flushes, pinned under VMI_BPF_PIN_DIR by "vmview probe start".
 */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define VMI_BPF_PIN_DIR		"/sys/fs/bpf/vminspect"
#define VMI_BPF_MAP_COUNTS	"counts"	/* hash: tgid -> vmi_tgid_counts */
#define VMI_BPF_MAP_VMAS	"vma_faults"	/* LRU hash: vmi_vma_key -> vmi_vma_faults */
#define VMI_BPF_MAP_GLOBAL	"global"	/* per-CPU array [0]: vmi_global */
#define VMI_BPF_MAP_CACHE	"fault_cache"	/* per-CPU array [0]: vmi_fault_cache */
/*
 * The task iterator that gives the kernel's own fault counts of the
 * processes started after "probe start" (struct vmi_task_flt): reading
 * its pinned link runs it.
 */
#define VMI_BPF_LINK_TASK_FLT	"vmi_task_flt"

/*
 * Fault counters.  MINOR and MAJOR count exactly what mm_account_fault()
 * adds to current->min_flt / maj_flt (for a process started after "probe
 * start" readers take them from those counters, struct vmi_task_flt).
 * READ/WRITE/EXEC and USER/KERNEL/GUP split the faults a program run saw;
 * UNSEEN (set by readers) are the others (runs skipped by the recursion
 * guard), so each triple plus UNSEEN sums to MINOR + MAJOR.  The rest are
 * outcomes the kernel does not count in min_flt/maj_flt.
 */
enum vmi_fault_counter {
	VMI_FAULT_MINOR,
	VMI_FAULT_MAJOR,
	VMI_FAULT_READ,
	VMI_FAULT_WRITE,
	VMI_FAULT_EXEC,
	VMI_FAULT_USER,		/* user-mode #PF (FAULT_FLAG_USER) */
	VMI_FAULT_KERNEL,	/* kernel-mode #PF, e.g. copy_to_user() */
	VMI_FAULT_GUP,		/* no #PF: get_user_pages() and friends */
	VMI_FAULT_RETRY,	/* VM_FAULT_RETRY: counted when it completes */
	VMI_FAULT_SIGSEGV,	/* user-mode fault answered with SIGSEGV */
	VMI_FAULT_SIGBUS,	/* user-mode fault answered with SIGBUS */
	VMI_FAULT_OOM,		/* VM_FAULT_OOM */
	VMI_FAULT_EFAULT,	/* failed kernel-mode or GUP fault (-EFAULT) */
	VMI_FAULT_EXC_USER,	/* exceptions:page_fault_user (if enabled) */
	VMI_FAULT_EXC_KERNEL,	/* exceptions:page_fault_kernel (if enabled) */
	VMI_FAULT_UNSEEN,	/* in MINOR/MAJOR, no program run saw them */
	VMI_NR_FAULT_COUNTERS
};

#define VMI_FAULT_NAMES {			\
	[VMI_FAULT_MINOR] = "minor",		\
	[VMI_FAULT_MAJOR] = "major",		\
	[VMI_FAULT_READ] = "read",		\
	[VMI_FAULT_WRITE] = "write",		\
	[VMI_FAULT_EXEC] = "exec",		\
	[VMI_FAULT_USER] = "user",		\
	[VMI_FAULT_KERNEL] = "kernel",		\
	[VMI_FAULT_GUP] = "gup",		\
	[VMI_FAULT_RETRY] = "retry",		\
	[VMI_FAULT_SIGSEGV] = "sigsegv",	\
	[VMI_FAULT_SIGBUS] = "sigbus",		\
	[VMI_FAULT_OOM] = "oom",		\
	[VMI_FAULT_EFAULT] = "efault",		\
	[VMI_FAULT_EXC_USER] = "exc_user",	\
	[VMI_FAULT_EXC_KERNEL] = "exc_kernel",	\
	[VMI_FAULT_UNSEEN] = "unseen",		\
}

/*
 * TLB flushes, per value of the kernel's enum tlb_flush_reason (the reason
 * argument of tlb:tlb_flush; names are read from the kernel's BTF, values
 * at or above VMI_TLB_MAX_REASONS are counted in the last slot).  Per
 * reason: events, how many of them flushed everything (pages ==
 * TLB_FLUSH_ALL), the sum of the other events' page counts, and for
 * remote_send_ipi the number of other CPUs the flush was sent to.
 */
#define VMI_TLB_MAX_REASONS	8

enum vmi_tlb_kind {
	VMI_TLB_EVENTS,
	VMI_TLB_FULL,
	VMI_TLB_PAGES,
	VMI_TLB_CPUS,
	VMI_NR_TLB_KINDS
};

#define VMI_TLB_KIND_NAMES {			\
	[VMI_TLB_EVENTS] = "events",		\
	[VMI_TLB_FULL] = "full",		\
	[VMI_TLB_PAGES] = "pages",		\
	[VMI_TLB_CPUS] = "cpus",		\
}

/*
 * Why a process's address space was flushed, told from the initiator's
 * context at flush_tlb_mm_range() and arch_tlbbatch_flush() (see
 * Documentation/probes.rst): the system call it is in (x86-64 numbers),
 * reclaim (kswapd, or PF_MEMALLOC: direct reclaim and compaction,
 * MADV_PAGEOUT), the kernel thread (kcompactd, khugepaged, ksmd), a page
 * fault (no system call: copy-on-write, migration of a NUMA hinting
 * fault), other (NUMA hinting scans from task work among them).  Per
 * cause the VMI_TLB_KIND_NAMES numbers: flushes, full flushes, pages of
 * the others, other CPUs asked.
 */
enum vmi_tlb_cause {
	VMI_TLB_CAUSE_ZAP,	/* munmap, brk, mmap over a mapping, exit, exec */
	VMI_TLB_CAUSE_MPROTECT,
	VMI_TLB_CAUSE_MADVISE,
	VMI_TLB_CAUSE_MREMAP,
	VMI_TLB_CAUSE_MIGRATE,	/* mbind, migrate_pages, move_pages */
	VMI_TLB_CAUSE_RECLAIM,
	VMI_TLB_CAUSE_COMPACT,	/* kcompactd */
	VMI_TLB_CAUSE_THP,	/* khugepaged */
	VMI_TLB_CAUSE_KSM,	/* ksmd */
	VMI_TLB_CAUSE_FAULT,
	VMI_TLB_CAUSE_OTHER,
	VMI_NR_TLB_CAUSES
};

#define VMI_TLB_CAUSE_NAMES {			\
	[VMI_TLB_CAUSE_ZAP] = "zap",		\
	[VMI_TLB_CAUSE_MPROTECT] = "mprotect",	\
	[VMI_TLB_CAUSE_MADVISE] = "madvise",	\
	[VMI_TLB_CAUSE_MREMAP] = "mremap",	\
	[VMI_TLB_CAUSE_MIGRATE] = "migrate",	\
	[VMI_TLB_CAUSE_RECLAIM] = "reclaim",	\
	[VMI_TLB_CAUSE_COMPACT] = "compact",	\
	[VMI_TLB_CAUSE_THP] = "thp",		\
	[VMI_TLB_CAUSE_KSM] = "ksm",		\
	[VMI_TLB_CAUSE_FAULT] = "fault",	\
	[VMI_TLB_CAUSE_OTHER] = "other",	\
}

struct vmi_fault_counts {
	__u64 c[VMI_NR_FAULT_COUNTERS];
};

struct vmi_tlb_counts {
	/*
	 * Remote shootdown IPIs received: flush_tlb_func() run on a CPU other
	 * than the initiating one, where the kernel increments irq_tlb_count
	 * (the TLB line of /proc/interrupts).
	 */
	__u64 shootdown_irqs;
	__u64 r[VMI_TLB_MAX_REASONS][VMI_NR_TLB_KINDS];
	/* flushes of this process's address space, by cause, initiator side */
	__u64 cause[VMI_NR_TLB_CAUSES][VMI_NR_TLB_KINDS];
};

/* Value of VMI_BPF_MAP_COUNTS: one per thread group, shared by all CPUs. */
struct vmi_tgid_counts {
	struct vmi_fault_counts fault;
	struct vmi_tlb_counts tlb;
};

/*
 * What reading VMI_BPF_LINK_TASK_FLT gives, one per task of a group with
 * counters whose leader started after "probe start": the task's min_flt
 * and maj_flt, for the group leader plus the group's (signal_struct: the
 * threads gone).  Their sum per tgid is fields 10 and 12 of
 * /proc/<pid>/stat.
 */
struct vmi_task_flt {
	__u32 tgid;
	__u32 pad;
	__u64 min;
	__u64 maj;
};

/*
 * VMI_BPF_MAP_VMAS: counted faults per (tgid, start of the faulting VMA at
 * fault time).  start_ticks is the thread group's start time in clock ticks
 * since boot, as field 22 of /proc/<pid>/stat: an entry whose start_ticks
 * differs belongs to an earlier process with the same pid.
 */
struct vmi_vma_key {
	__u32 tgid;
	__u32 pad;
	__u64 vm_start;
};

struct vmi_vma_faults {
	__u64 minor;
	__u64 major;
	__u64 start_ticks;
};

/*
 * VMI_BPF_MAP_CACHE: the fault counts of the last thread group that faulted
 * on each CPU, not yet added to its VMI_BPF_MAP_COUNTS entry (they are when
 * another group faults on that CPU).  A reader adds them to the entry of
 * the same tgid, and ignores a tgid that has no entry (a group that exited).
 * vm_start, vma_minor and vma_major are the same for VMI_BPF_MAP_VMAS.
 */
struct vmi_fault_cache {
	__u32 tgid;
	__u32 pad;
	__u64 start_ticks;
	__u64 vm_start;
	__u64 vma_minor;
	__u64 vma_major;
	struct vmi_fault_counts f;
};

/* VMI_BPF_MAP_GLOBAL: system-wide, whoever was running. */
struct vmi_global {
	__u64 shootdown_irqs;	/* equals the sum of the TLB line */
	__u64 lost;		/* events not attributed: map full */
};

#endif /* _VMINSPECT_ABI_H */
