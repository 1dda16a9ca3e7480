// SPDX-License-Identifier: GPL-2.0
/*
 * snapshot_test: vmview snapshot, diff, diff --fork and html against the
 * kernel's own files.  A snapshot reads back as the live process does and
 * its VMAs and page states agree with maps and smaps; the diff of a target
 * that maps, unmaps, grows, shrinks and mprotects regions (and splits and
 * forms THPs) between two stops agrees with two reads of /proc/PID/maps,
 * smaps, status and stat; diff --fork agrees, VMA by VMA, with the PFNs of
 * both processes' /proc/PID/pagemap and with /proc/kpagecount; html holds
 * one element per VMA with the counts of smaps and fetches nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "kselftest_harness.h"
#include "vst_timed.h"
#include "vst_util.h"

#define VMVIEW_DEFAULT	"/vmi/bin/vmview"
#define PAGE		4096UL
#define THP		(2UL << 20)

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static const char *vmview_path(void)
{
	const char *p = getenv("VMVIEW");

	return p && *p ? p : VMVIEW_DEFAULT;
}

/*
 * Run vmview with the NULL-terminated words, stdout into a file (outputs
 * can be large), stderr discarded unless asked for.  Returns the exit
 * status (-1 if killed); *out gets stdout (malloc'd) when out is given.
 */
static int run_vmview(char **out, ...)
{
	const char *argv[16];
	char path[] = "/tmp/vmview-out-XXXXXX";
	int n = 0, fd, st;
	va_list ap;
	pid_t pid;

	argv[n++] = "vmview";
	va_start(ap, out);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	pid = fork();
	if (!pid) {
		dup2(fd, 1);
		setenv("NO_COLOR", "1", 1);
		execv(vmview_path(), (char * const *)argv);
		_exit(127);
	}
	close(fd);
	waitpid(pid, &st, 0);
	if (out)
		*out = vst_read_file(path, NULL);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static uint64_t ju64(struct json_object *o, const char *key)
{
	return json_object_get_uint64(jget(o, key));
}

static int64_t ji64(struct json_object *o, const char *key)
{
	return json_object_get_int64(jget(o, key));
}

/* vmview -j WORDS... parsed; NULL if it failed. */
static struct json_object *vmview_json(const char *a, const char *b,
				       const char *c, const char *d)
{
	struct json_object *o;
	char *out = NULL;
	int rc;

	rc = run_vmview(&out, "-j", a, b, c, d, NULL);
	o = rc == 0 && out ? json_tokener_parse(out) : NULL;
	free(out);
	return o;
}

/* A key of the smaps block of the VMA starting at start, in kB; -1. */
static long smaps_kb(pid_t pid, unsigned long start, const char *key)
{
	char path[64], *text, *line, *save;
	size_t klen = strlen(key);
	bool in = false;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	text = vst_read_file(path, NULL);
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') <
		    strchr(line, ' ')) {
			in = s == start;
			continue;
		}
		if (in && !strncmp(line, key, klen) && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	free(text);
	return v;
}

/* minflt (field 10) of /proc/PID/stat */
static long stat_minflt(pid_t pid)
{
	char path[64], *buf, *p;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	buf = vst_read_file(path, NULL);
	if (!buf)
		return -1;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %ld", &v) != 1)
		v = -1;
	free(buf);
	return v;
}

/* /proc/PID/maps without [vsyscall] (not a VMA of the mm) */
static int maps(pid_t pid, struct vst_vma **out)
{
	struct vst_vma *m;
	int n, i, k = 0;

	n = vst_read_maps(pid, &m);
	for (i = 0; i < n; i++)
		if (strcmp(m[i].path, "[vsyscall]"))
			m[k++] = m[i];
	*out = m;
	return n < 0 ? n : k;
}

static bool cont_and_stop(pid_t pid)
{
	int st;

	if (kill(pid, SIGCONT))
		return false;
	return waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st);
}

/* The addresses the targets share with the test. */
struct where {
	unsigned long base, r1, r2, r3, r4, r5, thp, thp2;
	bool have_thp;
	pid_t child;
	unsigned long fork_region;
};

static struct where *W;

