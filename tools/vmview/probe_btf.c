// SPDX-License-Identifier: GPL-2.0
/*
 * What the probes attach to, checked against a kernel's BTF before they
 * are loaded (probe_btf.h).  No kernel call here: "vmview probe check
 * --btf FILE" runs it on any machine against another kernel's vmlinux.
 *
 * A program's section names its attach point: "fentry/F", "fexit/F" and
 * "fmod_ret/F" need the function F (BTF_KIND_FUNC), "tp_btf/T" the
 * tracepoint T, whose BTF is the typedef btf_trace_T, "iter/T" the
 * iterator's function bpf_iter_T (DEFINE_BPF_ITER_FUNC()); the variables the
 * programs read with __ksym are in the object's ".ksyms" section and need
 * a BTF_KIND_VAR of that name.  This is what libbpf resolves at load, when
 * a miss is an error that names neither the program nor what is missing
 * unless -v shows libbpf's log.  The arguments the programs read are
 * checked too (protos[]).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "vmview.h"
#include "probe_btf.h"

/*
 * The prototypes the programs are written against (their BPF_PROG() in
 * bpf/vmi_probes.bpf.c), as far as they read them, in BTF's spelling.  A
 * tracing program reads its arguments as an array of u64 in the order of
 * the kernel's BTF, so a kernel whose prototype differs there would feed
 * a program the wrong values; an fexit program finds the return value
 * right after the last argument, so there the count must match exactly.
 * (The verifier refuses a program that reads past the last argument.)
 */
static const struct proto {
	const char *target;
	bool exact;		/* fexit: exactly these arguments */
	const char *args[4];	/* the first ones, NULL-terminated */
} protos[] = {
	{ "handle_mm_fault", true, { "struct vm_area_struct *",
	  "long unsigned int", "unsigned int", "struct pt_regs *" } },
	{ "bad_area_nosemaphore", false, { "struct pt_regs *" } },
	{ "bad_area_access_error", false, { "struct pt_regs *" } },
	{ "flush_tlb_func", false, { "void *" } },
	{ "native_flush_tlb_multi", false, { "const struct cpumask *",
	  "const struct flush_tlb_info *" } },
	{ "flush_tlb_mm_range", false, { "struct mm_struct *",
	  "long unsigned int", "long unsigned int", "unsigned int" } },
	{ "arch_tlbbatch_flush", false, { "struct arch_tlbflush_unmap_batch *" } },
	{ "try_to_unmap_one", true, { "struct folio *",
	  "struct vm_area_struct *", "long unsigned int", "void *" } },
	{ "try_to_migrate_one", true, { "struct folio *",
	  "struct vm_area_struct *", "long unsigned int", "void *" } },
	{ "task_numa_work", true, { "struct callback_head *" } },
	{ "page_fault_user", false, { "long unsigned int", "struct pt_regs *",
	  "long unsigned int" } },
	{ "page_fault_kernel", false, { "long unsigned int",
	  "struct pt_regs *", "long unsigned int" } },
	{ "tlb_flush", false, { "int", "long unsigned int" } },
	{ "sched_process_free", false, { "struct task_struct *" } },
	{ "task", false, { "struct bpf_iter_meta *", "struct task_struct *" } },
};

/*
 * What a kernel may lack: the programs attached there are left out and
 * the rest run (without CONFIG_NUMA_BALANCING there is no NUMA hinting
 * scan, and so no flush of cause numa).
 */
static const char * const optional_targets[] = { "task_numa_work" };

static const struct {
	const char *prefix;
	const char *kind;
} sections[] = {
	{ "fentry/", "function" },
	{ "fexit/", "function" },
	{ "fmod_ret/", "function" },
	{ "tp_btf/", "tracepoint" },
	{ "iter/", "iterator" },
};

/* Is @t a pointer to a function prototype (a btf_trace_* typedef's)? */
static bool is_func_ptr(const struct btf *btf, const struct btf_type *t)
{
	if (!t || !btf_is_ptr(t))
		return false;
	t = btf__type_by_id(btf, t->type);
	return t && btf_is_func_proto(t);
}

/* "struct pt_regs *", "long unsigned int", "void *": enough for protos[]. */
static void type_name(const struct btf *btf, __u32 id, char *buf, size_t len)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *tag = "";

	if (!id || !t) {
		snprintf(buf, len, "void");
		return;
	}
	if (btf_is_ptr(t) || btf_is_const(t)) {
		char to[64];

		type_name(btf, t->type, to, sizeof(to));
		snprintf(buf, len, btf_is_ptr(t) ? "%s *" : "const %s", to);
		return;
	}
	if (btf_is_struct(t))
		tag = "struct ";
	else if (btf_is_union(t))
		tag = "union ";
	else if (btf_is_any_enum(t))
		tag = "enum ";
	snprintf(buf, len, "%s%s", tag, btf__name_by_offset(btf, t->name_off));
}

/*
 * The prototype of @target's arguments: a function's own, or without the
 * leading "void *__data" of a tracepoint's btf_trace_ typedef.  NULL if
 * the kernel does not have it.
 */
