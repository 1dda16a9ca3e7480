// SPDX-License-Identifier: GPL-2.0
/*
 * vmas_test: /proc/vminspect/<pid>/{vmas,mm} and /proc/vminspect/processes
 * against the kernel's own truth, for a stopped target that holds one of
 * everything: anonymous memory touched and untouched, a guard page and
 * mprotect splits, private and shared file mappings, shared anonymous
 * memory, the heap, the stack, vdso/vvar, pages swapped out to zram with
 * MADV_PAGEOUT, a THP, 2M and 1G hugetlb pages, and a forked child sharing
 * all of it copy-on-write.
 *
 * Truth: /proc/<pid>/maps (the VMA list), pagemap (per-page state and
 * exclusivity), smaps (Rss), status (VmPTE, RssAnon/File/Shmem).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/mman.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmi_util.h"

#define SZ_2M	(2UL << 20)
#define SZ_1G	(1024UL * 1024 * 1024)
#define PG	VMI_PAGE

struct layout {
	char *anon, *guard, *split, *file_priv, *file_shared, *shm_anon;
	char *swapped, *thp, *huge2m, *huge1g, *never, *heap;
	bool swap, thp_ok, h2m, h1g, fork_child;
	pid_t child;		/* the CoW child, filled by the parent side */
};

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
	struct layout *l = arg;
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
	struct layout *l = arg;
	int fd = l->child;	/* write end of the report pipe */

	build_layout(l);
	if (l->fork_child) {
		l->child = vmi_spawn_stopped(NULL, NULL);
		if (l->child < 0)
			_exit(1);
	}
	if (write(fd, l, sizeof(*l)) != sizeof(*l))
		_exit(1);
	close(fd);
}

FIXTURE(layout) {
	struct layout l;
	pid_t pid;
};

FIXTURE_VARIANT(layout) {
	bool fork_child;
};

FIXTURE_VARIANT_ADD(layout, alone) {
	.fork_child = false,
};

FIXTURE_VARIANT_ADD(layout, forked) {
	.fork_child = true,
};

FIXTURE_SETUP(layout)
{
	int pfd[2];

	memset(&self->l, 0, sizeof(self->l));
	self->l.swap = vmi_swap_on() == 0;
	self->l.thp_ok = vmi_thp_available();
	self->l.h2m = vmi_hugetlb_reserve(2048, 4);
	self->l.h1g = vmi_hugetlb_reserve(1048576, 1);
	self->l.fork_child = variant->fork_child;
	ASSERT_EQ(0, pipe(pfd));
	self->l.child = pfd[1];
	self->pid = vmi_spawn_stopped(target, &self->l);
	ASSERT_LT(0, self->pid);
	close(pfd[1]);
	ASSERT_EQ(sizeof(self->l), read(pfd[0], &self->l, sizeof(self->l)));
	close(pfd[0]);
	ASSERT_EQ(0, vmi_wait_pid_dir(self->pid, true));
	if (variant->fork_child) {
		ASSERT_LT(0, self->l.child);
		ASSERT_EQ(0, vmi_wait_pid_dir(self->l.child, true));
	}
	if (!self->l.swap)
		TH_LOG("no swap: MADV_PAGEOUT part not exercised");
}

FIXTURE_TEARDOWN(layout)
{
	if (self->l.fork_child && self->l.child > 0)
		kill(self->l.child, SIGKILL);	/* our grandchild: init reaps */
	vmi_kill(self->pid);
}

static struct vmi_vma *find_vma(struct vmi_vma *v, int n, unsigned long addr)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i].start <= addr && addr < v[i].end)
			return &v[i];
	return NULL;
}

/* Every pid the test looks at: the target and, if forked, its child. */
static int pids_of(FIXTURE_DATA(layout) * self, pid_t *pids)
{
	pids[0] = self->pid;
	if (self->l.fork_child) {
		pids[1] = self->l.child;
		return 2;
	}
	return 1;
}

