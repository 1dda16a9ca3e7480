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
#include "vst_layout.h"

FIXTURE(layout) {
	struct vst_layout l;
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
	self->pid = vst_layout_start(&self->l, variant->fork_child);
	ASSERT_LT(0, self->pid);
	if (!self->l.swap)
		TH_LOG("no swap: MADV_PAGEOUT part not exercised");
}

FIXTURE_TEARDOWN(layout)
{
	vst_layout_stop(&self->l, self->pid);
}

static struct vst_vma *find_vma(struct vst_vma *v, int n, unsigned long addr)
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
	struct vst_vma *ours, *maps;
	pid_t pids[2];
	int k, np = pids_of(self, pids);

	for (k = 0; k < np; k++) {
		int n = vst_read_vmas(pids[k], &ours);
		int m = vst_read_maps(pids[k], &maps);
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
	struct vst_vma *v;
	pid_t pids[2];
	int k, np = pids_of(self, pids);

	for (k = 0; k < np; k++) {
		int n = vst_read_vmas(pids[k], &v);
		int i;

		ASSERT_LT(0, n);
		for (i = 0; i < n; i++) {
			struct vst_pagemap_counts c;
			unsigned long pages = (v[i].end - v[i].start) / PG, sum = 0;
			int s;

			ASSERT_EQ(0, vst_pagemap_counts(pids[k], v[i].start,
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
			struct vst_vma *a = find_vma(v, n, (unsigned long)self->l.anon);
			struct vst_vma *nv = find_vma(v, n, (unsigned long)self->l.never);

			EXPECT_EQ(32, a->state[VMI_STATE_PRESENT]);
			EXPECT_EQ(32, a->state[VMI_STATE_UNTOUCHED]);
			EXPECT_EQ(32, nv->state[VMI_STATE_UNTOUCHED]);
		}
		if (self->l.thp) {
			struct vst_vma *t = find_vma(v, n, (unsigned long)self->l.thp);

			EXPECT_EQ(512, t->attr[VMI_ATTR_HUGE_PMD]);
		}
		if (self->l.huge2m) {
			struct vst_vma *h = find_vma(v, n, (unsigned long)self->l.huge2m);

			EXPECT_EQ(512, h->state[VMI_STATE_PRESENT]);
			EXPECT_EQ(512, h->attr[VMI_ATTR_HUGE_PMD]);
			EXPECT_EQ(0, h->tables[2]);	/* no PTE table under it */
		}
		if (self->l.huge1g) {
			struct vst_vma *h = find_vma(v, n, (unsigned long)self->l.huge1g);
			struct vst_pagemap_counts c;
			uint64_t e = 0;

			/*
			 * A present 1G page is one PUD leaf.  In the forked
			 * child the kernel has, now and then (7.3), no
			 * present entry there: pagemap says so too (the
			 * states above matched it), and then it is no leaf.
			 */
			ASSERT_EQ(0, vst_pagemap_counts(pids[k], h->start,
							h->end, &c));
			vst_pagemap_entry(pids[k], h->start, &e);
			EXPECT_EQ(c.present, h->attr[VMI_ATTR_HUGE_PUD]);
			if (!k)		/* the target touched it */
				EXPECT_EQ(SZ_1G / PG, c.present);
			if (c.present != SZ_1G / PG) {
				TH_LOG("pid %d (%s): 1G VMA present %lu swap %lu",
				       pids[k], k ? "child" : "target",
				       (unsigned long)h->state[VMI_STATE_PRESENT],
				       (unsigned long)h->state[VMI_STATE_SWAP]);
				TH_LOG("migration %lu special %lu; pagemap %016llx",
				       (unsigned long)h->state[VMI_STATE_MIGRATION],
				       (unsigned long)h->state[VMI_STATE_SPECIAL],
				       (unsigned long long)e);
			}
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
	struct vst_vma *v;
	pid_t pids[2];
	int k, np = pids_of(self, pids);

	for (k = 0; k < np; k++) {
		int n = vst_read_vmas(pids[k], &v);
		char *const addrs[] = { self->l.anon, self->l.split, self->l.heap };
		int i;

		ASSERT_LT(0, n);
		for (i = 0; i < 3; i++) {
			struct vst_vma *a = find_vma(v, n, (unsigned long)addrs[i]);
			struct vst_pagemap_counts c;

			ASSERT_NE(NULL, a);
			ASSERT_EQ(0, vst_pagemap_counts(pids[k], a->start, a->end, &c));
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
	struct vst_vma *v;
	pid_t pids[2];
	int k, np = pids_of(self, pids);

	for (k = 0; k < np; k++) {
		unsigned long total = 0;
		int n = vst_read_vmas(pids[k], &v);
		int i;

		ASSERT_LT(0, n);
		for (i = 0; i < n; i++) {
			unsigned long rss = v[i].state[VMI_STATE_PRESENT] -
					    v[i].attr[VMI_ATTR_NOPAGE];

			if (strstr(v[i].flags, "ht"))
				continue;	/* smaps counts hugetlb apart */
			EXPECT_EQ(vst_smaps_rss_kb(pids[k], v[i].start), rss * 4) {
				TH_LOG("vma %lx-%lx %s", v[i].start, v[i].end,
				       v[i].path);
			}
			total += rss;
		}
		EXPECT_EQ(vst_smaps_total_rss_kb(pids[k], true), total * 4);
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
		char *mm = vst_read_pidfile(pids[k], VMI_PROC_MM);

		ASSERT_NE(NULL, mm);
		ASSERT_EQ(0, strncmp(mm, "vminspect-mm 1.", 15));
		for (l = 0; l < VMI_NR_LEVELS; l++) {
			ASSERT_TRUE(vst_census_line(mm, levels[l], &tables[l],
						    &entries, &cap, &bytes));
			EXPECT_EQ(tables[l] * PG, bytes);
			EXPECT_LE(entries, cap);
		}
		EXPECT_EQ(1, tables[VMI_LEVEL_PGD]);
		/* p4d tables exist exactly on 5-level paging */
		EXPECT_EQ(vst_paging_levels() == 5, tables[VMI_LEVEL_P4D] > 0);
		EXPECT_EQ(vst_status_kb(pids[k], "VmPTE") * 1024,
			  (tables[VMI_LEVEL_PUD] + tables[VMI_LEVEL_PMD] +
			   tables[VMI_LEVEL_PTE]) * PG);
		ASSERT_TRUE(vst_mm_key(mm, VMI_MM_PGTABLES_BYTES, &val));
		EXPECT_EQ(vst_status_kb(pids[k], "VmPTE") * 1024, val);

		ASSERT_TRUE(vst_mm_key(mm, VMI_MM_PAGING_LEVELS, &val));
		EXPECT_EQ(vst_paging_levels(), val);
		ASSERT_TRUE(vst_mm_key(mm, VMI_MM_RSS_ANON, &val));
		EXPECT_EQ(vst_status_kb(pids[k], "RssAnon"), val * 4);
		ASSERT_TRUE(vst_mm_key(mm, VMI_MM_RSS_FILE, &val));
		EXPECT_EQ(vst_status_kb(pids[k], "RssFile"), val * 4);
		ASSERT_TRUE(vst_mm_key(mm, VMI_MM_RSS_SHMEM, &val));
		EXPECT_EQ(vst_status_kb(pids[k], "RssShmem"), val * 4);
		ASSERT_TRUE(vst_mm_key(mm, VMI_MM_TOTAL_VM, &val));
		EXPECT_EQ(vst_status_kb(pids[k], "VmSize"), val * 4);
		ASSERT_TRUE(vst_mm_key(mm, VMI_MM_SWAP_ENTS, &val));
		EXPECT_EQ(vst_status_kb(pids[k], "VmSwap"), val * 4);
		ASSERT_TRUE(vst_mm_key(mm, VMI_MM_PID, &val));
		EXPECT_EQ(pids[k], val);
		/* root reads kernel addresses */
		ASSERT_TRUE(vst_mm_key(mm, VMI_MM_PGD, &val));
		EXPECT_NE(0, val);
		free(mm);
	}
}

/*
 * The line of processes at @line, its columns as the header of @text names
 * them (the ABI's VMI_PS_COLS names).
 */
static int ps_line(const char *text, const char *line, unsigned long *vmas,
		   unsigned long *rss, unsigned long *t, unsigned long *bytes)
{
	static const char *const names[] = { VMI_PS_COLS(VMI_X_NAME) };
	int pos[VMI_PS_NR_COLS], i, l, nw = 0;
	const char *hdr = strstr(text, "\n# ");
	char buf[512], *w[VMI_PS_NR_COLS + 1], *p, *save;

	if (!hdr)
		return -1;
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(hdr + 1, "\n"), hdr + 1);
	if (vst_header_cols(buf, NULL, names, VMI_PS_NR_COLS, pos) < 0)
		return -1;
	for (i = 0; i < VMI_PS_NR_COLS; i++)
		if (pos[i] < 0)
			return -1;
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(line, "\n"), line);
	for (p = strtok_r(buf, " ", &save); p && nw <= VMI_PS_NR_COLS;
	     p = strtok_r(NULL, " ", &save))
		w[nw++] = p;
	if (nw < VMI_PS_NR_COLS)
		return -1;
	*vmas = strtoul(w[pos[VMI_PS_VMAS]], NULL, 10);
	*rss = strtoul(w[pos[VMI_PS_RSS]], NULL, 10);
	for (l = 0; l < VMI_NR_LEVELS; l++)
		t[l] = strtoul(w[pos[VMI_PS_PGD + l]], NULL, 10);
	*bytes = strtoul(w[pos[VMI_PS_PT_BYTES]], NULL, 10);
	return 0;
}

TEST_F(layout, processes_line_matches_status)
{
	char *text = vst_read_file("/proc/vminspect/processes", NULL);
	pid_t pids[2];
	int k, np = pids_of(self, pids);

	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, strncmp(text, "vminspect-processes 1.", 22));
	for (k = 0; k < np; k++) {
		unsigned long vmas, rss, t[VMI_NR_LEVELS], bytes;
		struct vst_vma *maps;
		char key[32], *p;
		int got, n = vst_read_maps(pids[k], &maps);

		snprintf(key, sizeof(key), "\n%d ", pids[k]);
		p = strstr(text, key);
		ASSERT_NE(NULL, p);
		got = ps_line(text, p + 1, &vmas, &rss, t, &bytes);
		ASSERT_EQ(0, got);
		EXPECT_EQ(n, vmas);
		EXPECT_EQ(vst_status_kb(pids[k], "VmRSS"), rss * 4);
		EXPECT_EQ(vst_status_kb(pids[k], "VmPTE") * 1024,
			  (t[2] + t[3] + t[4]) * PG);
		EXPECT_EQ((t[0] + t[1] + t[2] + t[3] + t[4]) * PG, bytes);
		free(maps);
	}
	free(text);
}

TEST_HARNESS_MAIN
