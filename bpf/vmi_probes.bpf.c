// SPDX-License-Identifier: GPL-2.0
/*
 * vminspect probes: page faults and TLB flushes per thread group.
 *
 * Faults are counted at the exit of handle_mm_fault() the way the kernel's
 * mm_account_fault() (mm/memory.c) counts current->min_flt / maj_flt, and
 * classified (read/write/exec, user/kernel/gup, VMA).  A run the per-CPU
 * recursion guard skips (a task preempted inside the program under
 * preempt=full or lazy) would lose its fault, so readers take the minor
 * and major totals of a process started after "probe start" from the
 * kernel's own counters instead, through the vmi_task_flt iterator: they
 * equal fields 10 and 12 of /proc/<pid>/stat under every preemption model,
 * and what no run saw is "unseen".
 *
 * TLB flushes are counted where they are made: flush_tlb_func() (local
 * flushes, and the remote shootdowns a CPU receives, exactly where the
 * kernel increments irq_tlb_count, the TLB line of /proc/interrupts) and
 * native_flush_tlb_multi() (flush IPIs sent, with the number of CPUs).  No
 * program runs on a context switch unless --task-switch asks for the
 * flushes of switch_mm_irqs_off().
 *
 * Per-process counters live in one hash shared by all CPUs, created at a
 * process's first fault or flush (not when it is merely scheduled);
 * the fault path counts into a per-CPU cache of the last group that
 * faulted on the CPU (see fault_counters()), so the shared entry is only
 * written when another group faults there.  Documentation/probes.rst
 * describes every counter.
 *
 * One build for every kernel (6.1, 6.12, 7.3): each attach point has the
 * same prototype, as far as a program reads it, in all of them (vmview
 * checks them against the running kernel's BTF before loading), and every
 * kernel constant that is in the BTF (enum values) is relocated (CO-RE)
 * rather than taken from the vmlinux.h the object was built with.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include <vminspect_abi.h>
#include "vmi_ksyms.h"

char LICENSE[] SEC("license") = "GPL";

/* Knobs, set by vmview before load. */
const volatile bool track_vmas = true;		/* fill VMI_BPF_MAP_VMAS */
const volatile __u64 ns_per_tick = 10000000;	/* NSEC_PER_SEC / USER_HZ */
/*
 * CLOCK_MONOTONIC at "probe start": the minor and major faults of a
 * process whose leader started later (task_struct start_time) are the
 * kernel's own since its fork (vmi_task_flt); an older one's are counted.
 */
const volatile __u64 start_ns;
/* Words of a struct cpumask in use: DIV_ROUND_UP(nr_cpu_ids, 64). */
const volatile __u32 cpumask_words = 1;

#define PF_EXITING	0x00000004	/* include/linux/sched.h */
#define TLB_FLUSH_ALL	(~0UL)		/* arch/x86/include/asm/tlbflush.h */
#define PAGE_MASK	(~4095UL)
#define MAX_CPUMASK_WORDS	128	/* NR_CPUS 8192 */

/* enum vm_fault_reason and enum fault_flag (include/linux/mm_types.h) */
#define VMF(name)	bpf_core_enum_value(enum vm_fault_reason, VM_FAULT_##name)
#define FF(name)	bpf_core_enum_value(enum fault_flag, FAULT_FLAG_##name)
#define TLB(name)	bpf_core_enum_value(enum tlb_flush_reason, TLB_##name)

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, struct vmi_tgid_counts);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vmi_vma_key);
	__type(value, struct vmi_vma_faults);
} vma_faults SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vmi_global);
} global SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vmi_fault_cache);
} fault_cache SEC(".maps");

/*
 * Per task, for the causes of flushes that its context alone does not
 * tell: whether it runs the NUMA hinting scan (task_numa_work()), and the
 * address spaces whose flush reclaim or migration deferred into its batch
 * (current->tlb_ubc), up to VMI_DEFER_SLOTS of them: the thread groups to
 * charge when arch_tlbbatch_flush() flushes it.  Task local: only tasks
 * that scan for NUMA balancing or unmap with TTU_BATCH_FLUSH have one
 * (kswapd, kcompactd, a task in direct reclaim or migrating), and only
 * the task itself writes it.
 */
#define VMI_DEFER_SLOTS	8