TEST_F(layout, vma_list_equals_maps)
{
	struct vmi_vma *ours, *maps;
	pid_t pids[2];
	int k, np = pids_of(self, pids);

	for (k = 0; k < np; k++) {
		int n = vmi_read_vmas(pids[k], &ours);
		int m = vmi_read_maps(pids[k], &maps);
		int i;

		ASSERT_LT(0, n);
		ASSERT_EQ(m, n);
		for (i = 0; i < n; i++) {
			EXPECT_EQ(maps[i].start, ours[i].start);
			EXPECT_EQ(maps[i].end, ours[i].end);
			EXPECT_STREQ(maps[i].perms, ours[i].perms);
			EXPECT_EQ(maps[i].offset, ours[i].offset);
			EXPECT_EQ(maps[i].dev_major, ours[i].dev_major);
			EXPECT_EQ(maps[i].dev_minor, ours[i].dev_minor);
			EXPECT_EQ(maps[i].ino, ours[i].ino);
			EXPECT_STREQ(maps[i].path, ours[i].path);
		}
		/* the layout's pieces are all there */
		EXPECT_NE(NULL, find_vma(ours, n, (unsigned long)self->l.anon));
		EXPECT_STREQ("---p",
			     find_vma(ours, n, (unsigned long)self->l.guard + 8 * PG)->perms);
		EXPECT_STREQ("r--p",
			     find_vma(ours, n, (unsigned long)self->l.split + 3 * PG)->perms);
		EXPECT_STREQ("/tmp/vmas_test.shared",
			     find_vma(ours, n, (unsigned long)self->l.file_shared)->path);
		free(ours);
		free(maps);
	}
}

TEST_F(layout, page_states_equal_pagemap)
{
	unsigned long swapped_total = 0;
	struct vmi_vma *v;
	pid_t pids[2];
	int k, np = pids_of(self, pids);

	for (k = 0; k < np; k++) {
		int n = vmi_read_vmas(pids[k], &v);
		int i;

		ASSERT_LT(0, n);
		for (i = 0; i < n; i++) {
			struct vmi_pagemap_counts c;
			unsigned long pages = (v[i].end - v[i].start) / PG, sum = 0;
			int s;

			ASSERT_EQ(0, vmi_pagemap_counts(pids[k], v[i].start,
							v[i].end, &c)) {
				TH_LOG("pagemap %lx", v[i].start);
			}
			for (s = 0; s < VMI_NR_STATES; s++)
				sum += v[i].state[s];
			EXPECT_EQ(pages, sum);
			EXPECT_EQ(c.present, v[i].state[VMI_STATE_PRESENT]) {
				TH_LOG("pid %d vma %lx-%lx %s: present", pids[k],
				       v[i].start, v[i].end, v[i].path);
			}
			EXPECT_EQ(c.swap, v[i].state[VMI_STATE_SWAP] +
					  v[i].state[VMI_STATE_MIGRATION] +
					  v[i].state[VMI_STATE_SPECIAL]) {
				TH_LOG("pid %d vma %lx-%lx: swap", pids[k],
				       v[i].start, v[i].end);
			}
			EXPECT_EQ(c.none, v[i].state[VMI_STATE_FILE] +
					  v[i].state[VMI_STATE_UNTOUCHED]);
			swapped_total += v[i].state[VMI_STATE_SWAP];
		}
		/* known pieces */
		{
			struct vmi_vma *a = find_vma(v, n, (unsigned long)self->l.anon);
			struct vmi_vma *nv = find_vma(v, n, (unsigned long)self->l.never);

			EXPECT_EQ(32, a->state[VMI_STATE_PRESENT]);
			EXPECT_EQ(32, a->state[VMI_STATE_UNTOUCHED]);
			EXPECT_EQ(32, nv->state[VMI_STATE_UNTOUCHED]);
		}
		if (self->l.thp) {
			struct vmi_vma *t = find_vma(v, n, (unsigned long)self->l.thp);

			EXPECT_EQ(512, t->attr[VMI_ATTR_HUGE_PMD]);
		}
		if (self->l.huge2m) {
			struct vmi_vma *h = find_vma(v, n, (unsigned long)self->l.huge2m);

			EXPECT_EQ(512, h->state[VMI_STATE_PRESENT]);
			EXPECT_EQ(512, h->attr[VMI_ATTR_HUGE_PMD]);
			EXPECT_EQ(0, h->tables[2]);	/* no PTE table under it */
		}
		if (self->l.huge1g) {
			struct vmi_vma *h = find_vma(v, n, (unsigned long)self->l.huge1g);

			EXPECT_EQ(SZ_1G / PG, h->attr[VMI_ATTR_HUGE_PUD]);
			EXPECT_EQ(0, h->tables[1]);	/* no PMD table under it */
		} else {
			TH_LOG("no 1G hugetlb page: PUD leaf not exercised");
		}
		free(v);
	}
	if (self->l.swap)
		EXPECT_LT(0, swapped_total);
}

