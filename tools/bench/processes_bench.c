// SPDX-License-Identifier: GPL-2.0
/*
 * processes_bench: the processes listing with many processes, and fork
 * storms, against the kernel's own files, side by side in one run.
 *
 * 1. N live processes (default 1,000), each with a few pages faulted in:
 *    a full read of /proc/vminspect/processes against reading
 *    /proc/<pid>/status of every process /proc lists (open, read, close),
 *    interleaved, best of R rounds.  Target: processes <= 1.0x status.
 * 2. A fork storm: F fork+exit+wait in a loop (default 20,000) with
 *    vminspect mounted, between two of C (default 5,000) with it
 *    unmounted (the module loaded: it has no hook on fork or exit), then C
 *    mounted with a reader listing /proc/vminspect in a loop.  After each
 *    storm /proc/vminspect must list exactly the live user processes
 *    (/proc's pids less kernel threads).
 *    The CPU time of the storm is reported from /proc/stat (every CPU,
 *    user + system, in USER_HZ ticks: what the machine spent, whoever
 *    spent it), that of the kernel threads from their /proc/<pid>/stat,
 *    and the reader's own from getrusage(): the module works only in
 *    the calls of its readers.
 *
 * Usage: processes_bench [-n PROCS] [-r ROUNDS] [-f FORKS] [-c FORKS]
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_ROUNDS	64
#define VMI_DIR		"/proc/vminspect"
#define PF_KTHREAD	0x00200000

/* @n processes that fault 4 pages in and wait for EOF on @go */
static int start_procs(pid_t *kids, int n, int *go_w)
{
	int go[2], ready[2], i;
	char c;

	if (pipe(go) || pipe(ready))
		return -1;
	for (i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			return -1;
		if (!kids[i]) {
			volatile char *p = mmap(NULL, 4 * BENCH_PAGE,
						PROT_READ | PROT_WRITE,
						MAP_PRIVATE | MAP_ANONYMOUS,
						-1, 0);
			int j;

			close(go[1]);
			if (p == MAP_FAILED)
				_exit(1);
			for (j = 0; j < 4; j++)
				p[j * BENCH_PAGE] = 1;
			if (write(ready[1], "r", 1) != 1 ||
			    read(go[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
	}
	close(go[0]);
	close(ready[1]);
	for (i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1)
			return -1;
	close(ready[0]);
	*go_w = go[1];
	return 0;
}

static int is_pid(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* /proc/<pid>/status of every process /proc lists; seconds taken */
static double read_statuses(int *count)
{
	double t0 = bench_now();
	char path[300];
	struct dirent *e;
	DIR *d = opendir("/proc");
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!is_pid(e->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		if (bench_read(path, NULL) >= 0)
			n++;
	}
	closedir(d);
	*count = n;
	return bench_now() - t0;
}

/* the flags field of /proc/<pid>/stat, or -1 */
static long task_flags(const char *pid, unsigned long long *ticks)
{
	char path[300], buf[1024], *p;
	unsigned long long ut, st;
	unsigned long flags;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	if (!p)
		return -1;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	ok = sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %lu %*u %*u %*u %*u %llu %llu",
		    &flags, &ut, &st) == 3;
	if (!ok)
		return -1;
	if (ticks)
		*ticks = ut + st;
	return flags;
}

/* CPU ticks of every kernel thread */
static unsigned long long kthread_ticks(void)
{
	unsigned long long sum = 0, t;
	struct dirent *e;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (is_pid(e->d_name) &&
		    task_flags(e->d_name, &t) >= 0 &&
		    (task_flags(e->d_name, NULL) & PF_KTHREAD))
			sum += t;
	closedir(d);
	return sum;
}

/* user + system ticks of every CPU (/proc/stat's first line) */
static unsigned long long cpu_ticks(void)
{
	unsigned long long v[4] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		   &v[3]) != 4)
		memset(v, 0, sizeof(v));
	fclose(f);
	return v[0] + v[1] + v[2];	/* user nice system */
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* sorted pids in @dir (user processes only for /proc); count or -1 */
static int list_pids(const char *dir, int *pids, int max, int user_only)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) && n < max) {
		long fl;

		if (!is_pid(e->d_name))
			continue;
		if (user_only) {
			fl = task_flags(e->d_name, NULL);
			if (fl < 0 || (fl & PF_KTHREAD))
				continue;
		}
		pids[n++] = atoi(e->d_name);
	}
	closedir(d);
	qsort(pids, n, sizeof(*pids), cmp_int);
	return n;
}

/* Does /proc/vminspect list exactly the live user processes? */
static int exact(void)
{
	static int a[65536], b[65536];
	int na = list_pids(VMI_DIR, a, 65536, 0);
	int nb = list_pids("/proc", b, 65536, 1);

	return na >= 0 && na == nb && !memcmp(a, b, na * sizeof(*a));
}

