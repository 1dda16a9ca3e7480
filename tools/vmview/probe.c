// SPDX-License-Identifier: GPL-2.0
/*
 * vmview probe start|stop|status: the lifecycle of the vminspect eBPF
 * probes (bpf/vmi_probes.bpf.c, embedded as a skeleton).  Reading the
 * counters is probe_read.c (probe_read.h).
 *
 * "start" checks what the programs attach to against the kernel's BTF
 * (probe_btf.c), loads the programs, attaches them and pins programs, links
 * and maps under VMI_BPF_PIN_DIR/{progs,links,maps}/, so counting goes on
 * after vmview exits; "stop" unpins everything, which detaches the
 * programs; "check" only checks, against the running kernel or a vmlinux.
 * Each subcommand parses its options as every vmview command does
 * (vmv_parse_opts()), reads what it reports into a struct, and prints it
 * with a -j printer or a plain one, side by side.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "vmview.h"
#include "probe_read.h"
#include "probe_btf.h"
#include "vmi_probes.skel.h"

#define BPF_FS_MAGIC_NR		0xcafe4a11
#define BPF_FS_ROOT		"/sys/fs/bpf"
#define VMLINUX_BTF		"/sys/kernel/btf/vmlinux"
#define PIN_RODATA		"rodata"

static const char * const pin_subdirs[] = { "links", "progs", "maps" };

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG && vmv_verbose < 2)
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
		vmv_err("permission denied: loading the probes needs root (CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)");
		return -EPERM;
	}
	if (access(VMLINUX_BTF, R_OK)) {
		vmv_err("kernel without BTF: %s is missing (needs CONFIG_DEBUG_INFO_BTF=y)",
			VMLINUX_BTF);
		return -ENOTSUP;
	}
	if (statfs(BPF_FS_ROOT, &sfs) || sfs.f_type != BPF_FS_MAGIC_NR) {
		vmv_err("no BPF file system at %s: mount it with 'mount -t bpf none %s'",
			BPF_FS_ROOT, BPF_FS_ROOT);
		return -ENOENT;
	}
	if (access(VMI_BPF_PIN_DIR, F_OK) == 0) {
		vmv_err("probes already running (pinned under %s); 'vmview probe stop' first",
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
		err = vmv_pin_path(path, sizeof(path), "maps", name);
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
		err = vmv_pin_path(path, sizeof(path), "progs", name);
		if (!err)
			err = bpf_program__pin(prog, path);
		if (err)
			return err;
		for (i = 0; i < (size_t)skel->skeleton->prog_cnt; i++)
			if (*skel->skeleton->progs[i].prog == prog)
				link = skel->skeleton->progs[i].link;
		if (!link || !*link)
			return -ENOENT;
		err = vmv_pin_path(path, sizeof(path), "links", name);
		if (!err)
			err = bpf_link__pin(*link, path);
		if (err)
			return err;
	}
	return 0;
}

struct missing {
	char text[1024];
	size_t len;
	struct bpf_object *obj;	/* programs left out if optional */
};

