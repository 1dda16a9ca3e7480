// SPDX-License-Identifier: GPL-2.0
/*
 * vmi-sample: the demo's sample process.  It lays out one of each thing the
 * background articles talk about, then sleeps until killed:
 *   - 64 KiB of anonymous memory, half of it touched (cached vs untouched);
 *   - a 2 MiB-aligned THP region (a PMD leaf), when THP is available;
 *   - a private file mapping with one page read (file-backed, part cached);
 *   - a page made read-only with mprotect (VMA split);
 *   - a forked child sharing its parent's pages copy-on-write.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define SZ_2M (2UL << 20)

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *anon, *thp, *file;
	int first = -1;
	int fd;

	anon = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		return 1;
	memset(anon, 1, 8 * page);
	mprotect(anon + 12 * page, page, PROT_READ);

	thp = mmap(NULL, 2 * SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (thp != MAP_FAILED) {
		thp = (char *)(((unsigned long)thp + SZ_2M - 1) & ~(SZ_2M - 1));
		madvise(thp, SZ_2M, MADV_HUGEPAGE);
		memset(thp, 2, SZ_2M);
	}

	fd = open("/proc/self/exe", O_RDONLY);
	file = mmap(NULL, 8 * page, PROT_READ, MAP_PRIVATE, fd, 0);
	if (file != MAP_FAILED)
		first = file[0];	/* one read fault: file-backed, cached */

	if (fork() == 0) {
		pause();
		_exit(0);
	}
	printf("vmi-sample %d: anon %p thp %p file %p (first byte %d)\n",
	       getpid(), (void *)anon, (void *)thp, (void *)file, first);
	fflush(stdout);
	pause();
	return 0;
}
