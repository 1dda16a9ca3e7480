// SPDX-License-Identifier: GPL-2.0
/*
 * vmview probe start|stop|status: the lifecycle of the vminspect eBPF
 * probes (bpf/vmi_probes.bpf.c, embedded as a skeleton).  Reading the
 * counters is probe_read.c (probe.h).
 *
 * "start" checks what the programs attach to against the kernel's BTF
 * (probe_btf.c), loads the programs, attaches them and pins programs, links
 * and maps under VMI_BPF_PIN_DIR/{progs,links,maps}/, so counting goes on
 * after vmview exits; "stop" unpins everything, which detaches the
 * programs; "check" only checks, against the running kernel or a vmlinux.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "vmview.h"
#include "probe.h"
#include "probe_btf.h"
#include "vmi_probes.skel.h"

#define BPF_FS_MAGIC_NR		0xcafe4a11
#define BPF_FS_ROOT		"/sys/fs/bpf"
#define VMLINUX_BTF		"/sys/kernel/btf/vmlinux"
#define PIN_RODATA		"rodata"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

static const char * const pin_subdirs[] = { "links", "progs", "maps" };

static json_object *jstr(const char *s)
{
	return json_object_new_string(s);
}

static void jadd_int(json_object *o, const char *key, __u64 v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG && verbose < 2)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Remove every pin and the directories; missing ones are fine. */
static int unpin_all(void)
{
	char path[256];
	struct dirent *de;
	size_t i;
	int err = 0;
	DIR *d;

	for (i = 0; i < ARRAY_SIZE(pin_subdirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", VMI_BPF_PIN_DIR,
			 pin_subdirs[i]);
		d = opendir(path);
		if (!d) {
			if (errno != ENOENT)
				err = -errno;
			continue;
		}
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (unlinkat(dirfd(d), de->d_name, 0) && !err)
				err = -errno;
		}
		closedir(d);
		if (rmdir(path) && errno != ENOENT && !err)
			err = -errno;
	}
	if (rmdir(VMI_BPF_PIN_DIR) && errno != ENOENT && !err)
		err = -errno;
	return err;
}

/* What stops a start: reported here, with what to do about it. */
static int start_checks(void)
{
	struct statfs sfs;

	if (geteuid() != 0) {
		p_err("permission denied: loading the probes needs root (CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)");
		return -EPERM;
	}
	if (access(VMLINUX_BTF, R_OK)) {
		p_err("kernel without BTF: %s is missing (needs CONFIG_DEBUG_INFO_BTF=y)",
		      VMLINUX_BTF);
		return -ENOTSUP;
	}
	if (statfs(BPF_FS_ROOT, &sfs) || sfs.f_type != BPF_FS_MAGIC_NR) {
		p_err("no BPF file system at %s: mount it with 'mount -t bpf none %s'",
		      BPF_FS_ROOT, BPF_FS_ROOT);
		return -ENOENT;
	}
	if (access(VMI_BPF_PIN_DIR, F_OK) == 0) {
		p_err("probes already running (pinned under %s); 'vmview probe stop' first",
		      VMI_BPF_PIN_DIR);
		return -EEXIST;
	}
	return 0;
}

static int pin_objects(struct vmi_probes_bpf *skel)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char path[256];
	size_t i;
	int err;

	if (mkdir(VMI_BPF_PIN_DIR, 0700))
		return -errno;
	for (i = 0; i < ARRAY_SIZE(pin_subdirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", VMI_BPF_PIN_DIR,
			 pin_subdirs[i]);
		if (mkdir(path, 0700))
			return -errno;
	}
	bpf_object__for_each_map(map, skel->obj) {
		const char *name = bpf_map__name(map);

		if (strstr(name, ".rodata"))
			name = PIN_RODATA;
		else if (name[0] == '.')
			continue;
		err = vmi_pin_path(path, sizeof(path), "maps", name);
		if (!err)
			err = bpf_map__pin(map, path);
		if (err)
			return err;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_link **link = NULL;
		const char *name = bpf_program__name(prog);

		if (!bpf_program__autoload(prog))
			continue;
		err = vmi_pin_path(path, sizeof(path), "progs", name);
		if (!err)
			err = bpf_program__pin(prog, path);
		if (err)
			return err;
		for (i = 0; i < (size_t)skel->skeleton->prog_cnt; i++)
			if (*skel->skeleton->progs[i].prog == prog)
				link = skel->skeleton->progs[i].link;
		if (!link || !*link)
			return -ENOENT;
		err = vmi_pin_path(path, sizeof(path), "links", name);
		if (!err)
			err = bpf_link__pin(*link, path);
		if (err)
			return err;
	}
	return 0;
}

