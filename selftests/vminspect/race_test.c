// SPDX-License-Identifier: GPL-2.0
/*
 * race_test: the walker's locking rules (module/walk.c), each raced by the
 * change it claims to be safe against, on a foreign mm.
 *
 * - hole_translate: translate of addresses outside every VMA while the
 *   target mmaps 1 GiB, touches a page every 2 MiB and munmaps it, in a
 *   loop.  munmap frees the page tables of the range while we may be
 *   reading them; a table is read only while a VMA overlaps it.  Variants:
 *   a small VMA kept in the same 1 GiB (its PMD table stays, the PTE tables
 *   go) and the range alone in its 512 GiB (every table below the pgd
 *   goes).
 * - hugetlb_unshare: a MAP_SHARED hugetlb memfd mapped 1 GiB-aligned by two
 *   processes, so they share PMD tables; one of them punches holes in it
 *   and truncates it (huge_pmd_unshare() in both mms) while the other's
 *   files are read.
 * - shmem_collapse: a shmem memfd mapped 2 MiB-aligned by the target, its
 *   PTE tables retracted (6.6+: without the target's mmap lock) by
 *   MADV_COLLAPSE in a second process, then hole-punched, in a loop.
 * - dontneed_tables: MADV_DONTNEED of whole PTE tables, which PT_RECLAIM
 *   (7.3) frees under the read lock.
 * - thp_split: THPs mapped by PTEs, collapsed and zapped, while mm and
 *   vmas read the folio (order, node, mapcount) of every PTE-mapped page.
 *
 * While the target changes, a reader reads its vmas, pagetable, mm,
 * translate (random addresses in the range) and the processes listing,
 * whose table counts skip the PTE tables' entries (VMI_WALK_CONTINUE after
 * each table is locked), and every read must succeed.  Then the target
 * stops in a known state and our counts must equal /proc/<pid>/pagemap's,
 * and the tables processes counts per level those of mm's full census.
 * The guest's dmesg check fails the run on any KASAN, lockdep or other
 * report.  VMI_RACE_SECONDS sets each race's length (default 4).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vst_util.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB	0x0004U
#endif
#ifndef MFD_HUGE_2MB
#define MFD_HUGE_2MB	(21U << 26)
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define SZ_2M		(2UL << 20)
#define SZ_1G		(1UL << 30)
#define SZ_512G		(1UL << 39)
/* far from the heap, the libraries and the stack, each in its own pud */
#define HOLE_BASE	(0x500UL * SZ_1G)
#define HUGE_A		(0x540UL * SZ_1G)
#define HUGE_B		(0x580UL * SZ_1G)
#define SHMEM_BASE	(0x5c0UL * SZ_1G)
#define ANON_BASE	(0x5c8UL * SZ_1G)
#define HUGE_TOUCHED	32		/* 2 MiB pages touched per mapping */
#define SHMEM_SIZE	(8UL << 20)
#define ANON_SIZE	(16UL << 20)

/* Shared between the test and its children. */
struct race_ctl {
	int stop;		/* 1: stop changing; 2: targets reach the final state */
	long cycles;		/* target loops */
	long changes;		/* punches, truncates, collapses */
	long collapsed;		/* MADV_COLLAPSE successes */
	long errors;		/* failed syscalls in the children */
	int last_errno;
	int collapse_errno;	/* why MADV_COLLAPSE failed last */
};

/* What the reader saw. */
struct race_reads {
	long reads, translations;
	long stop_leaf, stop_none, stop_unguarded, stop_other;
	long failed;
	int first_errno;
	char first_file[16];
};

static struct race_ctl *ctl;

static int race_seconds(void)
{
	const char *s = getenv("VMI_RACE_SECONDS");

	return s && atoi(s) > 0 ? atoi(s) : 4;
}

static bool stopped(void)
{
	return __atomic_load_n(&ctl->stop, __ATOMIC_RELAXED) >= 1;
}

/* A target waits until every changer has stopped before its final state. */
static void wait_final(void)
{
	while (__atomic_load_n(&ctl->stop, __ATOMIC_RELAXED) < 2)
		usleep(1000);
}

