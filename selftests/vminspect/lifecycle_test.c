// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle_test: directories follow fork and exit (a dead process's
 * directory stays while files are open in it, giving ESRCH), a process that
 * exits under a reader gives ESRCH, a reused pid shows the new process (and
 * never through an fd opened on the old one), reads race a target that maps and
 * unmaps in a loop, and the module unloads with files open.  The guest's
 * init fails the run on any oops, WARN or lockdep report in dmesg.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
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

TEST(no_directory_for_threads_or_unknown_pids)
{
	EXPECT_EQ(-1, open_pidfile(0x7ffffff0, VMI_PROC_MM));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, access("/proc/vminspect/2/mm", F_OK));	/* kthreadd */
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
		/* opening now: the directory is gone or going */
		fd = open_pidfile(pid, files[i]);
		EXPECT_EQ(-1, fd);
		EXPECT_TRUE(errno == ESRCH || errno == ENOENT);
	}
}

static void name_b(void *arg)
{
	prctl(PR_SET_NAME, "vmi-reuse-b");
}

TEST(reused_pid_shows_new_process)
{
	pid_t a, b;
	char last[16], *text;
	int fd, ns;

	a = vst_spawn_stopped(NULL, NULL);
	ASSERT_LT(0, a);
	ASSERT_EQ(0, vst_wait_pid_dir(a, true));
	fd = open_pidfile(a, VMI_PROC_MM);
	ASSERT_LE(0, fd);
	vst_kill(a);
	/* the directory stays while fd is open: new opens give ESRCH */
	EXPECT_EQ(-1, open_pidfile(a, VMI_PROC_VMAS));
	EXPECT_EQ(ESRCH, errno);

	ns = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
	if (ns < 0)
		SKIP(close(fd); return, "no ns_last_pid");
	snprintf(last, sizeof(last), "%d", a - 1);
	ASSERT_LT(0, write(ns, last, strlen(last)));
	close(ns);
	b = vst_spawn_stopped(name_b, NULL);
	ASSERT_LT(0, b);
	if (b != a) {
		vst_kill(b);
		close(fd);
		SKIP(return, "pid %d not reused (got %d)", a, b);
	}
	ASSERT_EQ(0, vst_wait_pid_dir(b, true));

	/* the old fd never shows the new process */
	EXPECT_EQ(-ESRCH, drain(fd, 4096));
	close(fd);
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

TEST(reads_race_mmap_munmap_loop)
{
	pid_t pid = fork();
	int i, bad = 0;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		/*
		 * Killed by the parent at the end; the alarm only guards
		 * against a parent that died, so it must outlast the reads
		 * (on a loaded host 150 rounds have taken a minute).
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

TEST(unload_with_files_open)
{
	pid_t pid;
	char buf[64];
	int fd_vmas, fd_mm, fd_ps;

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

	ASSERT_EQ(0, vst_module_unload());
	EXPECT_EQ(-EIO, drain(fd_vmas, 64));
	EXPECT_EQ(-EIO, drain(fd_mm, 64));
	EXPECT_EQ(-EIO, drain(fd_ps, 64));
	close(fd_vmas);
	close(fd_mm);
	close(fd_ps);

	ASSERT_EQ(0, vst_module_load());
	EXPECT_EQ(0, vst_wait_pid_dir(pid, true));
	EXPECT_LT(0, check_vmas(pid));
	vst_kill(pid);
}

TEST_HARNESS_MAIN
