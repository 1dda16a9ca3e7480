// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the counters of the vminspect eBPF probes from their pinned maps
 * (probe_read.h).  No skeleton here: the selftests link this file too.
 *
 * A thread group's fault counts are its VMI_BPF_MAP_COUNTS entry plus what
 * the per-CPU fault cache still holds for it; for a group started after
 * "probe start", minor and major are then the kernel's own, read after the
 * maps through the VMI_BPF_LINK_TASK_FLT iterator.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "probe_read.h"

int vmv_pin_path(char *buf, size_t len, const char *sub, const char *name)
{
	int n = snprintf(buf, len, "%s/%s/%s", VMI_BPF_PIN_DIR, sub, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

bool vmv_probe_pinned(void)
{
	char path[256];

	if (vmv_pin_path(path, sizeof(path), "maps", VMI_BPF_MAP_COUNTS))
		return false;
	return access(path, F_OK) == 0;
}

static int map_open(const char *name)
{
	char path[256];
	int fd, err;

	err = vmv_pin_path(path, sizeof(path), "maps", name);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd >= 0)
		return fd;
	err = -errno;
	return err == -ENOENT ? -ENODEV : err;
}

static int ncpus(void)
{
	static int n;

	if (!n)
		n = libbpf_num_possible_cpus();
	return n;
}

/* The values of @key in per-CPU map @fd, one per possible CPU, malloc'd. */
static void *percpu_get(int fd, const void *key, size_t size)
{
	int n = ncpus(), err;
	void *buf;

	if (n < 0) {
		errno = -n;
		return NULL;
	}
	buf = calloc(n, (size + 7) & ~7UL);
	if (!buf)
		return NULL;
	if (bpf_map_lookup_elem(fd, key, buf)) {
		err = errno;
		free(buf);
		errno = err;
		return NULL;
	}
	return buf;
}

/*
 * /sys/devices/system/cpu/online ("0-3,5") as a mask of ncpus() bools,
 * malloc'd; NULL if it cannot be read.
 */
static bool *online_mask(void)
{
	char buf[1024], *p, *end;
	bool *on;
	ssize_t n;
	int fd;

	fd = open("/sys/devices/system/cpu/online", O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || ncpus() <= 0)
		return NULL;
	buf[n] = '\0';
	on = calloc(ncpus(), sizeof(*on));
	for (p = buf; on && *p && *p != '\n';) {
		long a = strtol(p, &end, 10), b = a;

		if (end == p)
			break;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (; a <= b && a < ncpus(); a++)
			if (a >= 0)
				on[a] = true;
		p = *end == ',' ? end + 1 : end;
	}
	return on;
}

/*
 * Sum the per-CPU copies of a value made of __u64 words: of the online
 * CPUs only with @online (as /proc/interrupts sums them), else of all.
 */
static int percpu_sum(int fd, const void *key, __u64 *sum, size_t size,
		      bool online)
{
	size_t words = size / sizeof(__u64), stride = (size + 7) & ~7UL, i;
	char *buf = percpu_get(fd, key, size);
	bool *on = online ? online_mask() : NULL;
	int cpu;

	if (!buf || (online && !on)) {
		int err = buf ? -EIO : -errno;

		free(buf);
		free(on);
		return err;
	}
	memset(sum, 0, size);
	for (cpu = 0; cpu < ncpus(); cpu++) {
		const __u64 *v = (const __u64 *)(buf + cpu * stride);

		if (on && !on[cpu])
			continue;
		for (i = 0; i < words; i++)
			sum[i] += v[i];
	}
	free(on);
	free(buf);
	return 0;
}

/* The kernel's minor and major faults of the groups it reported. */
struct kflt {
	struct vmi_task_flt *v;	/* sorted by tgid, one per tgid */
	size_t n;
};

static int cmp_tgid(const void *a, const void *b)
{
	const struct vmi_task_flt *x = a, *y = b;

	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

/*
 * Run the iterator (reading its pinned link runs it) and sum what it gives
 * per tgid.  Probes started by an older vmview have none: k->n is 0.
 */
static int kflt_read(struct kflt *k)
{
	size_t cap = 256, len = 0, i, j;
	char path[256];
	ssize_t n = 0;
	char *buf;
	int fd, err;

	k->v = NULL;
	k->n = 0;
	err = vmv_pin_path(path, sizeof(path), "links", VMI_BPF_LINK_TASK_FLT);
	if (err)
		return err;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	buf = malloc(cap * sizeof(*k->v));
	while (buf) {
		if (len + 64 * sizeof(*k->v) > cap * sizeof(*k->v)) {
			char *more = realloc(buf, 2 * cap * sizeof(*k->v));

			if (!more)
				break;
			buf = more;
			cap *= 2;
		}
		n = read(fd, buf + len, cap * sizeof(*k->v) - len);
		if (n <= 0)
			break;
		len += n;
	}
	err = !buf ? -ENOMEM : n < 0 ? -errno : 0;
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	k->v = (struct vmi_task_flt *)buf;
	k->n = len / sizeof(*k->v);
	qsort(k->v, k->n, sizeof(*k->v), cmp_tgid);
	for (i = 0, j = 0; i < k->n; i++) {
		if (j && k->v[j - 1].tgid == k->v[i].tgid) {
			k->v[j - 1].min += k->v[i].min;
			k->v[j - 1].maj += k->v[i].maj;
		} else {
			k->v[j++] = k->v[i];
		}
	}
	k->n = j;
	return 0;
}

/*
 * Minor and major of @tgid as the kernel counts them, when the iterator
 * gave them; what no program run saw is unseen.
 */
static void kflt_apply(const struct kflt *k, __u32 tgid,
		       struct vmi_fault_counts *f)
{
	struct vmi_task_flt key = { .tgid = tgid }, *e;
	__u64 seen, all;

	e = k->n ? bsearch(&key, k->v, k->n, sizeof(key), cmp_tgid) : NULL;
	if (!e)
		return;
	seen = f->c[VMI_FAULT_MINOR] + f->c[VMI_FAULT_MAJOR];
	all = e->min + e->maj;
	f->c[VMI_FAULT_MINOR] = e->min;
	f->c[VMI_FAULT_MAJOR] = e->maj;
	f->c[VMI_FAULT_UNSEEN] = all > seen ? all - seen : 0;
}

/* Every CPU's fault cache (ncpus() entries), malloc'd; NULL if unused. */
static struct vmi_fault_cache *caches_get(void)
{
	struct vmi_fault_cache *fc;
	__u32 zero = 0;
	int fd;

	fd = map_open(VMI_BPF_MAP_CACHE);
	if (fd < 0)
		return NULL;
	fc = percpu_get(fd, &zero, sizeof(*fc));
	close(fd);
	return fc;
}

static void caches_add(const struct vmi_fault_cache *fc, __u32 tgid,
		       struct vmi_fault_counts *f)
{
	int cpu, i;

	for (cpu = 0; fc && cpu < ncpus(); cpu++) {
		if (fc[cpu].tgid != tgid)
			continue;
		for (i = 0; i < VMI_NR_FAULT_COUNTERS; i++)
			f->c[i] += fc[cpu].f.c[i];
	}
}

/*
 * Entry plus caches, read as one snapshot: a cache moved into the entry
 * between the two reads would be counted twice (or not at all), so the
 * caches are read again after the entry and the read retried if they moved.
 */
int vmv_probe_counts(pid_t tgid, struct vmi_fault_counts *f,
		     struct vmi_tlb_counts *t)
{
	struct vmi_fault_cache *fc, *again = NULL;
	size_t size = ncpus() * sizeof(*fc);
	struct vmi_tgid_counts c;
	struct kflt k;
	__u32 key = tgid;
	int fd, err, tries;

	fd = map_open(VMI_BPF_MAP_COUNTS);
	if (fd < 0)
		return fd;
	fc = caches_get();
	for (tries = 0; tries < 100; tries++) {
		err = bpf_map_lookup_elem(fd, &key, &c) ? -errno : 0;
		if (err)
			break;
		again = caches_get();
		if (!fc || !again || !memcmp(fc, again, size))
			break;
		free(fc);
		fc = again;
		again = NULL;
	}
	close(fd);
	if (!err)
		caches_add(fc, key, &c.fault);
	free(fc);
	free(again);
	if (err)
		return err;
	/* after the maps: the kernel's counts include every fault they do */
	if (!kflt_read(&k)) {
		kflt_apply(&k, key, &c.fault);
		free(k.v);
	}
	if (f)
		*f = c.fault;
	if (t)
		*t = c.tlb;
	return 0;
}

int vmv_probe_foreach(vmv_probe_cb cb, void *ctx)
{
	struct { __u32 tgid; struct vmi_tgid_counts c; } *all = NULL, *more;
	size_t n = 0, cap = 0, i;
	__u32 key, next, *prev = NULL;
	struct vmi_fault_cache *fc;
	struct vmi_tgid_counts c;
	struct kflt k = { 0 };
	int fd, ret = 0;

	fd = map_open(VMI_BPF_MAP_COUNTS);
	if (fd < 0)
		return fd;
	fc = caches_get();
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &c))
			continue;	/* exited meanwhile */
		caches_add(fc, key, &c.fault);
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			more = realloc(all, cap * sizeof(*all));
			if (!more) {
				ret = -ENOMEM;
				goto out;
			}
			all = more;
		}
		all[n].tgid = key;
		all[n++].c = c;
	}
	/* after the maps: the kernel's counts include every fault they do */
	kflt_read(&k);
	for (i = 0; i < n && !ret; i++) {
		kflt_apply(&k, all[i].tgid, &all[i].c.fault);
		ret = cb(all[i].tgid, &all[i].c.fault, &all[i].c.tlb, ctx);
	}
