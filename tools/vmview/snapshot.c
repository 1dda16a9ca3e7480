// SPDX-License-Identifier: GPL-2.0
/*
 * vmview snapshot PID [-o FILE] [-t ADDR]...: the files of
 * /proc/vminspect/PID (mm, vmas, pagetable), walks of translate for the
 * first page of every VMA and of every mapped run, /proc/PID/stat's fault
 * counters, the probes' counters when they run, the kernel and the time,
 * in one versioned JSON document.  The files are kept as the module
 * printed them, so reading a snapshot back goes through procfmt's one
 * parser (a struct vmv_source) and every view reads a snapshot as it
 * reads a live process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "procfmt.h"
#include "snapshot.h"
#include "thp.h"
#include "vmview.h"

#define MAX_WALKS	2048	/* translate walks kept per snapshot */
#define MAX_EXTRA	64	/* -t ADDR given */

static const char * const snap_files[] = {
	VMI_PROC_MM, VMI_PROC_VMAS, VMI_PROC_PAGETABLE,
};

/* A snapshot read into memory. */
struct snap {
	struct json_object *root;
	char name[128];
	pid_t pid;
	const char *file[ARRAY_SIZE(snap_files)];
	struct json_object *walks;	/* array of strings, or NULL */
	struct json_object *counters;	/* object, or NULL */
	struct json_object *thp;	/* the THP policy, or NULL */
};

static struct snap *active;	/* answers procfmt's reads */

