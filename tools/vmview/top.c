// SPDX-License-Identifier: GPL-2.0
/*
 * vmview top: the processes with the most page faults and TLB flushes per
 * second, from the probes' counters, refreshed every -d seconds.  ncurses
 * on a terminal; plain lines (or one JSON object per refresh) otherwise or
 * with -n N refreshes, for scripts.
 */
#include <curses.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "vmview.h"
#include "probe_read.h"

#define TOP_MAX_ROWS	20

struct top_row {
	pid_t pid;
	char comm[16];
	double fps, tps;	/* faults, TLB flushes run while current, per second */
	double xps;		/* flushes of its own address space per second */
	uint64_t faults, tlb, flushes;
	struct vmi_tlb_counts t;	/* since start */
	char lead[32];		/* the interval's leading cause, with its share */
	int lead_cause;		/* enum vmi_tlb_cause, -1: no flushes */
	double lead_share;
};

#define TOP_MAX_PROGS	16

/* Runs the recursion guard skipped, per program with any (probe_read.h). */
struct top_misses {
	struct vmv_prog_misses p[TOP_MAX_PROGS];
	int n;
};

static long iterations;
static double delay = 1.0;

static void top_help(FILE *f)
{
	fprintf(f,
		"Usage: %s top [-n N] [-d SECS] [-j] [-p]\n"
		"\n"
		"A live view of the processes causing the most page faults and TLB\n"
		"flushes per second (needs the probes: 'vmview probe start'): FLUSH/s are\n"
		"the flushes of the process's own address space, whoever made them, with\n"
		"the CAUSE of most of them in the interval; TLB/s the flushes run on a CPU\n"
		"while it was current.  On a terminal it refreshes in place ('q'\n"
		"quits); with -n N, -j or output to a pipe it prints N refreshes\n"
		"(default: until interrupted) as plain lines or one JSON object per\n"
		"refresh.\n"
		"  -n, --iterations N   stop after N refreshes\n"
		"  -d, --delay SECS     seconds between refreshes (default 1)\n",
		vmv_bin_name);
}

static int top_opt(int opt, const char *arg)
{
	char *end;

	errno = 0;
	if (opt == 'n') {
		iterations = strtol(arg, &end, 10);
		if (errno || *end || end == arg || iterations <= 0)
			return vmv_usage("-n takes a positive count, not '%s'", arg);
	} else {
		delay = strtod(arg, &end);
		if (errno || *end || end == arg || !(delay >= 0.05) ||
		    delay > 3600)
			return vmv_usage("-d takes seconds between 0.05 and 3600, not '%s'",
				       arg);
	}
	return 0;
}

static int cmp_rate(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	double vx = x->fps + x->xps + x->tps, vy = y->fps + y->xps + y->tps;

	if (vx != vy)
		return vx < vy ? 1 : -1;
	return x->pid - y->pid;
}

static const struct vmv_counters *find_prev(const struct vmv_counters *prev,
					    size_t nr, pid_t pid)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (prev[i].pid == pid)
			return &prev[i];
	return NULL;
}

/* Rates between two snapshots, sorted; returns the number of rows. */
static size_t top_rates(const struct vmv_counters *prev, size_t nprev,
			const struct vmv_counters *cur, size_t ncur,
			double secs, struct top_row *rows)
{
	size_t i, n = 0;

	for (i = 0; i < ncur; i++) {
		const struct vmv_counters *p = find_prev(prev, nprev, cur[i].pid);
		uint64_t f0 = p ? p->faults : 0, t0 = p ? p->tlb : 0;
		uint64_t x0 = p ? p->flushes : 0;

		rows[n].pid = cur[i].pid;
		memcpy(rows[n].comm, cur[i].comm, sizeof(rows[n].comm));
		rows[n].faults = cur[i].faults;
		rows[n].tlb = cur[i].tlb;
		rows[n].flushes = cur[i].flushes;
		rows[n].t = cur[i].t;
		rows[n].fps = (cur[i].faults - f0) / secs;
		rows[n].tps = (cur[i].tlb - t0) / secs;
		rows[n].xps = (cur[i].flushes - x0) / secs;
		rows[n].lead_cause = vmv_lead_cause(&cur[i].t, p ? &p->t : NULL,
						    &rows[n].lead_share);
		vmv_cause_share_str(rows[n].lead_cause, rows[n].lead_share,
				    rows[n].lead, sizeof(rows[n].lead));
		n++;
	}
	qsort(rows, n, sizeof(*rows), cmp_rate);
	return n;
}