struct vmi_task_state {
	__u32 numa;		/* in task_numa_work() */
	__u32 n;		/* slots used */
	__u32 overflow;		/* others, not recorded */
	__u32 tgid[VMI_DEFER_SLOTS];
	__u32 cpus[VMI_DEFER_SLOTS];	/* other CPUs of that mm, at most */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct vmi_task_state);
} task_state SEC(".maps");

static const struct vmi_tgid_counts zero_counts;

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	struct vmi_global *g = bpf_map_lookup_elem(&global, &zero);

	if (g)
		__sync_fetch_and_add(&g->lost, 1);
}

/*
 * The counters of thread group @tgid.  A missing entry is created, except
 * for a task that is exiting (unless @exiting_ok): its group's entry is
 * deleted when the group leader is freed and must not come back.
 */
static __always_inline struct vmi_tgid_counts *
counts_of(__u32 tgid, struct task_struct *task, bool exiting_ok)
{
	struct vmi_tgid_counts *c = bpf_map_lookup_elem(&counts, &tgid);

	if (c)
		return c;
	if (!task)
		task = bpf_get_current_task_btf();
	if (!exiting_ok && (BPF_CORE_READ(task, flags) & PF_EXITING))
		return NULL;
	bpf_map_update_elem(&counts, &tgid, &zero_counts, BPF_NOEXIST);
	c = bpf_map_lookup_elem(&counts, &tgid);
	if (!c)
		count_lost();
	return c;
}

static __always_inline struct vmi_tgid_counts *current_counts(void)
{
	return counts_of(bpf_get_current_pid_tgid() >> 32, NULL, false);
}

/*
 * Counters of the shared map: several CPUs, and on a preemptible kernel
 * several programs on one CPU, update them at once.
 */
static __always_inline void add(__u64 *v, __u64 n)
{
	if (n)
		__sync_fetch_and_add(v, n);
}

/* Add faults to the VMA entry (tgid, vm_start), creating it. */
static __always_inline void vma_add(__u32 tgid, __u64 start_ticks,
				    __u64 vm_start, __u64 minor, __u64 major)
{
	struct vmi_vma_key key = { .tgid = tgid, .vm_start = vm_start };
	struct vmi_vma_faults *v = bpf_map_lookup_elem(&vma_faults, &key);

	if (!v) {
		struct vmi_vma_faults init = { .start_ticks = start_ticks };

		bpf_map_update_elem(&vma_faults, &key, &init, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&vma_faults, &key);
		if (!v)
			return;
	}
	add(&v->minor, minor);
	add(&v->major, major);
}

static __always_inline __u64 current_start_ticks(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return task->group_leader->start_boottime / ns_per_tick;
}

/*
 * Move what this CPU's cache holds into the maps.  A group whose entry is
 * gone has exited: its counts are dropped.
 */
static __always_inline void cache_flush(struct vmi_fault_cache *fc)
{
	struct vmi_tgid_counts *c;
	__u32 tgid = fc->tgid;
	int i;

	if (!tgid)
		return;
	c = bpf_map_lookup_elem(&counts, &tgid);
	if (c) {
		for (i = 0; i < VMI_NR_FAULT_COUNTERS; i++)
			add(&c->fault.c[i], fc->f.c[i]);
		if (track_vmas && (fc->vma_minor || fc->vma_major))
			vma_add(tgid, fc->start_ticks, fc->vm_start,
				fc->vma_minor, fc->vma_major);
	}
	__builtin_memset(fc, 0, sizeof(*fc));
}

/*
 * Where the current fault is counted: a per-CPU cache of the last group
 * that faulted on this CPU, an array slot with no hashing and no shared
 * cache line.  Only vmi_fault writes it, and two runs of one program never
 * interleave on a CPU (the recursion guard skips the second), so plain
 * increments are safe under every preemption model.
 */
static __always_inline struct vmi_fault_cache *fault_counters(__u32 tgid)
{
	struct vmi_fault_cache *fc;
	__u32 zero = 0;

	fc = bpf_map_lookup_elem(&fault_cache, &zero);
	if (!fc)
		return NULL;
	if (fc->tgid != tgid) {
		cache_flush(fc);
		/* readers only trust a cache whose group has an entry */
		if (!counts_of(tgid, NULL, false))
			return NULL;
		fc->tgid = tgid;
		if (track_vmas)
			fc->start_ticks = current_start_ticks();
	}
	return fc;
}

