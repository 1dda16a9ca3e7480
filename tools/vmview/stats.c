// SPDX-License-Identifier: GPL-2.0
/*
 * Probe counters for vmview's views: the one place that talks to the
 * probes' reading API (probe_read.h); everything else calls
 * vmv_counters_*().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "probe_read.h"
#include "snapshot.h"
#include "vmview.h"

bool vmv_kernel_has_btf(void)
{
	return !access("/sys/kernel/btf/vmlinux", R_OK);
}

static const struct vmv_counter_source *counter_source;

void vmv_set_counter_source(const struct vmv_counter_source *src)
{
	counter_source = src;
}

bool vmv_probes_running(void)
{
	if (counter_source)	/* the counters a snapshot kept */
		return counter_source->has_counters();
	return vmv_probe_pinned();
}

int vmv_probes_check(void)
{
	if (vmv_probes_running())
		return 0;
	if (!vmv_kernel_has_btf()) {
		vmv_err("kernel without BTF (/sys/kernel/btf/vmlinux is missing): the fault and TLB probes need a kernel built with CONFIG_DEBUG_INFO_BTF=y");
		return VMV_EXIT_ERR;
	}
	vmv_err("the fault and TLB probes are not running: start them with 'sudo vmview probe start'");
	return VMV_EXIT_ERR;
}

static void fill(struct vmv_counters *c, pid_t pid,
		 const struct vmi_fault_counts *f, const struct vmi_tlb_counts *t)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->pid = pid;
	if (f) {
		c->min_flt = f->c[VMI_FAULT_MINOR];
		c->maj_flt = f->c[VMI_FAULT_MAJOR];
		c->faults = c->min_flt + c->maj_flt;
	}
	if (!t)
		return;
	for (r = 0; r < VMI_TLB_MAX_REASONS; r++)
		c->tlb += t->r[r][VMI_TLB_EVENTS];
	c->t = *t;
	for (r = 0; r < VMI_NR_TLB_CAUSES; r++)
		c->flushes += t->cause[r][VMI_TLB_EVENTS];
}

static const char * const cause_names[] = VMI_TLB_CAUSE_NAMES;
static const char * const kind_names[] = VMI_TLB_KIND_NAMES;

struct json_object *vmv_tlb_causes_json(const struct vmi_tlb_counts *t)
{
	struct json_object *o = json_object_new_object(), *r;
	int i, k;

	for (i = 0; i < VMI_NR_TLB_CAUSES; i++) {
		r = json_object_new_object();
		for (k = 0; k < VMI_NR_TLB_KINDS; k++)
			json_object_object_add(r, kind_names[k],
					       vmv_json_u64(t->cause[i][k]));
		json_object_object_add(o, cause_names[i], r);
	}
	return o;
}

struct json_object *vmv_counters_json(const struct vmv_counters *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "faults", vmv_json_u64(c->faults));
	json_object_object_add(o, "min_flt", vmv_json_u64(c->min_flt));
	json_object_object_add(o, "maj_flt", vmv_json_u64(c->maj_flt));
	json_object_object_add(o, "tlb_flushes", vmv_json_u64(c->tlb));
	json_object_object_add(o, "flushes", vmv_json_u64(c->flushes));
	json_object_object_add(o, "tlb_causes", vmv_tlb_causes_json(&c->t));
	return o;
}

void vmv_print_causes(const struct vmi_tlb_counts *t)
{
	int i, k;

	for (i = 0; i < VMI_NR_TLB_CAUSES; i++) {
		if (!t->cause[i][VMI_TLB_EVENTS])
			continue;
		printf("    %-8s", cause_names[i]);
		for (k = 0; k < VMI_NR_TLB_KINDS; k++)
			printf(" %s %llu", kind_names[k],
			       (unsigned long long)t->cause[i][k]);
		printf("\n");
	}
}

int vmv_lead_cause(const struct vmi_tlb_counts *t,
		   const struct vmi_tlb_counts *base, double *share)
{
	uint64_t n, best = 0, sum = 0;
	int i, lead = -1;

	for (i = 0; i < VMI_NR_TLB_CAUSES; i++) {
		n = t->cause[i][VMI_TLB_EVENTS] -
		    (base ? base->cause[i][VMI_TLB_EVENTS] : 0);
		sum += n;
		if (n > best) {
			best = n;
			lead = i;
		}
	}
	*share = sum ? (double)best / sum : 0;
	return lead;
}

const char *vmv_cause_share_str(int cause, double share, char *buf,
				size_t len)
{
	if (cause < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s %d%%", cause_names[cause],
			 (int)(100 * share));
	return buf;
}

