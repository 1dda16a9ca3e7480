// SPDX-License-Identifier: GPL-2.0
/*
 * The selftests' target process.  It holds anonymous memory touched and
 * untouched, a guard page and mprotect splits, private and shared file
 * mappings, shared anonymous memory, the heap, the stack, vdso/vvar,
 * pages swapped out to zram with MADV_PAGEOUT, a THP, 2M and 1G hugetlb
 * pages, and optionally a forked child sharing all of it copy-on-write.
 */
#include <fcntl.h>
#include <linux/mman.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vst_layout.h"

/* A region with an unmapped page on each side, so it never merges. */
static char *map_anon(size_t len, int prot)
{
	char *p = mmap(NULL, len + 2 * PG, prot, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, PG);
	munmap(p + PG + len, PG);
	return p + PG;
}

static char *map_file(const char *path, size_t len, int flags)
{
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	char *p;

	if (fd < 0 || ftruncate(fd, len))
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static void build_layout(void *arg)
{
	struct vst_layout *l = arg;
	volatile char sink = 0;
	char *p;
	int i;

	l->anon = map_anon(64 * PG, PROT_READ | PROT_WRITE);
	memset(l->anon, 1, 32 * PG);

	l->guard = map_anon(16 * PG, PROT_READ | PROT_WRITE);
	memset(l->guard, 2, 16 * PG);
	mprotect(l->guard + 8 * PG, PG, PROT_NONE);

	l->split = map_anon(8 * PG, PROT_READ | PROT_WRITE);
	memset(l->split, 3, 8 * PG);
	mprotect(l->split + 3 * PG, 2 * PG, PROT_READ);

	l->file_priv = map_file("/tmp/vmas_test.priv", 64 * PG, MAP_PRIVATE);
	for (i = 0; i < 4; i++)
		sink += l->file_priv[i * 8 * PG];
	l->file_priv[40 * PG] = 1;		/* CoW of a file page */

	l->file_shared = map_file("/tmp/vmas_test.shared", 16 * PG, MAP_SHARED);
	for (i = 0; i < 3; i++)
		l->file_shared[i * 4 * PG] = 1;

	l->shm_anon = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	memset(l->shm_anon, 4, 4 * PG);

	l->heap = sbrk(0);
	if (sbrk(40 * PG) != (void *)-1)
		memset(l->heap, 5, 20 * PG);

	l->never = map_anon(32 * PG, PROT_READ | PROT_WRITE);

	l->swapped = map_anon(32 * PG, PROT_READ | PROT_WRITE);
	memset(l->swapped, 6, 32 * PG);
	if (l->swap)
		madvise(l->swapped, 24 * PG, MADV_PAGEOUT);

	if (l->thp_ok) {
		p = map_anon(2 * SZ_2M, PROT_READ | PROT_WRITE);
		l->thp = (char *)(((unsigned long)p + SZ_2M - 1) & ~(SZ_2M - 1));
		madvise(l->thp, SZ_2M, MADV_HUGEPAGE);
		memset(l->thp, 7, SZ_2M);
	}
	if (l->h2m) {
		p = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		l->huge2m = p == MAP_FAILED ? NULL : p;
		if (l->huge2m)
			memset(l->huge2m, 8, SZ_2M);
	}
	if (l->h1g) {
		p = mmap(NULL, SZ_1G, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			 MAP_HUGE_1GB, -1, 0);
		l->huge1g = p == MAP_FAILED ? NULL : p;
		if (l->huge1g)
			l->huge1g[0] = 9;
	}
	(void)sink;
}

/* The target: builds the layout, forks a CoW child, both stop. */
static void target(void *arg)
{
	struct vst_layout *l = arg;
	int fd = l->child;	/* write end of the report pipe */

	build_layout(l);
	if (l->fork_child) {
		l->child = vst_spawn_stopped(NULL, NULL);
		if (l->child < 0)
			_exit(1);
	}
	if (write(fd, l, sizeof(*l)) != sizeof(*l))
		_exit(1);
	close(fd);
}

pid_t vst_layout_start(struct vst_layout *l, bool fork_child)
{
	int pfd[2];
	pid_t pid;

	memset(l, 0, sizeof(*l));
	l->swap = vst_swap_on() == 0;
	l->thp_ok = vst_thp_available();
	l->h2m = vst_hugetlb_reserve(2048, 4);
	l->h1g = vst_hugetlb_reserve(1048576, 1);
	l->fork_child = fork_child;
	if (pipe(pfd))
		return -1;
	l->child = pfd[1];
	pid = vst_spawn_stopped(target, l);
	close(pfd[1]);
	if (pid < 0 || read(pfd[0], l, sizeof(*l)) != sizeof(*l)) {
		close(pfd[0]);
		vst_kill(pid);
		return -1;
	}
	close(pfd[0]);
	if (vst_wait_pid_dir(pid, true) ||
	    (fork_child && (l->child <= 0 || vst_wait_pid_dir(l->child, true)))) {
		vst_layout_stop(l, pid);
		return -1;
	}
	return pid;
}

void vst_layout_stop(struct vst_layout *l, pid_t pid)
{
	if (l->fork_child && l->child > 0)
		kill(l->child, SIGKILL);	/* a grandchild: init reaps it */
	vst_kill(pid);
}
