// SPDX-License-Identifier: GPL-2.0
/*
 * export_bench: what a scrape of 'vmview export' costs, side by side with
 * what a smaps-based exporter reads (the kernel's /proc/PID/smaps_rollup,
 * status and stat of every process), in one VM run.
 *
 * 1. N small processes (default 1000; 64 pages each touched): the time of
 *    one 'vmview export' (fork, exec, every process walked) against the
 *    time of reading smaps_rollup + status + stat of every process; and
 *    the mmap+munmap latency of one more small process among them with no
 *    reader, while all are exported back to back, and while the smaps
 *    files of all are read back to back.
 * 2. One process with G GiB (default 4) of 4 KiB pages all touched
 *    (MADV_NOHUGEPAGE; the guest needs more than G GiB of memory): the time
 *    of one 'vmview export --pid P', and the target's mmap+munmap latency
 *    (each needs its mmap write lock) with no reader, while the exporter
 *    scrapes back to back, and while smaps_rollup is read back to back.
 *
 * PASS when the N processes are all walked within the default walk budget
 * (5 s, nothing skipped), the big process's scrape is within it too, and
 * the writer's p99 during scrapes is at most its p99 while smaps_rollup is
 * read; MISS otherwise.  Usage: export_bench [-n N] [-g GiB] [-r ROUNDS]
 * [-t SECONDS]
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
#define MAX_LAT		(1 << 20)

static unsigned long nprocs = 1000, gib = 4;
static int rounds = 5, seconds = 5;
static const char *vmview = "/vmi/bin/vmview";

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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static void drain(const char *path)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

static pid_t *kids;

/* smaps_rollup, status and stat of every small process */
static void read_kids(void)
{
	char path[64];
	unsigned long i;

	for (i = 0; i < nprocs; i++) {
		snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", kids[i]);
		drain(path);
		snprintf(path, sizeof(path), "/proc/%d/status", kids[i]);
		drain(path);
		snprintf(path, sizeof(path), "/proc/%d/stat", kids[i]);
		drain(path);
	}
}

