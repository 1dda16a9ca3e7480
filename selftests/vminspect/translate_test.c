// SPDX-License-Identifier: GPL-2.0
/*
 * translate_test: /proc/vminspect/<pid>/{translate,pagetable} against
 * /proc/<pid>/pagemap.
 *
 * For an address in every kind of VMA the frame translate reaches is
 * pagemap's PFN, a swapped page's type and offset are pagemap's, and the
 * per-level indices are the address bits (9 per level, 12 of offset) on
 * 4- and 5-level paging.  A THP goes through a PMD leaf, a 1G hugetlb page
 * through a PUD leaf.  After fork parent and child reach the same frame
 * until the child writes.  pagetable covers exactly the pages pagemap
 * reports present or swapped, at the frames and offsets it reports.
 * Bad writes are EINVAL and change nothing; unprivileged readers see no
 * frames.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vst_layout.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_PFN(e)	((e) & ((1ULL << 55) - 1))
#define PM_SWP_TYPE(e)	((e) & 0x1f)
#define PM_SWP_OFF(e)	(((e) >> 5) & ((1ULL << 50) - 1))

struct xlate {
	char vma[300];
	char stop[32];
	int nlevels;
	struct {
		char name[8];
		unsigned long index;
		unsigned long long raw;
		bool folded;
	} lvl[5];
	unsigned long long phys, page_size, page_offset, swap_off;
	unsigned long long vma_offset;
	unsigned int swap_type;
	bool have_phys, have_swap, have_vma_offset;
};

/* every TEST runs in a new child: its directory appears shortly after fork */
static int translate_fd(pid_t pid)
{
	char path[64];

	if (vst_wait_pid_dir(pid, true))
		return -1;
	snprintf(path, sizeof(path), "/proc/vminspect/%d/translate", pid);
	return open(path, O_RDWR);
}

/* translate's answer, its keys named by the ABI table (VMI_TR_KEYS) */
static int parse_xlate(const char *text, struct xlate *x)
{
	char *copy = strdup(text), *line, *save, key[32];
	int k, n;

	memset(x, 0, sizeof(*x));
	if (!copy || strncmp(copy, "vminspect-translate 1.", 22)) {
		free(copy);
		return -1;
	}
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || sscanf(line, "%31s %n", key, &n) != 1)
			continue;
		for (k = 0; k < VMI_TR_NR_KEYS; k++)
			if (!strcmp(key, vst_tr_key_name[k]))
				break;
		switch (k) {
		case VMI_TR_VMA:
			snprintf(x->vma, sizeof(x->vma), "%s", line + n);
			break;
		case VMI_TR_VMA_OFFSET:
			x->have_vma_offset = sscanf(line + n, "0x%llx",
						    &x->vma_offset) == 1;
			break;
		case VMI_TR_LEVEL:
			if (x->nlevels < 5) {
				typeof(x->lvl[0]) *l = &x->lvl[x->nlevels++];

				if (sscanf(line + n, "%7s %lu 0x%llx", l->name,
					   &l->index, &l->raw) != 3)
					l->folded = strstr(line, "folded");
			}
			break;
		case VMI_TR_STOP:
			sscanf(line + n, "%31s", x->stop);
			break;
		case VMI_TR_PHYS:
			x->have_phys = sscanf(line + n, "0x%llx", &x->phys) == 1;
			break;
		case VMI_TR_PAGE_SIZE:
			sscanf(line + n, "%llu", &x->page_size);
			break;
		case VMI_TR_PAGE_OFFSET:
			sscanf(line + n, "0x%llx", &x->page_offset);
			break;
		case VMI_TR_SWAP:
			x->have_swap = sscanf(line + n, "%u 0x%llx",
					      &x->swap_type, &x->swap_off) == 2;
			break;
		}
	}
	free(copy);
	return 0;
}

/* Write @addr (as @fmt) and read the answer; -errno of the write or read. */
static int do_translate(int fd, const char *text, struct xlate *x, char *out,
			size_t outlen)
{
	char buf[4096];
	ssize_t n;

	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -errno;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (out)
		snprintf(out, outlen, "%s", buf);
	return x ? parse_xlate(buf, x) : 0;
}

static int translate_addr(int fd, unsigned long addr, struct xlate *x)
{
	char text[32];

	snprintf(text, sizeof(text), "0x%lx\n", addr);
	return do_translate(fd, text, x, NULL, 0);
}

static const int level_shift_5[] = { 48, 39, 30, 21, 12 };
static const int level_shift_4[] = { 39, 39, 30, 21, 12 };