out:
	free(k.v);
	free(all);
	free(fc);
	close(fd);
	return ret;
}

/* Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. */
static int start_ticks(pid_t pid, __u64 *ticks)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int i, fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* comm may hold spaces and parentheses */
	if (!p)
		return -EIO;
	for (i = 2; i < 22 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -EIO;
	*ticks = strtoull(p + 1, NULL, 10);
	return 0;
}

static int vma_lookup(int fd, const struct vmi_vma_key *key,
		      struct vmi_vma_faults *v)
{
	return bpf_map_lookup_elem(fd, key, v) ? -errno : 0;
}

/* The caches' pending VMA counts of (tgid, start_ticks, vm_start). */
static void caches_vma(struct vmi_fault_cache *fc, __u32 tgid, __u64 ticks,
		       __u64 vm_start, struct vmi_vma_faults *v, bool take)
{
	int cpu;

	for (cpu = 0; fc && cpu < ncpus(); cpu++) {
		struct vmi_fault_cache *c = &fc[cpu];

		if (c->tgid != tgid || c->start_ticks != ticks ||
		    c->vm_start != vm_start ||
		    !(c->vma_minor || c->vma_major))
			continue;
		v->minor += c->vma_minor;
		v->major += c->vma_major;
		if (take) {
			c->vma_minor = 0;
			c->vma_major = 0;
		}
	}
}