/* Run vmview export ARGS with its output in /tmp/export_bench.prom. */
static double run_export(const char *pid)
{
	unsigned long long t = now_ns();
	pid_t c = fork();
	int st;

	if (!c) {
		if (pid)
			execl(vmview, "vmview", "export", "-o",
			      "/tmp/export_bench.prom", "--pid", pid, NULL);
		else
			execl(vmview, "vmview", "export", "-o",
			      "/tmp/export_bench.prom", NULL);
		_exit(127);
	}
	waitpid(c, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return (now_ns() - t) / 1e6;
}

/* A sample of the last export's output, -1 if absent. */
static double last(const char *series)
{
	char line[1024];
	size_t n = strlen(series);
	double v = -1;
	FILE *f = fopen("/tmp/export_bench.prom", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, series, n) && line[n] == ' ')
			v = strtod(line + n + 1, NULL);
	fclose(f);
	return v;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static double phase(const char *label, pid_t pid, int read, double *scrape);
static pid_t start_target(unsigned long size);

static bool many(void)
{
	double ex[64], km[64], walked, skipped, idle, lex, lkm;
	unsigned long i, k;
	pid_t w;
	int fds[2], r;
	bool pass;
	char c;

	kids = calloc(nprocs, sizeof(*kids));
	if (!kids || pipe(fds))
		return false;
	for (i = 0; i < nprocs; i++) {
		kids[i] = fork();
		if (!kids[i]) {
			char *p = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			for (k = 0; p != MAP_FAILED && k < 64; k++)
				p[k * PG] = 1;
			close(fds[0]);
			if (write(fds[1], "x", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
	}
	close(fds[1]);
	for (i = 0; i < nprocs; i++)
		if (read(fds[0], &c, 1) != 1)
			return false;
	close(fds[0]);
	sleep(1);	/* the module's directories come from a workqueue */
	for (r = 0; r < rounds && r < 64; r++) {
		unsigned long long t;

		ex[r] = run_export(NULL);
		t = now_ns();
		read_kids();
		km[r] = (now_ns() - t) / 1e6;
	}
	walked = last("vminspect_exporter_processes{state=\"walked\"}");
	skipped = last("vminspect_exporter_processes_skipped_total{reason=\"budget\"}");
	printf("export %lu processes: vmview export median %.1f ms "
	       "(walked %.0f, skipped for budget %.0f, walk %.1f ms, longest read %.3f ms)\n",
	       nprocs, median(ex, r), walked, skipped,
	       last("vminspect_exporter_walk_duration_seconds") * 1e3,
	       last("vminspect_exporter_longest_read_seconds") * 1e3);
	printf("export %lu processes: smaps_rollup+status+stat of each median %.1f ms; "
	       "ratio export/kernel %.2f\n",
	       nprocs, median(km, r), median(ex, r) / median(km, r));
	pass = ex[0] >= 0 && walked >= nprocs && skipped == 0 &&
	       median(ex, r) < 5000;
	printf("export %lu processes: %s (all walked, nothing skipped, under the 5 s budget)\n",
	       nprocs, pass ? "PASS" : "MISS");
	/* one more small process, its mmap+munmap timed while all are read */
	w = start_target(64 * PG);
	if (w > 0) {
		idle = phase("no reader", w, 0, NULL);
		lex = phase("vmview export (all)", w, 3, NULL);
		lkm = phase("smaps_rollup+status+stat", w, 4, NULL);
		printf("export %lu processes: writer p99 %.1f us idle, "
		       "%.1f us during scrapes (x%.2f), "
		       "%.1f us during smaps reads (x%.2f)\n",
		       nprocs, idle, lex, lex / idle, lkm, lkm / idle);
		kill(w, SIGKILL);
		waitpid(w, NULL, 0);
	}
	for (i = 0; i < nprocs; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < nprocs; i++)
		waitpid(kids[i], NULL, 0);
	return pass;
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

static void big_target(unsigned long size)
{
	unsigned long off;
	pthread_t th;
	char *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	madvise(p, size, MADV_NOHUGEPAGE);
	for (off = 0; off < size; off += PG)
		p[off] = 1;
	pthread_create(&th, NULL, writer, NULL);
	__atomic_store_n(&sh->ready, 1, __ATOMIC_RELEASE);
	for (;;)
		pause();
}

/*
 * A target of SIZE bytes of 4 KiB pages, all touched, whose writer thread
 * times mmap+munmap while sh->writer_on; its pid, -1 if it failed.
 */
static pid_t start_target(unsigned long size)
{
	pid_t pid;

	sh->ready = 0;
	pid = fork();
	if (!pid)
		big_target(size);
	while (!__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE)) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(10000);
	}
	sleep(1);
	return pid;
}

/*
 * read: 0 none, 1 vmview export --pid, 2 smaps_rollup, 3 vmview export of
 * every process, 4 smaps_rollup+status+stat of the small processes; the
 * writer's p99
 */
static double phase(const char *label, pid_t pid, int read, double *scrape)
{
	char path[64], pidstr[16];
	unsigned long long end;
	double sum = 0, p99;
	int scrapes = 0;
	long n;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	sh->n = 0;
	__atomic_store_n(&sh->writer_on, 1, __ATOMIC_RELEASE);
	end = now_ns() + seconds * 1000000000ULL;
	while (now_ns() < end) {
		unsigned long long t = now_ns();

		if (read == 1) {
			sum += run_export(pidstr);
		} else if (read == 3) {
			sum += run_export(NULL);
		} else if (read == 4) {
			read_kids();
			sum += (now_ns() - t) / 1e6;
		} else if (read == 2) {
			drain(path);
			sum += (now_ns() - t) / 1e6;
		} else {
			usleep(10000);
		}
		scrapes++;
	}
	__atomic_store_n(&sh->writer_on, 0, __ATOMIC_RELEASE);
	usleep(20000);
	n = sh->n;
	if (!n) {
		printf("writer %-28s no samples\n", label);
		return -1;
	}
	qsort(sh->lat_ns, n, sizeof(sh->lat_ns[0]), cmp_uint);
	p99 = sh->lat_ns[(n * 99) / 100] / 1e3;
	printf("writer %-28s mmap+munmap %7ld  median %8.1f us  p99 %8.1f us  max %8.1f us",
	       label, n, sh->lat_ns[n / 2] / 1e3, p99, sh->lat_ns[n - 1] / 1e3);
	if (read)
		printf("  (%d reads, mean %.1f ms)", scrapes, sum / scrapes);
	printf("\n");
	if (scrape)
		*scrape = sum / scrapes;
	return p99;
}

static bool big(void)
{
	double idle, ex, km, scrape;
	bool pass;
	pid_t pid;

	pid = start_target(gib << 30);
	if (pid < 0) {
		printf("export %lu GiB: the target could not map its memory\n",
		       gib);
		return false;
	}
	idle = phase("no reader", pid, 0, NULL);
	ex = phase("vmview export --pid", pid, 1, &scrape);
	printf("export %lu GiB process: scrape %.1f ms "
	       "(walk %.1f ms, longest read %.1f ms, %.0f pages walked in total)\n",
	       gib, scrape, last("vminspect_exporter_walk_duration_seconds") * 1e3,
	       last("vminspect_exporter_longest_read_seconds") * 1e3,
	       last("vminspect_exporter_walked_pages_total"));
	km = phase("smaps_rollup", pid, 2, NULL);
	printf("export %lu GiB process: writer p99 %.1f us idle, %.1f us during scrapes (x%.2f), "
	       "%.1f us during smaps_rollup (x%.2f)\n",
	       gib, idle, ex, ex / idle, km, km / idle);
	pass = idle > 0 && ex > 0 && km > 0 && ex <= km && scrape < 5000;
	printf("export %lu GiB process: %s "
	       "(scrape under 5 s, writer p99 no worse than under smaps_rollup)\n",
	       gib, pass ? "PASS" : "MISS");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return pass;
}

int main(int argc, char **argv)
{
	bool ok;
	int opt;

	if (getenv("VMVIEW"))
		vmview = getenv("VMVIEW");
	while ((opt = getopt(argc, argv, "n:g:r:t:")) >= 0) {
		switch (opt) {
		case 'n':
			nprocs = strtoul(optarg, NULL, 0);
			break;
		case 'g':
			gib = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		default:
			fprintf(stderr,
				"usage: export_bench [-n N] [-g GiB] [-r ROUNDS] [-t SECONDS]\n");
			return 2;
		}
	}
	if (rounds < 1)
		rounds = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	ok = many();
	ok = big() && ok;
	unlink("/tmp/export_bench.prom");
	return ok ? 0 : 1;
}
