// SPDX-License-Identifier: GPL-2.0
/*
 * stress_test: readers of every /proc/vminspect file race target processes
 * that change their address space as fast as they can, while the module is
 * unloaded and loaded again.
 *
 * - Readers (processes) open a random per-process file of a random target
 *   (or of pid 1, of themselves, of a random pid) and read it with random
 *   buffer sizes; translate gets random addresses in the targets' arenas.
 *   Every open, read and write must end in data or a clean error: ESRCH
 *   (the process exited), EACCES, ENOENT (no such directory, or vminspect
 *   is unmounted or unloaded), EINTR.  Files opened before an unmount
 *   keep working (they pin the module), so never EIO.  Data must start
 *   with the file's version line.
 * - Targets (two threads each) mmap/munmap, mremap, mprotect, MADV_DONTNEED,
 *   MADV_PAGEOUT, make THPs and split them (partial munmap/mprotect),
 *   MADV_COLLAPSE, fork children that touch memory and exit, and exit
 *   themselves after a random time to be replaced by new ones.
 * - The unloader unmounts /proc/vminspect lazily and calls delete_module()
 *   every second or so (refused while readers' files are open: retried
 *   until they are closed), then finit_module() on /vmi/vminspect.ko and
 *   mounts it again.
 *
 * VMI_STRESS_SECONDS sets the duration (default 10); the run goes on, up
 * to 600 s more, until every kind of race has happened at least once.
 * The guest's dmesg check (tools/vm/init) fails the run on any oops, WARN,
 * KASAN or lockdep report; this test fails on any unclean error or
 * unparsable data.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vst_util.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define NR_READERS	3
#define NR_TARGETS	3
#define NR_PIDS		64
#define NR_ERRNOS	160
#define ARENA_BASE	0x7e0000000000UL
#define ARENA_STRIDE	(1UL << 32)
#define ARENA_SIZE	(64UL << 20)
#define THP_OFF		(32UL << 20)	/* 4M of THP tests in the arena */
#define HUGE		(2UL << 20)
#define STABLE_SIZE	(8UL << 20)

/* Counters shared by every process of the test (MAP_SHARED). */
struct stress {
	int stop;
	long reads, bytes, opens, writes, parsed;
	long err[NR_ERRNOS];
	long bad;
	char badmsg[256];
	long forks, exits, unloads, loads, unload_busy, unload_wait_max_ms;
	long mmaps, munmaps, mremaps, mprotects, dontneeds, pageouts;
	long thps, thp_splits, collapses, collapsed;
	pid_t pids[NR_PIDS];
};

static struct stress *S;

#define STOPPED()	__atomic_load_n(&S->stop, __ATOMIC_RELAXED)

static void add(long *counter, long n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static void inc(long *counter)
{
	add(counter, 1);
}

/* splitmix64 over a Weyl sequence in *seed */
static unsigned long rnd(unsigned int *seed, unsigned long n)
{
	unsigned long long z;

	*seed += 0x9e3779b9U;
	z = *seed * 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return n ? z % n : 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void bad(const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&S->bad, 1, __ATOMIC_RELAXED) == 0) {
		va_start(ap, fmt);
		vsnprintf(S->badmsg, sizeof(S->badmsg), fmt, ap);
		va_end(ap);
	}
}

static bool clean_errno(int e)
{
	return e == ESRCH || e == EACCES || e == ENOENT || e == EINTR;
}

static void count_err(const char *what, const char *path, int e)
{
	inc(&S->err[e < NR_ERRNOS ? e : 0]);
	if (!clean_errno(e))
		bad("%s %s: %s", what, path, strerror(e));
}

/* ---- targets ---------------------------------------------------------- */

static void register_pid(unsigned int *seed)
{
	__atomic_store_n(&S->pids[rnd(seed, NR_PIDS)], getpid(),
			 __ATOMIC_RELAXED);
}

static void touch(char *p, unsigned long len, unsigned int *seed, int n)
{
	while (n-- > 0)
		p[rnd(seed, len) & ~(VST_PAGE - 1)] = 1;
}

static void touch_all(char *p, unsigned long len)
{
	unsigned long off;

	for (off = 0; off < len; off += VST_PAGE)
		p[off] = 1;
}

