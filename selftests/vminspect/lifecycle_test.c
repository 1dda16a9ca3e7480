// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle_test: directories follow fork and exit (a dead process's
 * names go at once, even while files are open in it), a process that exits
 * under a reader gives ESRCH, a reused pid shows the new process (and never
 * through an fd, or a directory fd, opened on the old one), reads race a
 * target that maps and unmaps in a loop, lookups, opens and readdir race
 * fork, exit and pid reuse, and the module's lifetime with files open: it
 * cannot be unloaded while mounted, and after a lazy umount only once the
 * files are closed.  The guest's init fails the run on any oops, WARN or
 * lockdep report in dmesg.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vst_timed.h"
#include "vst_util.h"

static int open_pidfile(pid_t pid, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/vminspect/%d/%s", pid, name);
	return open(path, O_RDONLY);
}

/* Read until EOF or error; return 0 at EOF, else -errno. */
static int drain(int fd, size_t chunk)
{
	char buf[4096];
	ssize_t n;

	if (chunk > sizeof(buf))
		chunk = sizeof(buf);
	while ((n = read(fd, buf, chunk)) > 0)
		;
	return n == 0 ? 0 : -errno;
}

TEST(directory_follows_fork_and_exit)
{
	pid_t pid = vst_spawn_stopped(NULL, NULL);

	ASSERT_LT(0, pid);
	EXPECT_EQ(0, vst_wait_pid_dir(pid, true));
	vst_kill(pid);
	EXPECT_EQ(0, vst_wait_pid_dir(pid, false));
}

static void *idle_thread(void *arg)
{
	pause();
	return NULL;
}

TEST(no_directory_for_threads_or_unknown_pids)
{
	static const char * const bad[] = { "0", "01", "+1", "1x", "-1",
					    "4194305", "99999999" };
	pthread_t th;
	pid_t tid;
	char path[64];
	int i;

	EXPECT_EQ(-1, open_pidfile(0x7ffffff0, VMI_PROC_MM));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, access("/proc/vminspect/2/mm", F_OK));	/* kthreadd */
	EXPECT_EQ(ENOENT, errno);
	/* names that are no pid, as procfs reads them */
	for (i = 0; i < 7; i++) {
		snprintf(path, sizeof(path), "/proc/vminspect/%s", bad[i]);
		EXPECT_EQ(-1, access(path, F_OK)) {
			TH_LOG("%s", path);
		}
	}
	/* a thread's id: procfs has /proc/<tid> (hidden), we do not */
	ASSERT_EQ(0, pthread_create(&th, NULL, idle_thread, NULL));
	tid = 0;
	for (i = 0; i < 100 && !tid; i++) {
		DIR *d = opendir("/proc/self/task");
		struct dirent *e;

		while (d && (e = readdir(d)))
			if (atoi(e->d_name) > 0 && atoi(e->d_name) != getpid())
				tid = atoi(e->d_name);
		if (d)
			closedir(d);
		usleep(1000);
	}
	ASSERT_LT(0, tid);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", tid);
	EXPECT_EQ(0, access(path, F_OK));
	EXPECT_EQ(-1, open_pidfile(tid, VMI_PROC_MM));
	EXPECT_EQ(ENOENT, errno);
	pthread_cancel(th);
	pthread_join(th, NULL);
}

TEST(exit_while_reading_gives_esrch)
{
	static const char * const files[] = { VMI_PROC_VMAS, VMI_PROC_MM };
	int i;

	for (i = 0; i < 2; i++) {
		pid_t pid = vst_spawn_stopped(NULL, NULL);
		char buf[64];
		int fd;

		ASSERT_LT(0, pid);
		ASSERT_EQ(0, vst_wait_pid_dir(pid, true));
		fd = open_pidfile(pid, files[i]);
		ASSERT_LE(0, fd);
		if (i == 0)
			ASSERT_EQ(sizeof(buf), read(fd, buf, sizeof(buf)));
		vst_kill(pid);
		EXPECT_EQ(-ESRCH, drain(fd, 64)) {
			TH_LOG("%s", files[i]);
		}
		close(fd);
		/* opening now: the process is reaped, its names are gone */
		fd = open_pidfile(pid, files[i]);
		EXPECT_EQ(-1, fd);
		EXPECT_EQ(ENOENT, errno);
	}
}

