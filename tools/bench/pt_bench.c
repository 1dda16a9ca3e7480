// SPDX-License-Identifier: GPL-2.0
/*
 * pt_bench: the page-table map against pagemap, side by side in one run.
 *
 * A target (uid 1000) maps 1 GiB of anonymous memory in 4 KiB pages
 * (MADV_NOHUGEPAGE) and touches every page.  We time full reads of its
 * /proc/vminspect/<pid>/pagetable and reads of its /proc/<pid>/pagemap
 * over the 1 GiB, interleaved, best of R rounds, as root (who sees frames:
 * a pagetable line per physically contiguous run) and as uid 1000 (no
 * frames: runs merge), and print the ratios with their targets:
 *
 *   root:         pagetable <= 1.5x pagemap     PASS or MISS
 *   unprivileged: pagetable <= 0.5x pagemap     PASS or MISS
 *
 * Usage: pt_bench [-m MiB] [-r ROUNDS]
 */
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define PG		BENCH_PAGE
#define MAX_ROUNDS	64
#define USER		1000

static int drop_to_user(void)
{
	if (setgroups(0, NULL) || setresgid(USER, USER, USER) ||
	    setresuid(USER, USER, USER))
		return -1;
	return prctl(PR_SET_DUMPABLE, 1);
}

static pid_t start_target(unsigned long len, int ready, unsigned long *start)
{
	int fds[2];
	pid_t pid;
	char *p;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid) {
		close(fds[1]);
		if (pid > 0 && read(fds[0], start, sizeof(*start)) !=
		    sizeof(*start))
			pid = -1;
		close(fds[0]);
		return pid;
	}
	if (drop_to_user())
		_exit(1);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || madvise(p, len, MADV_NOHUGEPAGE))
		_exit(1);
	memset(p, 1, len);
	*start = (unsigned long)p;
	if (write(fds[1], start, sizeof(*start)) != sizeof(*start))
		_exit(1);
	pause();
	_exit(0);
}

/* Rounds of pagetable and pagemap reads; prints a line, returns the ratio. */
static int measure(const char *who, pid_t pid, unsigned long start,
		   unsigned long len, int rounds, double target)
{
	double pt[MAX_ROUNDS] = { 0 }, pm[MAX_ROUNDS] = { 0 }, ratio;
	char path[64];
	size_t bytes = 0;
	int i;

	snprintf(path, sizeof(path), "/proc/vminspect/%d/pagetable", pid);
	for (i = 0; i < rounds; i++) {
		pt[i] = bench_read(path, &bytes);
		pm[i] = bench_pagemap(pid, start, len);
		if (pt[i] < 0 || pm[i] < 0) {
			fprintf(stderr, "pt_bench: a read as %s failed\n", who);
			return 1;
		}
	}
	ratio = bench_best(pt, rounds) / bench_best(pm, rounds);
	printf("pt_bench %-12s pagetable %8.1f ms (%zu bytes), pagemap %8.1f ms: "
	       "%.2fx (target <= %.1fx) %s\n",
	       who, bench_best(pt, rounds) * 1e3, bytes, bench_best(pm, rounds) * 1e3,
	       ratio, target, ratio <= target ? "PASS" : "MISS");
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long mib = 1024, start = 0, len;
	int rounds = 5, opt, status, rc;
	struct utsname u;
	char path[64];
	pid_t pid, reader;

	while ((opt = getopt(argc, argv, "m:r:")) != -1) {
		switch (opt) {
		case 'm':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-m MiB] [-r ROUNDS]\n", argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || !mib) {
		fprintf(stderr, "pt_bench: bad arguments\n");
		return 2;
	}
	len = mib << 20;
	pid = start_target(len, 0, &start);
	if (pid < 0) {
		fprintf(stderr, "pt_bench: the target could not map %lu MiB\n", mib);
		return 1;
	}
	snprintf(path, sizeof(path), "/proc/vminspect/%d/pagetable", pid);
	for (opt = 0; opt < 50 && access(path, R_OK); opt++)
		usleep(100000);
	uname(&u);
	printf("pt_bench: kernel %s, %lu MiB of 4 KiB pages, best of %d interleaved rounds\n",
	       u.release, mib, rounds);
	rc = measure("root", pid, start, len, rounds, 1.5);
	reader = fork();
	if (reader == 0)
		_exit(drop_to_user() ? 1 :
		      measure("unprivileged", pid, start, len, rounds, 0.5));
	if (reader < 0 || waitpid(reader, &status, 0) != reader ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		rc = 1;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return rc;
}
