// SPDX-License-Identifier: GPL-2.0
/*
 * waste_test: page-table waste and huge-page coverage (format 1.4) against
 * the kernel's own files.
 *
 * - occupancy: the tables of every level by entries in use add up to the
 *   census, whose bytes are VmPTE; single-entry tables made on purpose;
 * - empty tables: MADV_DONTNEED of whole PTE tables leaves them empty on
 *   6.1 and lets PT_RECLAIM free them on 7.3: what VmPTE says either way;
 * - PTE-mapped pages by folio size against pagemap and kpageflags (compound
 *   head and tails), less what smaps maps by PMD; a THP mapped by PTEs,
 *   and mTHP folios where the kernel has them;
 * - each VMA's kind against smaps' VmFlags, statfs() and its path;
 * - the 2 MiB slots and the counts khugepaged compares with its limits,
 *   against pagemap (empty, swapped) and kpagecount (mapped twice);
 * - NUMA: page tables on one node mapping data bound to the other, against
 *   move_pages(), numa_maps and the node's memory blocks in sysfs (the
 *   2-node guest of tools/check.sh);
 * - vmview's reason a VMA is not huge, provoked for each reason, against
 *   smaps' THPeligible.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/magic.h>
#include <linux/mempolicy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vst_util.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC	1U
#endif

#define PG		VST_PAGE
#define SLOT		(2UL << 20)
#define SLOT_PAGES	512
#define THP		"/sys/kernel/mm/transparent_hugepage"
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_PFN		((1ULL << 55) - 1)

static const char *const folio_col[] = VMI_FOLIO_NAMES;

/*
 * @len bytes of anonymous memory at a 2 MiB boundary, between two
 * PROT_NONE guard pages so that no later mapping merges with it (its VMA
 * starts at the address returned).  munmap(a, len) frees it.
 */
static char *map_aligned(size_t len)
{
	size_t all = len + SLOT + 2 * PG;
	char *p = mmap(NULL, all, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((unsigned long)p + PG + SLOT - 1) & ~(SLOT - 1));
	if (mprotect(a - PG, PG, PROT_NONE) ||
	    mprotect(a + len, PG, PROT_NONE))
		return NULL;
	if (a - PG > p)
		munmap(p, a - PG - p);
	munmap(a + len + PG, p + all - (a + len + PG));
	return a;
}

/*
 * A copy of this process to look at: a child stopped (SIGSTOP, waited
 * for) until it is killed.  Running, it would still fault in the file
 * pages fork did not copy (text without an anon_vma) between two reads.
 */
static pid_t frozen_copy(void)
{
	pid_t pid = fork();
	int st;

	if (!pid) {
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	if (pid > 0 && (waitpid(pid, &st, WUNTRACED) != pid ||
			!WIFSTOPPED(st))) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return -1;
	}
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

/*
 * The word in column @col (by the header) of the vmas line of the VMA
 * starting at @start, into @out; false (and "") if the line or column is
 * missing: the caller's ASSERT says which.
 */
static bool vmas_word(pid_t pid, unsigned long start, const char *col,
		      char *out, size_t len)
{
	char *text = vst_read_pidfile(pid, VMI_PROC_VMAS), *line, *save;
	char *w[64], want[20];
	int n, i, pos = -1;
	bool found = false;

	out[0] = '\0';
	if (!text)
		return false;
	snprintf(want, sizeof(want), "%016lx", start);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#') {
			n = vst_words(line + 1, w, 64);
			for (i = 0; i < n; i++)
				if (!strcmp(w[i], col))
					pos = i;
			continue;
		}
		if (strncmp(line, want, 16) || pos < 0)
			continue;
		n = vst_words(line, w, 64);
		if (pos < n) {
			snprintf(out, len, "%s", w[pos]);
			found = true;
		}
		break;
	}
	free(text);
	return found;
}

/* The same column as a number (0 and false if missing or not one). */
static bool vmas_col(pid_t pid, unsigned long start, const char *col,
		     unsigned long *val)
{
	char word[32];

	*val = 0;
	return vmas_word(pid, start, col, word, sizeof(word)) &&
	       sscanf(word, "%lu", val) == 1;
}

/*
 * Column @col of mm's "TAG LEVEL ..." line (occupancy, census), by its
 * "# TAG NAME..." header; -1 if missing.
 */
static long mm_row(const char *mm, const char *tag, const char *level,
		   const char *col)
{
	char *text = strdup(mm), *line, *save, *w[16];
	int n, i, pos = -1;
	long v = -1;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		n = vst_words(line, w, 16);
		if (n > 1 && !strcmp(w[0], "#") && !strcmp(w[1], tag)) {
			for (i = 2; i < n; i++)
				if (!strcmp(w[i], col))
					pos = i - 1;
			continue;
		}
		if (n > 1 && !strcmp(w[0], tag) && !strcmp(w[1], level) &&
		    pos > 0 && pos < n) {
			v = strtol(w[pos], NULL, 10);
			break;
		}
	}
	free(text);
	return v;
}

static long mm_occ(const char *mm, const char *level)
{
	static const char *const b[] = { VMI_OCC_TABLE(VMI_X_NAME, OCC) };
	long sum = 0, v;
	int i;

	for (i = 0; i < VMI_NR_OCCS; i++) {
		v = mm_row(mm, "occupancy", level, b[i]);
		if (v < 0)
			return -1;
		sum += v;
	}
	return sum;
}