static void set_stop(int phase)
{
	__atomic_store_n(&ctl->stop, phase, __ATOMIC_RELAXED);
}

static void count_error(void)
{
	__atomic_fetch_add(&ctl->errors, 1, __ATOMIC_RELAXED);
	ctl->last_errno = errno;
}

static void touch_every(unsigned long start, unsigned long end,
			unsigned long step)
{
	unsigned long a;

	for (a = start; a < end; a += step)
		*(volatile char *)a = 1;
}

static void read_every(unsigned long start, unsigned long end,
		       unsigned long step)
{
	unsigned long a;

	for (a = start; a < end; a += step)
		(void)*(volatile char *)a;
}

/* Ask translate about @addr (the file is not seekable for pwrite()). */
static int ask(int fd, unsigned long addr)
{
	char in[32];
	int n = snprintf(in, sizeof(in), "%lx\n", addr);

	if (lseek(fd, 0, SEEK_SET) < 0 || write(fd, in, n) != n)
		return -errno;
	return 0;
}

/* Read a whole open file; 0 or -errno. */
static int drain(int fd, char *buf, size_t size, size_t *len)
{
	size_t n = 0;
	ssize_t r;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	while ((r = read(fd, buf + n, size - 1 - n)) > 0) {
		n += r;
		if (n == size - 1)
			n = 0;	/* keep reading, keep the tail */
	}
	if (r < 0)
		return -errno;
	buf[n] = '\0';
	if (len)
		*len = n;
	return 0;
}

static void note_failure(struct race_reads *rr, const char *file, int err)
{
	if (!rr->failed++) {
		rr->first_errno = -err;
		snprintf(rr->first_file, sizeof(rr->first_file), "%s", file);
	}
}

static void translate_one(struct race_reads *rr, int fd, unsigned long addr)
{
	char buf[4096];
	const char *stop;
	int err;

	err = ask(fd, addr);
	if (err) {
		note_failure(rr, "translate", err);
		return;
	}
	err = drain(fd, buf, sizeof(buf), NULL);
	if (err) {
		note_failure(rr, "translate", err);
		return;
	}
	rr->translations++;
	stop = strstr(buf, "\nstop ");
	if (!stop)
		note_failure(rr, "translate", -EBADMSG);
	else if (!strncmp(stop + 6, "leaf-", 5))
		rr->stop_leaf++;
	else if (!strncmp(stop + 6, "none-", 5))
		rr->stop_none++;
	else if (!strncmp(stop + 6, "unguarded-", 10))
		rr->stop_unguarded++;
	else
		rr->stop_other++;
}

/*
 * Read @pid's files for @seconds while it changes: translate of random
 * pages of [start, end) and, unless @translate_only, vmas, pagetable, mm
 * and the processes listing in turn.
 */
static void race_read(pid_t pid, unsigned long start, unsigned long end,
		      bool translate_only, int seconds, struct race_reads *rr)
{
	static const char *const files[] = {
		"vmas", "pagetable", "mm", "processes"
	};
	enum { NFILES = ARRAY_SIZE(files) };
	static char big[1 << 16];
	unsigned long pages = (end - start) / VST_PAGE;
	char path[64];
	int fds[NFILES], tfd, i;
	time_t until = time(NULL) + seconds;

	memset(rr, 0, sizeof(*rr));
	for (i = 0; i < NFILES; i++) {
		if (!strcmp(files[i], "processes"))
			snprintf(path, sizeof(path), "/proc/vminspect/processes");
		else
			snprintf(path, sizeof(path), "/proc/vminspect/%d/%s",
				 pid, files[i]);
		fds[i] = open(path, O_RDONLY);
		if (fds[i] < 0)
			note_failure(rr, files[i], -errno);
	}
	snprintf(path, sizeof(path), "/proc/vminspect/%d/translate", pid);
	tfd = open(path, O_RDWR);
	if (tfd < 0)
		note_failure(rr, "translate", -errno);

	while (time(NULL) < until && !rr->failed) {
		translate_one(rr, tfd, start + (random() % pages) * VST_PAGE);
		rr->reads++;
		if (translate_only)
			continue;
		i = rr->reads / 2 % NFILES;
		i = drain(fds[i], big, sizeof(big), NULL);
		if (i)
			note_failure(rr, files[rr->reads / 2 % NFILES], i);
		rr->reads++;
	}
	for (i = 0; i < NFILES; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (tfd >= 0)
		close(tfd);
}

/* Wait until @pid has stopped itself (SIGSTOP) or died. */
static bool wait_stopped(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, WUNTRACED) != pid)
		return false;
	return WIFSTOPPED(status);
}