static int note_missing(const struct vmv_attach *a, void *ctx)
{
	struct missing *m = ctx;
	int n;

	if (!a->load || a->proto_ok || m->len >= sizeof(m->text))
		return 0;
	if (a->optional && !a->found) {	/* left out, not an error */
		bpf_program__set_autoload(bpf_object__find_program_by_name(m->obj,
									   a->prog),
					  false);
		return 0;
	}
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
	struct missing m = { .len = 0, .obj = obj };
	struct btf *btf;
	int n;

	btf = btf__load_vmlinux_btf();
	if (!btf) {
		vmv_err("kernel without BTF: cannot read %s: %s (needs CONFIG_DEBUG_INFO_BTF=y)",
			VMLINUX_BTF, strerror(errno));
		return -ENOTSUP;
	}
	n = vmv_probe_attach_points(obj, btf, note_missing, &m);
	btf__free(btf);
	if (n < 0) {
		vmv_err("cannot check the probes' attach points: %s", strerror(-n));
		return n;
	}
	if (n) {
		vmv_err("this kernel does not have what the probes attach to (%s): %s",
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

/* Long options without a short form: getopt_long() values above a char. */
enum { OPT_NO_VMAS = 256, OPT_EXCEPTIONS, OPT_TASK_SWITCH, OPT_BTF };

static const struct cmd probe_cmds[];

static void probe_help(FILE *f)
{
	fprintf(f,
		"Usage: %s probe COMMAND [-j] [-p] [-v]\n"
		"\n"
		"Count page faults and TLB flushes per process with eBPF.\n"
		"\n"
		"Commands (any unique prefix will do):\n", vmv_bin_name);
	vmv_cmds_help(f, "  ", probe_cmds);
	fprintf(f,
		"\n"
		"start pins the probes under %s: counting goes on after\n"
		"vmview exits, until 'probe stop'.\n"
		"  --no-vmas      do not group faults by VMA (cheaper)\n"
		"  --exceptions   also count raw #PF exceptions (exc_user,\n"
		"                 exc_kernel: a second program per fault)\n"
		"  --task-switch  also count the TLB flushes of context switches\n"
		"                 (flush_on_task_switch: a program on each)\n"
		"check looks up what the probes attach to in the kernel's BTF\n"
		"(or in FILE, a vmlinux or raw BTF) without loading anything.\n",
		VMI_BPF_PIN_DIR);
}

/* "probe start|stop|status|check" without operands, options as @own says. */
static int probe_opts(int argc, char **argv, const struct option *longopts,
		      int (*own)(int opt, const char *arg))
{
	int ret;

	ret = vmv_parse_opts(argc, argv, NULL, longopts, probe_help, own);
	if (ret >= 0)
		return ret;
	return vmv_no_more(argc, argv);
}

static bool start_vmas, start_exceptions, start_task_switch;

static int start_opt(int opt, const char *arg)
{
	if (opt == OPT_NO_VMAS)
		start_vmas = false;
	else if (opt == OPT_EXCEPTIONS)
		start_exceptions = true;
	else
		start_task_switch = true;
	return 0;
}

static void start_print(void)
{
	struct json_object *o;

	if (!vmv_json_output) {
		printf("probes started, pinned under %s\n", VMI_BPF_PIN_DIR);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "started", json_object_new_boolean(1));
	json_object_object_add(o, "pin_dir", vmv_json_str(VMI_BPF_PIN_DIR));
	vmv_json_print(o);
}

static int do_start(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-vmas",	no_argument,	NULL,	OPT_NO_VMAS },
		{ "exceptions",	no_argument,	NULL,	OPT_EXCEPTIONS },
		{ "task-switch", no_argument,	NULL,	OPT_TASK_SWITCH },
		{ NULL,		0,		NULL,	0 },
	};
	struct vmi_probes_bpf *skel;
	size_t i;
	long hz;
	int err, cpus;

	start_vmas = true;
	start_exceptions = false;
	start_task_switch = false;
	err = probe_opts(argc, argv, opts, start_opt);
	if (err >= 0)
		return err;
	if (start_checks())
		return VMV_EXIT_ERR;

	libbpf_set_print(vmv_verbose ? libbpf_print : NULL);
	skel = vmi_probes_bpf__open();
	if (!skel) {
		vmv_err("cannot open the BPF object: %s", strerror(errno));
		return VMV_EXIT_ERR;
	}
	hz = sysconf(_SC_CLK_TCK);
	skel->rodata->track_vmas = start_vmas;
	skel->rodata->ns_per_tick = 1000000000ULL / (hz > 0 ? hz : 100);
	skel->rodata->start_ns = monotonic_ns();
	cpus = libbpf_num_possible_cpus();
	skel->rodata->cpumask_words = cpus > 0 ? (cpus + 63) / 64 : 1;
	bpf_program__set_autoload(skel->progs.vmi_exc_user, start_exceptions);
	bpf_program__set_autoload(skel->progs.vmi_exc_kernel, start_exceptions);
	bpf_program__set_autoload(skel->progs.vmi_tlb, start_task_switch);

	err = check_kernel(skel->obj);
	if (err)
		goto out;
	err = vmi_probes_bpf__load(skel);
	if (err) {
		vmv_err("cannot load the probes: %s%s", strerror(-err),
			vmv_verbose ? "" : " (-v shows the verifier log)");
		goto out;
	}
	err = vmi_probes_bpf__attach(skel);
	if (err) {
		vmv_err("cannot attach the probes: %s", strerror(-err));
		goto out;
	}
	err = pin_objects(skel);
	if (err) {
		vmv_err("cannot pin under %s: %s", VMI_BPF_PIN_DIR,
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
	start_print();
out:
	vmi_probes_bpf__destroy(skel);
	return err ? VMV_EXIT_ERR : VMV_EXIT_OK;
}

static int do_stop(int argc, char **argv)
{
	struct json_object *o;
	int err;

	err = probe_opts(argc, argv, NULL, NULL);
	if (err >= 0)
		return err;
	if (access(VMI_BPF_PIN_DIR, F_OK)) {
		if (errno == EACCES)
			vmv_err("permission denied reading %s", VMI_BPF_PIN_DIR);
		else
			vmv_err("probes not running (nothing pinned under %s)",
				VMI_BPF_PIN_DIR);
		return VMV_EXIT_ERR;
	}
	err = unpin_all();
	if (err) {
		vmv_err("cannot unpin %s: %s", VMI_BPF_PIN_DIR, strerror(-err));
		return VMV_EXIT_ERR;
	}
	if (vmv_json_output) {
		o = json_object_new_object();
		json_object_object_add(o, "stopped",
				       json_object_new_boolean(1));
		vmv_json_print(o);
	} else {
		printf("probes stopped\n");
	}
	return VMV_EXIT_OK;
}

/* probe check: every attach point, kept until printed (the strings
 * point into the BPF object and the BTF).
 */
struct check_list {
	struct vmv_attach *v;
	size_t n, cap;
};

static int keep_attach(const struct vmv_attach *a, void *ctx)
{
	struct check_list *c = ctx;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		void *v = realloc(c->v, cap * sizeof(*c->v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = *a;
	return 0;
}

static void check_json(const struct check_list *c, const char *btf_file,
		       int missing)
{
	struct json_object *o = json_object_new_object(), *arr, *e;
	size_t i;

	arr = json_object_new_array();
	for (i = 0; i < c->n; i++) {
		const struct vmv_attach *a = &c->v[i];

		e = json_object_new_object();
		if (a->prog)
			json_object_object_add(e, "program",
					       vmv_json_str(a->prog));
		json_object_object_add(e, "section", vmv_json_str(a->sec));
		json_object_object_add(e, "kind", vmv_json_str(a->kind));
		json_object_object_add(e, "target", vmv_json_str(a->target));
		json_object_object_add(e, "found",
				       json_object_new_boolean(a->found));
		json_object_object_add(e, "prototype_ok",
				       json_object_new_boolean(a->proto_ok));
		json_object_object_add(e, "optional",
				       json_object_new_boolean(a->optional));
		if (a->found && !a->proto_ok)
			json_object_object_add(e, "differs",
					       vmv_json_str(a->why));
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "btf", vmv_json_str(btf_file));
	json_object_object_add(o, "attach_points", arr);
	json_object_object_add(o, "missing", vmv_json_u64(missing));
	vmv_json_print(o);
}

static void check_plain(const struct check_list *c, const char *btf_file,
			int missing)
{
	size_t i;

	printf("%-16s %-32s %-15s %-24s %s\n", "program", "section", "kind",
	       "target", "in BTF");
	for (i = 0; i < c->n; i++) {
		const struct vmv_attach *a = &c->v[i];

		printf("%-16s %-32s %-15s %-24s %s%s\n",
		       a->prog ? a->prog : "-", a->sec, a->kind, a->target,
		       !a->found ? (a->optional ? "absent (optional: left out)" :
				    "MISSING") :
		       a->proto_ok ? "ok" : "DIFFERS: ",
		       a->proto_ok ? "" : a->why);
	}
	if (missing)
		printf("%d of %zu missing or different in %s\n", missing, c->n,
		       btf_file);
	else
		printf("all %zu found in %s\n", c->n, btf_file);
}

static const char *check_file;

static int check_opt(int opt, const char *arg)
{
	check_file = arg;
	return 0;
}

/*
 * probe check [--btf FILE]: every attach point of every program (also the
 * --exceptions ones) against the running kernel's BTF or FILE (a vmlinux
 * ELF or raw BTF).  Nothing is loaded.
 */
static int do_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "btf",	required_argument,	NULL,	OPT_BTF },
		{ NULL,		0,			NULL,	0 },
	};
	struct check_list c = { NULL, 0, 0 };
	struct vmi_probes_bpf *skel;
	struct bpf_program *prog;
	const char *file;
	struct btf *btf;
	int missing;

	check_file = NULL;
	missing = probe_opts(argc, argv, opts, check_opt);
	if (missing >= 0)	/* help or a usage error: the exit status */
		return missing;
	file = check_file ? check_file : VMLINUX_BTF;
	libbpf_set_print(vmv_verbose ? libbpf_print : NULL);
	btf = check_file ? btf__parse(check_file, NULL) :
			   btf__load_vmlinux_btf();
	if (!btf) {
		char msg[128];

		libbpf_strerror(errno, msg, sizeof(msg));
		vmv_err("cannot read BTF from %s: %s", file, msg);
		return VMV_EXIT_ERR;
	}
	skel = vmi_probes_bpf__open();
	if (!skel) {
		vmv_err("cannot open the BPF object: %s", strerror(errno));
		btf__free(btf);
		return VMV_EXIT_ERR;
	}
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, true);
	missing = vmv_probe_attach_points(skel->obj, btf, keep_attach, &c);
	if (missing < 0)
		vmv_err("cannot check the probes' attach points: %s",
			strerror(-missing));
	else if (vmv_json_output)
		check_json(&c, file, missing);
	else
		check_plain(&c, file, missing);
	free(c.v);
	vmi_probes_bpf__destroy(skel);
	btf__free(btf);
	return missing ? VMV_EXIT_ERR : VMV_EXIT_OK;
}

/* probe status: what is pinned, the options, the counters' totals. */
struct pin {
	char name[NAME_MAX + 1];
	bool have_info;		/* programs: the kernel's id, misses, runs */
	__u32 id;
	__u64 recursion_misses;
	__u64 run_cnt;		/* kernel.bpf_stats_enabled: 0 while off */
	__u64 run_time_ns;
	long long memlock;	/* maps: fdinfo's memlock, -1 if none */
};

struct pin_list {
	struct pin *v;
	size_t n;
};

struct probe_status {
	bool running;		/* the counters' map is pinned */
	bool pinned;		/* VMI_BPF_PIN_DIR exists */
	struct pin_list progs, links, maps;
	bool have_rodata;	/* vmas read from the pins */
	bool vmas, exceptions, task_switch;
	int err;		/* reading the counters, or 0 */
	unsigned long procs;
	struct vmi_tgid_counts sum;
	struct vmi_global g;
};

static int add_totals(pid_t tgid, const struct vmi_fault_counts *f,
		      const struct vmi_tlb_counts *t, void *ctx)
{
	struct probe_status *st = ctx;
	const __u64 *src = f->c;
	size_t i;

	for (i = 0; i < VMI_NR_FAULT_COUNTERS; i++)
		st->sum.fault.c[i] += src[i];
	st->sum.tlb.shootdown_irqs += t->shootdown_irqs;
	src = &t->r[0][0];
	for (i = 0; i < VMI_TLB_MAX_REASONS * VMI_NR_TLB_KINDS; i++)
		(&st->sum.tlb.r[0][0])[i] += src[i];
	src = &t->cause[0][0];
	for (i = 0; i < VMI_NR_TLB_CAUSES * VMI_NR_TLB_KINDS; i++)
		(&st->sum.tlb.cause[0][0])[i] += src[i];
	st->procs++;
	return 0;
}

/* The kernel's id, recursion misses and runs of the program at @path. */
static void prog_info(const char *path, struct pin *p)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
		p->have_info = true;
		p->id = info.id;
		p->recursion_misses = info.recursion_misses;
		p->run_cnt = info.run_cnt;
		p->run_time_ns = info.run_time_ns;
	}
	close(fd);
}

