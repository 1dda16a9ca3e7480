// SPDX-License-Identifier: GPL-2.0
/*
 * vmview_target: the process vmview_test inspects.  It maps 16 anonymous
 * pages and touches 5, prints the address of its distinctive global
 * function and of the mapping, and waits to be stopped and killed.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* vmview translate must name this function from the ELF .symtab. */
__attribute__((noinline)) int vmview_target_marker_fn(int x)
{
	return x * 3 + 1;
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *anon;

	anon = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		return 1;
	memset(anon, 1, 5 * page);
	printf("%lx %lx %d\n", (unsigned long)vmview_target_marker_fn,
	       (unsigned long)anon, vmview_target_marker_fn(2));
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}