static void name_b(void *arg)
{
	prctl(PR_SET_NAME, "vmi-reuse-b");
}

TEST(reused_pid_shows_new_process)
{
	pid_t a, b;
	char last[64], *text;
	int fd, ns, dir;

	a = vst_spawn_stopped(NULL, NULL);
	ASSERT_LT(0, a);
	ASSERT_EQ(0, vst_wait_pid_dir(a, true));
	fd = open_pidfile(a, VMI_PROC_MM);
	ASSERT_LE(0, fd);
	snprintf(last, sizeof(last), "/proc/vminspect/%d", a);
	dir = open(last, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dir);
	vst_kill(a);
	/* the names go with the process, while fd and dir are open too */
	EXPECT_EQ(-1, open_pidfile(a, VMI_PROC_VMAS));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, openat(dir, VMI_PROC_VMAS, O_RDONLY));
	EXPECT_EQ(ENOENT, errno);

	ns = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
	if (ns < 0)
		SKIP(close(fd); close(dir); return, "no ns_last_pid");
	snprintf(last, sizeof(last), "%d", a - 1);
	ASSERT_LT(0, write(ns, last, strlen(last)));
	close(ns);
	b = vst_spawn_stopped(name_b, NULL);
	ASSERT_LT(0, b);
	if (b != a) {
		vst_kill(b);
		close(fd);
		close(dir);
		SKIP(return, "pid %d not reused (got %d)", a, b);
	}
	ASSERT_EQ(0, vst_wait_pid_dir(b, true));

	/* the old fd and the old directory never show the new process */
	EXPECT_EQ(-ESRCH, drain(fd, 4096));
	close(fd);
	EXPECT_EQ(-1, openat(dir, VMI_PROC_MM, O_RDONLY));
	EXPECT_EQ(ENOENT, errno);
	close(dir);
	EXPECT_EQ(0, access("/proc/vminspect/processes", R_OK));

	text = vst_read_pidfile(b, VMI_PROC_MM);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "\ncomm vmi-reuse-b\n"));
	free(text);
	vst_kill(b);
}

static volatile int stop_churn;

static void churn(void *arg)
{
	long pg = VST_PAGE;

	while (!stop_churn) {
		size_t len = (1 + rand() % 64) * pg;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			continue;
		memset(p, 1, len / 2);
		if (rand() % 2)
			mprotect(p, pg, PROT_READ);
		if (rand() % 4)
			munmap(p, len);
	}
}

/* every line of a vmas read parses and the VMAs go up without overlap */
static int check_vmas(pid_t pid)
{
	struct vst_vma *v;
	int n, i;

	n = vst_read_vmas(pid, &v);
	if (n < 0)
		return -errno;
	for (i = 1; i < n; i++)
		if (v[i].start < v[i - 1].end || v[i].start >= v[i].end)
			return -EPROTO;
	free(v);
	return n;
}

/* 150 rounds have taken a minute under KASAN on a loaded TCG host */
TEST_F_TIMEOUT(timed, reads_race_mmap_munmap_loop, 600)
{
	pid_t pid = fork();
	int i, bad = 0;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		/*
		 * Killed by the parent at the end; the alarm only guards
		 * against a parent that died, so it must outlast the reads.
		 */
		alarm(900);
		churn(NULL);
		_exit(0);
	}
	ASSERT_EQ(0, vst_wait_pid_dir(pid, true));
	for (i = 0; i < 150; i++) {
		char *mm = vst_read_pidfile(pid, VMI_PROC_MM);
		char *ps = vst_read_file("/proc/vminspect/processes", NULL);
		int n = check_vmas(pid);

		if (n <= 0 || !mm || !ps || strncmp(mm, "vminspect-mm 1.", 15)) {
			TH_LOG("read %d: vmas %d (%s) mm %s ps %s", i, n,
			       n < 0 ? strerror(-n) : "ok", mm ? "ok" : "failed",
			       ps ? "ok" : "failed");
			bad++;
		}
		free(mm);
		free(ps);
	}
	EXPECT_EQ(0, bad);
	vst_kill(pid);
}