/*
 * "runs skipped by the recursion guard: vmi_fault 62" into buf, programs with none left
 * out; "" if none has any.
 */
static void misses_line(const struct top_misses *m, char *buf, size_t len)
{
	size_t off = 0;
	int i, k;

	buf[0] = '\0';
	for (i = 0; i < m->n && off < len; i++) {
		if (!m->p[i].misses)
			continue;
		k = snprintf(buf + off, len - off, "%s %s %llu",
			     off ? "" : "runs skipped by the recursion guard:",
			     m->p[i].name, (unsigned long long)m->p[i].misses);
		if (k > 0)
			off += k;
	}
}

static void top_json(const struct top_row *rows, size_t n, double secs,
		     const struct top_misses *m)
{
	static const char * const causes[] = VMI_TLB_CAUSE_NAMES;
	struct json_object *o = json_object_new_object(), *arr, *r, *mo;
	size_t i;
	int k;

	json_object_object_add(o, "time", json_object_new_int64(time(NULL)));
	json_object_object_add(o, "interval", json_object_new_double(secs));
	mo = json_object_new_object();
	for (k = 0; k < m->n; k++)
		json_object_object_add(mo, m->p[k].name,
				       vmv_json_u64(m->p[k].misses));
	json_object_object_add(o, "recursion_misses", mo);
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		r = json_object_new_object();
		json_object_object_add(r, "pid", json_object_new_int(rows[i].pid));
		json_object_object_add(r, "comm", vmv_json_str(rows[i].comm));
		json_object_object_add(r, "faults_per_sec",
				       json_object_new_double(rows[i].fps));
		json_object_object_add(r, "tlb_per_sec",
				       json_object_new_double(rows[i].tps));
		json_object_object_add(r, "flushes_per_sec",
				       json_object_new_double(rows[i].xps));
		json_object_object_add(r, "lead_cause",
				       vmv_json_str(rows[i].lead_cause < 0 ? NULL :
						    causes[rows[i].lead_cause]));
		json_object_object_add(r, "lead_cause_share",
				       json_object_new_double(rows[i].lead_share));
		json_object_object_add(r, "faults", vmv_json_u64(rows[i].faults));
		json_object_object_add(r, "tlb_flushes",
				       vmv_json_u64(rows[i].tlb));
		json_object_object_add(r, "flushes",
				       vmv_json_u64(rows[i].flushes));
		json_object_object_add(r, "tlb_causes",
				       vmv_tlb_causes_json(&rows[i].t));
		json_object_array_add(arr, r);
	}
	json_object_object_add(o, "processes", arr);
	vmv_json_print(o);
}

/* The header (@r NULL) or a row, the same for the plain and the curses view. */
static const char *top_line(const struct top_row *r, char *buf, size_t len)
{
	if (!r)
		snprintf(buf, len, "%7s %10s %9s %-12s %9s %12s %10s  %s",
			 "PID", "FAULTS/s", "FLUSH/s", "CAUSE", "TLB/s",
			 "FAULTS", "FLUSHES", "COMM");
	else
		snprintf(buf, len, "%7d %10.1f %9.1f %-12s %9.1f %12llu %10llu  %s",
			 r->pid, r->fps, r->xps, r->lead, r->tps,
			 (unsigned long long)r->faults,
			 (unsigned long long)r->flushes, r->comm);
	return buf;
}