static __always_inline void count_vma(struct vmi_fault_cache *fc,
				      struct vm_area_struct *vma,
				      unsigned long address, bool major,
				      vm_fault_t ret)
{
	__u64 vm_start;

	/*
	 * With VM_FAULT_COMPLETED the mmap lock was dropped and the VMA may
	 * be gone: group by the faulting page instead.
	 */
	if (ret & VMF(COMPLETED))
		vm_start = address & PAGE_MASK;
	else
		vm_start = vma->vm_start;
	if (fc->vm_start != vm_start) {
		if (fc->vma_minor || fc->vma_major)
			vma_add(fc->tgid, fc->start_ticks, fc->vm_start,
				fc->vma_minor, fc->vma_major);
		fc->vm_start = vm_start;
		fc->vma_minor = 0;
		fc->vma_major = 0;
	}
	if (major)
		fc->vma_major++;
	else
		fc->vma_minor++;
}

/*
 * mm_account_fault(): failed (VM_FAULT_ERROR) and incomplete (VM_FAULT_RETRY)
 * faults are not counted; a fault is major if the last attempt returned
 * VM_FAULT_MAJOR or had to be retried (FAULT_FLAG_TRIED).  The task charged
 * is current, also for get_user_pages() (regs == NULL).
 */
SEC("fexit/handle_mm_fault")
int BPF_PROG(vmi_fault, struct vm_area_struct *vma, unsigned long address,
	     unsigned int flags, struct pt_regs *regs, vm_fault_t ret)
{
	/* VM_FAULT_ERROR (include/linux/mm_types.h) */
	const vm_fault_t sigbus = VMF(SIGBUS) | VMF(HWPOISON) |
		VMF(HWPOISON_LARGE);
	const vm_fault_t error = VMF(OOM) | VMF(SIGSEGV) | VMF(FALLBACK) |
		sigbus;
	struct vmi_fault_cache *fc;
	__u64 *f;
	bool major;

	fc = fault_counters(bpf_get_current_pid_tgid() >> 32);
	if (!fc)
		return 0;
	f = fc->f.c;
	if (ret & (error | VMF(RETRY))) {
		if (ret & VMF(RETRY))
			f[VMI_FAULT_RETRY]++;
		else if (!regs)
			f[VMI_FAULT_EFAULT]++;
		else if (!(flags & FF(USER)))
			/* kernel mode: fixup (-EFAULT) or oops, also for OOM */
			f[VMI_FAULT_EFAULT]++;
		else if (ret & VMF(OOM))
			f[VMI_FAULT_OOM]++;
		else if (ret & sigbus)
			f[VMI_FAULT_SIGBUS]++;
		/* VM_FAULT_SIGSEGV goes on to bad_area_nosemaphore() */
		return 0;
	}

	major = (ret & VMF(MAJOR)) || (flags & FF(TRIED));
	f[major ? VMI_FAULT_MAJOR : VMI_FAULT_MINOR]++;
	if (flags & FF(WRITE))
		f[VMI_FAULT_WRITE]++;
	else if (flags & FF(INSTRUCTION))
		f[VMI_FAULT_EXEC]++;
	else
		f[VMI_FAULT_READ]++;
	/* x86 sets FAULT_FLAG_USER exactly when user_mode(regs) */
	if (!regs)
		f[VMI_FAULT_GUP]++;
	else if (flags & FF(USER))
		f[VMI_FAULT_USER]++;
	else
		f[VMI_FAULT_KERNEL]++;

	if (track_vmas)
		count_vma(fc, vma, address, major, ret);
	return 0;
}

/*
 * arch/x86/mm/fault.c: a fault outside any VMA (or refused with
 * VM_FAULT_SIGSEGV) and an access the VMA does not allow end here; from
 * user mode that is a SIGSEGV, from kernel mode an exception fixup
 * (-EFAULT) or an oops.  Not counted: a kernel-mode fault with page faults
 * disabled (faulthandler_disabled()), which the *_nofault() accessors and
 * copy_from_user_nmi() rely on from any context, NMI and IRQ included
 * (profilers unwinding user stacks) -- that is no error of the task they
 * interrupted.  Both programs read only regs, the first argument on every
 * kernel: bad_area_access_error() gained an mm argument before its vma in
 * 6.4 (per-VMA locks), so anything after address differs.  pt_regs.cs is
 * an unsigned long in 6.1 and a u16 in a union since FRED (6.9): libbpf
 * narrows the load.
 */