/* ---- lookups, opens and readdir race fork, exit and pid reuse ---- */

#define RACE_PIDS	6	/* pid numbers the forker reuses in turn */

/* Shared by the race's processes (MAP_SHARED). */
struct fs_race {
	int stop;
	long forks, reused, opens, gone, reads, readdirs, entries, lists;
	long missed;		/* forks that did not get the pid asked for */
	pid_t missed_pid;	/* the first of them */
	long bad;
	char badmsg[200];
};

static struct fs_race *R;

static bool race_stopped(void)
{
	return __atomic_load_n(&R->stop, __ATOMIC_RELAXED);
}

static void race_inc(long *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static void race_bad(const char *what, const char *path, int err)
{
	if (__atomic_fetch_add(&R->bad, 1, __ATOMIC_RELAXED) == 0)
		snprintf(R->badmsg, sizeof(R->badmsg), "%s %s: %s", what, path,
			 strerror(err));
}

static int race_seconds(void)
{
	const char *s = getenv("VMI_RACE_SECONDS");
	int n = s ? atoi(s) : 4;

	return n > 0 ? n : 4;
}

/*
 * Keeps RACE_PIDS children alive at pids base..base+RACE_PIDS-1, killing
 * and replacing one after the other, each new one forked with ns_last_pid
 * set so that it reuses the pid of the one just reaped.
 */
static void race_forker(pid_t base)
{
	pid_t kids[RACE_PIDS] = { 0 };
	char last[16];
	int k = 0, ns;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (!race_stopped()) {
		pid_t pid;

		if (kids[k] > 0)
			vst_kill(kids[k]);
		ns = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
		snprintf(last, sizeof(last), "%d", base + k - 1);
		if (ns >= 0) {
			if (write(ns, last, strlen(last)) < 0)
				race_bad("write", "ns_last_pid", errno);
			close(ns);
		}
		pid = fork();
		if (pid == 0) {
			prctl(PR_SET_NAME, "vmi-race-kid");
			pause();
			_exit(0);
		}
		if (pid < 0) {
			race_bad("fork", "", errno);
			break;
		}
		race_inc(&R->forks);
		if (pid == base + k)
			race_inc(&R->reused);
		else if (!R->missed++)
			R->missed_pid = pid;
		kids[k] = pid;
		k = (k + 1) % RACE_PIDS;
		usleep(rand() % 500);
	}
	for (k = 0; k < RACE_PIDS; k++)
		vst_kill(kids[k]);
	_exit(0);
}

/* Open and read a random file of a random racing pid. */
static void race_open_one(pid_t base)
{
	static const char * const files[] = { VMI_PROC_MM, VMI_PROC_VMAS,
					      VMI_PROC_TRANSLATE };
	const char *file = files[rand() % 3];
	pid_t pid = base + rand() % RACE_PIDS;
	char path[64], want[40], buf[4096];
	size_t have = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/vminspect/%d/%s", pid, file);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		/* not there, or gone between lookup and open */
		if (errno == ENOENT || errno == ESRCH)
			race_inc(&R->gone);
		else
			race_bad("open", path, errno);
		return;
	}
	race_inc(&R->opens);
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		have += n;
		if (have == sizeof(buf) - 1)
			break;
	}
	close(fd);
	if (n < 0) {
		if (errno != ESRCH)
			race_bad("read", path, errno);
		return;
	}
	race_inc(&R->reads);
	buf[have] = '\0';
	snprintf(want, sizeof(want), "vminspect-%s 1.", file);
	if (strncmp(buf, want, strlen(want)))
		race_bad("version line", path, EPROTO);
	/* the pid in the file is the directory's, whoever has it now */
	snprintf(want, sizeof(want), "\npid %d\n", pid);
	if (!strcmp(file, VMI_PROC_MM) && !strstr(buf, want))
		race_bad("pid line", path, EPROTO);
}

