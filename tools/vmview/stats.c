// SPDX-License-Identifier: GPL-2.0
/*
 * Probe counters for vmview's views: the one place that talks to the
 * probes' API (probe.h); everything else calls vmv_counters_*().
 */
#include <errno.h>
#include <unistd.h>

#include "vmview.h"

bool vmv_kernel_has_btf(void)
{
	return !access("/sys/kernel/btf/vmlinux", R_OK);
}

bool vmv_probes_running(void)
{
	return vmi_probes_running();
}

int vmv_probes_check(void)
{
	if (vmv_probes_running())
		return 0;
	if (!vmv_kernel_has_btf()) {
		p_err("this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): the fault and TLB probes need a kernel built with CONFIG_DEBUG_INFO_BTF=y");
		return VMV_EXIT_ERR;
	}
	p_err("the fault and TLB probes are not running: start them with 'sudo vmview probe start'");
	return VMV_EXIT_ERR;
}

int vmv_counters_pid(pid_t pid, struct vmv_counters *c)
{
	return -ENOTSUP;
}

int vmv_counters_all(struct vmv_counters **c, size_t *nr)
{
	return -ENOTSUP;
}

int vmv_counters_ranges(pid_t pid, const uint64_t *start,
			const uint64_t *end, size_t nr, uint64_t *faults)
{
	return -ENOTSUP;
}
