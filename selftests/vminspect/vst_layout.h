/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftests' target process: one of everything a user should be able
 * to see (see vst_layout.c), built in a child that then stops itself.
 */
#ifndef _VST_LAYOUT_H
#define _VST_LAYOUT_H

#include <stdbool.h>
#include <sys/types.h>

#include "vst_util.h"

#define SZ_2M	(2UL << 20)
#define SZ_1G	(1024UL * 1024 * 1024)
#define PG	VST_PAGE

struct vst_layout {
	char *anon, *guard, *split, *file_priv, *file_shared, *shm_anon;
	char *swapped, *thp, *huge2m, *huge1g, *never, *heap;
	bool swap, thp_ok, h2m, h1g, fork_child;
	pid_t child;		/* the CoW child, filled by the parent side */
};

/*
 * Start the target (and, with @fork_child, its forked child), both
 * stopped, and fill @l with its addresses.  Return its pid or -1.
 */
pid_t vst_layout_start(struct vst_layout *l, bool fork_child);
void vst_layout_stop(struct vst_layout *l, pid_t pid);

#endif /* _VST_LAYOUT_H */