/*
 * The kernel's account of the memory of the map pinned at @path: fdinfo's
 * memlock (what the map uses since 6.5, an estimate from its size before),
 * in bytes; -1 if there is none.
 */
static long long map_memlock(const char *path)
{
	char fdinfo[64], line[128];
	long long v = -1;
	int fd = bpf_obj_get(path);
	FILE *f;

	if (fd < 0)
		return -1;
	snprintf(fdinfo, sizeof(fdinfo), "/proc/self/fdinfo/%d", fd);
	f = fopen(fdinfo, "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "memlock: %lld", &v) == 1)
				break;
		fclose(f);
	}
	close(fd);
	return v;
}

/*
 * The pins of VMI_BPF_PIN_DIR/SUB, in directory order; for programs the
 * kernel's id, recursion misses and runs, for maps their memory.
 */
static int read_pins(const char *sub, struct pin_list *l)
{
	char dir[256], path[512];
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", VMI_BPF_PIN_DIR, sub);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct pin *p;

		if (de->d_name[0] == '.')
			continue;
		if (l->n == cap) {
			void *v;

			cap = cap ? cap * 2 : 16;
			v = realloc(l->v, cap * sizeof(*l->v));
			if (!v) {
				closedir(d);
				return -ENOMEM;
			}
			l->v = v;
		}
		p = &l->v[l->n++];
		memset(p, 0, sizeof(*p));
		snprintf(p->name, sizeof(p->name), "%s", de->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		p->memlock = -1;
		if (!strcmp(sub, "progs"))
			prog_info(path, p);
		else if (!strcmp(sub, "maps"))
			p->memlock = map_memlock(path);
	}
	closedir(d);
	return 0;
}