/*
 * After fork both sides map the same anonymous pages read-only: the "cow"
 * count of a private writable VMA equals the present pages pagemap no
 * longer reports as exclusively mapped.
 */
TEST_F(layout, cow_equals_shared_pages)
{
	struct vmi_vma *v;
	pid_t pids[2];
	int k, np = pids_of(self, pids);

	for (k = 0; k < np; k++) {
		int n = vmi_read_vmas(pids[k], &v);
		char *const addrs[] = { self->l.anon, self->l.split, self->l.heap };
		int i;

		ASSERT_LT(0, n);
		for (i = 0; i < 3; i++) {
			struct vmi_vma *a = find_vma(v, n, (unsigned long)addrs[i]);
			struct vmi_pagemap_counts c;

			ASSERT_NE(NULL, a);
			ASSERT_EQ(0, vmi_pagemap_counts(pids[k], a->start, a->end, &c));
			EXPECT_EQ(c.present - c.exclusive, a->attr[VMI_ATTR_COW]) {
				TH_LOG("vma %lx-%lx", a->start, a->end);
			}
			/* copy-on-write pages exactly when there is a child */
			EXPECT_EQ(self->l.fork_child, a->attr[VMI_ATTR_COW] > 0);
		}
		free(v);
	}
}

TEST_F(layout, present_pages_equal_smaps_rss)
{
	struct vmi_vma *v;
	pid_t pids[2];
	int k, np = pids_of(self, pids);

	for (k = 0; k < np; k++) {
		unsigned long total = 0;
		int n = vmi_read_vmas(pids[k], &v);
		int i;

		ASSERT_LT(0, n);
		for (i = 0; i < n; i++) {
			unsigned long rss = v[i].state[VMI_STATE_PRESENT] -
					    v[i].attr[VMI_ATTR_NOPAGE];

			if (strstr(v[i].flags, "ht"))
				continue;	/* smaps counts hugetlb apart */
			EXPECT_EQ(vmi_smaps_rss_kb(pids[k], v[i].start), rss * 4) {
				TH_LOG("vma %lx-%lx %s", v[i].start, v[i].end,
				       v[i].path);
			}
			total += rss;
		}
		EXPECT_EQ(vmi_smaps_total_rss_kb(pids[k], true), total * 4);
		free(v);
	}
}