static uint64_t read_u64_at(int fd, unsigned long index)
{
	uint64_t v = 0;

	if (pread(fd, &v, sizeof(v), index * sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

/*
 * Pages in the compound page (folio) of @pfn, by kpageflags: from its
 * head through its tails.  The last one found is kept in @head and @n.
 */
static unsigned long compound_pages(int kpf, unsigned long pfn,
				    unsigned long *head, unsigned long *n)
{
	uint64_t f;

	if (pfn >= *head && pfn < *head + *n)
		return *n;
	f = read_u64_at(kpf, pfn);
	if (!(f & (1ULL << KPF_COMPOUND_HEAD | 1ULL << KPF_COMPOUND_TAIL)))
		return 1;
	*head = pfn;
	while (*head > 0 && (read_u64_at(kpf, *head) &
			     (1ULL << KPF_COMPOUND_TAIL)))
		(*head)--;
	for (*n = 1; read_u64_at(kpf, *head + *n) &
		     (1ULL << KPF_COMPOUND_TAIL); (*n)++)
		;
	return *n;
}

/* The folio-size index (VMI_FOLIO_*) of a folio of @pages pages. */
static int folio_index(unsigned long pages)
{
	int order = 0;

	while ((1UL << order) < pages)
		order++;
	return order < VMI_FOLIO_BIG ? order : VMI_FOLIO_BIG;
}

/* "KEY: N kB" of the smaps record of @start, in kB (0 if absent). */
static long smaps_kb(pid_t pid, unsigned long start, const char *key)
{
	char path[64], *text, *p, want[20];
	long v = 0;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	text = vst_read_file(path, NULL);
	if (!text)
		return -1;
	snprintf(want, sizeof(want), "%lx-", start);
	for (p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, want, strlen(want)))
			continue;
		for (p = strchr(p, '\n'); p; p = strchr(p + 1, '\n')) {
			if (isxdigit(p[1]) && strchr(p + 1, '-') &&
			    strchr(p + 1, '-') < strchr(p + 1, ' '))
				break;	/* the next record */
			if (!strncmp(p + 1, key, strlen(key)) &&
			    p[1 + strlen(key)] == ':') {
				v = strtol(p + 2 + strlen(key), NULL, 10);
				break;
			}
		}
		break;
	}
	free(text);
	return v;
}

/* The VmFlags line of the smaps record of @start, into @out. */
static void smaps_flags(pid_t pid, unsigned long start, char *out, size_t len)
{
	char path[64], *text, *p, want[20], *q;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	text = vst_read_file(path, NULL);
	if (!text)
		return;
	snprintf(want, sizeof(want), "%lx-", start);
	p = strstr(text, want);
	while (p && p != text && p[-1] != '\n')
		p = strstr(p + 1, want);
	p = p ? strstr(p, "VmFlags:") : NULL;
	if (p) {
		q = strchr(p, '\n');
		snprintf(out, len, "%.*s", q ? (int)(q - p) : (int)strlen(p),
			 p);
	}
	free(text);
}

#define NR_KNOBS	8

/* The THP settings a test changed, restored at its end. */
struct knobs {
	struct {
		const char *path;
		char old[32];
	} k[NR_KNOBS];
	int nr;
};

FIXTURE(waste) {
	struct knobs knobs;
};

FIXTURE_SETUP(waste)
{
	ASSERT_EQ(0, vst_module_ensure());
	self->knobs.nr = 0;
}

FIXTURE_TEARDOWN(waste)
{
	struct knobs *kn = &self->knobs;
	char full[160];

	while (kn->nr-- > 0) {
		snprintf(full, sizeof(full), THP "/%s", kn->k[kn->nr].path);
		vst_sysfs_set(full, kn->k[kn->nr].old, NULL, 0);
	}
}

/* Set THP knob @path (under THP) to @val, the first time keeping it. */
static int set_knob(struct knobs *kn, const char *path, const char *val)
{
	char full[160];
	int i;

	snprintf(full, sizeof(full), THP "/%s", path);
	for (i = 0; i < kn->nr; i++)
		if (!strcmp(kn->k[i].path, path))
			return vst_sysfs_set(full, val, NULL, 0);
	if (kn->nr == NR_KNOBS)
		return -1;
	kn->k[i].path = path;
	if (vst_sysfs_set(full, val, kn->k[i].old, sizeof(kn->k[i].old)))
		return -1;
	kn->nr++;
	return 0;
}

/*
 * The pages numa_maps counts for @pid (every VMA but hugetlb ones), in all
 * and on node @node.
 */
static bool numa_maps_pages(pid_t pid, int node, unsigned long *all,
			    unsigned long *on_node)
{
	char path[64], *text, *line, *save, *tok, *s2;
	unsigned long n;
	int nd;

	*all = *on_node = 0;
	snprintf(path, sizeof(path), "/proc/%d/numa_maps", pid);
	text = vst_read_file(path, NULL);
	if (!text)
		return false;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, " huge"))
			continue;
		for (tok = strtok_r(line, " ", &s2); tok;
		     tok = strtok_r(NULL, " ", &s2)) {
			if (sscanf(tok, "N%d=%lu", &nd, &n) != 2)
				continue;
			*all += n;
			if (nd == node)
				*on_node += n;
		}
	}
	free(text);
	return true;
}

/*
 * Every level's tables by entries in use add up to the census (and the
 * deposited PTE tables, which have no entry), whose bytes are VmPTE; 32
 * PTE tables with one page each are single-entry tables, as pagemap says.
 * The data pages under the pgd, in all and on its node, are what
 * numa_maps counts.
 */