/* A page-aligned random subrange [*off, *off + *len) of the arena. */
static void subrange(unsigned int *seed, unsigned long size,
		     unsigned long *off, unsigned long *len)
{
	*off = rnd(seed, size / VST_PAGE) * VST_PAGE;
	*len = (1 + rnd(seed, 512)) * VST_PAGE;
	if (*off + *len > size)
		*len = size - *off;
}

static char *fresh(char *addr, unsigned long len)
{
	char *p = mmap(addr, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	inc(&S->mmaps);
	return p;
}

/* A THP at @p (2M aligned, 4M mapped), then split by one of two ways. */
static void thp_cycle(char *p, unsigned int *seed)
{
	if (!fresh(p, 2 * HUGE))
		return;
	madvise(p, 2 * HUGE, MADV_HUGEPAGE);
	touch_all(p, 2 * HUGE);
	inc(&S->thps);
	if (rnd(seed, 2))
		munmap(p + HUGE / 2, VST_PAGE);
	else
		mprotect(p + HUGE + VST_PAGE * 7, VST_PAGE, PROT_READ);
	inc(&S->thp_splits);
}

/* Small pages in a 2M-aligned range, then MADV_COLLAPSE. */
static void collapse_cycle(char *p)
{
	if (!fresh(p, 2 * HUGE))
		return;
	madvise(p, 2 * HUGE, MADV_NOHUGEPAGE);
	touch_all(p, 2 * HUGE);
	madvise(p, 2 * HUGE, MADV_HUGEPAGE);
	inc(&S->collapses);
	if (!madvise(p, 2 * HUGE, MADV_COLLAPSE))
		inc(&S->collapsed);
}

static void fork_cycle(char *arena, unsigned int *seed)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return;
	if (pid == 0) {
		unsigned int s = *seed ^ getpid();

		register_pid(&s);
		/* copy-on-write breaks and a few page-table changes */
		touch(arena + THP_OFF + 2 * HUGE, 2 * HUGE, &s, 64);
		madvise(arena + THP_OFF + 2 * HUGE, HUGE, MADV_DONTNEED);
		sleep_ms(rnd(&s, 20));
		_exit(0);
	}
	inc(&S->forks);
	if (waitpid(pid, &status, 0) == pid)
		inc(&S->exits);
}

static char *stable;

/* Second thread of a target: page faults racing the mutator. */
static void *toucher(void *arg)
{
	unsigned int seed = (unsigned long)arg;

	for (;;) {
		touch(stable, STABLE_SIZE, &seed, 64);
		usleep(500);
	}
	return NULL;
}

static void target(int slot, unsigned int seed)
{
	char *arena = (char *)(ARENA_BASE + slot * ARENA_STRIDE);
	struct timespec t0, t;
	long life_ms = 300 + rnd(&seed, 2000);
	pthread_t th;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	register_pid(&seed);
	stable = mmap(NULL, STABLE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stable == MAP_FAILED ||
	    mmap(arena, ARENA_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != arena)
		_exit(1);
	/* small pages outside the THP area: zeroing 2M pages is slow in TCG */
	madvise(arena, THP_OFF, MADV_NOHUGEPAGE);
	madvise(stable, STABLE_SIZE, MADV_NOHUGEPAGE);
	touch(arena, ARENA_SIZE, &seed, 2048);
	pthread_create(&th, NULL, toucher, (void *)(unsigned long)seed);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!STOPPED()) {
		unsigned long off, len, off2;

		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 > life_ms)
			break;
		subrange(&seed, THP_OFF, &off, &len);
		switch (rnd(&seed, 10)) {
		case 0:
			if (!fresh(arena + off, len))
				break;
			madvise(arena + off, len, MADV_NOHUGEPAGE);
			touch(arena + off, len, &seed, 16);
			break;
		case 1:
			munmap(arena + off, len);
			inc(&S->munmaps);
			break;
		case 2:
			/* a fresh, touched range moved to the other half */
			if (len > THP_OFF / 4)
				len = THP_OFF / 4;
			off = rnd(&seed, (THP_OFF / 2 - len) / VST_PAGE) *
			      VST_PAGE;
			off2 = THP_OFF / 2 + rnd(&seed, (THP_OFF / 2 - len) /
						 VST_PAGE) * VST_PAGE;
			if (!fresh(arena + off, len))
				break;
			madvise(arena + off, len, MADV_NOHUGEPAGE);
			touch(arena + off, len, &seed, 16);
			if (mremap(arena + off, len, len,
				   MREMAP_MAYMOVE | MREMAP_FIXED,
				   arena + off2) != MAP_FAILED)
				inc(&S->mremaps);
			break;
		case 3:
			mprotect(arena + off, len,
				 rnd(&seed, 3) == 0 ? PROT_NONE :
				 rnd(&seed, 2) ? PROT_READ :
				 PROT_READ | PROT_WRITE);
			inc(&S->mprotects);
			break;
		case 4:
			madvise(arena + off, len, MADV_DONTNEED);
			madvise(stable, STABLE_SIZE / 2, MADV_DONTNEED);
			inc(&S->dontneeds);
			break;
		case 5:
			madvise(arena + off, len, MADV_PAGEOUT);
			madvise(stable + STABLE_SIZE / 2, STABLE_SIZE / 2,
				MADV_PAGEOUT);
			inc(&S->pageouts);
			break;
		case 6:
			thp_cycle(arena + THP_OFF, &seed);
			break;
		case 7:
			collapse_cycle(arena + THP_OFF + 2 * HUGE);
			break;
		case 8:
			fork_cycle(arena, &seed);
			break;
		default:
			sched_yield();
			break;
		}
	}
	_exit(0);
}