/* a reader listing /proc/vminspect until killed; reports its CPU time */
static pid_t start_lister(int report)
{
	pid_t pid = fork();
	struct rusage ru;
	long lists = 0;

	if (pid)
		return pid;
	for (;;) {
		int dummy[1];
		char c;

		list_pids(VMI_DIR, dummy, 0, 0);
		lists++;
		/* stop when the storm is over: the parent writes to us */
		if (read(report, &c, 1) == 1)
			break;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("processes_bench   reader: %ld listings of %s,", lists, VMI_DIR);
	printf(" its CPU %.2f s system, %.2f s user (%.0f us per listing)\n",
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	       lists ? (ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec +
			ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec) / lists : 0);
	fflush(stdout);
	_exit(0);
}

static int fork_storm(const char *label, long forks, int with_reader,
		      int mounted)
{
	unsigned long long c0, c1, k0, k1;
	int fds[2] = { -1, -1 }, ok;
	pid_t reader = 0;
	double t0, t;
	long i;

	if (with_reader) {
		if (pipe(fds))
			return -1;
		/* non-blocking reads for the lister: a pipe of its own */
		fcntl(fds[0], F_SETFL, O_NONBLOCK);
		reader = start_lister(fds[0]);
	}
	k0 = kthread_ticks();
	c0 = cpu_ticks();
	t0 = bench_now();
	for (i = 0; i < forks; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (!pid)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
	t = bench_now() - t0;
	c1 = cpu_ticks();
	k1 = kthread_ticks();
	if (with_reader) {
		if (write(fds[1], "x", 1) != 1)
			return -1;
		waitpid(reader, NULL, 0);
		close(fds[0]);
		close(fds[1]);
	}
	ok = !mounted || exact();
	printf("processes_bench fork storm, %-16s %ld fork+exit in %.2f s (%.0f us each),",
	       label, forks, t, t * 1e6 / forks);
	printf(" CPU %.2f s (%.0f us per fork), kernel threads %.2f s, directories %s\n",
	       (c1 - c0) / (double)sysconf(_SC_CLK_TCK),
	       (c1 - c0) * 1e6 / sysconf(_SC_CLK_TCK) / forks,
	       (k1 - k0) / (double)sysconf(_SC_CLK_TCK),
	       !mounted ? "not mounted" : ok ? "exact PASS" : "differ MISS");
	return ok ? 0 : 1;
}

/* a storm with vminspect unmounted, mounted again after it */
static int unmounted_storm(long forks)
{
	int rc;

	if (umount2(VMI_DIR, 0)) {
		perror("processes_bench: umount " VMI_DIR);
		return 1;
	}
	rc = fork_storm("unmounted", forks, 0, 0);
	if (mount("vminspect", VMI_DIR, "vminspect",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		perror("processes_bench: mount " VMI_DIR);
		return 1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	double ps[MAX_ROUNDS], st[MAX_ROUNDS], ratio;
	int n = 1000, rounds = 7, opt, i, go, count = 0, rc = 0;
	long forks = 20000, cmp = 5000;
	struct utsname u;
	size_t bytes = 0;
	pid_t *kids;

	while ((opt = getopt(argc, argv, "n:r:f:c:")) != -1) {
		switch (opt) {
		case 'n':
			n = atoi(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'f':
			forks = atol(optarg);
			break;
		case 'c':
			cmp = atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-n PROCS] [-r ROUNDS] [-f FORKS] [-c FORKS]\n",
				argv[0]);
			return 2;
		}
	}
	if (n < 1 || rounds < 1 || rounds > MAX_ROUNDS || forks < 1 || cmp < 1)
		return 2;
	kids = calloc(n, sizeof(*kids));
	if (!kids || start_procs(kids, n, &go)) {
		fprintf(stderr, "processes_bench: could not start %d processes\n", n);
		return 1;
	}
	uname(&u);
	printf("processes_bench: kernel %s, %d processes held, best of %d interleaved rounds\n",
	       u.release, n, rounds);
	for (i = 0; i < rounds; i++) {
		ps[i] = bench_read(VMI_DIR "/processes", &bytes);
		st[i] = read_statuses(&count);
		if (ps[i] < 0 || st[i] < 0) {
			fprintf(stderr, "processes_bench: a read failed\n");
			return 1;
		}
	}
	ratio = bench_best(ps, rounds) / bench_best(st, rounds);
	printf("processes_bench processes %8.1f ms (%zu bytes), status of %d processes %8.1f ms\n",
	       bench_best(ps, rounds) * 1e3, bytes, count,
	       bench_best(st, rounds) * 1e3);
	printf("processes_bench processes / status       %6.2fx (target <= 1.0x) %s\n",
	       ratio, ratio <= 1.0 ? "PASS" : "MISS");
	close(go);
	for (i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);

	fflush(stdout);
	/* unmounted, mounted, unmounted: the drift of the host shows */
	rc |= unmounted_storm(cmp);
	rc |= fork_storm("mounted", forks, 0, 1);
	rc |= unmounted_storm(cmp);
	rc |= fork_storm("mounted, reader", cmp, 1, 1);
	return rc ? 1 : 0;
}