TEST_F(waste, occupancy_sums)
{
	static const char *const lv[] = VMI_LEVEL_NAMES;
	unsigned long len = 32 * SLOT, i, val, tables, entries, cap, bytes;
	unsigned long vmpte = 0;
	struct vst_pagemap_counts pc;
	char *a = map_aligned(len), *mm;
	unsigned long all, local;
	long e1, node;
	pid_t copy;
	int l;

	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, madvise(a, len, MADV_NOHUGEPAGE));
	for (i = 0; i < len; i += SLOT)
		a[i + 5 * PG] = 1;
	/* a copy that does not change while it is compared */
	copy = frozen_copy();
	ASSERT_LE(0, copy);
	for (i = 0; i < len; i += SLOT) {
		ASSERT_EQ(0, vst_pagemap_counts(copy, (unsigned long)a + i,
						(unsigned long)a + i + SLOT,
						&pc));
		ASSERT_EQ(1, pc.present);
	}
	mm = vst_read_pidfile(copy, VMI_PROC_MM);
	ASSERT_NE(NULL, mm);
	for (l = 0; l < VMI_NR_LEVELS; l++) {
		ASSERT_TRUE(vst_census_line(mm, lv[l], &tables, &entries, &cap,
					    &bytes));
		ASSERT_TRUE(vst_mm_key(mm, VMI_MM_DEPOSITED_PTE_TABLES, &val));
		EXPECT_EQ(tables - (l == VMI_LEVEL_PTE ? val : 0),
			  mm_occ(mm, lv[l]));
		if (l >= VMI_LEVEL_PUD)
			vmpte += bytes;
	}
	EXPECT_EQ(vst_status_kb(copy, "VmPTE") * 1024, vmpte);
	node = mm_row(mm, "pt_node", "pgd", "node");
	/* a kernel without CONFIG_NUMA (the debug ones) has no numa_maps */
	if (numa_maps_pages(copy, node, &all, &local)) {
		EXPECT_EQ((long)all, mm_row(mm, "pt_node", "pgd", "data"));
		EXPECT_EQ((long)local, mm_row(mm, "pt_node", "pgd", "local"));
	}
	TH_LOG("numa_maps: %lu pages, %lu on node %ld (the pgd's)", all, local,
	       node);
	e1 = mm_row(mm, "occupancy", "pte", "e1");
	EXPECT_GE(e1, 32);
	ASSERT_TRUE(vmas_col(copy, (unsigned long)a, "pte_tables", &val));
	EXPECT_EQ(32, val);
	ASSERT_TRUE(vmas_col(copy, (unsigned long)a, "pte_empty", &val));
	EXPECT_EQ(0, val);
	ASSERT_TRUE(vmas_col(copy, (unsigned long)a, "pmd_slots", &val));
	EXPECT_EQ(32, val);
	ASSERT_TRUE(vmas_col(copy, (unsigned long)a, "slot_none", &val));
	EXPECT_EQ(SLOT_PAGES - 1, val);
	free(mm);
	reap(copy);
	munmap(a, len);
}

/*
 * MADV_DONTNEED of whole PTE tables: pagemap has nothing left; the tables
 * are empty (6.1) or freed by PT_RECLAIM (7.3), and VmPTE tells which.
 */
