// SPDX-License-Identifier: GPL-2.0
/*
 * hold_procs: N processes that each fault a few pages in and wait, while a
 * command runs; for the probes' memory per process (tools/bench/run.sh
 * runs "vmview probe status" under it).  Not a benchmark itself: run.sh
 * calls it, its name does not end in _bench.
 *
 * Usage: hold_procs N CMD [ARG...]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE	4096UL
#define PAGES	4

int main(int argc, char **argv)
{
	int i, n, go[2], ready[2], st;
	pid_t *kids, cmd;
	char c;

	n = argc < 3 ? 0 : atoi(argv[1]);
	if (n <= 0) {
		fprintf(stderr, "usage: hold_procs N CMD [ARG...]\n");
		return 2;
	}
	kids = calloc(n, sizeof(*kids));
	if (!kids || pipe(go) || pipe(ready))
		return 1;
	for (i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] < 0) {
			perror("fork");
			n = i;
			break;
		}
		if (!kids[i]) {
			volatile char *p = mmap(NULL, PAGES * PAGE,
						PROT_READ | PROT_WRITE,
						MAP_PRIVATE | MAP_ANONYMOUS,
						-1, 0);
			unsigned long j;

			close(go[1]);
			close(ready[0]);
			if (p == MAP_FAILED)
				_exit(1);
			for (j = 0; j < PAGES; j++)
				p[j * PAGE] = 1;
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			if (read(go[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
	}
	close(go[0]);
	close(ready[1]);
	for (i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1)
			break;
	printf("# %d processes, each faulted %d pages in\n", i, PAGES);
	fflush(stdout);
	cmd = fork();
	if (!cmd) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	waitpid(cmd, &st, 0);
	close(go[1]);		/* EOF: every child exits */
	for (i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