static unsigned long map_thp(void)
{
	char *p = mmap(NULL, 2 * THP, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long a;

	if (p == MAP_FAILED)
		return 0;
	a = ((unsigned long)p + THP - 1) & ~(THP - 1);
	madvise((void *)a, THP, MADV_HUGEPAGE);
	memset((void *)a, 7, THP);
	return (unsigned long)p;
}

/*
 * n read-write anonymous pages between two PROT_NONE pages, so that no
 * later mapping merges with them.
 */
static char *guarded(size_t n)
{
	char *p = mmap(NULL, (n + 2) * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(1);
	mprotect(p, PAGE, PROT_NONE);
	mprotect(p + (n + 1) * PAGE, PAGE, PROT_NONE);
	return p + PAGE;
}

/* The aligned 2M of a map_thp() mapping: a VMA of its own (madvise split it). */
static unsigned long thp_of(unsigned long p)
{
	return (p + THP - 1) & ~(THP - 1);
}

/* Phase 1 stops; phase 2 runs after SIGCONT and stops again. */
static void layout_target(void *arg)
{
	char *b = guarded(64);

	/* regions with holes between, so that none merges with another */
	munmap(b + 8 * PAGE, 2 * PAGE);
	munmap(b + 14 * PAGE, 10 * PAGE);
	munmap(b + 32 * PAGE, 2 * PAGE);
	munmap(b + 38 * PAGE, 26 * PAGE);
	W->base = (unsigned long)b;
	W->r1 = W->base;
	W->r3 = W->base + 10 * PAGE;
	W->r4 = W->base + 24 * PAGE;
	W->r5 = W->base + 34 * PAGE;
	W->r2 = W->base + 44 * PAGE;
	memset((void *)W->r1, 1, 8 * PAGE);
	memset((void *)W->r3, 1, 4 * PAGE);
	memset((void *)W->r4, 1, 4 * PAGE);
	memset((void *)W->r5, 1, 4 * PAGE);
	if (vst_thp_available())
		W->thp = map_thp();
	raise(SIGSTOP);

	munmap((void *)W->r1, 8 * PAGE);			/* went */
	if (mmap((void *)W->r2, 4 * PAGE, PROT_READ | PROT_WRITE,	/* appeared */
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) ==
	    MAP_FAILED)
		_exit(1);
	memset((void *)W->r2, 1, 2 * PAGE);
	if (mremap((void *)W->r3, 4 * PAGE, 8 * PAGE, 0) == MAP_FAILED) /* grew */
		_exit(1);
	munmap((void *)(W->r4 + 4 * PAGE), 4 * PAGE);		/* shrank */
	mprotect((void *)W->r5, 4 * PAGE, PROT_READ);		/* perms */
	if (W->thp) {
		madvise((void *)(thp_of(W->thp) + PAGE), PAGE, MADV_DONTNEED); /* split */
		W->thp2 = map_thp();					/* formed */
	}
}

/* The rules of vmview diff, written from vmview.rst: pair the VMAs that
 * are the same mapping (same path, or both anonymous): same range, else
 * same start or end, else any overlap.
 */
static void pair(struct vst_vma *a, int na, struct vst_vma *b, int nb,
		 int *a2b, int *b2a)
{
	int i, k, pass;

	for (i = 0; i < na; i++)
		a2b[i] = -1;
	for (k = 0; k < nb; k++)
		b2a[k] = -1;
	for (pass = 1; pass <= 3; pass++) {
		for (i = 0; i < na; i++) {
			for (k = 0; a2b[i] < 0 && k < nb; k++) {
				bool ok;

				if (b2a[k] >= 0 || strcmp(a[i].path, b[k].path) ||
				    a[i].ino != b[k].ino ||
				    !(a[i].start < b[k].end && b[k].start < a[i].end))
					continue;
				ok = pass == 3 ||
				     (pass == 1 && a[i].start == b[k].start &&
				      a[i].end == b[k].end) ||
				     (pass == 2 && (a[i].start == b[k].start ||
						    a[i].end == b[k].end));
				if (ok) {
					a2b[i] = k;
					b2a[k] = i;
				}
			}
		}
	}
}

/* "went 1000-2000 -" and so on: one line per change of the JSON. */
static void change_key(char *buf, size_t len, const char *what,
		       unsigned long as, unsigned long ae, unsigned long bs,
		       unsigned long be)
{
	snprintf(buf, len, "%s %lx-%lx %lx-%lx", what, as, ae, bs, be);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

FIXTURE(layout) {
	pid_t pid;
	struct vst_vma *ma, *mb;
	int na, nb;
	long flt_a, flt_b, pte_a, pte_b;
	long thp_kb_a, thp_kb_b, thp2_kb_b;
	char snap_a[64], snap_b[64], pidstr[16];
};

/*
 * khugepaged collapses a stopped target's memory too, so that a snapshot
 * and smaps read a moment later may see a THP form in between (seen on the
 * debug kernel: 511 small pages and the zero page, then 2 MiB of Rss): it
 * sleeps for the test.
 */
#define KHUGEPAGED_SLEEP "/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs"
static char khugepaged_sleep[32];

static void khugepaged_pause(bool pause)
{
	char *s;
	int fd;

	if (pause) {
		s = vst_read_file(KHUGEPAGED_SLEEP, NULL);
		if (!s)
			return;
		snprintf(khugepaged_sleep, sizeof(khugepaged_sleep), "%s", s);
		free(s);
	}
	if (!khugepaged_sleep[0])
		return;
	fd = open(KHUGEPAGED_SLEEP, O_WRONLY);
	if (fd < 0)
		return;
	if (pause)
		(void)!write(fd, "3600000", 7);
	else
		(void)!write(fd, khugepaged_sleep, strlen(khugepaged_sleep));
	close(fd);
}

FIXTURE_SETUP(layout)
{
	ASSERT_TRUE(vst_module_loaded());
	khugepaged_pause(true);
	W = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, W);
	memset(W, 0, sizeof(*W));
	self->pid = vst_spawn_stopped(layout_target, NULL);
	ASSERT_LT(0, self->pid);
	/* the module makes the directory from a workqueue after fork */
	ASSERT_EQ(0, vst_wait_pid_dir(self->pid, true));
	snprintf(self->pidstr, sizeof(self->pidstr), "%d", self->pid);
	snprintf(self->snap_a, sizeof(self->snap_a), "/tmp/snap-a-%d.json",
		 self->pid);
	snprintf(self->snap_b, sizeof(self->snap_b), "/tmp/snap-b-%d.json",
		 self->pid);

	/* stop 1: the kernel's files, then the snapshot */
	self->na = maps(self->pid, &self->ma);
	ASSERT_LT(0, self->na);
	self->flt_a = stat_minflt(self->pid);
	self->pte_a = vst_status_kb(self->pid, "VmPTE");
	self->thp_kb_a = W->thp ? smaps_kb(self->pid, thp_of(W->thp), "AnonHugePages") : 0;
	ASSERT_EQ(0, run_vmview(NULL, "snapshot", self->pidstr, "-o", self->snap_a,
				NULL));
	ASSERT_TRUE(cont_and_stop(self->pid));

	/* stop 2 */
	self->nb = maps(self->pid, &self->mb);
	ASSERT_LT(0, self->nb);
	self->flt_b = stat_minflt(self->pid);
	self->pte_b = vst_status_kb(self->pid, "VmPTE");
	self->thp_kb_b = W->thp ? smaps_kb(self->pid, thp_of(W->thp), "AnonHugePages") : 0;
	self->thp2_kb_b = W->thp2 ? smaps_kb(self->pid, thp_of(W->thp2), "AnonHugePages") : 0;
	ASSERT_EQ(0, run_vmview(NULL, "snapshot", self->pidstr, "-o", self->snap_b,
				NULL));
}

FIXTURE_TEARDOWN(layout)
{
	khugepaged_pause(false);
	vst_kill(self->pid);
	unlink(self->snap_a);
	unlink(self->snap_b);
	free(self->ma);
	free(self->mb);
	munmap(W, PAGE);
}

#define NR_VIEWS	5

/* The live views of the stopped target; false if one failed. */
static bool live_views(const char *pidstr, const char *const views[][2],
		       char *out[NR_VIEWS])
{
	bool ok = true;
	int i;

	for (i = 0; i < NR_VIEWS; i++) {
		out[i] = NULL;
		ok &= !run_vmview(&out[i], "-j", views[i][0], pidstr,
				  views[i][1], NULL) && out[i];
	}
	return ok;
}

/* Where @a and @b differ: 60 bytes of each from a little before. */
static const char *first_difference(const char *a, const char *b)
{
	static char buf[256];
	size_t i = 0;

	while (a[i] && a[i] == b[i])
		i++;
	i = i > 20 ? i - 20 : 0;
	snprintf(buf, sizeof(buf), "at byte %zu: '%.60s' against '%.60s'", i,
		 a + i, b + i);
	return buf;
}

static void free_views(char *v[NR_VIEWS])
{
	int i;

	for (i = 0; i < NR_VIEWS; i++) {
		free(v[i]);
		v[i] = NULL;
	}
}

/*
 * A snapshot reads back as the live process: every view, byte for byte.
 * The kernel itself may change a stopped process's page tables (reclaim
 * clears accessed bits: seen on 7.3, a THP's PMD lost its A bit between the
 * snapshot and the live read), so the live views are read before and after
 * a new snapshot, and the snapshot is compared with them once they are the
 * same: a round in which the process stayed as it was.
 */
TEST_F(layout, snapshot_reads_back_as_the_live_process)
{
	char addr[32];
	const char *const views[NR_VIEWS][2] = {
		{ "show", NULL }, { "maps", NULL }, { "pt", NULL },
		{ "pt", "--map" }, { "translate", addr },
	};
	char *live[NR_VIEWS] = { NULL }, *again[NR_VIEWS] = { NULL }, *snap;
	struct json_object *o, *arr;
	bool still = false;
	int round, i;

	/* translate of a kept walk (the first page of r4), and inside it */
	snprintf(addr, sizeof(addr), "%lx", W->r4 + 123);
	for (round = 0; round < 5 && !still; round++) {
		free_views(live);
		free_views(again);
		ASSERT_TRUE(live_views(self->pidstr, views, live));
		ASSERT_EQ(0, run_vmview(NULL, "snapshot", self->pidstr, "-o",
					self->snap_b, NULL));
		ASSERT_TRUE(live_views(self->pidstr, views, again));
		still = true;
		for (i = 0; i < NR_VIEWS; i++)
			if (strcmp(live[i], again[i])) {
				TH_LOG("round %d: vmview %s of the stopped target changed, %s",
				       round, views[i][0],
				       first_difference(live[i], again[i]));
				still = false;
			}
	}
	ASSERT_TRUE(still)
		TH_LOG("the stopped target changed in every round");
	for (i = 0; i < NR_VIEWS; i++) {
		snap = NULL;
		EXPECT_EQ(0, run_vmview(&snap, "-j", views[i][0], self->snap_b,
					views[i][1], NULL));
		ASSERT_NE(NULL, snap);
		EXPECT_STREQ(live[i], snap)
			TH_LOG("vmview %s %s differs between pid and snapshot, %s",
			       views[i][0], views[i][1] ?: "",
			       first_difference(live[i], snap));
		free(snap);
	}
	free_views(live);
	free_views(again);

	/* the snapshot's VMAs are those of maps, its pages those of smaps */
	arr = vmview_json("maps", self->snap_b, NULL, NULL);
	ASSERT_NE(NULL, arr);
	ASSERT_EQ(self->nb, (int)json_object_array_length(arr));
	for (i = 0; i < self->nb; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		struct json_object *st = jget(v, "states"), *at = jget(v, "attrs");
		long rss = smaps_kb(self->pid, self->mb[i].start, "Rss");

		EXPECT_EQ(self->mb[i].start, ju64(v, "start"));
		EXPECT_EQ(self->mb[i].end, ju64(v, "end"));
		EXPECT_STREQ(self->mb[i].perms,
			     json_object_get_string(jget(v, "perms")));
		if (strcmp(self->mb[i].path, "[vvar]") &&
		    strcmp(self->mb[i].path, "[vdso]"))
			EXPECT_EQ(rss, (long)(ju64(st, "present") -
					      ju64(at, "nopage")) * 4)
				TH_LOG("VMA %lx: smaps Rss %ld kB", self->mb[i].start,
				       rss);
	}
	json_object_put(arr);

	/* the document: versioned, the kernel's release, the pid */
	o = json_tokener_parse(vst_read_file(self->snap_b, NULL));
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("vminspect-snapshot", json_object_get_string(jget(o, "format")));
	EXPECT_EQ(0, strncmp("1.", json_object_get_string(jget(o, "version")), 2));
	EXPECT_EQ(self->pid, (pid_t)ji64(o, "pid"));
	EXPECT_NE(NULL, jget(jget(o, "kernel"), "release"));
	EXPECT_EQ(self->flt_b, (long)ju64(jget(o, "stat"), "min_flt"));
	json_object_put(o);
}

/* diff against two reads of /proc/PID/maps, smaps, status and stat */
static void check_diff(struct __test_metadata *_metadata,
		       struct _test_data_layout *self, struct json_object *d)
{
	static char *want[256], *got[256];
	int a2b[512], b2a[512], nw = 0, ng = 0, i;
	struct json_object *arr = jget(d, "vmas"), *pt;
	long pt_bytes = 0;
	size_t k;
	char key[128];

	ASSERT_NE(NULL, arr);
	ASSERT_GT(512, self->na);
	ASSERT_GT(512, self->nb);
	pair(self->ma, self->na, self->mb, self->nb, a2b, b2a);
	for (i = 0; i < self->na && nw < 250; i++) {
		struct vst_vma *a = &self->ma[i], *b;

		if (a2b[i] < 0) {
			change_key(key, sizeof(key), "went", a->start, a->end, 0, 0);
			want[nw++] = strdup(key);
			continue;
		}
		b = &self->mb[a2b[i]];
		if (b->end - b->start != a->end - a->start || a->start != b->start) {
			change_key(key, sizeof(key),
				   b->end - b->start > a->end - a->start ? "grew" :
				   b->end - b->start < a->end - a->start ? "shrank" :
				   "moved", a->start, a->end, b->start, b->end);
			want[nw++] = strdup(key);
		}
		if (strcmp(a->perms, b->perms)) {
			change_key(key, sizeof(key), "perms", a->start, a->end,
				   b->start, b->end);
			want[nw++] = strdup(key);
		}
	}
	for (i = 0; i < self->nb && nw < 250; i++) {
		if (b2a[i] >= 0)
			continue;
		change_key(key, sizeof(key), "appeared", 0, 0, self->mb[i].start,
			   self->mb[i].end);
		want[nw++] = strdup(key);
	}
	for (k = 0; k < json_object_array_length(arr) && ng < 250; k++) {
		struct json_object *v = json_object_array_get_idx(arr, k);
		struct json_object *ch = jget(v, "changes"), *a = jget(v, "a");
		struct json_object *b = jget(v, "b");
		size_t c;

		for (c = 0; c < json_object_array_length(ch); c++) {
			change_key(key, sizeof(key),
				   json_object_get_string(json_object_array_get_idx(ch, c)),
				   a ? ju64(a, "start") : 0, a ? ju64(a, "end") : 0,
				   b ? ju64(b, "start") : 0, b ? ju64(b, "end") : 0);
			got[ng++] = strdup(key);
		}
	}
	/* maps saw the five changes the target made */
	{
		char k5[5][128];
		int j, found;

		change_key(k5[0], 128, "went", W->r1, W->r1 + 8 * PAGE, 0, 0);
		change_key(k5[1], 128, "appeared", 0, 0, W->r2, W->r2 + 4 * PAGE);
		change_key(k5[2], 128, "grew", W->r3, W->r3 + 4 * PAGE, W->r3,
			   W->r3 + 8 * PAGE);
		change_key(k5[3], 128, "shrank", W->r4, W->r4 + 8 * PAGE, W->r4,
			   W->r4 + 4 * PAGE);
		change_key(k5[4], 128, "perms", W->r5, W->r5 + 4 * PAGE, W->r5,
			   W->r5 + 4 * PAGE);
		for (j = 0; j < 5; j++) {
			for (found = 0, i = 0; i < nw; i++)
				found |= !strcmp(want[i], k5[j]);
			EXPECT_TRUE(found) TH_LOG("maps does not show '%s'", k5[j]);
		}
		for (i = 0; _metadata->passed == 0 && i < nw; i++)
			TH_LOG("maps shows %s", want[i]);
	}
	qsort(want, nw, sizeof(*want), cmp_str);
	qsort(got, ng, sizeof(*got), cmp_str);
	for (i = 0; i < nw || i < ng; i++)
		EXPECT_STREQ(i < nw ? want[i] : "(none)", i < ng ? got[i] : "(none)");
	for (i = 0; i < nw; i++)
		free(want[i]);
	for (i = 0; i < ng; i++)
		free(got[i]);

	/* pages: the appeared VMA has its 2 touched pages, as smaps says */
	for (k = 0; k < json_object_array_length(arr); k++) {
		struct json_object *v = json_object_array_get_idx(arr, k);
		struct json_object *b = jget(v, "b");

		if (!b || ju64(b, "start") != W->r2)
			continue;
		EXPECT_EQ(smaps_kb(self->pid, W->r2, "Rss"),
			  ji64(jget(v, "states"), "present") * 4);
		EXPECT_EQ(2, ji64(jget(v, "states"), "present"));
	}

	/* page tables: pte + pmd + pud tables are VmPTE */
	pt = jget(d, "page_tables");
	for (k = 0; k < json_object_array_length(pt); k++) {
		struct json_object *l = json_object_array_get_idx(pt, k);
		const char *n = json_object_get_string(jget(l, "level"));

		if (!strcmp(n, "pte") || !strcmp(n, "pmd") || !strcmp(n, "pud"))
			pt_bytes += ji64(l, "delta") * 4096;
	}
	EXPECT_EQ((self->pte_b - self->pte_a) * 1024, pt_bytes);

	/* faults between: /proc/PID/stat at the two stops */
	EXPECT_EQ(self->flt_b - self->flt_a,
		  ji64(jget(jget(d, "between"), "stat"), "min_flt"));
	EXPECT_TRUE(json_object_get_boolean(jget(d, "same_process")));

	/* huge pages: as smaps' AnonHugePages moved */
	if (self->thp_kb_a == 2048 && self->thp_kb_b == 0 &&
	    self->thp2_kb_b == 2048) {
		EXPECT_EQ(1, ju64(jget(jget(d, "huge"), "pmd"), "split"));
		EXPECT_EQ(1, ju64(jget(jget(d, "huge"), "pmd"), "formed"));
	} else {
		TH_LOG("no THP at both moments (AnonHugePages %ld -> %ld, new %ld kB): %s",
		       self->thp_kb_a, self->thp_kb_b, self->thp2_kb_b,
		       "huge counts not checked");
	}
}

TEST_F(layout, diff_of_two_snapshots_agrees_with_maps)
{
	struct json_object *d = vmview_json("diff", self->snap_a, self->snap_b, NULL);

	ASSERT_NE(NULL, d);
	check_diff(_metadata, self, d);
	json_object_put(d);
}

TEST_F(layout, diff_of_snapshot_and_live_pid_agrees_with_maps)
{
	struct json_object *d = vmview_json("diff", self->snap_a, self->pidstr, NULL);

	ASSERT_NE(NULL, d);
	check_diff(_metadata, self, d);
	json_object_put(d);
}

TEST_F(layout, diff_text_names_the_changes)
{
	char *out = NULL;

	ASSERT_EQ(0, run_vmview(&out, "diff", self->snap_a, self->pidstr, NULL));
	ASSERT_NE(NULL, out);
	EXPECT_NE(NULL, strstr(out, "went"));
	EXPECT_NE(NULL, strstr(out, "appeared"));
	EXPECT_NE(NULL, strstr(out, "grew"));
	EXPECT_NE(NULL, strstr(out, "shrank"));
	EXPECT_NE(NULL, strstr(out, "(was rw-p)"));
	EXPECT_NE(NULL, strstr(out, "faults (/proc/PID/stat)"));
	free(out);
}

/*
 * Two live pids: two processes, no faults "between" them; B's side is the
 * stopped target's maps and VmPTE.
 */
TEST_F(layout, diff_of_two_live_pids)
{
	struct json_object *d, *arr, *pt;
	char self_pid[16];
	long pt_bytes = 0;
	int nb = 0, i;
	size_t k;

	snprintf(self_pid, sizeof(self_pid), "%d", getpid());
	d = vmview_json("diff", self_pid, self->pidstr, NULL);
	ASSERT_NE(NULL, d);
	EXPECT_FALSE(json_object_get_boolean(jget(d, "same_process")));
	EXPECT_EQ(NULL, jget(jget(d, "between"), "stat"));
	/* every VMA of the target's maps is a B of the diff, in order */
	arr = jget(d, "vmas");
	ASSERT_NE(NULL, arr);
	for (k = 0; k < json_object_array_length(arr); k++) {
		struct json_object *b = jget(json_object_array_get_idx(arr, k), "b");

		if (!b)
			continue;
		for (i = 0; i < self->nb; i++)
			if (self->mb[i].start == ju64(b, "start") &&
			    self->mb[i].end == ju64(b, "end"))
				break;
		EXPECT_LT(i, self->nb) {
			TH_LOG("B's VMA %lx-%lx not in the target's maps",
			       (unsigned long)ju64(b, "start"),
			       (unsigned long)ju64(b, "end"));
		}
		nb++;
	}
	EXPECT_EQ(self->nb, nb);
	/* B's pte + pmd + pud tables are the target's VmPTE */
	pt = jget(d, "page_tables");
	ASSERT_NE(NULL, pt);
	for (k = 0; k < json_object_array_length(pt); k++) {
		struct json_object *l = json_object_array_get_idx(pt, k);
		const char *n = json_object_get_string(jget(l, "level"));

		if (!strcmp(n, "pte") || !strcmp(n, "pmd") || !strcmp(n, "pud"))
			pt_bytes += ji64(l, "b") * 4096;
	}
	EXPECT_EQ(vst_status_kb(self->pid, "VmPTE") * 1024, pt_bytes);
	json_object_put(d);
	/* a process against itself now: nothing moved */
	d = vmview_json("diff", self->pidstr, self->pidstr, NULL);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(0, (int)json_object_array_length(jget(d, "moves")));
	EXPECT_EQ(self->nb, (int)ju64(jget(d, "vma_summary"), "unchanged"));
	json_object_put(d);
}

/* html: one element per VMA with the counts of vmas and smaps, and
 * nothing that would fetch anything
 */
TEST_F(layout, html_is_self_contained_with_one_group_per_vma)
{
	static const char * const bad[] = {
		"http:", "https:", "src=", "href=", "<link", "@import", "//cdn",
	};
	struct json_object *arr;
	char *html = NULL, *p, *q;
	size_t i;
	int n = 0;

	ASSERT_EQ(0, run_vmview(&html, "html", self->pidstr, NULL));
	ASSERT_NE(NULL, html);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(NULL, strstr(html, bad[i])) {
			TH_LOG("found item %zu", i);
		}
	}
	/* every url() names a fragment of the page itself */
	for (p = html; (p = strstr(p, "url(")); p++)
		n += p[4] != '#';
	EXPECT_EQ(0, n);
	n = 0;
	arr = vmview_json("maps", self->pidstr, NULL, NULL);
	ASSERT_NE(NULL, arr);
	for (p = html; (p = strstr(p, "<g class=\"vma\"")); p++, n++) {
		struct json_object *v;
		unsigned long start, present, untouched;

		ASSERT_GT((int)json_object_array_length(arr), n);
		v = json_object_array_get_idx(arr, n);
		q = strstr(p, "data-start=\"");
		ASSERT_NE(NULL, q);
		start = strtoul(q + 12, NULL, 16);
		q = strstr(p, "data-present=\"");
		present = strtoul(q + 14, NULL, 10);
		q = strstr(p, "data-untouched=\"");
		untouched = strtoul(q + 16, NULL, 10);
		EXPECT_EQ(self->mb[n].start, start);
		EXPECT_EQ(ju64(jget(v, "states"), "present"), present);
		EXPECT_EQ(ju64(jget(v, "states"), "untouched"), untouched);
		if (start == W->r2 || start == W->r3 || start == W->r4)
			EXPECT_EQ(smaps_kb(self->pid, start, "Rss"),
				  (long)present * 4);
	}
	EXPECT_EQ(self->nb, n);
	json_object_put(arr);
	free(html);
	/* from a snapshot, and a diff */
	EXPECT_EQ(0, run_vmview(NULL, "html", self->snap_b, "-o", "/tmp/snap.html",
				NULL));
	EXPECT_EQ(0, run_vmview(NULL, "html", self->snap_a, self->snap_b, "-o",
				"/tmp/snap-diff.html", NULL));
	html = vst_read_file("/tmp/snap-diff.html", NULL);
	ASSERT_NE(NULL, html);
	EXPECT_NE(NULL, strstr(html, "class=\"chg\""));
	free(html);
	unlink("/tmp/snap.html");
	unlink("/tmp/snap-diff.html");
}

/* fork: a parent with 64 touched pages, a child that wrote 16 of them */
static void fork_target(void *arg)
{
	char *p = guarded(64);
	pid_t c;
	int st;

	memset(p, 1, 64 * PAGE);
	W->fork_region = (unsigned long)p;
	if (vst_thp_available())
		W->thp = map_thp();
	c = fork();
	if (!c) {
		memset(p, 2, 16 * PAGE);	/* copy-on-write: 16 copies */
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	waitpid(c, &st, WUNTRACED);
	W->child = c;
}

struct frames {
	uint64_t shared, copied, parent_only, child_only;
};

static int pagemap_fd(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	return open(path, O_RDONLY);
}

static uint64_t mapcount(uint64_t pfn)
{
	uint64_t c = 0;
	int fd = open("/proc/kpagecount", O_RDONLY);

	if (fd >= 0 && pread(fd, &c, 8, pfn * 8) != 8)
		c = 0;
	if (fd >= 0)
		close(fd);
	return c;
}

static void count_frames(int pfd, int cfd, unsigned long start,
			 unsigned long end, struct frames *f, int *kc_bad)
{
	unsigned long a;

	memset(f, 0, sizeof(*f));
	for (a = start; a < end; a += PAGE) {
		uint64_t pe = 0, ce = 0;
		uint64_t pm = (1ULL << 55) - 1;
		bool pp, cp;

		if (pread(pfd, &pe, 8, a / PAGE * 8) != 8 ||
		    pread(cfd, &ce, 8, a / PAGE * 8) != 8)
			return;
		pp = pe >> 63;
		cp = ce >> 63;
		if (pp && cp) {
			if ((pe & pm) == (ce & pm)) {
				f->shared++;
				/* a frame mapped twice is counted twice */
				if ((pe & pm) && mapcount(pe & pm) < 2)
					(*kc_bad)++;
			} else {
				f->copied++;
			}
		} else if (pp) {
			f->parent_only++;
		} else if (cp) {
			f->child_only++;
		}
	}
}

TEST(fork_frames_agree_with_pagemap_and_kpagecount)
{
	static const char * const src[] = { "pagetable", "pagemap" };
	char ppid[16], cpid[16];
	pid_t pid;
	size_t s;

	ASSERT_TRUE(vst_module_loaded());
	ASSERT_EQ(0, geteuid());
	W = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, W);
	memset(W, 0, sizeof(*W));
	pid = vst_spawn_stopped(fork_target, NULL);
	ASSERT_LT(0, pid);
	ASSERT_LT(0, W->child);
	ASSERT_EQ(0, vst_wait_pid_dir(pid, true));
	ASSERT_EQ(0, vst_wait_pid_dir(W->child, true));
	snprintf(ppid, sizeof(ppid), "%d", pid);
	snprintf(cpid, sizeof(cpid), "%d", W->child);

	for (s = 0; s < ARRAY_SIZE(src); s++) {
		struct json_object *d, *arr;
		int pfd = pagemap_fd(pid), cfd = pagemap_fd(W->child);
		int kc_bad = 0;
		bool seen = false;
		char *out = NULL;
		size_t i;

		ASSERT_TRUE(pfd >= 0 && cfd >= 0);
		ASSERT_EQ(0, run_vmview(&out, "-j", "diff", "--fork",
					"--frames", src[s], ppid, cpid, NULL));
		d = json_tokener_parse(out);
		free(out);
		ASSERT_NE(NULL, d);
		EXPECT_STREQ(src[s], json_object_get_string(jget(d, "frames")));
		arr = jget(d, "vmas");
		ASSERT_NE(NULL, arr);
		for (i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *v = json_object_array_get_idx(arr, i);
			unsigned long st = ju64(v, "start"), en = ju64(v, "end");
			struct frames f;

			count_frames(pfd, cfd, st, en, &f, &kc_bad);
			EXPECT_EQ(f.shared, ju64(v, "shared"))
				TH_LOG("%s: VMA %lx-%lx", src[s], st, en);
			EXPECT_EQ(f.copied, ju64(v, "copied"))
				TH_LOG("%s: VMA %lx-%lx", src[s], st, en);
			EXPECT_EQ(f.parent_only, ju64(v, "parent_only"));
			EXPECT_EQ(f.child_only, ju64(v, "child_only"));
			if (st == W->fork_region) {
				EXPECT_EQ(48, ju64(v, "shared"));
				EXPECT_EQ(16, ju64(v, "copied"));
				seen = true;
			}
		}
		EXPECT_TRUE(seen);
		EXPECT_EQ(0, kc_bad);
		json_object_put(d);
		close(pfd);
		close(cfd);
	}
	kill(W->child, SIGKILL);
	vst_kill(pid);
	munmap(W, PAGE);
}

/* Without root the frames are hidden: diff --fork says so. */
static void drop_to_1000(void)
{
	if (setgid(1000) || setuid(1000))
		_exit(126);
	prctl(PR_SET_DUMPABLE, 1);	/* setuid() cleared it */
}

TEST(fork_needs_root)
{
	char me[16], *out = NULL;
	pid_t pid;
	int st, fds[2];

	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* as uid 1000, the target (our own child) and vmview */
		pid_t t;

		drop_to_1000();
		t = fork();
		if (!t) {
			for (;;)
				pause();
		}
		snprintf(me, sizeof(me), "%d", t);
		dup2(fds[1], 2);
		close(fds[0]);
		st = run_vmview(&out, "diff", "--fork", me, me, NULL);
		kill(t, SIGKILL);
		_exit(st);
	}
	close(fds[1]);
	{
		char err[4096];
		ssize_t n = read(fds[0], err, sizeof(err) - 1);

		err[n > 0 ? n : 0] = '\0';
		EXPECT_NE(NULL, strstr(err, "needs root")) TH_LOG("stderr: %s", err);
	}
	close(fds[0]);
	waitpid(pid, &st, 0);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(1, WEXITSTATUS(st));
}