static const struct btf_type *find_proto(const struct btf *btf,
					 const char *kind, const char *target,
					 int *skip)
{
	const struct btf_type *t;
	char tp[128];
	int id;

	*skip = 0;
	if (!strcmp(kind, "iterator")) {
		if (snprintf(tp, sizeof(tp), "bpf_iter_%s", target) >=
		    (int)sizeof(tp))
			return NULL;
		target = tp;
		kind = "function";
	}
	if (!strcmp(kind, "function")) {
		id = btf__find_by_name_kind(btf, target, BTF_KIND_FUNC);
		if (id <= 0)
			return NULL;
		t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
		return t && btf_is_func_proto(t) ? t : NULL;
	}
	if (snprintf(tp, sizeof(tp), "btf_trace_%s", target) >= (int)sizeof(tp))
		return NULL;
	id = btf__find_by_name_kind(btf, tp, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return NULL;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!is_func_ptr(btf, t))
		return NULL;
	*skip = 1;
	return btf__type_by_id(btf, t->type);
}

/* Compare with protos[]; a difference is described in a->why. */
static bool proto_matches(const struct btf *btf, const struct btf_type *fp,
			  int skip, struct vmv_attach *a)
{
	const struct btf_param *p = btf_params(fp) + skip;
	int i, n = btf_vlen(fp) - skip, want;
	const struct proto *e = NULL;
	char got[96];
	size_t k;

	for (k = 0; k < ARRAY_SIZE(protos); k++)
		if (!strcmp(protos[k].target, a->target))
			e = &protos[k];
	if (!e) {
		snprintf(a->why, sizeof(a->why), "no prototype to check against");
		return false;
	}
	for (want = 0; want < 4 && e->args[want]; want++)
		;
	if (n < want || (e->exact && n != want)) {
		snprintf(a->why, sizeof(a->why), "%d arguments, the program reads %s%d",
			 n, e->exact ? "exactly " : "", want);
		return false;
	}
	for (i = 0; i < want; i++) {
		type_name(btf, p[i].type, got, sizeof(got));
		if (strcmp(got, e->args[i])) {
			snprintf(a->why, sizeof(a->why), "argument %d is %s, not %s",
				 i + 1, got, e->args[i]);
			return false;
		}
	}
	return true;
}

static void find_target(const struct btf *btf, struct vmv_attach *a)
{
	const struct btf_type *fp;
	size_t k;
	int skip;

	a->why[0] = '\0';
	for (k = 0; k < ARRAY_SIZE(optional_targets); k++)
		if (!strcmp(optional_targets[k], a->target))
			a->optional = true;
	if (!strcmp(a->kind, "kernel variable")) {
		a->found = btf__find_by_name_kind(btf, a->target, BTF_KIND_VAR) > 0;
		a->proto_ok = a->found;
		return;
	}
	fp = find_proto(btf, a->kind, a->target, &skip);
	a->found = !!fp;
	a->proto_ok = a->found && proto_matches(btf, fp, skip, a);
}

static int check_progs(struct bpf_object *obj, const struct btf *btf,
		       vmv_attach_cb cb, void *ctx, int *missing)
{
	struct bpf_program *prog;
	size_t i;
	int err;

	bpf_object__for_each_program(prog, obj) {
		const char *sec = bpf_program__section_name(prog);
		struct vmv_attach a = {
			.prog = bpf_program__name(prog),
			.sec = sec,
			.load = bpf_program__autoload(prog),
		};

		for (i = 0; i < ARRAY_SIZE(sections); i++) {
			size_t n = strlen(sections[i].prefix);

			if (!strncmp(sec, sections[i].prefix, n)) {
				a.kind = sections[i].kind;
				a.target = sec + n;
				break;
			}
		}
		if (!a.kind)
			return -ENOTSUP;	/* a section this file cannot check */
		find_target(btf, &a);
		if (a.load && !a.proto_ok && !(a.optional && !a.found))
			(*missing)++;
		err = cb ? cb(&a, ctx) : 0;
		if (err)
			return err;
	}
	return 0;
}

static int check_ksyms(struct bpf_object *obj, const struct btf *btf,
		       vmv_attach_cb cb, void *ctx, int *missing)
{
	const struct btf *ob = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	int id, i, err;

	if (!ob)
		return 0;
	id = btf__find_by_name_kind(ob, ".ksyms", BTF_KIND_DATASEC);
	if (id <= 0)
		return 0;
	sec = btf__type_by_id(ob, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(ob, vs->type);
		struct vmv_attach a = {
			.sec = ".ksyms",
			.kind = "kernel variable",
			.load = true,
		};

		if (!v || !btf_is_var(v))
			continue;
		a.target = btf__name_by_offset(ob, v->name_off);
		find_target(btf, &a);
		if (!a.found)
			(*missing)++;
		err = cb ? cb(&a, ctx) : 0;
		if (err)
			return err;
	}
	return 0;
}

int vmv_probe_attach_points(struct bpf_object *obj, const struct btf *btf,
			    vmv_attach_cb cb, void *ctx)
{
	int missing = 0, err;

	err = check_progs(obj, btf, cb, ctx, &missing);
	if (!err)
		err = check_ksyms(obj, btf, cb, ctx, &missing);
	return err ? err : missing;
}
