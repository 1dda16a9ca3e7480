// SPDX-License-Identifier: GPL-2.0
/*
 * counts_test: what the counts of vmas mean, on every kernel, against the
 * kernel's own answer.
 *
 * - cow means "the next write copies": pages write-protected by
 *   userfaultfd (pagemap bit 57) and pages whose write bit soft-dirty
 *   clearing removed are not cow; pages shared since fork are, and a write
 *   to each moves it to a new frame (pagemap's PFN, root).
 * - a page of a shared shmem mapping that is in swap has no PTE: it counts
 *   as swap, as smaps' Swap counts it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vst_util.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

#define NPAGES		8
#define PM_PFN(e)	((e) & ((1ULL << 55) - 1))
#define PM_UFFD_WP	(1ULL << 57)
#define PM_PRESENT	(1ULL << 63)

/* Our vmas record of the VMA starting at @start (copied), or false. */
static bool vma_at(pid_t pid, unsigned long start, struct vst_vma *out)
{
	struct vst_vma *v;
	bool found = false;
	int n, i;

	/* the harness forked us: our directory appears asynchronously */
	vst_wait_pid_dir(pid, true);
	n = vst_read_vmas(pid, &v);
	if (n < 0)
		ksft_print_msg("vmas of %d: %s\n", pid, strerror(errno));
	for (i = 0; i < n; i++) {
		if (v[i].start == start) {
			*out = v[i];
			found = true;
			break;
		}
	}
	if (n >= 0)
		free(v);
	return found;
}

/*
 * @len of private anonymous memory, touched, as a VMA of its own (PROT_NONE
 * guard pages on both sides keep it from merging); unmap_touched() frees it.
 */
static char *map_touched(size_t len)
{
	char *p = mmap(NULL, len + 2 * VST_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p, VST_PAGE, PROT_NONE) ||
	    mprotect(p + VST_PAGE + len, VST_PAGE, PROT_NONE))
		return NULL;
	p += VST_PAGE;
	madvise(p, len, MADV_NOHUGEPAGE);
	for (i = 0; i < len; i += VST_PAGE)
		p[i] = 1;
	return p;
}

static void unmap_touched(char *p, size_t len)
{
	munmap(p - VST_PAGE, len + 2 * VST_PAGE);
}

/* pages of [p, p + NPAGES) whose pagemap entry has all of @bits */
static int pagemap_with(const char *p, uint64_t bits)
{
	uint64_t e;
	int i, n = 0;

	for (i = 0; i < NPAGES; i++)
		if (!vst_pagemap_entry(getpid(), (unsigned long)p + i * VST_PAGE,
				       &e) && (e & bits) == bits)
			n++;
	return n;
}

TEST(uffd_write_protected_pages_are_not_cow)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = UFFD_FEATURE_PAGEFAULT_FLAG_WP,
	};
	struct uffdio_register reg = { 0 };
	struct uffdio_writeprotect wp = { 0 };
	struct vst_vma v;
	char *p = map_touched(NPAGES * VST_PAGE);
	int uffd;

	ASSERT_NE(NULL, p);
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (uffd < 0)
		SKIP(return, "userfaultfd: %s", strerror(errno));
	if (ioctl(uffd, UFFDIO_API, &api))
		SKIP(return, "userfaultfd without write protection: %s",
		     strerror(errno));
	reg.range.start = (unsigned long)p;
	reg.range.len = NPAGES * VST_PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_WP;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	wp.range = reg.range;
	wp.mode = UFFDIO_WRITEPROTECT_MODE_WP;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_WRITEPROTECT, &wp));

	/* the kernel's answer: every page present and uffd-wp */
	ASSERT_EQ(NPAGES, pagemap_with(p, PM_PRESENT | PM_UFFD_WP));
	ASSERT_TRUE(vma_at(getpid(), (unsigned long)p, &v));
	EXPECT_EQ(NPAGES, v.state[VMI_STATE_PRESENT]);
	EXPECT_EQ(0, v.attr[VMI_ATTR_WRITABLE]);
	EXPECT_EQ(0, v.attr[VMI_ATTR_COW]);
	close(uffd);
	unmap_touched(p, NPAGES * VST_PAGE);
}

