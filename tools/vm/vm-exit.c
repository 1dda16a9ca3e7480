// SPDX-License-Identifier: GPL-2.0
/*
 * vm-exit - report a verdict to the host through QEMU's isa-debug-exit.
 *
 * QEMU exits with status (CODE << 1) | 1 when CODE is written to the
 * device's I/O port.  The guest kernel has no /dev/port, so write it
 * directly after ioperm().  Runs as root in the test VM only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

#define VMI_DEBUG_EXIT_PORT 0xf4

int main(int argc, char **argv)
{
	int code = argc > 1 ? atoi(argv[1]) : 0;

	if (code < 0 || code > 127)
		code = 127;
	if (ioperm(VMI_DEBUG_EXIT_PORT, 1, 1)) {
		perror("vm-exit: ioperm");
		return 1;
	}
	outb(code, VMI_DEBUG_EXIT_PORT);
	/* not reached unless the device is missing */
	fprintf(stderr, "vm-exit: isa-debug-exit device missing\n");
	return 1;
}