bool vmv_is_pid_arg(const char *arg)
{
	const char *p;

	if (!arg || !*arg)
		return false;
	for (p = arg; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static char *snap_read(const char *rel)
{
	char *end;
	long pid;
	size_t i;

	errno = 0;
	pid = strtol(rel, &end, 10);
	if (!active || errno || end == rel || *end != '/' ||
	    pid != active->pid) {
		errno = ENOENT;
		return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(snap_files); i++) {
		if (!strcmp(end + 1, snap_files[i])) {
			char *s = strdup(active->file[i]);

			if (!s)
				errno = ENOMEM;
			return s;
		}
	}
	errno = ENOENT;
	return NULL;
}

/* Span of one entry of a level: what a walk that stops there covers. */
static uint64_t level_span(int level, unsigned int paging_levels)
{
	switch (level) {
	case VMI_LEVEL_PGD:
		return paging_levels == 5 ? 1ULL << 48 : 1ULL << 39;
	case VMI_LEVEL_P4D:
		return 1ULL << 39;
	case VMI_LEVEL_PUD:
		return 1ULL << 30;
	case VMI_LEVEL_PMD:
		return 1ULL << 21;
	default:
		return 1ULL << 12;
	}
}

/*
 * The walk of another address answers for addr when both lie in the span
 * of the deepest entry it read: every entry above it and the entry itself
 * are then the ones the MMU would read for addr.
 */
static bool walk_covers(const struct vmv_translate *t, uint64_t addr)
{
	uint64_t span = 0;
	int l;

	for (l = VMI_NR_LEVELS - 1; l >= 0; l--) {
		if (t->level[l].present && !t->level[l].folded) {
			span = level_span(l, t->paging_levels);
			break;
		}
	}
	return span && (t->address & ~(span - 1)) == (addr & ~(span - 1));
}

static int snap_translate(pid_t pid, uint64_t addr, struct vmv_translate *tr)
{
	struct vmv_vma *vmas = NULL;
	const struct vmv_vma *v;
	size_t i, n, nr = 0;
	char what[160];
	int ret;

	memset(tr, 0, sizeof(*tr));
	if (!active || pid != active->pid)
		return -ENOENT;
	n = active->walks ? json_object_array_length(active->walks) : 0;
	snprintf(what, sizeof(what), "%s: walk", active->name);
	for (i = 0; i < n; i++) {
		struct json_object *w = json_object_array_get_idx(active->walks, i);
		char *text;

		if (!json_object_is_type(w, json_type_string))
			continue;
		text = strdup(json_object_get_string(w));
		if (!text)
			return -ENOMEM;
		ret = vmv_parse_translate(text, what, tr);
		free(text);
		if (ret)
			return ret;
		if (walk_covers(tr, addr))
			break;
	}
	if (i == n) {
		memset(tr, 0, sizeof(*tr));
		return -ENODATA;
	}
	if (tr->have_phys && tr->page_size &&
	    !(tr->page_size & (tr->page_size - 1))) {
		uint64_t off = addr & (tr->page_size - 1);

		if (tr->phys)
			tr->phys = tr->phys - tr->page_offset + off;
		tr->page_offset = off;
	}
	tr->address = addr;
	/* the VMA of addr, which need not be the one of the walk's address */
	ret = vmv_read_vmas(pid, &vmas, &nr);
	if (ret)
		return ret;
	v = vmv_find_vma(vmas, nr, addr);
	tr->in_vma = v;
	if (v) {
		tr->vma_start = v->start;
		tr->vma_end = v->end;
		snprintf(tr->vma_perms, sizeof(tr->vma_perms), "%s", v->perms);
		snprintf(tr->vma_path, sizeof(tr->vma_path), "%s",
			 v->path ? v->path : "");
		tr->have_vma_offset = true;
		tr->vma_offset = v->offset;
	}
	vmv_free_vmas(vmas, nr);
	return 0;
}

static const struct vmv_source snap_source = {
	.read = snap_read,
	.translate = snap_translate,
	.error = vmv_snap_error,
};

static const struct vmv_counter_source snap_counter_source = {
	.has_counters = vmv_snap_has_counters,
	.counters = vmv_snap_counters,
	.ranges = vmv_snap_ranges,
};

/* @s answers the reads and the counters from now on (NULL: the live ones). */
static void snap_activate(struct snap *s)
{
	active = s;
	vmv_set_source(s ? &snap_source : NULL);
	vmv_set_counter_source(s ? &snap_counter_source : NULL);
}

static void snap_free(struct snap *s)
{
	if (!s)
		return;
	json_object_put(s->root);
	free(s);
}

static struct json_object *get(struct json_object *o, const char *key,
			       enum json_type type)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* Load and check a snapshot; prints the error, NULL on failure. */
static struct snap *snap_load(const char *path)
{
	struct json_object *root, *o, *files;
	unsigned int major, minor;
	struct snap *s;
	const char *base;
	int64_t pid;
	char *text;
	size_t i;

	text = vmv_slurp(!strcmp(path, "-") ? "/dev/stdin" : path, NULL);
	if (!text) {
		vmv_err("cannot read snapshot %s: %s", path, strerror(errno));
		return NULL;
	}
	root = json_tokener_parse(text);
	free(text);
	if (!root || !json_object_is_type(root, json_type_object)) {
		vmv_err("%s is not a snapshot: not a JSON object", path);
		json_object_put(root);
		return NULL;
	}
	o = get(root, "format", json_type_string);
	if (!o || strcmp(json_object_get_string(o), VMV_SNAP_FORMAT)) {
		vmv_err("%s is not a snapshot: no \"format\": \"%s\"", path,
			VMV_SNAP_FORMAT);
		goto bad;
	}
	o = get(root, "version", json_type_string);
	if (!o || sscanf(json_object_get_string(o), "%u.%u", &major,
			 &minor) != 2) {
		vmv_err("%s: snapshot without a \"version\": \"M.m\"", path);
		goto bad;
	}
	if (major != VMV_SNAP_MAJOR) {
		vmv_err("%s: snapshot version %u.%u, this vmview reads %d.x",
			path, major, minor, VMV_SNAP_MAJOR);
		goto bad;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		vmv_err("out of memory");
		goto bad;
	}
	s->root = root;
	base = strrchr(path, '/');
	snprintf(s->name, sizeof(s->name), "%s", base ? base + 1 : path);
	o = get(root, "pid", json_type_int);
	pid = o ? json_object_get_int64(o) : 0;
	if (pid <= 0 || pid > 1 << 22) {
		vmv_err("%s: snapshot without a valid \"pid\"", path);
		snap_free(s);
		return NULL;
	}
	s->pid = pid;
	files = get(root, "files", json_type_object);
	for (i = 0; i < ARRAY_SIZE(snap_files); i++) {
		o = files ? get(files, snap_files[i], json_type_string) : NULL;
		if (!o) {
			vmv_err("%s: snapshot without files.%s", path,
				snap_files[i]);
			snap_free(s);
			return NULL;
		}
		s->file[i] = json_object_get_string(o);
	}
	s->walks = get(root, "walks", json_type_array);
	s->counters = get(root, "counters", json_type_object);
	s->thp = get(root, "thp", json_type_object);
	return s;
bad:
	json_object_put(root);
	return NULL;
}

bool vmv_snap_active(void)
{
	return active;
}

/* The machine's THP policy where the snapshot is taken (NULL: none). */
static struct json_object *thp_json(void)
{
	struct vmv_thp_policy p;
	struct json_object *o;

	vmv_thp_policy_read(&p);
	if (!p.known)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "enabled", json_object_new_string(p.anon));
	json_object_object_add(o, "shmem_enabled",
			       json_object_new_string(p.shmem));
	json_object_object_add(o, "max_ptes_none",
			       vmv_json_u64(p.max_ptes_none));
	json_object_object_add(o, "max_ptes_swap",
			       vmv_json_u64(p.max_ptes_swap));
	json_object_object_add(o, "max_ptes_shared",
			       vmv_json_u64(p.max_ptes_shared));
	return o;
}

static unsigned long thp_u64(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key, json_type_int);

	return v ? json_object_get_uint64(v) : 0;
}