static __always_inline int count_bad_area(struct pt_regs *regs)
{
	struct task_struct *task = bpf_get_current_task_btf();
	bool user = regs->cs & 3;
	struct vmi_tgid_counts *c;

	if (!user && task->pagefault_disabled)
		return 0;
	c = current_counts();
	if (c)
		add(&c->fault.c[user ? VMI_FAULT_SIGSEGV : VMI_FAULT_EFAULT], 1);
	return 0;
}

SEC("fentry/bad_area_nosemaphore")
int BPF_PROG(vmi_bad_area, struct pt_regs *regs)
{
	return count_bad_area(regs);
}

SEC("fentry/bad_area_access_error")
int BPF_PROG(vmi_bad_access, struct pt_regs *regs)
{
	return count_bad_area(regs);
}

/* Raw #PF exceptions, optional (they cost a second program per fault). */
SEC("tp_btf/page_fault_user")
int BPF_PROG(vmi_exc_user, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	struct vmi_tgid_counts *c = current_counts();

	if (c)
		add(&c->fault.c[VMI_FAULT_EXC_USER], 1);
	return 0;
}

SEC("tp_btf/page_fault_kernel")
int BPF_PROG(vmi_exc_kernel, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	struct vmi_tgid_counts *c = current_counts();

	if (c)
		add(&c->fault.c[VMI_FAULT_EXC_KERNEL], 1);
	return 0;
}

static __always_inline void count_tlb(struct vmi_tgid_counts *c, int reason,
				      unsigned long pages, __u64 cpus)
{
	__u32 slot = reason;
	__u64 *r;

	if (!c)
		return;
	if (slot >= VMI_TLB_MAX_REASONS)
		slot = VMI_TLB_MAX_REASONS - 1;
	barrier_var(slot);
	if (slot >= VMI_TLB_MAX_REASONS)	/* for the verifier */
		return;
	r = c->tlb.r[slot];
	add(&r[VMI_TLB_EVENTS], 1);
	if (pages == TLB_FLUSH_ALL)
		add(&r[VMI_TLB_FULL], 1);
	else
		add(&r[VMI_TLB_PAGES], pages);
	add(&r[VMI_TLB_CPUS], cpus);
}

/* Pages a flush_tlb_info asks for, TLB_FLUSH_ALL for a full flush. */
static __always_inline unsigned long info_pages(struct flush_tlb_info *f)
{
	unsigned long start = BPF_CORE_READ(f, start);
	unsigned long end = BPF_CORE_READ(f, end);

	if (end == TLB_FLUSH_ALL)
		return TLB_FLUSH_ALL;
	return (end - start) >> BPF_CORE_READ(f, stride_shift);
}

/*
 * The process whose address space a flush is for: the owner of its mm
 * (CONFIG_MEMCG), so that kswapd, khugepaged or kcompactd flushing another
 * process's mm charge that process; current for a flush of no particular
 * mm (kernel mappings, the batched reclaim flush) or an mm without owner.
 */
static __always_inline struct vmi_tgid_counts *flushed(struct mm_struct *mm)
{
	struct task_struct *owner = NULL;

	if (mm && bpf_core_field_exists(mm->owner))
		owner = BPF_CORE_READ(mm, owner);
	if (!owner)
		return current_counts();
	return counts_of(BPF_CORE_READ(owner, tgid), owner, false);
}

/*
 * arch/x86/mm/tlb.c flush_tlb_func(), interrupts off (IPI handler, or the
 * initiator's local call under local_irq_disable()), so it never nests:
 * on the initiating CPU a local flush (local_shootdown for no mm, the
 * batched reclaim flush; local_mm_shootdown for an mm), charged to the
 * flushed mm's process; on any other CPU a shootdown received, where
 * "if (!local) inc_irq_stat(irq_tlb_count)" comes before the early
 * returns that skip the trace event: remote_shootdown and shootdown_irqs,
 * charged to the task the IPI interrupted.
 */
