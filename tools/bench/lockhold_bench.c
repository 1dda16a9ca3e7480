// SPDX-License-Identifier: GPL-2.0
/*
 * lockhold_bench: how long vminspect holds a target's mmap lock.
 *
 * The target maps 4 GiB of anonymous memory (MADV_NOHUGEPAGE, one page
 * touched every 2 MiB: 2048 PTE tables of one entry each) plus 256 MiB
 * populated page by page (65536 present PTEs).  We read each of its
 * /proc/vminspect files (and processes, and 1000 translations) with the
 * kernel's own mmap_lock tracepoints on (mmap_lock_acquire_returned and
 * mmap_lock_released, filtered to our pid), pair each read acquisition of
 * the target's mm with its release and report, per file, the holds, their
 * mean, 99th and 99.9th percentiles, maximum and how many took 1 ms or
 * more, in guest microseconds.  Target: holds under 1 ms on the normal
 * kernel.  Under TCG a hold can also include time the host did not run the
 * vCPU; the writer's latency with no reader shows how large such stalls are.
 *
 * From the target's side, a thread of it maps and unmaps one page in a loop
 * (each needs the mmap write lock): its latency with no reader, while vmas
 * and pagetable are read continuously, and, for comparison, while the
 * kernel's own /proc/<pid>/smaps_rollup is.
 *
 * Usage: lockhold_bench [-g GiB] [-f MiB] [-r rounds] [-t seconds]
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

#define PG		4096UL
#define STRIDE		(2UL << 20)
#define TRACING		"/sys/kernel/tracing"
#define MAX_HOLDS	(1 << 20)
#define MAX_LAT		(1 << 20)

static unsigned long gib = 4, full_mib = 256;
static int rounds = 3, seconds = 5;

/* Shared with the target: its writer thread's switch and latencies. */
struct shared {
	int writer_on;
	int ready;
	long n;
	unsigned int lat_ns[MAX_LAT];
};

static struct shared *sh;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void *writer(void *arg)
{
	for (;;) {
		unsigned long long t;
		char *p;

		if (!__atomic_load_n(&sh->writer_on, __ATOMIC_ACQUIRE)) {
			usleep(1000);
			continue;
		}
		t = now_ns();
		p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED) {
			*p = 1;
			munmap(p, PG);
		}
		t = now_ns() - t;
		if (sh->n < MAX_LAT)
			sh->lat_ns[sh->n++] = t > ~0U ? ~0U : t;
	}
	return NULL;
}

static void target(void)
{
	unsigned long size = gib << 30, off;
	char *sparse, *full;
	pthread_t th;

	sparse = mmap(NULL, size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	full = mmap(NULL, full_mib << 20, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sparse == MAP_FAILED || full == MAP_FAILED)
		_exit(1);
	madvise(sparse, size, MADV_NOHUGEPAGE);
	madvise(full, full_mib << 20, MADV_NOHUGEPAGE);
	for (off = 0; off < size; off += STRIDE)
		sparse[off] = 1;
	for (off = 0; off < full_mib << 20; off += PG)
		full[off] = 1;
	pthread_create(&th, NULL, writer, NULL);
	__atomic_store_n(&sh->ready, 1, __ATOMIC_RELEASE);
	for (;;)
		pause();
}

static int put(const char *file, const char *val)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), TRACING "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

