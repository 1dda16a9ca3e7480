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
 * kernel.  The kernel's /proc/<pid>/maps, read 1000 times, for
 * comparison.  Under TCG a hold can also include time the host did not run
 * the vCPU; the writer's latency with no reader shows how large such
 * stalls are.
 *
 * From the target's side, a thread of it maps, touches and unmaps one page
 * in a loop (mmap and munmap need the mmap write lock): its mean latency
 * with no reader and while each of our files is read in a loop (target:
 * at most twice the mean with no reader), and, for comparison, while the
 * kernel's own /proc/<pid>/maps (a short hold per read) and smaps_rollup
 * are, and /proc/<pid>/status, which takes no mmap lock: what a reader
 * busy on another vCPU costs the writer by itself.  Rounds of every reader
 * in turn; the best round of each counts.
 *
 * Per phase, the TLB, function-call and rescheduling IPIs of
 * /proc/interrupts per writer operation: what the writer's munmap sends
 * to the reader's CPU; the 99th percentile of each of mmap, the touch and
 * munmap; and the writer's own waits for the mmap write lock, from the
 * same tracepoints (mmap_lock_start_locking to acquire_returned, filtered
 * to the writer thread): how much of its time is waiting for the lock.
 * -w and -R pin the writer thread and the reader to a CPU each.
 *
 * Usage: lockhold_bench [-g GiB] [-f MiB] [-r rounds] [-t seconds]
 *                       [-w CPU] [-R CPU] [-x FILE]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PG		4096UL
#define STRIDE		(2UL << 20)
#define TRACING		"/sys/kernel/tracing"
#define MAX_HOLDS	(1 << 20)
#define MAX_LAT		(1 << 20)

static unsigned long gib = 4, full_mib = 256;
static int rounds = 3, seconds = 2;
static int writer_cpu = -1, reader_cpu = -1;	/* -w, -R: pinned there */

static void pin_to(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("lockhold_bench: sched_setaffinity");
}

/* The writer's three steps, timed apart. */
enum { STEP_MMAP, STEP_TOUCH, STEP_MUNMAP, NR_STEPS };
static const char *const step_names[NR_STEPS] = { "mmap", "touch", "munmap" };

/* Shared with the target: its writer thread's switch and latencies. */
struct shared {
	int writer_on;
	int ready;
	pid_t writer_tid;
	long n;
	unsigned int lat_ns[MAX_LAT];
	unsigned int step_ns[NR_STEPS][MAX_LAT];
};

static struct shared *sh;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned int clamp_ns(unsigned long long ns)
{
	return ns > ~0U ? ~0U : ns;
}