/* Keeps NR_TARGETS targets alive until stopped; counts their exits. */
static void supervisor(unsigned int seed)
{
	pid_t kids[NR_TARGETS] = { 0 };
	unsigned int tseed;
	int i, status;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (!STOPPED()) {
		for (i = 0; i < NR_TARGETS; i++) {
			if (kids[i] > 0 && waitpid(kids[i], &status, WNOHANG) ==
			    kids[i]) {
				inc(&S->exits);
				kids[i] = 0;
			}
			if (kids[i] > 0)
				continue;
			/* drawn in the parent, or every target gets one seed */
			tseed = rnd(&seed, 1UL << 32);
			kids[i] = fork();
			if (kids[i] == 0)
				target(i, tseed);
			if (kids[i] > 0)
				inc(&S->forks);
		}
		sleep_ms(10);
	}
	for (i = 0; i < NR_TARGETS; i++) {
		if (kids[i] > 0 && waitpid(kids[i], &status, 0) == kids[i])
			inc(&S->exits);
	}
	_exit(0);
}

/* ---- readers ---------------------------------------------------------- */

static const char *const files[] = {
	VMI_PROC_MM, VMI_PROC_VMAS, VMI_PROC_PAGETABLE, VMI_PROC_TRANSLATE,
	VMI_PROC_PROCESSES,
};

static pid_t pick_pid(unsigned int *seed)
{
	switch (rnd(seed, 10)) {
	case 0:
		return 1;
	case 1:
		return getpid();
	case 2:
		return 1 + rnd(seed, 512);
	default:
		return __atomic_load_n(&S->pids[rnd(seed, NR_PIDS)],
				       __ATOMIC_RELAXED) ?: 1;
	}
}

/* Read @fd to EOF with random sizes; check the version line. */
static void drain(int fd, const char *path, const char *file,
		  unsigned int *seed)
{
	static char buf[16384];
	char want[48], head[48];
	size_t have = 0, n = 0;
	ssize_t r;

	n = snprintf(want, sizeof(want), "vminspect-%s ", file);
	for (;;) {
		size_t len = rnd(seed, 2) ? sizeof(buf) :
					    1 + rnd(seed, sizeof(buf));

		r = read(fd, buf, len);
		if (r < 0) {
			count_err("read", path, errno);
			return;
		}
		inc(&S->reads);
		add(&S->bytes, r);
		if (r == 0)
			break;
		if (have < n) {
			size_t c = n - have < (size_t)r ? n - have : (size_t)r;

			memcpy(head + have, buf, c);
			have += c;
		}
	}
	if (have == n && !memcmp(head, want, n))
		inc(&S->parsed);
	else if (have)
		bad("%s: no version line: %.*s", path, (int)have, head);
}