static void check_indices(struct __test_metadata *_metadata,
			  const struct xlate *x, unsigned long addr)
{
	const int *shift = vst_paging_levels() == 5 ? level_shift_5 :
						      level_shift_4;
	static const char *const names[] = VMI_LEVEL_NAMES;
	int i, l;

	for (i = 0; i < x->nlevels; i++) {
		for (l = 0; l < VMI_NR_LEVELS; l++)
			if (!strcmp(x->lvl[i].name, names[l]))
				break;
		if (x->lvl[i].folded) {
			EXPECT_EQ(4, vst_paging_levels());
			continue;
		}
		ASSERT_GT(VMI_NR_LEVELS, l);
		EXPECT_EQ((addr >> shift[l]) & 511, x->lvl[i].index) {
			TH_LOG("%lx level %s", addr, x->lvl[i].name);
		}
	}
	if (x->page_size)
		EXPECT_EQ(addr & (x->page_size - 1), x->page_offset);
}

/* translate of @addr in @pid agrees with pagemap; returns the stop kind */
static void check_against_pagemap(struct __test_metadata *_metadata, pid_t pid,
				  int fd, unsigned long addr, const char *what,
				  struct xlate *x)
{
	uint64_t e;

	ASSERT_EQ(0, translate_addr(fd, addr, x)) {
		TH_LOG("%s %lx", what, addr);
	}
	ASSERT_EQ(0, vst_pagemap_entry(pid, addr, &e));
	check_indices(_metadata, x, addr);
	if (e & PM_PRESENT) {
		EXPECT_EQ(0, strncmp(x->stop, "leaf-", 5)) {
			TH_LOG("%s %lx: stop %s", what, addr, x->stop);
		}
		ASSERT_TRUE(x->have_phys);
		EXPECT_EQ(PM_PFN(e), x->phys >> 12) {
			TH_LOG("%s %lx: frame", what, addr);
		}
		EXPECT_EQ(addr & 0xfff, x->phys & 0xfff);
	} else if (e & PM_SWAP) {
		EXPECT_STREQ("swap", x->stop) {
			TH_LOG("%s %lx", what, addr);
		}
		EXPECT_TRUE(x->have_swap);
		EXPECT_EQ(PM_SWP_TYPE(e), x->swap_type);
		EXPECT_EQ(PM_SWP_OFF(e), x->swap_off);
	} else {
		EXPECT_EQ(0, strncmp(x->stop, "none-", 5)) {
			TH_LOG("%s %lx: stop %s", what, addr, x->stop);
		}
	}
}

FIXTURE(layout) {
	struct vst_layout l;
	pid_t pid;
	int fd;
};

FIXTURE_SETUP(layout)
{
	self->pid = vst_layout_start(&self->l, false);
	ASSERT_LT(0, self->pid);
	self->fd = translate_fd(self->pid);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(layout)
{
	close(self->fd);
	vst_layout_stop(&self->l, self->pid);
}

TEST_F(layout, every_kind_of_page_matches_pagemap)
{
	struct vst_vma *maps;
	struct xlate x;
	unsigned long stack = 0, vdso = 0;
	int n, i, swapped = 0, present = 0, none = 0;
	struct {
		const char *what;
		char *addr;
	} at[] = {
		{ "anon", self->l.anon + 5 * PG + 123 },
		{ "anon untouched", self->l.anon + 40 * PG },
		{ "file private", self->l.file_priv + 8 * PG },
		{ "file private cow", self->l.file_priv + 40 * PG },
		{ "file not read", self->l.file_priv + 60 * PG },
		{ "file shared", self->l.file_shared + 4 * PG + 7 },
		{ "shared anon", self->l.shm_anon + PG },
		{ "heap", self->l.heap + 3 * PG },
		{ "never touched", self->l.never + 9 * PG },
		{ "swapped", self->l.swapped + 2 * PG },
		{ "unmapped guard gap", self->l.anon - PG },
		{ "mprotect none", self->l.guard + 8 * PG },
		{ "thp", self->l.thp ? self->l.thp + 0x12345 : NULL },
		{ "hugetlb 2M", self->l.huge2m ? self->l.huge2m + 0x54321 : NULL },
		{ "hugetlb 1G", self->l.huge1g ? self->l.huge1g + 0x123456 : NULL },
	};

	for (i = 0; i < ARRAY_SIZE(at); i++) {
		if (!at[i].addr)
			continue;
		check_against_pagemap(_metadata, self->pid, self->fd,
				      (unsigned long)at[i].addr, at[i].what, &x);
		present += !strncmp(x.stop, "leaf-", 5);
		swapped += !strcmp(x.stop, "swap");
		none += !strncmp(x.stop, "none-", 5);
	}
	/* the stack and the vdso, found in maps */
	n = vst_read_maps(self->pid, &maps);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		if (!strcmp(maps[i].path, "[stack]"))
			stack = maps[i].end - PG;
		if (!strcmp(maps[i].path, "[vdso]"))
			vdso = maps[i].start;
	}
	free(maps);
	ASSERT_NE(0, stack);
	check_against_pagemap(_metadata, self->pid, self->fd, stack, "stack", &x);
	EXPECT_NE(NULL, strstr(x.vma, "[stack]"));
	check_against_pagemap(_metadata, self->pid, self->fd, vdso, "vdso", &x);
	EXPECT_NE(NULL, strstr(x.vma, "[vdso]"));

	/* the unallocated state: no VMA */
	translate_addr(self->fd, (unsigned long)self->l.anon - PG, &x);
	EXPECT_STREQ("none", x.vma);
	EXPECT_LT(3, present);
	EXPECT_LT(1, none);
	if (self->l.swap)
		EXPECT_EQ(1, swapped);
}

