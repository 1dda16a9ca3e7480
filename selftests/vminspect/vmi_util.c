// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the vminspect selftests.
 */
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

#include "vmi_util.h"

char *vmi_read_file(const char *path, size_t *len)
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

bool vmi_module_loaded(void)
{
	char *mods = vmi_read_file("/proc/modules", NULL);
	bool found;

	if (!mods)
		return false;
	found = !strncmp(mods, "vminspect ", 10) || strstr(mods, "\nvminspect ");
	free(mods);
	return found;
}

int vmi_fs_mount(const char *dir)
{
	return mount(VMI_FS_TYPE, dir, VMI_FS_TYPE,
		     MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

bool vmi_fs_mounted(const char *dir)
{
	struct statfs st;

	return !statfs(dir, &st) && st.f_type == VMI_FS_MAGIC;
}

int vmi_module_load(void)
{
	int fd = open(VMI_MODULE_PATH, O_RDONLY | O_CLOEXEC);
	int ret, err;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	err = errno;
	close(fd);
	errno = err;
	if (ret)
		return ret;
	return vmi_fs_mount("/proc/" VMI_PROC_DIR);
}

int vmi_module_unload(void)
{
	/* lazily: files open on it keep the module until they are closed */
	if (vmi_fs_mounted("/proc/" VMI_PROC_DIR) &&
	    umount2("/proc/" VMI_PROC_DIR, MNT_DETACH))
		return -1;
	return syscall(SYS_delete_module, "vminspect", O_NONBLOCK);
}

int vmi_retry_unload(void)
{
	int i, ret = -1;

	for (i = 0; i < 100; i++) {
		ret = vmi_module_unload();
		if (!ret || errno != EWOULDBLOCK)
			break;
		usleep(10000);
	}
	return ret;
}

int vmi_module_ensure(void)
{
	if (!vmi_module_loaded())
		return vmi_module_load();
	if (vmi_fs_mounted("/proc/" VMI_PROC_DIR))
		return 0;
	return vmi_fs_mount("/proc/" VMI_PROC_DIR);
}

char *vmi_read_pidfile(pid_t pid, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/vminspect/%d/%s", pid, name);
	return vmi_read_file(path, NULL);
}

/* "start-end perms offset maj:min ino [path]" */
static int vmi_parse_maps_line(const char *line, struct vmi_vma *v)
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

static int vmi_push(struct vmi_vma **arr, int *cap, int n)
{
	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 64;
	*arr = realloc(*arr, *cap * sizeof(**arr));
	return *arr ? 0 : -1;
}

int vmi_read_maps(pid_t pid, struct vmi_vma **out)
{
	char path[64], *text, *line, *save;
	int n = 0, cap = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	text = vmi_read_file(path, NULL);
	if (!text)
		return -1;
	*out = NULL;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (vmi_push(out, &cap, n))
			break;
		if (!vmi_parse_maps_line(line, &(*out)[n]))
			n++;
	}
	free(text);
	return n;
}

int vmi_parse_vmas(char *text, struct vmi_vma **out)
{
	char *line, *save;
	int n = 0, cap = 0, i, k;

	*out = NULL;
	line = strtok_r(text, "\n", &save);
	if (!line || strncmp(line, "vminspect-vmas 1.", 17)) {
		errno = EPROTO;
		return -1;
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		struct vmi_vma *v;
		char *p = line, *end;

		if (line[0] == '#')
			continue;
		if (vmi_push(out, &cap, n))
			return -1;
		v = &(*out)[n];
		memset(v, 0, sizeof(*v));
		if (sscanf(p, "%lx %lx %4s %llx %x:%x %lu%n", &v->start,
			   &v->end, v->perms, &v->offset, &v->dev_major,
			   &v->dev_minor, &v->ino, &k) < 7) {
			errno = EPROTO;
			return -1;
		}
		p += k;
		for (i = 0; i < VMI_NR_STATES; i++, p = end)
			v->state[i] = strtoul(p, &end, 10);
		for (i = 0; i < VMI_NR_ATTRS; i++, p = end)
			v->attr[i] = strtoul(p, &end, 10);
		for (i = 0; i < 3; i++, p = end)
			v->tables[i] = strtoul(p, &end, 10);
		if (sscanf(p, " %159s%n", v->flags, &k) < 1) {
			errno = EPROTO;
			return -1;
		}
		p += k;
		if (*p == ' ')
			snprintf(v->path, sizeof(v->path), "%s", p + 1);
		n++;
	}
	return n;
}

int vmi_read_vmas(pid_t pid, struct vmi_vma **out)
{
	char *text = vmi_read_pidfile(pid, VMI_PROC_VMAS);
	int n;

	if (!text)
		return -1;
	n = vmi_parse_vmas(text, out);
	free(text);
	return n;
}

int vmi_pagemap_entry(pid_t pid, unsigned long addr, uint64_t *entry)
{
	char path[64];
	int fd, ok;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ok = pread(fd, entry, 8, (addr / VMI_PAGE) * 8) == 8;
	close(fd);
	return ok ? 0 : -1;
}

int vmi_pagemap_counts(pid_t pid, unsigned long start, unsigned long end,
		       struct vmi_pagemap_counts *c)
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
		unsigned long n = (end - addr) / VMI_PAGE, i;
		ssize_t r;

		if (n > 512)
			n = 512;
		r = pread(fd, buf, n * 8, (addr / VMI_PAGE) * 8);
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
		addr += n * VMI_PAGE;
	}
	close(fd);
	return 0;
}