static pid_t start_child(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		fn(arg);
		raise(SIGSTOP);
		_exit(0);
	}
	return pid;
}

/* Our present pages in [start, end), summed over the VMAs there. */
static long vmas_present(pid_t pid, unsigned long start, unsigned long end)
{
	struct vst_vma *v;
	long present = 0;
	int n, i;

	n = vst_read_vmas(pid, &v);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (v[i].start >= start && v[i].end <= end)
			present += v[i].state[VMI_STATE_PRESENT];
	free(v);
	return present;
}

/*
 * The page tables of stopped @pid per level as the processes listing
 * counts them (PTE tables skipped once locked, their entries unread) must
 * be those of mm's census, which reads every entry.
 */
static void expect_processes_census(struct __test_metadata *_metadata,
				    pid_t pid)
{
	static const char *const levels[] = VMI_LEVEL_NAMES;
	unsigned long t[VMI_NR_LEVELS], tables, entries, cap, bytes;
	char *procs = vst_read_file("/proc/vminspect/processes", NULL);
	char *mm = vst_read_pidfile(pid, "mm");
	unsigned long vmas, rss;
	char key[32], *p;
	int i, got;

	ASSERT_NE(NULL, procs);
	ASSERT_NE(NULL, mm);
	snprintf(key, sizeof(key), "\n%d ", pid);
	p = strstr(procs, key);
	ASSERT_NE(NULL, p);
	got = sscanf(p + strlen(key), "%lu %lu %lu %lu %lu %lu %lu", &vmas,
		     &rss, &t[0], &t[1], &t[2], &t[3], &t[4]);
	ASSERT_EQ(7, got);
	for (i = 0; i < VMI_NR_LEVELS; i++) {
		ASSERT_TRUE(vst_census_line(mm, levels[i], &tables, &entries,
					    &cap, &bytes));
		EXPECT_EQ(tables, t[i]) {
			TH_LOG("%s tables: processes %lu, mm census %lu",
			       levels[i], t[i], tables);
		}
	}
	TH_LOG("stopped: processes and mm count %lu pmd and %lu pte tables",
	       t[VMI_LEVEL_PMD], t[VMI_LEVEL_PTE]);
	free(procs);
	free(mm);
}

static void log_reads(struct __test_metadata *_metadata,
		      const struct race_reads *rr)
{
	TH_LOG("target cycles %ld, changes %ld (collapsed %ld), child errors %ld",
	       ctl->cycles, ctl->changes, ctl->collapsed, ctl->errors);
	TH_LOG("reads %ld, translations %ld: stop leaf %ld, none %ld, unguarded %ld, other %ld",
	       rr->reads, rr->translations, rr->stop_leaf, rr->stop_none,
	       rr->stop_unguarded, rr->stop_other);
	if (rr->failed)
		TH_LOG("%ld reads failed, the first of %s: %s", rr->failed,
		       rr->first_file, strerror(rr->first_errno));
}

FIXTURE(race) {
	pid_t pids[2];
};

FIXTURE_SETUP(race)
{
	ctl = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ctl);
	memset(ctl, 0, sizeof(*ctl));
	self->pids[0] = 0;
	self->pids[1] = 0;
	srandom(getpid());
}

FIXTURE_TEARDOWN(race)
{
	int i;

	for (i = 0; i < 2; i++)
		if (self->pids[i] > 0)
			vst_kill(self->pids[i]);
	munmap(ctl, sizeof(*ctl));
}

/*
 * End a race: the changer (pids[1], if any) stops changing and stops
 * itself, then the target (pids[0]) reaches its final state and stops.
 */
