// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the access tests: the kernel's answer (open of pagemap) and
 * ours (open of /proc/vminspect/<pid>/FILE, and the processes listing).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vst_access.h"
#include "vst_util.h"

int vst_become(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return -1;
	/* a credential change clears dumpable; a plain process has it set */
	return prctl(PR_SET_DUMPABLE, 1);
}

int vst_run_child(int (*fn)(void *), void *arg)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int vst_open_errno(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

int vst_pagemap_errno(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	return vst_open_errno(path, O_RDONLY);
}

int vst_ours_errno(pid_t pid, const char *file)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/vminspect/%d/%s", pid, file);
	return vst_open_errno(path, O_RDONLY);
}

static int vmi_cmp_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

int vst_dir_pids(const char *dir, pid_t **pids)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0, cap = 64;
	pid_t *p = malloc(cap * sizeof(*p));

	if (!d || !p) {
		if (d)
			closedir(d);
		free(p);
		return -1;
	}
	while ((e = readdir(d))) {
		char *end;
		long v = strtol(e->d_name, &end, 10);

		if (*end || v <= 0)
			continue;
		if (n == cap) {
			cap *= 2;
			p = realloc(p, cap * sizeof(*p));
			if (!p)
				return -1;
		}
		p[n++] = v;
	}
	closedir(d);
	qsort(p, n, sizeof(*p), vmi_cmp_pid);
	*pids = p;
	return n;
}

int vst_user_pids(pid_t **pids)
{
	return vst_dir_pids("/proc/vminspect", pids);
}

int vst_listed_pids(pid_t **pids)
{
	char *text = vst_read_file("/proc/vminspect/processes", NULL);
	char *line, *save;
	int n = 0, cap = 64;
	pid_t *p = malloc(cap * sizeof(*p));

	if (!text || !p) {
		free(text);
		free(p);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || !strncmp(line, "vminspect-", 10))
			continue;
		if (n == cap) {
			cap *= 2;
			p = realloc(p, cap * sizeof(*p));
			if (!p)
				return -1;
		}
		p[n++] = strtol(line, NULL, 10);
	}
	free(text);
	*pids = p;
	return n;
}

static char *vst_processes(void)
{
	return vst_read_file("/proc/vminspect/processes", NULL);
}

int vst_listed(pid_t pid)
{
	char *text = vst_processes(), key[24];
	int ret;

	if (!text)
		return -1;
	snprintf(key, sizeof(key), "\n%d ", pid);
	ret = !!strstr(text, key);
	free(text);
	return ret;
}

int vst_listed_count(void)
{
	char *text = vst_processes(), *line, *save;
	int n = 0;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (line[0] != '#' && strncmp(line, "vminspect-", 10))
			n++;
	free(text);
	return n;
}

int vst_match_pagemap(const pid_t *pids, int n, int *allowed, int *denied)
{
	int i, bad = 0;

	*allowed = *denied = 0;
	for (i = 0; i < n; i++) {
		int k = vst_pagemap_errno(pids[i]);
		int mm = vst_ours_errno(pids[i], VMI_PROC_MM);
		int vmas = vst_ours_errno(pids[i], VMI_PROC_VMAS);
		int listed = vst_listed(pids[i]);

		if (k == ESRCH || mm == ESRCH)
			continue;	/* exited meanwhile */
		if (k)
			++*denied;
		else
			++*allowed;
		if (mm != k || vmas != k || listed != !k) {
			fprintf(stderr, "# pid %d: pagemap %s, mm %s, vmas %s, listed %d\n",
				pids[i], strerror(k), strerror(mm),
				strerror(vmas), listed);
			bad++;
		}
	}
	return bad;
}