/* Snapshots that are not: refused with a message, exit 1 */
TEST(bad_snapshots_are_refused)
{
	static const char * const docs[] = {
		"", "{", "[]", "{\"format\": \"x\"}",
		"{\"format\": \"vminspect-snapshot\", \"version\": \"2.0\"}",
		"{\"format\": \"vminspect-snapshot\", \"version\": \"1.0\", \"pid\": 1}",
		"{\"format\": \"vminspect-snapshot\", \"version\": \"1.0\", \"pid\": 1, "
		"\"files\": {\"mm\": \"x\", \"vmas\": \"x\", \"pagetable\": \"x\"}}",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(docs); i++) {
		FILE *f = fopen("/tmp/bad.json", "w");

		ASSERT_NE(NULL, f);
		fputs(docs[i], f);
		fclose(f);
		EXPECT_EQ(1, run_vmview(NULL, "show", "/tmp/bad.json", NULL))
			TH_LOG("document %zu", i);
		EXPECT_EQ(1, run_vmview(NULL, "diff", "/tmp/bad.json", "/tmp/bad.json",
					NULL));
		EXPECT_EQ(1, run_vmview(NULL, "html", "/tmp/bad.json", NULL));
	}
	EXPECT_EQ(2, run_vmview(NULL, "show", "/no/such/file", NULL));
	unlink("/tmp/bad.json");
}