static void *writer(void *arg)
{
	pin_to(writer_cpu);
	__atomic_store_n(&sh->writer_tid, gettid(), __ATOMIC_RELEASE);
	for (;;) {
		unsigned long long t[NR_STEPS + 1];
		char *p;
		int i;

		if (!__atomic_load_n(&sh->writer_on, __ATOMIC_ACQUIRE)) {
			usleep(1000);
			continue;
		}
		t[0] = now_ns();
		p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		t[1] = now_ns();
		if (p == MAP_FAILED)
			continue;
		*p = 1;
		t[2] = now_ns();
		munmap(p, PG);
		t[3] = now_ns();
		if (sh->n >= MAX_LAT)
			continue;
		for (i = 0; i < NR_STEPS; i++)
			sh->step_ns[i][sh->n] = clamp_ns(t[i + 1] - t[i]);
		sh->lat_ns[sh->n++] = clamp_ns(t[3] - t[0]);
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
 * A line of the trace that is an mmap_lock event of the lock for @write
 * ("write=true" or "write=false"): its event ("acquire_returned ...",
 * after the "mmap_lock_" prefix) and its time stamp in us in @ts, else
 * NULL.  "... [001] ..... 1234.567890: mmap_lock_..."
 */
static const char *trace_event(char *line, const char *write, double *ts)
{
	char *p = strstr(line, ": mmap_lock_"), *q;

	if (!p || !strstr(p, write))
		return NULL;
	q = p;
	while (q > line && q[-1] != ' ')
		q--;
	*ts = strtod(q, NULL) * 1e6;
	return p + strlen(": mmap_lock_");
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
		const char *p = trace_event(line, "write=false", &ts), *q;
		int i;

		if (!p)
			continue;
		q = strstr(p, "mm=");
		if (!q)
			continue;
		mm = strtoull(q + 3, NULL, 16);
		if (!strncmp(p, "acquire_returned", 16)) {
			if (!strstr(p, "success=true"))
				continue;
			for (i = 0; i < 8 && open_mm[i]; i++)
				;
			if (i < 8) {
				open_mm[i] = mm;
				open_at[i] = ts;
			}
		} else if (!strncmp(p, "released", 8)) {
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

/* The writer's waits for the write lock, in the trace of a writer phase. */
struct waits {
	long n;
	double p99, max, sum;	/* us */
};

/*
 * Pair each "mmap_lock_start_locking ... write=true" of the writer thread
 * (set_event_pid) with the "acquire_returned ... write=true" after it.
 */
static struct waits writer_waits(void)
{
	static double v[MAX_HOLDS];
	struct waits w = { 0 };
	char line[512];
	double start = -1;
	FILE *f = fopen(TRACING "/trace", "r");
	long i;

	if (!f)
		return w;
	while (fgets(line, sizeof(line), f)) {
		double ts;
		const char *p = trace_event(line, "write=true", &ts);

		if (!p)
			continue;
		if (!strncmp(p, "start_locking", 13)) {
			start = ts;
		} else if (!strncmp(p, "acquire_returned", 16) && start >= 0) {
			if (w.n < MAX_HOLDS)
				v[w.n++] = ts - start;
			start = -1;
		}
	}
	fclose(f);
	if (!w.n)
		return w;
	qsort(v, w.n, sizeof(v[0]), cmp_double);
	for (i = 0; i < w.n; i++)
		w.sum += v[i];
	w.p99 = v[(w.n * 99) / 100];
	w.max = v[w.n - 1];
	return w;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/*
 * The readers of the writer phases: none, each of our files, and for
 * comparison the kernel's smaps_rollup.  A reader reads its file whole in
 * a loop; translate's writes a random address first.
 */
static const char *const readers[] = {
	"none", "mm", "vmas", "pagetable", "processes", "translate",
	"maps", "smaps_rollup", "status",
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NR_READERS	ARRAY_SIZE(readers)

static void read_once(pid_t pid, const char *file)
{
	char path[64], addr[32];

	if (!strcmp(file, "processes")) {
		drain("/proc/vminspect/processes", NULL);
		return;
	}
	if (!strcmp(file, "smaps_rollup") || !strcmp(file, "status") ||
	    !strcmp(file, "maps")) {
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
		drain(path, NULL);
		return;
	}
	snprintf(path, sizeof(path), "/proc/vminspect/%d/%s", pid, file);
	if (!strcmp(file, "translate")) {
		snprintf(addr, sizeof(addr), "%lx",
			 (unsigned long)random() << 12);
		drain(path, addr);
		return;
	}
	drain(path, NULL);
}

/* The IPIs of /proc/interrupts a writer phase counts, summed over CPUs. */
static const char *const ipi_names[] = { "TLB", "CAL", "RES" };
#define NR_IPIS		ARRAY_SIZE(ipi_names)

static void ipi_counts(unsigned long long *n)
{
	char line[4096];
	unsigned int i;
	FILE *f;

	memset(n, 0, NR_IPIS * sizeof(*n));
	f = fopen("/proc/interrupts", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		while (*p == ' ')
			p++;
		for (i = 0; i < NR_IPIS; i++) {
			size_t len = strlen(ipi_names[i]);

			if (!strncmp(p, ipi_names[i], len) && p[len] == ':') {
				p += len + 1;
				break;
			}
		}
		if (i == NR_IPIS)
			continue;
		for (;; p = end) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			n[i] += v;
		}
	}
	fclose(f);
}

struct lat {
	double mean, median, p99, max;
	double step_p99[NR_STEPS];
	double ipis[NR_IPIS];	/* per writer operation */
	struct waits waits;
	double total_us;	/* the writer's time, for the waits' share */
	long n;
};

/*
 * The trace of a writer phase.  Every event and set_event_pid are set once,
 * before the first phase, and left alone until the target is gone:
 * enabling an event patches kernel text (static keys), and under
 * multi-threaded TCG patching text that the other vCPU runs has hung or
 * crashed the guest (see Documentation/testing.rst, "Lock hold time").
 */
static int trace_writer(bool on)
{
	if (!on)
		return put("tracing_on", "0");
	return put("trace", "") || put("tracing_on", "1");
}

/* The writer's latencies while @file (or nothing: "none") is read. */
static struct lat writer_phase(pid_t pid, const char *file)
{
	unsigned long long end, ipi0[NR_IPIS], ipi1[NR_IPIS];
	struct lat l = { 0 };
	double sum = 0;
	long i, n;
	int s;

	sh->n = 0;
	trace_writer(true);
	ipi_counts(ipi0);
	__atomic_store_n(&sh->writer_on, 1, __ATOMIC_RELEASE);
	end = now_ns() + seconds * 1000000000ULL;
	while (now_ns() < end) {
		if (strcmp(file, "none"))
			read_once(pid, file);
		else
			usleep(10000);
	}
	__atomic_store_n(&sh->writer_on, 0, __ATOMIC_RELEASE);
	usleep(20000);
	ipi_counts(ipi1);
	trace_writer(false);
	l.waits = writer_waits();
	n = sh->n;
	if (!n)
		return l;
	for (i = 0; i < (long)NR_IPIS; i++)
		l.ipis[i] = (double)(ipi1[i] - ipi0[i]) / n;
	for (s = 0; s < NR_STEPS; s++) {
		qsort(sh->step_ns[s], n, sizeof(sh->step_ns[s][0]), cmp_uint);
		l.step_p99[s] = sh->step_ns[s][(n * 99) / 100] / 1e3;
	}
	qsort(sh->lat_ns, n, sizeof(sh->lat_ns[0]), cmp_uint);
	for (i = 0; i < n; i++)
		sum += sh->lat_ns[i];
	l.total_us = sum / 1e3;
	l.n = n;
	l.mean = sum / n / 1e3;
	l.median = sh->lat_ns[n / 2] / 1e3;
	l.p99 = sh->lat_ns[(n * 99) / 100] / 1e3;
	l.max = sh->lat_ns[n - 1] / 1e3;
	return l;
}

/*
 * -x FILE: one writer phase under FILE with the sched_switch, sched_wakeup
 * and sched_waking events on as well (for the reader and the writer
 * thread), the trace left in tracefs to be read (what a long wait of the
 * writer is made of); no other phase.  The events are enabled while the
 * writer thread sleeps, but still patch text: on a guest with one TCG
 * thread or on real hardware.
 */
static int trace_one_phase(pid_t pid, const char *file)
{
	unsigned long long end;

	if (put("events/sched/sched_switch/enable", "1") ||
	    put("events/sched/sched_wakeup/enable", "1") ||
	    put("events/sched/sched_waking/enable", "1") ||
	    put("trace", "") || put("tracing_on", "1"))
		return 1;
	__atomic_store_n(&sh->writer_on, 1, __ATOMIC_RELEASE);
	end = now_ns() + seconds * 1000000000ULL;
	while (now_ns() < end)
		read_once(pid, file);
	__atomic_store_n(&sh->writer_on, 0, __ATOMIC_RELEASE);
	put("tracing_on", "0");
	printf("lockhold_bench: writer tid %d, reader %d under %s: %s/trace\n",
	       sh->writer_tid, getpid(), file, TRACING);
	return 0;
}

/*
 * Rounds of every reader in turn; per reader the round of the lowest mean
 * (under TCG the slower rounds measure the host), and its ratio to the
 * lowest mean with no reader: target <= 2x for our files.
 */
static void writer_phases(pid_t pid)
{
	struct lat best[NR_READERS] = { 0 }, l;
	unsigned int i;
	int r;

	printf("writer: mmap+touch+munmap of one page in the target, %d rounds",
	       rounds);
	printf(" of %d s per reader, the round of the lowest mean\n", seconds);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < NR_READERS; i++) {
			l = writer_phase(pid, readers[i]);
			if (l.n && (!best[i].n || l.mean < best[i].mean))
				best[i] = l;
		}
	}
	for (i = 0; i < NR_READERS; i++) {
		double ratio = best[0].mean ? best[i].mean / best[0].mean : 0;

		l = best[i];
		printf("writer %-12s %7ld  mean %8.1f us  median %8.1f us",
		       readers[i], l.n, l.mean, l.median);
		printf("  p99 %8.1f us  max %8.1f us", l.p99, l.max);
		printf("  IPIs/op TLB %.2f CAL %.2f RES %.2f", l.ipis[0],
		       l.ipis[1], l.ipis[2]);
		if (!i)
			printf("\n");
		else if (!strcmp(readers[i], "smaps_rollup") ||
			 !strcmp(readers[i], "maps"))
			printf("  %6.2fx (the kernel's, no target)\n", ratio);
		else if (!strcmp(readers[i], "status"))
			printf("  %6.2fx (the kernel's, takes no mmap lock)\n",
			       ratio);
		else
			printf("  %6.2fx (target <= 2.0x) %s\n", ratio,
			       ratio <= 2.0 ? "PASS" : "MISS");
		printf("  %-12s p99 %s %.1f %s %.1f %s %.1f us", "",
		       step_names[0], l.step_p99[0], step_names[1],
		       l.step_p99[1], step_names[2], l.step_p99[2]);
		printf("; write-lock waits %ld p99 %.1f us max %.1f us, %.0f%% of its time\n",
		       l.waits.n, l.waits.p99, l.waits.max,
		       l.total_us ? 100 * l.waits.sum / l.total_us : 0);
	}
}

int main(int argc, char **argv)
{
	static const char *const files[] = { "mm", "vmas", "pagetable" };
	unsigned long long mm;
	char path[64], addr[32], pidstr[32];
	struct utsname u;
	double max = 0, m;
	pid_t pid;
	const char *trace_file = NULL;
	int opt, i, r;

	while ((opt = getopt(argc, argv, "g:f:r:t:w:R:x:")) >= 0) {
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
		case 'w':
			writer_cpu = atoi(optarg);
			break;
		case 'R':
			reader_cpu = atoi(optarg);
			break;
		case 'x':
			trace_file = optarg;
			break;
		default:
			fputs("usage: lockhold_bench [-g GiB] [-f MiB] [-r rounds]"
			      " [-t secs] [-w CPU] [-R CPU] [-x FILE]\n",
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
	pin_to(reader_cpu);
	/* no page faults of our own in the trace */
	mlockall(MCL_CURRENT | MCL_FUTURE);
	uname(&u);
	printf("lockhold_bench: kernel %s, target %lu GiB mapped (a page every 2 MiB)",
	       u.release, gib);
	printf(" + %lu MiB populated, %d rounds\n", full_mib, rounds);

	/* our reads' holds and the writer thread's waits */
	while (!__atomic_load_n(&sh->writer_tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	snprintf(pidstr, sizeof(pidstr), "%d %d", getpid(), sh->writer_tid);
	/* mono: the writer's start and acquire may be on two CPUs */
	if (put("tracing_on", "0") || put("trace", "") ||
	    put("trace_clock", "mono") ||
	    put("buffer_size_kb", "32768") || put("set_event_pid", pidstr) ||
	    put("events/mmap_lock/mmap_lock_start_locking/enable", "1") ||
	    put("events/mmap_lock/mmap_lock_acquire_returned/enable", "1") ||
	    put("events/mmap_lock/mmap_lock_released/enable", "1")) {
		perror("lockhold_bench: tracefs");
		kill(pid, SIGKILL);
		return 1;
	}
	if (trace_file) {
		i = trace_one_phase(pid, trace_file);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return i;
	}
	for (i = 0; i < 6; i++) {
		put("trace", "");
		put("tracing_on", "1");
		for (r = 0; r < rounds; r++) {
			if (i < 3) {
				snprintf(path, sizeof(path),
					 "/proc/vminspect/%d/%s", pid, files[i]);
				drain(path, NULL);
			} else if (i == 3) {
				drain("/proc/vminspect/processes", NULL);
			} else if (i == 5) {
				int k;

				/* the kernel's maps: a hold per read */
				snprintf(path, sizeof(path), "/proc/%d/maps",
					 pid);
				for (k = 0; k < 1000 / rounds; k++)
					drain(path, NULL);
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
			   i == 4 ? "translate" : "maps", mm);
		/* maps is the kernel's: for comparison only */
		if (i < 5 && m > max)
			max = m;
	}
	printf("lockhold longest hold %.1f us (target < 1000 us) %s\n", max,
	       max < 1000 ? "PASS" : "MISS");

	writer_phases(pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	put("events/mmap_lock/mmap_lock_start_locking/enable", "0");
	put("events/mmap_lock/mmap_lock_acquire_returned/enable", "0");
	put("events/mmap_lock/mmap_lock_released/enable", "0");
	put("set_event_pid", "");
	put("trace", "");
	put("trace_clock", "local");
	put("buffer_size_kb", "1408");
	return 0;
}