static int probe_help(int argc, char **argv);

struct missing {
	char text[1024];
	size_t len;
};

static int note_missing(const struct vmi_attach *a, void *ctx)
{
	struct missing *m = ctx;
	int n;

	if (!a->load || a->proto_ok || m->len >= sizeof(m->text))
		return 0;
	n = snprintf(m->text + m->len, sizeof(m->text) - m->len,
		     "%s%s %s (%s%s%s)%s%s", m->len ? "; " : "", a->kind,
		     a->target, a->sec, a->prog ? " of " : "",
		     a->prog ? a->prog : "", a->found ? " has " : " missing",
		     a->found ? a->why : "");
	if (n > 0)
		m->len += n;
	return 0;
}

/*
 * Everything the programs that will load attach to, or read, must be in
 * the running kernel's BTF: one error naming each one that is not.
 */
static int check_kernel(struct bpf_object *obj)
{
	struct missing m = { .len = 0 };
	struct btf *btf;
	int n;

	btf = btf__load_vmlinux_btf();
	if (!btf) {
		p_err("kernel without BTF: cannot read %s: %s (needs CONFIG_DEBUG_INFO_BTF=y)",
		      VMLINUX_BTF, strerror(errno));
		return -ENOTSUP;
	}
	n = vmi_probe_attach_points(obj, btf, note_missing, &m);
	btf__free(btf);
	if (n < 0) {
		p_err("cannot check the probes' attach points: %s", strerror(-n));
		return n;
	}
	if (n) {
		p_err("this kernel does not have what the probes attach to (%s): %s",
		      VMLINUX_BTF, m.text);
		return -ENOENT;
	}
	return 0;
}

/* CLOCK_MONOTONIC in ns, the clock of task_struct start_time. */
static __u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int do_start(int argc, char **argv)
{
	bool vmas = true, exceptions = false, task_switch = false;
	struct vmi_probes_bpf *skel;
	size_t i;
	long hz;
	int err, cpus;

	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "--no-vmas"))
			vmas = false;
		else if (!strcmp(argv[0], "--exceptions"))
			exceptions = true;
		else if (!strcmp(argv[0], "--task-switch"))
			task_switch = true;
		else if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))
			return probe_help(0, NULL);
		else
			return p_usage("probe start: unknown argument '%s'",
				       argv[0]);
	}
	if (start_checks())
		return VMV_EXIT_ERR;

	libbpf_set_print(verbose ? libbpf_print : NULL);
	skel = vmi_probes_bpf__open();
	if (!skel) {
		p_err("cannot open the BPF object: %s", strerror(errno));
		return VMV_EXIT_ERR;
	}
	hz = sysconf(_SC_CLK_TCK);
	skel->rodata->track_vmas = vmas;
	skel->rodata->ns_per_tick = 1000000000ULL / (hz > 0 ? hz : 100);
	skel->rodata->start_ns = monotonic_ns();
	cpus = libbpf_num_possible_cpus();
	skel->rodata->cpumask_words = cpus > 0 ? (cpus + 63) / 64 : 1;
	bpf_program__set_autoload(skel->progs.vmi_exc_user, exceptions);
	bpf_program__set_autoload(skel->progs.vmi_exc_kernel, exceptions);
	bpf_program__set_autoload(skel->progs.vmi_tlb, task_switch);

	err = check_kernel(skel->obj);
	if (err)
		goto out;
	err = vmi_probes_bpf__load(skel);
	if (err) {
		p_err("cannot load the probes: %s%s", strerror(-err),
		      verbose ? "" : " (-v shows the verifier log)");
		goto out;
	}
	err = vmi_probes_bpf__attach(skel);
	if (err) {
		p_err("cannot attach the probes: %s", strerror(-err));
		goto out;
	}
	err = pin_objects(skel);
	if (err) {
		p_err("cannot pin under %s: %s", VMI_BPF_PIN_DIR,
		      strerror(-err));
		unpin_all();
		goto out;
	}
	/* The pins hold the links now: closing our fds must not detach. */
	for (i = 0; i < (size_t)skel->skeleton->prog_cnt; i++) {
		struct bpf_link *link = *skel->skeleton->progs[i].link;

		if (link)
			bpf_link__disconnect(link);
	}
	if (json_output) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "started", json_object_new_boolean(1));
		json_object_object_add(o, "pin_dir",
				       json_object_new_string(VMI_BPF_PIN_DIR));
		puts(json_object_to_json_string_ext(o, pretty_output ?
				JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		printf("probes started, pinned under %s\n", VMI_BPF_PIN_DIR);
	}
out:
	vmi_probes_bpf__destroy(skel);
	return err ? VMV_EXIT_ERR : VMV_EXIT_OK;
}