TEST_F(waste, empty_tables_after_dontneed)
{
	unsigned long len = 16 * SLOT, t0, t1, e0, e1, addr;
	struct vst_pagemap_counts pc;
	int go[2], done[2], st;
	long vmpte0, vmpte1;
	char *a, *mm, c = 0;
	pid_t pid;

	/* a child that does nothing but touch, wait, zap and wait */
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		a = map_aligned(len);
		if (!a || madvise(a, len, MADV_NOHUGEPAGE))
			_exit(1);
		memset(a, 1, len);
		if (write(done[1], &a, sizeof(a)) != sizeof(a) ||
		    read(go[0], &c, 1) != 1 || madvise(a, len, MADV_DONTNEED) ||
		    write(done[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	ASSERT_EQ(sizeof(a), read(done[0], &a, sizeof(a)));
	addr = (unsigned long)a;
	ASSERT_TRUE(vmas_col(pid, addr, "pte_tables", &t0));
	ASSERT_TRUE(vmas_col(pid, addr, "pte_empty", &e0));
	vmpte0 = vst_status_kb(pid, "VmPTE");
	EXPECT_EQ(16, t0);
	EXPECT_EQ(0, e0);
	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(1, read(done[0], &c, 1));
	vmpte1 = vst_status_kb(pid, "VmPTE");
	ASSERT_TRUE(vmas_col(pid, addr, "pte_tables", &t1));
	ASSERT_TRUE(vmas_col(pid, addr, "pte_empty", &e1));
	ASSERT_EQ(0, vst_pagemap_counts(pid, addr, addr + len, &pc));
	EXPECT_EQ(0, pc.present);
	/* what is left is empty; what went is what VmPTE lost */
	EXPECT_EQ(t1, e1);
	EXPECT_EQ((t0 - t1) * PG, (vmpte0 - vmpte1) * 1024);
	mm = vst_read_pidfile(pid, VMI_PROC_MM);
	ASSERT_NE(NULL, mm);
	EXPECT_GE(mm_row(mm, "occupancy", "pte", "e0"), (long)e1);
	free(mm);
	TH_LOG("after MADV_DONTNEED: %lu of %lu PTE tables left, %s; %s %ld -> %ld kB (%s)",
	       t1, t0, "all empty", "VmPTE", vmpte0, vmpte1,
	       t1 ? "kept" : "PT_RECLAIM freed them");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
}

/*
 * The pages of every VMA by folio size against pagemap and kpageflags:
 * each present page's compound page, less the pages smaps says are mapped
 * by PMDs.  @pid's VMAs, hugetlb ones left out (no PTEs).
 */
static void check_folios(struct __test_metadata *_metadata, pid_t pid,
			 unsigned long *seen)
{
	unsigned long want[VMI_NR_FOLIOS], got, addr, pmd, head = 0, hn = 0;
	struct vst_vma *maps;
	char path[64], flags[512];
	int n, i, k, pm, kpf;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	pm = open(path, O_RDONLY);
	kpf = open("/proc/kpageflags", O_RDONLY);
	ASSERT_LE(0, pm);
	ASSERT_LE(0, kpf);
	n = vst_read_maps(pid, &maps);
	ASSERT_LT(0, n);
	memset(seen, 0, sizeof(*seen) * VMI_NR_FOLIOS);
	for (i = 0; i < n; i++) {
		smaps_flags(pid, maps[i].start, flags, sizeof(flags));
		if (strstr(flags, " ht") || !strcmp(maps[i].path, "[vsyscall]"))
			continue;
		memset(want, 0, sizeof(want));
		for (addr = maps[i].start; addr < maps[i].end; addr += PG) {
			uint64_t e = read_u64_at(pm, addr / PG);

			if (!(e & PM_PRESENT))
				continue;
			want[folio_index(compound_pages(kpf, e & PM_PFN, &head,
							&hn))]++;
		}
		pmd = (smaps_kb(pid, maps[i].start, "AnonHugePages") +
		       smaps_kb(pid, maps[i].start, "ShmemPmdMapped") +
		       smaps_kb(pid, maps[i].start, "FilePmdMapped")) / 4;
		want[VMI_FOLIO_2M] -= pmd;
		for (k = 0; k < VMI_NR_FOLIOS; k++) {
			ASSERT_TRUE(vmas_col(pid, maps[i].start, folio_col[k],
					     &got));
			EXPECT_EQ(want[k], got)
				TH_LOG("%lx-%lx %s: %s", maps[i].start,
				       maps[i].end, maps[i].path, folio_col[k]);
			seen[k] += got;
		}
	}
	free(maps);
	close(kpf);
	close(pm);
}

/*
 * A THP mapped by PTEs (mprotect of half of it splits the PMD, not the
 * folio): 512 pages of a 2M folio, half in each VMA.  Where the kernel has
 * mTHP (hugepages-64kB), 64K folios in a VMA too small for a PMD.
 */
TEST_F(waste, folio_sizes_match_kpageflags)
{
	unsigned long seen[VMI_NR_FOLIOS], len = 2 * SLOT;
	char *a, *b = NULL, old64[32] = "";
	pid_t copy;
	bool mthp = !access(THP "/hugepages-64kB/enabled", W_OK);

	if (!vst_thp_available())
		SKIP(return, "no transparent huge pages in this kernel");
	a = map_aligned(len);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, madvise(a, len, MADV_HUGEPAGE));
	memset(a, 1, len);
	if (smaps_kb(getpid(), (unsigned long)a, "AnonHugePages") < 2048)
		SKIP(return, "no THP was allocated at fault");
	ASSERT_EQ(0, mprotect(a + SLOT / 2, SLOT / 2, PROT_READ));
	if (mthp) {
		ASSERT_EQ(0, vst_sysfs_set(THP "/hugepages-64kB/enabled",
					   "always", old64, sizeof(old64)));
		b = map_aligned(1 << 20);
		ASSERT_NE(NULL, b);
		memset(b, 1, 1 << 20);
		vst_sysfs_set(THP "/hugepages-64kB/enabled", old64, NULL, 0);
	}
	/* a copy that does not change while it is compared */
	copy = frozen_copy();
	ASSERT_LE(0, copy);
	check_folios(_metadata, copy, seen);
	reap(copy);
	EXPECT_GE(seen[VMI_FOLIO_2M], SLOT_PAGES);
	if (mthp)
		EXPECT_GE(seen[VMI_FOLIO_64K], 256);
	TH_LOG("PTE-mapped: %lu pages in 2M folios, %lu in 64K folios%s",
	       seen[VMI_FOLIO_2M], seen[VMI_FOLIO_64K],
	       mthp ? "" : " (no mTHP in this kernel)");
	munmap(a, len);
	if (b)
		munmap(b, 1 << 20);
}

/* The kind a VMA must have, from smaps' VmFlags, its path and statfs(). */
static const char *expected_kind(pid_t pid, const struct vst_vma *v)
{
	char flags[512];
	struct statfs st;

	smaps_flags(pid, v->start, flags, sizeof(flags));
	if (strstr(flags, " ht"))
		return "hugetlb";
	if (strstr(flags, " pf") || strstr(flags, " io") ||
	    strstr(flags, " mm"))
		return "special";
	if (!v->path[0] || !strcmp(v->path, "[heap]") ||
	    !strcmp(v->path, "[stack]"))
		return "anon";
	if (!strncmp(v->path, "/memfd:", 7) || !strncmp(v->path, "/SYSV", 5) ||
	    !strncmp(v->path, "/dev/zero", 9))
		return "shmem";
	if (v->path[0] == '[')
		return "special";	/* [vdso]: a kernel mapping, no file */
	if (statfs(v->path, &st))
		return "?";
	return st.f_type == TMPFS_MAGIC ? "shmem" : "file";
}

TEST_F(waste, kind_matches_smaps_and_statfs)
{
	struct vst_vma *maps;
	char kind[16], *s, *m;
	int n, i, fd;
	pid_t copy;

	fd = memfd_create("waste", MFD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, SLOT));
	m = mmap(NULL, SLOT, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[0] = 1;
	s = mmap(NULL, SLOT, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, s);
	s[0] = 1;
	copy = frozen_copy();
	ASSERT_LE(0, copy);
	n = vst_read_maps(copy, &maps);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		if (!strcmp(maps[i].path, "[vsyscall]"))
			continue;
		vmas_word(copy, maps[i].start, "kind", kind, sizeof(kind));
		EXPECT_STREQ(expected_kind(copy, &maps[i]), kind)
			TH_LOG("%lx-%lx %s", maps[i].start, maps[i].end,
			       maps[i].path);
	}
	free(maps);
	reap(copy);
	munmap(m, SLOT);
	munmap(s, SLOT);
	close(fd);
}

/* Per 2 MiB slot of [a, a + len): the fewest empty entries, by pagemap. */
static unsigned long pagemap_min_none(pid_t pid, char *a, unsigned long len)
{
	struct vst_pagemap_counts pc;
	unsigned long best = SLOT_PAGES, i;

	for (i = 0; i < len; i += SLOT) {
		if (vst_pagemap_counts(pid, (unsigned long)a + i,
				       (unsigned long)a + i + SLOT, &pc))
			return ~0UL;
		if (SLOT_PAGES - pc.present - pc.swap < best)
			best = SLOT_PAGES - pc.present - pc.swap;
	}
	return best;
}

/*
 * The slot closest to a collapse, per VMA: the fewest empty entries
 * (pagemap), swapped ones (pagemap's swap bit), and pages mapped twice
 * after fork (kpagecount).
 */
TEST_F(waste, slots_against_pagemap_and_kpagecount)
{
	unsigned long val, i, want, swapped = 0, twice = 0;
	char *a = map_aligned(2 * SLOT), *b = map_aligned(SLOT);
	char *c = map_aligned(SLOT);
	int pm, kpc, st;
	pid_t child;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, madvise(a, 2 * SLOT, MADV_NOHUGEPAGE));
	ASSERT_EQ(0, madvise(b, SLOT, MADV_NOHUGEPAGE));
	ASSERT_EQ(0, madvise(c, SLOT, MADV_NOHUGEPAGE));
	memset(a, 1, 300 * PG);
	memset(a + SLOT, 1, 400 * PG);
	memset(b, 1, SLOT);
	memset(c, 1, SLOT);

	/* a: two slots, the fuller one has 112 empty entries */
	want = pagemap_min_none(getpid(), a, 2 * SLOT);
	EXPECT_EQ(112, want);
	ASSERT_TRUE(vmas_col(getpid(), (unsigned long)a, "pmd_slots", &val));
	EXPECT_EQ(2, val);
	ASSERT_TRUE(vmas_col(getpid(), (unsigned long)a, "slot_none", &val));
	EXPECT_EQ(want, val);

	/* b: full, 20 pages swapped out */
	if (!vst_swap_on() && !madvise(b, 20 * PG, MADV_PAGEOUT)) {
		pm = open("/proc/self/pagemap", O_RDONLY);
		ASSERT_LE(0, pm);
		for (i = 0; i < SLOT / PG; i++)
			swapped += !!(read_u64_at(pm, (unsigned long)b / PG + i) &
				      PM_SWAP);
		close(pm);
		ASSERT_TRUE(vmas_col(getpid(), (unsigned long)b, "slot_swap",
				     &val));
		EXPECT_EQ(swapped, val);
		ASSERT_TRUE(vmas_col(getpid(), (unsigned long)b, "slot_none",
				     &val));
		EXPECT_EQ(pagemap_min_none(getpid(), b, SLOT), val);
		TH_LOG("%lu pages swapped out by MADV_PAGEOUT", swapped);
	}

	/* c: shared with a child until it exits */
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		pause();
		_exit(0);
	}
	pm = open("/proc/self/pagemap", O_RDONLY);
	kpc = open("/proc/kpagecount", O_RDONLY);
	ASSERT_LE(0, pm);
	ASSERT_LE(0, kpc);
	for (i = 0; i < SLOT / PG; i++) {
		uint64_t e = read_u64_at(pm, (unsigned long)c / PG + i);

		if (e & PM_PRESENT)
			twice += read_u64_at(kpc, e & PM_PFN) > 1;
	}
	close(kpc);
	close(pm);
	ASSERT_TRUE(vmas_col(getpid(), (unsigned long)c, "slot_shared", &val));
	EXPECT_EQ(twice, val);
	EXPECT_EQ(SLOT_PAGES, twice);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	munmap(a, 2 * SLOT);
	munmap(b, SLOT);
	munmap(c, SLOT);
}

