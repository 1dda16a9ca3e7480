// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: random and adversarial writes to /proc/vminspect files.
 *
 * translate gets VMI_FUZZ_ITERS inputs (default 100000): random bytes,
 * strings over the alphabet of addresses, well-formed addresses (in the
 * target's VMAs, at the edges of task_size, above it, with and without
 * 0x, zero padding, newlines) and mutations of them (a byte flipped,
 * inserted or deleted, a '+', an embedded NUL, two addresses), writes of
 * up to 4096 bytes and from bad user pointers.  The oracle is the format
 * of Documentation/proc-vminspect.rst: one hex number, "0x" optional, a
 * trailing newline allowed, at most 19 bytes, below task_size.  A valid
 * input must be accepted whole and read back as that address; anything
 * else must fail with EINVAL (EFAULT for a bad pointer) and change
 * nothing, which is checked by reading back.
 *
 * The other files must refuse writes cleanly, as root and as a user, and
 * still read back well-formed afterwards.
 */
#include <errno.h>
#include <fcntl.h>
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

#define MAX_INPUT	4096

struct fuzz_stats {
	long inputs, accepted, einval, efault, other;
	long readbacks, unchanged_checks;
};

static unsigned long rnd(unsigned int *seed, unsigned long n)
{
	unsigned long r = ((unsigned long)rand_r(seed) << 31) ^ rand_r(seed);

	r = (r << 31) ^ rand_r(seed);
	return n ? r % n : r;
}

