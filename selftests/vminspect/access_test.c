// SPDX-License-Identifier: GPL-2.0
/*
 * access_test: who may open /proc/vminspect/<pid>/ files, and what they see.
 * The rules are /proc/<pid>/pagemap's: ptrace-read access (same ids and
 * dumpable, or CAP_SYS_PTRACE); kernel addresses only with CAP_SYS_ADMIN,
 * decided at open.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmi_util.h"

#define USER1	1000
#define USER2	1001

static int become(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return -1;
	/* a credential change clears dumpable; a plain process has it set */
	return prctl(PR_SET_DUMPABLE, 1);
}

struct as_user {
	uid_t uid;
	int dumpable;
};

static void target_as(void *arg)
{
	struct as_user *u = arg;

	if (become(u->uid) || prctl(PR_SET_DUMPABLE, u->dumpable))
		_exit(1);
}

/* Run fn(arg) in a child as @uid; return its exit status (0 = pass). */
static int run_as(uid_t uid, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (become(uid))
			_exit(100);
		_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* 0 if open() of FILE of PID fails with EACCES, else 1 */
static int expect_eacces(void *arg)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/vminspect/%d/%s", *(pid_t *)arg,
		 VMI_PROC_MM);
	fd = open(path, O_RDONLY);
	if (fd >= 0)
		return 1;
	return errno == EACCES ? 0 : 2;
}

/* 0 if mm and vmas of PID read fine with kernel addresses zeroed */
static int expect_readable_no_addrs(void *arg)
{
	pid_t pid = *(pid_t *)arg;
	unsigned long mm = 1, pgd = 1;
	char *text;
	struct vmi_vma *v;
	int n;

	text = vmi_read_pidfile(pid, VMI_PROC_MM);
	if (!text)
		return 10;
	if (!vmi_kv(text, "mm", &mm) || !vmi_kv(text, "pgd", &pgd))
		return 11;
	free(text);
	if (mm || pgd)
		return 12;
	n = vmi_read_vmas(pid, &v);
	if (n <= 0)
		return 13;
	free(v);
	return 0;
}

static int read_self(void *arg)
{
	pid_t self = getpid();

	if (vmi_wait_pid_dir(self, true))
		return 20;
	return expect_readable_no_addrs(&self);
}

FIXTURE(users) {
	pid_t same, other, nodump;
};

FIXTURE_SETUP(users)
{
	struct as_user same = { USER1, 1 }, other = { USER2, 1 };
	struct as_user nodump = { USER1, 0 };

	self->same = vmi_spawn_stopped(target_as, &same);
	self->other = vmi_spawn_stopped(target_as, &other);
	self->nodump = vmi_spawn_stopped(target_as, &nodump);
	ASSERT_LT(0, self->same);
	ASSERT_LT(0, self->other);
	ASSERT_LT(0, self->nodump);
	ASSERT_EQ(0, vmi_wait_pid_dir(self->same, true));
	ASSERT_EQ(0, vmi_wait_pid_dir(self->other, true));
	ASSERT_EQ(0, vmi_wait_pid_dir(self->nodump, true));
}

FIXTURE_TEARDOWN(users)
{
	vmi_kill(self->same);
	vmi_kill(self->other);
	vmi_kill(self->nodump);
}

TEST_F(users, unprivileged_reads_own_process_without_addresses)
{
	EXPECT_EQ(0, run_as(USER1, read_self, NULL));
}

TEST_F(users, unprivileged_reads_same_user_dumpable_process)
{
	EXPECT_EQ(0, run_as(USER1, expect_readable_no_addrs, &self->same));
}

TEST_F(users, unprivileged_refused_on_root_process)
{
	pid_t init = 1;

	EXPECT_EQ(0, run_as(USER1, expect_eacces, &init));
}

TEST_F(users, unprivileged_refused_on_other_user)
{
	EXPECT_EQ(0, run_as(USER1, expect_eacces, &self->other));
}

TEST_F(users, unprivileged_refused_on_non_dumpable)
{
	EXPECT_EQ(0, run_as(USER1, expect_eacces, &self->nodump));
}

TEST_F(users, root_reads_everyone_with_addresses)
{
	pid_t pids[] = { 1, self->same, self->other, self->nodump };
	unsigned long pgd;
	char *text;
	int i;

	for (i = 0; i < 4; i++) {
		text = vmi_read_pidfile(pids[i], VMI_PROC_MM);
		ASSERT_NE(NULL, text);
		ASSERT_TRUE(vmi_kv(text, "pgd", &pgd));
		EXPECT_NE(0, pgd);
		free(text);
	}
}

static bool listed(const char *text, pid_t pid)
{
	char key[24];

	snprintf(key, sizeof(key), "\n%d ", pid);
	return strstr(text, key);
}

static int list_as_user1(void *arg)
{
	pid_t *p = arg;
	char *text = vmi_read_file("/proc/vminspect/processes", NULL);

	if (!text)
		return 30;
	if (!listed(text, p[0]) || listed(text, p[1]) || listed(text, p[2]) ||
	    listed(text, 1))
		return 31;
	free(text);
	return 0;
}

TEST_F(users, processes_lists_what_the_reader_may_inspect)
{
	pid_t p[] = { self->same, self->other, self->nodump };
	char *text = vmi_read_file("/proc/vminspect/processes", NULL);

	ASSERT_NE(NULL, text);
	EXPECT_TRUE(listed(text, 1));
	EXPECT_TRUE(listed(text, getpid()));
	EXPECT_TRUE(listed(text, self->same));
	EXPECT_TRUE(listed(text, self->other));
	EXPECT_TRUE(listed(text, self->nodump));
	free(text);
	EXPECT_EQ(0, run_as(USER1, list_as_user1, p));
}

/* An fd keeps its opener's view: root's fd passed to an unprivileged child. */
static int read_inherited_fd(void *arg)
{
	char buf[8192];
	unsigned long pgd = 0;
	ssize_t n = read(*(int *)arg, buf, sizeof(buf) - 1);

	if (n <= 0)
		return 40;
	buf[n] = '\0';
	if (!vmi_kv(buf, "pgd", &pgd))
		return 41;
	return pgd ? 0 : 42;
}

TEST_F(users, view_is_decided_at_open)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/vminspect/%d/mm", self->same);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, run_as(USER1, read_inherited_fd, &fd));
	close(fd);
}

TEST_HARNESS_MAIN