static int do_stop(int argc, char **argv)
{
	int err;

	if (argc)
		return p_usage("probe stop: unexpected argument '%s'", argv[0]);
	if (access(VMI_BPF_PIN_DIR, F_OK)) {
		if (errno == EACCES)
			p_err("permission denied reading %s", VMI_BPF_PIN_DIR);
		else
			p_err("probes not running (nothing pinned under %s)",
			      VMI_BPF_PIN_DIR);
		return VMV_EXIT_ERR;
	}
	err = unpin_all();
	if (err) {
		p_err("cannot unpin %s: %s", VMI_BPF_PIN_DIR, strerror(-err));
		return VMV_EXIT_ERR;
	}
	if (json_output)
		puts("{\"stopped\":true}");
	else
		printf("probes stopped\n");
	return VMV_EXIT_OK;
}

struct check_out {
	json_object *arr;
	int n;
};

static int show_attach(const struct vmi_attach *a, void *ctx)
{
	struct check_out *c = ctx;
	json_object *o;

	c->n++;
	if (!json_output) {
		printf("%-16s %-32s %-15s %-24s %s%s\n", a->prog ? a->prog : "-",
		       a->sec, a->kind, a->target, !a->found ? "MISSING" :
		       a->proto_ok ? "ok" : "DIFFERS: ", a->proto_ok ? "" : a->why);
		return 0;
	}
	o = json_object_new_object();
	if (a->prog)
		json_object_object_add(o, "program", jstr(a->prog));
	json_object_object_add(o, "section", jstr(a->sec));
	json_object_object_add(o, "kind", jstr(a->kind));
	json_object_object_add(o, "target", jstr(a->target));
	json_object_object_add(o, "found", json_object_new_boolean(a->found));
	json_object_object_add(o, "prototype_ok",
			       json_object_new_boolean(a->proto_ok));
	if (a->found && !a->proto_ok)
		json_object_object_add(o, "differs", jstr(a->why));
	json_object_array_add(c->arr, o);
	return 0;
}

/*
 * probe check [--btf FILE]: every attach point of every program (also the
 * --exceptions ones) against the running kernel's BTF or FILE (a vmlinux
 * ELF or raw BTF).  Nothing is loaded.
 */