static long mbind_node(void *p, unsigned long len, int node)
{
	unsigned long mask = 1UL << node;

	return syscall(SYS_mbind, p, len, MPOL_BIND, &mask, 64, 0);
}

/* The NUMA node whose memory blocks hold physical address @phys (sysfs). */
static int phys_node(unsigned long long phys)
{
	char path[128], *s;
	unsigned long long block;
	int n;

	s = vst_read_file("/sys/devices/system/memory/block_size_bytes", NULL);
	if (!s)
		return -1;
	block = strtoull(s, NULL, 16);
	free(s);
	for (n = 0; n < 8; n++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/memory%llu", n,
			 phys / block);
		if (!access(path, F_OK))
			return n;
	}
	return -1;
}

/* The PTE table of @addr: its physical address from translate's PMD. */
static unsigned long long pte_table_phys(void *addr)
{
	char path[64], buf[32], *text, *p;
	unsigned long long e = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/vminspect/%d/translate", getpid());
	snprintf(buf, sizeof(buf), "%lx", (unsigned long)addr);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return 0;
	text = calloc(1, 8192);
	/* a good write rewinds the file to the new address's walk */
	if (text && write(fd, buf, strlen(buf)) > 0)
		(void)!read(fd, text, 8191);
	close(fd);
	p = text ? strstr(text, "\nlevel pmd ") : NULL;
	if (p)
		sscanf(p, "\nlevel pmd %*u %llx", &e);
	free(text);
	return e & 0x000ffffffffff000ULL;
}