/*
 * The THP policy the views judge the active snapshot's VMAs by: the one
 * kept in it (its machine's at the time), unknown for an older snapshot.
 */
void vmv_snap_thp_policy(struct vmv_thp_policy *p)
{
	struct json_object *a, *b;

	memset(p, 0, sizeof(*p));
	if (!active || !active->thp)
		return;
	a = get(active->thp, "enabled", json_type_string);
	b = get(active->thp, "shmem_enabled", json_type_string);
	if (!a || !b)
		return;
	snprintf(p->anon, sizeof(p->anon), "%s", json_object_get_string(a));
	snprintf(p->shmem, sizeof(p->shmem), "%s", json_object_get_string(b));
	p->max_ptes_none = thp_u64(active->thp, "max_ptes_none");
	p->max_ptes_swap = thp_u64(active->thp, "max_ptes_swap");
	p->max_ptes_shared = thp_u64(active->thp, "max_ptes_shared");
	p->known = true;
}

int vmv_snap_error(int err, const char *file)
{
	const char *msg = vmv_fmt_error(), *root = vmv_proc_root();
	size_t len = strlen(root);

	/* the parsers name the file under /proc/vminspect: name the snapshot */
	if (err == -EPROTO && !strncmp(msg, root, len))
		vmv_err("snapshot %s: %s", active->name, msg + len + (msg[len] == '/'));
	else if (err == -EPROTO)
		vmv_err("snapshot %s: %s", active->name, msg);
	else if (err == -ENODATA)
		vmv_err("snapshot %s holds no walk of that address (it keeps the first page of each VMA and of each mapped run; 'vmview snapshot -t ADDR' adds more)",
			active->name);
	else if (err == -ENOENT)
		vmv_err("snapshot %s has no %s of that process", active->name,
			file);
	else
		vmv_err("snapshot %s: %s: %s", active->name, file,
			strerror(-err));
	return VMV_EXIT_ERR;
}

int vmv_parse_target(const char *arg, pid_t *pid)
{
	struct stat st;
	struct snap *s;

	if (!arg)
		return vmv_parse_pid(arg, pid) ? -1 : VMV_EXIT_USAGE;
	if (vmv_is_pid_arg(arg) || (strcmp(arg, "-") && stat(arg, &st)))
		return vmv_parse_pid(arg, pid) ? -1 : VMV_EXIT_USAGE;
	snap_free(active);
	snap_activate(NULL);
	s = snap_load(arg);
	if (!s)
		return VMV_EXIT_ERR;
	snap_activate(s);
	*pid = s->pid;
	return -1;
}