static bool race_stop(struct _test_data_race *self)
{
	if (self->pids[1] > 0) {
		set_stop(1);
		if (!wait_stopped(self->pids[1]))
			return false;
	}
	set_stop(2);
	return wait_stopped(self->pids[0]);
}

/* ---- hole_translate ---- */

struct hole_arg {
	unsigned long keep;	/* a VMA kept in the same 1 GiB, or 0 */
	unsigned long start, end;	/* the range mapped and unmapped */
};

/* Map the range, 4 KiB pages only: PTE tables for munmap to free. */
static void *hole_map(const struct hole_arg *h)
{
	void *p = mmap((void *)h->start, h->end - h->start,
		       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != MAP_FAILED && madvise(p, h->end - h->start, MADV_NOHUGEPAGE))
		count_error();
	return p;
}

static void hole_child(void *arg)
{
	const struct hole_arg *h = arg;
	void *p;

	if (h->keep) {
		p = mmap((void *)h->keep, VST_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0);
		if (p != (void *)h->keep) {
			count_error();
			return;
		}
		*(volatile char *)p = 1;
	}
	while (!stopped()) {
		p = hole_map(h);
		if (p != (void *)h->start) {
			count_error();
			return;
		}
		touch_every(h->start, h->end, SZ_2M);
		if (munmap(p, h->end - h->start))
			count_error();
		__atomic_fetch_add(&ctl->cycles, 1, __ATOMIC_RELAXED);
	}
	/* the final state: mapped, a page every 2 MiB touched */
	wait_final();
	if (hole_map(h) != (void *)h->start)
		count_error();
	else
		touch_every(h->start, h->end, SZ_2M);
}

static void hole_translate(struct __test_metadata *_metadata,
			   struct _test_data_race *self, bool keep)
{
	struct hole_arg h = {
		.start = HOLE_BASE + (keep ? SZ_2M : 0),
		.end = HOLE_BASE + SZ_1G,
		.keep = keep ? HOLE_BASE : 0,
	};
	struct vst_pagemap_counts pc;
	struct race_reads rr;
	long leaf = 0, none = 0;
	unsigned long a;
	char buf[4096];
	char path[64];
	int fd;

	self->pids[0] = start_child(hole_child, &h);
	ASSERT_GT(self->pids[0], 0);
	ASSERT_EQ(0, vst_wait_pid_dir(self->pids[0], true));
	race_read(self->pids[0], h.start, h.end, true, race_seconds(), &rr);
	ASSERT_TRUE(race_stop(self));
	log_reads(_metadata, &rr);
	EXPECT_EQ(0, rr.failed);
	EXPECT_EQ(0, ctl->errors);
	EXPECT_GT(ctl->cycles, 0);
	EXPECT_EQ(0, rr.stop_other);

	/* stopped: every 2 MiB a present page, as pagemap says */
	snprintf(path, sizeof(path), "/proc/vminspect/%d/translate",
		 self->pids[0]);
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd);
	for (a = h.start; a < h.end; a += SZ_2M / 2) {
		uint64_t pm;
		bool present;

		ASSERT_EQ(0, vst_pagemap_entry(self->pids[0], a, &pm));
		present = pm >> 63;
		ASSERT_EQ(0, ask(fd, a));
		ASSERT_EQ(0, drain(fd, buf, sizeof(buf), NULL));
		if (present) {
			EXPECT_NE(NULL, strstr(buf, "\nstop leaf-pte\n"));
			leaf++;
		} else {
			EXPECT_NE(NULL, strstr(buf, "\nstop none-pte\n"));
			none++;
		}
	}
	close(fd);
	ASSERT_EQ(0, vst_pagemap_counts(self->pids[0], h.start, h.end, &pc));
	EXPECT_EQ(pc.present, vmas_present(self->pids[0], h.start, h.end));
	EXPECT_EQ(pc.present, leaf);
	TH_LOG("stopped: %ld present, %ld empty probes; pagemap present %lu",
	       leaf, none, pc.present);
	expect_processes_census(_metadata, self->pids[0]);
}

