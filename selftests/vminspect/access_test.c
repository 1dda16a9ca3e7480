// SPDX-License-Identifier: GPL-2.0
/*
 * access_test: who may open /proc/vminspect/<pid>/ files, and what they see.
 * Each answer is checked against the kernel's own for the same reader: its
 * open of /proc/<pid>/pagemap (through the same /proc), /proc/<pid>/status
 * and maps for names, /proc/net/netlink's %pK for kernel pointers,
 * pagemap's PFNs for frames.  Scenarios: plain users, a hidepid=2 /proc, a
 * pid namespace, an AppArmor profile without ptrace, a /proc faked to point
 * elsewhere, names and paths with newlines, kptr_restrict 0, 1 and 2.
 * (Yama's scopes are yama_test's: scope 3 cannot be undone.)
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vst_access.h"
#include "vst_util.h"

#define USER1	VST_USER1
#define USER2	VST_USER2
#define become	vst_become

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

/* What %pK printed: zeros, a 32-bit hash, or a real kernel address. */
enum { KPTR_ZERO, KPTR_HASHED, KPTR_REAL, KPTR_OTHER };

static int kptr_class(unsigned long v)
{
	if (!v)
		return KPTR_ZERO;
	if (v <= 0xffffffffUL)
		return KPTR_HASHED;
	if (v >= 0xff00000000000000UL)	/* 4- or 5-level paging */
		return KPTR_REAL;
	return KPTR_OTHER;
}

/*
 * The kernel's own %pK for the current reader: the socket pointer column
 * of /proc/net/netlink (the kernel's netlink sockets are always there).
 */
static int netlink_kptr_class(void)
{
	char *text = vst_read_file("/proc/net/netlink", NULL), *nl;
	unsigned long v;
	int ret = -1;

	if (!text)
		return -1;
	nl = strchr(text, '\n');
	if (nl && sscanf(nl + 1, "%lx", &v) == 1)
		ret = kptr_class(v);
	free(text);
	return ret;
}

static int kptr_restrict_get(void)
{
	char *s = vst_read_file("/proc/sys/kernel/kptr_restrict", NULL);
	int v = s ? atoi(s) : -1;

	free(s);
	return v;
}

static int kptr_restrict_set(int v)
{
	char buf[4];
	int fd = open("/proc/sys/kernel/kptr_restrict", O_WRONLY), ret;

	if (fd < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%d", v);
	ret = write(fd, buf, strlen(buf)) == (ssize_t)strlen(buf) ? 0 : -1;
	close(fd);
	return ret;
}

/*
 * 0 if mm and vmas of PID read fine with kernel addresses zeroed (the
 * fixture sets kptr_restrict to 1: zeros for an unprivileged reader)
 */
static int expect_readable_no_addrs(void *arg)
{
	pid_t pid = *(pid_t *)arg;
	unsigned long mm = 1, pgd = 1;
	char *text;
	struct vst_vma *v;
	int n;

	text = vst_read_pidfile(pid, VMI_PROC_MM);
	if (!text)
		return 10;
	if (!vst_mm_key(text, VMI_MM_MM, &mm) || !vst_mm_key(text, VMI_MM_PGD, &pgd))
		return 11;
	free(text);
	if (mm || pgd)
		return 12;
	/* the kernel's own %pK for this reader says the same (zeros) */
	if (kptr_class(mm) != netlink_kptr_class() ||
	    kptr_class(pgd) != netlink_kptr_class())
		return 14;
	n = vst_read_vmas(pid, &v);
	if (n <= 0)
		return 13;
	free(v);
	return 0;
}

static int read_self(void *arg)
{
	pid_t self = getpid();

	if (vst_wait_pid_dir(self, true))
		return 20;
	return expect_readable_no_addrs(&self);
}

FIXTURE(users) {
	pid_t same, other, nodump;
	int kptr_restrict;
};

FIXTURE_SETUP(users)
{
	struct as_user same = { USER1, 1 }, other = { USER2, 1 };
	struct as_user nodump = { USER1, 0 };

	self->same = vst_spawn_stopped(target_as, &same);
	self->other = vst_spawn_stopped(target_as, &other);
	self->nodump = vst_spawn_stopped(target_as, &nodump);
	ASSERT_LT(0, self->same);
	ASSERT_LT(0, self->other);
	ASSERT_LT(0, self->nodump);
	ASSERT_EQ(0, vst_wait_pid_dir(self->same, true));
	ASSERT_EQ(0, vst_wait_pid_dir(self->other, true));
	ASSERT_EQ(0, vst_wait_pid_dir(self->nodump, true));
	self->kptr_restrict = kptr_restrict_get();
	ASSERT_EQ(0, kptr_restrict_set(1));
}

FIXTURE_TEARDOWN(users)
{
	kptr_restrict_set(self->kptr_restrict);
	vst_kill(self->same);
	vst_kill(self->other);
	vst_kill(self->nodump);
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
		text = vst_read_pidfile(pids[i], VMI_PROC_MM);
		ASSERT_NE(NULL, text);
		ASSERT_TRUE(vst_mm_key(text, VMI_MM_PGD, &pgd));
		EXPECT_NE(0, pgd);
		/* kptr_restrict 1 and CAP_SYSLOG: %pK prints it as it is */
		EXPECT_EQ(KPTR_REAL, kptr_class(pgd));
		EXPECT_EQ(KPTR_REAL, netlink_kptr_class());
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
	char *text = vst_read_file("/proc/vminspect/processes", NULL);

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
	char *text = vst_read_file("/proc/vminspect/processes", NULL);

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
	if (!vst_mm_key(buf, VMI_MM_PGD, &pgd))
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

/* ---- every process, as the kernel answers for the same reader ---- */

struct match_arg {
	pid_t *pids;
	int n;
	uid_t uid;		/* (uid_t)-1: stay root */
	int min_allowed, min_denied;
};

static int match_as(void *arg)
{
	struct match_arg *a = arg;
	int allowed, denied, bad;

	if (a->uid != (uid_t)-1 && become(a->uid))
		return 100;
	bad = vst_match_pagemap(a->pids, a->n, &allowed, &denied);
	fprintf(stderr, "# uid %d: %d allowed, %d denied, %d mismatches\n",
		(int)getuid(), allowed, denied, bad);
	if (bad)
		return 1;
	if (allowed < a->min_allowed || denied < a->min_denied)
		return 2;
	return 0;
}

TEST_F(users, every_process_as_pagemap_decides)
{
	struct match_arg a = { .uid = (uid_t)-1 };

	a.n = vst_user_pids(&a.pids);
	ASSERT_LT(3, a.n);
	a.min_allowed = a.n - 1;	/* root: all (one may exit) */
	EXPECT_EQ(0, vst_run_child(match_as, &a));
	a.uid = USER1;
	a.min_allowed = 1;		/* same */
	a.min_denied = 3;		/* init, other, nodump */
	EXPECT_EQ(0, vst_run_child(match_as, &a));
	a.uid = USER2;			/* other only */
	EXPECT_EQ(0, vst_run_child(match_as, &a));
	free(a.pids);
}

/*
 * A /proc of our own (new mount namespace), mounted with @opts, with
 * vminspect mounted in it if @vmifs (a fresh procfs has an empty
 * /proc/vminspect).
 */
static int own_proc(const char *opts, bool vmifs)
{
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  opts))
		return -1;
	return vmifs ? vst_fs_mount("/proc/" VMI_PROC_DIR) : 0;
}