int vmv_parse_pid_cmd(int argc, char **argv, const char *shortopts,
		      const struct option *longopts, void (*help)(FILE *f),
		      int (*own)(int opt, const char *arg), pid_t *pid)
{
	const char *arg;
	int ret;

	ret = vmv_parse_opts(argc, argv, shortopts, longopts, help, own);
	if (ret >= 0)
		return ret;
	arg = vmv_operand(argc, argv, "PID");
	if (!arg)
		return VMV_EXIT_USAGE;
	ret = vmv_parse_target(arg, pid);	/* a pid or a snapshot */
	if (ret >= 0)
		return ret;
	return vmv_no_more(argc, argv);
}

/* The probes' counters of a snapshot */

static uint64_t counter(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key, json_type_int);

	return v ? json_object_get_uint64(v) : 0;
}

/* The counters vmv_counters_json() wrote; 0 for what an older one lacks. */
static void counters_parse(struct json_object *o, struct vmv_counters *c)
{
	static const char * const causes[] = VMI_TLB_CAUSE_NAMES;
	static const char * const kinds[] = VMI_TLB_KIND_NAMES;
	struct json_object *by = get(o, "tlb_causes", json_type_object), *r;
	int i, k;

	c->faults = counter(o, "faults");
	c->min_flt = counter(o, "min_flt");
	c->maj_flt = counter(o, "maj_flt");
	c->tlb = counter(o, "tlb_flushes");
	c->flushes = counter(o, "flushes");
	for (i = 0; by && i < VMI_NR_TLB_CAUSES; i++) {
		r = get(by, causes[i], json_type_object);
		for (k = 0; r && k < VMI_NR_TLB_KINDS; k++)
			c->t.cause[i][k] = counter(r, kinds[k]);
	}
}

bool vmv_snap_has_counters(void)
{
	return active && active->counters;
}

int vmv_snap_counters(pid_t pid, struct vmv_counters *c)
{
	struct json_object *o;

	memset(c, 0, sizeof(*c));
	if (!active || !active->counters || pid != active->pid)
		return -ENOENT;
	o = active->counters;
	c->pid = pid;
	counters_parse(o, c);
	return 0;
}

int vmv_snap_ranges(pid_t pid, const uint64_t *start, const uint64_t *end,
		    size_t nr, uint64_t *faults)
{
	struct json_object *arr;
	size_t i, j, n;

	if (!active || !active->counters || pid != active->pid)
		return -ENOTSUP;
	arr = get(active->counters, "vmas", json_type_array);
	n = arr ? json_object_array_length(arr) : 0;
	for (i = 0; i < nr; i++) {
		faults[i] = 0;
		for (j = 0; j < n; j++) {
			struct json_object *e = json_object_array_get_idx(arr, j);

			if (counter(e, "start") == start[i] &&
			    counter(e, "end") == end[i]) {
				faults[i] = counter(e, "faults");
				break;
			}
		}
	}
	return 0;
}

/* Views: a process at one moment, live or from a snapshot */

static void now(struct vmv_view *v)
{
	struct timespec rt, bt;
	struct tm tm;
	char *id;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	v->realtime_ns = rt.tv_sec * 1000000000ULL + rt.tv_nsec;
	v->boottime_ns = bt.tv_sec * 1000000000ULL + bt.tv_nsec;
	gmtime_r(&rt.tv_sec, &tm);
	strftime(v->time, sizeof(v->time), "%Y-%m-%dT%H:%M:%SZ", &tm);
	id = vmv_slurp("/proc/sys/kernel/random/boot_id", NULL);
	if (id) {
		id[strcspn(id, "\n")] = '\0';
		snprintf(v->boot_id, sizeof(v->boot_id), "%s", id);
		free(id);
	}
}