int vmv_probe_vma_faults(pid_t tgid, vmv_vma_cb cb, void *ctx)
{
	struct vmi_vma_key key, next, *prev = NULL;
	struct vmi_fault_cache *fc;
	struct vmi_vma_faults v;
	__u64 ticks;
	int fd, ret, cpu;

	ret = start_ticks(tgid, &ticks);
	if (ret)
		return ret;
	fd = map_open(VMI_BPF_MAP_VMAS);
	if (fd < 0)
		return fd;
	fc = caches_get();
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (key.tgid != (__u32)tgid || vma_lookup(fd, &key, &v))
			continue;
		if (v.start_ticks != ticks)
			continue;	/* an earlier process with this pid */
		caches_vma(fc, tgid, ticks, key.vm_start, &v, true);
		ret = cb(key.vm_start, &v, ctx);
		if (ret)
			goto out;
	}
	/* VMAs only the caches know of yet */
	for (cpu = 0; fc && cpu < ncpus(); cpu++) {
		struct vmi_fault_cache *c = &fc[cpu];

		if (c->tgid != (__u32)tgid || c->start_ticks != ticks ||
		    !(c->vma_minor || c->vma_major))
			continue;
		memset(&v, 0, sizeof(v));
		v.start_ticks = ticks;
		caches_vma(fc, tgid, ticks, c->vm_start, &v, true);
		ret = cb(c->vm_start, &v, ctx);
		if (ret)
			goto out;
	}
	ret = 0;
out:
	free(fc);
	close(fd);
	return ret;
}

int vmv_probe_global(struct vmi_global *g)
{
	__u32 zero = 0;
	int fd, err;

	fd = map_open(VMI_BPF_MAP_GLOBAL);
	if (fd < 0)
		return fd;
	err = percpu_sum(fd, &zero, (__u64 *)g, sizeof(*g), true);
	close(fd);
	return err;
}

int vmv_probe_misses(struct vmv_prog_misses *m, int max)
{
	char dir[256], path[512];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/progs", VMI_BPF_PIN_DIR);
	d = opendir(dir);
	if (!d)
		return -errno;
	while (n < max && (de = readdir(d))) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			snprintf(m[n].name, sizeof(m[n].name), "%s", info.name);
			m[n++].misses = info.recursion_misses;
		}
		close(fd);
	}
	closedir(d);
	return n;
}

static void lower_name(char *dst, size_t len, const char *src)
{
	size_t j;

	for (j = 0; src[j] && j < len - 1; j++)
		dst[j] = tolower((unsigned char)src[j]);
	dst[j] = '\0';
}

const char *vmv_probe_reason_name(int reason)
{
	static char names[VMI_TLB_MAX_REASONS][48];
	static bool loaded;

	if (reason < 0 || reason >= VMI_TLB_MAX_REASONS)
		return NULL;
	if (!loaded) {
		struct btf *btf = btf__load_vmlinux_btf();
		const struct btf_type *t = NULL;
		int id, i;

		loaded = true;
		if (!btf)
			return NULL;
		id = btf__find_by_name_kind(btf, "tlb_flush_reason",
					    BTF_KIND_ENUM);
		if (id > 0)
			t = btf__type_by_id(btf, id);
		for (i = 0; t && i < btf_vlen(t); i++) {
			const struct btf_enum *e = btf_enum(t) + i;
			const char *s = btf__name_by_offset(btf, e->name_off);
			__s32 val = e->val;

			if (!s || !strncmp(s, "NR_", 3) || val < 0)
				continue;
			if (val >= VMI_TLB_MAX_REASONS) {
				/* the last slot collects the overflow */
				strcpy(names[VMI_TLB_MAX_REASONS - 1], "other");
				continue;
			}
			if (!strncmp(s, "TLB_", 4))
				s += 4;
			lower_name(names[val], sizeof(names[val]), s);
		}
		btf__free(btf);
	}
	return names[reason][0] ? names[reason] : NULL;
}
