// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the vminspect selftests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vst_util.h"

char *vst_read_file(const char *path, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t r;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		goto err_free;
	for (;;) {
		if (n == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb)
				goto err_close;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0)
			goto err_close;
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;

err_close:
	r = errno;
	close(fd);
	errno = r;
err_free:
	r = errno;
	free(buf);
	errno = r;
	return NULL;
}

bool vst_module_loaded(void)
{
	char *mods = vst_read_file("/proc/modules", NULL);
	bool found;

	if (!mods)
		return false;
	found = !strncmp(mods, "vminspect ", 10) || strstr(mods, "\nvminspect ");
	free(mods);
	return found;
}

int vst_fs_mount(const char *dir)
{
	return mount(VMI_FS_TYPE, dir, VMI_FS_TYPE,
		     MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

bool vst_fs_mounted(const char *dir)
{
	struct statfs st;

	return !statfs(dir, &st) && st.f_type == VMI_FS_MAGIC;
}

int vst_module_load(void)
{
	int fd = open(VST_MODULE_PATH, O_RDONLY | O_CLOEXEC);
	int ret, err;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	err = errno;
	close(fd);
	errno = err;
	if (ret)
		return ret;
	return vst_fs_mount("/proc/" VMI_PROC_DIR);
}

int vst_module_unload(void)
{
	/* lazily: files open on it keep the module until they are closed */
	if (vst_fs_mounted("/proc/" VMI_PROC_DIR) &&
	    umount2("/proc/" VMI_PROC_DIR, MNT_DETACH))
		return -1;
	return syscall(SYS_delete_module, "vminspect", O_NONBLOCK);
}

int vst_retry_unload(void)
{
	int i, ret = -1;

	/* a release in flight ends soon; busy for 30 s is a leaked reference */
	for (i = 0; i < 3000; i++) {
		ret = vst_module_unload();
		if (!ret || errno != EWOULDBLOCK)
			break;
		usleep(10000);
	}
	return ret;
}

bool vst_all_positive(long *const counters[], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (__atomic_load_n(counters[i], __ATOMIC_RELAXED) <= 0)
			return false;
	return true;
}

int vst_module_ensure(void)
{
	if (!vst_module_loaded())
		return vst_module_load();
	if (vst_fs_mounted("/proc/" VMI_PROC_DIR))
		return 0;
	return vst_fs_mount("/proc/" VMI_PROC_DIR);
}

char *vst_read_pidfile(pid_t pid, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/vminspect/%d/%s", pid, name);
	return vst_read_file(path, NULL);
}

/* "start-end perms offset maj:min ino [path]" */
static int vst_parse_maps_line(const char *line, struct vst_vma *v)
{
	int n = 0;

	memset(v, 0, sizeof(*v));
	if (sscanf(line, "%lx-%lx %4s %llx %x:%x %lu %n", &v->start, &v->end,
		   v->perms, &v->offset, &v->dev_major, &v->dev_minor,
		   &v->ino, &n) < 7)
		return -1;
	snprintf(v->path, sizeof(v->path), "%s", line + n);
	return 0;
}

static int vst_push(struct vst_vma **arr, int *cap, int n)
{
	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 64;
	*arr = realloc(*arr, *cap * sizeof(**arr));
	return *arr ? 0 : -1;
}

int vst_read_maps(pid_t pid, struct vst_vma **out)
{
	char path[64], *text, *line, *save;
	int n = 0, cap = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	text = vst_read_file(path, NULL);
	if (!text)
		return -1;
	*out = NULL;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (vst_push(out, &cap, n))
			break;
		if (!vst_parse_maps_line(line, &(*out)[n]))
			n++;
	}
	free(text);
	return n;
}

/*
 * Our own reading of the formats (vmview's parser is not used on purpose:
 * the tests must not share the code they check), with the key and column
 * names of the ABI tables.
 */
static const char *const vst_vmas_col[] = { VMI_VMAS_COLS(VMI_X_NAME) };
static const char *const vst_census_col[] = { VMI_CENSUS_COLS(VMI_X_NAME) };
const char *const vst_mm_key_name[VMI_MM_NR_KEYS] = { VMI_MM_KEYS(VMI_X_NAME) };
const char *const vst_tr_key_name[VMI_TR_NR_KEYS] = { VMI_TR_KEYS(VMI_X_NAME) };

int vst_header_cols(const char *header, const char *tag,
		    const char *const *names, int nr, int *pos)
{
	char buf[1024], *t, *save;
	int i, n = 0;

	for (i = 0; i < nr; i++)
		pos[i] = -1;
	snprintf(buf, sizeof(buf), "%s", header);
	t = strtok_r(buf, "\t\n ", &save);
	if (!t || strcmp(t, "#"))
		return -1;
	if (tag) {
		t = strtok_r(NULL, "\t\n ", &save);
		if (!t || strcmp(t, tag))
			return -1;
	}
	while ((t = strtok_r(NULL, "\t\n ", &save))) {
		for (i = 0; i < nr; i++)
			if (!strcmp(t, names[i]))
				pos[i] = n;
		n++;
	}
	return n;
}

int vst_words(char *line, char **w, int max)
{
	int n = 0;

	while (*line && n < max) {
		while (*line == ' ')
			line++;
		if (!*line)
			break;
		w[n++] = line;
		if (n == max)
			break;
		while (*line && *line != ' ')
			line++;
		if (*line)
			*line++ = '\0';
	}
	return n;
}

int vst_parse_vmas(char *text, struct vst_vma **out)
{
	int pos[VMI_VMAS_NR_COLS], ncols = -1, n = 0, cap = 0, i, nw;
	char *line, *save, *w[64];

	*out = NULL;
	line = strtok_r(text, "\n", &save);
	if (!line || strncmp(line, "vminspect-vmas 1.", 17)) {
		errno = EPROTO;
		return -1;
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		struct vst_vma *v;

		if (line[0] == '#') {
			ncols = vst_header_cols(line, NULL, vst_vmas_col,
						VMI_VMAS_NR_COLS, pos);
			continue;
		}
		/* the header names every column we read, path last */
		for (i = 0; i < VMI_VMAS_NR_COLS; i++)
			if (ncols < 0 || pos[i] < 0 ||
			    (i == VMI_VMAS_PATH && pos[i] != ncols - 1)) {
				errno = EPROTO;
				return -1;
			}
		if (vst_push(out, &cap, n))
			return -1;
		v = &(*out)[n];
		memset(v, 0, sizeof(*v));
		nw = vst_words(line, w, ncols);
		if (nw < ncols - 1 ||
		    sscanf(w[pos[VMI_VMAS_START]], "%lx", &v->start) != 1 ||
		    sscanf(w[pos[VMI_VMAS_END]], "%lx", &v->end) != 1 ||
		    sscanf(w[pos[VMI_VMAS_PERMS]], "%4s", v->perms) != 1 ||
		    sscanf(w[pos[VMI_VMAS_OFFSET]], "%llx", &v->offset) != 1 ||
		    sscanf(w[pos[VMI_VMAS_DEV]], "%x:%x", &v->dev_major,
			   &v->dev_minor) != 2 ||
		    sscanf(w[pos[VMI_VMAS_INODE]], "%lu", &v->ino) != 1 ||
		    sscanf(w[pos[VMI_VMAS_FLAGS]], "%159s", v->flags) != 1) {
			errno = EPROTO;
			return -1;
		}
		for (i = 0; i < VMI_NR_STATES; i++)
			v->state[i] = strtoul(w[pos[VMI_VMAS_PRESENT + i]],
					      NULL, 10);
		for (i = 0; i < VMI_NR_ATTRS; i++)
			v->attr[i] = strtoul(w[pos[VMI_VMAS_HUGE_PMD + i]],
					     NULL, 10);
		v->tables[0] = strtoul(w[pos[VMI_VMAS_PUD_TABLES]], NULL, 10);
		v->tables[1] = strtoul(w[pos[VMI_VMAS_PMD_TABLES]], NULL, 10);
		v->tables[2] = strtoul(w[pos[VMI_VMAS_PTE_TABLES]], NULL, 10);
		if (nw == ncols)
			snprintf(v->path, sizeof(v->path), "%s",
				 w[pos[VMI_VMAS_PATH]]);
		n++;
	}
	return n;
}

int vst_read_vmas(pid_t pid, struct vst_vma **out)
{
	char *text = vst_read_pidfile(pid, VMI_PROC_VMAS);
	int n;

	if (!text)
		return -1;
	n = vst_parse_vmas(text, out);
	free(text);
	return n;
}

int vst_pagemap_entry(pid_t pid, unsigned long addr, uint64_t *entry)
{
	char path[64];
	int fd, ok;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ok = pread(fd, entry, 8, (addr / VST_PAGE) * 8) == 8;
	close(fd);
	return ok ? 0 : -1;
}

int vst_pagemap_counts(pid_t pid, unsigned long start, unsigned long end,
		       struct vst_pagemap_counts *c)
{
	uint64_t buf[512];
	char path[64];
	unsigned long addr;
	int fd;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (addr = start; addr < end;) {
		unsigned long n = (end - addr) / VST_PAGE, i;
		ssize_t r;

		if (n > 512)
			n = 512;
		r = pread(fd, buf, n * 8, (addr / VST_PAGE) * 8);
		if (r != (ssize_t)(n * 8)) {
			close(fd);
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (buf[i] & (1ULL << 63)) {
				c->present++;
				if (buf[i] & (1ULL << 56))
					c->exclusive++;
			} else if (buf[i] & (1ULL << 62)) {
				c->swap++;
			} else {
				c->none++;
			}
		}
		addr += n * VST_PAGE;
	}
	close(fd);
	return 0;
}

long vst_status_kb(pid_t pid, const char *key)
{
	char path[64], *text, *p;
	size_t klen = strlen(key);
	long val = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	text = vst_read_file(path, NULL);
	if (!text)
		return -1;
	for (p = text; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			val = strtol(p + klen + 1, NULL, 10);
			break;
		}
	}
	free(text);
	return val;
}

