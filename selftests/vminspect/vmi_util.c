// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the vminspect selftests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
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
	return ret;
}

int vmi_module_unload(void)
{
	return syscall(SYS_delete_module, "vminspect", O_NONBLOCK);
}