static int do_check(int argc, char **argv)
{
	struct check_out c = { .n = 0 };
	struct vmi_probes_bpf *skel;
	struct bpf_program *prog;
	const char *file = NULL;
	struct btf *btf;
	int missing;

	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "--btf")) {
			if (argc < 2)
				return p_usage("probe check: --btf needs a FILE");
			file = argv[1];
			argc--, argv++;
		} else if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
			return probe_help(0, NULL);
		} else {
			return p_usage("probe check: unknown argument '%s'",
				       argv[0]);
		}
	}
	libbpf_set_print(verbose ? libbpf_print : NULL);
	btf = file ? btf__parse(file, NULL) : btf__load_vmlinux_btf();
	if (!btf) {
		char msg[128];

		libbpf_strerror(errno, msg, sizeof(msg));
		p_err("cannot read BTF from %s: %s", file ? file : VMLINUX_BTF,
		      msg);
		return VMV_EXIT_ERR;
	}
	skel = vmi_probes_bpf__open();
	if (!skel) {
		p_err("cannot open the BPF object: %s", strerror(errno));
		btf__free(btf);
		return VMV_EXIT_ERR;
	}
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, true);
	if (json_output)
		c.arr = json_object_new_array();
	else
		printf("%-16s %-32s %-15s %-24s %s\n", "program", "section",
		       "kind", "target", "in BTF");
	missing = vmi_probe_attach_points(skel->obj, btf, show_attach, &c);
	vmi_probes_bpf__destroy(skel);
	btf__free(btf);
	if (missing < 0) {
		json_object_put(c.arr);
		p_err("cannot check the probes' attach points: %s",
		      strerror(-missing));
		return VMV_EXIT_ERR;
	}
	if (json_output) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "btf", jstr(file ? file : VMLINUX_BTF));
		json_object_object_add(o, "attach_points", c.arr);
		jadd_int(o, "missing", missing);
		puts(json_object_to_json_string_ext(o, pretty_output ?
				JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else if (missing) {
		printf("%d of %d missing or different in %s\n", missing, c.n,
		       file ? file : VMLINUX_BTF);
	} else {
		printf("all %d found in %s\n", c.n, file ? file : VMLINUX_BTF);
	}
	return missing ? VMV_EXIT_ERR : VMV_EXIT_OK;
}

struct totals {
	struct vmi_tgid_counts sum;
	unsigned long procs;
};

static int add_totals(pid_t tgid, const struct vmi_fault_counts *f,
		      const struct vmi_tlb_counts *t, void *ctx)
{
	struct totals *tot = ctx;
	const __u64 *src = f->c;
	size_t i;

	for (i = 0; i < VMI_NR_FAULT_COUNTERS; i++)
		tot->sum.fault.c[i] += src[i];
	tot->sum.tlb.shootdown_irqs += t->shootdown_irqs;
	src = &t->r[0][0];
	for (i = 0; i < VMI_TLB_MAX_REASONS * VMI_NR_TLB_KINDS; i++)
		(&tot->sum.tlb.r[0][0])[i] += src[i];
	src = &t->cause[0][0];
	for (i = 0; i < VMI_NR_TLB_CAUSES * VMI_NR_TLB_KINDS; i++)
		(&tot->sum.tlb.cause[0][0])[i] += src[i];
	tot->procs++;
	return 0;
}

/* The pinned programs with the kernel's id and recursion misses. */
static json_object *status_progs(void)
{
	json_object *arr = json_object_new_array();
	char dir[256], path[512];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/progs", VMI_BPF_PIN_DIR);
	d = opendir(dir);
	if (!d)
		return arr;
	while ((de = readdir(d))) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		json_object *o;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		o = json_object_new_object();
		json_object_object_add(o, "name",
				       json_object_new_string(de->d_name));
		fd = bpf_obj_get(path);
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len)) {
			jadd_int(o, "id", info.id);
			jadd_int(o, "recursion_misses", info.recursion_misses);
			/* kernel.bpf_stats_enabled: 0 while it is off */
			jadd_int(o, "run_cnt", info.run_cnt);
			jadd_int(o, "run_time_ns", info.run_time_ns);
		}
		if (fd >= 0)
			close(fd);
		json_object_array_add(arr, o);
	}
	closedir(d);
	return arr;
}

