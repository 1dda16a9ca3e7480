// SPDX-License-Identifier: GPL-2.0
/*
 * vmas_bench: the cost of a process with many small VMAs, against the
 * kernel's own listing, side by side in one run.
 *
 * A target maps N one-page anonymous VMAs (default 32,000), each touched,
 * separated by unmapped pages so that none merge (JVMs, databases and
 * allocators with guard pages look like this).  We time full reads of
 * /proc/<pid>/maps, /proc/vminspect/<pid>/vmas and /proc/vminspect/<pid>/mm,
 * and for comparison /proc/<pid>/smaps (the kernel's own walk of every
 * VMA's page tables), interleaved, and print the best of R rounds of
 * each, and the ratios against maps with their targets (issue "Every file
 * as cheap as the kernel's cheapest equivalent"):
 *
 *   vmas <= 1.5x maps, mm <= 1.2x maps          PASS or MISS
 *
 * Usage: vmas_bench [-n VMAS] [-r ROUNDS]
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define PG		BENCH_PAGE
#define MAX_ROUNDS	64

/* The target: @n one-page VMAs with a hole after each, then wait. */
static pid_t start_target(unsigned long n, int ready)
{
	pid_t pid = fork();
	unsigned long i;
	char *p;

	if (pid)
		return pid;
	p = mmap(NULL, 2 * n * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	for (i = 0; i < n; i++) {
		p[2 * i * PG] = 1;
		if (munmap(p + (2 * i + 1) * PG, PG))
			_exit(1);
	}
	if (write(ready, "", 1) != 1)
		_exit(1);
	pause();
	_exit(0);
}

static void verdict(const char *what, double ratio, double target)
{
	printf("vmas_bench %-22s %6.2fx (target <= %.1fx) %s\n", what, ratio,
	       target, ratio <= target ? "PASS" : "MISS");
}

int main(int argc, char **argv)
{
	double maps[MAX_ROUNDS], vmas[MAX_ROUNDS], mm[MAX_ROUNDS];
	double smaps[MAX_ROUNDS];
	char pmaps[64], pvmas[64], pmm[64], psmaps[64], c;
	unsigned long n = 32000;
	size_t bmaps = 0, bvmas = 0;
	int rounds = 7, i, opt, fds[2];
	struct utsname u;
	pid_t pid;

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-n VMAS] [-r ROUNDS]\n",
				argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || !n || n > 65000) {
		fprintf(stderr, "vmas_bench: bad arguments\n");
		return 2;
	}
	if (pipe(fds))
		return 1;
	pid = start_target(n, fds[1]);
	if (pid < 0 || read(fds[0], &c, 1) != 1) {
		fprintf(stderr, "vmas_bench: the target could not map %lu VMAs\n",
			n);
		return 1;
	}
	snprintf(pmaps, sizeof(pmaps), "/proc/%d/maps", pid);
	snprintf(pvmas, sizeof(pvmas), "/proc/vminspect/%d/vmas", pid);
	snprintf(pmm, sizeof(pmm), "/proc/vminspect/%d/mm", pid);
	snprintf(psmaps, sizeof(psmaps), "/proc/%d/smaps", pid);
	for (i = 0; i < 50 && access(pvmas, R_OK); i++)
		usleep(100000);

	uname(&u);
	printf("vmas_bench: kernel %s, %lu one-page VMAs, best of %d interleaved rounds\n",
	       u.release, n, rounds);
	for (i = 0; i < rounds; i++) {
		maps[i] = bench_read(pmaps, &bmaps);
		vmas[i] = bench_read(pvmas, &bvmas);
		mm[i] = bench_read(pmm, NULL);
		smaps[i] = bench_read(psmaps, NULL);
		if (maps[i] < 0 || vmas[i] < 0 || mm[i] < 0 || smaps[i] < 0) {
			fprintf(stderr, "vmas_bench: a read failed\n");
			kill(pid, SIGKILL);
			return 1;
		}
	}
	printf("vmas_bench maps %8.1f ms (%zu bytes), vmas %8.1f ms (%zu bytes), mm %8.1f ms\n",
	       bench_best(maps, rounds) * 1e3, bmaps, bench_best(vmas, rounds) * 1e3, bvmas,
	       bench_best(mm, rounds) * 1e3);
	printf("vmas_bench per VMA: maps %.2f us, vmas %.2f us\n",
	       bench_best(maps, rounds) * 1e6 / n, bench_best(vmas, rounds) * 1e6 / n);
	printf("vmas_bench smaps %8.1f ms: the kernel's own walk of every VMA,",
	       bench_best(smaps, rounds) * 1e3);
	printf(" %.2fx maps, %.2fx vmas\n",
	       bench_best(smaps, rounds) / bench_best(maps, rounds),
	       bench_best(smaps, rounds) / bench_best(vmas, rounds));
	verdict("vmas / maps", bench_best(vmas, rounds) / bench_best(maps, rounds), 1.5);
	verdict("mm / maps", bench_best(mm, rounds) / bench_best(maps, rounds), 1.2);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
}