static void read_one(unsigned int *seed)
{
	const char *file = files[rnd(seed, 20) ? rnd(seed, 4) : 4];
	bool xlate = !strcmp(file, VMI_PROC_TRANSLATE);
	pid_t pid = pick_pid(seed);
	char path[80];
	int fd, i;

	if (!strcmp(file, VMI_PROC_PROCESSES))
		snprintf(path, sizeof(path), "/proc/%s/%s", VMI_PROC_DIR, file);
	else
		snprintf(path, sizeof(path), "/proc/%s/%d/%s", VMI_PROC_DIR,
			 pid, file);
	fd = open(path, xlate ? O_RDWR : O_RDONLY);
	if (fd < 0) {
		count_err("open", path, errno);
		if (errno == ENOENT)
			usleep(200);	/* unloaded, or no such pid */
		return;
	}
	inc(&S->opens);
	for (i = 0; i < (xlate ? 4 : 1); i++) {
		if (xlate) {
			unsigned long slot = rnd(seed, NR_TARGETS);
			unsigned long a = ARENA_BASE + slot * ARENA_STRIDE +
					  rnd(seed, ARENA_SIZE + HUGE);
			char s[24];
			int n;

			if (!rnd(seed, 8))
				a = rnd(seed, 1UL << 47);
			n = snprintf(s, sizeof(s), "%lx\n", a);
			if (write(fd, s, n) != n) {
				count_err("write", path, errno);
				break;
			}
			inc(&S->writes);
		}
		drain(fd, path, file, seed);
	}
	close(fd);
}

static void reader(unsigned int seed)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (!STOPPED())
		read_one(&seed);
	_exit(0);
}

/* ---- unloader --------------------------------------------------------- */

/*
 * Unmounted lazily, vminspect takes no new opens (readers see ENOENT); the
 * files open on it pin the module until their reads end.  Wait for them
 * however slow the machine is: one read on the debug kernel under TCG on a
 * loaded CI host has kept the module busy for more than a second.  Busy
 * for vst_retry_unload()'s 30 s after the readers have stopped is a leaked
 * reference, and fails the test.
 */
static int unload_when_drained(void)
{
	struct timespec t0, t;
	long waited;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		ret = vst_retry_unload();
	} while (ret && errno == EWOULDBLOCK && !STOPPED());
	if (ret && errno == EWOULDBLOCK)
		ret = vst_retry_unload();	/* the readers have stopped */
	clock_gettime(CLOCK_MONOTONIC, &t);
	waited = (t.tv_sec - t0.tv_sec) * 1000 +
		 (t.tv_nsec - t0.tv_nsec) / 1000000;
	if (waited > __atomic_load_n(&S->unload_wait_max_ms, __ATOMIC_RELAXED))
		__atomic_store_n(&S->unload_wait_max_ms, waited,
				 __ATOMIC_RELAXED);
	return ret;
}

static void unloader(unsigned int seed, long period_ms)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (!STOPPED()) {
		sleep_ms(period_ms / 2 + rnd(&seed, period_ms));
		if (STOPPED())
			break;
		if (vst_module_unload()) {
			if (errno != EWOULDBLOCK) {
				bad("umount or delete_module: %s",
				    strerror(errno));
				continue;
			}
			/* readers' files pin it: they close soon */
			inc(&S->unload_busy);
			if (unload_when_drained()) {
				bad("delete_module: %s%s", strerror(errno),
				    errno == EWOULDBLOCK ?
				    ", still busy after the readers stopped" :
				    "");
				break;
			}
		}
		inc(&S->unloads);
		sleep_ms(rnd(&seed, 100));
		if (vst_module_load())
			bad("finit_module or mount: %s", strerror(errno));
		else
			inc(&S->loads);
	}
	_exit(0);
}

static pid_t start(void (*fn)(unsigned int), unsigned int seed)
{
	pid_t pid = fork();

	if (pid == 0)
		fn(seed);
	return pid;
}

