// SPDX-License-Identifier: GPL-2.0
/*
 * census_bench: what reading vminspect costs, against the kernel's own
 * interfaces, side by side in one run.
 *
 * 1. A target maps 1 GiB of anonymous memory in 4 KiB pages
 *    (MADV_NOHUGEPAGE) and touches every page.  We time a full read of
 *    /proc/vminspect/<pid>/vmas + mm, of /proc/<pid>/smaps_rollup and of
 *    the target's /proc/<pid>/pagemap over the 1 GiB, median of N rounds,
 *    and print the ratios.  Target: vminspect at most 0.5x smaps_rollup.
 * 2. A thread of the target runs mmap + touch + munmap of one page in a
 *    loop; we report its mean latency with no reader and while vminspect
 *    (and, for comparison, smaps_rollup) is read continuously.  Target:
 *    at most 2x with the vminspect reader.
 *
 * Usage: census_bench [-m MiB] [-r rounds] [-t seconds]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define PG		BENCH_PAGE
#define MAX_ROUNDS	64

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* --- the target ------------------------------------------------------- */

/*
 * Parent and target talk through this page: the parent bumps @gen with
 * @secs set, the target churns for that long and publishes its result
 * with @done = @gen; @gen < 0 tells the target to exit.
 */
struct shared {
	unsigned long base, len;
	volatile int gen, done;
	volatile double secs;
	volatile double churn_mean_ns;
	volatile unsigned long churn_ops;
};

static struct shared *sh;

static void *churn(void *arg)
{
	unsigned long ops = 0;
	double t0 = bench_now();

	while (bench_now() - t0 < sh->secs) {
		char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			break;
		p[0] = 1;
		munmap(p, PG);
		ops++;
	}
	sh->churn_mean_ns = (bench_now() - t0) * 1e9 / (ops ? ops : 1);
	sh->churn_ops = ops;
	return NULL;
}

static void target(unsigned long len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long i;

	if (p == MAP_FAILED)
		_exit(1);
	madvise(p, len, MADV_NOHUGEPAGE);
	for (i = 0; i < len; i += PG)
		p[i] = 1;
	sh->base = (unsigned long)p;
	sh->len = len;
	for (;;) {
		pthread_t t;
		int gen;

		while ((gen = sh->gen) == sh->done)
			usleep(1000);
		if (gen < 0)
			_exit(0);
		/* a thread of the target, as a real application's would be */
		pthread_create(&t, NULL, churn, NULL);
		pthread_join(t, NULL);
		sh->done = gen;
	}
}

/* Churn for @secs while @reader (or nothing) reads; return mean ns. */
static double churn_with(pid_t pid, const char *reader, double secs,
			 unsigned long *reads)
{
	char a[64], b[64];

	snprintf(a, sizeof(a), "/proc/vminspect/%d/vmas", pid);
	snprintf(b, sizeof(b), "/proc/vminspect/%d/mm", pid);
	*reads = 0;
	sh->secs = secs;
	sh->gen++;
	while (sh->done != sh->gen) {
		if (!reader) {
			usleep(10000);
			continue;
		}
		if (!strcmp(reader, "vminspect")) {
			bench_read(a, NULL);
			bench_read(b, NULL);
		} else {
			bench_read(reader, NULL);
		}
		(*reads)++;
	}
	return sh->churn_mean_ns;
}

int main(int argc, char **argv)
{
	double ours[MAX_ROUNDS], rollup[MAX_ROUNDS], pm[MAX_ROUNDS];
	double base_v[MAX_ROUNDS], ours_v[MAX_ROUNDS], rollup_v[MAX_ROUNDS];
	unsigned long mib = 1024, reads, ours_reads = 0, rollup_reads = 0;
	double secs = 1.5, base, with_ours, with_rollup, mo, mr, mp;
	char vmas[64], mm[64], sr[64];
	int rounds = 5, i, c;
	pid_t pid;

	while ((c = getopt(argc, argv, "m:r:t:")) != -1) {
		switch (c) {
		case 'm':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-m MiB] [-r rounds] [-t seconds]\n",
				argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || !mib) {
		fprintf(stderr, "census_bench: bad arguments\n");
		return 2;
	}

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	memset(sh, 0, sizeof(*sh));
	pid = fork();
	if (pid == 0)
		target(mib << 20);
	while (!sh->len) {
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			fprintf(stderr, "census_bench: target failed\n");
			return 1;
		}
		usleep(10000);
	}
	snprintf(vmas, sizeof(vmas), "/proc/vminspect/%d/vmas", pid);
	snprintf(mm, sizeof(mm), "/proc/vminspect/%d/mm", pid);
	snprintf(sr, sizeof(sr), "/proc/%d/smaps_rollup", pid);
	for (i = 0; i < 500 && access(vmas, R_OK); i++)
		usleep(10000);

	for (i = 0; i < rounds; i++) {
		double v = bench_read(vmas, NULL), m = bench_read(mm, NULL);

		ours[i] = (v < 0 || m < 0) ? -1 : v + m;
		rollup[i] = bench_read(sr, NULL);
		pm[i] = bench_pagemap(pid, sh->base, sh->len);
		if (ours[i] < 0 || rollup[i] < 0 || pm[i] < 0) {
			fprintf(stderr, "census_bench: read failed: %s\n",
				strerror(errno));
			kill(pid, SIGKILL);
			return 1;
		}
	}
	mo = median(ours, rounds);
	mr = median(rollup, rounds);
	mp = median(pm, rounds);
	printf("census_bench: %lu MiB of 4 KiB pages, %d rounds (median)\n",
	       mib, rounds);
	printf("  vminspect vmas+mm   %9.3f ms\n", mo * 1e3);
	printf("  smaps_rollup        %9.3f ms\n", mr * 1e3);
	printf("  pagemap (range)     %9.3f ms\n", mp * 1e3);
	printf("  ratio vminspect/smaps_rollup %.3f (target <= 0.5)\n", mo / mr);
	printf("  ratio vminspect/pagemap      %.3f\n", mo / mp);

	/*
	 * Interleave the three conditions, round after round, so that drift
	 * of a shared host hits them alike; report medians.
	 */
	for (i = 0; i < rounds; i++) {
		double b = churn_with(pid, NULL, secs, &reads);

		base_v[i] = b;
		ours_v[i] = churn_with(pid, "vminspect", secs, &reads) / b;
		ours_reads += reads;
		rollup_v[i] = churn_with(pid, sr, secs, &reads) / b;
		rollup_reads += reads;
	}
	base = median(base_v, rounds);
	with_ours = median(ours_v, rounds);
	with_rollup = median(rollup_v, rounds);
	printf("  mmap+touch+munmap   %9.0f ns mean with no reader (median of %d x %.1f s)\n",
	       base, rounds, secs);
	printf("  ratio with vminspect reader  %.3f (target <= 2; %lu reads)\n",
	       with_ours, ours_reads);
	printf("  ratio with smaps_rollup      %.3f (%lu reads)\n",
	       with_rollup, rollup_reads);

	sh->gen = -1;
	waitpid(pid, NULL, 0);
	return 0;
}