/*
 * pmd_slots is geometry: the PMD-aligned 2 MiB ranges inside the VMA,
 * whatever its tables.  Truth: the bounds /proc/self/maps gives, for
 * every VMA of this process, with an untouched aligned mapping far from
 * the others (its PUD and P4D entries none: no PMD table to count slots
 * in) and one beside touched memory.
 */
TEST_F(waste, slots_follow_the_bounds_in_maps)
{
	char *far = mmap((void *)(1UL << 45), 4 * SLOT, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0);
	char *near = map_aligned(2 * SLOT);
	struct vst_vma *v;
	unsigned long val, want, first, last;
	int n, i, checked = 0;

	ASSERT_NE(MAP_FAILED, far);
	ASSERT_NE(NULL, near);
	near[0] = 1;
	n = vst_read_maps(getpid(), &v);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		first = (v[i].start + SLOT - 1) & ~(SLOT - 1);
		last = v[i].end & ~(SLOT - 1);
		want = last > first ? (last - first) / SLOT : 0;
		if (!vmas_col(getpid(), v[i].start, "pmd_slots", &val))
			continue;	/* [vsyscall]: not a VMA of the mm */
		EXPECT_EQ(want, val) {
			TH_LOG("%lx-%lx %s", v[i].start, v[i].end, v[i].path);
		}
		checked++;
	}
	TH_LOG("%d VMAs, their slots as their bounds in maps say", checked);
	ASSERT_TRUE(vmas_col(getpid(), (unsigned long)far, "pmd_slots", &val));
	EXPECT_EQ(4, val);
	ASSERT_TRUE(vmas_col(getpid(), (unsigned long)far, "slot_none", &val));
	EXPECT_EQ(SLOT_PAGES, val);
	ASSERT_TRUE(vmas_col(getpid(), (unsigned long)near, "pmd_slots", &val));
	EXPECT_EQ(2, val);
	free(v);
	munmap(far, 4 * SLOT);
	munmap(near, 2 * SLOT);
}

/*
 * Page tables on node 0 (the task's policy) mapping data bound to node 1
 * (the VMA's): every PTE table of that VMA is remote, none of the one
 * bound to node 0.  Data nodes from move_pages() and numa_maps, the
 * tables' node from the memory blocks of their physical addresses.
 */
TEST_F(waste, numa_remote_tables)
{
	unsigned long len = 8 * SLOT, mask = 1, i, val, tables;
	char *far, *near, *mm;
	void *pages[64];
	int status[64], k;

	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "one NUMA node (tools/check.sh runs this in a 2-node guest)");
	ASSERT_EQ(0, syscall(SYS_set_mempolicy, MPOL_BIND, &mask, 64));
	far = map_aligned(len);
	near = map_aligned(len);
	ASSERT_NE(NULL, far);
	ASSERT_NE(NULL, near);
	ASSERT_EQ(0, madvise(far, len, MADV_NOHUGEPAGE));
	ASSERT_EQ(0, madvise(near, len, MADV_NOHUGEPAGE));
	ASSERT_EQ(0, mbind_node(far, len, 1));
	ASSERT_EQ(0, mbind_node(near, len, 0));
	memset(far, 1, len);
	memset(near, 1, len);
	ASSERT_EQ(0, syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0));

	for (k = 0; k < 64; k++)
		pages[k] = far + k * (len / 64);
	ASSERT_EQ(0, syscall(SYS_move_pages, 0, 64, pages, NULL, status, 0));
	for (k = 0; k < 64; k++)
		ASSERT_EQ(1, status[k]);
	for (k = 0; k < 64; k++)
		pages[k] = near + k * (len / 64);
	ASSERT_EQ(0, syscall(SYS_move_pages, 0, 64, pages, NULL, status, 0));
	for (k = 0; k < 64; k++)
		ASSERT_EQ(0, status[k]);
	for (i = 0; i < len; i += SLOT) {
		ASSERT_EQ(0, phys_node(pte_table_phys(far + i)));
		ASSERT_EQ(0, phys_node(pte_table_phys(near + i)));
	}

	ASSERT_TRUE(vmas_col(getpid(), (unsigned long)far, "pte_tables",
			     &tables));
	EXPECT_EQ(8, tables);
	ASSERT_TRUE(vmas_col(getpid(), (unsigned long)far, "pte_remote", &val));
	EXPECT_EQ(tables, val);
	ASSERT_TRUE(vmas_col(getpid(), (unsigned long)near, "pte_remote",
			     &val));
	EXPECT_EQ(0, val);
	mm = vst_read_pidfile(getpid(), VMI_PROC_MM);
	ASSERT_NE(NULL, mm);
	EXPECT_GE(mm_row(mm, "census", "pte", "remote"), 8);
	/* node 0's PTE tables map both; far's pages are not on node 0 */
	EXPECT_GE(mm_row(mm, "pt_node", "pte", "data") -
		  mm_row(mm, "pt_node", "pte", "local"), (long)(len / PG));
	EXPECT_GE(mm_row(mm, "pt_node", "pte", "local"), (long)(len / PG));
	free(mm);
	munmap(far, len);
	munmap(near, len);
}