/*
 * The VMA line and vma_offset (format 1.3) of a walk are what
 * /proc/<pid>/maps says of the VMA: range, perms, path and file offset,
 * for an address in every VMA of the target.
 */
TEST_F(layout, vma_and_its_offset_match_maps)
{
	struct vst_vma *maps;
	char want[300];
	struct xlate x;
	int n, i, files = 0;

	n = vst_read_maps(self->pid, &maps);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		unsigned long addr = maps[i].start + (maps[i].end - maps[i].start) / 2;

		ASSERT_EQ(0, translate_addr(self->fd, addr & ~(PG - 1), &x));
		snprintf(want, sizeof(want), "%016lx %016lx %s%s%s",
			 maps[i].start, maps[i].end, maps[i].perms,
			 maps[i].path[0] ? " " : "", maps[i].path);
		EXPECT_STREQ(want, x.vma);
		EXPECT_TRUE(x.have_vma_offset) TH_LOG("at 0x%lx", addr);
		EXPECT_EQ(maps[i].offset, x.vma_offset) TH_LOG("%s", want);
		files += maps[i].offset && maps[i].path[0] == '/';
	}
	free(maps);
	/* the program's own text and data lie past offset 0 of its file */
	EXPECT_LT(0, files);
	/* no VMA, no vma_offset */
	ASSERT_EQ(0, translate_addr(self->fd, (unsigned long)self->l.anon - PG, &x));
	EXPECT_STREQ("none", x.vma);
	EXPECT_FALSE(x.have_vma_offset);
}

TEST_F(layout, thp_is_a_pmd_leaf_and_1g_hugetlb_a_pud_leaf)
{
	struct xlate x;

	if (!self->l.thp && !self->l.huge2m && !self->l.huge1g)
		SKIP(return, "no THP or hugetlb pages in this guest");
	if (self->l.thp) {
		ASSERT_EQ(0, translate_addr(self->fd, (unsigned long)self->l.thp + 4 * PG, &x));
		EXPECT_STREQ("leaf-pmd", x.stop);
		EXPECT_EQ(SZ_2M, x.page_size);
		EXPECT_EQ(4 * PG, x.page_offset);
	}
	if (self->l.huge2m) {
		ASSERT_EQ(0, translate_addr(self->fd, (unsigned long)self->l.huge2m, &x));
		EXPECT_STREQ("leaf-pmd", x.stop);
	}
	if (self->l.huge1g) {
		ASSERT_EQ(0, translate_addr(self->fd,
					    (unsigned long)self->l.huge1g + SZ_2M + 5, &x));
		EXPECT_STREQ("leaf-pud", x.stop);
		EXPECT_EQ(SZ_1G, x.page_size);
		EXPECT_EQ(SZ_2M + 5, x.page_offset);
	} else {
		TH_LOG("no 1G hugetlb page could be reserved: PUD leaf not exercised");
	}
}

struct pt_run {
	unsigned long start, end;
	char level[8], state[16], flags[128], phys[64];
};