/*
 * The name of @pid: "[idle]" for pid 0 (TLB flushes received by an idle
 * CPU are counted there), "[exited]" once the process is gone.
 */
static void read_comm(pid_t pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(comm, len, "%s", pid ? "[exited]" : "[idle]");
	if (!pid)
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(comm, len, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

int vmv_counters_pid(pid_t pid, struct vmv_counters *c)
{
	struct vmi_fault_counts f;
	struct vmi_tlb_counts t;
	int ret;

	if (counter_source)
		return counter_source->counters(pid, c);
	ret = vmv_probe_counts(pid, &f, &t);
	if (ret == -ENOENT) {	/* nothing counted: zero */
		fill(c, pid, NULL, NULL);
		return 0;
	}
	if (ret)
		return ret;
	fill(c, pid, &f, &t);
	read_comm(pid, c->comm, sizeof(c->comm));
	return 0;
}

struct all_ctx {
	struct vmv_counters *arr;
	size_t nr, cap;
};

static int all_cb(pid_t tgid, const struct vmi_fault_counts *f,
		  const struct vmi_tlb_counts *t, void *data)
{
	struct all_ctx *ctx = data;

	if (ctx->nr == ctx->cap) {
		size_t cap = ctx->cap ? ctx->cap * 2 : 256;
		void *n = realloc(ctx->arr, cap * sizeof(*ctx->arr));

		if (!n)
			return -ENOMEM;
		ctx->arr = n;
		ctx->cap = cap;
	}
	fill(&ctx->arr[ctx->nr], tgid, f, t);
	read_comm(tgid, ctx->arr[ctx->nr].comm, sizeof(ctx->arr[0].comm));
	ctx->nr++;
	return 0;
}

int vmv_counters_all(struct vmv_counters **c, size_t *nr)
{
	struct all_ctx ctx = { 0 };
	int ret;

	ret = vmv_probe_foreach(all_cb, &ctx);
	if (ret) {
		free(ctx.arr);
		return ret;
	}
	*c = ctx.arr;
	*nr = ctx.nr;
	return 0;
}

struct raw_ctx {
	struct vmv_probe_raw *arr;
	size_t nr, cap;
};

static int raw_cb(pid_t tgid, const struct vmi_fault_counts *f,
		  const struct vmi_tlb_counts *t, void *data)
{
	struct raw_ctx *ctx = data;
	struct vmv_probe_raw *r;

	if (ctx->nr == ctx->cap) {
		size_t cap = ctx->cap ? ctx->cap * 2 : 256;
		void *n = realloc(ctx->arr, cap * sizeof(*ctx->arr));

		if (!n)
			return -ENOMEM;
		ctx->arr = n;
		ctx->cap = cap;
	}
	r = &ctx->arr[ctx->nr++];
	memset(r, 0, sizeof(*r));
	r->pid = tgid;
	if (f)
		r->f = *f;
	if (t)
		r->t = *t;
	return 0;
}

int vmv_counters_raw(struct vmv_probe_raw **c, size_t *nr,
		     struct vmi_global *g)
{
	struct raw_ctx ctx = { 0 };
	int ret;

	ret = vmv_probe_foreach(raw_cb, &ctx);
	if (!ret && g)
		ret = vmv_probe_global(g);
	if (ret) {
		free(ctx.arr);
		return ret;
	}
	*c = ctx.arr;
	*nr = ctx.nr;
	return 0;
}

const char *vmv_tlb_reason_name(int reason)
{
	return vmv_probe_reason_name(reason);
}

struct range_ctx {
	const uint64_t *start, *end;
	size_t nr;
	uint64_t *faults;
};

static int range_cb(__u64 vm_start, const struct vmi_vma_faults *v,
		    void *data)
{
	struct range_ctx *ctx = data;
	size_t i;

	for (i = 0; i < ctx->nr; i++) {
		if (vm_start >= ctx->start[i] && vm_start < ctx->end[i]) {
			ctx->faults[i] += v->minor + v->major;
			break;
		}
	}
	return 0;
}

int vmv_counters_ranges(pid_t pid, const uint64_t *start,
			const uint64_t *end, size_t nr, uint64_t *faults)
{
	struct range_ctx ctx = { start, end, nr, faults };
	int ret;

	if (counter_source)
		return counter_source->ranges(pid, start, end, nr, faults);
	memset(faults, 0, nr * sizeof(*faults));
	ret = vmv_probe_vma_faults(pid, range_cb, &ctx);
	return ret == -ENOENT ? 0 : ret;
}