static long vst_smaps_scan(pid_t pid, unsigned long want, bool all,
			   bool skip_hugetlb)
{
	char path[64], *text, *line, *save;
	unsigned long start = 0, end;
	long total = 0, rss = -1, cur = 0;
	bool hugetlb = false, match = false;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	text = vst_read_file(path, NULL);
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			match = start == want;
			hugetlb = false;
			continue;
		}
		if (!strncmp(line, "Rss:", 4)) {
			cur = strtol(line + 4, NULL, 10);
			if (match && !all)
				rss = cur;
		} else if (!strncmp(line, "VmFlags:", 8)) {
			hugetlb = strstr(line, " ht");
			if (all && !(skip_hugetlb && hugetlb))
				total += cur;
		}
	}
	free(text);
	return all ? total : rss;
}

long vst_smaps_rss_kb(pid_t pid, unsigned long start)
{
	return vst_smaps_scan(pid, start, false, false);
}

long vst_smaps_total_rss_kb(pid_t pid, bool skip_hugetlb)
{
	return vst_smaps_scan(pid, 0, true, skip_hugetlb);
}

bool vst_kv(const char *text, const char *key, unsigned long *val)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = text; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == ' ') {
			*val = strtoul(p + klen + 1, NULL, 0);
			return true;
		}
	}
	return false;
}

