// SPDX-License-Identifier: GPL-2.0
/*
 * vmview export: the Prometheus exporter.  One collection ("scrape") reads
 * per process the kernel's own cheap files (/proc/PID/stat and status:
 * always), the module's mm file (one walk of the page tables: when the
 * module is loaded and the walk budget allows) and the probes' counters
 * (when they run), groups processes by a template (comm, exe, user, a
 * regex over the command line), adds per-pid series for an allowlist and
 * the top K, holds the number of series under a hard limit, and renders the
 * text exposition format 0.0.4 or OpenMetrics 1.0.
 *
 * Cost is bounded: the walks of one scrape stop at a time and a page budget
 * (the rest keep their last values, whose age is exported), a process whose
 * RSS is over a threshold is walked at most every N scrapes, and an OFD
 * lock byte per pid in a lock file keeps two exporters from walking one
 * process at once.  The module itself holds the target's mmap lock only in
 * bounded pieces (Documentation/proc-vminspect.rst).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "procfmt.h"
#include "vmview.h"

static const char * const state_names[] = VMI_STATE_NAMES;
static const char * const attr_names[] = VMI_ATTR_NAMES;
static const char * const level_names[] = VMI_LEVEL_NAMES;
static const char * const fault_names[] = VMI_FAULT_NAMES;
static const char * const cause_names[] = VMI_TLB_CAUSE_NAMES;

const char * const vmv_xfmt_content_type[] = {
	[VMV_XFMT_TEXT] = "text/plain; version=0.0.4; charset=utf-8",
	[VMV_XFMT_OPENMETRICS] =
		"application/openmetrics-text; version=1.0.0; charset=utf-8",
};

#define GROUP_LEN	128
#define MAX_PIDS	64

/* Options, shared by export and serve (one exporter per vmview run). */
enum top_key { TOP_RSS, TOP_PT, TOP_FAULTS, TOP_TLB, TOP_SWAP };

static struct {
	char tmpl[256];
	regex_t match;
	bool have_match;
	pid_t pids[MAX_PIDS];
	size_t nr_pids;
	unsigned int top_k;
	enum top_key top_by;
	size_t max_series;
	double budget_s;
	uint64_t budget_pages;
	uint64_t large_bytes;
	unsigned int large_every;
	bool no_walk;
	char lock_path[256];
} xo = {
	.tmpl = "{comm}",
	.max_series = 10000,
	.budget_s = 5,
	.budget_pages = 16ULL << 20,
	.large_bytes = 4ULL << 30,
	.large_every = 10,
};

/* Skip reasons, in vminspect_exporter_processes_skipped_total. */
enum skip { SKIP_BUDGET, SKIP_LARGE, SKIP_BUSY, SKIP_GONE, SKIP_DENIED,
	    SKIP_ERROR, NR_SKIP };
static const char * const skip_names[] = {
	"budget", "large", "busy", "gone", "denied", "error",
};

/* What one process (or a group's sum) shows. */
struct xvals {
	uint64_t nproc;			/* processes (groups) */
	uint64_t rss, pte, swap;	/* bytes: VmRSS, VmPTE, VmSwap */
	uint64_t flt[2];		/* min_flt, maj_flt of stat */
	uint64_t walked;		/* processes with walk data */
	double age;			/* oldest walk data, seconds */
	uint64_t state[VMI_NR_STATES], attr[VMI_NR_ATTRS];
	struct vmv_census census[VMI_NR_LEVELS];
	uint64_t probed;		/* processes with probe counters */
	uint64_t pf[VMI_NR_FAULT_COUNTERS];
	uint64_t tlb[VMI_TLB_MAX_REASONS][VMI_NR_TLB_KINDS];
	uint64_t cause[VMI_NR_TLB_CAUSES][VMI_NR_TLB_KINDS];
	uint64_t irqs;
};

struct xproc {
	pid_t pid;
	uint64_t start;			/* field 22 of stat: identity */
	uid_t uid;
	char comm[64];
	char group[GROUP_LEN];
	size_t gi;			/* index into groups */
	bool per_pid;
	/* cheap, every scrape */
	uint64_t rss, pte, swap, min_flt, maj_flt;
	bool have_probe;
	struct vmi_fault_counts f;
	struct vmi_tlb_counts t;
	/* walked */
	bool have_walk;
	double walk_time;		/* monotonic seconds */
	uint64_t walk_scrape;
	uint64_t state[VMI_NR_STATES], attr[VMI_NR_ATTRS];
	struct vmv_census census[VMI_NR_LEVELS];
};

struct xgroup {
	char name[GROUP_LEN];
	struct xvals v;			/* this scrape: live members */
	struct xvals dead;		/* counters of members gone */
	bool live, admitted;
};