/* The knobs the running probes were loaded with (pinned .rodata). */
static void read_options(struct probe_status *st)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0;
	char path[256];
	char *ro = NULL;
	int fd;

	vmv_pin_path(path, sizeof(path), "maps", PIN_RODATA);
	fd = bpf_obj_get(path);
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	    info.value_size >= sizeof(struct vmi_probes_bpf__rodata))
		ro = calloc(1, info.value_size);
	if (ro && !bpf_map_lookup_elem(fd, &zero, ro)) {
		const struct vmi_probes_bpf__rodata *r = (void *)ro;

		st->have_rodata = true;
		st->vmas = r->track_vmas;
	}
	free(ro);
	if (fd >= 0)
		close(fd);
	vmv_pin_path(path, sizeof(path), "links", "vmi_exc_user");
	st->exceptions = !access(path, F_OK);
	vmv_pin_path(path, sizeof(path), "links", "vmi_tlb");
	st->task_switch = !access(path, F_OK);
}

static int status_read(struct probe_status *st)
{
	int err;

	memset(st, 0, sizeof(*st));
	st->running = vmv_probe_pinned();
	st->pinned = !access(VMI_BPF_PIN_DIR, F_OK);
	if (!st->pinned)
		return 0;
	err = read_pins("progs", &st->progs);
	if (!err)
		err = read_pins("links", &st->links);
	if (!err)
		err = read_pins("maps", &st->maps);
	if (err || !st->running)
		return err;
	read_options(st);
	st->err = vmv_probe_foreach(add_totals, st);
	if (!st->err)
		st->err = vmv_probe_global(&st->g);
	return 0;
}