/* a VMA kept in the same 1 GiB: the PMD table stays, PTE tables go */
/* 1024 probes of 2 ms each after the race on a debug kernel, 3x when busy */
TEST_F_TIMEOUT(race, hole_translate_kept_pmd_table, 120)
{
	hole_translate(_metadata, self, true);
}

/* the range alone in its 512 GiB: every table below the pgd goes */
TEST_F_TIMEOUT(race, hole_translate_alone, 120)
{
	hole_translate(_metadata, self, false);
}

/* ---- hugetlb_unshare ---- */

struct huge_arg {
	int fd;
	unsigned long base;
	bool punch;	/* the one that punches and truncates */
};

static void huge_child(void *arg)
{
	const struct huge_arg *g = arg;
	unsigned long end = g->base + HUGE_TOUCHED * SZ_2M;
	void *p;

	p = mmap((void *)g->base, SZ_1G, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_NORESERVE | MAP_FIXED_NOREPLACE, g->fd, 0);
	if (p != (void *)g->base) {
		count_error();
		return;
	}
	touch_every(g->base, end, SZ_2M);
	while (!stopped()) {
		if (g->punch) {
			off_t off = (random() % HUGE_TOUCHED) * SZ_2M;

			if (fallocate(g->fd, FALLOC_FL_PUNCH_HOLE |
				      FALLOC_FL_KEEP_SIZE, off, SZ_2M))
				count_error();
			if (ftruncate(g->fd, SZ_1G - SZ_2M) ||
			    ftruncate(g->fd, SZ_1G))
				count_error();
			__atomic_fetch_add(&ctl->changes, 1, __ATOMIC_RELAXED);
		}
		touch_every(g->base, end, SZ_2M);
		__atomic_fetch_add(&ctl->cycles, 1, __ATOMIC_RELAXED);
	}
	if (!g->punch) {
		wait_final();
		touch_every(g->base, end, SZ_2M);
	}
}

TEST_F(race, hugetlb_unshare)
{
	struct huge_arg a = { .base = HUGE_A }, b = { .base = HUGE_B };
	struct vst_pagemap_counts pc;
	struct race_reads rr;
	int fd;

	if (!vst_hugetlb_reserve(2048, 2 * HUGE_TOUCHED))
		SKIP(return, "cannot reserve %d 2 MiB huge pages", 2 * HUGE_TOUCHED);
	fd = memfd_create("race-hugetlb", MFD_HUGETLB | MFD_HUGE_2MB);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, SZ_1G));
	a.fd = fd;
	b.fd = fd;
	b.punch = true;

	self->pids[0] = start_child(huge_child, &a);
	ASSERT_GT(self->pids[0], 0);
	ASSERT_EQ(0, vst_wait_pid_dir(self->pids[0], true));
	usleep(100000);		/* a maps first: b then shares its PMD table */
	self->pids[1] = start_child(huge_child, &b);
	ASSERT_GT(self->pids[1], 0);
	race_read(self->pids[0], HUGE_A, HUGE_A + HUGE_TOUCHED * SZ_2M, false,
		  race_seconds(), &rr);
	ASSERT_TRUE(race_stop(self));
	close(fd);
	log_reads(_metadata, &rr);
	EXPECT_EQ(0, rr.failed);
	EXPECT_EQ(0, ctl->errors);
	EXPECT_GT(ctl->changes, 0);

	ASSERT_EQ(0, vst_pagemap_counts(self->pids[0], HUGE_A, HUGE_A + SZ_1G,
					&pc));
	EXPECT_EQ(HUGE_TOUCHED * SZ_2M / VST_PAGE, pc.present);
	EXPECT_EQ(pc.present, vmas_present(self->pids[0], HUGE_A,
					   HUGE_A + SZ_1G));
	TH_LOG("stopped: pagemap present %lu pages", pc.present);
	expect_processes_census(_metadata, self->pids[0]);
}

/* ---- shmem_collapse ---- */

struct shmem_arg {
	int fd;
	unsigned long base;
	bool collapse;	/* the one that fills, collapses and punches */
};