static long fuzz_iters(void)
{
	const char *s = getenv("VMI_FUZZ_ITERS");
	long n = s ? strtol(s, NULL, 10) : 100000;

	return n > 0 ? n : 100000;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The documented grammar: [0x|0X] HEXDIGITS [\n], 1..19 bytes, no
 * overflow, below @task_size.  Return: true with *@addr if valid.
 */
static bool oracle(const char *buf, size_t len, unsigned long task_size,
		   unsigned long *addr)
{
	unsigned long v = 0;
	size_t i = 0, digits = 0;

	if (len < 1 || len > 19)
		return false;
	if (len >= 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X'))
		i = 2;
	for (; i < len && hexval(buf[i]) >= 0; i++, digits++) {
		if (v >> 60)
			return false;	/* overflow */
		v = v << 4 | hexval(buf[i]);
	}
	if (!digits)
		return false;
	if (i < len && buf[i] == '\n')
		i++;
	if (i != len)
		return false;
	*addr = v;
	return v < task_size;
}

struct target_map {
	unsigned long start[64], end[64];
	int n;
};

static unsigned long pick_addr(unsigned int *seed, const struct target_map *tm,
			       unsigned long task_size)
{
	static const unsigned long edges[] = {
		0, 1, 0xfff, 0x1000, (1UL << 47) - 1, 1UL << 47,
		(1UL << 47) - 0x1000, (1UL << 56) - 1, 1UL << 56,
		(1UL << 56) - 0x1000, 0xffff800000000000UL,
		0xff00000000000000UL, ~0UL, ~0UL - 0xfff,
	};
	int i;

	switch (rnd(seed, 8)) {
	case 0:
		return edges[rnd(seed, ARRAY_SIZE(edges))];
	case 1:
		return task_size - rnd(seed, 3);
	case 2:
		return rnd(seed, 0);
	case 3:
		return rnd(seed, 1UL << 47);
	case 4:
		return rnd(seed, 1UL << 56);
	default:
		i = rnd(seed, tm->n);
		return tm->start[i] + rnd(seed, tm->end[i] - tm->start[i]);
	}
}

/* A well-formed or nearly well-formed address string. */
static size_t gen_addr(char *buf, unsigned int *seed,
		       const struct target_map *tm, unsigned long task_size)
{
	static const char *const prefix[] = { "", "", "0x", "0X" };
	static const char *const suffix[] = {
		"", "", "\n", "\n\n", " ", "\r\n", "\t", "h",
	};
	unsigned long a = pick_addr(seed, tm, task_size);
	int zeros = rnd(seed, 4) ? 0 : rnd(seed, 20);
	size_t n;

	n = sprintf(buf, "%s%0*lx%s", prefix[rnd(seed, 4)], zeros, a,
		    suffix[rnd(seed, 8)]);
	if (!rnd(seed, 4)) {
		size_t i;

		for (i = 0; i < n; i++)
			if (buf[i] >= 'a' && buf[i] <= 'f')
				buf[i] -= 'a' - 'A';
	}
	return n;
}

static size_t gen(char *buf, unsigned int *seed, const struct target_map *tm,
		  unsigned long task_size)
{
	static const char alphabet[] = "0123456789abcdefABCDEFxX+-\n\t\r ";
	size_t n, i, at;

	switch (rnd(seed, 10)) {
	case 0:		/* random bytes */
		n = rnd(seed, 25);
		for (i = 0; i < n; i++)
			buf[i] = rnd(seed, 256);
		return n;
	case 1:		/* the alphabet of addresses, plus NUL */
		n = rnd(seed, 25);
		for (i = 0; i < n; i++)
			buf[i] = alphabet[rnd(seed, sizeof(alphabet))];
		return n;
	case 2:		/* long: padding or garbage */
		n = 20 + rnd(seed, MAX_INPUT - 20);
		memset(buf, rnd(seed, 2) ? '0' : 'f', n);
		if (rnd(seed, 2))
			buf[n - 1] = '\n';
		return n;
	case 3:		/* mutated */
		n = gen_addr(buf, seed, tm, task_size);
		at = n ? rnd(seed, n + 1) : 0;
		switch (rnd(seed, 6)) {
		case 0:		/* flip */
			if (at < n)
				buf[at] ^= 1 << rnd(seed, 8);
			break;
		case 1:		/* insert */
			memmove(buf + at + 1, buf + at, n - at);
			buf[at] = rnd(seed, 256);
			n++;
			break;
		case 2:		/* delete */
			if (at < n) {
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
			}
			break;
		case 3:		/* sign */
			memmove(buf + 1, buf, n);
			buf[0] = rnd(seed, 2) ? '+' : '-';
			n++;
			break;
		case 4:		/* embedded NUL */
			memmove(buf + at + 1, buf + at, n - at);
			buf[at] = '\0';
			n++;
			break;
		default:	/* two addresses */
			buf[n++] = rnd(seed, 2) ? ' ' : '\n';
			n += gen_addr(buf + n, seed, tm, task_size);
			break;
		}
		return n;
	default:
		return gen_addr(buf, seed, tm, task_size);
	}
}

/* Read the translate file from the start; the "address" line, 0 if none. */
static int readback(int fd, char *out, size_t size, unsigned long *addr)
{
	ssize_t r;
	char *p;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	r = read(fd, out, size - 1);
	if (r < 0)
		return -1;
	out[r] = '\0';
	if (strncmp(out, "vminspect-translate ", 20))
		return -1;
	p = strstr(out, "\naddress 0x");
	*addr = p ? strtoul(p + 11, NULL, 16) : 0;
	if (p && (!strstr(out, "\nstop ") || !strstr(out, "\npaging_levels ")))
		return -1;
	return p ? 1 : 0;
}

static void child_map(void *arg)
{
	char *p = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		memset(p, 1, 4 << 20);
}

FIXTURE(fuzz) {
	pid_t pid;
	struct target_map tm;
	unsigned long task_size;
};

FIXTURE_SETUP(fuzz)
{
	struct vst_vma *v;
	int i, n;

	self->pid = vst_spawn_stopped(child_map, NULL);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, vst_wait_pid_dir(self->pid, true));
	n = vst_read_maps(self->pid, &v);
	ASSERT_LT(0, n);
	self->tm.n = 0;
	for (i = 0; i < n && self->tm.n < 64; i++, self->tm.n++) {
		self->tm.start[self->tm.n] = v[i].start;
		self->tm.end[self->tm.n] = v[i].end;
	}
	free(v);
	self->task_size = vst_paging_levels() == 5 ? (1UL << 56) - 4096 :
						     (1UL << 47) - 4096;
}

FIXTURE_TEARDOWN(fuzz)
{
	vst_kill(self->pid);
}

/* Feed @iters inputs to the translate file @fd; return the wrong answers. */
static long feed_translate(struct __test_metadata *_metadata, int fd,
			   const struct target_map *tm, unsigned long task_size,
			   long iters, unsigned int seed, struct fuzz_stats *st)
{
	static char buf[MAX_INPUT + 32], out[8192];
	unsigned long last = 0, got = 0, want = 0;
	bool have_last = false;
	long bad = 0;

	for (st->inputs = 0; st->inputs < iters && bad < 10; st->inputs++) {
		size_t n = gen(buf, &seed, tm, task_size);
		bool valid = oracle(buf, n, task_size, &want);
		bool fault = !rnd(&seed, 1000);
		ssize_t r;
		int rb;

		r = write(fd, fault ? (char *)8 : buf, n);
		if (fault) {
			if (r == -1 && (errno == EFAULT || errno == EINVAL)) {
				st->efault++;
				continue;
			}
			bad++;
			TH_LOG("write from a bad pointer (%zu bytes): %zd %s", n,
			       r, strerror(errno));
			continue;
		}
		if (r == (ssize_t)n && valid) {
			st->accepted++;
			last = want;
			have_last = true;
		} else if (r == -1 && errno == EINVAL && !valid) {
			st->einval++;
		} else {
			st->other++;
			bad++;
			TH_LOG("input \"%.*s\" (%zu bytes, %s): write gave %zd (%s)",
			       (int)(n < 40 ? n : 40), buf, n,
			       valid ? "valid" : "invalid", r,
			       r < 0 ? strerror(errno) : "accepted");
			continue;
		}
		/* read back every valid answer, and often after a refusal */
		if (!valid && rnd(&seed, 8))
			continue;
		rb = readback(fd, out, sizeof(out), &got);
		if (rb < 0 || rb != have_last || (have_last && got != last)) {
			bad++;
			TH_LOG("after \"%.*s\": read back %d, address 0x%lx, want 0x%lx",
			       (int)(n < 40 ? n : 40), buf, rb, got, last);
		}
		if (valid)
			st->readbacks++;
		else
			st->unchanged_checks++;
	}
	return bad;
}

TEST_F_TIMEOUT(fuzz, translate, 3600)
{
	struct fuzz_stats st = { 0 };
	unsigned int seed = time(NULL) ^ getpid();
	long iters = fuzz_iters(), bad;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/%d/%s", VMI_PROC_DIR,
		 self->pid, VMI_PROC_TRANSLATE);
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd);
	printf("# translate: %ld inputs, seed %u, task_size 0x%lx\n", iters,
	       seed, self->task_size);
	bad = feed_translate(_metadata, fd, &self->tm, self->task_size, iters,
			     seed, &st);
	close(fd);
	printf("# translate: %ld inputs: %ld accepted, %ld EINVAL, %ld EFAULT, %ld wrong\n",
	       st.inputs, st.accepted, st.einval, st.efault, st.other);
	printf("# translate: %ld answers read back, %ld refusals checked unchanged\n",
	       st.readbacks, st.unchanged_checks);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(iters, st.inputs);
	EXPECT_LT(0, st.accepted);
	EXPECT_LT(0, st.einval);
}

