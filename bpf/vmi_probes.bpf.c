// SPDX-License-Identifier: GPL-2.0
/*
 * vminspect probes: page faults and TLB flushes per thread group.
 *
 * Faults are counted at the exit of handle_mm_fault() the way the kernel's
 * mm_account_fault() (mm/memory.c) counts current->min_flt / maj_flt, so the
 * totals of a process equal fields 10 and 12 of /proc/<pid>/stat.  TLB
 * flushes come from tlb:tlb_flush; the remote shootdowns a CPU receives are
 * counted at the entry of flush_tlb_func() exactly where the kernel
 * increments irq_tlb_count (the TLB line of /proc/interrupts).
 *
 * Counters live in a per-CPU hash keyed by tgid (no shared cache line, no
 * lock on the hot path) and are deleted when the thread group is reaped;
 * the fault path first counts into a per-CPU cache of the last group that
 * faulted on the CPU (see fault_counters()).
 * Documentation/probes.rst describes every counter.
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
 * Fault programs run with migration disabled but may be preempted (by a
 * thread of the same group, on the same CPU) on a fully preemptible kernel:
 * then increments must be atomic.  vmview clears this when the kernel's
 * preemption model is none or voluntary.
 */
const volatile bool atomic_counts = true;

#define PF_EXITING	0x00000004	/* include/linux/sched.h */
#define TLB_FLUSH_ALL	(~0UL)		/* arch/x86/include/asm/tlbflush.h */
#define PAGE_MASK	(~4095UL)

/* enum vm_fault_reason and enum fault_flag (include/linux/mm_types.h) */
#define VMF(name)	bpf_core_enum_value(enum vm_fault_reason, VM_FAULT_##name)
#define FF(name)	bpf_core_enum_value(enum fault_flag, FAULT_FLAG_##name)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, struct vmi_tgid_counts);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
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

static const struct vmi_tgid_counts zero_counts;

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	struct vmi_global *g = bpf_map_lookup_elem(&global, &zero);

	if (g)
		__sync_fetch_and_add(&g->lost, 1);
}

/*
 * The counters of thread group @tgid on this CPU.  A missing entry is
 * created, except for a task that is exiting: its group's entry is deleted
 * at exit and must not come back.
 */
static __always_inline struct vmi_tgid_counts *
counts_of(__u32 tgid, struct task_struct *task)
{
	struct vmi_tgid_counts *c = bpf_map_lookup_elem(&counts, &tgid);

	if (c)
		return c;
	if (!task)
		task = bpf_get_current_task_btf();
	if (BPF_CORE_READ(task, flags) & PF_EXITING)
		return NULL;
	bpf_map_update_elem(&counts, &tgid, &zero_counts, BPF_NOEXIST);
	c = bpf_map_lookup_elem(&counts, &tgid);
	if (!c)
		count_lost();
	return c;
}

static __always_inline struct vmi_tgid_counts *current_counts(void)
{
	return counts_of(bpf_get_current_pid_tgid() >> 32, NULL);
}

/* For counters a preemptible program updates (faults). */
static __always_inline void inc(__u64 *v)
{
	if (atomic_counts)
		__sync_fetch_and_add(v, 1);
	else
		(*v)++;
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
	if (atomic_counts) {
		__sync_fetch_and_add(&v->minor, minor);
		__sync_fetch_and_add(&v->major, major);
	} else {
		v->minor += minor;
		v->major += major;
	}
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
			c->fault.c[i] += fc->f.c[i];
		if (track_vmas && (fc->vma_minor || fc->vma_major))
			vma_add(tgid, fc->start_ticks, fc->vm_start,
				fc->vma_minor, fc->vma_major);
	}
	__builtin_memset(fc, 0, sizeof(*fc));
}

/*
 * Where the current fault is counted.  On a kernel without full preemption
 * nothing else runs this program on this CPU until it returns, so the
 * counts go to a per-CPU cache of the last group that faulted here: an
 * array slot, no hash lookup on the hot path.  Otherwise straight into the
 * group's entry, atomically.
 */