static void drain(const char *path, const char *addr)
{
	static char buf[1 << 16];
	int fd = open(path, addr ? O_RDWR : O_RDONLY);

	if (fd < 0) {
		perror(path);
		return;
	}
	if (addr && write(fd, addr, strlen(addr)) < 0)
		perror(path);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

struct hold {
	unsigned long long mm;
	double us;
};

static struct hold *holds;
static long nholds;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Parse the trace: pair "acquire_returned ... write=false success=true"
 * with the next "released ... write=false" of the same mm.
 */
static int parse_trace(void)
{
	unsigned long long open_mm[8] = { 0 };
	double open_at[8];
	char line[512];
	FILE *f = fopen(TRACING "/trace", "r");

	if (!f)
		return -1;
	nholds = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long mm;
		double ts;
		char *p = strstr(line, ": mmap_lock_");
		char *q;
		int i;

		if (!p || !strstr(p, "write=false"))
			continue;
		/* "... [001] ..... 1234.567890: mmap_lock_..." */
		q = p;
		while (q > line && q[-1] != ' ')
			q--;
		ts = strtod(q, NULL) * 1e6;
		q = strstr(p, "mm=");
		if (!q)
			continue;
		mm = strtoull(q + 3, NULL, 16);
		if (!strncmp(p, ": mmap_lock_acquire_returned", 28)) {
			if (!strstr(p, "success=true"))
				continue;
			for (i = 0; i < 8 && open_mm[i]; i++)
				;
			if (i < 8) {
				open_mm[i] = mm;
				open_at[i] = ts;
			}
		} else if (!strncmp(p, ": mmap_lock_released", 20)) {
			for (i = 0; i < 8 && open_mm[i] != mm; i++)
				;
			if (i == 8)
				continue;
			if (nholds < MAX_HOLDS) {
				holds[nholds].mm = mm;
				holds[nholds].us = ts - open_at[i];
				nholds++;
			}
			open_mm[i] = 0;
		}
	}
	fclose(f);
	return 0;
}

/* Holds of @mm: count, mean, p99, max; returns the max. */
static double report(const char *label, unsigned long long mm)
{
	static double v[MAX_HOLDS];
	double sum = 0, max;
	long i, n = 0, over;

	for (i = 0; i < nholds; i++)
		if (holds[i].mm == mm)
			v[n++] = holds[i].us;
	if (!n) {
		printf("lockhold %-10s no holds seen\n", label);
		return 0;
	}
	qsort(v, n, sizeof(v[0]), cmp_double);
	for (i = 0; i < n; i++)
		sum += v[i];
	max = v[n - 1];
	for (over = 0, i = 0; i < n; i++)
		over += v[i] >= 1000;
	printf("lockhold %-10s holds %7ld  mean %7.1f us  p99 %7.1f us  p99.9 %7.1f us",
	       label, n, sum / n, v[(n * 99) / 100], v[(n * 999) / 1000]);
	printf("  max %7.1f us  >=1ms %ld\n", max, over);
	return max;
}

