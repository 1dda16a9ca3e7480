/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmarks share: a monotonic clock, a timed read of a whole
 * file, a timed pagemap read of a range, and the best of N rounds.
 */
#ifndef _VMI_BENCH_H
#define _VMI_BENCH_H

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define BENCH_PAGE	4096UL

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read a whole file; seconds taken (and bytes read if @bytes), or -1. */
static inline double bench_read(const char *path, size_t *bytes)
{
	static char buf[1 << 16];
	double t0 = bench_now();
	size_t total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	close(fd);
	if (bytes)
		*bytes = total;
	return n < 0 ? -1 : bench_now() - t0;
}

/* @pid's pagemap over [start, start + len), as a tool reads the range. */
static inline double bench_pagemap(pid_t pid, unsigned long start,
				   unsigned long len)
{
	static unsigned long long buf[8192];
	unsigned long off = start / BENCH_PAGE * 8;
	unsigned long end = (start + len) / BENCH_PAGE * 8;
	double t0 = bench_now();
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while (off < end) {
		size_t n = end - off < sizeof(buf) ? end - off : sizeof(buf);

		if (pread(fd, buf, n, off) != (ssize_t)n) {
			close(fd);
			return -1;
		}
		off += n;
	}
	close(fd);
	return bench_now() - t0;
}

static inline double bench_best(const double *v, int n)
{
	double b = v[0];
	int i;

	for (i = 1; i < n; i++)
		if (v[i] < b)
			b = v[i];
	return b;
}

#endif /* _VMI_BENCH_H */