/* Write every page; return how many moved to another frame (pagemap). */
static int written_and_moved(pid_t pid, char *p)
{
	uint64_t before[NPAGES], after;
	int i, moved = 0;

	for (i = 0; i < NPAGES; i++)
		if (vst_pagemap_entry(pid, (unsigned long)p + i * VST_PAGE,
				      &before[i]))
			return -1;
	for (i = 0; i < NPAGES; i++)
		p[i * VST_PAGE] = 2;
	for (i = 0; i < NPAGES; i++) {
		if (vst_pagemap_entry(pid, (unsigned long)p + i * VST_PAGE,
				      &after))
			return -1;
		if (PM_PFN(after) != PM_PFN(before[i]))
			moved++;
	}
	return moved;
}

TEST(soft_dirty_cleared_pages_are_not_cow)
{
	struct vst_vma v;
	char *p = map_touched(NPAGES * VST_PAGE);
	int fd;

	ASSERT_NE(NULL, p);
	fd = open("/proc/self/clear_refs", O_WRONLY);
	ASSERT_LE(0, fd);
	if (write(fd, "4", 1) != 1)
		SKIP(return, "no soft-dirty clearing: %s", strerror(errno));
	close(fd);

	ASSERT_TRUE(vma_at(getpid(), (unsigned long)p, &v));
	EXPECT_EQ(NPAGES, v.state[VMI_STATE_PRESENT]);
	EXPECT_EQ(0, v.attr[VMI_ATTR_WRITABLE]);
	EXPECT_EQ(0, v.attr[VMI_ATTR_COW]);
	/* the kernel's answer: the writes reuse every frame */
	EXPECT_EQ(0, written_and_moved(getpid(), p));
	unmap_touched(p, NPAGES * VST_PAGE);
}

TEST(pages_shared_since_fork_are_cow)
{
	struct vst_vma v;
	char *p = map_touched(NPAGES * VST_PAGE);
	pid_t child;

	ASSERT_NE(NULL, p);
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		pause();
		_exit(0);
	}
	ASSERT_TRUE(vma_at(getpid(), (unsigned long)p, &v));
	EXPECT_EQ(NPAGES, v.attr[VMI_ATTR_COW]);
	/* the kernel's answer: the writes copy every page */
	EXPECT_EQ(NPAGES, written_and_moved(getpid(), p));
	ASSERT_TRUE(vma_at(getpid(), (unsigned long)p, &v));
	EXPECT_EQ(0, v.attr[VMI_ATTR_COW]);
	EXPECT_EQ(NPAGES, v.attr[VMI_ATTR_WRITABLE]);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	unmap_touched(p, NPAGES * VST_PAGE);
}

/* smaps' "Swap:" of the record starting at @start, in kB; -1 if absent */
static long smaps_swap_kb(pid_t pid, unsigned long start)
{
	char path[64], head[32], *s, *rec, *swap;
	long kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	s = vst_read_file(path, NULL);
	if (!s)
		return -1;
	snprintf(head, sizeof(head), "%lx-", start);
	for (rec = s; rec; rec = strchr(rec, '\n'), rec = rec ? rec + 1 : NULL) {
		if (strncmp(rec, head, strlen(head)))
			continue;
		swap = strstr(rec, "\nSwap:");
		if (swap)
			kb = strtol(swap + 6, NULL, 10);
		break;
	}
	free(s);
	return kb;
}

TEST(shmem_pages_in_swap_count_as_swap)
{
	size_t len = 64 * VST_PAGE;
	struct vst_vma v;
	long swap_kb;
	char *p;
	int fd;
	size_t i;

	if (vst_swap_on())
		SKIP(return, "no swap (zram) in this guest");
	fd = memfd_create("counts-shmem", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, len));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < len; i += VST_PAGE)
		p[i] = 1;
	ASSERT_EQ(0, madvise(p, len, MADV_PAGEOUT));

	swap_kb = smaps_swap_kb(getpid(), (unsigned long)p);
	ASSERT_GE(swap_kb, 0);
	if (!swap_kb)
		SKIP(return, "MADV_PAGEOUT swapped nothing out");
	ASSERT_TRUE(vma_at(getpid(), (unsigned long)p, &v));
	EXPECT_EQ(swap_kb / 4, v.state[VMI_STATE_SWAP]);
	EXPECT_EQ(len / VST_PAGE, v.state[VMI_STATE_SWAP] +
		  v.state[VMI_STATE_PRESENT] + v.state[VMI_STATE_FILE]);
	TH_LOG("smaps Swap %ld kB, vmas swap %lu pages, present %lu, file %lu",
	       swap_kb, v.state[VMI_STATE_SWAP], v.state[VMI_STATE_PRESENT],
	       v.state[VMI_STATE_FILE]);
	munmap(p, len);
	close(fd);
}

TEST_HARNESS_MAIN
