/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attach points of the probes' programs and the kernel variables they
 * read, checked against a kernel's BTF (probe_btf.c).
 */
#ifndef _VMVIEW_PROBE_BTF_H
#define _VMVIEW_PROBE_BTF_H

#include <stdbool.h>

struct bpf_object;
struct btf;

struct vmv_attach {
	const char *prog;	/* program name; NULL for a kernel variable */
	const char *sec;	/* "fexit/handle_mm_fault", ".ksyms" */
	const char *kind;	/* "function", "tracepoint", "kernel variable" */
	const char *target;	/* "handle_mm_fault", "tlb_flush", "runqueues" */
	bool load;		/* the program will be loaded (autoload) */
	bool found;		/* the kernel's BTF has it */
	bool proto_ok;		/* with the arguments the program reads */
	bool optional;		/* missing, the program is left out (not an error) */
	char why[256];		/* what differs, if found but not proto_ok */
};

/* Called for each attach point; a non-zero return stops the walk. */
typedef int (*vmv_attach_cb)(const struct vmv_attach *a, void *ctx);

/*
 * Check every attach point of @obj (opened, not loaded) against @btf:
 * returns how many that will be loaded are missing or of another
 * prototype, or a negative errno
 * (-ENOTSUP for a program section this check does not know).  @cb may be
 * NULL.
 */
int vmv_probe_attach_points(struct bpf_object *obj, const struct btf *btf,
			    vmv_attach_cb cb, void *ctx);

#endif /* _VMVIEW_PROBE_BTF_H */
