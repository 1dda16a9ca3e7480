// SPDX-License-Identifier: GPL-2.0
/*
 * fault_bench: page-fault microbenchmark.  Each round maps fresh anonymous
 * memory (MADV_NOHUGEPAGE, so every 4 KiB page faults once), writes one
 * byte per page and unmaps it.  Prints the time per fault of every round and
 * the minimum and the median; tools/bench/run.sh compares the minimum (the
 * round least disturbed by the host) with the probes off and on.
 *
 * Usage: fault_bench [-m MIB] [-r ROUNDS] [-q]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE	4096UL

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int bad_usage(void)
{
	fprintf(stderr, "usage: fault_bench [-m MIB] [-r ROUNDS] [-q]\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long mib = 64, rounds = 7, pages, i, r;
	int opt, quiet = 0;
	double *ns;
	char *end;

	while ((opt = getopt(argc, argv, "m:r:q")) != -1) {
		switch (opt) {
		case 'm':
			mib = strtoul(optarg, &end, 10);
			if (*end || !mib || mib > 65536)
				return bad_usage();
			break;
		case 'r':
			rounds = strtoul(optarg, &end, 10);
			if (*end || !rounds || rounds > 1000)
				return bad_usage();
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			return bad_usage();
		}
	}
	if (optind != argc)
		return bad_usage();

	pages = mib * 1024 * 1024 / PAGE;
	ns = calloc(rounds, sizeof(*ns));
	if (!ns)
		return 1;
	for (r = 0; r < rounds; r++) {
		volatile char *p;
		double t0;

		p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "fault_bench: mmap: %s\n",
				strerror(errno));
			return 1;
		}
		if (madvise((void *)p, pages * PAGE, MADV_NOHUGEPAGE)) {
			fprintf(stderr, "fault_bench: madvise: %s\n",
				strerror(errno));
			return 1;
		}
		t0 = now_ns();
		for (i = 0; i < pages; i++)
			p[i * PAGE] = 1;
		ns[r] = (now_ns() - t0) / pages;
		munmap((void *)p, pages * PAGE);
		if (!quiet)
			printf("round %lu: %.1f ns/fault\n", r, ns[r]);
	}
	qsort(ns, rounds, sizeof(*ns), cmp_double);
	printf("fault_bench: %lu faults x %lu rounds: min %.1f median %.1f ns/fault\n",
	       pages, rounds, ns[0], ns[rounds / 2]);
	free(ns);
	return 0;
}