SEC("fentry/flush_tlb_func")
int BPF_PROG(vmi_tlb_ipi, void *info)
{
	struct flush_tlb_info *f = info;
	struct mm_struct *mm = BPF_CORE_READ(f, mm);
	struct vmi_tgid_counts *c;
	struct vmi_global *g;
	__u32 zero = 0;

	if (BPF_CORE_READ(f, initiating_cpu) == bpf_get_smp_processor_id()) {
		count_tlb(flushed(mm), mm ? TLB(LOCAL_MM_SHOOTDOWN) :
			  TLB(LOCAL_SHOOTDOWN), info_pages(f), 0);
		return 0;
	}
	g = bpf_map_lookup_elem(&global, &zero);
	if (g)
		g->shootdown_irqs++;
	c = current_counts();
	if (!c)
		return 0;
	add(&c->tlb.shootdown_irqs, 1);
	count_tlb(c, TLB(REMOTE_SHOOTDOWN), info_pages(f), 0);
	return 0;
}

static __always_inline __u64 popcount(__u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

/* Bits set in the cpumask at @mask, this CPU's left out. */
static __always_inline __u64 other_cpus(const void *mask)
{
	__u32 cpu = bpf_get_smp_processor_id(), i;
	unsigned long word;
	__u64 cpus = 0;

	for (i = 0; i < MAX_CPUMASK_WORDS && i < cpumask_words; i++) {
		if (bpf_probe_read_kernel(&word, sizeof(word),
					  mask + i * sizeof(word)))
			break;
		if (i == cpu / 64)
			word &= ~(1UL << (cpu % 64));
		cpus += popcount(word);
	}
	return cpus;
}

/*
 * native_flush_tlb_multi(): the initiator sends flush IPIs to the CPUs of
 * @cpumask (mm_cpumask(), this CPU included; those in lazy TLB mode are
 * left out afterwards unless tables were freed).  Called with preemption
 * off (flush_tlb_mm_range()'s get_cpu(), arch_tlbbatch_flush()), never
 * from an interrupt: a flush IPI arriving meanwhile runs vmi_tlb_ipi, not
 * this program.  Counted as remote_send_ipi, cpus = the other CPUs
 * asked.  Under Xen or Hyper-V, or with broadcast invalidation (INVLPGB),
 * flushes do not come here.
 */
SEC("fentry/native_flush_tlb_multi")
int BPF_PROG(vmi_tlb_send, const struct cpumask *cpumask,
	     const struct flush_tlb_info *info)
{
	struct flush_tlb_info *f = (void *)info;

	count_tlb(flushed(BPF_CORE_READ(f, mm)), TLB(REMOTE_SEND_IPI),
		  info_pages(f), other_cpus(cpumask));
	return 0;
}

#define PF_MEMALLOC	0x00000800	/* include/linux/sched.h */
#define PF_KTHREAD	0x00200000

/* x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl) */
enum {
	NR_mmap = 9, NR_mprotect = 10, NR_munmap = 11, NR_brk = 12,
	NR_mremap = 25, NR_madvise = 28, NR_shmdt = 67, NR_execve = 59,
	NR_exit = 60, NR_exit_group = 231, NR_mbind = 237,
	NR_migrate_pages = 256, NR_move_pages = 279, NR_execveat = 322,
	NR_pkey_mprotect = 329, NR_process_madvise = 440,
};

/*
 * Bytes of a task name as little-endian words, so that no string literal
 * (a .rodata.str map) is needed: W(a, b, ...) packs up to 8 characters.
 */
#define B(c, i)		((__u64)(unsigned char)(c) << (8 * (i)))
#define W8(a, b, c, d, e, f, g, h) \
	(B(a, 0) | B(b, 1) | B(c, 2) | B(d, 3) | B(e, 4) | B(f, 5) | \
	 B(g, 6) | B(h, 7))
static __always_inline __u64 mask_bytes(int n)
{
	return n >= 8 ? ~0ULL : (1ULL << (8 * n)) - 1;
}

/* The first @len bytes of @comm (two words) are @w0, @w1. */
static __always_inline bool comm_is(const __u64 *comm, __u64 w0, __u64 w1,
				    int len)
{
	if ((comm[0] & mask_bytes(len)) != (w0 & mask_bytes(len)))
		return false;
	return len <= 8 ||
		(comm[1] & mask_bytes(len - 8)) == (w1 & mask_bytes(len - 8));
}

/* Why current flushes a TLB (enum vmi_tlb_cause). */
static __always_inline int flush_cause(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	unsigned int flags = t->flags;
	struct vmi_task_state *d;
	struct pt_regs *regs;
	__u64 comm[2] = {};
	long nr;

	if (flags & PF_KTHREAD) {
		bpf_get_current_comm(comm, sizeof(comm));
		/* kswapd<node>, kcompactd<node>, khugepaged, ksmd */
		if (comm_is(comm, W8('k', 's', 'w', 'a', 'p', 'd', 0, 0), 0, 6))
			return VMI_TLB_CAUSE_RECLAIM;
		if (comm_is(comm, W8('k', 'c', 'o', 'm', 'p', 'a', 'c', 't'),
			    W8('d', 0, 0, 0, 0, 0, 0, 0), 9))
			return VMI_TLB_CAUSE_COMPACT;
		if (comm_is(comm, W8('k', 'h', 'u', 'g', 'e', 'p', 'a', 'g'),
			    W8('e', 'd', 0, 0, 0, 0, 0, 0), 11))
			return VMI_TLB_CAUSE_THP;
		if (comm_is(comm, W8('k', 's', 'm', 'd', 0, 0, 0, 0), 0, 5))
			return VMI_TLB_CAUSE_KSM;
		return VMI_TLB_CAUSE_OTHER;
	}
	if (flags & PF_MEMALLOC)
		return VMI_TLB_CAUSE_RECLAIM;
	d = bpf_task_storage_get(&task_state, t, NULL, 0);
	if (d && d->numa)
		return VMI_TLB_CAUSE_NUMA;
	regs = (struct pt_regs *)bpf_task_pt_regs(t);
	nr = BPF_CORE_READ(regs, orig_ax);
	switch (nr) {
	case NR_munmap: case NR_brk: case NR_mmap: case NR_shmdt:
	case NR_exit: case NR_exit_group: case NR_execve: case NR_execveat:
		return VMI_TLB_CAUSE_ZAP;
	case NR_mprotect: case NR_pkey_mprotect:
		return VMI_TLB_CAUSE_MPROTECT;
	case NR_madvise: case NR_process_madvise:
		return VMI_TLB_CAUSE_MADVISE;
	case NR_mremap:
		return VMI_TLB_CAUSE_MREMAP;
	case NR_mbind: case NR_migrate_pages: case NR_move_pages:
		return VMI_TLB_CAUSE_MIGRATE;
	case -1:
		return VMI_TLB_CAUSE_FAULT;
	}
	return VMI_TLB_CAUSE_OTHER;
}

static __always_inline void count_cause(struct vmi_tgid_counts *c,
					unsigned long pages, __u64 cpus)
{
	__u32 cause = flush_cause();
	__u64 *r;

	if (!c)
		return;
	barrier_var(cause);
	if (cause >= VMI_NR_TLB_CAUSES)		/* for the verifier */
		return;
	r = c->tlb.cause[cause];
	add(&r[VMI_TLB_EVENTS], 1);
	if (pages == TLB_FLUSH_ALL)
		add(&r[VMI_TLB_FULL], 1);
	else
		add(&r[VMI_TLB_PAGES], pages);
	add(&r[VMI_TLB_CPUS], cpus);
}

/* mm_cpumask(): after the struct (6.1, 6.12) or its flexible_array (7.3) */
struct mm_struct___cpu_bitmap {
	unsigned long cpu_bitmap[0];
} __attribute__((preserve_access_index));

struct mm_struct___flexible {
	char flexible_array[0];
} __attribute__((preserve_access_index));

/* The CPUs other than this one in mm_cpumask(@mm). */
static __always_inline __u64 mm_other_cpus(struct mm_struct *mm)
{
	__u32 off;

	if (bpf_core_field_exists(((struct mm_struct___flexible *)0)->flexible_array))
		off = bpf_core_field_offset(struct mm_struct___flexible,
					    flexible_array);
	else
		off = bpf_core_field_offset(struct mm_struct___cpu_bitmap,
					    cpu_bitmap);
	return other_cpus((void *)mm + off);
}

/*
 * Every flush of a user address space starts here (munmap and zap,
 * mprotect, mremap, THP collapse and split, KSM, migration, copy-on-write:
 * flush_tlb_range(), flush_tlb_page(), tlb_finish_mmu()): charged to the
 * owner of @mm by cause, with the pages (or a full flush) and the other
 * CPUs of mm_cpumask() (before those in lazy TLB mode are left out).  Preemptible:
 * a run can be skipped by the recursion guard (recursion_misses).
 */
SEC("fentry/flush_tlb_mm_range")
int BPF_PROG(vmi_tlb_cause, struct mm_struct *mm, unsigned long start,
	     unsigned long end, unsigned int stride_shift, bool freed_tables)
{
	unsigned long pages = TLB_FLUSH_ALL;

	/*
	 * As flush_tlb_mm_range() decides: more than
	 * tlb_single_page_flush_ceiling pages (33 unless changed in debugfs)
	 * is a full flush.
	 */
	if (end != TLB_FLUSH_ALL && (end - start) >> stride_shift <= 33)
		pages = (end - start) >> stride_shift;
	count_cause(flushed(mm), pages, mm_other_cpus(mm));
	return 0;
}

/*
 * Reclaim and migration unmap a folio from each mm that maps it
 * (try_to_unmap_one(), try_to_migrate_one(), through rmap_walk()); with
 * TTU_BATCH_FLUSH, should_defer_flush() leaves the flush of an mm that is
 * loaded on another CPU to the task's batch, and the kernel flushes all
 * of them at once in arch_tlbbatch_flush().  Record whose mm that was
 * (its owner's thread group), so that the batch is charged to the
 * processes flushed rather than to kswapd.  Deferred when, as
 * should_defer_flush() decides, the flags ask for it and the mm is on a
 * CPU other than this one; and the batch must be pending after the call
 * (tlb_ubc.flush_required).  Preemptible: a run the recursion guard
 * skips leaves that mm's share to current (recursion_misses).
 */
static __always_inline void note_deferred(struct vm_area_struct *vma,
					  unsigned long flags)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct mm_struct *mm = BPF_CORE_READ(vma, vm_mm);
	struct task_struct *owner = NULL;
	struct vmi_task_state *d;
	__u32 tgid, cpus, i;

	if (!(flags & bpf_core_enum_value(enum ttu_flags, TTU_BATCH_FLUSH)) ||
	    !BPF_CORE_READ(t, tlb_ubc.flush_required))
		return;
	cpus = mm_other_cpus(mm);
	if (!cpus)
		return;
	if (bpf_core_field_exists(mm->owner))
		owner = BPF_CORE_READ(mm, owner);
	if (!owner)
		return;
	tgid = BPF_CORE_READ(owner, tgid);
	/* its entry now, while the owner is alive: the flush only looks */
	if (!counts_of(tgid, owner, false))
		return;
	d = bpf_task_storage_get(&task_state, t, NULL,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!d)
		return;
	for (i = 0; i < VMI_DEFER_SLOTS; i++) {
		if (i == d->n) {
			d->tgid[i] = tgid;
			d->cpus[i] = cpus;
			d->n++;
			return;
		}
		if (d->tgid[i] == tgid) {
			if (cpus > d->cpus[i])
				d->cpus[i] = cpus;
			return;
		}
	}
	d->overflow++;
}