/* pagetable tiles every VMA and agrees with pagemap page by page */
TEST_F(layout, pagetable_covers_exactly_pagemap)
{
	static const char *const pt_col[] = { VMI_PT_COLS(VMI_X_NAME) };
	char *text = vst_read_pidfile(self->pid, VMI_PROC_PAGETABLE);
	char *line, *save, *w[16], copy[512];
	unsigned long vstart = 0, vend = 0, cursor = 0, runs = 0, pages = 0;
	int fd, col[VMI_PT_NR_COLS] = { 0 }, ncols = 0;

	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, strncmp(text, "vminspect-pagetable 1.", 22));
	fd = open("/proc/self/pagemap", O_RDONLY);	/* warm the cache */
	close(fd);
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/pagemap", self->pid);
		fd = open(path, O_RDONLY);
		ASSERT_LE(0, fd);
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct pt_run r;
		unsigned long a, i = 0;
		unsigned long long first = 0;
		unsigned int type = 0;
		int got = 0;

		if (line[0] == '#') {
			/* the runs' header names the columns (VMI_PT_COLS) */
			int pos[VMI_PT_NR_COLS], k, n;

			n = vst_header_cols(line, NULL, pt_col, VMI_PT_NR_COLS, pos);
			for (k = 0; k < VMI_PT_NR_COLS && pos[k] >= 0; k++)
				;
			if (k == VMI_PT_NR_COLS) {
				memcpy(col, pos, sizeof(col));
				ncols = n;
			}
			continue;
		}
		if (!strncmp(line, "vminspect-", 10))
			continue;
		if (!strncmp(line, VMI_VMAROW_TAG " ", 4)) {
			EXPECT_EQ(vend, cursor);	/* previous VMA tiled */
			got = sscanf(line, "vma %lx %lx", &vstart, &vend);
			ASSERT_EQ(2, got);
			cursor = vstart;
			continue;
		}
		memset(&r, 0, sizeof(r));
		ASSERT_LT(0, ncols);
		snprintf(copy, sizeof(copy), "%s", line);
		ASSERT_EQ(ncols, vst_words(copy, w, ncols));
		got = sscanf(w[col[VMI_PT_START]], "%lx", &r.start) +
		      sscanf(w[col[VMI_PT_END]], "%lx", &r.end) +
		      sscanf(w[col[VMI_PT_LEVEL]], "%7s", r.level) +
		      sscanf(w[col[VMI_PT_STATE]], "%15s", r.state) +
		      sscanf(w[col[VMI_PT_FLAGS]], "%127s", r.flags) +
		      sscanf(w[col[VMI_PT_PHYS]], "%63s", r.phys);
		ASSERT_EQ(6, got) {
			TH_LOG("%s", line);
		}
		got = 0;
		EXPECT_EQ(cursor, r.start);
		cursor = r.end;
		runs++;
		if (!strcmp(r.state, "present"))
			got = sscanf(r.phys, "0x%llx", &first) - 1;
		else if (!strcmp(r.state, "swap"))
			got = sscanf(r.phys, "swap:%u:0x%llx", &type, &first) - 2;
		ASSERT_EQ(0, got) {
			TH_LOG("%s", line);
		}
		for (a = r.start; a < r.end; a += PG, i++) {
			uint64_t e;

			ASSERT_EQ(8, pread(fd, &e, 8, a / PG * 8));
			pages++;
			if (!strcmp(r.state, "present")) {
				ASSERT_TRUE(e & PM_PRESENT) {
					TH_LOG("%lx in %s", a, line);
				}
				ASSERT_EQ(first / PG + i, PM_PFN(e)) {
					TH_LOG("%lx in %s", a, line);
				}
			} else if (!strcmp(r.state, "swap")) {
				ASSERT_TRUE(e & PM_SWAP);
				ASSERT_EQ(type, PM_SWP_TYPE(e));
				ASSERT_EQ(first + i, PM_SWP_OFF(e));
			} else {
				ASSERT_STREQ("none", r.state);
				ASSERT_FALSE(e & (PM_PRESENT | PM_SWAP)) {
					TH_LOG("%lx in %s", a, line);
				}
			}
		}
	}
	EXPECT_EQ(vend, cursor);
	EXPECT_LT(10, runs);
	close(fd);
	free(text);
	TH_LOG("%lu runs cover %lu pages", runs, pages);
}