/* "memlock:" of an fd's /proc/self/fdinfo; -1 if there is none. */
static long long fd_memlock(int fd)
{
	char path[64], line[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * The kernel's account of each pinned map's memory (fdinfo memlock: what
 * the map uses since 6.5, an estimate from its size before), in bytes.
 */
static json_object *status_memory(void)
{
	json_object *o = json_object_new_object();
	char dir[256], path[512];
	long long total = 0, v;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/maps", VMI_BPF_PIN_DIR);
	d = opendir(dir);
	if (!d)
		return o;
	while ((de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		v = fd_memlock(fd);
		close(fd);
		if (v < 0)
			continue;
		jadd_int(o, de->d_name, v);
		total += v;
	}
	closedir(d);
	jadd_int(o, "total", total);
	return o;
}

static json_object *status_dir(const char *sub)
{
	json_object *arr = json_object_new_array();
	char dir[256];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", VMI_BPF_PIN_DIR, sub);
	d = opendir(dir);
	if (!d)
		return arr;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			json_object_array_add(arr, jstr(de->d_name));
	closedir(d);
	return arr;
}

/* The knobs the running probes were loaded with (pinned .rodata). */
static json_object *status_options(void)
{
	json_object *o = json_object_new_object();
	char path[256], exc[256];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0;
	char *ro = NULL;
	int fd;

	vmi_pin_path(path, sizeof(path), "maps", PIN_RODATA);
	fd = bpf_obj_get(path);
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	    info.value_size >= sizeof(struct vmi_probes_bpf__rodata))
		ro = calloc(1, info.value_size);
	if (ro && !bpf_map_lookup_elem(fd, &zero, ro)) {
		const struct vmi_probes_bpf__rodata *r = (void *)ro;

		json_object_object_add(o, "vmas",
				       json_object_new_boolean(r->track_vmas));
	}
	free(ro);
	if (fd >= 0)
		close(fd);
	vmi_pin_path(exc, sizeof(exc), "links", "vmi_exc_user");
	json_object_object_add(o, "exceptions",
			       json_object_new_boolean(!access(exc, F_OK)));
	vmi_pin_path(exc, sizeof(exc), "links", "vmi_tlb");
	json_object_object_add(o, "task_switch",
			       json_object_new_boolean(!access(exc, F_OK)));
	return o;
}

static json_object *status_json(void)
{
	static const char * const fault_names[] = VMI_FAULT_NAMES;
	static const char * const kind_names[] = VMI_TLB_KIND_NAMES;
	static const char * const cause_names[] = VMI_TLB_CAUSE_NAMES;
	json_object *o = json_object_new_object(), *pins, *f, *t;
	struct totals tot = {};
	struct vmi_global g;
	int i, k, err;

	json_object_object_add(o, "running",
			       json_object_new_boolean(vmi_probes_running()));
	json_object_object_add(o, "pin_dir",
			       json_object_new_string(VMI_BPF_PIN_DIR));
	if (access(VMI_BPF_PIN_DIR, F_OK))
		return o;
	pins = json_object_new_object();
	json_object_object_add(pins, "progs", status_progs());
	json_object_object_add(pins, "links", status_dir("links"));
	json_object_object_add(pins, "maps", status_dir("maps"));
	json_object_object_add(o, "pinned", pins);
	if (!vmi_probes_running())
		return o;
	json_object_object_add(o, "options", status_options());
	json_object_object_add(o, "memory", status_memory());

	err = vmi_probe_foreach(add_totals, &tot);
	if (!err)
		err = vmi_probe_global(&g);
	if (err) {
		json_object_object_add(o, "error",
				       json_object_new_string(strerror(-err)));
		return o;
	}
	json_object_object_add(o, "processes",
			       json_object_new_int64(tot.procs));
	f = json_object_new_object();
	for (i = 0; i < VMI_NR_FAULT_COUNTERS; i++)
		jadd_int(f, fault_names[i], tot.sum.fault.c[i]);
	json_object_object_add(o, "faults", f);
	t = json_object_new_object();
	for (i = 0; i < VMI_TLB_MAX_REASONS; i++) {
		const char *name = vmi_tlb_reason_name(i);
		json_object *r;

		if (!name)
			continue;
		r = json_object_new_object();
		for (k = 0; k < VMI_NR_TLB_KINDS; k++)
			jadd_int(r, kind_names[k], tot.sum.tlb.r[i][k]);
		json_object_object_add(t, name, r);
	}
	json_object_object_add(o, "tlb", t);
	t = json_object_new_object();
	for (i = 0; i < VMI_NR_TLB_CAUSES; i++) {
		json_object *r = json_object_new_object();

		for (k = 0; k < VMI_NR_TLB_KINDS; k++)
			jadd_int(r, kind_names[k], tot.sum.tlb.cause[i][k]);
		json_object_object_add(t, cause_names[i], r);
	}
	json_object_object_add(o, "tlb_causes", t);
	json_object_object_add(o, "shootdown_irqs",
			       json_object_new_int64(g.shootdown_irqs));
	json_object_object_add(o, "lost", json_object_new_int64(g.lost));
	return o;
}

static void print_array(const char *title, json_object *arr)
{
	size_t i, n = json_object_array_length(arr);

	printf("%-8s", title);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i), *v;

		if (json_object_is_type(e, json_type_string)) {
			printf(" %s", json_object_get_string(e));
			continue;
		}
		v = json_object_object_get(e, "name");
		printf(" %s", json_object_get_string(v));
		if (json_object_object_get_ex(e, "id", &v))
			printf("(id %s", json_object_get_string(v));
		if (json_object_object_get_ex(e, "recursion_misses", &v) &&
		    json_object_get_int64(v))
			printf(", %s missed", json_object_get_string(v));
		if (json_object_object_get_ex(e, "run_cnt", &v) &&
		    json_object_get_int64(v)) {
			long long n = json_object_get_int64(v);

			json_object_object_get_ex(e, "run_time_ns", &v);
			printf(", %lld runs, %.0f ns/run", n,
			       (double)json_object_get_int64(v) / n);
		}
		if (json_object_object_get_ex(e, "id", NULL))
			printf(")");
	}
	printf("\n");
}