SEC("fexit/try_to_unmap_one")
int BPF_PROG(vmi_unmap_one, struct folio *folio, struct vm_area_struct *vma,
	     unsigned long address, void *arg, bool ret)
{
	note_deferred(vma, (unsigned long)arg);
	return 0;
}

SEC("fexit/try_to_migrate_one")
int BPF_PROG(vmi_migrate_one, struct folio *folio,
	     struct vm_area_struct *vma, unsigned long address, void *arg,
	     bool ret)
{
	note_deferred(vma, (unsigned long)arg);
	return 0;
}

/*
 * The NUMA hinting scan: task_numa_work() runs as task work on the way
 * back to user space and makes a range of the task's mm PROT_NONE
 * (change_prot_numa()), flushing it; from the initiator's context alone
 * that would be the system call or fault it returns from.  Mark the task
 * while it runs (it may sleep: task storage, not a per-CPU flag).
 */
SEC("fentry/task_numa_work")
int BPF_PROG(vmi_numa_enter, struct callback_head *work)
{
	struct vmi_task_state *d;

	d = bpf_task_storage_get(&task_state, bpf_get_current_task_btf(), NULL,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (d)
		d->numa = 1;
	return 0;
}

SEC("fexit/task_numa_work")
int BPF_PROG(vmi_numa_exit, struct callback_head *work)
{
	struct vmi_task_state *d;

	d = bpf_task_storage_get(&task_state, bpf_get_current_task_btf(), NULL,
				 0);
	if (d)
		d->numa = 0;
	return 0;
}

/*
 * The batched flush of reclaim and migration (try_to_unmap_flush()): one
 * full flush for all the address spaces whose flush was deferred into it,
 * each charged to the process it flushed (note_deferred()), by the cause
 * the initiator's context gives (kswapd: reclaim), with the other CPUs of
 * its mm.  What was not recorded (more than VMI_DEFER_SLOTS address
 * spaces, a skipped run, a batch begun before "probe start") is charged
 * to current, as one flush to the batch's other CPUs.
 */
SEC("fentry/arch_tlbbatch_flush")
int BPF_PROG(vmi_tlb_batch, struct arch_tlbflush_unmap_batch *batch)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct vmi_tgid_counts *c;
	struct vmi_task_state *d;
	bool rest = true;
	__u32 i;

	d = bpf_task_storage_get(&task_state, t, NULL, 0);
	if (d && d->n) {
		rest = d->overflow;
		for (i = 0; i < VMI_DEFER_SLOTS && i < d->n; i++) {
			/* gone since (its entry deleted): the rest's */
			c = bpf_map_lookup_elem(&counts, &d->tgid[i]);
			if (c)
				count_cause(c, TLB_FLUSH_ALL, d->cpus[i]);
			else
				rest = true;
		}
		d->n = 0;
		d->overflow = 0;
	}
	if (rest)
		count_cause(current_counts(), TLB_FLUSH_ALL,
			    other_cpus(&batch->cpumask));
	return 0;
}