static void print_counts(struct __test_metadata *_metadata)
{
	int e;

	printf("# reads %ld (%ld bytes) opens %ld translate writes %ld, outputs parsed %ld\n",
	       S->reads, S->bytes, S->opens, S->writes, S->parsed);
	for (e = 0; e < NR_ERRNOS; e++)
		if (S->err[e])
			printf("# errors %s: %ld\n", e ? strerror(e) : "other",
			       S->err[e]);
	printf("# races: forks %ld exits %ld unloads %ld loads %ld",
	       S->forks, S->exits, S->unloads, S->loads);
	printf(" (busy %ld, longest wait %ld ms)\n", S->unload_busy,
	       S->unload_wait_max_ms);
	printf("# races: mmaps %ld munmaps %ld mremaps %ld mprotects %ld",
	       S->mmaps, S->munmaps, S->mremaps, S->mprotects);
	printf(" dontneed %ld pageout %ld\n", S->dontneeds, S->pageouts);
	printf("# races: THPs made %ld split %ld, collapses %ld (succeeded %ld)\n",
	       S->thps, S->thp_splits, S->collapses, S->collapsed);
	if (S->bad)
		printf("# unclean: %ld, first: %s\n", S->bad, S->badmsg);
}

static long stress_seconds(void)
{
	const char *s = getenv("VMI_STRESS_SECONDS");
	long n = s ? strtol(s, NULL, 10) : 10;

	return n > 0 ? n : 10;
}

FIXTURE(stress) {
	pid_t kids[NR_READERS + 2];
};

FIXTURE_SETUP(stress)
{
	S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, S);
	memset(self->kids, 0, sizeof(self->kids));
}

FIXTURE_TEARDOWN(stress)
{
	int i;

	__atomic_store_n(&S->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < NR_READERS + 2; i++)
		if (self->kids[i] > 0)
			waitpid(self->kids[i], NULL, 0);
	vst_module_ensure();
}

static long unload_period_ms;

/*
 * Has every kind of race happened at least once?  On a debug kernel under
 * TCG 10 s have not been enough for a target to mmap (debug-7.3: 14 opens
 * and no mmap in 10 s), so the run goes on until they have.
 */
static bool stress_saw_all(bool can_unload)
{
	long *const c[] = {
		&S->parsed, &S->forks, &S->exits, &S->mmaps, &S->munmaps,
		&S->mremaps, &S->mprotects, &S->dontneeds, &S->pageouts,
		&S->thps, &S->thp_splits, &S->collapses,
		&S->unloads,	/* last: not without the module file */
	};

	return vst_all_positive(c, ARRAY_SIZE(c) - !can_unload);
}

static void unloader_fn(unsigned int seed)
{
	unloader(seed, unload_period_ms);
}

/* Up to 4 hours: VMI_STRESS_SECONDS bounds the run itself. */
TEST_F_TIMEOUT(stress, readers_targets_unload, 4 * 3600 + 120)
{
	long secs = stress_seconds();
	bool can_unload = !access(VST_MODULE_PATH, R_OK);
	unsigned int seed = time(NULL) ^ getpid();
	char *after;
	int i, n = 0;

	ASSERT_TRUE(vst_module_loaded());
	if (vst_swap_on())
		TH_LOG("no swap: MADV_PAGEOUT only drops file pages");
	printf("# stress: %ld s, %d readers, %d targets, seed %u%s\n", secs,
	       NR_READERS, NR_TARGETS, seed,
	       can_unload ? "" : ", no unloads (no " VST_MODULE_PATH ")");

	/* a few unloads in a short run, one every 1-2 s in a long one */
	unload_period_ms = secs >= 30 ? 1500 : secs * 1000 / 4;
	self->kids[n++] = start(supervisor, seed++);
	for (i = 0; i < NR_READERS; i++)
		self->kids[n++] = start(reader, seed++);
	if (can_unload)
		self->kids[n++] = start(unloader_fn, seed++);
	for (i = 0; i < n; i++)
		ASSERT_LT(0, self->kids[i]);

	sleep(secs);
	for (i = 0; i < 600 && !stress_saw_all(can_unload); i++)
		sleep(1);
	__atomic_store_n(&S->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < n; i++) {
		int status;

		ASSERT_EQ(self->kids[i], waitpid(self->kids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
		self->kids[i] = 0;
	}
	EXPECT_EQ(0, vst_module_ensure());
	print_counts(_metadata);

	EXPECT_EQ(0, S->bad);
	/* every kind of race happened, in at most 600 s more */
	EXPECT_TRUE(stress_saw_all(can_unload));
	/* after the storm the module still answers */
	EXPECT_EQ(0, vst_wait_pid_dir(getpid(), true));
	after = vst_read_pidfile(getpid(), VMI_PROC_VMAS);
	EXPECT_NE(NULL, after);
	free(after);
}

TEST_HARNESS_MAIN