static void print_counters(const char *title, json_object *obj)
{
	printf("%-8s", title);
	json_object_object_foreach(obj, key, val)
		printf(" %s %s", key, json_object_get_string(val));
	printf("\n");
}

static int do_status(int argc, char **argv)
{
	json_object *o, *v, *pins;

	if (argc)
		return p_usage("probe status: unexpected argument '%s'",
			       argv[0]);
	o = status_json();
	if (json_output) {
		puts(json_object_to_json_string_ext(o, pretty_output ?
				JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		return VMV_EXIT_OK;
	}
	if (!json_object_object_get_ex(o, "pinned", &pins)) {
		printf("probes not running\n");
		json_object_put(o);
		return VMV_EXIT_OK;
	}
	printf("probes  %s, pinned under %s\n", vmi_probes_running() ?
	       "running" : "NOT running (stale pins: 'vmview probe stop')",
	       VMI_BPF_PIN_DIR);
	print_array("progs", json_object_object_get(pins, "progs"));
	print_array("links", json_object_object_get(pins, "links"));
	print_array("maps", json_object_object_get(pins, "maps"));
	if (json_object_object_get_ex(o, "options", &v))
		print_counters("options", v);
	if (json_object_object_get_ex(o, "memory", &v))
		print_counters("memory", v);
	if (json_object_object_get_ex(o, "error", &v))
		printf("error    %s\n", json_object_get_string(v));
	if (json_object_object_get_ex(o, "processes", &v))
		printf("procs    %s\n", json_object_get_string(v));
	if (json_object_object_get_ex(o, "faults", &v))
		print_counters("faults", v);
	if (json_object_object_get_ex(o, "tlb", &v)) {
		json_object_object_foreach(v, reason, r) {
			char title[64];

			snprintf(title, sizeof(title), "tlb %s", reason);
			printf("%-28s", title);
			json_object_object_foreach(r, key, val)
				printf(" %s %s", key,
				       json_object_get_string(val));
			printf("\n");
		}
	}
	if (json_object_object_get_ex(o, "tlb_causes", &v)) {
		json_object_object_foreach(v, cause, r) {
			char title[64];

			snprintf(title, sizeof(title), "flushes %s", cause);
			printf("%-28s", title);
			json_object_object_foreach(r, key, val)
				printf(" %s %s", key,
				       json_object_get_string(val));
			printf("\n");
		}
	}
	if (json_object_object_get_ex(o, "shootdown_irqs", &v))
		printf("shootdown irqs received %s (TLB line of /proc/interrupts)\n",
		       json_object_get_string(v));
	if (json_object_object_get_ex(o, "lost", &v))
		printf("lost     %s\n", json_object_get_string(v));
	json_object_put(o);
	return VMV_EXIT_OK;
}

static int probe_help(int argc, char **argv)
{
	if (json_output) {
		puts("null");
		return VMV_EXIT_OK;
	}
	fprintf(stderr,
		"Usage: %s probe start [--no-vmas] [--exceptions] [--task-switch]\n"
		"       %s probe stop\n"
		"       %s probe status\n"
		"       %s probe check [--btf FILE]\n"
		"\n"
		"Count page faults and TLB flushes per process with eBPF.\n"
		"start pins the probes under %s: counting goes on after\n"
		"vmview exits, until 'probe stop'.\n"
		"  --no-vmas      do not group faults by VMA (cheaper)\n"
		"  --exceptions   also count raw #PF exceptions (exc_user,\n"
		"                 exc_kernel: a second program per fault)\n"
		"  --task-switch  also count the TLB flushes of context switches\n"
		"                 (flush_on_task_switch: a program on each)\n"
		"check looks up what the probes attach to in the kernel's BTF\n"
		"(or in FILE, a vmlinux or raw BTF) without loading anything.\n",
		bin_name, bin_name, bin_name, bin_name, VMI_BPF_PIN_DIR);
	return VMV_EXIT_OK;
}

int do_probe(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "start", do_start },
		{ "stop", do_stop },
		{ "status", do_status },
		{ "check", do_check },
		{ "help", probe_help },
		{ NULL, NULL },
	};

	return cmd_select(cmds, argc, argv, probe_help);
}