static void status_free(struct probe_status *st)
{
	free(st->progs.v);
	free(st->links.v);
	free(st->maps.v);
}

static struct json_object *pins_json(const struct pin_list *l, bool progs)
{
	struct json_object *arr = json_object_new_array(), *o;
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct pin *p = &l->v[i];

		if (!progs) {
			json_object_array_add(arr, vmv_json_str(p->name));
			continue;
		}
		o = json_object_new_object();
		json_object_object_add(o, "name", vmv_json_str(p->name));
		if (p->have_info) {
			struct json_object *m;

			m = vmv_json_u64(p->recursion_misses);
			json_object_object_add(o, "id", vmv_json_u64(p->id));
			json_object_object_add(o, "recursion_misses", m);
			json_object_object_add(o, "run_cnt",
					       vmv_json_u64(p->run_cnt));
			json_object_object_add(o, "run_time_ns",
					       vmv_json_u64(p->run_time_ns));
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

static void status_json(const struct probe_status *st)
{
	static const char * const fault_names[] = VMI_FAULT_NAMES;
	static const char * const kind_names[] = VMI_TLB_KIND_NAMES;
	struct json_object *o = json_object_new_object(), *pins, *f, *t, *r;
	long long total = 0;
	size_t m;
	int i, k;

	json_object_object_add(o, "running",
			       json_object_new_boolean(st->running));
	json_object_object_add(o, "pin_dir", vmv_json_str(VMI_BPF_PIN_DIR));
	if (!st->pinned)
		goto print;
	pins = json_object_new_object();
	json_object_object_add(pins, "progs", pins_json(&st->progs, true));
	json_object_object_add(pins, "links", pins_json(&st->links, false));
	json_object_object_add(pins, "maps", pins_json(&st->maps, false));
	json_object_object_add(o, "pinned", pins);
	if (!st->running)
		goto print;
	f = json_object_new_object();
	if (st->have_rodata) {
		json_object_object_add(f, "vmas",
				       json_object_new_boolean(st->vmas));
	}
	json_object_object_add(f, "exceptions",
			       json_object_new_boolean(st->exceptions));
	json_object_object_add(f, "task_switch",
			       json_object_new_boolean(st->task_switch));
	json_object_object_add(o, "options", f);
	f = json_object_new_object();
	for (m = 0; m < st->maps.n; m++) {
		if (st->maps.v[m].memlock < 0)
			continue;
		json_object_object_add(f, st->maps.v[m].name,
				       vmv_json_u64(st->maps.v[m].memlock));
		total += st->maps.v[m].memlock;
	}
	json_object_object_add(f, "total", vmv_json_u64(total));
	json_object_object_add(o, "memory", f);
	if (st->err) {
		json_object_object_add(o, "error",
				       vmv_json_str(strerror(-st->err)));
		goto print;
	}
	json_object_object_add(o, "processes", vmv_json_u64(st->procs));
	f = json_object_new_object();
	for (i = 0; i < VMI_NR_FAULT_COUNTERS; i++)
		json_object_object_add(f, fault_names[i],
				       vmv_json_u64(st->sum.fault.c[i]));
	json_object_object_add(o, "faults", f);
	t = json_object_new_object();
	for (i = 0; i < VMI_TLB_MAX_REASONS; i++) {
		const char *name = vmv_probe_reason_name(i);

		if (!name)
			continue;
		r = json_object_new_object();
		for (k = 0; k < VMI_NR_TLB_KINDS; k++) {
			f = vmv_json_u64(st->sum.tlb.r[i][k]);
			json_object_object_add(r, kind_names[k], f);
		}
		json_object_object_add(t, name, r);
	}
	json_object_object_add(o, "tlb", t);
	json_object_object_add(o, "tlb_causes",
			       vmv_tlb_causes_json(&st->sum.tlb));
	json_object_object_add(o, "shootdown_irqs",
			       vmv_json_u64(st->g.shootdown_irqs));
	json_object_object_add(o, "lost", vmv_json_u64(st->g.lost));
print:
	vmv_json_print(o);
}

static void pins_plain(const char *title, const struct pin_list *l)
{
	const struct pin *p;
	size_t i;

	printf("%-8s", title);
	for (i = 0; i < l->n; i++) {
		p = &l->v[i];
		printf(" %s", p->name);
		if (!p->have_info)
			continue;
		printf("(id %u", p->id);
		if (p->recursion_misses)
			printf(", %llu missed",
			       (unsigned long long)p->recursion_misses);
		if (p->run_cnt)
			printf(", %llu runs, %.0f ns/run",
			       (unsigned long long)p->run_cnt,
			       (double)p->run_time_ns / p->run_cnt);
		printf(")");
	}
	printf("\n");
}

static void status_plain(const struct probe_status *st)
{
	static const char * const fault_names[] = VMI_FAULT_NAMES;
	static const char * const kind_names[] = VMI_TLB_KIND_NAMES;
	static const char * const cause_names[] = VMI_TLB_CAUSE_NAMES;
	long long total = 0;
	char title[64];
	size_t m;
	int i, k;

	if (!st->pinned) {
		printf("probes not running\n");
		return;
	}
	printf("probes  %s, pinned under %s\n", st->running ? "running" :
	       "NOT running (stale pins: 'vmview probe stop')",
	       VMI_BPF_PIN_DIR);
	pins_plain("progs", &st->progs);
	pins_plain("links", &st->links);
	pins_plain("maps", &st->maps);
	if (!st->running)
		return;
	printf("%-8s", "options");
	if (st->have_rodata)
		printf(" vmas %s", st->vmas ? "true" : "false");
	printf(" exceptions %s task_switch %s\n",
	       st->exceptions ? "true" : "false",
	       st->task_switch ? "true" : "false");
	printf("%-8s", "memory");
	for (m = 0; m < st->maps.n; m++) {
		if (st->maps.v[m].memlock < 0)
			continue;
		printf(" %s %lld", st->maps.v[m].name, st->maps.v[m].memlock);
		total += st->maps.v[m].memlock;
	}
	printf(" total %lld\n", total);
	if (st->err) {
		printf("error    %s\n", strerror(-st->err));
		return;
	}
	printf("procs    %lu\n", st->procs);
	printf("%-8s", "faults");
	for (i = 0; i < VMI_NR_FAULT_COUNTERS; i++)
		printf(" %s %llu", fault_names[i],
		       (unsigned long long)st->sum.fault.c[i]);
	printf("\n");
	for (i = 0; i < VMI_TLB_MAX_REASONS; i++) {
		const char *name = vmv_probe_reason_name(i);

		if (!name)
			continue;
		snprintf(title, sizeof(title), "tlb %s", name);
		printf("%-28s", title);
		for (k = 0; k < VMI_NR_TLB_KINDS; k++)
			printf(" %s %llu", kind_names[k],
			       (unsigned long long)st->sum.tlb.r[i][k]);
		printf("\n");
	}
	for (i = 0; i < VMI_NR_TLB_CAUSES; i++) {
		snprintf(title, sizeof(title), "flushes %s", cause_names[i]);
		printf("%-28s", title);
		for (k = 0; k < VMI_NR_TLB_KINDS; k++)
			printf(" %s %llu", kind_names[k],
			       (unsigned long long)st->sum.tlb.cause[i][k]);
		printf("\n");
	}
	printf("shootdown irqs received %llu (TLB line of /proc/interrupts)\n",
	       (unsigned long long)st->g.shootdown_irqs);
	printf("lost     %llu\n", (unsigned long long)st->g.lost);
}

static int do_status(int argc, char **argv)
{
	struct probe_status st;
	int err;

	err = probe_opts(argc, argv, NULL, NULL);
	if (err >= 0)
		return err;
	err = status_read(&st);
	if (err) {
		vmv_err("reading %s: %s", VMI_BPF_PIN_DIR, strerror(-err));
		status_free(&st);
		return VMV_EXIT_ERR;
	}
	if (vmv_json_output)
		status_json(&st);
	else
		status_plain(&st);
	status_free(&st);
	return VMV_EXIT_OK;
}

static int do_probe_help(int argc, char **argv)
{
	return vmv_help(probe_help, probe_cmds);
}

static const struct cmd probe_cmds[] = {
	{ "start",	do_start,	"[OPTION...]",
	  "load, attach and pin the probes" },
	{ "stop",	do_stop,	NULL,
	  "unpin them, which detaches them" },
	{ "status",	do_status,	NULL,
	  "what is pinned, the options, the totals" },
	{ "check",	do_check,	"[--btf FILE]",
	  "what they attach to, in the kernel's BTF" },
	{ "help",	do_probe_help,	NULL,
	  "this text" },
	{ NULL,		NULL,		NULL,	NULL },
};

int vmv_do_probe(int argc, char **argv)
{
	return vmv_cmd_select(probe_cmds, argc, argv, do_probe_help);
}