/*
 * With the probes running, a snapshot keeps their counters and diff gives
 * the faults between as /proc/PID/stat counts them.  A probe start takes
 * 8 s on debug-7.3, more on a busy host.
 */
TEST_F_TIMEOUT(timed, snapshot_and_diff_carry_the_probes_counters, 180)
{
	char pidstr[16], a[64], *st = NULL;
	struct json_object *o, *arr;
	bool started = false;
	long fa, fb;
	size_t i;
	pid_t pid;

	ASSERT_TRUE(vst_module_loaded());
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		SKIP(return, "kernel without BTF: no probes");
	run_vmview(&st, "-j", "probe", "status", NULL);
	ASSERT_NE(NULL, st);
	if (!strstr(st, "\"running\":true")) {
		ASSERT_EQ(0, run_vmview(NULL, "probe", "start", NULL));
		started = true;
	}
	free(st);
	W = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, W);
	memset(W, 0, sizeof(*W));
	pid = vst_spawn_stopped(layout_target, NULL);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, vst_wait_pid_dir(pid, true));
	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	snprintf(a, sizeof(a), "/tmp/snap-probes-%d.json", pid);
	fa = stat_minflt(pid);
	EXPECT_EQ(0, run_vmview(NULL, "snapshot", pidstr, "-o", a, NULL));
	o = json_tokener_parse(vst_read_file(a, NULL));
	ASSERT_NE(NULL, o);
	EXPECT_EQ(fa, (long)ju64(jget(o, "counters"), "min_flt"));
	json_object_put(o);
	ASSERT_TRUE(cont_and_stop(pid));
	fb = stat_minflt(pid);

	o = vmview_json("diff", a, pidstr, NULL);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(fb - fa, ji64(jget(jget(o, "between"), "probes"), "min_flt"));
	EXPECT_EQ(fb - fa, ji64(jget(jget(o, "between"), "stat"), "min_flt"));
	/* munmap and mprotect of present pages flush the TLB */
	EXPECT_LE(1, ji64(jget(jget(o, "between"), "probes"), "tlb_flushes"));
	json_object_put(o);

	/* per VMA: the two pages written in the mapping that appeared */
	EXPECT_EQ(0, run_vmview(NULL, "snapshot", pidstr, "-o", a, NULL));
	arr = vmview_json("maps", a, NULL, NULL);
	ASSERT_NE(NULL, arr);
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);

		if (ju64(v, "start") == W->r2)
			EXPECT_EQ(2, ju64(v, "faults"));
	}
	json_object_put(arr);
	unlink(a);
	vst_kill(pid);
	munmap(W, PAGE);
	if (started)
		EXPECT_EQ(0, run_vmview(NULL, "probe", "stop", NULL));
}

TEST_HARNESS_MAIN