bool vst_mm_key(const char *text, enum vmi_mm_key key, unsigned long *val)
{
	return vst_kv(text, vst_mm_key_name[key], val);
}

bool vst_census_line(const char *text, const char *level, unsigned long *tables,
		     unsigned long *entries, unsigned long *capacity,
		     unsigned long *bytes)
{
	const char *tag = vst_mm_key_name[VMI_MM_CENSUS];
	int pos[VMI_CENSUS_NR_COLS], ncols, i;
	char hdr[128], key[32], buf[256], *w[16];
	const char *p;
	size_t len;

	/* the columns as the header "# census level ..." names them */
	snprintf(hdr, sizeof(hdr), "\n# %s ", tag);
	p = strstr(text, hdr);
	if (!p)
		return false;
	len = strcspn(p + 1, "\n");
	snprintf(buf, sizeof(buf), "%.*s", (int)len, p + 1);
	ncols = vst_header_cols(buf, tag, vst_census_col, VMI_CENSUS_NR_COLS,
				pos);
	for (i = 0; i < VMI_CENSUS_NR_COLS; i++)
		if (pos[i] < 0)
			return false;
	/* the line "census LEVEL ..." */
	snprintf(key, sizeof(key), "\n%s ", tag);
	for (p = strstr(text, key); p; p = strstr(p + 1, key)) {
		len = strcspn(p + 1, "\n");
		snprintf(buf, sizeof(buf), "%.*s", (int)len, p + 1 + strlen(tag) + 1);
		if (vst_words(buf, w, 16) != ncols)
			continue;
		if (strcmp(w[pos[VMI_CENSUS_LEVEL]], level))
			continue;
		*tables = strtoul(w[pos[VMI_CENSUS_TABLES]], NULL, 10);
		*entries = strtoul(w[pos[VMI_CENSUS_ENTRIES]], NULL, 10);
		*capacity = strtoul(w[pos[VMI_CENSUS_CAPACITY]], NULL, 10);
		*bytes = strtoul(w[pos[VMI_CENSUS_BYTES]], NULL, 10);
		return true;
	}
	return false;
}