/* minflt and majflt of /proc/PID/stat (fields 10 and 12) */
static bool read_stat(pid_t pid, uint64_t *min_flt, uint64_t *maj_flt)
{
	unsigned long long mi, ma;
	char path[64], *buf, *p;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	buf = vmv_slurp(path, NULL);
	if (!buf)
		return false;
	p = strrchr(buf, ')');	/* comm may hold spaces and parentheses */
	ok = p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %llu %*u %llu",
			 &mi, &ma) == 2;
	free(buf);
	if (ok) {
		*min_flt = mi;
		*maj_flt = ma;
	}
	return ok;
}

static int read_views(struct vmv_view *v)
{
	int ret;

	ret = vmv_read_mm(v->pid, &v->mm);
	if (ret)
		return vmv_proc_error(ret, v->pid, VMI_PROC_MM);
	ret = vmv_read_vmas(v->pid, &v->vmas, &v->nr_vmas);
	if (ret)
		return vmv_proc_error(ret, v->pid, VMI_PROC_VMAS);
	ret = vmv_read_pagetable(v->pid, &v->pt);
	if (ret)
		return vmv_proc_error(ret, v->pid, VMI_PROC_PAGETABLE);
	return -1;
}

static void vma_faults(struct vmv_view *v)
{
	uint64_t *st, *en;
	size_t i;

	if (!v->have_counters || !v->nr_vmas)
		return;
	st = calloc(v->nr_vmas, sizeof(*st));
	en = calloc(v->nr_vmas, sizeof(*en));
	v->vma_faults = calloc(v->nr_vmas, sizeof(*v->vma_faults));
	if (st && en && v->vma_faults) {
		for (i = 0; i < v->nr_vmas; i++) {
			st[i] = v->vmas[i].start;
			en[i] = v->vmas[i].end;
		}
		if (vmv_counters_ranges(v->pid, st, en, v->nr_vmas,
					v->vma_faults)) {
			free(v->vma_faults);
			v->vma_faults = NULL;
		}
	} else {
		free(v->vma_faults);
		v->vma_faults = NULL;
	}
	free(st);
	free(en);
}

static int view_snapshot(const char *arg, struct vmv_view *v)
{
	struct snap *s, *prev = active;
	struct json_object *o, *t;
	int ret;

	s = snap_load(arg);
	if (!s)
		return VMV_EXIT_ERR;
	v->snapshot = true;
	v->pid = s->pid;
	snprintf(v->label, sizeof(v->label), "%s", s->name);
	snap_activate(s);
	ret = read_views(v);
	if (ret >= 0)
		vmv_view_free(v);	/* what was read before the error */
	if (ret < 0 && s->counters) {
		v->have_counters = !vmv_snap_counters(v->pid, &v->counters);
		vma_faults(v);
	}
	snap_activate(prev);
	o = get(s->root, "stat", json_type_object);
	if (o && get(o, "min_flt", json_type_int)) {
		v->have_stat = true;
		v->min_flt = counter(o, "min_flt");
		v->maj_flt = counter(o, "maj_flt");
	}
	o = get(s->root, "taken", json_type_object);
	if (o) {
		v->realtime_ns = counter(o, "realtime_ns");
		v->boottime_ns = counter(o, "boottime_ns");
		t = get(o, "time", json_type_string);
		snprintf(v->time, sizeof(v->time), "%s",
			 t ? json_object_get_string(t) : "");
		t = get(o, "boot_id", json_type_string);
		snprintf(v->boot_id, sizeof(v->boot_id), "%s",
			 t ? json_object_get_string(t) : "");
	}
	o = get(s->root, "kernel", json_type_object);
	t = o ? get(o, "release", json_type_string) : NULL;
	snprintf(v->kernel, sizeof(v->kernel), "%s",
		 t ? json_object_get_string(t) : "");
	snap_free(s);
	return ret;
}