TEST_F(layout, census_equals_vmpte_and_counters_equal_status)
{
	static const char *const levels[] = VMI_LEVEL_NAMES;
	unsigned long tables[VMI_NR_LEVELS], entries, cap, bytes, val;
	pid_t pids[2];
	int k, l, np = pids_of(self, pids);

	for (k = 0; k < np; k++) {
		char *mm = vmi_read_pidfile(pids[k], VMI_PROC_MM);

		ASSERT_NE(NULL, mm);
		ASSERT_EQ(0, strncmp(mm, "vminspect-mm 1.", 15));
		for (l = 0; l < VMI_NR_LEVELS; l++) {
			ASSERT_TRUE(vmi_census_line(mm, levels[l], &tables[l],
						    &entries, &cap, &bytes));
			EXPECT_EQ(tables[l] * PG, bytes);
			EXPECT_LE(entries, cap);
		}
		EXPECT_EQ(1, tables[VMI_LEVEL_PGD]);
		/* p4d tables exist exactly on 5-level paging */
		EXPECT_EQ(vmi_paging_levels() == 5, tables[VMI_LEVEL_P4D] > 0);
		EXPECT_EQ(vmi_status_kb(pids[k], "VmPTE") * 1024,
			  (tables[VMI_LEVEL_PUD] + tables[VMI_LEVEL_PMD] +
			   tables[VMI_LEVEL_PTE]) * PG);
		ASSERT_TRUE(vmi_kv(mm, "pgtables_bytes", &val));
		EXPECT_EQ(vmi_status_kb(pids[k], "VmPTE") * 1024, val);

		ASSERT_TRUE(vmi_kv(mm, "paging_levels", &val));
		EXPECT_EQ(vmi_paging_levels(), val);
		ASSERT_TRUE(vmi_kv(mm, "rss_anon", &val));
		EXPECT_EQ(vmi_status_kb(pids[k], "RssAnon"), val * 4);
		ASSERT_TRUE(vmi_kv(mm, "rss_file", &val));
		EXPECT_EQ(vmi_status_kb(pids[k], "RssFile"), val * 4);
		ASSERT_TRUE(vmi_kv(mm, "rss_shmem", &val));
		EXPECT_EQ(vmi_status_kb(pids[k], "RssShmem"), val * 4);
		ASSERT_TRUE(vmi_kv(mm, "total_vm", &val));
		EXPECT_EQ(vmi_status_kb(pids[k], "VmSize"), val * 4);
		ASSERT_TRUE(vmi_kv(mm, "swap_ents", &val));
		EXPECT_EQ(vmi_status_kb(pids[k], "VmSwap"), val * 4);
		ASSERT_TRUE(vmi_kv(mm, "pid", &val));
		EXPECT_EQ(pids[k], val);
		/* root reads kernel addresses */
		ASSERT_TRUE(vmi_kv(mm, "pgd", &val));
		EXPECT_NE(0, val);
		free(mm);
	}
}

TEST_F(layout, processes_line_matches_status)
{
	char *text = vmi_read_file("/proc/vminspect/processes", NULL);
	pid_t pids[2];
	int k, np = pids_of(self, pids);

	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, strncmp(text, "vminspect-processes 1.", 22));
	for (k = 0; k < np; k++) {
		unsigned long vmas, rss, t[VMI_NR_LEVELS], bytes;
		struct vmi_vma *maps;
		char key[32], *p;
		int got, n = vmi_read_maps(pids[k], &maps);

		snprintf(key, sizeof(key), "\n%d ", pids[k]);
		p = strstr(text, key);
		ASSERT_NE(NULL, p);
		got = sscanf(p + strlen(key), "%lu %lu %lu %lu %lu %lu %lu %lu",
			     &vmas, &rss, &t[0], &t[1], &t[2], &t[3], &t[4], &bytes);
		ASSERT_EQ(8, got);
		EXPECT_EQ(n, vmas);
		EXPECT_EQ(vmi_status_kb(pids[k], "VmRSS"), rss * 4);
		EXPECT_EQ(vmi_status_kb(pids[k], "VmPTE") * 1024,
			  (t[2] + t[3] + t[4]) * PG);
		EXPECT_EQ((t[0] + t[1] + t[2] + t[3] + t[4]) * PG, bytes);
		free(maps);
	}
	free(text);
}

TEST_HARNESS_MAIN