static __always_inline __u64 *fault_counters(struct vmi_fault_cache **pfc)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	struct vmi_fault_cache *fc;
	struct vmi_tgid_counts *c;

	*pfc = NULL;
	if (atomic_counts) {
		c = counts_of(tgid, NULL);
		return c ? c->fault.c : NULL;
	}
	fc = bpf_map_lookup_elem(&fault_cache, &zero);
	if (!fc)
		return NULL;
	if (fc->tgid != tgid) {
		cache_flush(fc);
		/* readers only trust a cache whose group has an entry */
		if (!counts_of(tgid, NULL))
			return NULL;
		fc->tgid = tgid;
		if (track_vmas)
			fc->start_ticks = current_start_ticks();
	}
	*pfc = fc;
	return fc->f.c;
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
	if (!fc) {
		vma_add(bpf_get_current_pid_tgid() >> 32, current_start_ticks(),
			vm_start, !major, major);
		return;
	}
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
	__u64 *f = fault_counters(&fc);
	bool major;

	if (!f)
		return 0;

	if (ret & (error | VMF(RETRY))) {
		if (ret & VMF(RETRY))
			inc(&f[VMI_FAULT_RETRY]);
		else if (!regs)
			inc(&f[VMI_FAULT_EFAULT]);
		else if (ret & VMF(OOM))
			inc(&f[VMI_FAULT_OOM]);
		else if (ret & sigbus)
			inc(&f[(flags & FF(USER)) ?
			       VMI_FAULT_SIGBUS : VMI_FAULT_EFAULT]);
		/* VM_FAULT_SIGSEGV goes on to bad_area_nosemaphore() */
		return 0;
	}

	major = (ret & VMF(MAJOR)) || (flags & FF(TRIED));
	inc(&f[major ? VMI_FAULT_MAJOR : VMI_FAULT_MINOR]);
	if (flags & FF(WRITE))
		inc(&f[VMI_FAULT_WRITE]);
	else if (flags & FF(INSTRUCTION))
		inc(&f[VMI_FAULT_EXEC]);
	else
		inc(&f[VMI_FAULT_READ]);
	/* x86 sets FAULT_FLAG_USER exactly when user_mode(regs) */
	if (!regs)
		inc(&f[VMI_FAULT_GUP]);
	else if (flags & FF(USER))
		inc(&f[VMI_FAULT_USER]);
	else
		inc(&f[VMI_FAULT_KERNEL]);

	if (track_vmas)
		count_vma(fc, vma, address, major, ret);
	return 0;
}

/*
 * arch/x86/mm/fault.c: a fault outside any VMA (or refused with
 * VM_FAULT_SIGSEGV) and an access the VMA does not allow end here; from
 * user mode that is a SIGSEGV, from kernel mode an exception fixup
 * (-EFAULT) or an oops.  Both programs read only regs, the first argument
 * on every kernel: bad_area_access_error() gained an mm argument before
 * its vma in 6.4 (per-VMA locks), so anything after address differs.
 * pt_regs.cs is an unsigned long in 6.1 and a u16 in a union since FRED
 * (6.9): libbpf narrows the load.
 */
static __always_inline int count_bad_area(struct pt_regs *regs)
{
	struct vmi_tgid_counts *c = current_counts();

	if (!c)
		return 0;
	inc(&c->fault.c[(regs->cs & 3) ? VMI_FAULT_SIGSEGV : VMI_FAULT_EFAULT]);
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
		inc(&c->fault.c[VMI_FAULT_EXC_USER]);
	return 0;
}

SEC("tp_btf/page_fault_kernel")
int BPF_PROG(vmi_exc_kernel, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	struct vmi_tgid_counts *c = current_counts();

	if (c)
		inc(&c->fault.c[VMI_FAULT_EXC_KERNEL]);
	return 0;
}

static __always_inline void count_tlb(struct vmi_tgid_counts *c, int reason,
				      unsigned long pages)
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
	r[VMI_TLB_EVENTS]++;
	if (pages == TLB_FLUSH_ALL)
		r[VMI_TLB_FULL]++;
	else
		r[VMI_TLB_PAGES] += pages;
}