struct vmv_exporter {
	struct xproc *procs;
	size_t nr_procs;
	struct xgroup *groups;
	size_t nr_groups, cap_groups;
	uint64_t scrapes;
	int lock_fd;
	/* sources */
	bool module_up, probes_up;
	const char *module_reason, *probes_reason;
	struct vmi_global global;
	/* this scrape */
	double scrape_s, walk_s, longest_read_s;
	uint64_t n_walked, n_cached, n_unwalked;
	uint64_t series, dropped_now;
	/* totals */
	uint64_t walks, walked_pages, walked_tables, dropped;
	double walk_total_s;
	uint64_t skipped[NR_SKIP];
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- options ---- */

const char * const vmv_exporter_shortopts = "g:m:P:k:K:S:T:B:L:E:Wl:";
const struct option vmv_exporter_longopts[VMV_XOPTS] = {
	{ "group",	  required_argument, NULL, 'g' },
	{ "match",	  required_argument, NULL, 'm' },
	{ "pid",	  required_argument, NULL, 'P' },
	{ "top",	  required_argument, NULL, 'k' },
	{ "top-by",	  required_argument, NULL, 'K' },
	{ "max-series",	  required_argument, NULL, 'S' },
	{ "budget-time",  required_argument, NULL, 'T' },
	{ "budget-pages", required_argument, NULL, 'B' },
	{ "large",	  required_argument, NULL, 'L' },
	{ "large-every",  required_argument, NULL, 'E' },
	{ "no-walk",	  no_argument,	     NULL, 'W' },
	{ "lock-file",	  required_argument, NULL, 'l' },
	{ NULL,		  0,		     NULL, 0 },
};

const char * const vmv_exporter_opts_help =
	"Grouping and cardinality:\n"
	"  -g, --group TMPL       group name template: {comm} (default), {exe},\n"
	"                         {exe_path}, {user}, {uid}, {0}..{9} (--match)\n"
	"  -m, --match REGEX      POSIX ERE over the command line; {N} is its Nth\n"
	"                         submatch; processes that do not match: 'other'\n"
	"  -P, --pid PID[,PID..]  per-pid series for these processes too\n"
	"  -k, --top K            per-pid series for the K largest by --top-by\n"
	"  -K, --top-by KEY       rss (default), pt, faults, tlb or swap\n"
	"  -S, --max-series N     hard limit on group and per-pid series (10000)\n"
	"Cost:\n"
	"  -T, --budget-time S    stop walking after S seconds per scrape (5)\n"
	"  -B, --budget-pages N   stop walking after N mapped pages (16777216)\n"
	"  -L, --large BYTES      RSS from which a process is large (4G)\n"
	"  -E, --large-every N    walk a large process every N scrapes (10)\n"
	"  -W, --no-walk          never read the module's files\n"
	"  -l, --lock-file PATH   per-pid walk locks (default /run/vmview-export.lock)\n";

/* A number with an optional K/M/G/T suffix (powers of 1024). */
static int parse_num(const char *arg, const char *opt, uint64_t max,
		     uint64_t *out)
{
	uint64_t v;
	size_t n = strlen(arg);
	char *end;
	int shift = 0;

	if (!n || !isdigit((unsigned char)arg[0]))
		goto bad;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno)
		goto bad;
	if (*end) {
		const char *u = strchr("KMGT", toupper((unsigned char)*end));

		if (!u || end[1])
			goto bad;
		shift = 10 * (int)(u - "KMGT" + 1);
		if (v > (UINT64_MAX >> shift))
			goto bad;
		v <<= shift;
	}
	if (v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return vmv_usage("%s takes a number up to %llu, not '%s'", opt,
		       (unsigned long long)max, arg);
}

static int check_tmpl(const char *t)
{
	static const char * const keys[] = {
		"comm", "exe", "exe_path", "user", "uid",
	};
	const char *p = t, *e;
	size_t i;

	while ((p = strchr(p, '{'))) {
		e = strchr(p, '}');
		if (!e)
			return vmv_usage("--group: '{' without '}' in '%s'", t);
		if (e - p == 2 && isdigit((unsigned char)p[1])) {
			p = e;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if ((size_t)(e - p - 1) == strlen(keys[i]) &&
			    !strncmp(p + 1, keys[i], e - p - 1))
				break;
		if (i == ARRAY_SIZE(keys))
			return vmv_usage("--group: unknown field '%.*s' (%s)",
				       (int)(e - p + 1), p,
				       "comm, exe, exe_path, user, uid, 0-9");
		p = e;
	}
	return 0;
}

int vmv_exporter_opt(int opt, const char *arg)
{
	static const char * const tops[] = {
		[TOP_RSS] = "rss", [TOP_PT] = "pt", [TOP_FAULTS] = "faults",
		[TOP_TLB] = "tlb", [TOP_SWAP] = "swap",
	};
	char *dup, *tok, *save;
	uint64_t v;
	size_t i;
	int ret;

	switch (opt) {
	case 'g':
		if (strlen(arg) >= sizeof(xo.tmpl))
			return vmv_usage("--group: template too long");
		ret = check_tmpl(arg);
		if (ret)
			return ret;
		snprintf(xo.tmpl, sizeof(xo.tmpl), "%s", arg);
		return 0;
	case 'm':
		if (xo.have_match)
			regfree(&xo.match);
		xo.have_match = false;
		ret = regcomp(&xo.match, arg, REG_EXTENDED);
		if (ret) {
			char msg[128];

			regerror(ret, &xo.match, msg, sizeof(msg));
			regfree(&xo.match);
			return vmv_usage("--match '%s': %s", arg, msg);
		}
		xo.have_match = true;
		return 0;
	case 'P':
		dup = strdup(arg);
		if (!dup) {
			vmv_err("out of memory");
			return VMV_EXIT_ERR;
		}
		for (tok = strtok_r(dup, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (xo.nr_pids == MAX_PIDS) {
				free(dup);
				return vmv_usage("--pid: at most %d processes",
					       MAX_PIDS);
			}
			if (!vmv_parse_pid(tok, &xo.pids[xo.nr_pids])) {
				free(dup);
				return VMV_EXIT_USAGE;
			}
			xo.nr_pids++;
		}
		free(dup);
		return 0;
	case 'k':
		ret = parse_num(arg, "--top", 10000, &v);
		xo.top_k = v;
		return ret;
	case 'K':
		for (i = 0; i < ARRAY_SIZE(tops); i++) {
			if (!strcmp(arg, tops[i])) {
				xo.top_by = i;
				return 0;
			}
		}
		return vmv_usage("--top-by takes rss, pt, faults, tlb or swap, not '%s'",
			       arg);
	case 'S':
		ret = parse_num(arg, "--max-series", 100000000, &v);
		xo.max_series = v;
		return ret;
	case 'T': {
		char *end;
		double d;

		errno = 0;
		d = strtod(arg, &end);
		if (errno || *end || end == arg || !(d >= 0 && d <= 3600))
			return vmv_usage("--budget-time takes seconds (0 to 3600), not '%s'",
				       arg);
		xo.budget_s = d;
		return 0;
	}
	case 'B':
		return parse_num(arg, "--budget-pages", UINT64_MAX,
				 &xo.budget_pages);
	case 'L':
		return parse_num(arg, "--large", UINT64_MAX, &xo.large_bytes);
	case 'E':
		ret = parse_num(arg, "--large-every", 1000000, &v);
		if (!ret && !v)
			return vmv_usage("--large-every takes 1 or more");
		xo.large_every = v;
		return ret;
	case 'W':
		xo.no_walk = true;
		return 0;
	case 'l':
		if (!*arg || strlen(arg) >= sizeof(xo.lock_path))
			return vmv_usage("--lock-file: bad path");
		snprintf(xo.lock_path, sizeof(xo.lock_path), "%s", arg);
		return 0;
	}
	return vmv_usage("unknown option");
}

/* ---- the kernel's per-process files ---- */

/* VMVIEW_PROC_ROOT overrides /proc for the kernel's files (tests). */
static const char *kproc(void)
{
	const char *r = getenv("VMVIEW_PROC_ROOT");

	return r && *r ? r : "/proc";
}

/* "Key:  N kB" of status, in bytes; false if absent. */
static bool status_kb(const char *st, const char *key, uint64_t *out)
{
	const char *p = strstr(st, key);

	if (!p)
		return false;
	*out = strtoull(p + strlen(key), NULL, 10) * 1024;
	return true;
}

/* comm, min_flt, maj_flt, start time from stat; false if unreadable. */
static bool read_stat(pid_t pid, struct xproc *p)
{
	char path[300], buf[1024], *open_p, *close_p, *s, *tok, *save;
	int field;

	snprintf(path, sizeof(path), "%s/%d/stat", kproc(), pid);
	if (vmv_read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (!open_p || !close_p || close_p < open_p)
		return false;
	*close_p = '\0';
	snprintf(p->comm, sizeof(p->comm), "%s", open_p + 1);
	s = close_p + 1;
	for (field = 3, tok = strtok_r(s, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save), field++) {
		if (field == 10) {
			p->min_flt = strtoull(tok, NULL, 10);
		} else if (field == 12) {
			p->maj_flt = strtoull(tok, NULL, 10);
		} else if (field == 22) {
			p->start = strtoull(tok, NULL, 10);
			return true;
		}
	}
	return false;
}

/* VmRSS, VmPTE, VmSwap and the real uid; false for a kernel thread. */
static bool read_status(pid_t pid, struct xproc *p)
{
	char path[300], buf[4096];
	const char *u;

	snprintf(path, sizeof(path), "%s/%d/status", kproc(), pid);
	if (vmv_read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	if (!strstr(buf, "\nVmSize:"))
		return false;
	p->rss = 0;
	p->pte = 0;
	p->swap = 0;
	status_kb(buf, "\nVmRSS:", &p->rss);
	status_kb(buf, "\nVmPTE:", &p->pte);
	status_kb(buf, "\nVmSwap:", &p->swap);
	u = strstr(buf, "\nUid:");
	p->uid = u ? strtoul(u + 5, NULL, 10) : (uid_t)-1;
	return true;
}

static void user_name(uid_t uid, char *buf, size_t len)
{
	char line[512], *name, *pw, *id;
	FILE *f = fopen("/etc/passwd", "re");

	snprintf(buf, len, "%u", uid);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		name = strtok(line, ":");
		pw = name ? strtok(NULL, ":") : NULL;
		id = pw ? strtok(NULL, ":") : NULL;
		if (id && (uid_t)strtoul(id, NULL, 10) == uid) {
			snprintf(buf, len, "%s", name);
			break;
		}
	}
	fclose(f);
}

/* Append s to buf (cap bytes) at *n. */
static void put(char *buf, size_t cap, size_t *n, const char *s, size_t len)
{
	if (*n + len >= cap)
		len = cap - 1 - *n;
	memcpy(buf + *n, s, len);
	*n += len;
	buf[*n] = '\0';
}

/* The group name of p from the template and --match. */
static void group_of(struct xproc *p)
{
	char cmd[4096], exe[512], tmp[64];
	regmatch_t m[10];
	const char *t, *e;
	size_t n = 0;
	ssize_t len, i;
	char path[300];
	bool have_exe = false, matched = false;

	if (strstr(xo.tmpl, "{exe") || xo.have_match) {
		snprintf(path, sizeof(path), "%s/%d/exe", kproc(), p->pid);
		len = readlink(path, exe, sizeof(exe) - 1);
		have_exe = len > 0;
		exe[have_exe ? len : 0] = '\0';
	}
	cmd[0] = '\0';
	if (xo.have_match) {
		snprintf(path, sizeof(path), "%s/%d/cmdline", kproc(), p->pid);
		len = vmv_read_small(path, cmd, sizeof(cmd));
		for (i = 0; i < len; i++)
			if (!cmd[i])
				cmd[i] = ' ';
		while (len > 0 && cmd[len - 1] == ' ')
			cmd[--len] = '\0';
		matched = !regexec(&xo.match, cmd, 10, m, 0);
		if (!matched) {
			snprintf(p->group, sizeof(p->group), "other");
			return;
		}
	}
	p->group[0] = '\0';
	for (t = xo.tmpl; *t; t++) {
		e = *t == '{' ? strchr(t, '}') : NULL;
		if (!e) {
			put(p->group, sizeof(p->group), &n, t, 1);
			continue;
		}
		if (e - t == 2 && isdigit((unsigned char)t[1])) {
			int k = t[1] - '0';

			if (matched && m[k].rm_so >= 0)
				put(p->group, sizeof(p->group), &n,
				    cmd + m[k].rm_so, m[k].rm_eo - m[k].rm_so);
		} else if (!strncmp(t, "{comm}", 6)) {
			put(p->group, sizeof(p->group), &n, p->comm,
			    strlen(p->comm));
		} else if (!strncmp(t, "{exe}", 5)) {
			const char *b = have_exe ? strrchr(exe, '/') : NULL;

			b = b ? b + 1 : have_exe ? exe : p->comm;
			put(p->group, sizeof(p->group), &n, b, strlen(b));
		} else if (!strncmp(t, "{exe_path}", 10)) {
			const char *b = have_exe ? exe : p->comm;

			put(p->group, sizeof(p->group), &n, b, strlen(b));
		} else if (!strncmp(t, "{user}", 6)) {
			user_name(p->uid, tmp, sizeof(tmp));
			put(p->group, sizeof(p->group), &n, tmp, strlen(tmp));
		} else if (!strncmp(t, "{uid}", 5)) {
			snprintf(tmp, sizeof(tmp), "%u", p->uid);
			put(p->group, sizeof(p->group), &n, tmp, strlen(tmp));
		}
		t = e;
	}
}

/* ---- groups ---- */

static struct xgroup *group_get(struct vmv_exporter *x, const char *name,
				size_t *gi)
{
	struct xgroup *g;
	size_t i;

	for (i = 0; i < x->nr_groups; i++) {
		if (!strcmp(x->groups[i].name, name)) {
			*gi = i;
			return &x->groups[i];
		}
	}
	/* more groups than series is pointless: they could not be shown */
	if (x->nr_groups >= 2 * xo.max_series + 1)
		return NULL;
	if (x->nr_groups == x->cap_groups) {
		size_t cap = x->cap_groups ? x->cap_groups * 2 : 64;
		void *n = realloc(x->groups, cap * sizeof(*x->groups));

		if (!n)
			return NULL;
		x->groups = n;
		x->cap_groups = cap;
	}
	g = &x->groups[x->nr_groups];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	*gi = x->nr_groups++;
	return g;
}

/* A process's counters, to keep in its group when it leaves it. */
static void add_counters(struct xvals *v, const struct xproc *p)
{
	int r, k;

	v->flt[0] += p->min_flt;
	v->flt[1] += p->maj_flt;
	if (!p->have_probe)
		return;
	for (k = 0; k < VMI_NR_FAULT_COUNTERS; k++)
		v->pf[k] += p->f.c[k];
	for (r = 0; r < VMI_TLB_MAX_REASONS; r++)
		for (k = 0; k < VMI_NR_TLB_KINDS; k++)
			v->tlb[r][k] += p->t.r[r][k];
	for (r = 0; r < VMI_NR_TLB_CAUSES; r++)
		for (k = 0; k < VMI_NR_TLB_KINDS; k++)
			v->cause[r][k] += p->t.cause[r][k];
	v->irqs += p->t.shootdown_irqs;
}

static void add_proc(struct xvals *v, const struct xproc *p, double now)
{
	int i;

	v->nproc++;
	v->rss += p->rss;
	v->pte += p->pte;
	v->swap += p->swap;
	add_counters(v, p);
	if (p->have_probe)
		v->probed++;
	if (!p->have_walk)
		return;
	v->walked++;
	if (now - p->walk_time > v->age)
		v->age = now - p->walk_time;
	for (i = 0; i < VMI_NR_STATES; i++)
		v->state[i] += p->state[i];
	for (i = 0; i < VMI_NR_ATTRS; i++)
		v->attr[i] += p->attr[i];
	for (i = 0; i < VMI_NR_LEVELS; i++) {
		v->census[i].tables += p->census[i].tables;
		v->census[i].entries += p->census[i].entries;
		v->census[i].capacity += p->census[i].capacity;
		v->census[i].bytes += p->census[i].bytes;
	}
}

/* ---- sources ---- */

static bool file_has(const char *path, const char *what)
{
	char buf[256];

	return vmv_read_small(path, buf, sizeof(buf)) > 0 && strstr(buf, what);
}

/*
 * The module's files are there: /proc/vminspect with its processes file
 * (loaded but not mounted, /proc/vminspect is an empty directory); a
 * VMVIEW_PROCFS needs only to exist.
 */
static bool module_mounted(void)
{
	char path[512];
	struct stat st;

	if (getenv("VMVIEW_PROCFS") && *getenv("VMVIEW_PROCFS"))
		return !stat(vmv_proc_root(), &st);
	snprintf(path, sizeof(path), "%s/%s", vmv_proc_root(),
		 VMI_PROC_PROCESSES);
	return !stat(path, &st);
}

/* Why /proc/vminspect is missing, as a short label value. */
static const char *module_missing_reason(void)
{
	struct stat st;

	if (getenv("VMVIEW_PROCFS") && *getenv("VMVIEW_PROCFS"))
		return "not_loaded";
	if (!stat("/sys/module/vminspect", &st))
		return "not_mounted";
	if (file_has("/sys/kernel/security/lockdown", "[integrity]") ||
	    file_has("/sys/kernel/security/lockdown", "[confidentiality]"))
		return "lockdown";
	if (file_has("/proc/sys/kernel/modules_disabled", "1"))
		return "modules_disabled";
	if (file_has("/sys/module/module/parameters/sig_enforce", "Y"))
		return "sig_enforce";
	return "not_loaded";
}

static void sources(struct vmv_exporter *x)
{
	x->module_up = !xo.no_walk && module_mounted();
	x->module_reason = x->module_up ? "ok" :
			   xo.no_walk ? "disabled" : module_missing_reason();
	x->probes_up = vmv_probes_running();
	x->probes_reason = x->probes_up ? "ok" :
			   vmv_kernel_has_btf() ? "not_running" : "no_btf";
}

static struct vmv_probe_raw *probe_find(struct vmv_probe_raw *arr, size_t nr,
					pid_t pid)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (arr[mid].pid == pid)
			return &arr[mid];
		if (arr[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int cmp_raw(const void *a, const void *b)
{
	const struct vmv_probe_raw *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* The old entry of pid (same start time), or NULL. */
static struct xproc *old_find(struct xproc *old, size_t nr, pid_t pid)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (old[mid].pid == pid)
			return &old[mid];
		if (old[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Forget the groups that had no live member in the last scrape (and the
 * counters of their members gone) once there are more groups than series
 * could show: a template over changing names must not grow without bound.
 */
static void gc_groups(struct vmv_exporter *x)
{
	size_t *map, i, n = 0;

	if (x->nr_groups <= xo.max_series)
		return;
	map = calloc(x->nr_groups, sizeof(*map));
	if (!map)
		return;
	for (i = 0; i < x->nr_groups; i++) {
		if (!x->groups[i].live)
			continue;
		map[i] = n;
		if (n != i)
			x->groups[n] = x->groups[i];
		n++;
	}
	for (i = 0; i < x->nr_procs; i++)
		x->procs[i].gi = map[x->procs[i].gi];
	x->nr_groups = n;
	free(map);
}

/*
 * The live processes, carrying over what the last scrape knew of the same
 * process (pid and start time); the counters of those gone stay in their
 * groups.
 */
static int list_procs(struct vmv_exporter *x)
{
	struct vmv_probe_raw *raw = NULL, *r;
	struct xproc *arr = NULL, *p, *o;
	size_t nr_raw = 0, n = 0, i, nr_pids = 0, cap_pids = 0;
	pid_t *pids = NULL;
	struct dirent *de;
	struct xgroup *g;
	DIR *d;

	if (x->probes_up) {
		if (vmv_counters_raw(&raw, &nr_raw, &x->global)) {
			x->probes_up = false;
			x->probes_reason = "unreadable";
		} else {
			qsort(raw, nr_raw, sizeof(*raw), cmp_raw);
		}
	}
	gc_groups(x);
	d = opendir(kproc());
	if (!d) {
		free(raw);
		return -errno;
	}
	while ((de = readdir(d))) {
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (*end || v <= 0 || !isdigit((unsigned char)de->d_name[0]))
			continue;
		if (nr_pids == cap_pids) {
			void *np;

			cap_pids = cap_pids ? cap_pids * 2 : 1024;
			np = realloc(pids, cap_pids * sizeof(*pids));
			if (!np)
				goto nomem;
			pids = np;
		}
		pids[nr_pids++] = v;
	}
	closedir(d);
	d = NULL;
	qsort(pids, nr_pids, sizeof(*pids), cmp_pid);
	arr = calloc(nr_pids ? nr_pids : 1, sizeof(*arr));
	if (!arr)
		goto nomem;
	for (i = 0; i < nr_pids; i++) {
		p = &arr[n];
		memset(p, 0, sizeof(*p));
		p->pid = pids[i];
		if (!read_stat(p->pid, p) || !read_status(p->pid, p))
			continue;	/* gone, or a kernel thread */
		o = old_find(x->procs, x->nr_procs, p->pid);
		if (o && o->start == p->start && o->have_walk) {
			p->have_walk = true;
			p->walk_time = o->walk_time;
			p->walk_scrape = o->walk_scrape;
			memcpy(p->state, o->state, sizeof(p->state));
			memcpy(p->attr, o->attr, sizeof(p->attr));
			memcpy(p->census, o->census, sizeof(p->census));
		}
		r = raw ? probe_find(raw, nr_raw, p->pid) : NULL;
		if (r) {
			p->have_probe = true;
			p->f = r->f;
			p->t = r->t;
		} else if (x->probes_up) {
			p->have_probe = true;	/* nothing counted: zeros */
		}
		group_of(p);
		g = group_get(x, p->group, &p->gi);
		if (!g)
			continue;	/* more groups than the series limit */
		n++;
	}
	/* who left: their counters stay with the group they were in */
	for (i = 0; i < x->nr_procs; i++) {
		o = &x->procs[i];
		p = old_find(arr, n, o->pid);
		if (p && p->start == o->start && p->gi == o->gi)
			continue;
		add_counters(&x->groups[o->gi].dead, o);
	}
	free(x->procs);
	x->procs = arr;
	x->nr_procs = n;
	free(pids);
	free(raw);
	return 0;
nomem:
	if (d)
		closedir(d);
	free(pids);
	free(raw);
	free(arr);
	return -ENOMEM;
}

/* ---- walks ---- */

static int lock_open(struct vmv_exporter *x)
{
	char path[300];
	const char *t;

	if (x->lock_fd >= 0)
		return x->lock_fd;
	if (xo.lock_path[0]) {
		snprintf(path, sizeof(path), "%s", xo.lock_path);
	} else if (!access("/run", W_OK)) {
		snprintf(path, sizeof(path), "/run/vmview-export.lock");
	} else {
		t = getenv("TMPDIR");
		snprintf(path, sizeof(path), "%s/vmview-export-%u.lock",
			 t && *t ? t : "/tmp", geteuid());
	}
	x->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			  0600);
	return x->lock_fd;
}

/* Take (F_WRLCK) or release (F_UNLCK) the lock byte of pid. */
static bool lock_pid(struct vmv_exporter *x, pid_t pid, short type)
{
	struct flock fl = {
		.l_type = type, .l_whence = SEEK_SET, .l_start = pid,
		.l_len = 1,
	};

	if (lock_open(x) < 0)
		return true;	/* no lock file: no other exporter to meet */
	return !fcntl(x->lock_fd, F_OFD_SETLK, &fl);
}

static uint64_t mapped_pages(const uint64_t *state)
{
	return state[VMI_STATE_PRESENT] + state[VMI_STATE_SWAP] +
	       state[VMI_STATE_MIGRATION] + state[VMI_STATE_SPECIAL];
}

/* Walk p through the module's mm file; a skip reason or -1 when walked. */
static int walk(struct vmv_exporter *x, struct xproc *p)
{
	struct xproc chk;
	struct vmv_mm mm;
	double t0;
	int ret, i;

	if (!lock_pid(x, p->pid, F_WRLCK))
		return SKIP_BUSY;
	t0 = mono_s();
	ret = vmv_read_mm(p->pid, &mm);
	x->walk_s += mono_s() - t0;
	lock_pid(x, p->pid, F_UNLCK);
	if (ret == -ENOENT || ret == -ESRCH || ret == -EIO)
		return SKIP_GONE;
	if (ret == -EACCES || ret == -EPERM)
		return SKIP_DENIED;
	if (ret)
		return SKIP_ERROR;
	/* the same process as listed, not a reused pid */
	memset(&chk, 0, sizeof(chk));
	if (!read_stat(p->pid, &chk) || chk.start != p->start)
		return SKIP_GONE;
	memcpy(p->state, mm.state, sizeof(p->state));
	memcpy(p->attr, mm.attr, sizeof(p->attr));
	memcpy(p->census, mm.census, sizeof(p->census));
	p->have_walk = true;
	p->walk_time = mono_s();
	p->walk_scrape = x->scrapes;
	x->walks++;
	x->walked_pages += mapped_pages(mm.state);
	for (i = 0; i < VMI_NR_LEVELS; i++)
		x->walked_tables += mm.census[i].tables;
	return -1;
}

static int cmp_stalest(const void *a, const void *b)
{
	const struct xproc *x = *(struct xproc * const *)a;
	const struct xproc *y = *(struct xproc * const *)b;

	if (x->have_walk != y->have_walk)
		return x->have_walk ? 1 : -1;	/* never walked first */
	if (x->walk_time != y->walk_time)
		return x->walk_time < y->walk_time ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void walks(struct vmv_exporter *x, double start)
{
	struct xproc **order;
	uint64_t pages = 0;
	size_t i, n = 0;
	int why;

	order = calloc(x->nr_procs ? x->nr_procs : 1, sizeof(*order));
	if (!order)
		return;
	for (i = 0; i < x->nr_procs; i++) {
		struct xproc *p = &x->procs[i];

		if (p->have_walk && p->rss >= xo.large_bytes &&
		    x->scrapes - p->walk_scrape < xo.large_every) {
			x->skipped[SKIP_LARGE]++;
			continue;
		}
		order[n++] = p;
	}
	qsort(order, n, sizeof(*order), cmp_stalest);
	vmv_read_max_ns(true);
	for (i = 0; i < n; i++) {
		struct xproc *p = order[i];
		uint64_t predict = (p->rss + p->swap) / vmv_page_size();

		if (mono_s() - start >= xo.budget_s ||
		    (pages && pages + predict > xo.budget_pages)) {
			x->skipped[SKIP_BUDGET]++;
			continue;
		}
		why = walk(x, p);
		if (why >= 0) {
			x->skipped[why]++;
			continue;
		}
		pages += mapped_pages(p->state);
	}
	x->longest_read_s = vmv_read_max_ns(false) / 1e9;
	free(order);
}

/* ---- rendering ---- */

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void __printf(2, 3) sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += n;
			return;
		}
		{
			size_t cap = (b->cap + n + 1) * 2;
			char *ns = realloc(b->s, cap);

			if (!ns) {
				b->oom = true;
				return;
			}
			b->s = ns;
			b->cap = cap;
		}
	}
}

/*
 * A label value as the exposition formats want it: UTF-8, with \, " and
 * newline escaped.  Bytes that are not valid UTF-8 and control characters
 * (comm may hold anything) become '?'.
 */
static void sb_label(struct sbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char out[GROUP_LEN * 4 + 8];
	size_t n = 0;

	while (*p && n < sizeof(out) - 8) {
		int len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 :
			  (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		int k;

		for (k = 1; k < len; k++)
			if ((p[k] & 0xc0) != 0x80)
				len = 0;
		if (len == 2 && *p < 0xc2)
			len = 0;	/* overlong */
		if (!len || *p < 0x20 || *p == 0x7f) {
			out[n++] = '?';
			p++;
			continue;
		}
		if (*p == '\\' || *p == '"')
			out[n++] = '\\';
		memcpy(out + n, p, len);
		n += len;
		p += len;
	}
	out[n] = '\0';
	sb_printf(b, "%s", out);
}

enum ftype { GAUGE, COUNTER };

struct ctx {
	struct sbuf *b;
	enum vmv_xfmt fmt;
	struct vmv_exporter *x;
};

static void family(struct ctx *c, const char *name, enum ftype t,
		   const char *help)
{
	size_t len = strlen(name);

	/* OpenMetrics names a counter's family without the _total */
	if (c->fmt == VMV_XFMT_OPENMETRICS && t == COUNTER && len > 6 &&
	    !strcmp(name + len - 6, "_total"))
		len -= 6;
	sb_printf(c->b, "# HELP %.*s %s\n", (int)len, name, help);
	sb_printf(c->b, "# TYPE %.*s %s\n", (int)len, name,
		  t == COUNTER ? "counter" : "gauge");
}

/* One entity (a group or a process) being rendered or counted. */
struct ent {
	const char *prefix;	/* "vminspect_group_" or "vminspect_process_" */
	const char *group;
	pid_t pid;		/* 0 for a group */
	const struct xvals *v;
};

/* A sample of e; out NULL: only count it. */
static size_t sample(struct ctx *c, const struct ent *e, const char *name,
		     const char *lname, const char *lval, double val)
{
	struct sbuf *b = c ? c->b : NULL;

	if (!b)
		return 1;
	sb_printf(b, "%s%s{", e->prefix, name);
	if (e->pid)
		sb_printf(b, "pid=\"%d\",", e->pid);
	sb_printf(b, "group=\"");
	sb_label(b, e->group);
	sb_printf(b, "\"");
	if (lname) {
		sb_printf(b, ",%s=\"", lname);
		sb_label(b, lval);
		sb_printf(b, "\"");
	}
	if (val == floor(val) && fabs(val) < 1e15)
		sb_printf(b, "} %.0f\n", val);
	else
		sb_printf(b, "} %.9g\n", val);
	return 1;
}

/*
 * The families of a group or a process.  Each emits the samples of entity
 * e (c NULL: counts them) and returns how many.
 */
struct fam {
	const char *name;	/* after the prefix */
	enum ftype type;
	bool group_only;
	const char *help;
	size_t (*emit)(struct ctx *c, const struct ent *e, const char *name);
};

static size_t f_processes(struct ctx *c, const struct ent *e, const char *n)
{
	return sample(c, e, n, NULL, NULL, e->v->nproc);
}

static size_t f_rss(struct ctx *c, const struct ent *e, const char *n)
{
	return sample(c, e, n, NULL, NULL, e->v->rss);
}

static size_t f_swap(struct ctx *c, const struct ent *e, const char *n)
{
	return sample(c, e, n, NULL, NULL, e->v->swap);
}

static size_t f_vmpte(struct ctx *c, const struct ent *e, const char *n)
{
	return sample(c, e, n, NULL, NULL, e->v->pte);
}

static size_t f_faults(struct ctx *c, const struct ent *e, const char *n)
{
	return sample(c, e, n, "type", "minor", e->v->flt[0]) +
	       sample(c, e, n, "type", "major", e->v->flt[1]);
}

static size_t f_age(struct ctx *c, const struct ent *e, const char *n)
{
	if (!e->v->walked)
		return 0;
	return sample(c, e, n, NULL, NULL, e->v->age);
}

static size_t f_walked(struct ctx *c, const struct ent *e, const char *n)
{
	return sample(c, e, n, NULL, NULL, e->v->walked);
}

static size_t f_state(struct ctx *c, const struct ent *e, const char *n)
{
	size_t k = 0;
	int i;

	if (!e->v->walked)
		return 0;
	for (i = 0; i < VMI_NR_STATES; i++)
		k += sample(c, e, n, "state", state_names[i],
			    (double)e->v->state[i] * vmv_page_size());
	return k;
}

static size_t f_attr(struct ctx *c, const struct ent *e, const char *n)
{
	size_t k = 0;
	int i;

	if (!e->v->walked)
		return 0;
	for (i = 0; i < VMI_NR_ATTRS; i++) {
		if (i == VMI_ATTR_HUGE_PMD || i == VMI_ATTR_HUGE_PUD)
			continue;	/* huge_page_bytes */
		k += sample(c, e, n, "attr", attr_names[i],
			    (double)e->v->attr[i] * vmv_page_size());
	}
	return k;
}

static size_t f_huge(struct ctx *c, const struct ent *e, const char *n)
{
	double ps = vmv_page_size();

	if (!e->v->walked)
		return 0;
	return sample(c, e, n, "size", "2M",
		      e->v->attr[VMI_ATTR_HUGE_PMD] * ps) +
	       sample(c, e, n, "size", "1G",
		      e->v->attr[VMI_ATTR_HUGE_PUD] * ps);
}

enum cfield { CF_TABLES, CF_BYTES, CF_ENTRIES, CF_FILL };

static size_t census(struct ctx *c, const struct ent *e, const char *n,
		     enum cfield f)
{
	size_t k = 0;
	int i;

	if (!e->v->walked)
		return 0;
	for (i = 0; i < VMI_NR_LEVELS; i++) {
		const struct vmv_census *cs = &e->v->census[i];
		double v;

		switch (f) {
		case CF_TABLES:
			v = cs->tables;
			break;
		case CF_BYTES:
			v = cs->bytes;
			break;
		case CF_ENTRIES:
			v = cs->entries;
			break;
		default:
			if (!cs->capacity)
				continue;	/* folded p4d: no ratio */
			v = (double)cs->entries / cs->capacity;
		}
		k += sample(c, e, n, "level", level_names[i], v);
	}
	return k;
}

static size_t f_tables(struct ctx *c, const struct ent *e, const char *n)
{
	return census(c, e, n, CF_TABLES);
}

static size_t f_ptbytes(struct ctx *c, const struct ent *e, const char *n)
{
	return census(c, e, n, CF_BYTES);
}

static size_t f_entries(struct ctx *c, const struct ent *e, const char *n)
{
	return census(c, e, n, CF_ENTRIES);
}

static size_t f_fill(struct ctx *c, const struct ent *e, const char *n)
{
	return census(c, e, n, CF_FILL);
}

static size_t f_pfaults(struct ctx *c, const struct ent *e, const char *n)
{
	size_t k = 0;
	int i;

	if (!e->v->probed)
		return 0;
	for (i = 0; i < VMI_NR_FAULT_COUNTERS; i++)
		k += sample(c, e, n, "counter", fault_names[i], e->v->pf[i]);
	return k;
}

static size_t tlb(struct ctx *c, const struct ent *e, const char *n, int kind)
{
	size_t k = 0;
	int r;

	if (!e->v->probed)
		return 0;
	for (r = 0; r < VMI_TLB_MAX_REASONS; r++) {
		const char *name = vmv_tlb_reason_name(r);

		if (name)
			k += sample(c, e, n, "reason", name, e->v->tlb[r][kind]);
	}
	return k;
}

static size_t f_tlb(struct ctx *c, const struct ent *e, const char *n)
{
	return tlb(c, e, n, VMI_TLB_EVENTS);
}

static size_t f_tlb_full(struct ctx *c, const struct ent *e, const char *n)
{
	return tlb(c, e, n, VMI_TLB_FULL);
}

static size_t f_tlb_pages(struct ctx *c, const struct ent *e, const char *n)
{
	return tlb(c, e, n, VMI_TLB_PAGES);
}

/* Flushes of the process's own address space by what it was doing. */
static size_t by_cause(struct ctx *c, const struct ent *e, const char *n,
		       int kind)
{
	size_t k = 0;
	int i;

	if (!e->v->probed)
		return 0;
	for (i = 0; i < VMI_NR_TLB_CAUSES; i++)
		k += sample(c, e, n, "cause", cause_names[i],
			    e->v->cause[i][kind]);
	return k;
}

static size_t f_cause(struct ctx *c, const struct ent *e, const char *n)
{
	return by_cause(c, e, n, VMI_TLB_EVENTS);
}

static size_t f_cause_cpus(struct ctx *c, const struct ent *e, const char *n)
{
	return by_cause(c, e, n, VMI_TLB_CPUS);
}

static size_t f_irqs(struct ctx *c, const struct ent *e, const char *n)
{
	if (!e->v->probed)
		return 0;
	return sample(c, e, n, NULL, NULL, e->v->irqs);
}

static const struct fam fams[] = {
	{ "processes", GAUGE, true,
	  "Live processes in the group.", f_processes },
	{ "resident_bytes", GAUGE, false,
	  "Resident memory, VmRSS of /proc/PID/status.", f_rss },
	{ "swap_bytes", GAUGE, false,
	  "Swapped-out anonymous memory, VmSwap of /proc/PID/status.", f_swap },
	{ "kernel_page_table_bytes", GAUGE, false,
	  "Page-table memory as the kernel accounts it, VmPTE of /proc/PID/status (PTE, PMD and PUD tables).",
	  f_vmpte },
	{ "page_faults_total", COUNTER, false,
	  "Page faults, fields min_flt and maj_flt of /proc/PID/stat (groups keep the counts of members gone).",
	  f_faults },
	{ "walked_processes", GAUGE, true,
	  "Processes of the group whose page tables were walked (now or in an earlier scrape).",
	  f_walked },
	{ "walk_age_seconds", GAUGE, false,
	  "Age of the oldest walk the page-table figures come from (vminspect module).",
	  f_age },
	{ "memory_bytes", GAUGE, false,
	  "Bytes of the VMAs' pages by state found in the page tables: present, swap, migration, special, file (no entry, file-backed), untouched (no entry, anonymous).",
	  f_state },
	{ "present_bytes", GAUGE, false,
	  "Bytes of present pages with an attribute: dirty, young, writable, cow (write will copy), nopage (no refcounted page, not in RSS).",
	  f_attr },
	{ "huge_page_bytes", GAUGE, false,
	  "Bytes of present pages mapped by huge leaf entries: 2M (PMD) and 1G (PUD).",
	  f_huge },
	{ "page_tables", GAUGE, false,
	  "Page-table pages per level (pgd, p4d, pud, pmd, pte), found by a walk.",
	  f_tables },
	{ "page_table_bytes", GAUGE, false,
	  "Bytes of page-table pages per level (PGD and P4D included, unlike VmPTE).",
	  f_ptbytes },
	{ "page_table_entries", GAUGE, false,
	  "Page-table entries in use per level.", f_entries },
	{ "page_table_fill_ratio", GAUGE, false,
	  "Entries in use over the entries the level's tables could hold.",
	  f_fill },
	{ "probe_faults_total", COUNTER, false,
	  "Page faults counted by the eBPF probes since they started, by counter (minor and major as mm_account_fault(); read/write/exec, user/kernel/gup split them; retry, sigsegv, sigbus, oom, efault are outcomes).",
	  f_pfaults },
	{ "tlb_flushes_total", COUNTER, false,
	  "TLB flush events by the kernel's reason (tlb:tlb_flush), counted by the eBPF probes.",
	  f_tlb },
	{ "tlb_full_flushes_total", COUNTER, false,
	  "TLB flush events that flushed everything (TLB_FLUSH_ALL), by reason.",
	  f_tlb_full },
	{ "tlb_flushed_pages_total", COUNTER, false,
	  "Pages named by ranged TLB flushes, by reason.", f_tlb_pages },
	{ "tlb_cause_flushes_total", COUNTER, false,
	  "Flushes of the process's own address space by cause, counted where they start (flush_tlb_mm_range, arch_tlbbatch_flush): zap (munmap, brk, exit, exec), mprotect, madvise, mremap, migrate, numa (the NUMA hinting scan), reclaim, compact, thp, ksm, fault, other.",
	  f_cause },
	{ "tlb_cause_shootdown_cpus_total", COUNTER, false,
	  "Other CPUs asked to flush the process's address space (remote shootdowns), by cause.",
	  f_cause_cpus },
	{ "tlb_shootdown_irqs_total", COUNTER, false,
	  "Remote TLB shootdown interrupts received while the process ran.",
	  f_irqs },
};

static size_t ent_series(const struct ent *e)
{
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(fams); i++)
		if (!fams[i].group_only || !e->pid)
			n += fams[i].emit(NULL, e, fams[i].name);
	return n;
}

/* Per-pid series: the allowlist, then the top K. */
static uint64_t top_val(const struct xproc *p)
{
	uint64_t v = 0;
	int r;

	switch (xo.top_by) {
	case TOP_RSS:
		return p->rss;
	case TOP_PT:
		return p->pte;
	case TOP_FAULTS:
		return p->min_flt + p->maj_flt;
	case TOP_SWAP:
		return p->swap;
	case TOP_TLB:	/* flushes of its own address space, as ps --sort tlb */
		for (r = 0; r < VMI_NR_TLB_CAUSES; r++)
			v += p->t.cause[r][VMI_TLB_EVENTS];
		return v;
	}
	return 0;
}

static int cmp_top(const void *a, const void *b)
{
	const struct xproc *x = *(struct xproc * const *)a;
	const struct xproc *y = *(struct xproc * const *)b;
	uint64_t vx = top_val(x), vy = top_val(y);

	if (vx != vy)
		return vx < vy ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void choose_pids(struct vmv_exporter *x)
{
	struct xproc **order;
	size_t i, j;

	for (i = 0; i < x->nr_procs; i++) {
		x->procs[i].per_pid = false;
		for (j = 0; j < xo.nr_pids; j++)
			if (x->procs[i].pid == xo.pids[j])
				x->procs[i].per_pid = true;
	}
	if (!xo.top_k || !x->nr_procs)
		return;
	order = calloc(x->nr_procs, sizeof(*order));
	if (!order)
		return;
	for (i = 0; i < x->nr_procs; i++)
		order[i] = &x->procs[i];
	qsort(order, x->nr_procs, sizeof(*order), cmp_top);
	for (i = 0; i < x->nr_procs && i < xo.top_k; i++)
		order[i]->per_pid = true;
	free(order);
}

static int cmp_group_rss(const void *a, const void *b)
{
	const struct xgroup *x = *(struct xgroup * const *)a;
	const struct xgroup *y = *(struct xgroup * const *)b;

	if (x->v.rss != y->v.rss)
		return x->v.rss < y->v.rss ? 1 : -1;
	return strcmp(x->name, y->name);
}

/*
 * Admit groups (largest RSS first), then per-pid processes (allowlist and
 * top K, in pid order), while their series fit under --max-series; the
 * series of the rest are counted as dropped.
 */
static void admit(struct vmv_exporter *x)
{
	struct xgroup **order;
	size_t i, n = 0, total = 0, cost;
	struct ent e;

	x->dropped_now = 0;
	order = calloc(x->nr_groups ? x->nr_groups : 1, sizeof(*order));
	for (i = 0; i < x->nr_groups; i++) {
		x->groups[i].admitted = false;
		if (order && (x->groups[i].live || x->groups[i].dead.flt[0] ||
			      x->groups[i].dead.flt[1] ||
			      x->groups[i].dead.pf[0]))
			order[n++] = &x->groups[i];
	}
	if (order)
		qsort(order, n, sizeof(*order), cmp_group_rss);
	for (i = 0; i < n; i++) {
		e = (struct ent){ "", order[i]->name, 0, &order[i]->v };
		cost = ent_series(&e);
		if (total + cost <= xo.max_series) {
			order[i]->admitted = true;
			total += cost;
		} else {
			x->dropped_now += cost;
		}
	}
	free(order);
	for (i = 0; i < x->nr_procs; i++) {
		struct xproc *p = &x->procs[i];
		struct xvals v;

		if (!p->per_pid)
			continue;
		memset(&v, 0, sizeof(v));
		add_proc(&v, p, mono_s());
		e = (struct ent){ "", p->group, p->pid, &v };
		cost = ent_series(&e);
		if (total + cost <= xo.max_series) {
			total += cost;
		} else {
			p->per_pid = false;
			x->dropped_now += cost;
		}
	}
	x->series = total;
	x->dropped += x->dropped_now;
}

static int cmp_group_name(const void *a, const void *b)
{
	const struct xgroup *x = *(struct xgroup * const *)a;
	const struct xgroup *y = *(struct xgroup * const *)b;

	return strcmp(x->name, y->name);
}

static void plain(struct ctx *c, const char *name, enum ftype t,
		  const char *help, double v)
{
	family(c, name, t, help);
	if (v == floor(v) && fabs(v) < 1e15)
		sb_printf(c->b, "%s %.0f\n", name, v);
	else
		sb_printf(c->b, "%s %.9g\n", name, v);
}

static void render_self(struct ctx *c)
{
	struct vmv_exporter *x = c->x;
	struct rusage ru;
	char buf[4096];
	uint64_t rss = 0;
	int i;

	family(c, "vminspect_exporter_source_up", GAUGE,
	       "1 if a source of figures is in use: module (/proc/vminspect walks), probes (eBPF fault and TLB counters), procfs (/proc/PID/stat and status).");
	sb_printf(c->b, "vminspect_exporter_source_up{source=\"module\"} %d\n",
		  x->module_up);
	sb_printf(c->b, "vminspect_exporter_source_up{source=\"probes\"} %d\n",
		  x->probes_up);
	sb_printf(c->b, "vminspect_exporter_source_up{source=\"procfs\"} 1\n");
	family(c, "vminspect_exporter_source_info", GAUGE,
	       "Why a source is missing (reason ok when it is up): not_loaded, not_mounted (loaded, not mounted on /proc/vminspect), lockdown (kernel lockdown refuses unsigned modules), modules_disabled, sig_enforce, disabled (--no-walk); no_btf, not_running, unreadable for the probes.");
	sb_printf(c->b, "vminspect_exporter_source_info{source=\"module\",reason=\"%s\"} 1\n",
		  x->module_reason);
	sb_printf(c->b, "vminspect_exporter_source_info{source=\"probes\",reason=\"%s\"} 1\n",
		  x->probes_reason);
	sb_printf(c->b, "vminspect_exporter_source_info{source=\"procfs\",reason=\"ok\"} 1\n");

	plain(c, "vminspect_exporter_scrapes_total", COUNTER,
	      "Collections made by this exporter.", x->scrapes);
	plain(c, "vminspect_exporter_scrape_duration_seconds", GAUGE,
	      "Time the last collection took (reading every source, before rendering).",
	      x->scrape_s);
	plain(c, "vminspect_exporter_walk_duration_seconds", GAUGE,
	      "Time spent reading the module's files (page-table walks) in the last collection.",
	      x->walk_s);
	plain(c, "vminspect_exporter_walk_seconds_total", COUNTER,
	      "Time spent in page-table walks since the exporter started.",
	      x->walk_total_s);
	plain(c, "vminspect_exporter_longest_read_seconds", GAUGE,
	      "Longest single read() of a module file in the last collection: one walk of one process, inside which the module holds the mmap read lock for at most 512 entries at a time (an upper bound of the longest hold).",
	      x->longest_read_s);
	plain(c, "vminspect_exporter_walks_total", COUNTER,
	      "Page-table walks (one per process and collection) made.",
	      x->walks);
	plain(c, "vminspect_exporter_walked_pages_total", COUNTER,
	      "Mapped pages (present, swap, migration, special entries) the walks decoded.",
	      x->walked_pages);
	plain(c, "vminspect_exporter_walked_page_tables_total", COUNTER,
	      "Page-table pages the walks read.", x->walked_tables);
	family(c, "vminspect_exporter_processes", GAUGE,
	       "Processes in the last collection: walked in it, shown with an earlier walk (cached), or without page-table figures (unwalked).");
	sb_printf(c->b, "vminspect_exporter_processes{state=\"walked\"} %llu\n",
		  (unsigned long long)x->n_walked);
	sb_printf(c->b, "vminspect_exporter_processes{state=\"cached\"} %llu\n",
		  (unsigned long long)x->n_cached);
	sb_printf(c->b, "vminspect_exporter_processes{state=\"unwalked\"} %llu\n",
		  (unsigned long long)x->n_unwalked);
	family(c, "vminspect_exporter_processes_skipped_total", COUNTER,
	       "Walks not made: budget (time or pages of the collection spent), large (RSS over --large, walked every --large-every collections), busy (another exporter walks it), gone (exited), denied, error.");
	for (i = 0; i < NR_SKIP; i++)
		sb_printf(c->b, "vminspect_exporter_processes_skipped_total{reason=\"%s\"} %llu\n",
			  skip_names[i], (unsigned long long)x->skipped[i]);
	plain(c, "vminspect_exporter_series", GAUGE,
	      "Group and per-pid series in the last collection.", x->series);
	plain(c, "vminspect_exporter_series_limit", GAUGE,
	      "The hard limit on group and per-pid series (--max-series).",
	      xo.max_series);
	plain(c, "vminspect_exporter_series_dropped_total", COUNTER,
	      "Series not exported because of the limit, summed over collections.",
	      x->dropped);
	plain(c, "vminspect_exporter_budget_seconds", GAUGE,
	      "Walk time budget of a collection (--budget-time).", xo.budget_s);
	plain(c, "vminspect_exporter_budget_pages", GAUGE,
	      "Walk budget of a collection in mapped pages (--budget-pages).",
	      xo.budget_pages);
	getrusage(RUSAGE_SELF, &ru);
	plain(c, "vminspect_exporter_cpu_seconds_total", COUNTER,
	      "CPU time (user and system) the exporter used.",
	      ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	if (vmv_read_small("/proc/self/status", buf, sizeof(buf)) > 0)
		status_kb(buf, "\nVmRSS:", &rss);
	plain(c, "vminspect_exporter_resident_bytes", GAUGE,
	      "Resident memory of the exporter.", rss);
	if (x->probes_up) {
		plain(c, "vminspect_tlb_shootdown_irqs_total", COUNTER,
		      "Remote TLB shootdown interrupts received system-wide since the probes started (the TLB line of /proc/interrupts).",
		      x->global.shootdown_irqs);
		plain(c, "vminspect_probe_lost_events_total", COUNTER,
		      "Probe events not attributed to a process (map full).",
		      x->global.lost);
	}
}

static void render(struct vmv_exporter *x, struct sbuf *b, enum vmv_xfmt fmt)
{
	struct ctx c = { b, fmt, x };
	struct xgroup **gs;
	size_t i, j, ng = 0;
	double now = mono_s();
	struct ent e;

	gs = calloc(x->nr_groups ? x->nr_groups : 1, sizeof(*gs));
	if (!gs) {
		b->oom = true;
		return;
	}
	for (i = 0; i < x->nr_groups; i++)
		if (x->groups[i].admitted)
			gs[ng++] = &x->groups[i];
	qsort(gs, ng, sizeof(*gs), cmp_group_name);

	render_self(&c);
	for (j = 0; j < ARRAY_SIZE(fams); j++) {
		const struct fam *f = &fams[j];
		char full[128];
		size_t emitted = 0;

		/* a family without samples is left out, HELP and all */
		for (i = 0; i < ng; i++) {
			e = (struct ent){ "vminspect_group_", gs[i]->name, 0,
					  &gs[i]->v };
			emitted += f->emit(NULL, &e, f->name);
		}
		if (!emitted)
			continue;
		snprintf(full, sizeof(full), "vminspect_group_%s", f->name);
		family(&c, full, f->type, f->help);
		for (i = 0; i < ng; i++) {
			e = (struct ent){ "vminspect_group_", gs[i]->name, 0,
					  &gs[i]->v };
			f->emit(&c, &e, f->name);
		}
	}
	for (j = 0; j < ARRAY_SIZE(fams); j++) {
		const struct fam *f = &fams[j];
		char full[128];
		bool first = true;

		if (f->group_only)
			continue;
		for (i = 0; i < x->nr_procs; i++) {
			struct xproc *p = &x->procs[i];
			struct xvals v;

			if (!p->per_pid)
				continue;
			memset(&v, 0, sizeof(v));
			add_proc(&v, p, now);
			e = (struct ent){ "vminspect_process_", p->group,
					  p->pid, &v };
			if (!f->emit(NULL, &e, f->name))
				continue;
			if (first) {
				snprintf(full, sizeof(full),
					 "vminspect_process_%s", f->name);
				family(&c, full, f->type, f->help);
				first = false;
			}
			f->emit(&c, &e, f->name);
		}
	}
	if (fmt == VMV_XFMT_OPENMETRICS)
		sb_printf(b, "# EOF\n");
	free(gs);
}

/* ---- one collection ---- */

struct vmv_exporter *vmv_exporter_new(void)
{
	struct vmv_exporter *x = calloc(1, sizeof(*x));

	if (x)
		x->lock_fd = -1;
	return x;
}

void vmv_exporter_free(struct vmv_exporter *x)
{
	if (!x)
		return;
	if (x->lock_fd >= 0)
		close(x->lock_fd);
	free(x->procs);
	free(x->groups);
	free(x);
	if (xo.have_match) {
		regfree(&xo.match);
		xo.have_match = false;
	}
}

int vmv_exporter_scrape(struct vmv_exporter *x, enum vmv_xfmt fmt,
			char **out, size_t *len)
{
	struct sbuf b = { 0 };
	double start = mono_s(), now;
	size_t i;
	int ret;

	x->scrapes++;
	x->walk_s = 0;
	x->longest_read_s = 0;
	sources(x);
	ret = list_procs(x);
	if (ret)
		return ret;
	if (x->module_up)
		walks(x, start);
	x->walk_total_s += x->walk_s;
	for (i = 0; i < x->nr_groups; i++) {
		x->groups[i].v = x->groups[i].dead;
		x->groups[i].v.nproc = 0;
		x->groups[i].v.probed = x->probes_up;
		x->groups[i].live = false;
	}
	x->n_walked = 0;
	x->n_cached = 0;
	x->n_unwalked = 0;
	now = mono_s();
	for (i = 0; i < x->nr_procs; i++) {
		struct xproc *p = &x->procs[i];

		add_proc(&x->groups[p->gi].v, p, now);
		x->groups[p->gi].live = true;
		if (!p->have_walk)
			x->n_unwalked++;
		else if (p->walk_scrape == x->scrapes)
			x->n_walked++;
		else
			x->n_cached++;
	}
	choose_pids(x);
	admit(x);
	x->scrape_s = mono_s() - start;
	render(x, &b, fmt);
	if (b.oom) {
		free(b.s);
		return -ENOMEM;
	}
	*out = b.s;
	*len = b.len;
	return 0;
}

/* ---- vmview export ---- */

static const char *out_path;
static double interval_s;
static bool openmetrics;
static volatile sig_atomic_t stop;

static void export_help(FILE *f)
{
	fprintf(f,
		"Usage: %s export [-o FILE] [--interval SECS] [--openmetrics] [OPTIONS]\n"
		"\n"
		"Per-process memory metrics in the Prometheus text exposition format:\n"
		"processes grouped by name, page-table bytes and tables per level, pages\n"
		"by state and attribute, huge pages, faults, TLB flushes (probes) and the\n"
		"exporter's own cost.  Without the module, what needs none (the kernel's\n"
		"/proc/PID files, the probes), and which parts are missing and why.\n"
		"\n"
		"  -o, --output FILE      write FILE atomically (a temporary file renamed\n"
		"                         over it), for node_exporter's textfile collector\n"
		"  -i, --interval SECS    collect every SECS seconds until stopped\n"
		"  -O, --openmetrics      OpenMetrics 1.0 instead of the text format\n"
		"%s"
		"\n"
		"'vmview serve' serves the same on HTTP.  See vmview(8), METRICS.\n",
		vmv_bin_name, vmv_exporter_opts_help);
}

static int export_opt(int opt, const char *arg)
{
	char *end;

	switch (opt) {
	case 'o':
		if (!*arg)
			return vmv_usage("--output: empty file name");
		out_path = arg;
		return 0;
	case 'i':
		errno = 0;
		interval_s = strtod(arg, &end);
		if (errno || *end || end == arg ||
		    !(interval_s >= 0.1 && interval_s <= 86400))
			return vmv_usage("--interval takes seconds (0.1 to 86400), not '%s'",
				       arg);
		return 0;
	case 'O':
		openmetrics = true;
		return 0;
	}
	return vmv_exporter_opt(opt, arg);
}

/* Write buf to path atomically: a temporary file beside it, renamed. */
static int write_atomic(const char *path, const char *buf, size_t len)
{
	char *dup, *tmp = NULL;
	struct stat st;
	size_t off = 0;
	ssize_t w;
	int fd, err = 0;

	/* never rename over a device, a directory or a symlink (/dev/stdout) */
	if (!lstat(path, &st) && !S_ISREG(st.st_mode))
		return -EINVAL;
	dup = strdup(path);
	if (!dup)
		return -ENOMEM;
	if (asprintf(&tmp, "%s/.%s.XXXXXX", dirname(dup),
		     strrchr(path, '/') ? strrchr(path, '/') + 1 : path) < 0) {
		free(dup);
		return -ENOMEM;
	}
	free(dup);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return err;
	}
	while (off < len) {
		w = write(fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			err = -errno;
			break;
		}
		off += w;
	}
	if (!err && fchmod(fd, 0644))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}

static void on_signal(int sig)
{
	stop = 1;
}

void vmv_exporter_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool vmv_exporter_stopped(void)
{
	return stop;
}

int vmv_do_export(int argc, char **argv)
{
	struct option opts[ARRAY_SIZE(vmv_exporter_longopts) + 3];
	char shortopts[64];
	struct vmv_exporter *x;
	char *buf;
	size_t len, n = 0;
	int ret;

	opts[n++] = (struct option){ "output", required_argument, NULL, 'o' };
	opts[n++] = (struct option){ "interval", required_argument, NULL, 'i' };
	opts[n++] = (struct option){ "openmetrics", no_argument, NULL, 'O' };
	memcpy(&opts[n], vmv_exporter_longopts, sizeof(vmv_exporter_longopts));
	snprintf(shortopts, sizeof(shortopts), "o:i:O%s",
		 vmv_exporter_shortopts);
	out_path = NULL;
	interval_s = 0;
	openmetrics = false;
	ret = vmv_parse_opts(argc, argv, shortopts, opts, export_help,
			     export_opt);
	if (ret < 0)
		ret = vmv_no_more(argc, argv);
	if (ret >= 0)
		return ret;
	if (interval_s && !out_path)
		return vmv_usage("--interval needs --output FILE");

	x = vmv_exporter_new();
	if (!x) {
		vmv_err("out of memory");
		return VMV_EXIT_ERR;
	}
	if (interval_s)
		vmv_exporter_signals();
	ret = VMV_EXIT_OK;
	do {
		double t0 = mono_s();
		int err = vmv_exporter_scrape(x, openmetrics ?
					      VMV_XFMT_OPENMETRICS :
					      VMV_XFMT_TEXT, &buf, &len);

		if (err) {
			vmv_err("collecting metrics: %s", strerror(-err));
			ret = VMV_EXIT_ERR;
			break;
		}
		if (out_path) {
			err = write_atomic(out_path, buf, len);
			if (err == -EINVAL) {
				vmv_err("%s is not a regular file: -o replaces a file (without -o the metrics go to standard output)",
					out_path);
				ret = VMV_EXIT_ERR;
			} else if (err) {
				vmv_err("writing %s: %s", out_path, strerror(-err));
				ret = VMV_EXIT_ERR;
			}
		} else {
			fwrite(buf, 1, len, stdout);
			fflush(stdout);
		}
		free(buf);
		if (ret || !interval_s)
			break;
		while (!stop && mono_s() - t0 < interval_s) {
			double left = interval_s - (mono_s() - t0);
			struct timespec ts = {
				(time_t)left,
				(long)((left - (time_t)left) * 1e9),
			};

			nanosleep(&ts, NULL);
		}
	} while (!stop);
	vmv_exporter_free(x);
	return ret;
}