struct hidepid_arg {
	struct match_arg m;
	pid_t other;
};

static int hidepid_as_user1(void *arg)
{
	struct hidepid_arg *a = arg;

	if (own_proc("hidepid=2", true))
		return 101;
	if (become(USER1))
		return 100;
	/* hidepid=2 at work: the kernel hides the other user's process */
	if (vst_pagemap_errno(a->other) != ENOENT)
		return 3;
	a->m.uid = (uid_t)-1;
	return match_as(&a->m);
}

TEST_F(users, hidepid2_proc_as_pagemap_decides)
{
	struct hidepid_arg a = { .other = self->other };

	a.m.n = vst_user_pids(&a.m.pids);
	ASSERT_LT(3, a.m.n);
	a.m.min_allowed = 1;
	a.m.min_denied = 3;
	EXPECT_EQ(0, vst_run_child(hidepid_as_user1, &a));
	free(a.m.pids);
}

struct pidns_arg {
	pid_t *pids;		/* the host's user processes */
	int n;
	int host_dir;		/* the host's /proc/vminspect */
	int host_proc;		/* the host's /proc */
};

static bool has_pid(const pid_t *pids, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

static bool same_pids(const pid_t *a, int na, const pid_t *b, int nb)
{
	int i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static void print_pids(const char *what, const pid_t *p, int n)
{
	int i;

	fprintf(stderr, "# %s:", what);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %d", p[i]);
	fprintf(stderr, "\n");
}

/* a user in the namespace: every process as the namespace's pagemap says */
static int pidns_match_as_user1(void *arg)
{
	struct match_arg *m = arg;

	m->uid = USER1;
	return match_as(m);
}

/*
 * A reader in the namespace handed the host's mount: the names are the
 * host's (the mount's), of its own namespace's processes only; the
 * decision its own /proc's.
 */
static int pidns_host_mount(struct pidns_arg *a, int n_ours)
{
	char self[16], path[300], *text;
	int fd, listed = 0, ret = 0;
	struct dirent *e;
	pid_t host_self;
	unsigned long pid;
	ssize_t n;
	DIR *d;

	n = readlinkat(a->host_proc, "self", self, sizeof(self) - 1);
	if (n <= 0)
		return 20;
	self[n] = '\0';
	host_self = atoi(self);
	snprintf(path, sizeof(path), "%d/mm", host_self);
	fd = openat(a->host_dir, path, O_RDONLY);
	if (fd < 0)
		return 21;
	text = malloc(8192);
	n = text ? read(fd, text, 8191) : -1;
	close(fd);
	if (n <= 0)
		return 22;
	text[n] = '\0';
	if (!vst_kv(text, "pid", &pid) || pid != (unsigned long)host_self)
		return 23;
	free(text);
	/* host init: our /proc does not see it, so neither do we */
	fd = openat(a->host_dir, "1/mm", O_RDONLY);
	if (fd >= 0 || errno != ENOENT)
		return 24;
	fd = openat(a->host_dir, "1", O_RDONLY | O_DIRECTORY);
	if (fd >= 0 || errno != ENOENT)
		return 25;
	/* its names: exactly our @n processes, under their host pids */
	fd = openat(a->host_dir, ".", O_RDONLY | O_DIRECTORY);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d)
		return 26;
	while ((e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		listed++;
		snprintf(path, sizeof(path), "%s/mm", e->d_name);
		fd = openat(a->host_dir, path, O_RDONLY);
		if (fd < 0)
			ret = 27;
		else
			close(fd);
	}
	closedir(d);
	if (listed != n_ours) {
		fprintf(stderr, "# the host's mount lists %d, we are %d\n",
			listed, n_ours);
		return 28;
	}
	return ret;
}

/* pid 1 of a new pid namespace, with its own /proc */
static int pidns_init(void *arg)
{
	struct pidns_arg *a = arg;
	struct as_user u2 = { USER2, 1 };
	struct match_arg m = { 0 };
	pid_t kids[2], *procs, *ours, *listed;
	int i, np, no, nl, visible = 0, ret = 0;
	unsigned long pid;
	struct stat st;
	char path[64], *text;

	if (getpid() != 1 || own_proc(NULL, false))
		return 101;
	/* the kernel: no host process is there to open */
	for (i = 0; i < a->n; i++) {
		snprintf(path, sizeof(path), "/proc/%d", a->pids[i]);
		if (a->pids[i] != 1 && !stat(path, &st))
			visible++;
	}
	if (visible)
		return 2;
	/* a fresh /proc: /proc/vminspect is empty, no pid, no count */
	if (vst_count_entries("/proc/" VMI_PROC_DIR) != 0)
		return 3;
	if (vst_open_errno("/proc/vminspect/processes", O_RDONLY) != ENOENT)
		return 3;
	for (i = 0; i < a->n; i++)
		if (vst_ours_errno(a->pids[i], VMI_PROC_MM) != ENOENT)
			return 4;

	/* vminspect mounted inside: the namespace's processes, its pids */
	kids[0] = vst_spawn_stopped(NULL, NULL);
	kids[1] = vst_spawn_stopped(target_as, &u2);
	if (kids[0] <= 0 || kids[1] <= 0)
		return 5;
	if (vst_fs_mount("/proc/" VMI_PROC_DIR))
		return 5;
	np = vst_dir_pids("/proc", &procs);
	no = vst_dir_pids("/proc/" VMI_PROC_DIR, &ours);
	nl = vst_listed_pids(&listed);
	if (np != 3 || !same_pids(procs, np, ours, no)) {
		print_pids("namespace's /proc", procs, np);
		print_pids("its /proc/vminspect", ours, no);
		ret = 6;
		goto out;
	}
	if (!same_pids(procs, np, listed, nl)) {
		print_pids("its processes", listed, nl);
		ret = 7;
		goto out;
	}
	/* root in the namespace: everything opens, as pagemap does */
	for (i = 0; i < np; i++)
		if (vst_ours_errno(procs[i], VMI_PROC_MM) !=
		    vst_pagemap_errno(procs[i]) ||
		    vst_ours_errno(procs[i], VMI_PROC_VMAS) ||
		    vst_ours_errno(procs[i], VMI_PROC_TRANSLATE))
			ret = 8;
	text = vst_read_pidfile(1, VMI_PROC_MM);
	if (!text || !vst_kv(text, "pid", &pid) || pid != 1)
		ret = 9;
	free(text);
	/* host pid numbers that do not exist here */
	for (i = 0; i < a->n; i++) {
		if (has_pid(procs, np, a->pids[i]))
			continue;
		snprintf(path, sizeof(path), "/proc/vminspect/%d", a->pids[i]);
		if (!stat(path, &st) || errno != ENOENT ||
		    vst_ours_errno(a->pids[i], VMI_PROC_VMAS) != ENOENT)
			ret = 10;
	}
	/* USER1 there: root's and USER2's processes denied, as pagemap does */
	m.pids = procs;
	m.n = np;
	m.min_denied = 3;
	if (!ret && vst_run_child(pidns_match_as_user1, &m))
		ret = 11;
	if (!ret)
		ret = pidns_host_mount(a, np);
out:
	vst_kill(kids[0]);
	vst_kill(kids[1]);
	free(procs);
	free(ours);
	free(listed);
	return ret;
}

static int pidns_parent(void *arg)
{
	if (unshare(CLONE_NEWPID | CLONE_NEWNS))
		return 102;
	return vst_run_child(pidns_init, arg);
}

TEST_F(users, pid_namespace_learns_nothing_outside)
{
	struct pidns_arg a;
	char cmd[640];

	a.n = vst_user_pids(&a.pids);
	ASSERT_LT(3, a.n);
	a.host_dir = open("/proc/" VMI_PROC_DIR, O_RDONLY | O_DIRECTORY);
	a.host_proc = open("/proc", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, a.host_dir);
	ASSERT_LE(0, a.host_proc);
	EXPECT_EQ(0, vst_run_child(pidns_parent, &a));
	close(a.host_dir);
	close(a.host_proc);
	/* the same with busybox's unshare, as a user would run it */
	snprintf(cmd, sizeof(cmd),
		 "unshare -p -f --mount-proc sh -c '"
		 "test -z \"$(ls -A /proc/vminspect)\" && "
		 "test ! -e /proc/vminspect/processes && "
		 "test -e /proc/1/pagemap && "
		 "mount -t vminspect -o nosuid vminspect /proc/vminspect && "
		 "grep -qx \"pid 1\" /proc/vminspect/1/mm && "
		 "grep -q \"^1 \" /proc/vminspect/processes && "
		 "! grep -q \"^%d \" /proc/vminspect/processes && "
		 "test ! -e /proc/vminspect/%d'",
		 getpid(), getpid());
	EXPECT_EQ(0, system(cmd));
	free(a.pids);
}

/*
 * A reader with a /proc of its own making: a tmpfs whose <pid>/pagemap
 * are a symlink to the reader's own pagemap, or a plain file.  The files
 * open (the kernel has no say in them), and must not be believed.
 */
struct fake_arg {
	pid_t same, other, nodump;
};

static int fake_proc_as_user1(void *arg)
{
	struct fake_arg *a = arg;
	char path[96];
	int fd;

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return 101;
	mkdir("/tmp/vmi-realproc", 0755);
	if (mount("proc", "/tmp/vmi-realproc", "proc", 0, NULL) ||
	    vst_fs_mount("/tmp/vmi-realproc/" VMI_PROC_DIR) ||
	    mount("tmpfs", "/proc", "tmpfs", 0, "mode=0755"))
		return 102;
	snprintf(path, sizeof(path), "/proc/%d", a->same);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", a->same);
	if (symlink("/tmp/vmi-realproc/self/pagemap", path))
		return 103;
	snprintf(path, sizeof(path), "/proc/%d", a->other);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", a->other);
	if (symlink("/tmp/vmi-realproc/self/pagemap", path))
		return 104;
	snprintf(path, sizeof(path), "/proc/%d", a->nodump);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", a->nodump);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	if (fd < 0)
		return 105;
	close(fd);
	if (become(USER1))
		return 100;
	/* the fakes open fine */
	if (vst_pagemap_errno(a->same) || vst_pagemap_errno(a->other) ||
	    vst_pagemap_errno(a->nodump))
		return 1;
#define REAL "/tmp/vmi-realproc/vminspect/%d/mm"
	snprintf(path, sizeof(path), REAL, a->same);
	if (vst_open_errno(path, O_RDONLY) != EACCES)
		return 2;
	snprintf(path, sizeof(path), REAL, a->other);
	if (vst_open_errno(path, O_RDONLY) != EACCES)
		return 3;
	snprintf(path, sizeof(path), REAL, a->nodump);
	if (vst_open_errno(path, O_RDONLY) != EACCES)
		return 4;
	/* not a procfs: locked out, even where it has no <pid> at all */
	snprintf(path, sizeof(path), REAL, 1);
	if (vst_open_errno(path, O_RDONLY) != EACCES)
		return 5;
	/* and processes lists nothing */
	snprintf(path, sizeof(path), "/tmp/vmi-realproc/%s/%s", VMI_PROC_DIR,
		 VMI_PROC_PROCESSES);
	if (!access(path, R_OK) && vst_listed_count() > 0)
		return 6;
	return 0;
}

/*
 * A real procfs at /proc, but a file system mounted over /proc/<same> (its
 * pagemap a symlink to the reader's own), or /proc a bind mount of a
 * procfs directory that is not its root: not believed either.
 */
static int overmount_as_user1(void *arg)
{
	struct fake_arg *a = arg;
	char path[96];

	if (own_proc(NULL, true))
		return 101;
	mkdir("/tmp/vmi-over", 0755);
	if (mount("tmpfs", "/tmp/vmi-over", "tmpfs", 0, "mode=0755"))
		return 102;
	/* relative: ".." leaves the tmpfs for /proc, self is the reader */
	if (symlink("../self/pagemap", "/tmp/vmi-over/pagemap"))
		return 103;
	snprintf(path, sizeof(path), "/proc/%d", a->same);
	if (mount("/tmp/vmi-over", path, NULL, MS_BIND, NULL))
		return 104;
	if (become(USER1))
		return 100;
	if (vst_pagemap_errno(a->same))	/* the symlink: our own */
		return 1;
	if (vst_ours_errno(a->same, VMI_PROC_MM) != EACCES)
		return 2;
	/* the rest of /proc is real: the others as pagemap says */
	if (vst_ours_errno(a->other, VMI_PROC_MM) != vst_pagemap_errno(a->other))
		return 3;
	if (vst_ours_errno(getpid(), VMI_PROC_MM))
		return 4;
	return 0;
}

static int bind_subdir_as_user1(void *arg)
{
	struct fake_arg *a = arg;
	char path[64];

	if (own_proc(NULL, false))
		return 101;
	mkdir("/tmp/vmi-vmifs", 0755);
	if (vst_fs_mount("/tmp/vmi-vmifs"))
		return 102;
	/* /proc/sys: a procfs, not its root ("sys/<pid>" are no pids) */
	if (mount("/proc/sys", "/proc", NULL, MS_BIND, NULL))
		return 103;
	if (become(USER1))
		return 100;
	snprintf(path, sizeof(path), "/tmp/vmi-vmifs/%d/mm", a->same);
	if (vst_open_errno(path, O_RDONLY) != EACCES)
		return 1;
	return 0;
}

TEST_F(users, a_proc_of_its_own_is_not_believed)
{
	struct fake_arg a = { self->same, self->other, self->nodump };

	EXPECT_EQ(0, vst_run_child(fake_proc_as_user1, &a));
	EXPECT_EQ(0, vst_run_child(overmount_as_user1, &a));
	EXPECT_EQ(0, vst_run_child(bind_subdir_as_user1, &a));
}

/*
 * One of our files bind-mounted over the pagemap its check opens: that open
 * would check itself, and so on, until the kernel stack overflowed (it did:
 * a panic).  Refused instead, by us and so by the kernel's open of that
 * "pagemap" too.  As root in a mount namespace, and (@arg->user) as a user
 * in a user and mount namespace of its own, as any user may make one.
 */
struct loop_arg {
	pid_t target;
	bool user;
};

/*
 * In a mount namespace of the caller's (unshared already): our mm of
 * @target bind-mounted over its pagemap.  0, or the child's exit code.
 */
static int ours_mounted_over_pagemap(pid_t target)
{
	char src[64], dst[64];

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return 102;
	snprintf(src, sizeof(src), "/proc/%s/%d/%s", VMI_PROC_DIR, target,
		 VMI_PROC_MM);
	snprintf(dst, sizeof(dst), "/proc/%d/pagemap", target);
	if (mount(src, dst, NULL, MS_BIND, NULL))
		return 103;
	return 0;
}

static int ours_over_pagemap(void *arg)
{
	struct loop_arg *a = arg;
	int ret;

	if (a->user) {
		if (become(USER1))
			return 100;
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
			return 50;	/* no unprivileged user namespaces */
	} else if (unshare(CLONE_NEWNS)) {
		return 101;
	}
	ret = ours_mounted_over_pagemap(a->target);
	if (ret)
		return ret;
	if (vst_ours_errno(a->target, VMI_PROC_MM) != EACCES)
		return 1;
	if (vst_ours_errno(a->target, VMI_PROC_VMAS) != EACCES)
		return 2;
	if (vst_pagemap_errno(a->target) != EACCES)
		return 3;
	if (vst_listed(a->target) != 0)
		return 4;
	/* the others are untouched */
	if (vst_ours_errno(getpid(), VMI_PROC_MM))
		return 5;
	return 0;
}

TEST_F(users, a_file_of_ours_over_pagemap_is_refused)
{
	struct loop_arg a = { self->same, false };
	int ret;

	EXPECT_EQ(0, vst_run_child(ours_over_pagemap, &a));
	a.user = true;
	ret = vst_run_child(ours_over_pagemap, &a);
	if (ret == 50)
		TH_LOG("no unprivileged user namespaces: user case not run");
	else
		EXPECT_EQ(0, ret);
}

/*
 * The guard against an open of ours over pagemap (module/target.c's
 * vmi_in_check, an entry on the stack of each check in progress) raced:
 * listers check every process at once, on every CPU, while a child opens
 * its file of ours over pagemap in a loop.  The guard must refuse the
 * child's every open and confuse no lister with it or with another: each
 * listing as root lists the fixture's targets, whose pagemap the kernel
 * opens for root.  Run on the debug kernels too (KASAN, lockdep).
 */
#define GUARD_SECONDS	3
#define GUARD_LISTERS	3

static int guard_lister(const pid_t *targets, int n)
{
	time_t end = time(NULL) + GUARD_SECONDS;
	int rounds = 0;

	while (time(NULL) < end) {
		for (int i = 0; i < n; i++)
			if (vst_listed(targets[i]) != 1)
				return 1;
		rounds++;
	}
	return rounds ? 0 : 2;
}

static int guard_looper(void *arg)
{
	struct loop_arg *a = arg;
	time_t end = time(NULL) + GUARD_SECONDS;
	int ret;

	if (unshare(CLONE_NEWNS))
		return 101;
	ret = ours_mounted_over_pagemap(a->target);
	if (ret)
		return ret;
	while (time(NULL) < end) {
		if (vst_ours_errno(a->target, VMI_PROC_MM) != EACCES)
			return 1;
		if (vst_listed(a->target) != 0)
			return 2;
	}
	return 0;
}

TEST_F(users, over_pagemap_guard_races_listings)
{
	pid_t targets[] = { self->same, self->other, self->nodump };
	struct loop_arg a = { self->same, false };
	pid_t listers[GUARD_LISTERS];
	int i, st;

	for (i = 0; i < (int)ARRAY_SIZE(targets); i++)
		ASSERT_EQ(0, vst_pagemap_errno(targets[i]));
	for (i = 0; i < GUARD_LISTERS; i++) {
		listers[i] = fork();
		ASSERT_LE(0, listers[i]);
		if (!listers[i])
			_exit(guard_lister(targets, ARRAY_SIZE(targets)));
	}
	EXPECT_EQ(0, vst_run_child(guard_looper, &a));
	for (i = 0; i < GUARD_LISTERS; i++) {
		ASSERT_EQ(listers[i], waitpid(listers[i], &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
	}
}

/* ---- AppArmor: a profile without ptrace rules denies ptrace read ---- */

#define AA_PROFILE	"vmi_noptrace"

static bool apparmor_enabled(void)
{
	char *s = vst_read_file("/sys/module/apparmor/parameters/enabled", NULL);
	bool on = s && s[0] == 'Y';

	free(s);
	return on;
}

/* Load (or replace) a profile compiled on the host (Makefile). */
static int apparmor_load_profile(const char *profile)
{
	char exe[256], bin[300], *dir, *blob;
	size_t len;
	ssize_t n;
	int fd, ret = -1;

	if (access("/sys/kernel/security/apparmor", F_OK) &&
	    mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL))
		return -1;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	dir = strrchr(exe, '/');
	*dir = '\0';
	snprintf(bin, sizeof(bin), "%s/%s.bin", exe, profile);
	blob = vst_read_file(bin, &len);
	if (!blob)
		return -1;
	fd = open("/sys/kernel/security/apparmor/.replace", O_WRONLY);
	if (fd >= 0 && write(fd, blob, len) == (ssize_t)len)
		ret = 0;
	if (fd >= 0)
		close(fd);
	free(blob);
	return ret;
}

static int change_profile(const char *name)
{
	char buf[64];
	int fd = open("/proc/self/attr/current", O_WRONLY), ret;

	if (fd < 0)
		return -1;
	snprintf(buf, sizeof(buf), "changeprofile %s", name);
	ret = write(fd, buf, strlen(buf)) == (ssize_t)strlen(buf) ? 0 : -1;
	close(fd);
	return ret;
}

struct aa_arg {
	struct match_arg m;
	pid_t same;
};

static int aa_reader(void *arg)
{
	struct aa_arg *a = arg;

	if (change_profile(AA_PROFILE))
		return 101;
	if (a->m.uid != (uid_t)-1 && become(a->m.uid))
		return 100;
	fprintf(stderr, "# uid %d confined: pagemap of a same-uid process: %s\n",
		(int)getuid(), strerror(vst_pagemap_errno(a->same)));
	/*
	 * AppArmor at work: pagemap of a process we could read is refused
	 * (to a user; root is refused too on 6.1 and 6.12, see the docs)
	 */
	if (a->m.uid != (uid_t)-1 && vst_pagemap_errno(a->same) != EACCES)
		return 3;
	a->m.uid = (uid_t)-1;
	/* and our own pagemap and files stay open to us */
	if (vst_pagemap_errno(getpid()))
		return 4;
	return match_as(&a->m);
}

TEST_F(users, apparmor_profile_without_ptrace_read)
{
	struct aa_arg a = { .same = self->same };

	if (!apparmor_enabled())
		SKIP(return, "AppArmor is not enabled in this kernel");
	ASSERT_EQ(0, apparmor_load_profile(AA_PROFILE));
	a.m.n = vst_user_pids(&a.m.pids);
	ASSERT_LT(3, a.m.n);
	a.m.uid = (uid_t)-1;		/* root, confined: as pagemap says */
	EXPECT_EQ(0, vst_run_child(aa_reader, &a));
	a.m.uid = USER1;		/* a user: denied all but self */
	a.m.min_denied = a.m.n - 1;
	EXPECT_EQ(0, vst_run_child(aa_reader, &a));
	free(a.m.pids);
}

/* ---- kernel pointers: %pK for the same reader, 0, 1 and 2 ---- */

static int mm_kptr_matches(void *arg)
{
	pid_t pid = *(pid_t *)arg;
	unsigned long mm, pgd;
	char *text = vst_read_pidfile(pid, VMI_PROC_MM);
	int want = netlink_kptr_class();

	if (!text)
		return 10;
	if (!vst_mm_key(text, VMI_MM_MM, &mm) || !vst_mm_key(text, VMI_MM_PGD, &pgd))
		return 11;
	free(text);
	if (kptr_class(mm) != want || kptr_class(pgd) != want) {
		fprintf(stderr, "# uid %d: mm %lx pgd %lx, netlink class %d\n",
			(int)getuid(), mm, pgd, want);
		return 12;
	}
	return 100 + want;	/* the class, for the caller to check */
}

static int mm_kptr_as_user1(void *arg)
{
	if (become(USER1))
		return 1;
	return mm_kptr_matches(arg);
}

TEST_F(users, kernel_pointers_follow_kptr_restrict)
{
	/* what %pK prints: [kptr_restrict][root, user] */
	static const int want[3][2] = {
		{ KPTR_HASHED, KPTR_HASHED },
		{ KPTR_REAL, KPTR_ZERO },
		{ KPTR_ZERO, KPTR_ZERO },
	};
	int v;

	for (v = 0; v <= 2; v++) {
		ASSERT_EQ(0, kptr_restrict_set(v));
		EXPECT_EQ(100 + want[v][0],
			  vst_run_child(mm_kptr_matches, &self->same));
		EXPECT_EQ(100 + want[v][1],
			  vst_run_child(mm_kptr_as_user1, &self->same));
	}
}

/* ---- names and paths that try to forge lines ---- */

#define FORGED_COMM	"x\nattr cow 9\\"
#define FORGED_PATH	"/tmp/vmi-nl\nforged 0 0"

static void forged_target(void *arg)
{
	int fd = open(FORGED_PATH, O_CREAT | O_RDWR, 0644);

	if (fd < 0 || ftruncate(fd, 4096) ||
	    mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
		_exit(1);
	prctl(PR_SET_NAME, FORGED_COMM);
}

/* "Name:\t..." of /proc/<pid>/status: the kernel's escaping of comm */
static char *status_name(pid_t pid)
{
	char path[64], *text, *p, *nl, *ret = NULL;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	text = vst_read_file(path, NULL);
	if (text && !strncmp(text, "Name:\t", 6)) {
		p = text + 6;
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		ret = strdup(p);
	}
	free(text);
	return ret;
}

static int count_lines_starting(const char *text, const char *prefix)
{
	const char *p = text;
	int n = 0;

	while (p) {
		if (!strncmp(p, prefix, strlen(prefix)))
			n++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

TEST(names_and_paths_are_escaped_as_the_kernel_escapes_them)
{
	pid_t pid = vst_spawn_stopped(forged_target, NULL);
	char *name, *mm, *procs, want[96], *line;
	struct vst_vma *maps, *vmas;
	int nm, nv, i, found = 0;

	ASSERT_LT(0, pid);
	ASSERT_EQ(0, vst_wait_pid_dir(pid, true));
	name = status_name(pid);
	ASSERT_NE(NULL, name);
	EXPECT_EQ(NULL, strchr(name, '\n'));
	EXPECT_STREQ("x\\nattr cow 9\\\\", name);

	/* mm: "comm NAME" as status has it, and no forged attr line */
	mm = vst_read_pidfile(pid, VMI_PROC_MM);
	ASSERT_NE(NULL, mm);
	snprintf(want, sizeof(want), "\ncomm %s\n", name);
	EXPECT_NE(NULL, strstr(mm, want));
	EXPECT_EQ(1, count_lines_starting(mm, "attr cow "));
	free(mm);

	/* processes: one line for the pid, ending in the escaped name */
	procs = vst_read_file("/proc/vminspect/processes", NULL);
	ASSERT_NE(NULL, procs);
	EXPECT_EQ(0, count_lines_starting(procs, "attr "));
	snprintf(want, sizeof(want), "%d ", pid);
	for (line = procs; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		size_t len = strcspn(line, "\n"), nlen = strlen(name);

		if (strncmp(line, want, strlen(want)))
			continue;
		found++;
		EXPECT_TRUE(len > nlen && !strncmp(line + len - nlen, name, nlen) &&
			    line[len - nlen - 1] == ' ');
	}
	EXPECT_EQ(1, found);
	free(procs);

	/* vmas: the file's path exactly as maps prints it */
	nm = vst_read_maps(pid, &maps);
	nv = vst_read_vmas(pid, &vmas);
	ASSERT_LT(0, nm);
	ASSERT_EQ(nm, nv);
	found = 0;
	for (i = 0; i < nm; i++) {
		EXPECT_STREQ(maps[i].path, vmas[i].path);
		if (strstr(maps[i].path, "/tmp/vmi-nl"))
			found++;
	}
	EXPECT_EQ(1, found);
	free(maps);
	free(vmas);

	/* and vmview parses it all */
	snprintf(want, sizeof(want), "/vmi/bin/vmview show %d >/dev/null", pid);
	EXPECT_EQ(0, system("/vmi/bin/vmview ps >/dev/null"));
	EXPECT_EQ(0, system("/vmi/bin/vmview -j ps >/dev/null"));
	EXPECT_EQ(0, system(want));
	snprintf(want, sizeof(want), "/vmi/bin/vmview maps %d >/dev/null", pid);
	EXPECT_EQ(0, system(want));
	free(name);
	vst_kill(pid);
	unlink(FORGED_PATH);
}

/* ---- per-page accessed/dirty bits, page-table pages, translate ---- */

#define TOUCHED	((char *)0x7e0000000000UL)

static void touch_page(void *arg)
{
	if (arg && become(*(uid_t *)arg))
		_exit(1);
	*TOUCHED = 1;
}

/* Translate @addr in @pid: the text, or NULL with errno. */
static char *xlate(pid_t pid, unsigned long addr)
{
	static char buf[4096];
	char path[64], req[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/vminspect/%d/translate", pid);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return NULL;
	snprintf(req, sizeof(req), "%lx\n", addr);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* Is @tok one of the comma-separated tokens of @bits? */
static bool has_token(const char *bits, const char *tok)
{
	size_t n = strlen(tok);
	const char *p = bits;

	while (p) {
		if (!strncmp(p, tok, n) && (p[n] == ',' || !p[n]))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/* The "level pte ..." line's raw entry and bits. */
static bool leaf_line(const char *text, unsigned long *entry, char *bits,
		      size_t len)
{
	const char *l = strstr(text, "\nlevel pte ");
	char fmt[32];

	if (!l)
		return false;
	snprintf(fmt, sizeof(fmt), "\nlevel pte %%*u %%lx %%%zus", len - 1);
	return sscanf(l, fmt, entry, bits) == 2;
}

/* Every table pointer (pgd..pmd) with its frame bits zero. */
static bool tables_hidden(const char *text)
{
	static const char *const levels[] = { "pgd", "p4d", "pud", "pmd" };
	char key[24], fmt[32];
	unsigned long e;
	int i;

	for (i = 0; i < 4; i++) {
		const char *l;

		snprintf(key, sizeof(key), "\nlevel %s ", levels[i]);
		l = strstr(text, key);
		if (!l || !strncmp(l + strlen(key), "folded", 6))
			continue;
		snprintf(fmt, sizeof(fmt), "%s%%*u %%lx", key);
		if (sscanf(l, fmt, &e) != 1 || (e & 0x000ffffffffff000UL))
			return false;
	}
	return true;
}

/* A process of USER1's forked by USER1 reads its own bits. */
static int self_bits(void *arg)
{
	unsigned long entry;
	char bits[256], *text;

	*TOUCHED = 2;
	if (vst_wait_pid_dir(getpid(), true))
		return 102;
	text = xlate(getpid(), (unsigned long)TOUCHED);
	if (!text || !leaf_line(text, &entry, bits, sizeof(bits)))
		return 4;
	if (!has_token(bits, "accessed") || !has_token(bits, "dirty"))
		return 5;
	return 0;
}

static int user1_bits(void *arg)
{
	pid_t root_target = *(pid_t *)arg, pid;
	unsigned long entry;
	char bits[256], *text;
	int ret = 0;

	if (become(USER1))
		return 100;
	/* a process of our own: translate is ours to write (0644, owner) */
	pid = vst_spawn_stopped(touch_page, NULL);
	if (pid < 0 || vst_wait_pid_dir(pid, true))
		return 101;
	text = xlate(pid, (unsigned long)TOUCHED);
	if (!text || !leaf_line(text, &entry, bits, sizeof(bits)))
		ret = 1;
	else if (has_token(bits, "accessed") || has_token(bits, "dirty") ||
		 (entry & 0x60) || (entry & 0x000ffffffffff000UL))
		ret = 2;	/* another process's: no A/D bits, no frame */
	else if (!tables_hidden(text))
		ret = 3;
	vst_kill(pid);
	if (ret)
		return ret;
	/* itself: its own accessed/dirty bits */
	ret = vst_run_child(self_bits, NULL);
	if (ret)
		return ret;
	/* root's process: translate is not ours to write */
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/vminspect/%d/translate",
			 root_target);
		if (vst_open_errno(path, O_RDWR) != EACCES)
			return 6;
	}
	return 0;
}

TEST(per_page_bits_frames_and_tables)
{
	char path[64], bits[256], *text;
	unsigned long entry;
	uint64_t pm;
	struct stat st;
	pid_t pid;

	ASSERT_EQ(TOUCHED, mmap(TOUCHED, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				-1, 0));
	pid = vst_spawn_stopped(touch_page, NULL);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, vst_wait_pid_dir(pid, true));
	snprintf(path, sizeof(path), "/proc/vminspect/%d/translate", pid);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0644, st.st_mode & 07777);

	/* root: the leaf's frame is pagemap's, accessed and dirty shown */
	text = xlate(pid, (unsigned long)TOUCHED);
	ASSERT_NE(NULL, text);
	ASSERT_TRUE(leaf_line(text, &entry, bits, sizeof(bits)));
	EXPECT_TRUE(has_token(bits, "accessed"));
	EXPECT_TRUE(has_token(bits, "dirty"));
	ASSERT_EQ(0, vst_pagemap_entry(pid, (unsigned long)TOUCHED, &pm));
	EXPECT_EQ(pm & ((1ULL << 55) - 1), (entry & 0x000ffffffffff000UL) >> 12);
	/* but not the page-table pages' addresses (table_phys=0) */
	EXPECT_TRUE(tables_hidden(text));

	EXPECT_EQ(0, vst_run_child(user1_bits, &pid));
	vst_kill(pid);
	munmap(TOUCHED, 4096);
}

/* ---- audit: listings make no record, a refused open does as pagemap's ---- */

#define AA_NOCAP	"vmi_nocap"	/* vmi_nocap_<step> */

static const char *const nocap_profiles[] = {
	AA_NOCAP "_list", AA_NOCAP "_ours", AA_NOCAP "_pagemap",
	AA_NOCAP "_match",
};

/*
 * The audit netlink socket of a phase.  It registers itself as the audit
 * daemon (AUDIT_SET of its own pid), so that kauditd sends it every record
 * instead of printing them under printk_ratelimit(), which drops a burst's
 * tail silently, our marker with it.
 */
#define NOCAP_RECORD_MAX	8970	/* libaudit's MAX_AUDIT_MESSAGE_LENGTH */

static int audit_request(int fd, int type, const void *data, size_t len,
			 int flags)
{
	struct {
		struct nlmsghdr nh;
		char data[256];
	} req = { 0 };
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (len > sizeof(req.data))
		return -1;
	memcpy(req.data, data, len);
	req.nh.nlmsg_len = NLMSG_LENGTH(len);
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | flags;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) != (ssize_t)req.nh.nlmsg_len)
		return -1;
	return 0;
}

/* The reply to an AUDIT_GET or the ack of an AUDIT_SET: 0, or -errno. */
static int audit_reply(int fd, int type, struct audit_status *st)
{
	char buf[NOCAP_RECORD_MAX];

	for (int i = 0; i < 64; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;

		if (n < 0)
			return -errno;
		if (!NLMSG_OK(nh, n))
			continue;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(nh);

			if (e->error || type == AUDIT_SET)
				return e->error;
		} else if (nh->nlmsg_type == type && st &&
			   nh->nlmsg_len >= NLMSG_LENGTH(sizeof(*st))) {
			memcpy(st, NLMSG_DATA(nh), sizeof(*st));
			return 0;
		}
	}
	return -EPROTO;
}

/* The kernel's count of records it dropped (AUDIT_GET's lost), or -1. */
static long audit_lost(int fd)
{
	struct audit_status st;

	if (audit_request(fd, AUDIT_GET, NULL, 0, 0) ||
	    audit_reply(fd, AUDIT_GET, &st))
		return -1;
	return st.lost;
}

/* Register (@pid) or unregister (0) @fd as the audit daemon: 0 or -errno. */
static int audit_daemon(int fd, pid_t pid)
{
	struct audit_status st = { .mask = AUDIT_STATUS_PID, .pid = pid };

	if (audit_request(fd, AUDIT_SET, &st, sizeof(st), NLM_F_ACK))
		return -errno;
	return audit_reply(fd, AUDIT_SET, NULL);
}

/* A socket registered as the audit daemon, or -1 with errno set. */
static int audit_listen(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	struct timeval tv = { .tv_sec = 1 };
	int err;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	err = audit_daemon(fd, getpid());
	if (err) {
		close(fd);
		errno = -err;
		return -1;
	}
	return fd;
}

static void audit_unlisten(int fd)
{
	audit_daemon(fd, 0);
	close(fd);
}

/*
 * AppArmor denials for the nocap profiles that kauditd sends @fd, read up
 * to @marker, a user record queued behind every record of the phase (they
 * are sent in order).  AUDIT_USER_AVC is the one user type audit takes
 * while audit is disabled.  -2 if the marker has not come in 60 s.
 */
static int audit_denials(int fd, const char *marker)
{
	time_t deadline = time(NULL) + 60;
	char buf[NOCAP_RECORD_MAX + 1];
	int count = 0;

	if (audit_request(fd, AUDIT_USER_AVC, marker, strlen(marker) + 1, 0))
		return -1;
	while (time(NULL) < deadline) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		char *text = NLMSG_DATA(nh);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return -1;
		if (!NLMSG_OK(nh, n))
			continue;
		buf[n] = '\0';
		if (nh->nlmsg_type == AUDIT_USER_AVC && strstr(text, marker))
			return count;
		if (nh->nlmsg_type == AUDIT_AVC &&
		    strstr(text, "apparmor=\"DENIED\"") &&
		    strstr(text, "profile=\"" AA_NOCAP "_"))
			count++;
	}
	return -2;
}

struct nocap_arg {
	pid_t other;
	int what;
};

enum { NOCAP_LIST, NOCAP_OURS, NOCAP_PAGEMAP, NOCAP_MATCH };

static int nocap_reader(void *arg)
{
	struct nocap_arg *a = arg;
	struct match_arg m = { .uid = (uid_t)-1 };
	int n;

	if (change_profile(nocap_profiles[a->what]))
		return 101;
	switch (a->what) {
	case NOCAP_LIST:
		/* root without CAP_SYS_PTRACE: the other user's is not listed */
		n = vst_listed(a->other);
		return n == 0 ? 0 : 1;
	case NOCAP_OURS:
		return vst_ours_errno(a->other, VMI_PROC_MM) == EACCES ? 0 : 2;
	case NOCAP_PAGEMAP:
		return vst_pagemap_errno(a->other) == EACCES ? 0 : 3;
	default:
		m.n = vst_user_pids(&m.pids);
		return m.n > 0 ? match_as(&m) : 4;
	}
}

/*
 * Run phase @what confined; return the denials it logged, -2 if the marker
 * never came, or -1.  A phase during which the kernel dropped records
 * (AUDIT_GET's lost moved) proves nothing either way: it is run again, up to
 * three times.
 */
static int nocap_phase(struct __test_metadata *const _metadata, pid_t other,
		       int what)
{
	struct nocap_arg a = { other, what };
	char marker[64];
	long lost0, lost1;
	int fd, ret;

	for (int round = 0; round < 3; round++) {
		/*
		 * A profile of its own per step: AppArmor logs a capability
		 * denial once per profile and CPU, and loading an identical
		 * profile again changes nothing.
		 */
		if (apparmor_load_profile(AA_NOCAP))
			return -1;
		fd = audit_listen();
		if (fd < 0) {
			TH_LOG("registering as the audit daemon: %s",
			       strerror(errno));
			return -1;
		}
		lost0 = audit_lost(fd);
		ret = vst_run_child(nocap_reader, &a);
		snprintf(marker, sizeof(marker),
			 "vmi_access_test_end_of_phase_%d_%d_%d", getpid(),
			 what, round);
		if (!ret)
			ret = audit_denials(fd, marker);
		else
			ret = -100 - ret;
		lost1 = audit_lost(fd);
		audit_unlisten(fd);
		if (ret < -2 || lost0 < 0 || lost1 < 0)
			return ret < -2 ? ret : -1;
		if (lost1 == lost0)
			return ret;
		TH_LOG("phase %d: the kernel dropped %ld audit records; again",
		       what, lost1 - lost0);
	}
	return -3;
}

/*
 * Each of the four phases waits up to 60 s for kauditd; one that lost
 * records runs again.
 */
TEST_F_TIMEOUT(users, listings_make_no_audit_record, 300)
{
	if (!apparmor_enabled())
		SKIP(return, "AppArmor is not enabled in this kernel");
	/* the kernel's own refusal of pagemap is logged: the channel works */
	EXPECT_LT(0, nocap_phase(_metadata, self->other, NOCAP_PAGEMAP));
	/* so is ours, as pagemap's */
	EXPECT_LT(0, nocap_phase(_metadata, self->other, NOCAP_OURS));
	/* a listing that leaves processes out logs nothing */
	EXPECT_EQ(0, nocap_phase(_metadata, self->other, NOCAP_LIST));
	/* and without CAP_SYS_PTRACE we still answer as pagemap does */
	EXPECT_LE(0, nocap_phase(_metadata, self->other, NOCAP_MATCH));
}

TEST_HARNESS_MAIN