int vmv_view_load(const char *arg, struct vmv_view *v)
{
	struct utsname u;
	struct stat st;
	int ret;

	memset(v, 0, sizeof(*v));
	if (!arg || !*arg)
		return vmv_usage("missing PID or SNAPSHOT");
	if (!vmv_is_pid_arg(arg)) {
		if (strcmp(arg, "-") && stat(arg, &st))
			return vmv_usage("'%s' is neither a process id nor a snapshot file",
				       arg);
		return view_snapshot(arg, v);
	}
	if (!vmv_parse_pid(arg, &v->pid))
		return VMV_EXIT_USAGE;
	snprintf(v->label, sizeof(v->label), "pid %d", v->pid);
	now(v);
	if (!uname(&u))
		snprintf(v->kernel, sizeof(v->kernel), "%s", u.release);
	ret = read_views(v);
	if (ret >= 0) {
		vmv_view_free(v);
		return ret;
	}
	v->have_stat = read_stat(v->pid, &v->min_flt, &v->maj_flt);
	if (vmv_probes_running() && !vmv_counters_pid(v->pid, &v->counters)) {
		v->have_counters = true;
		vma_faults(v);
	}
	return -1;
}

void vmv_view_free(struct vmv_view *v)
{
	vmv_free_vmas(v->vmas, v->nr_vmas);
	vmv_free_pagetable(&v->pt);
	free(v->vma_faults);
	memset(v, 0, sizeof(*v));
}

/* vmview snapshot */

static const char *out_path;
static uint64_t extra[MAX_EXTRA];
static size_t nr_extra;

static void snapshot_help(FILE *f)
{
	fprintf(f,
		"Usage: %s snapshot PID [-o FILE] [-t ADDR]... [-p]\n"
		"\n"
		"Everything vminspect knows about a process at one moment in one JSON\n"
		"document: its mm, vmas and pagetable files as the module printed them,\n"
		"walks of translate for the first page of every VMA and of every mapped\n"
		"run (and of each -t ADDR), the fault counters of /proc/PID/stat, the\n"
		"probes' counters when they run, the kernel and the time.  Every view\n"
		"(show, maps, pt, translate, diff, html) takes the file in place of a\n"
		"PID.  Written to stdout, or to FILE (mode 0600 when it holds physical\n"
		"addresses).\n"
		"\n"
		"  -o, --output FILE   write to FILE (atomically: FILE.tmp, then renamed)\n"
		"  -t, --translate ADDR  keep the walk of ADDR too (up to %d)\n",
		vmv_bin_name, MAX_EXTRA);
}

static int snapshot_opt(int opt, const char *arg)
{
	char *end;

	switch (opt) {
	case 'o':
		out_path = arg;
		return 0;
	case 't':
		if (nr_extra == MAX_EXTRA)
			return vmv_usage("at most %d -t addresses", MAX_EXTRA);
		errno = 0;
		extra[nr_extra] = strtoull(arg, &end, 16);
		if (errno || end == arg || *end || *arg == '-')
			return vmv_usage("'%s' is not an address (hex, 0x optional)",
				       arg);
		nr_extra++;
		return 0;
	}
	return VMV_EXIT_USAGE;
}

static int add_walk(struct json_object *walks, pid_t pid, uint64_t addr,
		    uint64_t *done, size_t *nr_done)
{
	char *text;
	size_t i;
	int ret;

	for (i = 0; i < *nr_done; i++)
		if (done[i] == addr)
			return 0;
	if (*nr_done >= MAX_WALKS)
		return 0;
	ret = vmv_translate_text(pid, addr, &text);
	if (ret == -EINVAL)	/* above task_size: nothing to walk */
		return 0;
	if (ret)
		return ret;
	json_object_array_add(walks, json_object_new_string(text));
	free(text);
	done[(*nr_done)++] = addr;
	return 0;
}

static struct json_object *counters_json(const struct vmv_view *v)
{
	struct json_object *o = vmv_counters_json(&v->counters), *arr, *e;
	size_t i;