static void shmem_child(void *arg)
{
	const struct shmem_arg *s = arg;
	unsigned long end = s->base + SHMEM_SIZE;
	void *p;

	p = mmap((void *)s->base, SHMEM_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, s->fd, 0);
	/* only the collapser's VMA asks for THPs: the target's stay small */
	if (p != (void *)s->base ||
	    (s->collapse && madvise(p, SHMEM_SIZE, MADV_HUGEPAGE))) {
		count_error();
		return;
	}
	while (!stopped()) {
		if (s->collapse) {
			/*
			 * small pages (shmem THP off), faulted in here and
			 * mapped by the target's PTEs
			 */
			touch_every(s->base, end, VST_PAGE);
			usleep(2000);
			if (!madvise(p, SHMEM_SIZE, MADV_COLLAPSE))
				__atomic_fetch_add(&ctl->collapsed, 1,
						   __ATOMIC_RELAXED);
			else
				ctl->collapse_errno = errno;
			usleep(2000);
			if (fallocate(s->fd, FALLOC_FL_PUNCH_HOLE |
				      FALLOC_FL_KEEP_SIZE, 0, SHMEM_SIZE))
				count_error();
			__atomic_fetch_add(&ctl->changes, 1, __ATOMIC_RELAXED);
		} else {
			read_every(s->base, end, VST_PAGE);
		}
		__atomic_fetch_add(&ctl->cycles, 1, __ATOMIC_RELAXED);
	}
	if (!s->collapse) {
		wait_final();
		touch_every(s->base, end, VST_PAGE);
	}
}

/*
 * shmem THP off for faults ("never", Debian's default), so that faults map
 * small pages; MADV_COLLAPSE still collapses them (it ignores the setting
 * unless it is "deny").
 */
static bool shmem_thp_never(void)
{
	const char *path = "/sys/kernel/mm/transparent_hugepage/shmem_enabled";
	char *s = vst_read_file(path, NULL);
	bool ok = s && strstr(s, "[never]");
	int fd;

	free(s);
	if (ok)
		return true;
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	ok = write(fd, "never", 5) == 5;
	close(fd);
	return ok;
}

TEST_F(race, shmem_collapse)
{
	struct shmem_arg a = { .base = SHMEM_BASE };
	struct shmem_arg b = { .base = SHMEM_BASE + SZ_1G, .collapse = true };
	struct vst_pagemap_counts pc;
	struct race_reads rr;
	int fd;

	if (!vst_thp_available() || !shmem_thp_never())
		SKIP(return, "no shmem THP on this kernel");
	fd = memfd_create("race-shmem", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, SHMEM_SIZE));
	a.fd = fd;
	b.fd = fd;

	self->pids[0] = start_child(shmem_child, &a);
	ASSERT_GT(self->pids[0], 0);
	self->pids[1] = start_child(shmem_child, &b);
	ASSERT_GT(self->pids[1], 0);
	ASSERT_EQ(0, vst_wait_pid_dir(self->pids[0], true));
	race_read(self->pids[0], SHMEM_BASE, SHMEM_BASE + SHMEM_SIZE, false,
		  race_seconds(), &rr);
	ASSERT_TRUE(race_stop(self));
	close(fd);
	log_reads(_metadata, &rr);
	EXPECT_EQ(0, rr.failed);
	EXPECT_EQ(0, ctl->errors);
	EXPECT_GT(ctl->changes, 0);
	/* 5-20 per run on the three kernels, none on the 6.1 debug kernel */
	if (!ctl->collapsed)
		TH_LOG("MADV_COLLAPSE never succeeded (%s): no table was retracted",
		       strerror(ctl->collapse_errno));

	ASSERT_EQ(0, vst_pagemap_counts(self->pids[0], SHMEM_BASE,
					SHMEM_BASE + SHMEM_SIZE, &pc));
	EXPECT_EQ(SHMEM_SIZE / VST_PAGE, pc.present);
	EXPECT_EQ(pc.present, vmas_present(self->pids[0], SHMEM_BASE,
					   SHMEM_BASE + SHMEM_SIZE));
	expect_processes_census(_metadata, self->pids[0]);
}

/* ---- dontneed_tables ---- */