long vmi_status_kb(pid_t pid, const char *key)
{
	char path[64], *text, *p;
	size_t klen = strlen(key);
	long val = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	text = vmi_read_file(path, NULL);
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

static long vmi_smaps_scan(pid_t pid, unsigned long want, bool all,
			   bool skip_hugetlb)
{
	char path[64], *text, *line, *save;
	unsigned long start = 0, end;
	long total = 0, rss = -1, cur = 0;
	bool hugetlb = false, match = false;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	text = vmi_read_file(path, NULL);
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

long vmi_smaps_rss_kb(pid_t pid, unsigned long start)
{
	return vmi_smaps_scan(pid, start, false, false);
}

long vmi_smaps_total_rss_kb(pid_t pid, bool skip_hugetlb)
{
	return vmi_smaps_scan(pid, 0, true, skip_hugetlb);
}

bool vmi_kv(const char *text, const char *key, unsigned long *val)
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

bool vmi_census_line(const char *text, const char *level, unsigned long *tables,
		     unsigned long *entries, unsigned long *capacity,
		     unsigned long *bytes)
{
	char key[32];
	const char *p;
	double fill;

	snprintf(key, sizeof(key), "\ncensus %s ", level);
	p = strstr(text, key);
	if (!p)
		return false;
	return sscanf(p + strlen(key), "%lu %lu %lu %lf %lu", tables, entries,
		      capacity, &fill, bytes) == 5;
}

int vmi_wait_pid_dir(pid_t pid, bool present)
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

pid_t vmi_spawn_stopped(void (*fn)(void *arg), void *arg)
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
		vmi_kill(pid);
		return -1;
	}
	return pid;
}

void vmi_kill(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

bool vmi_thp_available(void)
{
	char *s = vmi_read_file("/sys/kernel/mm/transparent_hugepage/enabled",
				NULL);
	bool ok = s && !strstr(s, "[never]");

	free(s);
	return ok;
}

static int vmi_write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = write(fd, val, strlen(val));
	close(fd);
	return r == (ssize_t)strlen(val) ? 0 : -1;
}

int vmi_swap_on(void)
{
	char *swaps = vmi_read_file("/proc/swaps", NULL);
	bool on = swaps && strchr(swaps, '\n') && strchr(swaps, '\n')[1];

	free(swaps);
	if (on)
		return 0;
	if (access("/sys/block/zram0/disksize", W_OK))
		return -1;
	if (vmi_write_str("/sys/block/zram0/disksize", "512M"))
		return -1;
	if (system("mkswap /dev/zram0 >/dev/null 2>&1"))
		return -1;
	return swapon("/dev/zram0", 0);
}

bool vmi_hugetlb_reserve(unsigned long size_kb, int pages)
{
	char path[128], val[16], *s;
	long have;

	snprintf(path, sizeof(path),
		 "/sys/kernel/mm/hugepages/hugepages-%lukB/nr_hugepages",
		 size_kb);
	s = vmi_read_file(path, NULL);
	if (!s)
		return false;
	have = strtol(s, NULL, 10);
	free(s);
	if (have >= pages)
		return true;
	snprintf(val, sizeof(val), "%d", pages);
	if (vmi_write_str(path, val))
		return false;
	s = vmi_read_file(path, NULL);
	have = s ? strtol(s, NULL, 10) : 0;
	free(s);
	return have >= pages;
}

int vmi_paging_levels(void)
{
	char *s = vmi_read_file("/proc/cpuinfo", NULL);
	int levels = s && strstr(s, " la57") ? 5 : 4;

	free(s);
	return levels;
}
