// SPDX-License-Identifier: GPL-2.0
/*
 * Stand-in for probe.c (branch 'probes') so that vmview links without it.
 * Dropped when probe.c is merged.
 */
#include "vmview.h"

int do_probe(int argc, char **argv)
{
	p_err("the eBPF probes are not built into this vmview (tools/vmview/probe.c missing)");
	return VMV_EXIT_ERR;
}

bool vmi_probes_running(void)
{
	return false;
}