/* The mm with the most holds in the trace: the target's. */
static unsigned long long busiest_mm(void)
{
	unsigned long long best = 0;
	long i, j, n, bestn = 0;

	for (i = 0; i < nholds && i < 4096; i++) {
		for (n = 0, j = 0; j < nholds; j++)
			n += holds[j].mm == holds[i].mm;
		if (n > bestn) {
			bestn = n;
			best = holds[i].mm;
		}
	}
	return best;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* @read: 0 no reader, 1 vmas + pagetable, 2 smaps_rollup (the kernel's) */
static void writer_phase(const char *label, pid_t pid, int read)
{
	char path[2][64];
	unsigned long long end;
	long n;

	if (read == 2) {
		snprintf(path[0], sizeof(path[0]), "/proc/%d/smaps_rollup", pid);
		snprintf(path[1], sizeof(path[1]), "/proc/%d/smaps_rollup", pid);
	} else {
		snprintf(path[0], sizeof(path[0]), "/proc/vminspect/%d/vmas",
			 pid);
		snprintf(path[1], sizeof(path[1]),
			 "/proc/vminspect/%d/pagetable", pid);
	}
	sh->n = 0;
	__atomic_store_n(&sh->writer_on, 1, __ATOMIC_RELEASE);
	end = now_ns() + seconds * 1000000000ULL;
	while (now_ns() < end) {
		if (read) {
			drain(path[0], NULL);
			drain(path[1], NULL);
		} else {
			usleep(10000);
		}
	}
	__atomic_store_n(&sh->writer_on, 0, __ATOMIC_RELEASE);
	usleep(20000);
	n = sh->n;
	if (!n) {
		printf("writer %-22s no samples\n", label);
		return;
	}
	qsort(sh->lat_ns, n, sizeof(sh->lat_ns[0]), cmp_uint);
	printf("writer %-22s mmap+munmap %7ld  ", label, n);
	printf("median %8.1f us  p99 %8.1f us  max %8.1f us\n",
	       sh->lat_ns[n / 2] / 1e3, sh->lat_ns[(n * 99) / 100] / 1e3,
	       sh->lat_ns[n - 1] / 1e3);
}

int main(int argc, char **argv)
{
	static const char *const files[] = { "mm", "vmas", "pagetable" };
	unsigned long long mm;
	char path[64], addr[32], pidstr[16];
	double max = 0, m;
	pid_t pid;
	int opt, i, r;

	while ((opt = getopt(argc, argv, "g:f:r:t:")) >= 0) {
		switch (opt) {
		case 'g':
			gib = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			full_mib = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		default:
			fputs("usage: lockhold_bench [-g GiB] [-f MiB] [-r rounds] [-t secs]\n",
			      stderr);
			return 2;
		}
	}
	if (access(TRACING "/events/mmap_lock/mmap_lock_released/enable", W_OK)) {
		fprintf(stderr, "lockhold_bench: no mmap_lock tracepoints in %s\n",
			TRACING);
		return 1;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	holds = calloc(MAX_HOLDS, sizeof(*holds));
	if (sh == MAP_FAILED || !holds)
		return 1;
	pid = fork();
	if (pid == 0)
		target();
	while (!__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE))
		usleep(10000);
	/* no page faults of our own in the trace */
	mlockall(MCL_CURRENT | MCL_FUTURE);
	printf("lockhold_bench: target %lu GiB mapped (a page every 2 MiB)",
	       gib);
	printf(" + %lu MiB populated, %d rounds\n", full_mib, rounds);

	snprintf(pidstr, sizeof(pidstr), "%d", getpid());
	if (put("tracing_on", "0") || put("trace", "") ||
	    put("buffer_size_kb", "32768") || put("set_event_pid", pidstr) ||
	    put("events/mmap_lock/mmap_lock_acquire_returned/enable", "1") ||
	    put("events/mmap_lock/mmap_lock_released/enable", "1")) {
		perror("lockhold_bench: tracefs");
		kill(pid, SIGKILL);
		return 1;
	}
	for (i = 0; i < 5; i++) {
		put("trace", "");
		put("tracing_on", "1");
		for (r = 0; r < rounds; r++) {
			if (i < 3) {
				snprintf(path, sizeof(path),
					 "/proc/vminspect/%d/%s", pid, files[i]);
				drain(path, NULL);
			} else if (i == 3) {
				drain("/proc/vminspect/processes", NULL);
			} else {
				int k;

				snprintf(path, sizeof(path),
					 "/proc/vminspect/%d/translate", pid);
				for (k = 0; k < 1000 / rounds; k++) {
					snprintf(addr, sizeof(addr), "%lx",
						 (unsigned long)random() << 12);
					drain(path, addr);
				}
			}
		}
		put("tracing_on", "0");
		parse_trace();
		mm = busiest_mm();
		m = report(i < 3 ? files[i] : i == 3 ? "processes" :
			   "translate", mm);
		if (m > max)
			max = m;
	}
	put("events/mmap_lock/mmap_lock_acquire_returned/enable", "0");
	put("events/mmap_lock/mmap_lock_released/enable", "0");
	put("set_event_pid", "");
	put("trace", "");
	put("buffer_size_kb", "1408");
	printf("lockhold longest hold %.1f us (target < 1000 us)%s\n", max,
	       max < 1000 ? "" : " -- over target");

	writer_phase("no reader", pid, 0);
	writer_phase("vmas+pagetable reader", pid, 1);
	writer_phase("smaps_rollup reader", pid, 2);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
}