/*
 * tlb:tlb_flush, everything but TLB_REMOTE_SEND_IPI.  These run with
 * interrupts off (switch_mm_irqs_off(), flush_tlb_func()), so nothing on
 * this CPU can interleave with the plain increments.
 *
 * A task-switch flush is charged to the task being switched in: rq->curr
 * is already "next" when switch_mm_irqs_off() runs; exec and
 * kthread_use_mm() switch for current, which is rq->curr too.  Every other
 * flush is charged to current: the initiator of a local flush, the task
 * interrupted by the IPI of a remote one.
 */
SEC("tp_btf/tlb_flush")
int BPF_PROG(vmi_tlb, int reason, unsigned long pages)
{
	struct task_struct *task;
	__u32 tgid;

	if (reason == bpf_core_enum_value(enum tlb_flush_reason,
					  TLB_REMOTE_SEND_IPI))
		return 0;
	if (reason == bpf_core_enum_value(enum tlb_flush_reason,
					  TLB_FLUSH_ON_TASK_SWITCH)) {
		struct rq *rq = bpf_this_cpu_ptr(&runqueues);

		task = BPF_CORE_READ(rq, curr);
	} else {
		task = bpf_get_current_task_btf();
	}
	tgid = BPF_CORE_READ(task, tgid);
	count_tlb(counts_of(tgid, task), reason, pages);
	return 0;
}

/*
 * TLB_REMOTE_SEND_IPI, in its own program: it runs with interrupts on, and
 * a remote flush received meanwhile must not find the program busy.
 */
SEC("tp_btf/tlb_flush")
int BPF_PROG(vmi_tlb_send, int reason, unsigned long pages)
{
	if (reason != bpf_core_enum_value(enum tlb_flush_reason,
					  TLB_REMOTE_SEND_IPI))
		return 0;
	count_tlb(current_counts(), reason, pages);
	return 0;
}

/*
 * arch/x86/mm/tlb.c flush_tlb_func(): "if (!local) inc_irq_stat(
 * irq_tlb_count)" comes before the early returns that skip the trace
 * event, so the shootdowns received are counted here, interrupts off.
 */
SEC("fentry/flush_tlb_func")
int BPF_PROG(vmi_tlb_ipi, void *info)
{
	struct flush_tlb_info *f = info;
	struct vmi_global *g;
	struct vmi_tgid_counts *c;
	__u32 zero = 0;

	if (BPF_CORE_READ(f, initiating_cpu) == bpf_get_smp_processor_id())
		return 0;
	g = bpf_map_lookup_elem(&global, &zero);
	if (g)
		g->shootdown_irqs++;
	c = current_counts();
	if (c)
		c->tlb.shootdown_irqs++;
	return 0;
}

/*
 * The thread group is gone: drop its counters.  Not at sched_process_exit,
 * which comes too early on every kernel: up to 6.15 a thread that gets
 * there after the last one decremented signal->live sees it at 0 while
 * that last one may still be in exit_mm() (its mmput() can run
 * exit_mmap(), with TLB flushes and faults), and since 6.16 (where it also
 * gained a group_dead argument) it fires before exit_mm() in every thread.
 * delayed_put_task_struct() traces sched_process_free after the task was
 * reaped and an RCU grace period
 * passed; the leader goes last (release_task() reaps it once the group is
 * empty), so by then every thread of the group has left do_exit() but for
 * its last instructions, where PF_EXITING keeps counts_of() from creating
 * the entry again.  Until the zombie is reaped its counters stay, as its
 * /proc/<pid>/stat does.  An old leader that a thread's execve() replaced
 * has that thread as its group_leader: the group lives on.
 */
SEC("tp_btf/sched_process_free")
int BPF_PROG(vmi_exit, struct task_struct *p)
{
	struct vmi_fault_cache *fc;
	__u32 tgid = p->tgid, zero = 0;

	if (p->group_leader != p)
		return 0;
	bpf_map_delete_elem(&counts, &tgid);
	/* other CPUs' caches of this group are dropped when flushed */
	fc = bpf_map_lookup_elem(&fault_cache, &zero);
	if (fc && fc->tgid == tgid)
		__builtin_memset(fc, 0, sizeof(*fc));
	return 0;
}
