/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel variables the vminspect BPF programs read, resolved by libbpf
 * against the running kernel's BTF at load time.
 */
#ifndef _VMI_KSYMS_H
#define _VMI_KSYMS_H

/* kernel/sched/core.c: the per-CPU runqueues (rq->curr) */
extern struct rq runqueues __ksym;

#endif /* _VMI_KSYMS_H */