int vst_wait_pid_dir(pid_t pid, bool present)
{
	char path[64];
	int i;

	/*
	 * The directory appears before its files: wait for translate, the
	 * last one the module creates (and owns to the process), when waiting
	 * for it to be there; for the directory when waiting for it to go.
	 */
	if (present)
		snprintf(path, sizeof(path), "/proc/vminspect/%d/%s", pid,
			 VMI_PROC_TRANSLATE);
	else
		snprintf(path, sizeof(path), "/proc/vminspect/%d", pid);
	for (i = 0; i < 500; i++) {
		if ((access(path, F_OK) == 0) == present)
			return 0;
		usleep(10000);
	}
	return -1;
}

pid_t vst_spawn_stopped(void (*fn)(void *arg), void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (fn)
			fn(arg);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
		vst_kill(pid);
		return -1;
	}
	return pid;
}

void vst_kill(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

bool vst_thp_available(void)
{
	char *s = vst_read_file("/sys/kernel/mm/transparent_hugepage/enabled",
				NULL);
	bool ok = s && !strstr(s, "[never]");

	free(s);
	return ok;
}

static int vst_write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = write(fd, val, strlen(val));
	close(fd);
	return r == (ssize_t)strlen(val) ? 0 : -1;
}

int vst_swap_on(void)
{
	char *swaps = vst_read_file("/proc/swaps", NULL);
	bool on = swaps && strchr(swaps, '\n') && strchr(swaps, '\n')[1];

	free(swaps);
	if (on)
		return 0;
	if (access("/sys/block/zram0/disksize", W_OK))
		return -1;
	if (vst_write_str("/sys/block/zram0/disksize", "512M"))
		return -1;
	if (system("mkswap /dev/zram0 >/dev/null 2>&1"))
		return -1;
	return swapon("/dev/zram0", 0);
}

bool vst_hugetlb_reserve(unsigned long size_kb, int pages)
{
	char path[128], val[16], *s;
	long have;

	snprintf(path, sizeof(path),
		 "/sys/kernel/mm/hugepages/hugepages-%lukB/nr_hugepages",
		 size_kb);
	s = vst_read_file(path, NULL);
	if (!s)
		return false;
	have = strtol(s, NULL, 10);
	free(s);
	if (have >= pages)
		return true;
	snprintf(val, sizeof(val), "%d", pages);
	if (vst_write_str(path, val))
		return false;
	s = vst_read_file(path, NULL);
	have = s ? strtol(s, NULL, 10) : 0;
	free(s);
	return have >= pages;
}

int vst_paging_levels(void)
{
	char *s = vst_read_file("/proc/cpuinfo", NULL);
	int levels = s && strstr(s, " la57") ? 5 : 4;

	free(s);
	return levels;
}

int vst_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/*
 * Write @val to sysfs file @path, keeping what it held in @old (the
 * [selected] word of a choice file such as THP's "always [madvise] never",
 * else its first line) for vst_sysfs_set(path, old, NULL, 0) to restore.
 */
int vst_sysfs_set(const char *path, const char *val, char *old, size_t len)
{
	char *s, *a, *b;

	if (old) {
		s = vst_read_file(path, NULL);
		if (!s)
			return -1;
		a = strchr(s, '[');
		b = a ? strchr(a, ']') : NULL;
		if (b) {
			*b = '\0';
			snprintf(old, len, "%s", a + 1);
		} else {
			s[strcspn(s, "\n")] = '\0';
			snprintf(old, len, "%s", s);
		}
		free(s);
	}
	return vst_write_str(path, val);
}