/* What vmview -j maps says of the VMA at @start: thp.reason. */
static void vmview_reason(pid_t pid, unsigned long start, char *out,
			  size_t len)
{
	const char *bin = getenv("VMVIEW") ?: "/vmi/bin/vmview";
	struct json_object *root, *v, *o;
	char cmd[256], *buf;
	size_t n = 0, cap = 1 << 20;
	size_t i;
	FILE *f;

	out[0] = '\0';
	snprintf(cmd, sizeof(cmd), "%s -j maps %d", bin, pid);
	f = popen(cmd, "r");
	buf = calloc(1, cap);
	if (!f || !buf)
		goto out;
	while (n + 1 < cap && (i = fread(buf + n, 1, cap - 1 - n, f)) > 0)
		n += i;
	root = json_tokener_parse(buf);
	for (i = 0; root && i < json_object_array_length(root); i++) {
		v = json_object_array_get_idx(root, i);
		if (!json_object_object_get_ex(v, "start", &o) ||
		    (unsigned long)json_object_get_uint64(o) != start)
			continue;
		if (json_object_object_get_ex(v, "thp", &o) &&
		    json_object_object_get_ex(o, "reason", &o))
			snprintf(out, len, "%s", json_object_get_string(o));
	}
	json_object_put(root);
out:
	free(buf);
	if (f)
		pclose(f);
}

/*
 * vmview's reason for the VMA of @pid at @addr is @want, and it calls the
 * VMA eligible (huge, untouched, pending, blocked_*) exactly where smaps'
 * THPeligible is 1.
 */
static void check_reason(struct __test_metadata *_metadata, pid_t pid,
			 const void *addr, const char *want)
{
	long eligible = smaps_kb(pid, (unsigned long)addr, "THPeligible");
	char r[32];

	vmview_reason(pid, (unsigned long)addr, r, sizeof(r));
	EXPECT_STREQ(want, r);
	EXPECT_EQ(!strcmp(r, "huge") || !strcmp(r, "pending") ||
		  !strcmp(r, "untouched") || !strncmp(r, "blocked_", 8),
		  eligible == 1)
		TH_LOG("%p: vmview %s, THPeligible %ld", addr, r, eligible);
}

#define CHECK_REASON(p, want) check_reason(_metadata, getpid(), (p), (want))

/*
 * The reasons of other kinds and limits: a regular file (ramfs), hugetlb,
 * [vdso]; full slots with swapped pages and with pages shared after fork
 * over khugepaged's max_ptes_swap and max_ptes_shared (0).
 */
static void not_huge_others(struct __test_metadata *_metadata,
			    struct knobs *kn)
{
	const char *dir = "/vmi/work/waste-ramfs";
	char *f, *sw, *sh, *h;
	struct vst_vma *maps;
	int fd, n, i, st;
	pid_t child;

	/* ramfs: a file system of its own, not tmpfs */
	mkdir(dir, 0700);
	ASSERT_EQ(0, mount("ramfs", dir, "ramfs", 0, NULL));
	fd = open("/vmi/work/waste-ramfs/f", O_RDWR | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 4 * SLOT));
	f = mmap(NULL, 4 * SLOT, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, f);
	memset(f, 1, 4 * SLOT);
	CHECK_REASON(f, "file");
	munmap(f, 4 * SLOT);
	close(fd);
	umount2(dir, MNT_DETACH);

	if (vst_hugetlb_reserve(2048, 2)) {
		h = mmap(NULL, SLOT, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			 (21 << MAP_HUGE_SHIFT), -1, 0);
		if (h != MAP_FAILED) {
			h[0] = 1;
			CHECK_REASON(h, "hugetlb");
			munmap(h, SLOT);
		}
	}
	n = vst_read_maps(getpid(), &maps);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++)
		if (!strcmp(maps[i].path, "[vdso]"))
			CHECK_REASON((void *)maps[i].start, "special");
	free(maps);

	/* every slot full, 20 pages of each swapped out */
	sw = map_aligned(2 * SLOT);
	ASSERT_NE(NULL, sw);
	ASSERT_EQ(0, madvise(sw, 2 * SLOT, MADV_NOHUGEPAGE));
	memset(sw, 1, 2 * SLOT);
	if (!vst_swap_on() && !madvise(sw, 20 * PG, MADV_PAGEOUT) &&
	    !madvise(sw + SLOT, 20 * PG, MADV_PAGEOUT)) {
		ASSERT_EQ(0, madvise(sw, 2 * SLOT, MADV_HUGEPAGE));
		CHECK_REASON(sw, "pending");
		ASSERT_EQ(0, set_knob(kn, "khugepaged/max_ptes_swap", "0"));
		CHECK_REASON(sw, "blocked_swap");
	}
	munmap(sw, 2 * SLOT);

	/* every slot full, part of it shared with a child */
	sh = map_aligned(2 * SLOT);
	ASSERT_NE(NULL, sh);
	ASSERT_EQ(0, madvise(sh, 2 * SLOT, MADV_NOHUGEPAGE));
	memset(sh, 1, 2 * SLOT);
	ASSERT_EQ(0, madvise(sh, 2 * SLOT, MADV_HUGEPAGE));
	child = frozen_copy();
	ASSERT_LE(0, child);
	/* copy 400 pages of each slot: 112 left shared, within 256 */
	memset(sh, 2, 400 * PG);
	memset(sh + SLOT, 2, 400 * PG);
	CHECK_REASON(sh, "pending");
	ASSERT_EQ(0, set_knob(kn, "khugepaged/max_ptes_shared", "0"));
	CHECK_REASON(sh, "blocked_shared");
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	munmap(sh, 2 * SLOT);
}