static void anon_child(void *arg)
{
	unsigned long end = ANON_BASE + ANON_SIZE;
	void *p;

	p = mmap((void *)ANON_BASE, ANON_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)ANON_BASE || madvise(p, ANON_SIZE, MADV_NOHUGEPAGE)) {
		count_error();
		return;
	}
	while (!stopped()) {
		touch_every(ANON_BASE, end, VST_PAGE * 7);
		if (madvise(p, ANON_SIZE, MADV_DONTNEED))
			count_error();
		__atomic_fetch_add(&ctl->cycles, 1, __ATOMIC_RELAXED);
	}
	/* the final state: the first half touched */
	wait_final();
	touch_every(ANON_BASE, ANON_BASE + ANON_SIZE / 2, VST_PAGE);
}

/*
 * A race on the anonymous range of @child (anon_child, thp_child): reads
 * while it changes, then, stopped with the first half touched, its counts
 * against pagemap's.
 */
static void race_anon(struct __test_metadata *_metadata,
		      struct _test_data_race *self, void (*child)(void *arg))
{
	struct vst_pagemap_counts pc;
	struct race_reads rr;

	self->pids[0] = start_child(child, NULL);
	ASSERT_GT(self->pids[0], 0);
	ASSERT_EQ(0, vst_wait_pid_dir(self->pids[0], true));
	race_read(self->pids[0], ANON_BASE, ANON_BASE + ANON_SIZE, false,
		  race_seconds(), &rr);
	ASSERT_TRUE(race_stop(self));
	log_reads(_metadata, &rr);
	EXPECT_EQ(0, rr.failed);
	EXPECT_EQ(0, ctl->errors);
	EXPECT_GT(ctl->cycles, 0);

	ASSERT_EQ(0, vst_pagemap_counts(self->pids[0], ANON_BASE,
					ANON_BASE + ANON_SIZE, &pc));
	EXPECT_EQ(ANON_SIZE / 2 / VST_PAGE, pc.present);
	EXPECT_EQ(pc.present, vmas_present(self->pids[0], ANON_BASE,
					   ANON_BASE + ANON_SIZE));
	expect_processes_census(_metadata, self->pids[0]);
}

TEST_F(race, dontneed_tables)
{
	race_anon(_metadata, self, anon_child);
}

/* ---- thp_split ---- */

/*
 * Anonymous THPs made, mapped by PTEs (mprotect of every other 1 MiB splits
 * the PMDs, not the folios), collapsed again (MADV_COLLAPSE) and zapped, in
 * a loop: mm and vmas read the folio of every PTE-mapped page (its order,
 * node and mapcount) under the PTE lock, which keeps it from being split or
 * freed while a PTE maps it.
 */
static void thp_child(void *arg)
{
	unsigned long off;
	char *p;

	p = mmap((void *)ANON_BASE, ANON_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)ANON_BASE || madvise(p, ANON_SIZE, MADV_HUGEPAGE)) {
		count_error();
		return;
	}
	while (!stopped()) {
		touch_every(ANON_BASE, ANON_BASE + ANON_SIZE, VST_PAGE);
		for (off = 0; off < ANON_SIZE; off += 2 << 20)
			if (mprotect(p + off, 1 << 20, PROT_READ))
				count_error();
		if (mprotect(p, ANON_SIZE, PROT_READ | PROT_WRITE))
			count_error();
		if (!madvise(p, ANON_SIZE / 2, MADV_COLLAPSE))
			__atomic_fetch_add(&ctl->collapsed, 1,
					   __ATOMIC_RELAXED);
		if (madvise(p, ANON_SIZE, MADV_DONTNEED))
			count_error();
		__atomic_fetch_add(&ctl->cycles, 1, __ATOMIC_RELAXED);
	}
	wait_final();
	touch_every(ANON_BASE, ANON_BASE + ANON_SIZE / 2, VST_PAGE);
}

TEST_F(race, thp_split)
{
	if (!vst_thp_available())
		SKIP(return, "no transparent huge pages in this kernel");
	race_anon(_metadata, self, thp_child);
	TH_LOG("%ld cycles, %ld collapses", ctl->cycles, ctl->collapsed);
}

TEST_HARNESS_MAIN