static void top_plain(const struct top_row *rows, size_t n, double secs,
		      const struct top_misses *m)
{
	char ts[32], miss[512], line[160];
	time_t now = time(NULL);
	size_t i;

	strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
	printf("%s%s  faults and TLB flushes per second over %.2fs%s\n",
	       vmv_col(C_BOLD), ts, secs, vmv_col(C_RESET));
	misses_line(m, miss, sizeof(miss));
	if (miss[0])
		printf("%s\n", miss);
	printf("%s\n", top_line(NULL, line, sizeof(line)));
	for (i = 0; i < n && i < TOP_MAX_ROWS; i++)
		printf("%s\n", top_line(&rows[i], line, sizeof(line)));
	putchar('\n');
	fflush(stdout);
}

static void top_curses(const struct top_row *rows, size_t n, double secs,
		       const struct top_misses *m)
{
	int maxy = getmaxy(stdscr);
	char miss[512], line[160];
	size_t i;

	erase();
	misses_line(m, miss, sizeof(miss));
	mvprintw(1, 0, "%s", miss);
	attron(A_BOLD);
	mvprintw(0, 0, "vmview top - faults and TLB flushes per second (%.2fs)   q: quit",
		 secs);
	mvprintw(2, 0, "%s", top_line(NULL, line, sizeof(line)));
	attroff(A_BOLD);
	for (i = 0; i < n && (int)i + 3 < maxy; i++)
		mvprintw(i + 3, 0, "%s", top_line(&rows[i], line, sizeof(line)));
	refresh();
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int vmv_do_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iterations",	required_argument,	NULL,	'n' },
		{ "delay",	required_argument,	NULL,	'd' },
		{ NULL,		0,			NULL,	0 },
	};
	struct vmv_counters *prev = NULL, *cur = NULL;
	size_t nprev = 0, ncur = 0, n;
	struct top_row *rows = NULL;
	struct top_misses m;
	bool curses;
	double t0, t1, secs;
	long it;
	int ret;

	iterations = 0;
	delay = 1.0;
	ret = vmv_parse_opts(argc, argv, "n:d:", opts,
			     top_help, top_opt);
	if (ret < 0)
		ret = vmv_no_more(argc, argv);
	if (ret >= 0)
		return ret;
	ret = vmv_probes_check();
	if (ret)
		return ret;

	ret = vmv_counters_all(&prev, &nprev);
	if (ret) {
		vmv_err("cannot read the probes' counters: %s", strerror(-ret));
		return VMV_EXIT_ERR;
	}
	curses = !vmv_json_output && !iterations && isatty(STDOUT_FILENO) &&
		 isatty(STDIN_FILENO);
	if (curses) {
		initscr();
		cbreak();
		noecho();
		curs_set(0);
		timeout((int)(delay * 1000));
	}
	t0 = now_sec();
	for (it = 0; !iterations || it < iterations; it++) {
		if (curses) {
			if (getch() == 'q')
				break;
		} else {
			usleep((useconds_t)(delay * 1e6));
		}
		ret = vmv_counters_all(&cur, &ncur);
		if (ret)
			break;
		t1 = now_sec();
		free(rows);
		rows = calloc(ncur ? ncur : 1, sizeof(*rows));
		if (!rows) {
			ret = -ENOMEM;
			break;
		}
		secs = fmax(t1 - t0, 0.001);
		n = top_rates(prev, nprev, cur, ncur, secs, rows);
		m.n = vmv_probe_misses(m.p, TOP_MAX_PROGS);
		if (m.n < 0)
			m.n = 0;
		if (vmv_json_output)
			top_json(rows, n, secs, &m);
		else if (curses)
			top_curses(rows, n, secs, &m);
		else
			top_plain(rows, n, secs, &m);
		free(prev);
		prev = cur;
		nprev = ncur;
		cur = NULL;
		t0 = t1;
	}
	if (curses)
		endwin();
	free(rows);
	free(prev);
	free(cur);
	if (ret) {
		vmv_err("reading the probes' counters failed: %s", strerror(-ret));
		return VMV_EXIT_ERR;
	}
	return VMV_EXIT_OK;
}