	if (v->vma_faults) {
		arr = json_object_new_array();
		for (i = 0; i < v->nr_vmas; i++) {
			e = json_object_new_object();
			json_object_object_add(e, "start",
					       vmv_json_u64(v->vmas[i].start));
			json_object_object_add(e, "end",
					       vmv_json_u64(v->vmas[i].end));
			json_object_object_add(e, "faults",
					       vmv_json_u64(v->vma_faults[i]));
			json_object_array_add(arr, e);
		}
		json_object_object_add(o, "vmas", arr);
	}
	return o;
}

static int write_out(const char *text, bool private)
{
	char tmp[4200];
	size_t len = strlen(text);
	FILE *f;
	int fd;

	if (!out_path || !strcmp(out_path, "-")) {
		fputs(text, stdout);
		putchar('\n');
		return VMV_EXIT_OK;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", out_path) >= (int)sizeof(tmp)) {
		vmv_err("%s: name too long", out_path);
		return VMV_EXIT_ERR;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		  private ? 0600 : 0666);
	if (fd < 0) {
		vmv_err("cannot create %s: %s", tmp, strerror(errno));
		return VMV_EXIT_ERR;
	}
	f = fdopen(fd, "w");
	if (!f || fwrite(text, 1, len, f) != len || fputc('\n', f) == EOF ||
	    fclose(f)) {
		vmv_err("writing %s: %s", tmp, strerror(errno));
		if (!f)
			close(fd);
		unlink(tmp);
		return VMV_EXIT_ERR;
	}
	if (rename(tmp, out_path)) {
		vmv_err("renaming %s to %s: %s", tmp, out_path, strerror(errno));
		unlink(tmp);
		return VMV_EXIT_ERR;
	}
	return VMV_EXIT_OK;
}