/*
 * Each reason provoked on purpose; vmview says it, and says "eligible"
 * (huge, untouched, pending, blocked_*) exactly where smaps' THPeligible
 * is 1.
 */
TEST_F(waste, why_not_huge)
{
	char *small, *nohuge, *huge, *pend, *plain, *m, r[32];
	struct knobs *kn;
	int fd, st, pfd[2];
	pid_t child;

	if (!vst_thp_available())
		SKIP(return, "no transparent huge pages in this kernel");
	kn = &self->knobs;
	/* khugepaged must not collapse what the test keeps PTE-mapped */
	ASSERT_EQ(0, set_knob(kn, "khugepaged/scan_sleep_millisecs",
			      "3600000"));
	ASSERT_EQ(0, set_knob(kn, "enabled", "always"));
	small = map_aligned(1 << 20);
	ASSERT_NE(NULL, small);
	nohuge = map_aligned(2 * SLOT);
	huge = map_aligned(2 * SLOT);
	pend = map_aligned(2 * SLOT);
	plain = map_aligned(2 * SLOT);
	ASSERT_NE(NULL, nohuge);
	ASSERT_NE(NULL, huge);
	ASSERT_NE(NULL, pend);
	ASSERT_NE(NULL, plain);
	ASSERT_EQ(0, madvise(nohuge, 2 * SLOT, MADV_NOHUGEPAGE));
	ASSERT_EQ(0, madvise(huge, 2 * SLOT, MADV_HUGEPAGE));
	memset(huge, 1, 2 * SLOT);
	/* PTE-mapped first, advised after: eligible, not yet collapsed */
	ASSERT_EQ(0, madvise(pend, 2 * SLOT, MADV_NOHUGEPAGE));
	memset(pend, 1, 100 * PG);
	memset(pend + SLOT, 1, 200 * PG);
	ASSERT_EQ(0, madvise(pend, 2 * SLOT, MADV_HUGEPAGE));

	CHECK_REASON(small, "small");
	CHECK_REASON(nohuge, "nohugepage");
	if (smaps_kb(getpid(), (unsigned long)huge, "AnonHugePages") == 4096)
		CHECK_REASON(huge, "huge");
	CHECK_REASON(pend, "pending");
	ASSERT_EQ(0, set_knob(kn, "khugepaged/max_ptes_none", "0"));
	CHECK_REASON(pend, "blocked_none");
	ASSERT_EQ(0, set_knob(kn, "khugepaged/max_ptes_none", "511"));
	ASSERT_EQ(0, set_knob(kn, "enabled", "madvise"));
	CHECK_REASON(plain, "not_advised");
	ASSERT_EQ(0, set_knob(kn, "enabled", "never"));
	CHECK_REASON(plain, "disabled");
	ASSERT_EQ(0, set_knob(kn, "enabled", "always"));
	CHECK_REASON(plain, "untouched");

	not_huge_others(_metadata, kn);

	/* shmem: a memfd while shmem THP is off */
	if (!set_knob(kn, "shmem_enabled", "never")) {
		fd = memfd_create("waste", MFD_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ftruncate(fd, 4 * SLOT));
		m = mmap(NULL, 4 * SLOT, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
		ASSERT_NE(MAP_FAILED, m);
		m[0] = 1;
		/* a 2 MiB-aligned slot lies in any 8 MiB mapping */
		CHECK_REASON(m, "shmem");
		munmap(m, 4 * SLOT);
		close(fd);
	}

	/* prctl(PR_SET_THP_DISABLE) in a child: status says THP_enabled 0 */
	ASSERT_EQ(0, pipe(pfd));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		char *q;

		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
		q = map_aligned(2 * SLOT);
		if (!q || write(pfd[1], &q, sizeof(q)) != sizeof(q))
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(sizeof(m), read(pfd[0], &m, sizeof(m)));
	vmview_reason(child, (unsigned long)m, r, sizeof(r));
	EXPECT_STREQ("prctl", r);
	EXPECT_EQ(0, smaps_kb(child, (unsigned long)m, "THPeligible"));
	EXPECT_EQ(0, vst_status_kb(child, "THP_enabled"));
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	close(pfd[0]);
	close(pfd[1]);

	munmap(small, 1 << 20);
	munmap(nohuge, 2 * SLOT);
	munmap(huge, 2 * SLOT);
	munmap(pend, 2 * SLOT);
	munmap(plain, 2 * SLOT);
}

TEST_HARNESS_MAIN