TEST(copy_on_write_frames)
{
	char *page = mmap(NULL, PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int go[2], done[2], fdp, fdc;
	struct xlate xp, xc;
	pid_t child;
	char c;

	ASSERT_NE(MAP_FAILED, page);
	page[0] = 1;
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		page[0] = 2;			/* the CoW fault */
		if (write(done[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(0, vst_wait_pid_dir(child, true));
	fdp = translate_fd(getpid());
	fdc = translate_fd(child);
	ASSERT_LE(0, fdp);
	ASSERT_LE(0, fdc);

	ASSERT_EQ(0, translate_addr(fdp, (unsigned long)page, &xp));
	ASSERT_EQ(0, translate_addr(fdc, (unsigned long)page, &xc));
	EXPECT_STREQ("leaf-pte", xp.stop);
	EXPECT_EQ(xp.phys, xc.phys);		/* one frame, shared */

	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(1, read(done[0], &c, 1));
	ASSERT_EQ(0, translate_addr(fdc, (unsigned long)page, &xc));
	EXPECT_NE(xp.phys, xc.phys);		/* the child got its copy */
	ASSERT_EQ(0, translate_addr(fdp, (unsigned long)page, &xc));
	EXPECT_EQ(xp.phys, xc.phys);		/* the parent kept its frame */

	close(fdp);
	close(fdc);
	vst_kill(child);
}

TEST(bad_writes_are_einval_and_change_nothing)
{
	static const char *const bad[] = {
		"", "\n", "xyz", "0x", "0xg", "-1", " 0x1000", "0x1000 ",
		"0x1000 0x2000", "0x1000garbage", "12\n34", "0x1000\n\n",
		"ffffffffff600000", "0xffff888000000000",
		"0x10000000000000000", "0x00000000000000001000",
	};
	char before[4096], after[4096], big[8192];
	int fd = translate_fd(getpid());
	unsigned long top;
	int i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, do_translate(fd, "0x400000", NULL, before, sizeof(before)));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, write(fd, bad[i], strlen(bad[i]))) {
			TH_LOG("accepted '%s'", bad[i]);
		}
		EXPECT_EQ(EINVAL, errno);
	}
	/* an embedded NUL, a leading plus */
	EXPECT_EQ(-1, write(fd, "0x1000\0junk", 11));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, "+1000", 5));
	EXPECT_EQ(EINVAL, errno);
	/* TASK_SIZE_MAX: the user range ends one page below 2^47 or 2^56 */
	top = (vst_paging_levels() == 5 ? 1UL << 56 : 1UL << 47) - PG;
	snprintf(big, sizeof(big), "0x%lx", top);
	EXPECT_EQ(-1, write(fd, big, strlen(big)));
	EXPECT_EQ(EINVAL, errno);
	snprintf(big, sizeof(big), "0x%lx", top - 1);
	EXPECT_EQ(strlen(big), write(fd, big, strlen(big)));
	/* a huge write */
	memset(big, '1', sizeof(big));
	EXPECT_EQ(-1, write(fd, big, sizeof(big)));
	EXPECT_EQ(EINVAL, errno);

	/* nothing changed since the last good write */
	ASSERT_EQ(0, do_translate(fd, "400000", NULL, after, sizeof(after)));
	EXPECT_STREQ(before, after);
	close(fd);
}

static int unprivileged_checks(void)
{
	char buf[8192], *pt;
	struct xlate x;
	int fd, i;
	int local = 1;

	if (vst_wait_pid_dir(getpid(), true))
		return 11;
	fd = translate_fd(getpid());
	if (fd < 0)
		return 12;
	if (translate_addr(fd, (unsigned long)&local, &x))
		return 13;
	if (strcmp(x.stop, "leaf-pte") || !x.have_phys || x.phys)
		return 14;
	for (i = 0; i < x.nlevels; i++)
		if (!x.lvl[i].folded && (x.lvl[i].raw & 0x000ffffffffff000ULL))
			return 15;
	close(fd);
	pt = vst_read_pidfile(getpid(), VMI_PROC_PAGETABLE);
	if (!pt)
		return 16;
	snprintf(buf, sizeof(buf), "%s", pt);
	free(pt);
	if (strstr(buf, " 0x") || strstr(buf, "swap:"))
		return 17;
	return 0;
}

/*
 * A process of user 1000's, forked by it: translate (0644) belongs to the
 * process's euid as it was at fork, so a process that changed its ids
 * after fork could not open its own for writing.
 */
static int unprivileged_view(void)
{
	pid_t pid;
	int status;

	if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
	    setresuid(1000, 1000, 1000) || prctl(PR_SET_DUMPABLE, 1))
		return 10;
	pid = fork();
	if (pid < 0)
		return 18;
	if (pid == 0)
		_exit(unprivileged_checks());
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 19;
	return WEXITSTATUS(status);
}

TEST(unprivileged_reader_sees_no_frames)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(unprivileged_view());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
