/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the counters of the vminspect eBPF probes (started by "vmview
 * probe start", pinned under VMI_BPF_PIN_DIR).  For vmview's views: top,
 * ps --sort faults, maps.  Documentation/probes.rst lists the counters.
 *
 * Functions returning int give 0 on success or a negative errno:
 * -ENODEV when the probes are not running, -ENOENT when nothing was counted
 * for that process, -EACCES/-EPERM without the privilege to read the pins.
 */
#ifndef _VMVIEW_PROBE_READ_H
#define _VMVIEW_PROBE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <vminspect_abi.h>

bool vmv_probe_pinned(void);

/* VMI_BPF_PIN_DIR/SUB/NAME into buf; -ENAMETOOLONG if it does not fit. */
int vmv_pin_path(char *buf, size_t len, const char *sub, const char *name);

/*
 * Totals of thread group @tgid over all CPUs; f or t may be NULL.  For a
 * group started after "probe start", minor and major are the kernel's own
 * (min_flt / maj_flt summed as /proc/<pid>/stat sums them), and unseen
 * what no fault program run saw.
 */
int vmv_probe_counts(pid_t tgid, struct vmi_fault_counts *f,
		     struct vmi_tlb_counts *t);

/* Every thread group with counters; a non-zero return of cb stops the walk
 * and is returned.
 */
typedef int (*vmv_probe_cb)(pid_t tgid, const struct vmi_fault_counts *f,
			    const struct vmi_tlb_counts *t, void *ctx);
int vmv_probe_foreach(vmv_probe_cb cb, void *ctx);

/* Counted faults of @tgid grouped by the start of the VMA they hit (an
 * address inside it at fault time), entries of a dead process with the same
 * pid left out.  Needs the probes started without --no-vmas.
 */
typedef int (*vmv_vma_cb)(__u64 vm_start, const struct vmi_vma_faults *v,
			  void *ctx);
int vmv_probe_vma_faults(pid_t tgid, vmv_vma_cb cb, void *ctx);

/*
 * System-wide counters (remote shootdowns received, lost events), summed
 * over the online CPUs as /proc/interrupts sums them.
 */
int vmv_probe_global(struct vmi_global *g);

/*
 * The runs of each pinned program that the kernel's per-CPU recursion
 * guard skipped (bpf_prog_info recursion_misses), up to @max programs;
 * returns how many.  Faults of a skipped vmi_fault run are still in
 * minor/major (as unseen); what else such a run would have counted is
 * lost.
 */
struct vmv_prog_misses {
	char name[16];		/* as the kernel keeps it */
	__u64 misses;
};

int vmv_probe_misses(struct vmv_prog_misses *m, int max);

/* Name of TLB reason slot @reason (0..VMI_TLB_MAX_REASONS-1) from the
 * kernel's BTF (enum tlb_flush_reason), e.g. "remote_shootdown"; NULL for a
 * slot the kernel does not use.
 */
const char *vmv_probe_reason_name(int reason);

#endif /* _VMVIEW_PROBE_READ_H */