static bool clean_write_errno(int e)
{
	return e == EIO || e == EINVAL || e == EBADF || e == EACCES ||
	       e == EPERM;
}

/* Random writes to @path as the caller; then it must still read well. */
static long refuse_writes(const char *path, const char *file,
			  unsigned int *seed, long n, bool root)
{
	char buf[256], head[64];
	long bad = 0, i;
	ssize_t r;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0) {
		if (errno != EACCES && errno != EPERM)
			bad++;
		/* a user may never open these for writing */
	} else {
		if (!root)
			bad++;
		for (i = 0; i < n; i++) {
			size_t len = 1 + rnd(seed, sizeof(buf));
			size_t k;

			for (k = 0; k < len; k++)
				buf[k] = rnd(seed, 256);
			r = write(fd, buf, len);
			if (r >= 0 || !clean_write_errno(errno))
				bad++;
		}
		close(fd);
	}
	/* a read-only descriptor refuses writes */
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return bad + 1;
	if (write(fd, "1\n", 2) != -1 || errno != EBADF)
		bad++;
	r = read(fd, head, sizeof(head) - 1);
	close(fd);
	if (r < 11)
		return bad + 1;
	head[r] = '\0';
	if (strncmp(head, "vminspect-", 10) || strncmp(head + 10, file,
						       strlen(file)))
		bad++;
	return bad;
}

TEST_F(fuzz, other_files_refuse_writes)
{
	static const char *const files[] = {
		VMI_PROC_MM, VMI_PROC_VMAS, VMI_PROC_PAGETABLE,
	};
	unsigned int seed = time(NULL) ^ getpid();
	char path[96];
	long bad = 0;
	int i, status;
	pid_t user;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/proc/%s/%d/%s", VMI_PROC_DIR,
			 self->pid, files[i]);
		bad += refuse_writes(path, files[i], &seed, 2000, true);
	}
	snprintf(path, sizeof(path), "/proc/%s/%s", VMI_PROC_DIR,
		 VMI_PROC_PROCESSES);
	bad += refuse_writes(path, VMI_PROC_PROCESSES, &seed, 2000, true);
	EXPECT_EQ(0, bad);

	/* directories and new names */
	snprintf(path, sizeof(path), "/proc/%s/%d", VMI_PROC_DIR, self->pid);
	EXPECT_EQ(-1, open(path, O_WRONLY));
	EXPECT_EQ(EISDIR, errno);
	snprintf(path, sizeof(path), "/proc/%s/%d/new", VMI_PROC_DIR,
		 self->pid);
	EXPECT_EQ(-1, open(path, O_WRONLY | O_CREAT, 0644));
	EXPECT_TRUE(errno == EACCES || errno == ENOENT || errno == EPERM);

	/* an unprivileged user: its own process's files */
	user = fork();
	ASSERT_LE(0, user);
	if (user == 0) {
		long b = 0;

		/*
		 * setuid() made it non-dumpable: it could not open its own
		 * pagemap, nor our files; a plain user process is dumpable.
		 */
		if (setgid(1000) || setuid(1000) ||
		    prctl(PR_SET_DUMPABLE, 1))
			_exit(2);
		for (i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "/proc/%s/%d/%s",
				 VMI_PROC_DIR, getpid(), files[i]);
			if (vst_wait_pid_dir(getpid(), true))
				_exit(3);
			b += refuse_writes(path, files[i], &seed, 200, false);
		}
		snprintf(path, sizeof(path), "/proc/%s/%s", VMI_PROC_DIR,
			 VMI_PROC_PROCESSES);
		b += refuse_writes(path, VMI_PROC_PROCESSES, &seed, 200, false);
		_exit(b ? 1 : 0);
	}
	ASSERT_EQ(user, waitpid(user, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