struct linux_dirent64_hdr {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * getdents64() in small pieces (resuming from the position each time):
 * ".", "..", processes, then pids strictly increasing, among them init and
 * the test itself, which live throughout.
 */
static void race_readdir(pid_t test)
{
	char buf[128];
	long prev = 0, n, off;
	bool init = false, self = false;
	int fd = open("/proc/vminspect", O_RDONLY | O_DIRECTORY);
	int i = 0;

	if (fd < 0) {
		race_bad("open", "/proc/vminspect", errno);
		return;
	}
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			struct linux_dirent64_hdr *d = (void *)(buf + off);
			static const char * const first[] = { ".", "..",
							       VMI_PROC_PROCESSES };
			long nr;
			char *end;

			off += d->d_reclen;
			if (i < 3) {
				if (strcmp(d->d_name, first[i++]))
					race_bad("readdir", d->d_name, EPROTO);
				continue;
			}
			nr = strtol(d->d_name, &end, 10);
			if (*end || nr <= prev || d->d_type != DT_DIR ||
			    !d->d_ino)
				race_bad("readdir order", d->d_name, EPROTO);
			init |= nr == 1;
			self |= nr == test;
			prev = nr;
			race_inc(&R->entries);
		}
	}
	if (n < 0)
		race_bad("getdents64", "/proc/vminspect", errno);
	close(fd);
	if (!init || !self)
		race_bad("readdir", "init or the test missing", ENOENT);
	race_inc(&R->readdirs);
}

/* processes: pids strictly increasing, init and the test listed */
static void race_list(pid_t test)
{
	char *text = vst_read_file("/proc/vminspect/processes", NULL), *line;
	char *save;
	long prev = 0;
	bool init = false, self = false;

	if (!text) {
		race_bad("read", "processes", errno);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		long nr;

		if (!isdigit((unsigned char)line[0]))
			continue;
		nr = strtol(line, NULL, 10);
		if (nr <= prev)
			race_bad("processes order", line, EPROTO);
		init |= nr == 1;
		self |= nr == test;
		prev = nr;
	}
	free(text);
	if (!init || !self)
		race_bad("processes", "init or the test missing", ENOENT);
	race_inc(&R->lists);
}

static void race_reader(pid_t base, pid_t test, unsigned int seed)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	srand(seed);
	while (!race_stopped()) {
		int what = rand() % 16;

		if (what == 0)
			race_readdir(test);
		else if (what == 1)
			race_list(test);
		else
			race_open_one(base);
	}
	_exit(0);
}

/* every kind of event the race must have seen at least once */
static bool race_saw_all(void)
{
	long *const c[] = {
		&R->reused, &R->reads, &R->gone, &R->readdirs, &R->lists,
	};

	return vst_all_positive(c, ARRAY_SIZE(c));
}

/*
 * At least VMI_RACE_SECONDS; then until every kind of event has happened,
 * for up to 120 s more (a readdir and a listing are 1 in 16 of the
 * readers' operations, which a slow host does few of in 4 s).
 */