/*
 * --task-switch only: switch_mm_irqs_off() loading another mm traces
 * TLB_FLUSH_ON_TASK_SWITCH on every switch between processes, so this
 * program runs on each of them.  Interrupts are off.  Charged to the task
 * being switched in: rq->curr is already "next" when switch_mm_irqs_off()
 * runs; exec and kthread_use_mm() switch for current, which is rq->curr
 * too.  The other reasons are counted at flush_tlb_func().
 */
SEC("tp_btf/tlb_flush")
int BPF_PROG(vmi_tlb, int reason, unsigned long pages)
{
	struct task_struct *task;
	struct rq *rq;

	if (reason != TLB(FLUSH_ON_TASK_SWITCH))
		return 0;
	rq = bpf_this_cpu_ptr(&runqueues);
	task = BPF_CORE_READ(rq, curr);
	count_tlb(counts_of(BPF_CORE_READ(task, tgid), task, false), reason,
		  pages, 0);
	return 0;
}

/*
 * The thread group is gone: drop its counters.  delayed_put_task_struct() traces
 * sched_process_free after the task was reaped and an RCU grace period
 * passed, in softirq context; the leader goes last (release_task() reaps
 * it once the group is empty), so by then every thread of the group has
 * left do_exit() but for its last instructions, where PF_EXITING keeps
 * counts_of() from creating the entry again.  Until the zombie is reaped
 * its counters stay, as its /proc/<pid>/stat does.  Not at
 * sched_process_exit, which comes too early: up to 6.15 a thread that gets
 * there after the last one decremented signal->live sees it at 0 while
 * that last one may still be in exit_mm() (with TLB flushes and faults),
 * and since 6.16 it fires before exit_mm() in every thread.  An old leader
 * that a thread's execve() replaced has that thread as its group_leader:
 * the group lives on.  Other CPUs' fault caches of the group are dropped
 * when flushed (the entry is gone).
 */
SEC("tp_btf/sched_process_free")
int BPF_PROG(vmi_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;

	if (p->group_leader == p)
		bpf_map_delete_elem(&counts, &tgid);
	return 0;
}

/*
 * Reading the pinned link VMI_BPF_LINK_TASK_FLT runs this for every task:
 * one struct vmi_task_flt for each task of a group that has counters and
 * whose leader started after "probe start", with its min_flt / maj_flt,
 * and for the leader also the group's (signal_struct min_flt / maj_flt:
 * those of the threads that are gone, which __exit_signal() added), as
 * do_task_stat() sums them for /proc/<pid>/stat.  Tracing iterators have
 * no recursion guard.  A thread that exits while the iterator runs can be
 * missed (its counts move to the group's after the leader was read).
 */
SEC("iter/task")
int vmi_task_flt(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct vmi_task_flt r = {};

	if (!t)
		return 0;
	r.tgid = t->tgid;
	if (t->group_leader->start_time < start_ns ||
	    !bpf_map_lookup_elem(&counts, &r.tgid))
		return 0;
	r.min = t->min_flt;
	r.maj = t->maj_flt;
	if (t->group_leader == t) {
		r.min += t->signal->min_flt;
		r.maj += t->signal->maj_flt;
	}
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