/* Read the files, then check them with the parsers before writing. */
static int take(pid_t pid, struct json_object *root, bool *private)
{
	struct json_object *files = json_object_new_object(), *walks, *o;
	struct vmv_view v, t0;
	char path[512], *text;
	uint64_t *done = NULL;
	size_t i, nr_done = 0;
	struct timespec end;
	struct utsname u;
	int ret;

	memset(&t0, 0, sizeof(t0));
	now(&t0);
	json_object_object_add(root, "files", files);
	for (i = 0; i < ARRAY_SIZE(snap_files); i++) {
		snprintf(path, sizeof(path), "%s/%d/%s", vmv_proc_root(), pid,
			 snap_files[i]);
		text = vmv_slurp(path, NULL);
		if (!text)
			return vmv_proc_error(-errno, pid, snap_files[i]);
		json_object_object_add(files, snap_files[i],
				       json_object_new_string(text));
		free(text);
	}
	/* the same files through the parsers: a snapshot always reads back */
	{
		struct snap s = { .pid = pid };

		snprintf(s.name, sizeof(s.name), "pid %d", pid);
		for (i = 0; i < ARRAY_SIZE(snap_files); i++) {
			json_object_object_get_ex(files, snap_files[i], &o);
			s.file[i] = json_object_get_string(o);
		}
		snap_activate(&s);
		memset(&v, 0, sizeof(v));
		v.pid = pid;
		ret = read_views(&v);
		snap_activate(NULL);
		if (ret >= 0) {
			vmv_view_free(&v);
			return ret;
		}
	}
	json_object_object_add(root, "comm", json_object_new_string(v.mm.comm));
	json_object_object_add(root, "paging_levels",
			       vmv_json_u64(v.mm.key[VMI_MM_PAGING_LEVELS]));
	for (i = 0; i < v.pt.nr_runs; i++)
		if (strncmp(v.pt.runs[i].phys, "-", 2))
			*private = true;

	walks = json_object_new_array();
	json_object_object_add(root, "walks", walks);
	done = calloc(MAX_WALKS, sizeof(*done));
	ret = done ? 0 : -ENOMEM;
	for (i = 0; !ret && i < nr_extra; i++)
		ret = add_walk(walks, pid, extra[i], done, &nr_done);
	for (i = 0; !ret && i < v.nr_vmas; i++)
		ret = add_walk(walks, pid, v.vmas[i].start, done, &nr_done);
	for (i = 0; !ret && i < v.pt.nr_runs; i++)
		if (strcmp(v.pt.runs[i].state, "none"))
			ret = add_walk(walks, pid, v.pt.runs[i].start, done,
				       &nr_done);
	free(done);
	if (ret) {
		vmv_view_free(&v);
		return vmv_proc_error(ret, pid, VMI_PROC_TRANSLATE);
	}

	/* the counters after the files: faults the reads caused are in */
	v.have_stat = read_stat(pid, &v.min_flt, &v.maj_flt);
	if (vmv_probes_running() && !vmv_counters_pid(pid, &v.counters)) {
		v.have_counters = true;
		vma_faults(&v);
	}
	clock_gettime(CLOCK_BOOTTIME, &end);
	o = json_object_new_object();
	json_object_object_add(o, "time", json_object_new_string(t0.time));
	json_object_object_add(o, "realtime_ns", vmv_json_u64(t0.realtime_ns));
	json_object_object_add(o, "boottime_ns", vmv_json_u64(t0.boottime_ns));
	json_object_object_add(o, "duration_ns",
			       vmv_json_u64(end.tv_sec * 1000000000ULL +
					    end.tv_nsec - t0.boottime_ns));
	json_object_object_add(o, "boot_id", json_object_new_string(t0.boot_id));
	json_object_object_add(root, "taken", o);
	if (!uname(&u)) {
		o = json_object_new_object();
		json_object_object_add(o, "sysname", json_object_new_string(u.sysname));
		json_object_object_add(o, "release", json_object_new_string(u.release));
		json_object_object_add(o, "version", json_object_new_string(u.version));
		json_object_object_add(o, "machine", json_object_new_string(u.machine));
		json_object_object_add(o, "nodename", json_object_new_string(u.nodename));
		json_object_object_add(root, "kernel", o);
	}
	json_object_object_add(root, "uid", vmv_json_u64(geteuid()));
	json_object_object_add(root, "thp", thp_json());
	if (v.have_stat) {
		o = json_object_new_object();
		json_object_object_add(o, "min_flt", vmv_json_u64(v.min_flt));
		json_object_object_add(o, "maj_flt", vmv_json_u64(v.maj_flt));
		json_object_object_add(root, "stat", o);
	}
	json_object_object_add(root, "counters",
			       v.have_counters ? counters_json(&v) : NULL);
	vmv_view_free(&v);
	return -1;
}

int vmv_do_snapshot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output",	required_argument,	NULL,	'o' },
		{ "translate",	required_argument,	NULL,	't' },
		{ NULL,		0,			NULL,	0 },
	};
	struct json_object *root;
	char ver[16];
	bool private = false;
	pid_t pid;
	int ret, flags;

	out_path = NULL;
	nr_extra = 0;
	ret = vmv_parse_pid_cmd(argc, argv, "o:t:", opts, snapshot_help,
				snapshot_opt, &pid);
	if (ret >= 0)
		return ret;
	if (vmv_snap_active()) {
		vmv_err("snapshot takes a live PID, not a snapshot file");
		return VMV_EXIT_USAGE;
	}
	root = json_object_new_object();
	snprintf(ver, sizeof(ver), "%d.%d", VMV_SNAP_MAJOR, VMV_SNAP_MINOR);
	json_object_object_add(root, "format",
			       json_object_new_string(VMV_SNAP_FORMAT));
	json_object_object_add(root, "version", json_object_new_string(ver));
	json_object_object_add(root, "pid", json_object_new_int(pid));
	ret = take(pid, root, &private);
	flags = JSON_C_TO_STRING_NOSLASHESCAPE;
	flags |= vmv_pretty_output ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
				 JSON_C_TO_STRING_PLAIN;
	if (ret < 0)
		ret = write_out(json_object_to_json_string_ext(root, flags),
				private);
	json_object_put(root);
	return ret;
}