TEST_F_TIMEOUT(timed, lookups_race_fork_exit_and_pid_reuse, 600)
{
	pid_t kids[3], base;
	char *s;
	int i, secs = race_seconds();

	R = mmap(NULL, sizeof(*R), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, R);
	if (access("/proc/sys/kernel/ns_last_pid", W_OK))
		SKIP(return, "no ns_last_pid");
	/*
	 * Racing pids well above the ones in use, below pid_max; or, once
	 * the pids have come close to it (an earlier run), just above the
	 * reserved ones, where the kernel wraps to.
	 */
	s = vst_read_file("/proc/sys/kernel/pid_max", NULL);
	ASSERT_NE(NULL, s);
	base = atoi(s) - 100 - RACE_PIDS;
	free(s);
	if (getpid() + 200 > base)
		base = 400;

	/* the readers first: the forker moves the next pid to base */
	for (i = 1; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			race_reader(base, getppid(), time(NULL) + i);
	}
	kids[0] = fork();
	if (kids[0] == 0)
		race_forker(base);
	for (i = 0; i < 3; i++)
		ASSERT_LT(0, kids[i]);
	sleep(secs);
	for (i = 0; i < 120 && !race_saw_all(); i++)
		sleep(1);
	__atomic_store_n(&R->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 3; i++) {
		int status;

		ASSERT_EQ(kids[i], waitpid(kids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	}
	TH_LOG("forks %ld (pid reused %ld, not %ld: first %d, base %d)",
	       R->forks, R->reused, R->missed, R->missed_pid, base);
	TH_LOG("opens %ld read %ld, gone %ld, readdirs %ld (%ld entries), processes %ld",
	       R->opens, R->reads, R->gone, R->readdirs, R->entries, R->lists);
	EXPECT_EQ(0, R->bad) {
		TH_LOG("first: %s", R->badmsg);
	}
	EXPECT_LT(0, R->reused);
	EXPECT_LT(0, R->reads);
	EXPECT_LT(0, R->gone);
	EXPECT_LT(0, R->readdirs);
	EXPECT_LT(0, R->lists);
	munmap(R, sizeof(*R));
}

/*
 * Files open on a mounted vminspect pin the module: delete_module() is
 * refused while it is mounted and, after a lazy umount, until the last file
 * is closed.  Until then the files work as before: a live process's reads
 * give data, a dead one's ESRCH; processes still lists.
 */
TEST(unload_with_files_open)
{
	pid_t pid;
	char buf[64];
	int fd_vmas, fd_mm, fd_ps;
	struct stat st;

	if (access(VST_MODULE_PATH, R_OK))
		SKIP(return, "%s not present", VST_MODULE_PATH);
	pid = vst_spawn_stopped(NULL, NULL);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, vst_wait_pid_dir(pid, true));
	fd_vmas = open_pidfile(pid, VMI_PROC_VMAS);
	fd_mm = open_pidfile(pid, VMI_PROC_MM);
	fd_ps = open("/proc/vminspect/processes", O_RDONLY);
	ASSERT_LE(0, fd_vmas);
	ASSERT_LE(0, fd_mm);
	ASSERT_LE(0, fd_ps);
	ASSERT_EQ(sizeof(buf), read(fd_vmas, buf, sizeof(buf)));
	ASSERT_EQ(sizeof(buf), read(fd_ps, buf, sizeof(buf)));

	/* mounted: the kernel refuses, the module stays */
	EXPECT_EQ(-1, syscall(SYS_delete_module, "vminspect", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_TRUE(vst_module_loaded());
	EXPECT_TRUE(vst_fs_mounted("/proc/" VMI_PROC_DIR));

	/* a plain umount is refused too: files are open */
	EXPECT_EQ(-1, umount("/proc/" VMI_PROC_DIR));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, umount2("/proc/" VMI_PROC_DIR, MNT_DETACH));
	EXPECT_FALSE(vst_fs_mounted("/proc/" VMI_PROC_DIR));
	/* what is left is procfs's empty mount point */
	EXPECT_EQ(0, vst_count_entries("/proc/" VMI_PROC_DIR));
	EXPECT_EQ(-1, stat("/proc/vminspect/processes", &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, open_pidfile(pid, VMI_PROC_MM));
	EXPECT_EQ(ENOENT, errno);
	/* the open files keep the module */
	EXPECT_EQ(-1, syscall(SYS_delete_module, "vminspect", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);

	/* and work: the process is alive, then dead */
	EXPECT_EQ(0, drain(fd_vmas, 64));
	EXPECT_EQ(0, drain(fd_ps, 64));
	vst_kill(pid);
	EXPECT_EQ(-ESRCH, drain(fd_mm, 64));
	close(fd_vmas);
	close(fd_mm);
	EXPECT_EQ(-1, syscall(SYS_delete_module, "vminspect", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	close(fd_ps);

	/* the last file closed (its release may still be in flight) */
	EXPECT_EQ(0, vst_retry_unload());
	EXPECT_FALSE(vst_module_loaded());
	EXPECT_EQ(-1, stat("/proc/" VMI_PROC_DIR, &st));
	EXPECT_EQ(ENOENT, errno);

	ASSERT_EQ(0, vst_module_load());
	pid = vst_spawn_stopped(NULL, NULL);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, vst_wait_pid_dir(pid, true));
	EXPECT_LT(0, check_vmas(pid));
	vst_kill(pid);
}

TEST_HARNESS_MAIN
