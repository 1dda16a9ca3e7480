/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftests' target process: one of everything a user should be able
 * to see (see vmi_layout.c), built in a child that then stops itself.
 */
#ifndef _VMI_LAYOUT_H
#define _VMI_LAYOUT_H

#include <stdbool.h>
#include <sys/types.h>

#include "vmi_util.h"

#define SZ_2M	(2UL << 20)
#define SZ_1G	(1024UL * 1024 * 1024)
#define PG	VMI_PAGE

struct layout {
	char *anon, *guard, *split, *file_priv, *file_shared, *shm_anon;
	char *swapped, *thp, *huge2m, *huge1g, *never, *heap;
	bool swap, thp_ok, h2m, h1g, fork_child;
	pid_t child;		/* the CoW child, filled by the parent side */
};

/*
 * Start the target (and, with @fork_child, its forked child), both
 * stopped, and fill @l with its addresses.  Return its pid or -1.
 */
pid_t vmi_layout_start(struct layout *l, bool fork_child);
void vmi_layout_stop(struct layout *l, pid_t pid);

#endif /* _VMI_LAYOUT_H */
